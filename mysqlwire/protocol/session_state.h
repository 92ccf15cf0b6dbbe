// Session state tracking (CLIENT_SESSION_TRACK): the data an OK packet
// carries when SERVER_SESSION_STATE_CHANGED is set. The connection uses it
// to know its current schema without asking, which a pool needs because
// COM_RESET_CONNECTION does not restore the default database.
#ifndef MYSQLWIRE_PROTOCOL_SESSION_STATE_H_
#define MYSQLWIRE_PROTOCOL_SESSION_STATE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

struct SessionStateChanges {
  std::optional<std::string> schema;  // SESSION_TRACK_SCHEMA
  std::vector<std::pair<std::string, std::string>> system_variables;
  bool state_changed = false;  // SESSION_TRACK_STATE_CHANGE "1"
};

// session_state: a sequence of
//   int<1> type | string<lenenc> data
// where data is, by type:
//   0 SYSTEM_VARIABLES: string<lenenc> name | string<lenenc> value
//   1 SCHEMA:           string<lenenc> name
//   2 STATE_CHANGE:     string<lenenc> "1" or "0"
//   3..5 (GTIDS, TRANSACTION_CHARACTERISTICS, TRANSACTION_STATE): skipped.
// Unknown types are skipped by their length, as the protocol intends.
absl::StatusOr<SessionStateChanges> ParseSessionState(absl::string_view data);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_SESSION_STATE_H_
