#include "server/status/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

// absl and gRPC both use the canonical codes 0..16 with the same numbers.
#define MYSQLGW_SAME_CODE(absl_code, grpc_code)                   \
  static_assert(static_cast<int>(absl::StatusCode::absl_code) == \
                static_cast<int>(grpc::StatusCode::grpc_code))
MYSQLGW_SAME_CODE(kOk, OK);
MYSQLGW_SAME_CODE(kCancelled, CANCELLED);
MYSQLGW_SAME_CODE(kUnknown, UNKNOWN);
MYSQLGW_SAME_CODE(kInvalidArgument, INVALID_ARGUMENT);
MYSQLGW_SAME_CODE(kDeadlineExceeded, DEADLINE_EXCEEDED);
MYSQLGW_SAME_CODE(kNotFound, NOT_FOUND);
MYSQLGW_SAME_CODE(kAlreadyExists, ALREADY_EXISTS);
MYSQLGW_SAME_CODE(kPermissionDenied, PERMISSION_DENIED);
MYSQLGW_SAME_CODE(kResourceExhausted, RESOURCE_EXHAUSTED);
MYSQLGW_SAME_CODE(kFailedPrecondition, FAILED_PRECONDITION);
MYSQLGW_SAME_CODE(kAborted, ABORTED);
MYSQLGW_SAME_CODE(kOutOfRange, OUT_OF_RANGE);
MYSQLGW_SAME_CODE(kUnimplemented, UNIMPLEMENTED);
MYSQLGW_SAME_CODE(kInternal, INTERNAL);
MYSQLGW_SAME_CODE(kUnavailable, UNAVAILABLE);
MYSQLGW_SAME_CODE(kDataLoss, DATA_LOSS);
MYSQLGW_SAME_CODE(kUnauthenticated, UNAUTHENTICATED);
#undef MYSQLGW_SAME_CODE

grpc::StatusCode GrpcCode(absl::StatusCode code) {
  const int n = static_cast<int>(code);
  // absl::Status accepts any integer as a code; gRPC clients only know
  // the canonical ones.
  if (n < 0 || n > static_cast<int>(grpc::StatusCode::UNAUTHENTICATED)) {
    return grpc::StatusCode::UNKNOWN;
  }
  return static_cast<grpc::StatusCode>(n);
}

v1::MySqlError ToProto(const mysqlwire::ServerError& error) {
  v1::MySqlError out;
  out.set_code(error.code);
  out.set_sql_state(error.sql_state);
  out.set_message(error.message);
  return out;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& s) {
  // gRPC forbids a message or details on OK.
  if (s.ok()) return grpc::Status::OK;

  // Checked first: whatever else the status says, the connection is gone,
  // and retrying on another one is the remedy.
  if (mysqlwire::IsProtocolError(s)) {
    return grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        absl::StrCat("backend connection broke (", s.message(),
                     "); the call can be retried, though a write may have "
                     "been applied"));
  }

  const grpc::StatusCode code = GrpcCode(s.code());
  std::string message(s.message());
  std::optional<mysqlwire::ServerError> server_error =
      mysqlwire::GetServerError(s);
  if (!server_error.has_value()) return grpc::Status(code, message);

  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(message);
  // PackFrom would build the URL from the descriptor; the explicit prefix
  // keeps it equal to kMySqlErrorTypeUrl, which clients match on.
  google::protobuf::Any* any = rich.add_details();
  any->PackFrom(ToProto(*server_error), "type.googleapis.com");
  return grpc::Status(code, message, rich.SerializeAsString());
}

std::optional<v1::MySqlError> MySqlErrorFromDetails(const std::string& details) {
  google::rpc::Status rich;
  if (!rich.ParseFromString(details)) return std::nullopt;
  for (const google::protobuf::Any& any : rich.details()) {
    if (any.type_url() != kMySqlErrorTypeUrl) continue;
    v1::MySqlError error;
    if (any.UnpackTo(&error)) return error;
  }
  return std::nullopt;
}

std::optional<v1::MySqlError> MySqlErrorOf(const absl::Status& s) {
  std::optional<mysqlwire::ServerError> server_error =
      mysqlwire::GetServerError(s);
  if (!server_error.has_value()) return std::nullopt;
  return ToProto(*server_error);
}

}  // namespace mysqlgw
