#include "mysqlwire/protocol/session_state.h"

#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"

namespace mysqlwire {

absl::StatusOr<SessionStateChanges> ParseSessionState(absl::string_view data) {
  SessionStateChanges out;
  WireReader r(data);
  while (r.ok() && !r.empty()) {
    uint8_t type = r.U8();
    WireReader entry(r.LenencString());
    if (!r.ok()) break;
    switch (type) {
      case 0: {
        std::string name(entry.LenencString());
        std::string value(entry.LenencString());
        if (absl::Status s = entry.StatusAtEnd("session variable"); !s.ok()) return s;
        out.system_variables.emplace_back(std::move(name), std::move(value));
        break;
      }
      case 1: {
        std::string schema(entry.LenencString());
        if (absl::Status s = entry.StatusAtEnd("session schema"); !s.ok()) return s;
        out.schema = std::move(schema);
        break;
      }
      case 2: {
        // MySQL wraps the flag in its own string<lenenc> ("\x01" "1");
        // MariaDB 10.11 sends the bare byte ("1").
        absl::string_view flag = entry.Rest();
        if (flag.size() == 2 && flag[0] == '\x01') flag.remove_prefix(1);
        if (flag != "1" && flag != "0") {
          return ProtocolError("session state change: malformed flag");
        }
        out.state_changed = flag == "1";
        break;
      }
      default:
        break;
    }
  }
  if (absl::Status s = r.Status("session state"); !s.ok()) return s;
  return out;
}

}  // namespace mysqlwire
