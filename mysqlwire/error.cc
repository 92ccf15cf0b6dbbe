#include "mysqlwire/error.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mysqlwire {
namespace {

constexpr absl::string_view kServerErrorUrl = "mysqlwire.server_error";
constexpr absl::string_view kProtocolErrorUrl = "mysqlwire.protocol";

}  // namespace

absl::StatusCode ClassifyServerErrno(uint16_t code) {
  switch (code) {
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
    case 1143:  // ER_COLUMNACCESS_DENIED_ERROR
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
      return absl::StatusCode::kPermissionDenied;
    case 1049:  // ER_BAD_DB_ERROR
    case 1146:  // ER_NO_SUCH_TABLE
    case 1054:  // ER_BAD_FIELD_ERROR
      return absl::StatusCode::kNotFound;
    case 1062:  // ER_DUP_ENTRY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
    case 1007:  // ER_DB_CREATE_EXISTS
    case 1050:  // ER_TABLE_EXISTS_ERROR
      return absl::StatusCode::kAlreadyExists;
    case 1213:  // ER_LOCK_DEADLOCK
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
      return absl::StatusCode::kAborted;
    case 1064:  // ER_PARSE_ERROR
    case 1149:  // ER_SYNTAX_ERROR
    case 1210:  // ER_WRONG_ARGUMENTS
    case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    case 1406:  // ER_DATA_TOO_LONG
    case 1048:  // ER_BAD_NULL_ERROR
    case 1390:  // ER_PS_MANY_PARAM (over 65535 placeholders)
      return absl::StatusCode::kInvalidArgument;
    case 1451:  // ER_ROW_IS_REFERENCED_2
    case 1452:  // ER_NO_REFERENCED_ROW_2
    case 1792:  // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
    case 1290:  // ER_OPTION_PREVENTS_STATEMENT (read_only)
      return absl::StatusCode::kFailedPrecondition;
    case 1317:  // ER_QUERY_INTERRUPTED
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1040:  // ER_CON_COUNT_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
      return absl::StatusCode::kUnavailable;
    case 3024:  // ER_QUERY_TIMEOUT (MySQL max_execution_time)
    case 1969:  // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
      return absl::StatusCode::kDeadlineExceeded;
    default:
      return absl::StatusCode::kUnknown;
  }
}

absl::Status ServerErrorStatus(const ServerError& error) {
  absl::Status status(ClassifyServerErrno(error.code),
                      absl::StrCat("MySQL error ", error.code, " (",
                                   error.sql_state, "): ", error.message));
  // Payload layout: "<errno>\n<sqlstate>\n<message>".
  status.SetPayload(kServerErrorUrl,
                    absl::Cord(absl::StrCat(error.code, "\n", error.sql_state,
                                            "\n", error.message)));
  return status;
}

std::optional<ServerError> GetServerError(const absl::Status& status) {
  auto payload = status.GetPayload(kServerErrorUrl);
  if (!payload.has_value()) return std::nullopt;
  std::string flat(*payload);
  std::vector<std::string> parts = absl::StrSplit(flat, absl::MaxSplits('\n', 2));
  if (parts.size() != 3) return std::nullopt;
  uint32_t code = 0;
  if (!absl::SimpleAtoi(parts[0], &code) || code > 0xffff) return std::nullopt;
  return ServerError{static_cast<uint16_t>(code), parts[1], parts[2]};
}

absl::Status ProtocolError(absl::string_view what) {
  absl::Status status(absl::StatusCode::kInternal,
                      absl::StrCat("MySQL protocol error: ", what));
  status.SetPayload(kProtocolErrorUrl, absl::Cord("1"));
  return status;
}

bool IsProtocolError(const absl::Status& status) {
  return status.GetPayload(kProtocolErrorUrl).has_value();
}

}  // namespace mysqlwire
