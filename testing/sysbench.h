// Runs sysbench's bundled OLTP workloads (sysbench 1.0, MySQL driver on
// libmariadb) against a server or the gateway's MySQL listener, and reads
// its report. For tests (zero errors, row counts) and benchmarks (queries/s).
#ifndef TESTING_SYSBENCH_H_
#define TESTING_SYSBENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlgw::testing {

struct SysbenchOptions {
  std::string workload = "oltp_point_select";  // A script in /usr/share/sysbench.
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;
  std::string database;
  int tables = 1;
  int table_size = 10000;
  int threads = 1;
  int seconds = 10;  // 0 with events > 0: run a fixed number of events.
  int events = 0;
  // "auto": server-side prepared statements; "disable": text queries.
  std::string ps_mode = "auto";
  std::vector<std::string> extra_args;
};

struct SysbenchResult {
  int64_t transactions = 0;
  int64_t queries = 0;
  int64_t reads = 0;
  int64_t writes = 0;
  int64_t ignored_errors = 0;
  int64_t reconnects = 0;
  double transactions_per_second = 0;
  double queries_per_second = 0;
  std::string output;  // Everything sysbench printed.
};

// `sysbench WORKLOAD prepare`: creates and fills the tables.
absl::Status SysbenchPrepare(const SysbenchOptions& options);
// `sysbench WORKLOAD cleanup`: drops them.
absl::Status SysbenchCleanup(const SysbenchOptions& options);
// `sysbench WORKLOAD run`; an error when sysbench fails or its report
// cannot be read.
absl::StatusOr<SysbenchResult> SysbenchRun(const SysbenchOptions& options);

// Reads sysbench 1.0's "SQL statistics" report.
absl::StatusOr<SysbenchResult> ParseSysbenchReport(absl::string_view output);

}  // namespace mysqlgw::testing

#endif  // TESTING_SYSBENCH_H_
