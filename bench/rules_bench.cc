// The cost of interception: point selects through a gateway with 100
// regular-expression rules (none of which match) and the digest allowlist
// in protect mode, against an identical gateway without rules, on the same
// server in the same run. Rounds alternate which gateway goes first; the
// ratio is the median over rounds. The last line is
//   BENCH rules_bench ratio=<with rules / without, queries/s> ...
//
// Usage: rules_bench [--dsn=mysql://...] [--seconds=5] [--rounds=3]
//                    [--concurrency=32] [--rules=100]
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bench/bench_server.h"
#include "bench/grpc_load.h"
#include "bench/point_select.h"
#include "server/sql/digest.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

ABSL_FLAG(std::string, dsn, "", "server to use; default: a private sandbox");
ABSL_FLAG(int, seconds, 5, "measured seconds per case");
ABSL_FLAG(int, rounds, 3, "rounds; each measures both gateways");
ABSL_FLAG(int, concurrency, 32, "calls in flight");
ABSL_FLAG(int, rules, 100, "regex rules in the ruled gateway");
ABSL_FLAG(int, io_threads, 2, "each gateway's io_threads");
ABSL_FLAG(int, client_threads, 2, "gRPC client threads");

namespace {

constexpr char kToken[] = "rules-bench-token-0123456789";
constexpr char kPasswordEnv[] = "MYSQLGW_BENCH_BACKEND_PASSWORD";

std::string Interception(int rules) {
  if (rules == 0)
    return "";
  // Realistic rules: guards on other statements and tables, each its own
  // regex, none matching the point select, so every one is evaluated.
  std::string out = "interception:\n  rules:\n";
  for (int i = 0; i < rules; ++i) {
    absl::StrAppend(
        &out, "    - name: guard-", i, "\n      match: {sql_regex: ",
        "\"^\\\\s*(delete|update)\\\\s+.*\\\\bledger_", i,
        "\\\\b\"}\n      action: {verdict: deny, error: {message: \"ledger ", i,
        " is append-only\"}}\n");
  }
  const uint64_t digest =
      mysqlgw::DigestStatement(mysqlgw::bench::kPointSelectSql).hash;
  absl::StrAppend(&out, "  allowlist:\n    mode: protect\n    entries:\n",
                  "      - principal: bench\n        digests: [\"",
                  mysqlgw::DigestHex(digest), "\", \"",
                  mysqlgw::DigestHex(mysqlgw::DigestStatement("SELECT 1").hash),
                  "\"]\n");
  return out;
}

std::string Config(const mysqlgw::testing::ServerInfo &s, int rules) {
  return absl::StrReplaceAll(
      R"(
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
INTERCEPTION
)",
      {{"IO_THREADS", absl::StrCat(absl::GetFlag(FLAGS_io_threads))},
       {"USER", s.user},
       {"HOST", s.host},
       {"PORT", absl::StrCat(s.port)},
       {"DATABASE", s.database},
       {"PASSWORD_ENV", kPasswordEnv},
       {"TOKEN_HASH", mysqlgw::testing::Sha256Hex(kToken)},
       {"INTERCEPTION", Interception(rules)}});
}

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
  const mysqlgw::testing::ServerInfo server = bench_server->info;
  if (!mysqlgw::bench::CreateSbtestTable({server.host, server.port, server.user,
                                          server.password, server.database})) {
    return 1;
  }
  const int rules = absl::GetFlag(FLAGS_rules);
  std::unique_ptr<mysqlgw::testing::GatewayProcess> gateways[2];
  for (int i = 0; i < 2; ++i) {
    mysqlgw::testing::GatewayProcessOptions options;
    options.config_yaml = Config(server, i == 0 ? 0 : rules);
    options.env = {{kPasswordEnv, server.password}};
    auto gw = mysqlgw::testing::GatewayProcess::Start(options);
    if (!gw.ok()) {
      std::fprintf(stderr, "gateway: %s\n", gw.status().ToString().c_str());
      return 1;
    }
    gateways[i] = *std::move(gw);
  }
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int c = absl::GetFlag(FLAGS_concurrency);
  std::printf("rules_bench: prepared point select, c=%d, %.0f s per case; "
              "ruled gateway: %d "
              "regex rules + allowlist (protect)\n",
              c, seconds, rules);
  std::printf("%-6s %-10s %12s %10s %10s %7s\n", "round", "gateway",
              "queries/s", "p50_us", "p99_us", "errors");
  std::vector<double> ratios, plain_qps, ruled_qps;
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
      std::printf("%-6d %-10s %12.0f %10.1f %10.1f %7lld\n", round + 1,
                  which == 0 ? "no-rules" : "rules", results[which].qps,
                  results[which].p50_us, results[which].p99_us,
                  static_cast<long long>(results[which].errors));
      errors += results[which].errors;
    }
    plain_qps.push_back(results[0].qps);
    ruled_qps.push_back(results[1].qps);
    if (results[0].qps > 0)
      ratios.push_back(results[1].qps / results[0].qps);
  }
  if (errors > 0) {
    std::fprintf(stderr, "errors: ruled gateway log:\n%s\n",
                 gateways[1]->Log().c_str());
  }
  std::printf(
      "BENCH rules_bench ratio=%.3f qps_rules=%.0f qps_no_rules=%.0f rules=%d "
      "allowlist=protect concurrency=%d errors=%lld\n",
      Median(ratios), Median(ruled_qps), Median(plain_qps), rules, c,
      static_cast<long long>(errors));
  return errors > 0 ? 1 : 0;
}
