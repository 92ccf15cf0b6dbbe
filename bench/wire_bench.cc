// Point selects by primary key through mysqlwire and through MariaDB's own C
// client library (libmariadb), against the same server in the same run, at
// several concurrency levels, in both the text protocol and with prepared
// statements. Prints queries/s, p50 and p99 per case and the ratios; the last
// line is
//   BENCH wire_bench ratio=<mysqlwire/libmariadb qps, text, c=32> ...
//
// mysqlwire runs its connections on --io_threads event loops (default 2, one
// per core here); libmariadb needs one blocking thread per connection. Both
// are what a user of each gets.
//
// Usage: wire_bench [--dsn=mysql://...] [--seconds=5] [--concurrency=1,32]
// Without --dsn a private sandbox MariaDB is started.
#include <mariadb/mysql.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
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
using Clock = std::chrono::steady_clock;

constexpr int kRows = 10000;

struct Result {
  double qps = 0;
  double p50_us = 0;
  double p99_us = 0;
  int64_t errors = 0;
};

Result Summarize(std::vector<std::vector<double>>& per_worker, double seconds,
                 int64_t errors) {
  std::vector<double> all;
  for (auto& v : per_worker) all.insert(all.end(), v.begin(), v.end());
  Result r;
  r.errors = errors;
  if (all.empty()) return r;
  std::sort(all.begin(), all.end());
  r.qps = all.size() / seconds;
  r.p50_us = all[all.size() / 2];
  r.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return r;
}

// ---- mysqlwire ----

Result RunMysqlwire(const mysqlwire::ConnectOptions& options, int concurrency,
                    bool prepared, double seconds) {
  const int threads = std::max(1, std::min(absl::GetFlag(FLAGS_io_threads), concurrency));
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (int i = 0; i < threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::vector<double>> latencies(concurrency);
  std::atomic<int64_t> errors{0};
  const auto warmup_end = Clock::now() + std::chrono::milliseconds(500);
  const auto end = warmup_end + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
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
            auto st = co_await conn.Prepare("SELECT c FROM sbtest WHERE id = ?");
            if (!st.ok()) {
              ++errors;
              co_return;
            }
            stmt = *st;
          }
          std::mt19937 rng(w * 7919 + 1);
          std::uniform_int_distribution<int> id(1, kRows);
          latencies[w].reserve(200000);
          while (true) {
            auto t0 = Clock::now();
            if (t0 >= end) break;
            int key = id(rng);
            absl::StatusOr<std::vector<mysqlwire::ResultSet>> r;
            if (prepared) {
              const mysqlwire::Value params[] = {mysqlwire::Value::Int64(key)};
              r = co_await conn.Execute(stmt, params);
            } else {
              r = co_await conn.Query(absl::StrCat("SELECT c FROM sbtest WHERE id = ", key));
            }
            auto t1 = Clock::now();
            if (!r.ok() || (*r)[0].rows.size() != 1) {
              ++errors;
              continue;
            }
            if (t0 >= warmup_end) {
              latencies[w].push_back(
                  std::chrono::duration<double, std::micro>(t1 - t0).count());
            }
          }
          co_await conn.Quit();
        },
        asio::detached);
  }
  std::vector<std::thread> runners;
  for (auto& loop : loops) runners.emplace_back([&loop] { loop->run(); });
  for (auto& t : runners) t.join();
  return Summarize(latencies, seconds, errors);
}

// ---- libmariadb ----

Result RunLibmariadb(const mysqlwire::ConnectOptions& options, int concurrency,
                     bool prepared, double seconds) {
  std::vector<std::vector<double>> latencies(concurrency);
  std::atomic<int64_t> errors{0};
  const auto warmup_end = Clock::now() + std::chrono::milliseconds(500);
  const auto end = warmup_end + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int w = 0; w < concurrency; ++w) {
    threads.emplace_back([&, w] {
      mysql_thread_init();
      MYSQL* m = mysql_init(nullptr);
      unsigned int ssl_off = 0;
      mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &ssl_off);
      if (!mysql_real_connect(m, options.host.c_str(), options.user.c_str(),
                              options.password.c_str(), options.database.c_str(),
                              options.port, nullptr, 0)) {
        ++errors;
        mysql_close(m);
        mysql_thread_end();
        return;
      }
      MYSQL_STMT* stmt = nullptr;
      int key = 0;
      char c_buf[256];
      unsigned long c_len = 0;
      MYSQL_BIND param{}, column{};
      if (prepared) {
        stmt = mysql_stmt_init(m);
        const char* sql = "SELECT c FROM sbtest WHERE id = ?";
        if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0) {
          ++errors;
          return;
        }
        param.buffer_type = MYSQL_TYPE_LONG;
        param.buffer = &key;
        mysql_stmt_bind_param(stmt, &param);
        column.buffer_type = MYSQL_TYPE_STRING;
        column.buffer = c_buf;
        column.buffer_length = sizeof(c_buf);
        column.length = &c_len;
        mysql_stmt_bind_result(stmt, &column);
      }
      std::mt19937 rng(w * 7919 + 1);
      std::uniform_int_distribution<int> id(1, kRows);
      latencies[w].reserve(200000);
      std::string sql;
      while (true) {
        auto t0 = Clock::now();
        if (t0 >= end) break;
        key = id(rng);
        bool ok = false;
        if (prepared) {
          int rows = 0;
          if (mysql_stmt_execute(stmt) == 0) {
            while (mysql_stmt_fetch(stmt) == 0) ++rows;
            ok = rows == 1;
          }
        } else {
          sql = absl::StrCat("SELECT c FROM sbtest WHERE id = ", key);
          if (mysql_real_query(m, sql.data(), sql.size()) == 0) {
            MYSQL_RES* res = mysql_store_result(m);
            ok = res != nullptr && mysql_num_rows(res) == 1;
            if (res) mysql_free_result(res);
          }
        }
        auto t1 = Clock::now();
        if (!ok) {
          ++errors;
          continue;
        }
        if (t0 >= warmup_end) {
          latencies[w].push_back(
              std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
      }
      if (stmt) mysql_stmt_close(stmt);
      mysql_close(m);
      mysql_thread_end();
    });
  }
  for (auto& t : threads) t.join();
  return Summarize(latencies, seconds, errors);
}

