#include "server/listener/mysql_error.h"

#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "server/intercept/hook.h"

namespace mysqlgw {
namespace {

TEST(MySqlErrorTest, ServerErrorsPassThrough) {
  const mysqlwire::ServerError backend{1146, "42S02", "Table 'db.t' doesn't exist"};
  const mysqlwire::ServerError e = ToMySqlError(mysqlwire::ServerErrorStatus(backend));
  EXPECT_EQ(e.code, 1146);
  EXPECT_EQ(e.sql_state, "42S02");
  EXPECT_EQ(e.message, "Table 'db.t' doesn't exist");
}

TEST(MySqlErrorTest, InterceptionRejectionsKeepTheirErrno) {
  // A deny rule's configured error, whatever its gRPC code.
  const mysqlwire::ServerError e = ToMySqlError(RejectionStatus(
      absl::StatusCode::kFailedPrecondition, 3100, "HY000", "drops are disabled"));
  EXPECT_EQ(e.code, 3100);
  EXPECT_EQ(e.sql_state, "HY000");
  EXPECT_EQ(e.message, "drops are disabled");
  const mysqlwire::ServerError limit = ToMySqlError(RejectionStatus(
      absl::StatusCode::kResourceExhausted, 1226, "42000", "max_concurrent_calls"));
  EXPECT_EQ(limit.code, 1226);
  EXPECT_EQ(limit.sql_state, "42000");
}

TEST(MySqlErrorTest, GatewayCodesMapToMySqlErrnos) {
  struct Case {
    absl::Status status;
    uint16_t code;
    const char* sql_state;
  };
  const Case cases[] = {
      {absl::PermissionDeniedError("principal 'app' may not perform write"), 1142, "42000"},
      {absl::UnauthenticatedError("who"), 1045, "28000"},
      {absl::ResourceExhaustedError("pool full"), 1226, "42000"},
      {absl::InvalidArgumentError("2 placeholders, 1 parameter"), 1210, "HY000"},
      {absl::DeadlineExceededError("statement timeout"), 1969, "70100"},
      {absl::CancelledError("client went away"), 1317, "70100"},
      {absl::UnimplementedError("nope"), 1235, "42000"},
      {absl::UnavailableError("backend 'primary' is unavailable"), 1105, "HY000"},
      {absl::InternalError("bug"), 1105, "HY000"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status.ToString());
    const mysqlwire::ServerError e = ToMySqlError(c.status);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.sql_state, c.sql_state);
    EXPECT_EQ(e.message, c.status.message());
  }
}

TEST(MySqlErrorTest, ProtocolErrorsSayTheBackendConnectionBroke) {
  const mysqlwire::ServerError e = ToMySqlError(mysqlwire::ProtocolError("short packet"));
  EXPECT_EQ(e.code, 1105);
  EXPECT_NE(e.message.find("backend connection broke"), std::string::npos);
  EXPECT_NE(e.message.find("short packet"), std::string::npos);
}

TEST(MySqlErrorTest, EmptyMessageAndBadSqlStateAreRepaired) {
  EXPECT_EQ(ToMySqlError(absl::Status(absl::StatusCode::kAborted, "")).message, "ABORTED");
  // An ERR without SQLSTATE (pre-4.1 servers) must not reach a client as a
  // malformed packet.
  const mysqlwire::ServerError odd{1000, "", "x"};
  EXPECT_EQ(ToMySqlError(mysqlwire::ServerErrorStatus(odd)).sql_state, "HY000");
}

TEST(MySqlErrorTest, ListenerErrorsCarryTheirSqlState) {
  EXPECT_EQ(ListenerError(kErTooManyConnections, "Too many connections").sql_state, "08004");
  EXPECT_EQ(ListenerError(kErUnknownCommand, "x").sql_state, "08S01");
  EXPECT_EQ(ListenerError(kErDbAccessDenied, "x").sql_state, "42000");
  EXPECT_EQ(ListenerError(kErUnknownStmtHandler, "x").sql_state, "HY000");
}

}  // namespace
}  // namespace mysqlgw
