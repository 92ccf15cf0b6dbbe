// The gateway's own commands on the listener, answered without a backend:
//   SHOW MYSQLGW STATUS   variables of the gateway (Variable_name, Value)
//   SHOW MYSQLGW RULES    interception rules and their matches
// Only principals with the admin operation may run them. Recognized by
// their words alone (any case and spacing, an optional ';').
#ifndef SERVER_LISTENER_ADMIN_COMMANDS_H_
#define SERVER_LISTENER_ADMIN_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/value.h"

namespace mysqlgw {

enum class AdminCommand { kStatus, kRules };

std::optional<AdminCommand> ParseAdminCommand(absl::string_view sql);

// KILL [HARD | SOFT] [CONNECTION | QUERY] <id>: ids are the listener's own
// connection ids (the ones clients got in the handshake), so the listener
// answers these itself; a backend must never see a client's id.
struct KillCommand {
  uint32_t connection_id = 0;
  bool query_only = false;  // KILL QUERY: the running statement only.
};
std::optional<KillCommand> ParseKillCommand(absl::string_view sql);

// A small result set of text columns.
struct AdminResult {
  std::vector<mysqlwire::ColumnDefinition> columns;
  std::vector<std::vector<mysqlwire::Value>> rows;
};

// Name/value pairs as SHOW STATUS shows them.
AdminResult NameValueResult(const std::vector<std::pair<std::string, std::string>>& variables);
// One row per rule: Rule, Matches.
AdminResult RulesResult(const std::vector<std::pair<std::string, uint64_t>>& rules);

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_ADMIN_COMMANDS_H_
