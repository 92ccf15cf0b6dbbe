// Errors: gRPC statuses as absl::Status, with the database's own error.
//
// Every failed call returns an absl::Status with the gRPC status's code (the
// two enums share the canonical codes) and message. When the database
// produced the error, the gateway sends a MySqlError (errno, SQLSTATE,
// message) in the status details; it is attached to the absl::Status as a
// payload under kMySqlErrorPayloadUrl (the serialized v1::MySqlError), so it
// survives being returned through absl-style code:
//
//   absl::Status s = db.Execute("INSERT INTO t VALUES (1)").status();
//   if (auto e = MySqlErrorOf(s); e && e->code() == 1062) { ... duplicate ... }
//
// The gRPC code follows the table in proto/mysqlgw/v1/gateway.proto
// (1062 is ALREADY_EXISTS, 1213 deadlock is ABORTED, ...).
#ifndef CLIENTS_CPP_ERRORS_H_
#define CLIENTS_CPP_ERRORS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw::client {

namespace v1 = ::mysqlgw::v1;

// The payload type URL, the same as the Any type URL inside the details.
inline constexpr absl::string_view kMySqlErrorPayloadUrl =
    "type.googleapis.com/mysqlgw.v1.MySqlError";

// Same code and message; the MySqlError from the details (if any) as payload.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The MySqlError inside serialized google.rpc.Status details, or nullopt.
std::optional<v1::MySqlError> MySqlErrorFromDetails(const std::string& details);

// The database error attached to `status`, or nullopt for gateway, network
// and client errors (and for OK).
std::optional<v1::MySqlError> MySqlErrorOf(const absl::Status& status);

// Attaches `error` to `status` (not OK) as MySqlErrorOf reads it.
void SetMySqlError(absl::Status& status, const v1::MySqlError& error);

// As the mysql CLI prints errors: "ERROR 1062 (23000): Duplicate entry '1'
// for key 'PRIMARY'" for a database error (the server's own message), and
// "ERROR (NOT_FOUND): unknown transaction" otherwise (the gRPC code's name,
// since there is no errno). `where` goes before the colon, e.g. " at line 3".
std::string FormatError(const absl::Status& status, absl::string_view where = "");

// One ExecuteBatch item as a status: OK for an outcome; for a database error,
// UNKNOWN with the server's message and the MySqlError attached (the batch
// reply carries no gRPC code per item, so use MySqlErrorOf to tell errors
// apart); ABORTED for an item skipped after an earlier failure.
absl::Status BatchItemStatus(const v1::BatchItemResult& item);

}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_ERRORS_H_
