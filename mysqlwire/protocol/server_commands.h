// Client commands as the server side receives them. Every parser takes the
// whole message payload, command byte included (as ServerConnection's
// ReadCommand returns it), checks that byte, and rejects truncated input and
// trailing bytes with a protocol error. COM_STMT_EXECUTE is in statement.h.
#ifndef MYSQLWIRE_PROTOCOL_SERVER_COMMANDS_H_
#define MYSQLWIRE_PROTOCOL_SERVER_COMMANDS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/protocol/capabilities.h"

namespace mysqlwire {

// COM_QUERY: int<1> 0x03 | string<EOF> sql. (CLIENT_QUERY_ATTRIBUTES would
// add parameters first; it is never negotiated by the server side.)
absl::StatusOr<std::string> ParseQueryCommand(absl::string_view payload);

// COM_INIT_DB: int<1> 0x02 | string<EOF> schema. An empty name is refused.
absl::StatusOr<std::string> ParseInitDb(absl::string_view payload);

// COM_FIELD_LIST: int<1> 0x04 | string<NUL> table | string<EOF> wildcard
struct FieldListRequest {
  std::string table;
  std::string wildcard;
};
absl::StatusOr<FieldListRequest> ParseFieldList(absl::string_view payload);

// COM_STMT_CLOSE and COM_STMT_RESET: int<1> command | int<4> statement_id.
// `command` says which of the two is expected.
absl::StatusOr<uint32_t> ParseStmtIdCommand(absl::string_view payload,
                                            Command command);

// COM_STMT_SEND_LONG_DATA:
//   int<1> 0x18 | int<4> statement_id | int<2> param_id | string<EOF> data
struct StmtSendLongData {
  uint32_t statement_id = 0;
  uint16_t param_id = 0;
  std::string data;
};
absl::StatusOr<StmtSendLongData> ParseStmtSendLongData(absl::string_view payload);

// COM_STMT_FETCH: int<1> 0x1c | int<4> statement_id | int<4> num_rows
struct StmtFetch {
  uint32_t statement_id = 0;
  uint32_t num_rows = 0;
};
absl::StatusOr<StmtFetch> ParseStmtFetch(absl::string_view payload);

// COM_SET_OPTION: int<1> 0x1b | int<2> option
inline constexpr uint16_t kOptionMultiStatementsOn = 0;
inline constexpr uint16_t kOptionMultiStatementsOff = 1;
absl::StatusOr<uint16_t> ParseSetOption(absl::string_view payload);

// COM_PROCESS_KILL: int<1> 0x0c | int<4> connection_id
absl::StatusOr<uint32_t> ParseProcessKill(absl::string_view payload);

// COM_CHANGE_USER (`capabilities` are the negotiated ones):
//   int<1> 0x11 | string<NUL> user |
//   auth response: int<1> length + bytes with CLIENT_SECURE_CONNECTION
//                  (even under PLUGIN_AUTH_LENENC_CLIENT_DATA), else
//                  string<NUL> |
//   string<NUL> schema |
//   optional: int<2> charset | [string<NUL> plugin if CLIENT_PLUGIN_AUTH] |
//             [lenenc attributes if CLIENT_CONNECT_ATTRS]
struct ChangeUserRequest {
  std::string username;
  std::string auth_response;
  std::string database;
  uint16_t character_set = 0;  // 0 when the client omitted it.
  std::string auth_plugin_name;
  std::vector<std::pair<std::string, std::string>> attributes;
};
absl::StatusOr<ChangeUserRequest> ParseChangeUser(absl::string_view payload,
                                                  uint64_t capabilities);
// The client side of the same packet, for tests and for proxies that
// forward a change of user.
std::string SerializeChangeUser(const ChangeUserRequest& request,
                                uint64_t capabilities);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_SERVER_COMMANDS_H_
