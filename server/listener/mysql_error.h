// What a MySQL client sees when a statement fails: the gateway's statuses as
// ERR packets. A status that came from the backend (or from an interception
// rejection) carries its MySQL errno, SQLSTATE and message and passes
// through unchanged; the gateway's own errors get the nearest MySQL errno,
// as server/status/grpc_status.cc maps them to gRPC codes.
#ifndef SERVER_LISTENER_MYSQL_ERROR_H_
#define SERVER_LISTENER_MYSQL_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/error.h"

namespace mysqlgw {

// Errnos the listener answers with itself.
inline constexpr uint16_t kErTooManyConnections = 1040;    // 08004
inline constexpr uint16_t kErDbAccessDenied = 1044;        // 42000
inline constexpr uint16_t kErAccessDenied = 1045;          // 28000
inline constexpr uint16_t kErUnknownCommand = 1047;        // 08S01
inline constexpr uint16_t kErParseError = 1064;            // 42000
inline constexpr uint16_t kErUnknownError = 1105;          // HY000
inline constexpr uint16_t kErTableAccessDenied = 1142;     // 42000
inline constexpr uint16_t kErMalformedPacket = 1835;       // HY000
inline constexpr uint16_t kErWrongArguments = 1210;        // HY000
inline constexpr uint16_t kErUserLimitReached = 1226;      // 42000
inline constexpr uint16_t kErSpecificAccessDenied = 1227;  // 42000
inline constexpr uint16_t kErNotSupportedYet = 1235;       // 42000
inline constexpr uint16_t kErUnknownStmtHandler = 1243;    // HY000
inline constexpr uint16_t kErNoSuchThread = 1094;          // HY000
inline constexpr uint16_t kErKillDenied = 1095;            // HY000
inline constexpr uint16_t kErQueryInterrupted = 1317;      // 70100
inline constexpr uint16_t kErConnectionKilled = 1927;      // 70100 (MariaDB)
inline constexpr uint16_t kErStatementTimeout = 1969;      // 70100 (MariaDB)

// `status` must not be OK.
//   server error payload   -> as carried
//   protocol error         -> 1105 HY000 "backend connection broke: ..."
//   PERMISSION_DENIED      -> 1142 42000
//   UNAUTHENTICATED        -> 1045 28000
//   RESOURCE_EXHAUSTED     -> 1226 42000
//   INVALID_ARGUMENT       -> 1210 HY000 (wrong arguments: parameter count,
//                             several statements, size limits)
//   DEADLINE_EXCEEDED      -> 1969 70100 (statement timeout, as MariaDB)
//   CANCELLED              -> 1317 70100
//   UNIMPLEMENTED          -> 1235 42000
//   anything else          -> 1105 HY000
// The message is the status's message.
mysqlwire::ServerError ToMySqlError(const absl::Status& status);

// A ServerError with the conventional SQLSTATE of a listener errno above.
mysqlwire::ServerError ListenerError(uint16_t code, absl::string_view message);

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_MYSQL_ERROR_H_
