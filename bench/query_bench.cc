// Point selects by primary key directly against MariaDB (libmariadb) and
// through the gateway (the real mysqlgw binary, gRPC over loopback), against
// the same server in the same run, at several concurrency levels. Then the
// gateway's memory with many concurrent StreamQuery calls whose results the
// client does not read. The last line is
//   BENCH query_bench ratio=<gateway/direct qps, prepared, c=32> ...
//
// Workload: a sysbench-like table sbtest(id INT PRIMARY KEY, k INT,
// c CHAR(120), pad CHAR(60)) of 10,000 rows; `SELECT c FROM sbtest WHERE
// id = ?` with uniformly random ids.
//
//   direct    libmariadb, one blocking thread per connection. "prepared":
//             prepared once per connection, then executed (binary protocol);
//             "text": the id inlined into the SQL text (COM_QUERY).
//   gateway   an asynchronous gRPC client (CompletionQueue API) keeping C
//             Query calls in flight on up to --client_threads threads, each
//             with its own channel (own HTTP/2 connection). "prepared": the
//             SQL with `?` and one int64 parameter (the gateway's
//             server-side prepared statement path); "text": the id inlined,
//             no parameters (its text-protocol path).
//   grpc-only the same client calling the gateway's grpc.health.v1 Check: the
//             gRPC round trip alone, no database (the floor under "gateway").
//
// Idle streams: a fresh gateway; --idle_streams StreamQuery calls of
// `SELECT seq FROM seq_1_to_1000000`, opened at once, none of them read.
// A running stream holds a pooled connection until its result is consumed,
// so only pool.max_open of them run (each blocked on gRPC flow control); the
// rest wait in the pool's queue (pool.max_waiters). The gateway's VmRSS is
// read from /proc before, with the calls open, and after cancelling them.
//
// Usage: query_bench [--dsn=mysql://...] [--seconds=5] [--concurrency=1,32]
// Without --dsn a private sandbox MariaDB is started.
#include <mariadb/mysql.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "bench/bench_server.h"
#include "bench/grpc_load.h"
#include "bench/point_select.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

ABSL_FLAG(std::string, dsn, "", "server to use; default: a private sandbox");
ABSL_FLAG(int, seconds, 5, "measured seconds per case");
ABSL_FLAG(std::string, concurrency, "1,32", "comma-separated concurrency levels");
ABSL_FLAG(int, client_threads, 2,
          "gRPC client threads (one CompletionQueue and one channel each)");
ABSL_FLAG(int, io_threads, 2, "the gateway's io_threads");
ABSL_FLAG(int, max_open, 64, "the gateway's pool.max_open (split over its io_threads)");
ABSL_FLAG(int, max_waiters, 2000, "the gateway's pool.max_waiters (split likewise)");
ABSL_FLAG(int, stream_chunk_bytes, 0,
          "the gateway's limits.stream_chunk_bytes; 0: its default");
ABSL_FLAG(int, idle_streams, 1000, "unread StreamQuery calls for the memory case; 0: skip");
ABSL_FLAG(std::string, paths, "direct,gateway",
          "which paths to measure (one alone: for profiling; the ratios are then 0)");
ABSL_FLAG(bool, grpc_floor, true,
          "also measure gRPC alone: the gateway's Health/Check through the same client");
ABSL_FLAG(std::string, protocols, "prepared,text", "which protocols to measure");

