// Point selects by primary key through mysqlwire and through MariaDB's own C
// client library (libmariadb), against the same server in the same run, at
// several concurrency levels, in both the text protocol and with prepared
// statements. Prints queries/s, p50 and p99 per case and the ratios; the last
// line is
//   BENCH wire_bench ratio=<mysqlwire/libmariadb qps, text, c=32> ...
//
// mysqlwire runs its connections on --io_threads event loops (default 2, one
// per core here); libmariadb needs one blocking thread per connection. Both
// are what a user of each gets. The client's CPU per query (this process,
// user + system) is printed beside each case: at c=32 the two cores are
// shared with MariaDB, so a client's own cost shows in the other's rate.
//
// Usage: wire_bench [--dsn=mysql://...] [--seconds=5] [--concurrency=1,32]
// Without --dsn a private sandbox MariaDB is started.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "bench/point_select.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/dsn.h"
#include "testing/sandbox.h"

ABSL_FLAG(std::string, dsn, "", "server to use; default: a private sandbox");
ABSL_FLAG(int, seconds, 5, "measured seconds per case");
ABSL_FLAG(std::string, concurrency, "1,32", "comma-separated concurrency levels");
ABSL_FLAG(int, io_threads, 2,
          "mysqlwire event-loop threads (one io_context each); the gateway "
          "runs one per core");

