#include "server/listener/mysql_error.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace mysqlgw {
namespace {

const char* SqlStateOf(uint16_t code) {
  switch (code) {
    case kErTooManyConnections:
      return "08004";
    case kErAccessDenied:
      return "28000";
    case kErUnknownCommand:
      return "08S01";
    case kErDbAccessDenied:
    case kErParseError:
    case kErTableAccessDenied:
    case kErUserLimitReached:
    case kErSpecificAccessDenied:
    case kErNotSupportedYet:
      return "42000";
    case kErQueryInterrupted:
    case kErStatementTimeout:
    case kErConnectionKilled:
      return "70100";
    default:
      return "HY000";
  }
}

uint16_t ErrnoFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kPermissionDenied:
      return kErTableAccessDenied;
    case absl::StatusCode::kUnauthenticated:
      return kErAccessDenied;
    case absl::StatusCode::kResourceExhausted:
      return kErUserLimitReached;
    case absl::StatusCode::kInvalidArgument:
      return kErWrongArguments;
    case absl::StatusCode::kDeadlineExceeded:
      return kErStatementTimeout;
    case absl::StatusCode::kCancelled:
      return kErQueryInterrupted;
    case absl::StatusCode::kUnimplemented:
      return kErNotSupportedYet;
    default:
      return kErUnknownError;
  }
}

}  // namespace

mysqlwire::ServerError ListenerError(uint16_t code, absl::string_view message) {
  return mysqlwire::ServerError{code, SqlStateOf(code), std::string(message)};
}

mysqlwire::ServerError ToMySqlError(const absl::Status& status) {
  // A protocol error first, like ToGrpcStatus: whatever else it says, the
  // backend connection is gone.
  if (mysqlwire::IsProtocolError(status)) {
    return ListenerError(kErUnknownError,
                         absl::StrCat("backend connection broke: ", status.message()));
  }
  if (std::optional<mysqlwire::ServerError> server = mysqlwire::GetServerError(status)) {
    if (server->sql_state.size() != 5) server->sql_state = "HY000";
    return *server;
  }
  std::string message(status.message());
  if (message.empty()) message = absl::StatusCodeToString(status.code());
  return ListenerError(ErrnoFor(status.code()), message);
}

}  // namespace mysqlgw
