#include "server/intercept/token_bucket.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucketTest, BurstThenRate) {
  auto t0 = TokenBucket::Clock::time_point() + std::chrono::hours(1);
  TokenBucket b(10, 3, t0);
  EXPECT_TRUE(b.TryTake(1, t0));
  EXPECT_TRUE(b.TryTake(1, t0));
  EXPECT_TRUE(b.TryTake(1, t0));
  EXPECT_FALSE(b.TryTake(1, t0));
  EXPECT_FALSE(b.TryTake(1, t0 + milliseconds(50)));  // Half a token.
  EXPECT_TRUE(b.TryTake(1, t0 + milliseconds(100)));
  // Never more than the burst, however long it waited.
  auto later = t0 + std::chrono::seconds(100);
  EXPECT_TRUE(b.TryTake(3, later));
  EXPECT_FALSE(b.TryTake(1, later));
}

TEST(TokenBucketTest, ChargeLeavesADebt) {
  auto t0 = TokenBucket::Clock::time_point() + std::chrono::hours(1);
  TokenBucket b(1000, 1000, t0);
  b.Charge(3000, t0);
  EXPECT_FALSE(b.InCredit(t0));
  EXPECT_FALSE(b.InCredit(t0 + milliseconds(1999)));
  EXPECT_TRUE(b.InCredit(t0 + milliseconds(2001)));
}

TEST(TokenBucketTest, BurstIsAtLeastOne) {
  auto t0 = TokenBucket::Clock::time_point() + std::chrono::hours(1);
  TokenBucket b(0.5, 0, t0);
  EXPECT_TRUE(b.TryTake(1, t0));
  EXPECT_FALSE(b.TryTake(1, t0 + milliseconds(1000)));
  EXPECT_TRUE(b.TryTake(1, t0 + milliseconds(2000)));
}

}  // namespace
}  // namespace mysqlgw
