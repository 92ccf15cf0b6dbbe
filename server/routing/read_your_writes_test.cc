#include "server/routing/read_your_writes.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using std::chrono::milliseconds;
using Clock = ReadYourWrites::Clock;

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

TEST(ReadYourWritesTest, WindowAfterAWrite) {
  ReadYourWrites ryw(milliseconds(500));
  EXPECT_FALSE(ryw.MustUsePrimary("alice", kT0));
  ryw.RecordWrite("alice", kT0, "0-1-42");
  EXPECT_TRUE(ryw.MustUsePrimary("alice", kT0));
  EXPECT_TRUE(ryw.MustUsePrimary("alice", kT0 + milliseconds(499)));
  EXPECT_FALSE(ryw.MustUsePrimary("alice", kT0 + milliseconds(500)));
  EXPECT_FALSE(ryw.MustUsePrimary("bob", kT0));
  EXPECT_EQ(ryw.PendingGtid("alice", kT0 + milliseconds(10)), "0-1-42");
  EXPECT_EQ(ryw.PendingGtid("alice", kT0 + milliseconds(500)), std::nullopt);
  EXPECT_EQ(ryw.PendingGtid("bob", kT0), std::nullopt);

  // A later write extends the window and replaces the GTID.
  ryw.RecordWrite("alice", kT0 + milliseconds(400));
  EXPECT_TRUE(ryw.MustUsePrimary("alice", kT0 + milliseconds(800)));
  EXPECT_EQ(ryw.PendingGtid("alice", kT0 + milliseconds(800)), std::nullopt);
  // An older time (another thread's clock reading) does not shorten it.
  ryw.RecordWrite("alice", kT0);
  EXPECT_TRUE(ryw.MustUsePrimary("alice", kT0 + milliseconds(800)));
}

TEST(ReadYourWritesTest, ZeroWindowIsOff) {
  ReadYourWrites ryw(milliseconds(0));
  ryw.RecordWrite("alice", kT0, "0-1-1");
  EXPECT_FALSE(ryw.MustUsePrimary("alice", kT0));
  EXPECT_EQ(ryw.size(), 0u);
  ryw.set_window(milliseconds(100));
  ryw.RecordWrite("alice", kT0);
  EXPECT_TRUE(ryw.MustUsePrimary("alice", kT0));
  ryw.set_window(milliseconds(0));
  EXPECT_FALSE(ryw.MustUsePrimary("alice", kT0));
}

TEST(ReadYourWritesTest, ExpiredEntriesAreSwept) {
  ReadYourWrites ryw(milliseconds(100));
  for (int i = 0; i < 1000; ++i) ryw.RecordWrite(absl::StrCat("p", i), kT0);
  EXPECT_EQ(ryw.size(), 1000u);
  // Writes one window later sweep what expired in their shard.
  for (int i = 0; i < 64; ++i) {
    ryw.RecordWrite(absl::StrCat("q", i), kT0 + milliseconds(200));
  }
  EXPECT_LT(ryw.size(), 200u);
  EXPECT_FALSE(ryw.MustUsePrimary("p1", kT0 + milliseconds(200)));
  EXPECT_TRUE(ryw.MustUsePrimary("q1", kT0 + milliseconds(200)));
}

TEST(ReadYourWritesTest, MemoryIsBoundedAndNewestWritesSurvive) {
  ReadYourWrites ryw(std::chrono::hours(1), /*max_principals=*/160);
  for (int i = 0; i < 5000; ++i) {
    ryw.RecordWrite(absl::StrCat("p", i), kT0 + milliseconds(i));
  }
  EXPECT_LE(ryw.size(), 160u);
  const Clock::time_point now = kT0 + milliseconds(5000);
  EXPECT_TRUE(ryw.MustUsePrimary("p4999", now));
  EXPECT_FALSE(ryw.MustUsePrimary("p0", now));  // evicted early, by design
}

TEST(ReadYourWritesTest, ConcurrentWritersAndReaders) {
  ReadYourWrites ryw(std::chrono::hours(1), 1000);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string me = absl::StrCat("t", t, "-", i % 50);
        ryw.RecordWrite(me, kT0, "0-1-1");
        if (!ryw.MustUsePrimary(me, kT0)) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ryw.size(), 200u);
}

}  // namespace
}  // namespace mysqlgw
