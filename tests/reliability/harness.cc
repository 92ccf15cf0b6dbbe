#include "tests/reliability/harness.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/http/test_client.h"

namespace mysqlgw::testing {
namespace {

std::string TempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

void Authorize(grpc::ClientContext& ctx, std::chrono::milliseconds deadline) {
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kReliabilityToken));
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
}

}  // namespace

std::string ReliabilityConfig(const ServerInfo& server, const GatewaySettings& settings) {
  return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 1
shutdown_grace_period: "5s"
backends:
  - name: primary
    dsn: "mysql://USER@HOST:PORT/DATABASE?ssl-mode=disabled"
    password_env: MYSQLGW_RELIABILITY_PASSWORD
    pool:
      max_open: MAX_OPEN
      connect_timeout: "CONNECT_TIMEOUT"
auth:
  principals:
    - name: app
      token_sha256: ["HASH"]
      databases: ["*"]
      operations: [read, write, ddl, admin, binlog]
EXTRA
)",
                             {{"USER", server.user},
                              {"HOST", settings.backend_host},
                              {"PORT", std::to_string(settings.backend_port)},
                              {"DATABASE", server.database},
                              {"MAX_OPEN", std::to_string(settings.max_open)},
                              {"CONNECT_TIMEOUT", settings.connect_timeout},
                              {"HASH", Sha256Hex(kReliabilityToken)},
                              {"EXTRA", settings.extra}});
}

absl::StatusOr<RunningGateway> StartReliabilityGateway(const ServerInfo& server,
                                                       const GatewaySettings& settings) {
  static std::atomic<int> counter{0};
  const std::string admin_port_file =
      absl::StrCat(TempDir(), "/admin_port.", getpid(), ".", counter.fetch_add(1));
  GatewayProcessOptions options;
  options.config_yaml = ReliabilityConfig(server, settings);
  options.env = {{"MYSQLGW_RELIABILITY_PASSWORD", server.password}};
  options.extra_args = {"--admin_address=127.0.0.1:0", "--admin_port_file=" + admin_port_file};
  absl::StatusOr<std::unique_ptr<GatewayProcess>> process = GatewayProcess::Start(options);
  if (!process.ok()) return process.status();
  RunningGateway gw;
  gw.process = *std::move(process);
  // The admin port is written before the gRPC port the start waited for.
  std::ifstream(admin_port_file) >> gw.admin_port;
  if (gw.admin_port <= 0) return absl::InternalError("no admin port written");
  gw.stub = v1::Gateway::NewStub(
      grpc::CreateChannel(gw.process->address(), grpc::InsecureChannelCredentials()));
  return gw;
}

CallResult TimedQuery(v1::Gateway::Stub& stub, const std::string& sql,
                      std::chrono::milliseconds deadline) {
  CallResult r;
  grpc::ClientContext ctx;
  Authorize(ctx, deadline);
  v1::QueryRequest req;
  req.set_sql(sql);
  const auto start = std::chrono::steady_clock::now();
  r.status = stub.Query(&ctx, req, &r.response);
  r.elapsed = std::chrono::steady_clock::now() - start;
  return r;
}

StreamResult TimedStreamQuery(v1::Gateway::Stub& stub, const std::string& sql,
                              std::chrono::milliseconds deadline) {
  StreamResult r;
  grpc::ClientContext ctx;
  Authorize(ctx, deadline);
  v1::QueryRequest req;
  req.set_sql(sql);
  const auto start = std::chrono::steady_clock::now();
  auto reader = stub.StreamQuery(&ctx, req);
  v1::StreamQueryResponse resp;
  while (reader->Read(&resp)) {
    if (resp.has_rows()) r.rows += resp.rows().rows_size();
  }
  r.status = reader->Finish();
  r.elapsed = std::chrono::steady_clock::now() - start;
  return r;
}

CallResult TimedExecute(v1::Gateway::Stub& stub, const std::string& sql,
                        std::chrono::milliseconds deadline, bool idempotent) {
  CallResult r;
  grpc::ClientContext ctx;
  Authorize(ctx, deadline);
  v1::ExecuteRequest req;
  req.set_sql(sql);
  req.mutable_options()->set_idempotent(idempotent);
  v1::ExecuteResponse resp;
  const auto start = std::chrono::steady_clock::now();
  r.status = stub.Execute(&ctx, req, &resp);
  r.elapsed = std::chrono::steady_clock::now() - start;
  return r;
}

absl::StatusOr<PoolGauges> ScrapePool(int admin_port) {
  auto scrape = http::testing::Fetch("127.0.0.1", admin_port, "/metrics");
  if (!scrape.ok()) return scrape.status();
  if (scrape->result_int() != 200) return absl::InternalError("/metrics did not answer 200");
  PoolGauges g;
  for (absl::string_view line : absl::StrSplit(scrape->body(), '\n')) {
    auto value = [&](absl::string_view name, int64_t* out) {
      absl::string_view rest = line;
      if (!absl::ConsumePrefix(&rest, name) ||
          !absl::ConsumePrefix(&rest, "{backend=\"primary\"} ")) {
        return;
      }
      double v = 0;
      if (absl::SimpleAtod(rest, &v)) *out = static_cast<int64_t>(v);
    };
    value("mysqlgw_pool_connections_open", &g.open);
    value("mysqlgw_pool_connections_in_use", &g.in_use);
    value("mysqlgw_pool_waiters", &g.waiters);
  }
  if (g.open < 0 || g.in_use < 0) return absl::NotFoundError("pool gauges missing");
  return g;
}

bool ProcessAlive(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  if (stat.empty()) return false;
  // The state follows the command name in parentheses.
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z' &&
         stat[paren + 2] != 'X';
}

}  // namespace mysqlgw::testing