namespace {

namespace v1 = mysqlgw::v1;
using mysqlgw::bench::LatencyResult;
using mysqlgw::bench::MeasureWindow;
using Clock = std::chrono::steady_clock;
using mysqlgw::bench::GatewayLoad;
using mysqlgw::bench::Mode;
using mysqlgw::bench::RunGatewayLoad;

constexpr char kToken[] = "query-bench-token-0123456789";
constexpr char kPasswordEnv[] = "MYSQLGW_BENCH_BACKEND_PASSWORD";
constexpr char kStreamSql[] = "SELECT seq FROM seq_1_to_1000000";

// ---- direct: libmariadb (RunLibmariadbPointSelects) ----

mysqlgw::bench::DirectTarget Direct(const mysqlgw::testing::ServerInfo& s) {
  return {s.host, s.port, s.user, s.password, s.database};
}

// Runs `sql` on a new connection; returns the first column of the first row
// ("" when there is none), or nullopt on failure.
std::optional<std::string> DirectScalar(const mysqlgw::testing::ServerInfo& server,
                                        const std::string& sql) {
  MYSQL* m = mysqlgw::bench::ConnectLibmariadb(Direct(server));
  if (m == nullptr) return std::nullopt;
  std::optional<std::string> out;
  if (mysql_real_query(m, sql.data(), sql.size()) == 0) {
    out = "";
    if (MYSQL_RES* res = mysql_store_result(m)) {
      if (MYSQL_ROW row = mysql_fetch_row(res); row != nullptr && row[0] != nullptr) {
        out = row[0];
      }
      mysql_free_result(res);
    }
  } else {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), mysql_error(m));
  }
  mysql_close(m);
  return out;
}

GatewayLoad LoadOptions(const std::string& address, int concurrency, Mode mode,
                        double seconds) {
  GatewayLoad load;
  load.address = address;
  load.token = kToken;
  load.concurrency = concurrency;
  load.mode = mode;
  load.seconds = seconds;
  load.client_threads = absl::GetFlag(FLAGS_client_threads);
  return load;
}

// ---- gateway process ----

std::string GatewayConfig(const mysqlgw::testing::ServerInfo& s) {
  std::string chunk;
  if (int bytes = absl::GetFlag(FLAGS_stream_chunk_bytes); bytes > 0) {
    chunk = absl::StrCat("limits:\n  stream_chunk_bytes: ", bytes, "\n");
  }
  return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: IO_THREADS
backends:
  - name: primary
    dsn: "mysql://USER@HOST:PORT/DATABASE?ssl-mode=disabled"
    password_env: PASSWORD_ENV
    pool:
      max_open: MAX_OPEN
      max_waiters: MAX_WAITERS
CHUNKauth:
  principals:
    - name: bench
      token_sha256: ["TOKEN_HASH"]
      databases: ["*"]
      operations: [read, write, ddl]
)",
                             {{"IO_THREADS", absl::StrCat(absl::GetFlag(FLAGS_io_threads))},
                              {"USER", s.user},
                              {"HOST", s.host},
                              {"PORT", absl::StrCat(s.port)},
                              {"DATABASE", s.database},
                              {"PASSWORD_ENV", kPasswordEnv},
                              {"MAX_OPEN", absl::StrCat(absl::GetFlag(FLAGS_max_open))},
                              {"MAX_WAITERS", absl::StrCat(absl::GetFlag(FLAGS_max_waiters))},
                              {"CHUNK", chunk},
                              {"TOKEN_HASH", mysqlgw::testing::Sha256Hex(kToken)}});
}

absl::StatusOr<std::unique_ptr<mysqlgw::testing::GatewayProcess>> StartGateway(
    const mysqlgw::testing::ServerInfo& server) {
  mysqlgw::testing::GatewayProcessOptions options;
  options.config_yaml = GatewayConfig(server);
  options.env = {{kPasswordEnv, server.password}};
  return mysqlgw::testing::GatewayProcess::Start(options);
}

double RssMb(const mysqlgw::testing::GatewayProcess& gw) {
  absl::StatusOr<size_t> rss = gw.ResidentBytes();
  return rss.ok() ? *rss / (1024.0 * 1024.0) : -1;
}

bool GatewayAnswers(const std::string& address) {
  auto stub = v1::Gateway::NewStub(mysqlgw::bench::NewChannel(address));
  grpc::ClientContext ctx;
  mysqlgw::bench::Authorize(&ctx, kToken);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::QueryRequest req;
  req.set_sql("SELECT 1");
  v1::QueryResponse resp;
  grpc::Status s = stub->Query(&ctx, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "SELECT 1 through the gateway: %d %s\n",
                 static_cast<int>(s.error_code()), s.error_message().c_str());
  }
  return s.ok();
}

struct IdleStreamsResult {
  bool ran = false;
  double rss_before_mb = 0;
  double rss_open_mb = 0;
  double rss_after_mb = 0;
  int requested = 0;
  int failed_early = 0;  // Finished while they should have stayed open.
  int running_on_server = 0;
  bool healthy_after = false;
  std::string first_error;
};

