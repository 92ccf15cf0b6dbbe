// The cost of observability on the hot path: point selects through a
// gateway that records Prometheus metrics for every call and writes an
// access log line per call (JSON, to a file), against an identical gateway
// with both off (observability.metrics_enabled: false, no access log), on
// the same server in the same run. Rounds alternate which gateway goes
// first; the ratio is the median over rounds. The last line is
//   BENCH metrics_bench ratio=<on / off, queries/s> on_qps=... off_qps=...
//
// Both gateways keep what neither switch controls: digest statistics and
// the slow log's check (threshold 1s, nothing slow here), interception
// counters, pool gauges read at scrape time.
//
// Usage: metrics_bench [--dsn=mysql://...] [--seconds=5] [--rounds=5]
//                      [--concurrency=32]
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "bench/bench_server.h"
#include "bench/grpc_load.h"
#include "bench/point_select.h"
#include "server/http/test_client.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

ABSL_FLAG(std::string, dsn, "", "server to use; default: a private sandbox");
ABSL_FLAG(int, seconds, 5, "measured seconds per case");
ABSL_FLAG(int, rounds, 5, "rounds; each measures both gateways");
ABSL_FLAG(int, concurrency, 32, "calls in flight");
ABSL_FLAG(int, io_threads, 2, "each gateway's io_threads");
ABSL_FLAG(int, client_threads, 2, "gRPC client threads");
ABSL_FLAG(std::string, log_dir, "", "where the access log goes; default: a new /tmp folder");

namespace {

constexpr char kToken[] = "metrics-bench-token-0123456789";
constexpr char kPasswordEnv[] = "MYSQLGW_BENCH_BACKEND_PASSWORD";

std::string Config(const mysqlgw::testing::ServerInfo& s, bool on, const std::string& log) {
  const std::string observability =
      on ? absl::StrCat("observability:\n  metrics_enabled: true\n  log_format: json\n"
                        "  access_log: \"",
                        log, "\"\n")
         : "observability:\n  metrics_enabled: false\n";
  return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: IO_THREADS
backends:
  - name: primary
    dsn: "mysql://USER@HOST:PORT/DATABASE?ssl-mode=disabled"
    password_env: PASSWORD_ENV
    pool:
      max_open: 64
      max_waiters: 2000
auth:
  principals:
    - name: bench
      token_sha256: ["TOKEN_HASH"]
      databases: ["*"]
      operations: [read, write, ddl]
OBSERVABILITY)",
                             {{"IO_THREADS", absl::StrCat(absl::GetFlag(FLAGS_io_threads))},
                              {"USER", s.user},
                              {"HOST", s.host},
                              {"PORT", absl::StrCat(s.port)},
                              {"DATABASE", s.database},
                              {"PASSWORD_ENV", kPasswordEnv},
                              {"TOKEN_HASH", mysqlgw::testing::Sha256Hex(kToken)},
                              {"OBSERVABILITY", observability}});
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of an unlabeled sample in /metrics, or -1.
double Sample(int admin_port, const std::string& name) {
  auto r = mysqlgw::http::testing::Fetch("127.0.0.1", admin_port, "/metrics");
  if (!r.ok()) return -1;
  const std::string& body = r->body();
  const std::string key = "\n" + name + " ";
  const size_t at = body.find(key);
  if (at == std::string::npos) return -1;
  const size_t start = at + key.size();
  double v = -1;
  (void)absl::SimpleAtod(body.substr(start, body.find('\n', start) - start), &v);
  return v;
}

