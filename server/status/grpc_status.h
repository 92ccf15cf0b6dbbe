// The one place where statuses become gRPC statuses.
//
// The status code is the absl code, 1:1 (the two enums share the canonical
// codes). For a database error, mysqlwire has already chosen that code from
// the errno (mysqlwire::ClassifyServerErrno), the gateway may have changed
// it since (e.g. CANCELLED for a statement it killed), and the errno,
// SQLSTATE and message travel as details. The classification, as documented
// to clients at the top of proto/mysqlgw/v1/gateway.proto:
//
//   MySQL error class                          gRPC status
//   ----------------------------------------   -------------------
//   duplicate key (1062, 1586), exists (1050)  ALREADY_EXISTS
//   deadlock (1213), lock wait timeout (1205)  ABORTED (retry the transaction)
//   syntax / bad value (1064, 1366, 1406 ...)  INVALID_ARGUMENT
//   access denied (1044, 1045, 1142 ...)       PERMISSION_DENIED
//   unknown database / table / column          NOT_FOUND
//   (1049, 1146, 1054)
//   read-only, foreign key (1290, 1451, 1452)  FAILED_PRECONDITION
//   server gone, connection lost, killed,      UNAVAILABLE
//   shutdown (2006, 2013, 1927, 1053)
//   statement timeout (1969, 3024)             DEADLINE_EXCEEDED
//   anything else                              UNKNOWN (details say which)
//
// ClassifyServerErrno also maps 1007 (database exists) to ALREADY_EXISTS,
// 1149, 1210 and 1048 to INVALID_ARGUMENT, 1143, 1227 and 1698 to
// PERMISSION_DENIED, 1792 (read-only transaction) to FAILED_PRECONDITION,
// and 1317 (query interrupted) and 1040 (too many connections) to
// UNAVAILABLE; the proto's table omits these.
//
// Other statuses:
//   mysqlwire protocol errors   UNAVAILABLE, not INTERNAL: the backend
//   (kInternal with the         connection broke (malformed or unexpected
//   "mysqlwire.protocol"        bytes), nothing about the request was
//   payload)                    wrong, and the call can be retried on
//                               another connection
//   anything else               the same code and message, no details
//
// Messages are relayed, never composed from request or configuration
// secrets: the server's ERR text (MySQL and MariaDB never include a
// password, e.g. "Access denied for user 'u'@'h' (using password: YES)"),
// mysqlwire's messages (which never include the password: DSN errors name
// the part that failed, not its value; authentication errors name the
// plugin) and the gateway's own.
#ifndef SERVER_STATUS_GRPC_STATUS_H_
#define SERVER_STATUS_GRPC_STATUS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw {

// The type URL of MySqlError inside google.rpc.Status.details.
inline constexpr absl::string_view kMySqlErrorTypeUrl =
    "type.googleapis.com/mysqlgw.v1.MySqlError";

// See the table above. A database error's status carries, as its binary
// error details (the grpc-status-details-bin trailer), a serialized
// google.rpc.Status {code, message, details: [Any(MySqlError)]}.
grpc::Status ToGrpcStatus(const absl::Status& s);

// The MySqlError inside serialized google.rpc.Status details (as produced by
// ToGrpcStatus), or nullopt if the details do not parse or hold none.
std::optional<mysqlgw::v1::MySqlError> MySqlErrorFromDetails(
    const std::string& details);

// The database error carried by `s`, if it came from an ERR packet; for
// ExecuteBatch, whose per-item results hold a MySqlError directly.
std::optional<mysqlgw::v1::MySqlError> MySqlErrorOf(const absl::Status& s);

}  // namespace mysqlgw

#endif  // SERVER_STATUS_GRPC_STATUS_H_
