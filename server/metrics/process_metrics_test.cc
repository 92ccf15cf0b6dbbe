#include "server/metrics/process_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw::metrics {
namespace {

using ::testing::HasSubstr;

// /proc/<pid>/stat of a process whose name holds a space and parentheses.
constexpr char kStat[] =
    "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1234 0 5 0 "
    "250 75 0 0 20 0 9 0 123456 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 "
    "4096 1260 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

TEST(ParseProcStatTest, Fields) {
  absl::StatusOr<ProcStat> s = ParseProcStat(kStat);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 75u);
  EXPECT_EQ(s->starttime_ticks, 123456u);
  EXPECT_EQ(s->vsize_bytes, 104857600u);
  EXPECT_EQ(s->rss_pages, 2560);
}

TEST(ParseProcStatTest, EveryTruncationFailsCleanly) {
  const std::string full = kStat;
  // Field 24 (rss) starts at this offset; anything cut before it is an error.
  const size_t rss_start = full.find(" 2560 ") + 1;
  for (size_t n = 0; n <= rss_start; ++n) {
    EXPECT_FALSE(ParseProcStat(full.substr(0, n)).ok()) << n;
  }
  EXPECT_TRUE(ParseProcStat(full.substr(0, rss_start + 4)).ok());
}

TEST(ParseProcStatTest, NotNumbers) {
  std::string bad = kStat;
  bad.replace(bad.find(" 250 "), 5, " x50 ");
  EXPECT_FALSE(ParseProcStat(bad).ok());
}

TEST(ParseBootTimeTest, Line) {
  EXPECT_EQ(*ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").ok());
  EXPECT_FALSE(ParseBootTime("btime x\n").ok());
}

std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line[0] == '#') continue;
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(' ', 1));
    double v = 0;
    EXPECT_TRUE(absl::SimpleAtod(kv.second, &v)) << line;
    out[kv.first] = v;
  }
  return out;
}

TEST(ProcessMetricsTest, ValuesOfThisProcess) {
  Registry r;
  ASSERT_TRUE(RegisterProcessMetrics(r).ok());
  ASSERT_TRUE(RegisterBuildInfo(r, "1.2.3-test").ok());
  const std::string text = r.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_resident_memory_bytes gauge\n"));
  EXPECT_THAT(text, HasSubstr("mysqlgw_build_info{version=\"1.2.3-test\"} 1\n"));

  std::map<std::string, double> s = Samples(text);
  EXPECT_GT(s["process_resident_memory_bytes"], 1 << 20);
  EXPECT_GE(s["process_virtual_memory_bytes"], s["process_resident_memory_bytes"]);
  EXPECT_GE(s["process_cpu_seconds_total"], 0);
  EXPECT_GT(s["process_max_fds"], 0);
  const double now = static_cast<double>(time(nullptr));
  EXPECT_LE(s["process_start_time_seconds"], now + 1);
  EXPECT_GT(s["process_start_time_seconds"], now - 3600);

  // Opening descriptors shows up in process_open_fds.
  const double fds = s["process_open_fds"];
  EXPECT_GE(fds, 3);
  int opened[5];
  for (int& fd : opened) fd = open("/dev/null", O_RDONLY);
  EXPECT_EQ(Samples(r.Render())["process_open_fds"], fds + 5);
  for (int fd : opened) close(fd);
}

TEST(ProcessMetricsTest, RegisteringTwiceFails) {
  Registry r;
  ASSERT_TRUE(RegisterProcessMetrics(r).ok());
  EXPECT_EQ(RegisterProcessMetrics(r).code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(RegisterBuildInfo(r, "x").ok());
  EXPECT_EQ(RegisterBuildInfo(r, "y").code(), absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace mysqlgw::metrics
