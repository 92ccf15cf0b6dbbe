#include "server/log/log.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::MatchesRegex;

std::string Json(absl::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(AppendJsonStringTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(Json("plain"), "\"plain\"");
  EXPECT_EQ(Json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Json("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
  EXPECT_EQ(Json(absl::string_view("\x01\0", 2)), "\"\\u0001\\u0000\"");
  EXPECT_EQ(Json(""), "\"\"");
}

TEST(AppendJsonStringTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Json("caf\xc3\xa9 \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
  EXPECT_EQ(Json("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(Json("\xc3"), "\"\\ufffd\"");             // Truncated sequence.
  EXPECT_EQ(Json("\xc0\xaf"), "\"\\ufffd\\ufffd\"");  // Overlong '/'.
  EXPECT_EQ(Json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // Surrogate.
}

google::protobuf::Struct ParseJson(const std::string& line) {
  google::protobuf::Struct out;
  auto status = google::protobuf::util::JsonStringToMessage(line, &out);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in: " << line;
  return out;
}

// Captures what Log writes, restoring the defaults afterwards.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSinkForTesting([this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override {
    SetLogSinkForTesting(nullptr);
    ConfigureLog(LogFormat::kText, LogLevel::kInfo);
  }
  std::vector<std::string> Lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

  absl::Mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(LogTest, TextKeepsTheClassicLookAndAppendsFields) {
  ConfigureLog(LogFormat::kText, LogLevel::kInfo);
  Log(LogLevel::kWarning, "config", "reload failed");
  Log(LogLevel::kInfo, "pool", "opened",
      {{"backend", "primary"}, {"open", 3}, {"note", "two words"}, {"ok", true}});
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                                     "\\.[0-9]{3}Z WARNING mysqlgw\\.config: reload failed\n"));
  EXPECT_TRUE(absl::EndsWith(
      lines[1], " INFO mysqlgw.pool: opened backend=primary open=3 note=\"two words\" ok=true\n"))
      << lines[1];
}

TEST_F(LogTest, JsonIsOneObjectPerLineWithTypedFields) {
  ConfigureLog(LogFormat::kJson, LogLevel::kInfo);
  Log(LogLevel::kError, "listener", "accept failed: \"x\"\nnext",
      {{"errno", 24}, {"ratio", 0.5}, {"peer", "127.0.0.1"}, {"big", uint64_t{1} << 63},
       {"retry", false}});
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_TRUE(absl::EndsWith(lines[0], "}\n"));
  EXPECT_EQ(std::count(lines[0].begin(), lines[0].end(), '\n'), 1);
  EXPECT_THAT(lines[0],
              MatchesRegex("\\{\"ts\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                           "\\.[0-9]{6}Z\",\"level\":\"error\",.*\n"));
  google::protobuf::Struct s = ParseJson(lines[0]);
  const auto& f = s.fields();
  EXPECT_EQ(f.at("level").string_value(), "error");
  EXPECT_EQ(f.at("component").string_value(), "listener");
  EXPECT_EQ(f.at("msg").string_value(), "accept failed: \"x\"\nnext");
  EXPECT_EQ(f.at("errno").number_value(), 24);
  EXPECT_EQ(f.at("ratio").number_value(), 0.5);
  EXPECT_EQ(f.at("peer").string_value(), "127.0.0.1");
  EXPECT_EQ(f.at("big").number_value(), 9223372036854775808.0);
  EXPECT_FALSE(f.at("retry").bool_value());
  EXPECT_TRUE(absl::StrContains(lines[0], "\"big\":9223372036854775808"));
}

TEST_F(LogTest, LinesBelowTheMinimumLevelAreDropped) {
  ConfigureLog(LogFormat::kJson, LogLevel::kWarning);
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled(LogLevel::kError));
  Log(LogLevel::kDebug, "c", "debug");
  Log(LogLevel::kInfo, "c", "info");
  Log(LogLevel::kWarning, "c", "warning");
  Log(LogLevel::kError, "c", "error");
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(ParseJson(lines[0]).fields().at("msg").string_value(), "warning");
  EXPECT_EQ(ParseJson(lines[1]).fields().at("msg").string_value(), "error");
  ConfigureLog(LogFormat::kJson, LogLevel::kDebug);
  Log(LogLevel::kDebug, "c", "now shown");
  EXPECT_EQ(Lines().size(), 3u);
}

TEST_F(LogTest, CredentialsInMessagesAndFieldsAreMasked) {
  for (LogFormat format : {LogFormat::kText, LogFormat::kJson}) {
    ConfigureLog(format, LogLevel::kInfo);
    Log(LogLevel::kError, "backend",
        "cannot connect to mysql://gw:Hunter2pw@db:3306/app with password=Hunter2pw",
        {{"header", "Bearer tok-SECRET-123"}, {"dsn", "mysql://u:Hunter2pw@h/db"}});
  }
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  for (const std::string& line : lines) {
    EXPECT_FALSE(absl::StrContains(line, "Hunter2pw")) << line;
    EXPECT_FALSE(absl::StrContains(line, "tok-SECRET-123")) << line;
    EXPECT_TRUE(absl::StrContains(line, "mysql://gw:[REDACTED]@db:3306/app")) << line;
  }
}

// The real stderr path: lines from many threads, each written whole.
TEST(LogStderrTest, ConcurrentLinesNeverInterleave) {
  char path[] = "/tmp/log_test_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_GE(dup2(fd, STDERR_FILENO), 0);
  ConfigureLog(LogFormat::kJson, LogLevel::kInfo);
  constexpr int kThreads = 8;
  constexpr int kLines = 500;
  const std::string padding(300, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &padding] {
      for (int i = 0; i < kLines; ++i) {
        Log(LogLevel::kInfo, "race", padding, {{"thread", t}, {"i", i}});
      }
    });
  }
  for (auto& th : threads) th.join();
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  ConfigureLog(LogFormat::kText, LogLevel::kInfo);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  unlink(path);
  std::vector<std::string> lines = absl::StrSplit(ss.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    google::protobuf::Struct s = ParseJson(line);
    const int t = static_cast<int>(s.fields().at("thread").number_value());
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    // Each thread's lines arrive whole and in its order.
    EXPECT_EQ(static_cast<int>(s.fields().at("i").number_value()), next[t]++);
    EXPECT_EQ(s.fields().at("msg").string_value(), padding);
  }
}

}  // namespace
}  // namespace mysqlgw
