#include "server/listener/listener_stats.h"

#include "mysqlwire/protocol/capabilities.h"

namespace mysqlgw {

absl::string_view CommandName(uint8_t command) {
  using mysqlwire::Command;
  switch (static_cast<Command>(command)) {
    case Command::kQuit:
      return "quit";
    case Command::kInitDb:
      return "init_db";
    case Command::kQuery:
      return "query";
    case Command::kFieldList:
      return "field_list";
    case Command::kStatistics:
      return "statistics";
    case Command::kProcessKill:
      return "process_kill";
    case Command::kPing:
      return "ping";
    case Command::kChangeUser:
      return "change_user";
    case Command::kStmtPrepare:
      return "stmt_prepare";
    case Command::kStmtExecute:
      return "stmt_execute";
    case Command::kStmtSendLongData:
      return "stmt_send_long_data";
    case Command::kStmtClose:
      return "stmt_close";
    case Command::kStmtReset:
      return "stmt_reset";
    case Command::kSetOption:
      return "set_option";
    case Command::kStmtFetch:
      return "stmt_fetch";
    case Command::kResetConnection:
      return "reset_connection";
    default:
      return "";
  }
}

}  // namespace mysqlgw
