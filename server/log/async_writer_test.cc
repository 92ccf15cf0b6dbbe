#include "server/log/async_writer.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, "_", getpid());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AsyncWriterTest, WritesEveryLineInOrderToAFileAndAppends) {
  const std::string path = TempPath("async_order");
  unlink(path.c_str());
  {
    std::ofstream(path) << "existing\n";
  }
  {
    auto writer = AsyncWriter::Open(path);
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE((*writer)->PushLine(absl::StrCat("line ", i)));
    (*writer)->Flush();
    EXPECT_EQ((*writer)->written(), 1000u);
    EXPECT_EQ((*writer)->dropped(), 0u);
    // Flush means on disk for the reader, without waiting for the writer's
    // timer.
    std::vector<std::string> lines = absl::StrSplit(ReadAll(path), '\n', absl::SkipEmpty());
    ASSERT_EQ(lines.size(), 1001u);
    EXPECT_EQ(lines[0], "existing");
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(lines[i + 1], absl::StrCat("line ", i));
  }
  unlink(path.c_str());
}

TEST(AsyncWriterTest, DestructionWritesWhatIsQueued) {
  const std::string path = TempPath("async_destroy");
  unlink(path.c_str());
  {
    AsyncWriter::Options options;
    options.flush_interval = std::chrono::hours(1);  // Only the destructor writes.
    auto writer = AsyncWriter::Open(path, options);
    ASSERT_TRUE(writer.ok());
    for (int i = 0; i < 10; ++i) (*writer)->PushLine(absl::StrCat(i));
  }
  std::vector<std::string> lines = absl::StrSplit(ReadAll(path), '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 10u);
  unlink(path.c_str());
}

// An entry whose formatting blocks until released: the writer is stuck, as
// on a hung disk, while producers go on.
class BlockingEntry : public AsyncWriter::Entry {
 public:
  BlockingEntry(absl::Notification* started, absl::Notification* release)
      : started_(started), release_(release) {}
  void AppendTo(std::string* out) const override {
    started_->Notify();
    release_->WaitForNotification();
    out->append("blocked\n");
  }

 private:
  absl::Notification* started_;
  absl::Notification* release_;
};

TEST(AsyncWriterTest, AFullQueueDropsAndCountsInsteadOfBlocking) {
  const std::string path = TempPath("async_drop");
  unlink(path.c_str());
  absl::Notification started, release;
  {
    AsyncWriter::Options options;
    options.max_queued = 100;
    options.flush_interval = std::chrono::milliseconds(1);
    auto writer = AsyncWriter::Open(path, options);
    ASSERT_TRUE(writer.ok());
    (*writer)->Push(std::make_unique<BlockingEntry>(&started, &release));
    started.WaitForNotification();  // The writer holds that one batch.
    int accepted = 0;
    for (int i = 0; i < 1000; ++i) accepted += (*writer)->PushLine(absl::StrCat(i)) ? 1 : 0;
    EXPECT_EQ(accepted, 100);
    EXPECT_EQ((*writer)->dropped(), 900u);
    release.Notify();
    (*writer)->Flush();
    EXPECT_EQ((*writer)->written(), 101u);
    // Room again once written.
    EXPECT_TRUE((*writer)->PushLine("after"));
  }
  std::vector<std::string> lines = absl::StrSplit(ReadAll(path), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 102u);
  EXPECT_EQ(lines[0], "blocked");
  EXPECT_EQ(lines[1], "0");
  EXPECT_EQ(lines[100], "99");
  EXPECT_EQ(lines[101], "after");
  unlink(path.c_str());
}

TEST(AsyncWriterTest, ManyProducersLoseNothingBelowTheBound) {
  const std::string path = TempPath("async_many");
  unlink(path.c_str());
  constexpr int kThreads = 4, kLines = 5000;
  {
    AsyncWriter::Options options;
    options.max_queued = kThreads * kLines;
    auto writer = AsyncWriter::Open(path, options);
    ASSERT_TRUE(writer.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kLines; ++i) (*writer)->PushLine(absl::StrCat(t, " ", i));
      });
    }
    for (auto& th : threads) th.join();
    (*writer)->Flush();
    EXPECT_EQ((*writer)->dropped(), 0u);
  }
  std::vector<std::string> lines = absl::StrSplit(ReadAll(path), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    ASSERT_EQ(parts.size(), 2u) << line;
    int t = 0, i = 0;
    ASSERT_TRUE(absl::SimpleAtoi(parts[0], &t));
    ASSERT_TRUE(absl::SimpleAtoi(parts[1], &i));
    EXPECT_EQ(i, next[t]++);
  }
  unlink(path.c_str());
}

TEST(AsyncWriterTest, AnUnwritablePathIsAnError) {
  auto writer = AsyncWriter::Open("/nonexistent-dir/x/access.log");
  EXPECT_EQ(writer.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mysqlgw
