// The gateway's metrics as operators meet them: the real gateway's /metrics
// endpoint checked by promtool and scraped by a real Prometheus, whose API
// must report the number of calls this test made.
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "server/http/test_client.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/metrics/prometheus_server.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

constexpr char kToken[] = "metrics-token-0123456789";

std::string TempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

TEST(GatewayMetricsTest, PrometheusCountsTheCallsThisTestMade) {
  auto server = testing::SharedServer();
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string port_file = TempDir() + "/admin.port";
  testing::GatewayProcessOptions options;
  options.config_yaml = absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 1
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/mysqlgw_test?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
auth:
  principals:
    - name: app
      token_sha256: ["HASH"]
      databases: ["*"]
      operations: [read]
)",
                                            {{"USER", (*server)->user},
                                             {"PORT", std::to_string((*server)->port)},
                                             {"HASH", testing::Sha256Hex(kToken)}});
  options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", (*server)->password}};
  options.extra_args = {"--admin_address=127.0.0.1:0", "--admin_port_file=" + port_file};
  auto gw = testing::GatewayProcess::Start(options);
  ASSERT_TRUE(gw.ok()) << gw.status();
  int admin_port = 0;
  {
    std::ifstream in(port_file);
    in >> admin_port;
  }
  ASSERT_GT(admin_port, 0);

  // 3 successful queries and 2 unauthenticated ones.
  auto stub = v1::Gateway::NewStub(
      grpc::CreateChannel((*gw)->address(), grpc::InsecureChannelCredentials()));
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext ctx;
    if (i < 3) ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::QueryRequest req;
    req.set_sql("SELECT 1");
    v1::QueryResponse resp;
    grpc::Status s = stub->Query(&ctx, req, &resp);
    EXPECT_EQ(s.ok(), i < 3) << s.error_message();
  }

  auto ready = http::testing::Fetch("127.0.0.1", admin_port, "/readyz");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->result_int(), 200);
  auto scrape = http::testing::Fetch("127.0.0.1", admin_port, "/metrics");
  ASSERT_TRUE(scrape.ok()) << scrape.status();
  ASSERT_EQ(scrape->result_int(), 200);
  const std::string body = scrape->body();
  EXPECT_NE(body.find("mysqlgw_rpc_requests_total{method=\"Query\",code=\"OK\"} 3\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("mysqlgw_rpc_requests_total{method=\"Query\",code=\"UNAUTHENTICATED\"} 2\n"),
            std::string::npos);
  EXPECT_NE(body.find("mysqlgw_rpc_duration_seconds_count{method=\"Query\"} 5\n"),
            std::string::npos);
  EXPECT_NE(body.find("mysqlgw_pool_connections_open{backend=\"primary\"} 1\n"), std::string::npos);
  EXPECT_NE(body.find("process_resident_memory_bytes"), std::string::npos);
  // No secret reaches the metrics.
  EXPECT_EQ(body.find(kToken), std::string::npos);
  EXPECT_EQ(body.find((*server)->password), std::string::npos);

  // promtool accepts the exposition.
  absl::StatusOr<std::string> promtool = testing::FindInPath("promtool");
  ASSERT_TRUE(promtool.ok()) << promtool.status();
  testing::CommandOptions check_options;
  check_options.stdin_data = body;
  check_options.timeout = absl::Seconds(20);
  auto check = testing::RunProcess({*promtool, "check", "metrics"}, check_options);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->exit_code, 0) << check->stdout_data << check->stderr_data;

  // A real Prometheus scraping the gateway reports the same count.
  const std::string dir = TempDir() + "/prometheus";
  ASSERT_EQ(std::system(absl::StrCat("mkdir -p '", dir, "'").c_str()), 0);
  auto prometheus =
      testing::PrometheusServer::Start({absl::StrCat("127.0.0.1:", admin_port)}, dir);
  ASSERT_TRUE(prometheus.ok()) << prometheus.status();
  absl::Status seen = (*prometheus)->WaitForValue(
      "mysqlgw_rpc_requests_total{method=\"Query\",code=\"OK\"}", "3",
      absl::Now() + absl::Seconds(30));
  EXPECT_TRUE(seen.ok()) << seen << "\n" << (*prometheus)->Log();
}

}  // namespace
}  // namespace mysqlgw
