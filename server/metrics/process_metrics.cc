#include "server/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mysqlgw::metrics {
namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<ProcStat> ReadSelfStat() { return ParseProcStat(ReadFile("/proc/self/stat")); }

double TicksPerSecond() {
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : 100.0;
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nan("");
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // The descriptor opendir used.
}

double MaxFds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nan("");
  if (limit.rlim_cur == RLIM_INFINITY) return INFINITY;
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text) {
  const size_t close = text.rfind(')');
  if (close == absl::string_view::npos) {
    return absl::InvalidArgumentError("/proc/<pid>/stat: no command name");
  }
  // Fields from 3 (state) on.
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripAsciiWhitespace(text.substr(close + 1)), ' ',
                     absl::SkipEmpty());
  const auto field = [&](size_t number) { return fields[number - 3]; };
  if (fields.size() < 24 - 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("/proc/<pid>/stat: ", fields.size() + 2, " fields, expected at least 24"));
  }
  ProcStat s;
  if (!absl::SimpleAtoi(field(14), &s.utime_ticks) ||
      !absl::SimpleAtoi(field(15), &s.stime_ticks) ||
      !absl::SimpleAtoi(field(22), &s.starttime_ticks) ||
      !absl::SimpleAtoi(field(23), &s.vsize_bytes) || !absl::SimpleAtoi(field(24), &s.rss_pages)) {
    return absl::InvalidArgumentError("/proc/<pid>/stat: a field is not a number");
  }
  return s;
}

absl::StatusOr<int64_t> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      int64_t seconds = 0;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &seconds)) return seconds;
      break;
    }
  }
  return absl::InvalidArgumentError("/proc/stat: no btime line");
}

absl::Status RegisterProcessMetrics(Registry& registry) {
  const double ticks_per_second = TicksPerSecond();
  const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));

  absl::StatusOr<ProcStat> self = ReadSelfStat();
  if (!self.ok()) return self.status();
  absl::StatusOr<int64_t> boot_time = ParseBootTime(ReadFile("/proc/stat"));
  if (!boot_time.ok()) return boot_time.status();
  const double start_time = static_cast<double>(*boot_time) +
                            static_cast<double>(self->starttime_ticks) / ticks_per_second;

  absl::Status s = registry.AddCallbackCounter(
      "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
      [ticks_per_second] {
        absl::StatusOr<ProcStat> stat = ReadSelfStat();
        if (!stat.ok()) return std::nan("");
        return static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_second;
      });
  if (s.ok()) {
    s = registry.AddCallbackGauge("process_resident_memory_bytes",
                                  "Resident memory size in bytes.", [page_size] {
                                    absl::StatusOr<ProcStat> stat = ReadSelfStat();
                                    if (!stat.ok()) return std::nan("");
                                    return static_cast<double>(stat->rss_pages) * page_size;
                                  });
  }
  if (s.ok()) {
    s = registry.AddCallbackGauge("process_virtual_memory_bytes",
                                  "Virtual memory size in bytes.", [] {
                                    absl::StatusOr<ProcStat> stat = ReadSelfStat();
                                    if (!stat.ok()) return std::nan("");
                                    return static_cast<double>(stat->vsize_bytes);
                                  });
  }
  if (s.ok()) {
    s = registry.AddCallbackGauge("process_open_fds", "Number of open file descriptors.",
                                  OpenFds);
  }
  if (s.ok()) {
    s = registry.AddCallbackGauge("process_max_fds",
                                  "Maximum number of open file descriptors.", MaxFds);
  }
  if (s.ok()) {
    s = registry.AddCallbackGauge("process_start_time_seconds",
                                  "Start time of the process since unix epoch in seconds.",
                                  [start_time] { return start_time; });
  }
  return s;
}

absl::Status RegisterBuildInfo(Registry& registry, absl::string_view version) {
  return registry.AddCallback(
      MetricType::kGauge, "mysqlgw_build_info",
      "A metric with a constant '1' value labeled by the version of mysqlgw.", {"version"},
      [v = std::string(version)] { return std::vector<LabeledValue>{{{v}, 1.0}}; });
}

}  // namespace mysqlgw::metrics
