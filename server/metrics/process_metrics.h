// Standard process metrics (the names every Prometheus client library uses)
// and the build-info metric, as callback families of a Registry.
//
//   process_cpu_seconds_total       counter  user + system CPU time
//   process_resident_memory_bytes   gauge    resident set size
//   process_virtual_memory_bytes    gauge    virtual memory size
//   process_open_fds                gauge    open file descriptors
//   process_max_fds                 gauge    RLIMIT_NOFILE (soft)
//   process_start_time_seconds      gauge    start time, Unix epoch seconds
//   mysqlgw_build_info{version}     gauge    always 1
//
// Values come from /proc (Linux). The parsers are separate, pure functions.
#ifndef SERVER_METRICS_PROCESS_METRICS_H_
#define SERVER_METRICS_PROCESS_METRICS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/metrics/registry.h"

namespace mysqlgw::metrics {

// The fields of /proc/<pid>/stat these metrics use, in the file's units.
struct ProcStat {
  uint64_t utime_ticks = 0;      // Field 14, clock ticks.
  uint64_t stime_ticks = 0;      // Field 15, clock ticks.
  uint64_t starttime_ticks = 0;  // Field 22, clock ticks after boot.
  uint64_t vsize_bytes = 0;      // Field 23.
  int64_t rss_pages = 0;         // Field 24.
};

// Parses the contents of /proc/<pid>/stat. The command name (field 2) is in
// parentheses and may itself hold spaces and parentheses: fields are counted
// from its last ')'.
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text);

// The "btime" line of /proc/stat: boot time, Unix epoch seconds.
absl::StatusOr<int64_t> ParseBootTime(absl::string_view proc_stat);

// Adds the process_* families above. Reads /proc once here (start time), and
// at each scrape.
absl::Status RegisterProcessMetrics(Registry& registry);

// Adds mysqlgw_build_info{version="<version>"} 1.
absl::Status RegisterBuildInfo(Registry& registry, absl::string_view version);

}  // namespace mysqlgw::metrics

#endif  // SERVER_METRICS_PROCESS_METRICS_H_