size_t CountLines(const std::string& path) {
  const std::string text = ReadFile(path);
  size_t n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

using mysqlgw::bench::Median;

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  mysqlgw::bench::LocateGateway(argv[0]);
  absl::StatusOr<mysqlgw::bench::BenchServer> bench_server =
      mysqlgw::bench::ServerForBench(absl::GetFlag(FLAGS_dsn));
  if (!bench_server.ok()) {
    std::fprintf(stderr, "server: %s\n", bench_server.status().ToString().c_str());
    return 1;
  }
  const mysqlgw::testing::ServerInfo server = bench_server->info;
  if (!mysqlgw::bench::CreateSbtestTable(
          {server.host, server.port, server.user, server.password, server.database})) {
    return 1;
  }
  std::string dir = absl::GetFlag(FLAGS_log_dir);
  if (dir.empty()) {
    dir = "/tmp/metrics_bench.XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
  }
  const std::string access_log = dir + "/access.log";
  std::remove(access_log.c_str());

  // [0]: off, [1]: on.
  std::unique_ptr<mysqlgw::testing::GatewayProcess> gateways[2];
  int admin_ports[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    const std::string port_file = absl::StrCat(dir, "/admin", i);
    mysqlgw::testing::GatewayProcessOptions options;
    options.config_yaml = Config(server, i == 1, access_log);
    options.env = {{kPasswordEnv, server.password}};
    options.extra_args = {"--admin_address=127.0.0.1:0", "--admin_port_file=" + port_file};
    auto gw = mysqlgw::testing::GatewayProcess::Start(options);
    if (!gw.ok()) {
      std::fprintf(stderr, "gateway: %s\n", gw.status().ToString().c_str());
      return 1;
    }
    gateways[i] = *std::move(gw);
    (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(port_file)), &admin_ports[i]);
  }
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int c = absl::GetFlag(FLAGS_concurrency);
  std::printf(
      "metrics_bench: prepared point select, c=%d, %.0f s per case, %d gRPC client thread(s), "
      "gateway io_threads=%d; on: metrics + JSON access log to %s; off: "
      "metrics_enabled=false, no access log\n",
      c, seconds, absl::GetFlag(FLAGS_client_threads), absl::GetFlag(FLAGS_io_threads),
      access_log.c_str());
  std::printf("%-6s %-5s %12s %10s %10s %7s\n", "round", "obs", "queries/s", "p50_us", "p99_us",
              "errors");
  std::vector<double> ratios, on_qps, off_qps, on_p50, off_p50;
  int64_t errors = 0;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    mysqlgw::bench::LatencyResult results[2];
    for (int k = 0; k < 2; ++k) {
      const int which = (round % 2 == 0) ? k : 1 - k;
      mysqlgw::bench::GatewayLoad load;
      load.address = gateways[which]->address();
      load.token = kToken;
      load.concurrency = c;
      load.mode = mysqlgw::bench::Mode::kPrepared;
      load.seconds = seconds;
      load.client_threads = absl::GetFlag(FLAGS_client_threads);
      results[which] = mysqlgw::bench::RunGatewayLoad(load);
      std::printf("%-6d %-5s %12.0f %10.1f %10.1f %7lld\n", round + 1, which == 0 ? "off" : "on",
                  results[which].qps, results[which].p50_us, results[which].p99_us,
                  static_cast<long long>(results[which].errors));
      std::fflush(stdout);
      errors += results[which].errors;
    }
    off_qps.push_back(results[0].qps);
    on_qps.push_back(results[1].qps);
    off_p50.push_back(results[0].p50_us);
    on_p50.push_back(results[1].p50_us);
    if (results[0].qps > 0) ratios.push_back(results[1].qps / results[0].qps);
  }
  const double dropped = Sample(admin_ports[1], "mysqlgw_access_log_dropped_total");
  const double off_recorded = Sample(admin_ports[0], "mysqlgw_access_log_dropped_total");
  // Stopping flushes the access log: every line accepted is then on disk.
  (void)gateways[1]->Stop();
  const size_t lines = CountLines(access_log);
  std::string ratio_list;
  for (double r : ratios) absl::StrAppend(&ratio_list, ratio_list.empty() ? "" : ",",
                                          absl::StrFormat("%.3f", r));
  std::printf("per-round ratios (on/off): %s\n", ratio_list.c_str());
  std::printf("access log: %zu lines written, %.0f dropped (off gateway's counter: %.0f)\n", lines,
              dropped, off_recorded);
  if (errors > 0) {
    std::fprintf(stderr, "errors: on gateway log:\n%s\n", gateways[1]->Log().c_str());
  }
  std::printf(
      "BENCH metrics_bench ratio=%.3f on_qps=%.0f off_qps=%.0f on_p50_us=%.1f off_p50_us=%.1f "
      "rounds=%d concurrency=%d access_lines=%zu dropped=%.0f errors=%lld\n",
      Median(ratios), Median(on_qps), Median(off_qps), Median(on_p50), Median(off_p50),
      static_cast<int>(ratios.size()), c, lines, dropped, static_cast<long long>(errors));
  return errors > 0 ? 1 : 0;
}
