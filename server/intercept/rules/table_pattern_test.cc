#include "server/intercept/rules/table_pattern.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

TEST(GlobMatchTest, Wildcards) {
  EXPECT_TRUE(GlobMatch("users", "users"));
  EXPECT_FALSE(GlobMatch("users", "user"));
  EXPECT_FALSE(GlobMatch("user", "users"));
  EXPECT_FALSE(GlobMatch("users", "Users"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("audit_*", "audit_"));
  EXPECT_TRUE(GlobMatch("audit_*", "audit_2024"));
  EXPECT_FALSE(GlobMatch("audit_*", "xaudit_2024"));
  EXPECT_TRUE(GlobMatch("*_log", "access_log"));
  EXPECT_FALSE(GlobMatch("*_log", "access_logs"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXbYbZ"));
  // Backtracking past a false start.
  EXPECT_TRUE(GlobMatch("*ab", "aab"));
  EXPECT_TRUE(GlobMatch("**x", "x"));
  EXPECT_FALSE(GlobMatch("", "x"));
  EXPECT_TRUE(GlobMatch("", ""));
}

TEST(TablePatternTest, UnqualifiedMatchesAnyDatabase) {
  auto p = TablePattern::Parse("users");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Matches({"", "users"}, ""));
  EXPECT_TRUE(p->Matches({"", "users"}, "shop"));
  EXPECT_TRUE(p->Matches({"other", "users"}, "shop"));
  EXPECT_FALSE(p->Matches({"shop", "orders"}, "shop"));
  EXPECT_FALSE(p->Matches({"shop", "Users"}, "shop"));
}

TEST(TablePatternTest, QualifiedUsesDefaultDatabaseForUnqualifiedTables) {
  auto p = TablePattern::Parse("shop.users");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Matches({"shop", "users"}, ""));
  EXPECT_TRUE(p->Matches({"", "users"}, "shop"));
  EXPECT_FALSE(p->Matches({"", "users"}, "other"));
  EXPECT_FALSE(p->Matches({"", "users"}, ""));
  EXPECT_FALSE(p->Matches({"other", "users"}, "shop"));
}

TEST(TablePatternTest, WildcardParts) {
  auto all_in_sales = TablePattern::Parse("sales.*");
  ASSERT_TRUE(all_in_sales.ok());
  EXPECT_TRUE(all_in_sales->Matches({"sales", "orders"}, ""));
  EXPECT_TRUE(all_in_sales->Matches({"", "orders"}, "sales"));
  EXPECT_FALSE(all_in_sales->Matches({"sales_archive", "orders"}, ""));

  auto audit_anywhere = TablePattern::Parse("*.audit_*");
  ASSERT_TRUE(audit_anywhere.ok());
  EXPECT_TRUE(audit_anywhere->Matches({"a", "audit_1"}, ""));
  EXPECT_FALSE(audit_anywhere->Matches({"a", "audits"}, ""));
  // The database of an unqualified table without a default is unknown.
  EXPECT_FALSE(audit_anywhere->Matches({"", "audit_1"}, ""));
}

TEST(TablePatternTest, RejectsMalformedPatterns) {
  EXPECT_FALSE(TablePattern::Parse("").ok());
  EXPECT_FALSE(TablePattern::Parse(".").ok());
  EXPECT_FALSE(TablePattern::Parse("db.").ok());
  EXPECT_FALSE(TablePattern::Parse(".t").ok());
  EXPECT_FALSE(TablePattern::Parse("a.b.c").ok());
  EXPECT_TRUE(TablePattern::Parse("*").ok());
  EXPECT_TRUE(TablePattern::Parse("*.*").ok());
}

}  // namespace
}  // namespace mysqlgw
