#include "server/util/glob.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

TEST(GlobMatchTest, Wildcards) {
  EXPECT_TRUE(GlobMatch("orders", "orders"));
  EXPECT_FALSE(GlobMatch("orders", "Orders"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("order*", "orders_2024"));
  EXPECT_TRUE(GlobMatch("*_2024", "orders_2024"));
  EXPECT_TRUE(GlobMatch("o*s*4", "orders_2024"));
  EXPECT_FALSE(GlobMatch("o*x*4", "orders_2024"));
  EXPECT_TRUE(GlobMatch("t?", "t1"));
  EXPECT_FALSE(GlobMatch("t?", "t"));
  EXPECT_FALSE(GlobMatch("", "t"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_TRUE(GlobMatch("**a**", "bab"));
}

TEST(GlobMatchTest, HostilePatternsStayFast) {
  const std::string text(5000, 'a');
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(GlobMatch(pattern, text));
}

}  // namespace
}  // namespace mysqlgw
