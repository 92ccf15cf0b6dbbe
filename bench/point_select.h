// What the benchmarks share: the sysbench-like table they query, the point
// select by primary key they time, latency summaries, and the reference
// client for it, MariaDB's own C library (libmariadb).
//
// The table: sbtest(id INT PRIMARY KEY, k INT, c CHAR(120), pad CHAR(60)) of
// kSbtestRows rows, ids 1..kSbtestRows; the query: `SELECT c FROM sbtest
// WHERE id = ?` with uniformly random ids, one row each.
#ifndef MYSQLGW_BENCH_POINT_SELECT_H_
#define MYSQLGW_BENCH_POINT_SELECT_H_

#include <mariadb/mysql.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mysqlgw::bench {

inline constexpr int kSbtestRows = 10000;
// Prepared: one parameter, the id.
inline constexpr char kPointSelectSql[] = "SELECT c FROM sbtest WHERE id = ?";

// The text-protocol form: the id inlined into the SQL.
std::string PointSelectTextSql(int id);

// What a run measured: queries/s over the measured seconds and the latency
// percentiles of the successful queries, in microseconds.
struct LatencyResult {
  double qps = 0;
  double p50_us = 0;
  double p99_us = 0;
  int64_t errors = 0;
};

// The median of `v` (0 when empty); benchmarks report medians over rounds.
double Median(std::vector<double> v);

// Pools the latencies (microseconds) each worker recorded in the measured
// window of `seconds`.
LatencyResult Summarize(const std::vector<std::vector<double>>& per_worker, double seconds,
                        int64_t errors);

// A run's clock: 500 ms of warm-up (queries run but are not recorded), then
// `seconds` measured; workers stop starting queries at `end`.
struct MeasureWindow {
  using Clock = std::chrono::steady_clock;
  explicit MeasureWindow(double seconds);
  // Whether a query started at `t0` counts.
  bool Measured(Clock::time_point t0) const { return t0 >= warmup_end; }
  static double Micros(Clock::time_point t0, Clock::time_point t1) {
    return std::chrono::duration<double, std::micro>(t1 - t0).count();
  }

  Clock::time_point warmup_end;
  Clock::time_point end;
};

// A MariaDB server for libmariadb, over plain TCP.
struct DirectTarget {
  std::string host;
  uint16_t port = 0;
  std::string user;
  std::string password;
  std::string database;
};

// A libmariadb connection with TLS not enforced, or nullptr (the error is
// printed to stderr). The caller owns it: mysql_close.
MYSQL* ConnectLibmariadb(const DirectTarget& target);

// (Re)creates and fills sbtest through libmariadb; prints any error to stderr.
bool CreateSbtestTable(const DirectTarget& target);

// `concurrency` libmariadb connections, one blocking thread each, running
// point selects back to back for the warm-up and `seconds`: prepared once per
// connection and executed (binary protocol), or inlined (COM_QUERY).
LatencyResult RunLibmariadbPointSelects(const DirectTarget& target, int concurrency, bool prepared,
                                        double seconds);

}  // namespace mysqlgw::bench

#endif  // MYSQLGW_BENCH_POINT_SELECT_H_
