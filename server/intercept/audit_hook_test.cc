#include "server/intercept/audit_hook.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

TEST(AuditRecordTest, HoldsTheNormalizedStatementAndOutcome) {
  ClientInfo client;
  client.principal = "app\"1";
  client.address = *ClientAddress::Parse("10.0.0.7");
  StatementContext ctx;
  ctx.client = &client;
  ctx.database = "shop";
  ctx.sql = "SELECT secret FROM users WHERE password = 'hunter2'";
  ctx.kind = StatementKind::kSelect;
  ctx.digest = 0x0123456789abcdefull;
  ctx.digest_text = "SELECT `secret` FROM `users` WHERE `password` = ?";
  StatementPlan plan;
  plan.audit = true;
  plan.matched_rules = {"audit-users", "route"};
  ResultInfo result;
  result.status = mysqlwire::ServerErrorStatus({1146, "42S02", "Table 'shop.users' doesn't exist"});
  result.latency = std::chrono::microseconds(1234);
  result.backend = "primary";
  const std::string line = AuditRecord(ctx, plan, result);
  EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  for (const char* part :
       {"\"principal\":\"app\\\"1\"", "\"client\":\"10.0.0.7\"", "\"protocol\":\"grpc\"",
        "\"database\":\"shop\"", "\"kind\":\"select\"", "\"digest\":\"0123456789abcdef\"",
        "\"digest_text\":\"SELECT `secret` FROM `users` WHERE `password` = ?\"",
        "\"rules\":[\"audit-users\",\"route\"]", "\"verdict\":\"pass\"", "\"mysql_errno\":1146",
        "\"sql_state\":\"42S02\"", "\"latency_us\":1234", "\"backend\":\"primary\""}) {
    EXPECT_NE(line.find(part), std::string::npos) << part << " in " << line;
  }
  EXPECT_EQ(line.front(), '{');
  EXPECT_EQ(line.back(), '}');
}

TEST(AuditRecordTest, ErrorMessagesLoseTheDataMySqlQuotesInThem) {
  StatementContext ctx;
  ctx.digest_text = "INSERT INTO `users` VALUES (...)";
  ResultInfo result;
  result.status = mysqlwire::ServerErrorStatus(
      {1062, "23000", "Duplicate entry 'alice@example.com' for key 'PRIMARY'"});
  const std::string line = AuditRecord(ctx, StatementPlan(), result);
  EXPECT_EQ(line.find("alice@example.com"), std::string::npos) << line;
  EXPECT_NE(line.find("1062 (23000): Duplicate entry '?'\","), std::string::npos) << line;
  EXPECT_NE(line.find("\"mysql_errno\":1062"), std::string::npos) << line;
}

TEST(AuditHookTest, WritesOnlyAuditedStatements) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/audit.jsonl";
  {
    auto log = AuditLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.status();
    AuditHook hook(*log);
    StatementContext ctx;
    ctx.digest_text = "SELECT ?";
    StatementPlan plan;
    EXPECT_TRUE(hook.ReadQueryResult(ctx, plan, ResultInfo()).ok());
    plan.audit = true;
    EXPECT_TRUE(hook.ReadQueryResult(ctx, plan, ResultInfo()).ok());
    EXPECT_TRUE(hook.ReadQueryResult(ctx, plan, ResultInfo()).ok());
  }
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_NE(line.find("\"digest_text\":\"SELECT ?\""), std::string::npos);
  }
  EXPECT_EQ(lines, 2);
}

TEST(AuditLogTest, UnwritablePathIsAClearError) {
  auto log = AuditLog::Open("/nonexistent-dir/audit.jsonl");
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("/nonexistent-dir/audit.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace mysqlgw
