// Oversized requests and result limits: a message over the gRPC receive
// limit, SQL over the gateway's statement limit, more parameters than the
// statement or the server takes, and results over max_rows / max_bytes all
// fail with the documented code (never a silently truncated result), and
// the gateway serves the next call normally with its pool back to idle.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/security/security_fixture.h"
#include "tests/support/grpc_test_util.h"

namespace mysqlgw::security {
namespace {

constexpr char kToken[] = "limits-token-0123456789";

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
  }
  RunningGateway Start(const std::string& listen_extra, const std::string& extra) {
    GatewaySpec spec;
    spec.principals = {{"app", kToken}};
    spec.listen_extra = listen_extra;
    spec.extra = extra;
    auto gw = StartGateway(*server_, spec);
    EXPECT_TRUE(gw.ok()) << gw.status();
    return gw.ok() ? *std::move(gw) : RunningGateway{};
  }
  // The gateway answers and its pool holds no connection in use.
  static void ExpectHealthy(RunningGateway& gw) {
    Caller c(gw.address(), kToken);
    EXPECT_EQ(c.Scalar("SELECT 40 + 2"), "42");
    EXPECT_TRUE(testing::Eventually([&] {
      auto m = ScrapeMetrics(gw.admin_port);
      return m.ok() &&
             absl::StrContains(*m, "mysqlgw_pool_connections_in_use{backend=\"primary\"} 0\n") &&
             absl::StrContains(*m, "mysqlgw_pool_waiters{backend=\"primary\"} 0\n");
    }));
  }

  const testing::ServerInfo* server_ = nullptr;
};

TEST_F(LimitsTest, MessageOverTheReceiveLimitIsResourceExhausted) {
  RunningGateway gw = Start("  max_request_bytes: 1048576\n", "");
  ASSERT_NE(gw.process, nullptr);
  Caller c(gw.address(), kToken);
  grpc::Status s = c.Query(absl::StrCat("SELECT '", std::string(2 << 20, 'x'), "'"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  // Parameters count towards the message too.
  v1::QueryRequest req;
  req.set_sql("SELECT ?");
  req.add_params()->set_bytes(std::string(2 << 20, 'y'));
  s = c.Query(req, nullptr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  // Just under the limit is served.
  v1::QueryResponse resp;
  ASSERT_TRUE(c.Query(absl::StrCat("SELECT LENGTH('", std::string(900 << 10, 'x'), "')"), &resp)
                  .ok());
  EXPECT_EQ(ValueText(resp.results(0).rows(0).values(0)), std::to_string(900 << 10));
  ExpectHealthy(gw);
}

TEST_F(LimitsTest, SqlOverTheStatementLimitIsInvalidArgument) {
  // The gRPC limit raised above the gateway's own 16 MiB statement limit.
  RunningGateway gw = Start("  max_request_bytes: 33554432\n", "");
  ASSERT_NE(gw.process, nullptr);
  Caller c(gw.address(), kToken);
  const std::string sql = absl::StrCat("SELECT '", std::string((16 << 20) + 16, 'x'), "'");
  grpc::Status s = c.Query(sql);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "the limit is 16777216")) << s.error_message();
  v1::ExecuteRequest exec;
  exec.set_sql(sql);
  EXPECT_EQ(c.Execute(exec, nullptr).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::QueryRequest stream;
  stream.set_sql(sql);
  EXPECT_EQ(c.StreamQuery(stream).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ExpectHealthy(gw);
}

TEST_F(LimitsTest, TooManyParametersAreRefused) {
  RunningGateway gw = Start("", "");
  ASSERT_NE(gw.process, nullptr);
  Caller c(gw.address(), kToken);
  // More parameters than placeholders.
  v1::QueryRequest more;
  more.set_sql("SELECT ?");
  for (int i = 0; i < 70000; ++i) more.add_params()->set_int64(i);
  for (auto mode : {v1::PARAMETER_MODE_PREPARED, v1::PARAMETER_MODE_INTERPOLATED}) {
    more.mutable_options()->set_parameter_mode(mode);
    grpc::Status s = c.Query(more, nullptr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << mode << " " << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "placeholder")) << s.error_message();
  }
  // More placeholders than a prepared statement may have (65535): the
  // server's refusal, passed on as a bad request.
  v1::QueryRequest many;
  std::string sql = "SELECT ?";
  for (int i = 1; i < 70000; ++i) sql += ",?";
  many.set_sql(sql);
  for (int i = 0; i < 70000; ++i) many.add_params()->set_int64(i);
  grpc::Status s = c.Query(many, nullptr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(testing::DetailOf(s).code(), 1390u) << s.error_message();  // ER_PS_MANY_PARAM
  ExpectHealthy(gw);
}

TEST_F(LimitsTest, ResultsOverMaxRowsOrMaxBytesFailInsteadOfBeingTruncated) {
  RunningGateway gw = Start("", "limits:\n  default_max_rows: 100\n  default_max_bytes: 65536\n");
  ASSERT_NE(gw.process, nullptr);
  Caller c(gw.address(), kToken);
  // Exactly the limit: every row.
  v1::QueryResponse resp;
  ASSERT_TRUE(c.Query("SELECT seq FROM seq_1_to_100", &resp).ok());
  ASSERT_EQ(resp.results(0).rows_size(), 100);
  EXPECT_EQ(ValueText(resp.results(0).rows(99).values(0)), "100");
  // One more: RESOURCE_EXHAUSTED, no rows.
  resp.Clear();
  grpc::Status s = c.Query("SELECT seq FROM seq_1_to_101", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "max_rows")) << s.error_message();
  EXPECT_EQ(resp.results_size(), 0);
  // Bytes: 100 rows of 1000 bytes is over 64 KiB.
  resp.Clear();
  s = c.Query("SELECT REPEAT('x', 1000) FROM seq_1_to_100", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "max_bytes")) << s.error_message();
  EXPECT_EQ(resp.results_size(), 0);
  // A call's own, tighter limit.
  v1::QueryRequest tight;
  tight.set_sql("SELECT seq FROM seq_1_to_10");
  tight.mutable_options()->set_max_rows(5);
  s = c.Query(tight, nullptr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  // Every result set of a multi-result call counts (CALL-like texts need
  // admin; a UNION is one result): 60 + 60 rows.
  s = c.Query("SELECT seq FROM seq_1_to_60 UNION ALL SELECT seq FROM seq_1_to_60");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  // StreamQuery is the way to read a large result: all of it arrives.
  v1::QueryRequest big;
  big.set_sql("SELECT seq, REPEAT('y', 100) FROM seq_1_to_5000");
  std::vector<v1::StreamQueryResponse> chunks;
  s = c.StreamQuery(big, &chunks);
  ASSERT_TRUE(s.ok()) << s.error_message();
  uint64_t rows = 0, last = 0, footer_count = 0;
  for (const auto& chunk : chunks) {
    if (chunk.has_rows()) {
      for (const auto& row : chunk.rows().rows()) {
        ++rows;
        last = std::stoull(ValueText(row.values(0)));
      }
    }
    if (chunk.has_footer()) footer_count = chunk.footer().row_count();
  }
  EXPECT_EQ(rows, 5000u);
  EXPECT_EQ(last, 5000u);
  EXPECT_EQ(footer_count, 5000u);
  ExpectHealthy(gw);
}

}  // namespace
}  // namespace mysqlgw::security