namespace {

namespace asio = boost::asio;
using mysqlgw::bench::LatencyResult;
using mysqlgw::bench::MeasureWindow;

// ---- mysqlwire ----

LatencyResult RunMysqlwire(const mysqlwire::ConnectOptions& options, int concurrency,
                           bool prepared, double seconds) {
  const int threads = std::max(1, std::min(absl::GetFlag(FLAGS_io_threads), concurrency));
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (int i = 0; i < threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::vector<double>> latencies(concurrency);
  std::atomic<int64_t> errors{0};
  const MeasureWindow window(seconds);
  for (int w = 0; w < concurrency; ++w) {
    asio::co_spawn(
        *loops[w % threads],
        [&, w]() -> asio::awaitable<void> {
          mysqlwire::Connection conn(co_await asio::this_coro::executor);
          if (!(co_await conn.Connect(options)).ok()) {
            ++errors;
            co_return;
          }
          mysqlwire::PreparedStatement stmt;
          if (prepared) {
            auto st = co_await conn.Prepare(mysqlgw::bench::kPointSelectSql);
            if (!st.ok()) {
              ++errors;
              co_return;
            }
            stmt = *st;
          }
          std::mt19937 rng(w * 7919 + 1);
          std::uniform_int_distribution<int> id(1, mysqlgw::bench::kSbtestRows);
          latencies[w].reserve(200000);
          while (true) {
            auto t0 = MeasureWindow::Clock::now();
            if (t0 >= window.end) break;
            int key = id(rng);
            absl::StatusOr<std::vector<mysqlwire::ResultSet>> r;
            if (prepared) {
              const mysqlwire::Value params[] = {mysqlwire::Value::Int64(key)};
              r = co_await conn.Execute(stmt, params);
            } else {
              r = co_await conn.Query(mysqlgw::bench::PointSelectTextSql(key));
            }
            auto t1 = MeasureWindow::Clock::now();
            if (!r.ok() || (*r)[0].rows.size() != 1) {
              ++errors;
              continue;
            }
            if (window.Measured(t0)) latencies[w].push_back(MeasureWindow::Micros(t0, t1));
          }
          co_await conn.Quit();
        },
        asio::detached);
  }
  std::vector<std::thread> runners;
  for (auto& loop : loops) runners.emplace_back([&loop] { loop->run(); });
  for (auto& t : runners) t.join();
  return mysqlgw::bench::Summarize(latencies, seconds, errors);
}

// ---- client CPU ----

// This process's CPU time (user + system, all threads). Each case runs one
// client at a time, so the difference around a case is that client's cost.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Per query, over the whole case: connecting, the 0.5 s warm-up and the
// measured window, whose rate stands for the warm-up's too.
double CpuMicrosPerQuery(double cpu_seconds, const LatencyResult& r, double seconds) {
  const double queries = r.qps * (seconds + 0.5);
  return queries > 0 ? cpu_seconds * 1e6 / queries : 0;
}

// ---- libmariadb: RunLibmariadbPointSelects ----

// The same server, for libmariadb.
mysqlgw::bench::DirectTarget Direct(const mysqlwire::ConnectOptions& options) {
  return {options.host, options.port, options.user, options.password, options.database};
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::unique_ptr<mysqlgw::testing::Sandbox> sandbox;
  std::string dsn = absl::GetFlag(FLAGS_dsn);
  if (dsn.empty()) {
    auto started = mysqlgw::testing::Sandbox::Start();
    if (!started.ok()) {
      std::fprintf(stderr, "sandbox: %s\n", started.status().ToString().c_str());
      return 1;
    }
    sandbox = *std::move(started);
    dsn = sandbox->info().dsn;
  }
  absl::StatusOr<mysqlwire::ConnectOptions> options = mysqlwire::ParseDsn(dsn);
  if (!options.ok()) {
    std::fprintf(stderr, "dsn: %s\n", options.status().ToString().c_str());
    return 1;
  }
  // Plain TCP for both clients: this measures the protocol code, not TLS.
  options->ssl_mode = mysqlwire::SslMode::kDisable;
  options->ssl_ca_file.clear();
  const mysqlgw::bench::DirectTarget direct = Direct(*options);
  if (!mysqlgw::bench::CreateSbtestTable(direct)) return 1;

  std::vector<int> levels;
  for (absl::string_view part : absl::StrSplit(absl::GetFlag(FLAGS_concurrency), ',')) {
    int c = 0;
    if (absl::SimpleAtoi(part, &c) && c > 0) levels.push_back(c);
  }
  const double seconds = absl::GetFlag(FLAGS_seconds);
  std::printf("wire_bench: point select by primary key, %d rows, %.0f s per case\n",
              mysqlgw::bench::kSbtestRows, seconds);
  std::printf("%-10s %-9s %5s %12s %10s %10s %7s %8s\n", "client", "protocol", "conc",
              "queries/s", "p50_us", "p99_us", "errors", "cpu_us/q");
  std::string summary;
  double key_ratio = 0;
  int64_t total_errors = 0;
  int case_index = 0;
  for (bool prepared : {false, true}) {
    for (int c : levels) {
      // Alternate the order so neither client always runs on a warmer server.
      LatencyResult lib, wire;
      double lib_cpu = 0, wire_cpu = 0;  // Client CPU µs per query.
      auto run_lib = [&] {
        const double before = ProcessCpuSeconds();
        lib = mysqlgw::bench::RunLibmariadbPointSelects(direct, c, prepared, seconds);
        lib_cpu = CpuMicrosPerQuery(ProcessCpuSeconds() - before, lib, seconds);
      };
      auto run_wire = [&] {
        const double before = ProcessCpuSeconds();
        wire = RunMysqlwire(*options, c, prepared, seconds);
        wire_cpu = CpuMicrosPerQuery(ProcessCpuSeconds() - before, wire, seconds);
      };
      if (case_index++ % 2 == 0) {
        run_lib();
        run_wire();
      } else {
        run_wire();
        run_lib();
      }
      const char* proto = prepared ? "prepared" : "text";
      std::printf("%-10s %-9s %5d %12.0f %10.1f %10.1f %7lld %8.2f\n", "libmariadb", proto, c,
                  lib.qps, lib.p50_us, lib.p99_us, static_cast<long long>(lib.errors), lib_cpu);
      std::printf("%-10s %-9s %5d %12.0f %10.1f %10.1f %7lld %8.2f\n", "mysqlwire", proto, c,
                  wire.qps, wire.p50_us, wire.p99_us, static_cast<long long>(wire.errors),
                  wire_cpu);
      const double ratio = lib.qps > 0 ? wire.qps / lib.qps : 0;
      std::printf("  ratio mysqlwire/libmariadb %s c=%d: qps %.3f, p50 %+.1f us\n", proto,
                  c, ratio, wire.p50_us - lib.p50_us);
      total_errors += lib.errors + wire.errors;
      summary += absl::StrFormat(" %s_c%d=%.3f", prepared ? "ps" : "text", c, ratio);
      summary += absl::StrFormat(" %s_c%d_p50_us=%.1f/%.1f", prepared ? "ps" : "text", c,
                                 wire.p50_us, lib.p50_us);
      summary += absl::StrFormat(" %s_c%d_cpu_us=%.2f/%.2f", prepared ? "ps" : "text", c,
                                 wire_cpu, lib_cpu);
      if (!prepared && c == levels.back()) key_ratio = ratio;
    }
  }
  std::printf("BENCH wire_bench ratio=%.3f%s errors=%lld\n", key_ratio, summary.c_str(),
              static_cast<long long>(total_errors));
  return total_errors == 0 ? 0 : 2;
}
