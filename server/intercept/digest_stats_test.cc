#include "server/intercept/digest_stats.h"

#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

StatementContext Ctx(uint64_t digest, const std::string& text) {
  StatementContext ctx;
  ctx.digest = digest;
  ctx.digest_text = text;
  return ctx;
}

ResultInfo Result(int64_t micros, uint64_t rows = 1, bool ok = true) {
  ResultInfo r;
  r.latency = std::chrono::microseconds(micros);
  r.rows = rows;
  if (!ok) r.status = mysqlwire::ServerErrorStatus({1146, "42S02", "no table"});
  return r;
}

TEST(DigestStatsTest, SumsByDigestAndRanksByTotalTime) {
  DigestStats stats(10, std::chrono::microseconds(0), nullptr);
  StatementPlan plan;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(stats.ReadQueryResult(Ctx(1, "SELECT ?"), plan, Result(100)).ok());
  EXPECT_TRUE(stats.ReadQueryResult(Ctx(2, "UPDATE `t` SET `a` = ?"), plan, Result(1000, 0)).ok());
  EXPECT_TRUE(stats.ReadQueryResult(Ctx(2, "UPDATE `t` SET `a` = ?"), plan, Result(50, 0, false)).ok());
  std::vector<DigestSummary> top = stats.Top(10);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].digest, 2u);
  EXPECT_EQ(top[0].calls, 2u);
  EXPECT_EQ(top[0].errors, 1u);
  EXPECT_EQ(top[0].total_latency.count(), 1050);
  EXPECT_EQ(top[0].max_latency.count(), 1000);
  EXPECT_EQ(top[1].calls, 3u);
  EXPECT_EQ(top[1].rows, 3u);
  EXPECT_EQ(stats.Top(1).size(), 1u);
  const std::string table = stats.RenderTop(10);
  EXPECT_NE(table.find("UPDATE `t` SET `a` = ?"), std::string::npos) << table;
  EXPECT_NE(table.find(DigestHex(2)), std::string::npos) << table;
}

TEST(DigestStatsTest, BoundedWithAnOtherEntry) {
  DigestStats stats(2, std::chrono::microseconds(0), nullptr);
  StatementPlan plan;
  for (uint64_t d = 1; d <= 5; ++d) EXPECT_TRUE(stats.ReadQueryResult(Ctx(d, "q"), plan, Result(10)).ok());
  EXPECT_EQ(stats.tracked(), 2u);
  std::vector<DigestSummary> top = stats.Top(10);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].text, "(other)");
  EXPECT_EQ(top[0].calls, 3u);
}

TEST(DigestStatsTest, SlowStatementsGoToTheSlowLog) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/slow.jsonl";
  {
    auto log = AuditLog::Open(path);
    ASSERT_TRUE(log.ok());
    DigestStats stats(10, std::chrono::microseconds(500), *log);
    StatementPlan plan;
    EXPECT_TRUE(stats.ReadQueryResult(Ctx(1, "SELECT SLEEP(?)"), plan, Result(499)).ok());
    EXPECT_TRUE(stats.ReadQueryResult(Ctx(1, "SELECT SLEEP(?)"), plan, Result(500)).ok());
    EXPECT_TRUE(stats.ReadQueryResult(Ctx(1, "SELECT SLEEP(?)"), plan, Result(90000)).ok());
    EXPECT_EQ(stats.slow_statements(), 2u);
  }
  std::ifstream in(path);
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    ++lines;
    EXPECT_NE(line.find("\"digest_text\":\"SELECT SLEEP(?)\""), std::string::npos) << line;
  }
  EXPECT_EQ(lines, 2);
}

}  // namespace
}  // namespace mysqlgw