bool Prepare(const mysqlwire::ConnectOptions& options) {
  asio::io_context io;
  bool ok = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        mysqlwire::Connection conn(co_await asio::this_coro::executor);
        absl::Status s = co_await conn.Connect(options);
        if (!s.ok()) {
          std::fprintf(stderr, "connect: %s\n", s.ToString().c_str());
          co_return;
        }
        for (const char* sql :
             {"DROP TABLE IF EXISTS sbtest",
              "CREATE TABLE sbtest (id INT PRIMARY KEY, k INT NOT NULL, "
              "c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)",
              "INSERT INTO sbtest SELECT seq, seq % 1000, "
              "RPAD(CONCAT('c-', seq), 120, '-'), RPAD('p', 60, '-') "
              "FROM seq_1_to_10000"}) {
          auto r = co_await conn.Query(sql);
          if (!r.ok()) {
            std::fprintf(stderr, "%s: %s\n", sql, r.status().ToString().c_str());
            co_return;
          }
        }
        ok = true;
      },
      asio::detached);
  io.run();
  return ok;
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
  if (!Prepare(*options)) return 1;

  std::vector<int> levels;
  for (absl::string_view part : absl::StrSplit(absl::GetFlag(FLAGS_concurrency), ',')) {
    int c = 0;
    if (absl::SimpleAtoi(part, &c) && c > 0) levels.push_back(c);
  }
  const double seconds = absl::GetFlag(FLAGS_seconds);
  std::printf("wire_bench: point select by primary key, %d rows, %.0f s per case\n",
              kRows, seconds);
  std::printf("%-10s %-9s %5s %12s %10s %10s %7s\n", "client", "protocol", "conc",
              "queries/s", "p50_us", "p99_us", "errors");
  std::string summary;
  double key_ratio = 0;
  int64_t total_errors = 0;
  for (bool prepared : {false, true}) {
    for (int c : levels) {
      // Alternate the order so neither client always runs on a warmer server.
      Result lib = RunLibmariadb(*options, c, prepared, seconds);
      Result wire = RunMysqlwire(*options, c, prepared, seconds);
      const char* proto = prepared ? "prepared" : "text";
      std::printf("%-10s %-9s %5d %12.0f %10.1f %10.1f %7lld\n", "libmariadb", proto, c,
                  lib.qps, lib.p50_us, lib.p99_us, static_cast<long long>(lib.errors));
      std::printf("%-10s %-9s %5d %12.0f %10.1f %10.1f %7lld\n", "mysqlwire", proto, c,
                  wire.qps, wire.p50_us, wire.p99_us, static_cast<long long>(wire.errors));
      const double ratio = lib.qps > 0 ? wire.qps / lib.qps : 0;
      std::printf("  ratio mysqlwire/libmariadb %s c=%d: qps %.3f, p50 %+.1f us\n", proto,
                  c, ratio, wire.p50_us - lib.p50_us);
      total_errors += lib.errors + wire.errors;
      summary += absl::StrFormat(" %s_c%d=%.3f", prepared ? "ps" : "text", c, ratio);
      summary += absl::StrFormat(" %s_c%d_p50_us=%.1f/%.1f", prepared ? "ps" : "text", c,
                                 wire.p50_us, lib.p50_us);
      if (!prepared && c == levels.back()) key_ratio = ratio;
    }
  }
  std::printf("BENCH wire_bench ratio=%.3f%s errors=%lld\n", key_ratio, summary.c_str(),
              static_cast<long long>(total_errors));
  return total_errors == 0 ? 0 : 2;
}
