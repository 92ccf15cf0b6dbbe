// sysbench oltp_point_select through the gateway's MySQL listener against
// the same sysbench directly against MariaDB, same threads, same run. The
// gateway multiplexes the clients' sessions over its pools (point selects
// pin nothing). A third path, HAProxy relaying TCP to MariaDB
// (bench/tcp_relay_reference.h), shows what a proxy that parses nothing
// gets on the same machine in the same run. Rounds rotate which path goes
// first; each ratio is the median over rounds. The last line is
//   BENCH listener_bench ratio=<listener/direct queries/s>
//     haproxy_ratio=<haproxy/direct> listener_vs_haproxy=<listener/haproxy> ...
//
// Usage: listener_bench [--dsn=mysql://...] [--seconds=10] [--rounds=3]
//                       [--threads=32] [--ps_mode=auto] [--haproxy=true]
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "bench/bench_server.h"
#include "bench/grpc_load.h"
#include "bench/point_select.h"
#include "bench/tcp_relay_reference.h"
#include "mysqlwire/protocol/server_auth.h"
#include "testing/sysbench.h"
#include "tests/support/gateway_process.h"

ABSL_FLAG(std::string, dsn, "", "server to use; default: a private sandbox");
ABSL_FLAG(int, seconds, 10, "measured seconds per case");
ABSL_FLAG(int, rounds, 3, "rounds; each measures both paths");
ABSL_FLAG(int, threads, 32, "sysbench threads (client connections)");
ABSL_FLAG(int, table_size, 10000, "rows in sbtest1");
ABSL_FLAG(std::string, ps_mode, "auto",
          "sysbench --db-ps-mode: auto (prepared) or disable");
ABSL_FLAG(int, io_threads, 2, "the gateway's io_threads");
ABSL_FLAG(int, max_open, 64, "the gateway's pool.max_open");
ABSL_FLAG(bool, haproxy, true,
          "also measure HAProxy relaying TCP (skipped, with a note, when "
          "haproxy is not installed)");

namespace {

constexpr char kUser[] = "benchuser";
constexpr char kPassword[] = "bench-password-1";
constexpr char kPasswordEnv[] = "MYSQLGW_BENCH_BACKEND_PASSWORD";

using mysqlgw::bench::Median;

} // namespace

