#include "server/intercept/hook.h"

#include "mysqlwire/error.h"

namespace mysqlgw {

absl::Status RejectionStatus(absl::StatusCode code, uint16_t mysql_errno,
                             absl::string_view sql_state, absl::string_view message) {
  absl::Status server = mysqlwire::ServerErrorStatus(
      {mysql_errno, std::string(sql_state), std::string(message)});
  // Same payload (errno, SQLSTATE, message), the status code chosen by
  // the rule rather than derived from the errno.
  absl::Status out(code, server.message());
  server.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace mysqlgw