int RunningStreams(const mysqlgw::testing::ServerInfo& server) {
  auto n = DirectScalar(server, absl::StrCat("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                             "WHERE INFO LIKE '",
                                             kStreamSql, "%'"));
  int count = -1;
  if (n.has_value()) (void)absl::SimpleAtoi(*n, &count);
  return count;
}

struct StreamCall {
  grpc::ClientContext ctx;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncReader<v1::StreamQueryResponse>> rpc;
  bool finished = false;
};

// Tags: the call's address for Finish, address + 1 for StartCall.
IdleStreamsResult RunIdleStreams(const mysqlgw::testing::ServerInfo& server, int n) {
  IdleStreamsResult out;
  out.requested = n;
  auto gw = StartGateway(server);
  if (!gw.ok()) {
    out.first_error = gw.status().ToString();
    return out;
  }
  const std::string address = (*gw)->address();
  if (!GatewayAnswers(address)) {
    out.first_error = "the gateway did not answer SELECT 1";
    return out;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  out.rss_before_mb = RssMb(**gw);

  const int channels = std::max(1, absl::GetFlag(FLAGS_client_threads));
  std::vector<std::unique_ptr<v1::Gateway::Stub>> stubs;
  for (int i = 0; i < channels; ++i) stubs.push_back(v1::Gateway::NewStub(mysqlgw::bench::NewChannel(address)));
  grpc::CompletionQueue cq;
  std::vector<std::unique_ptr<StreamCall>> calls(n);
  v1::QueryRequest request;
  request.set_sql(kStreamSql);
  for (int i = 0; i < n; ++i) {
    calls[i] = std::make_unique<StreamCall>();
    StreamCall* call = calls[i].get();
    mysqlgw::bench::Authorize(&call->ctx, kToken);
    call->rpc = stubs[i % channels]->PrepareAsyncStreamQuery(&call->ctx, request, &cq);
    call->rpc->StartCall(reinterpret_cast<char*>(call) + 1);
    // Completes only when the call ends: early for a refused call, never
    // for one left open (until it is cancelled below).
    call->rpc->Finish(&call->status, call);
  }
  // Collect completions until the server runs max_open of the statements
  // and the gateway's memory stops growing.
  auto drain = [&](Clock::time_point until) {
    void* tag = nullptr;
    bool ok = false;
    while (true) {
      const auto deadline = std::chrono::system_clock::now() +
                            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                until - Clock::now());
      auto status = cq.AsyncNext(&tag, &ok, deadline);
      if (status != grpc::CompletionQueue::GOT_EVENT) return;
      auto addr = reinterpret_cast<uintptr_t>(tag);
      if (addr & 1) continue;  // StartCall done.
      auto* call = static_cast<StreamCall*>(tag);
      call->finished = true;
    }
  };
  const int expected_running = std::min(n, absl::GetFlag(FLAGS_max_open));
  const auto give_up = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < give_up) {
    drain(Clock::now() + std::chrono::milliseconds(250));
    if (RunningStreams(server) >= expected_running) break;
  }
  double last = RssMb(**gw);
  for (int i = 0; i < 20; ++i) {  // Stable within 1% over 0.5 s, at most 10 s.
    drain(Clock::now() + std::chrono::milliseconds(500));
    const double now = RssMb(**gw);
    if (std::abs(now - last) < 0.01 * last) break;
    last = now;
  }
  out.rss_open_mb = RssMb(**gw);
  out.running_on_server = RunningStreams(server);
  for (auto& c : calls) {
    if (c->finished) {
      ++out.failed_early;
      if (out.first_error.empty()) {
        out.first_error = absl::StrCat(static_cast<int>(c->status.error_code()), " ",
                                       c->status.error_message());
      }
    }
  }

  for (auto& c : calls) c->ctx.TryCancel();
  int finished = 0;
  for (auto& c : calls) finished += c->finished ? 1 : 0;
  const auto cancel_deadline = Clock::now() + std::chrono::seconds(30);
  while (finished < n && Clock::now() < cancel_deadline) {
    void* tag = nullptr;
    bool ok = false;
    auto status = cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() +
                                              std::chrono::milliseconds(500));
    if (status != grpc::CompletionQueue::GOT_EVENT) continue;
    if (reinterpret_cast<uintptr_t>(tag) & 1) continue;
    auto* call = static_cast<StreamCall*>(tag);
    if (!call->finished) {
      call->finished = true;
      ++finished;
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  out.healthy_after = finished == n && GatewayAnswers(address);
  out.rss_after_mb = RssMb(**gw);
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
  calls.clear();
  out.ran = true;
  return out;
}

