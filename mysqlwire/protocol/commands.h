// Payloads of the simple text-protocol commands. Each starts with its
// command byte; framing is added by the connection.
#ifndef MYSQLWIRE_PROTOCOL_COMMANDS_H_
#define MYSQLWIRE_PROTOCOL_COMMANDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "mysqlwire/protocol/capabilities.h"

namespace mysqlwire {

std::string BuildCommand(Command command, absl::string_view argument = {});

inline std::string BuildQuery(absl::string_view sql) {
  return BuildCommand(Command::kQuery, sql);
}
inline std::string BuildInitDb(absl::string_view database) {
  return BuildCommand(Command::kInitDb, database);
}
inline std::string BuildPing() { return BuildCommand(Command::kPing); }
inline std::string BuildQuit() { return BuildCommand(Command::kQuit); }
inline std::string BuildResetConnection() {
  return BuildCommand(Command::kResetConnection);
}

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_COMMANDS_H_