int main(int argc, char **argv) {
  absl::ParseCommandLine(argc, argv);
  mysqlgw::bench::LocateGateway(argv[0]);
  absl::StatusOr<mysqlgw::bench::BenchServer> bench_server =
      mysqlgw::bench::ServerForBench(absl::GetFlag(FLAGS_dsn));
  if (!bench_server.ok()) {
    std::fprintf(stderr, "server: %s\n",
                 bench_server.status().ToString().c_str());
    return 1;
  }
  const mysqlgw::testing::ServerInfo &server = bench_server->info;

  mysqlgw::testing::SysbenchOptions direct;
  direct.host = server.host;
  direct.port = server.port;
  direct.user = server.user;
  direct.password = server.password;
  direct.database = server.database;
  direct.table_size = absl::GetFlag(FLAGS_table_size);
  direct.threads = absl::GetFlag(FLAGS_threads);
  direct.seconds = absl::GetFlag(FLAGS_seconds);
  direct.ps_mode = absl::GetFlag(FLAGS_ps_mode);
  direct.extra_args = {"--rand-type=uniform"};
  direct.workload = "oltp_point_select";
  // A fresh table: a previous run may have left one of another size.
  (void)mysqlgw::testing::SysbenchCleanup(direct);
  if (absl::Status s = mysqlgw::testing::SysbenchPrepare(direct); !s.ok()) {
    std::fprintf(stderr, "sysbench prepare: %s\n", s.ToString().c_str());
    return 1;
  }

  mysqlgw::testing::GatewayProcessOptions options;
  options.config_yaml = absl::StrReplaceAll(
      R"(
listen:
  address: "127.0.0.1:0"
io_threads: IO_THREADS
backends:
  - name: primary
    dsn: "mysql://USER@HOST:PORT/DATABASE?ssl-mode=disabled"
    password_env: PASSWORD_ENV
    pool:
      max_open: MAX_OPEN
      max_waiters: 2000
auth:
  principals:
    - name: bench
      databases: ["*"]
      operations: [read, write, ddl]
      mysql_user: BENCH_USER
      mysql_native_password_hash: "HASH"
mysql_listener:
  address: "127.0.0.1:0"
)",
      {{"IO_THREADS", absl::StrCat(absl::GetFlag(FLAGS_io_threads))},
       {"USER", server.user},
       {"HOST", server.host},
       {"PORT", absl::StrCat(server.port)},
       {"DATABASE", server.database},
       {"PASSWORD_ENV", kPasswordEnv},
       {"MAX_OPEN", absl::StrCat(absl::GetFlag(FLAGS_max_open))},
       {"BENCH_USER", kUser},
       {"HASH", mysqlwire::FormatNativePasswordHash(
                    mysqlwire::ComputeNativePasswordHash(kPassword))}});
  options.env = {{kPasswordEnv, server.password}};
  char dir_template[] = "/tmp/mysqlgw-listener-bench-XXXXXX";
  const std::string port_file =
      std::string(mkdtemp(dir_template)) + "/mysql_port";
  options.extra_args = {"--mysql_port_file=" + port_file};
  auto gw = mysqlgw::testing::GatewayProcess::Start(options);
  if (!gw.ok()) {
    std::fprintf(stderr, "gateway: %s\n", gw.status().ToString().c_str());
    return 1;
  }
  int listener_port = 0;
  std::ifstream(port_file) >> listener_port;
  if (listener_port <= 0) {
    std::fprintf(stderr, "no listener port\n%s\n", (*gw)->Log().c_str());
    return 1;
  }
  mysqlgw::testing::SysbenchOptions through = direct;
  through.port = listener_port;
  through.host = "127.0.0.1";
  through.user = kUser;
  through.password = kPassword;

  std::unique_ptr<mysqlgw::bench::TcpRelayReference> relay;
  if (absl::GetFlag(FLAGS_haproxy)) {
    auto started = mysqlgw::bench::TcpRelayReference::Start(server.host, server.port);
    if (started.ok()) {
      relay = *std::move(started);
    } else {
      std::printf("haproxy path skipped: %s\n", started.status().ToString().c_str());
    }
  }
  struct Path {
    const char* name;
    mysqlgw::testing::SysbenchOptions options;
    std::vector<double> qps;
  };
  std::vector<Path> paths = {{"direct", direct, {}}, {"listener", through, {}}};
  if (relay != nullptr) {
    mysqlgw::testing::SysbenchOptions relayed = direct;
    relayed.host = "127.0.0.1";
    relayed.port = relay->port();
    paths.push_back({"haproxy", relayed, {}});
  }

  std::printf("listener_bench: sysbench oltp_point_select, %d threads, %d "
              "rows, ps_mode=%s, "
              "%d s per case; gateway io_threads=%d pool.max_open=%d%s\n",
              direct.threads, direct.table_size, direct.ps_mode.c_str(),
              direct.seconds, absl::GetFlag(FLAGS_io_threads),
              absl::GetFlag(FLAGS_max_open),
              relay != nullptr ? "; haproxy tcp mode, default threads" : "");
  std::printf("%-6s %-9s %12s %8s\n", "round", "path", "queries/s", "errors");
  // Per round, the ratio of each path to direct (index 0), and of the
  // listener to HAProxy.
  std::vector<std::vector<double>> ratios(paths.size());
  std::vector<double> listener_vs_haproxy;
  int64_t errors = 0;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    std::vector<double> qps(paths.size(), 0);
    for (size_t k = 0; k < paths.size(); ++k) {
      const size_t which = (round + k) % paths.size();
      auto r = mysqlgw::testing::SysbenchRun(paths[which].options);
      if (!r.ok()) {
        std::fprintf(stderr, "sysbench (%s): %s\n%s\n", paths[which].name,
                     r.status().ToString().c_str(),
                     which == 1 ? (*gw)->Log().c_str() : "");
        return 1;
      }
      qps[which] = r->queries_per_second;
      paths[which].qps.push_back(r->queries_per_second);
      errors += r->ignored_errors + r->reconnects;
      std::printf("%-6d %-9s %12.0f %8lld\n", round + 1, paths[which].name,
                  r->queries_per_second,
                  static_cast<long long>(r->ignored_errors + r->reconnects));
    }
    for (size_t k = 1; k < paths.size(); ++k) {
      if (qps[0] > 0) ratios[k].push_back(qps[k] / qps[0]);
    }
    if (paths.size() > 2 && qps[2] > 0) listener_vs_haproxy.push_back(qps[1] / qps[2]);
  }
  std::string reference;
  if (paths.size() > 2) {
    reference = absl::StrFormat(" haproxy_ratio=%.3f listener_vs_haproxy=%.3f qps_haproxy=%.0f",
                                Median(ratios[2]), Median(listener_vs_haproxy), Median(paths[2].qps));
  }
  std::printf("BENCH listener_bench ratio=%.3f qps_listener=%.0f "
              "qps_direct=%.0f%s threads=%d "
              "ps_mode=%s errors=%lld\n",
              Median(ratios[1]), Median(paths[1].qps), Median(paths[0].qps),
              reference.c_str(), direct.threads, direct.ps_mode.c_str(),
              static_cast<long long>(errors));
  return errors > 0 ? 1 : 0;
}