void PrintRow(const char* path, const char* proto, int c, const LatencyResult& r) {
  std::printf("%-8s %-9s %5d %12.0f %10.1f %10.1f %7lld\n", path, proto, c, r.qps, r.p50_us,
              r.p99_us, static_cast<long long>(r.errors));
}

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
  if (!mysqlgw::bench::CreateSbtestTable(Direct(server))) return 1;
  // Both paths use plain TCP to the server: this measures the gateway, not TLS.
  const std::string direct_tls =
      DirectScalar(server, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                           "WHERE VARIABLE_NAME = 'Ssl_cipher'")
          .value_or("?");

  std::vector<int> levels;
  for (absl::string_view part : absl::StrSplit(absl::GetFlag(FLAGS_concurrency), ',')) {
    int c = 0;
    if (absl::SimpleAtoi(part, &c) && c > 0) levels.push_back(c);
  }
  if (levels.empty()) return 1;
  const double seconds = absl::GetFlag(FLAGS_seconds);

  auto gw = StartGateway(server);
  if (!gw.ok()) {
    std::fprintf(stderr, "gateway: %s\n", gw.status().ToString().c_str());
    return 1;
  }
  const std::string address = (*gw)->address();
  if (!GatewayAnswers(address)) {
    std::fprintf(stderr, "%s\n", (*gw)->Log().c_str());
    return 1;
  }

  std::printf(
      "query_bench: point select by primary key, %d rows, %.0f s per case; gateway "
      "io_threads=%d pool.max_open=%d, %d gRPC client thread(s); direct TLS cipher: '%s'\n",
      mysqlgw::bench::kSbtestRows, seconds, absl::GetFlag(FLAGS_io_threads),
      absl::GetFlag(FLAGS_max_open), absl::GetFlag(FLAGS_client_threads), direct_tls.c_str());
  std::printf("%-8s %-9s %5s %12s %10s %10s %7s\n", "path", "protocol", "conc", "queries/s",
              "p50_us", "p99_us", "errors");
  std::string summary;
  double key_ratio = 0;
  int64_t total_errors = 0;
  const std::string paths = absl::GetFlag(FLAGS_paths);
  const bool run_direct = absl::StrContains(paths, "direct");
  const bool run_gateway = absl::StrContains(paths, "gateway");
  const std::string protocols = absl::GetFlag(FLAGS_protocols);
  std::map<int, double> direct_prepared_qps;  // By concurrency.
  for (bool prepared : {true, false}) {
    if (!absl::StrContains(protocols, prepared ? "prepared" : "text")) continue;
    for (size_t li = 0; li < levels.size(); ++li) {
      const int c = levels[li];
      // Alternate which path runs first so neither always meets a warmer server.
      LatencyResult direct, gateway;
      auto measure_direct = [&] {
        if (run_direct) {
          direct = mysqlgw::bench::RunLibmariadbPointSelects(Direct(server), c, prepared, seconds);
        }
      };
      auto measure_gateway = [&] {
        if (run_gateway) {
          gateway = RunGatewayLoad(LoadOptions(address, c, prepared ? Mode::kPrepared : Mode::kText, seconds));
        }
      };
      if (li % 2 == 0) {
        measure_direct();
        measure_gateway();
      } else {
        measure_gateway();
        measure_direct();
      }
      const char* proto = prepared ? "prepared" : "text";
      PrintRow("direct", proto, c, direct);
      PrintRow("gateway", proto, c, gateway);
      const double ratio = direct.qps > 0 ? gateway.qps / direct.qps : 0;
      const double added_p50 = gateway.p50_us - direct.p50_us;
      std::printf("  ratio gateway/direct %s c=%d: qps %.3f, p50 %+.1f us, p99 %+.1f us\n",
                  proto, c, ratio, added_p50, gateway.p99_us - direct.p99_us);
      total_errors += direct.errors + gateway.errors;
      const std::string prefix = prepared ? "" : "text_";
      summary += absl::StrFormat(" %sc%d_ratio=%.3f %sc%d_added_p50_us=%.1f", prefix, c, ratio,
                                 prefix, c, added_p50);
      if (prepared && li + 1 == levels.size()) key_ratio = ratio;
      if (prepared) direct_prepared_qps[c] = direct.qps;
    }
  }
  if (run_gateway && absl::GetFlag(FLAGS_grpc_floor)) {
    for (int c : levels) {
      LatencyResult floor = RunGatewayLoad(LoadOptions(address, c, Mode::kGrpcOnly, seconds));
      PrintRow("grpc-only", "health", c, floor);
      total_errors += floor.errors;
      summary += absl::StrFormat(" grpc_only_c%d_qps=%.0f grpc_only_c%d_p50_us=%.1f", c,
                                 floor.qps, c, floor.p50_us);
      // A gateway query is a gRPC call like this one plus a database round
      // trip on the same cores, so (bare gRPC calls/s) / (direct queries/s)
      // bounds the gateway's ratio from above on this machine.
      if (auto it = direct_prepared_qps.find(c); it != direct_prepared_qps.end() && it->second > 0) {
        const double ceiling = floor.qps / it->second;
        std::printf("  ceiling for the gateway/direct ratio at c=%d: grpc-only/direct %.3f\n", c,
                    ceiling);
        summary += absl::StrFormat(" grpc_only_c%d_ceiling=%.3f", c, ceiling);
      }
    }
  }
  const double rss_after_load_mb = RssMb(**gw);
  std::printf("gateway VmRSS after the query cases: %.1f MB\n", rss_after_load_mb);
  gw->reset();  // Stops the gateway.

  std::string rss_summary;
  if (const int n = absl::GetFlag(FLAGS_idle_streams); n > 0) {
    IdleStreamsResult idle = RunIdleStreams(server, n);
    if (!idle.ran) {
      std::fprintf(stderr, "idle streams: %s\n", idle.first_error.c_str());
      ++total_errors;
    } else {
      std::printf(
          "idle streams: %d StreamQuery calls of '%s', none read; pool.max_open=%d "
          "pool.max_waiters=%d\n"
          "  running on the server: %d (each holds a pooled connection, blocked on gRPC "
          "flow control); waiting in the pool queue: %d; ended early: %d%s%s\n"
          "  gateway VmRSS: %.1f MB before, %.1f MB with the calls open (+%.1f MB), "
          "%.1f MB after cancelling them; healthy after: %s\n",
          idle.requested, kStreamSql, absl::GetFlag(FLAGS_max_open),
          absl::GetFlag(FLAGS_max_waiters), idle.running_on_server,
          idle.requested - idle.failed_early - std::max(0, idle.running_on_server),
          idle.failed_early, idle.first_error.empty() ? "" : ", first: ",
          idle.first_error.c_str(), idle.rss_before_mb, idle.rss_open_mb,
          idle.rss_open_mb - idle.rss_before_mb, idle.rss_after_mb,
          idle.healthy_after ? "yes" : "NO");
      total_errors += idle.failed_early + (idle.healthy_after ? 0 : 1);
      rss_summary = absl::StrFormat(
          " rss_idle_streams_mb=%.1f rss_before_mb=%.1f idle_running=%d idle_queued=%d",
          idle.rss_open_mb, idle.rss_before_mb, idle.running_on_server,
          idle.requested - idle.failed_early - std::max(0, idle.running_on_server));
    }
  }
  // The keys the issue's targets name first, then every case.
  std::string head = absl::StrFormat("ratio=%.3f", key_ratio);
  std::printf("BENCH query_bench %s%s%s errors=%lld\n", head.c_str(), summary.c_str(),
              rss_summary.c_str(), static_cast<long long>(total_errors));
  return total_errors == 0 ? 0 : 2;
}
