#include "server/gateway/statement_analysis.h"

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using statement_analysis_internal::CachedOnThisThread;
using statement_analysis_internal::kCacheEntries;
using statement_analysis_internal::kMaxCachedSqlBytes;

TEST(StatementAnalysisTest, MatchesTheAnalysesItCombines) {
  const std::string sql = "SELECT c FROM sbtest WHERE id = ?";
  auto a = AnalyzeStatementText(sql, /*reuse=*/true);
  EXPECT_EQ(a->info.kind, AnalyzeStatement(sql).kind);
  EXPECT_EQ(a->info.operation, AnalyzeStatement(sql).operation);
  const StatementDigest digest = DigestStatement(sql);
  EXPECT_EQ(a->digest.hash, digest.hash);
  EXPECT_EQ(a->digest.text, digest.text);
  ASSERT_EQ(a->digest.tables.size(), 1u);
  EXPECT_EQ(a->digest.tables[0].name, "sbtest");

  auto set = AnalyzeStatementText("SET @x = ?", /*reuse=*/true);
  ASSERT_TRUE(set->effect.has_value());
  EXPECT_NE(set->effect->pins, 0u);  // A user variable pins the session.
  EXPECT_EQ(set->effect->pins, ClassifySessionEffect("SET @x = ?").pins);
  // Not cached: the session classifies it when it needs to.
  EXPECT_FALSE(AnalyzeStatementText("SET @x = 1", /*reuse=*/false)->effect.has_value());
}

TEST(StatementAnalysisTest, ReusesOnlyWhenAsked) {
  const std::string sql = "UPDATE t SET a = ? WHERE id = ?";
  auto first = AnalyzeStatementText(sql, /*reuse=*/true);
  EXPECT_EQ(AnalyzeStatementText(sql, /*reuse=*/true).get(), first.get());
  // The same text, not reused: a fresh, equal analysis.
  auto fresh = AnalyzeStatementText(sql, /*reuse=*/false);
  EXPECT_NE(fresh.get(), first.get());
  EXPECT_EQ(fresh->digest.hash, first->digest.hash);
  // A different text never gets another text's analysis.
  auto other = AnalyzeStatementText("DELETE FROM t WHERE id = ?", /*reuse=*/true);
  EXPECT_NE(other->info.kind, first->info.kind);
  EXPECT_NE(other->digest.hash, first->digest.hash);
}

TEST(StatementAnalysisTest, StaysBounded) {
  for (size_t i = 0; i < 3 * kCacheEntries; ++i) {
    AnalyzeStatementText("SELECT " + std::to_string(i) + " FROM t WHERE id = ?", true);
    ASSERT_LE(CachedOnThisThread(), kCacheEntries);
  }
  const size_t before = CachedOnThisThread();
  const std::string long_sql =
      "SELECT ? FROM t WHERE c = '" + std::string(kMaxCachedSqlBytes, 'x') + "'";
  auto a = AnalyzeStatementText(long_sql, true);
  EXPECT_EQ(CachedOnThisThread(), before);
  EXPECT_EQ(a->info.kind, AnalyzeStatement(long_sql).kind);
}

TEST(StatementAnalysisTest, EachThreadHasItsOwn) {
  const std::string sql = "SELECT k FROM sbtest WHERE id = ?";
  auto here = AnalyzeStatementText(sql, true);
  std::shared_ptr<const StatementAnalysis> there;
  std::thread t([&] { there = AnalyzeStatementText(sql, true); });
  t.join();
  EXPECT_NE(here.get(), there.get());
  EXPECT_EQ(here->digest.hash, there->digest.hash);
}

}  // namespace
}  // namespace mysqlgw
