// Interception rules end to end: the real gateway binary with rules in its
// configuration file, real gRPC calls, a sandbox MariaDB. Every action and
// match kind is observed from the caller's side; hot reload (file change,
// SIGHUP, invalid file) from the caller's side and the gateway's log.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "server/http/test_client.h"
#include "server/sql/digest.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"
#include "tests/support/grpc_test_util.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::Sha256Hex;

constexpr char kAppToken[] = "rules-app-token";
constexpr char kReportingToken[] = "rules-reporting-token";

using testing::DetailOf;
using testing::Eventually;

class RulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    for (const std::string& sql : std::vector<std::string>{
             "CREATE DATABASE IF NOT EXISTS rules_a",
             "CREATE DATABASE IF NOT EXISTS rules_b",
             "CREATE TABLE IF NOT EXISTS rules_a.orders (id INT PRIMARY KEY, item TEXT)",
             "REPLACE INTO rules_a.orders VALUES (1, 'apple'), (2, 'pear')",
             "GRANT ALL ON rules_a.* TO " + server_->user + "@'%'",
             "GRANT ALL ON rules_b.* TO " + server_->user + "@'%'",
         }) {
      auto r = testing::QueryAsRoot(*server_, sql);
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status();
    }
  }

  // A gateway whose interception section is `interception` (YAML, indented
  // by two spaces under "interception:").
  static std::string Config(const std::string& interception) {
    return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 2
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/rules_a?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
  - name: analytics
    role: replica
    dsn: "mysql://USER@127.0.0.1:PORT/rules_b?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
auth:
  principals:
    - name: app
      token_sha256: ["APP_HASH"]
      databases: ["*"]
      operations: [read, write, ddl]
    - name: reporting
      token_sha256: ["REPORTING_HASH"]
      databases: ["*"]
      operations: [read]
interception:
INTERCEPTION
)",
                               {{"USER", server_->user},
                                {"PORT", std::to_string(server_->port)},
                                {"APP_HASH", Sha256Hex(kAppToken)},
                                {"REPORTING_HASH", Sha256Hex(kReportingToken)},
                                {"INTERCEPTION", interception}});
  }

  std::unique_ptr<GatewayProcess> Start(const std::string& interception,
                                        std::vector<std::string> extra_args = {}) {
    testing::GatewayProcessOptions options;
    options.config_yaml = Config(interception);
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", server_->password}};
    options.extra_args = std::move(extra_args);
    auto gw = GatewayProcess::Start(options);
    EXPECT_TRUE(gw.ok()) << gw.status();
    if (!gw.ok()) return nullptr;
    stub_ = v1::Gateway::NewStub(
        grpc::CreateChannel((*gw)->address(), grpc::InsecureChannelCredentials()));
    return *std::move(gw);
  }

  grpc::Status Query(const std::string& sql, v1::QueryResponse* resp,
                     const char* token = kAppToken) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::QueryRequest req;
    req.set_sql(sql);
    return stub_->Query(&ctx, req, resp);
  }
  // The first column of the first row, as text.
  std::string Scalar(const std::string& sql, const char* token = kAppToken) {
    v1::QueryResponse resp;
    grpc::Status s = Query(sql, &resp, token);
    EXPECT_TRUE(s.ok()) << sql << ": " << s.error_message();
    if (!s.ok() || resp.results_size() == 0 || resp.results(0).rows_size() == 0) return "";
    const v1::Value& v = resp.results(0).rows(0).values(0);
    if (v.has_string()) return v.string();
    if (v.has_int64()) return std::to_string(v.int64());
    if (v.has_uint64()) return std::to_string(v.uint64());
    if (v.has_null()) return "NULL";
    return v.DebugString();
  }
  static void Rewrite(const GatewayProcess& gw, const std::string& interception) {
    const std::string tmp = gw.config_path() + ".tmp";
    std::ofstream(tmp) << Config(interception);
    ASSERT_EQ(std::rename(tmp.c_str(), gw.config_path().c_str()), 0);
  }
  static const testing::ServerInfo* server_;
  std::unique_ptr<v1::Gateway::Stub> stub_;
};

const testing::ServerInfo* RulesTest::server_ = nullptr;

TEST_F(RulesTest, DenyGivesTheConfiguredErrorAndCodeAndNeverReachesTheServer) {
  auto gw = Start(R"(
  rules:
    - name: no-drops
      match:
        statement_kinds: [ddl]
        sql_regex: "^\\s*drop\\s"
      action:
        verdict: deny
        error: {mysql_errno: 3100, sql_state: "HY000", message: "drops are disabled here",
                grpc_code: FAILED_PRECONDITION}
)");
  ASSERT_NE(gw, nullptr);
  ASSERT_TRUE(testing::QueryAsRoot(*server_, "CREATE TABLE IF NOT EXISTS rules_a.keep (x INT)")
                  .ok());
  v1::QueryResponse resp;
  grpc::Status s = Query("DROP TABLE keep", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  v1::MySqlError e = DetailOf(s);
  EXPECT_EQ(e.code(), 3100u);
  EXPECT_EQ(e.sql_state(), "HY000");
  EXPECT_EQ(e.message(), "drops are disabled here");
  // The table is still there: the statement never reached the server.
  auto r = testing::QueryAsRoot(*server_,
                                "SELECT COUNT(*) FROM information_schema.tables WHERE "
                                "table_schema='rules_a' AND table_name='keep'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(absl::StripAsciiWhitespace(*r), "1");
  // Other DDL is untouched by the rule.
  EXPECT_TRUE(Query("CREATE TABLE IF NOT EXISTS keep2 (x INT)", &resp).ok());
}

TEST_F(RulesTest, RespondAnswersWithoutTheBackendAndRewriteChangesTheText) {
  auto gw = Start(R"(
  rules:
    - name: version
      match: {sql_regex: "^select @@mysqlgw_version$"}
      action:
        verdict: respond
        respond:
          columns: [version, extra]
          rows: [{values: ["0.1.0"]}, {values: ["x", "y"]}]
    - name: legacy-table
      match: {tables: [legacy_orders]}
      action:
        rewrite_pattern: "\\blegacy_orders\\b"
        rewrite_replacement: "orders"
)");
  ASSERT_NE(gw, nullptr);
  v1::QueryResponse resp;
  ASSERT_TRUE(Query("SELECT @@mysqlgw_version", &resp).ok());
  ASSERT_EQ(resp.results_size(), 1);
  const v1::ResultSet& rs = resp.results(0);
  ASSERT_EQ(rs.columns_size(), 2);
  EXPECT_EQ(rs.columns(0).name(), "version");
  ASSERT_EQ(rs.rows_size(), 2);
  EXPECT_EQ(rs.rows(0).values(0).string(), "0.1.0");
  EXPECT_TRUE(rs.rows(0).values(1).has_null());
  EXPECT_EQ(rs.rows(1).values(1).string(), "y");

  EXPECT_EQ(Scalar("SELECT item FROM legacy_orders WHERE id = 2"), "pear");
}

TEST_F(RulesTest, RoutePrincipalAddressAndNegation) {
  auto gw = Start(R"(
  rules:
    - name: analytics-route
      match: {sql_regex: "/\\* analytics \\*/"}
      action: {route: analytics}
    - name: reporting
      match: {principals: [reporting]}
      flag_out: 7
    - name: reporting-only-from-10
      flag_in: 7
      match: {client_cidrs: ["10.0.0.0/8"], negate: true}
      action:
        verdict: deny
        error: {mysql_errno: 1227, sql_state: "42000", message: "reporting only from 10/8"}
)");
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(Scalar("SELECT DATABASE()"), "rules_a");
  EXPECT_EQ(Scalar("SELECT /* analytics */ DATABASE()"), "rules_b");
  // Only "reporting" reaches flag 7, where the negated address match
  // refuses it from anywhere outside 10/8 (the test runs on loopback).
  EXPECT_EQ(Scalar("SELECT 'app is fine'"), "app is fine");
  v1::QueryResponse resp;
  grpc::Status s = Query("SELECT 1", &resp, kReportingToken);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailOf(s).message(), "reporting only from 10/8");
  EXPECT_EQ(DetailOf(s).code(), 1227u);
}

TEST_F(RulesTest, LimitsTimeoutsAndRateLimits) {
  auto gw = Start(R"(
  rules:
    - name: small-results
      match: {sql_regex: "seq_1_to_"}
      action: {max_rows: 5}
    - name: short-sleeps
      match: {sql_regex: "sleep\\("}
      action: {timeout: "300ms"}
    - name: slow-down
      match: {sql_regex: "rate_me"}
      action: {rate_limit: {queries_per_second: 0.1, burst: 2}}
)");
  ASSERT_NE(gw, nullptr);
  v1::QueryResponse resp;
  EXPECT_TRUE(Query("SELECT seq FROM seq_1_to_5", &resp).ok());
  resp.Clear();
  grpc::Status s = Query("SELECT seq FROM seq_1_to_100", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "max_rows")) << s.error_message();

  const auto start = std::chrono::steady_clock::now();
  s = Query("SELECT SLEEP(5)", &resp);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(s.ok());
  EXPECT_LT(took, std::chrono::seconds(3));

  EXPECT_TRUE(Query("SELECT 'rate_me'", &resp).ok());
  EXPECT_TRUE(Query("SELECT 'rate_me'", &resp).ok());
  s = Query("SELECT 'rate_me'", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(DetailOf(s).code(), 1226u);
  EXPECT_EQ(DetailOf(s).sql_state(), "42000");
  // Other statements are not limited.
  EXPECT_TRUE(Query("SELECT 1", &resp).ok());
}

TEST_F(RulesTest, FlagChainingAndAuditLog) {
  const std::string audit = std::string(getenv("TEST_TMPDIR")) + "/audit.jsonl";
  std::remove(audit.c_str());
  auto gw = Start(absl::StrCat(R"(
  audit_log_file: ")", audit, R"("
  rules:
    - name: selects
      match: {statement_kinds: [select]}
      flag_out: 5
    - name: secret-selects
      flag_in: 5
      match: {sql_regex: "secret"}
      action:
        verdict: deny
        audit: true
        error: {message: "no secrets"}
    - name: audit-orders
      match: {tables: [orders]}
      action: {audit: true}
)"));
  ASSERT_NE(gw, nullptr);
  v1::QueryResponse resp;
  grpc::Status s = Query("SELECT 'secret'", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailOf(s).code(), 1105u);  // The default errno.
  // An UPDATE does not set the flag, so "secret-selects" is not considered;
  // nor is "audit-orders" for a select (the flag moved to 5).
  EXPECT_TRUE(Query("UPDATE orders SET item = 'apple' WHERE item = 'secret'", &resp).ok());
  EXPECT_TRUE(Query("SELECT item FROM orders WHERE id = 1", &resp).ok());

  std::ifstream in(audit);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[0], "\"rules\":[\"selects\",\"secret-selects\"]"))
      << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "\"verdict\":\"reject\"")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "\"principal\":\"app\"")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[1], "\"kind\":\"update\"")) << lines[1];
  EXPECT_TRUE(absl::StrContains(lines[1], "\"backend\":\"primary\"")) << lines[1];
  // Literals never reach the audit log.
  for (const auto& line : lines) EXPECT_FALSE(absl::StrContains(line, "secret'")) << line;
  EXPECT_FALSE(absl::StrContains(lines[1], "'apple'")) << lines[1];
}

TEST_F(RulesTest, HotReloadOnFileChangeAndSighupKeepsTheOldPolicyWhenInvalid) {
  auto gw = Start("  rules: []\n", {"--config_poll_ms=100"});
  ASSERT_NE(gw, nullptr);
  v1::QueryResponse resp;
  ASSERT_TRUE(Query("SELECT 42", &resp).ok());

  const std::string deny_42 = R"(
  rules:
    - name: no-42
      match: {sql_regex: "42"}
      action: {verdict: deny, error: {message: "42 is banned"}}
)";
  Rewrite(*gw, deny_42);
  EXPECT_TRUE(Eventually([&] {
    v1::QueryResponse r;
    return Query("SELECT 42", &r).error_code() == grpc::StatusCode::PERMISSION_DENIED;
  })) << gw->Log();

  // An invalid file is refused; the rule in force stays.
  Rewrite(*gw, R"(
  rules:
    - name: broken
      match: {sql_regex: "(unclosed"}
)");
  EXPECT_TRUE(Eventually([&] { return absl::StrContains(gw->Log(), "rejected"); }))
      << gw->Log();
  EXPECT_TRUE(absl::StrContains(gw->Log(), "broken")) << gw->Log();
  EXPECT_EQ(Query("SELECT 42", &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // In-flight calls finish under the policy they started with.
  std::promise<grpc::Status> slow;
  std::thread in_flight([&] {
    v1::QueryResponse r;
    slow.set_value(Query("SELECT SLEEP(1), 'tolerated'", &r));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Rewrite(*gw, R"(
  rules:
    - name: no-tolerated
      match: {sql_regex: "tolerated"}
      action: {verdict: deny}
)");
  EXPECT_TRUE(slow.get_future().get().ok());
  in_flight.join();
  EXPECT_TRUE(Eventually([&] {
    v1::QueryResponse r;
    return Query("SELECT 'tolerated'", &r).error_code() == grpc::StatusCode::PERMISSION_DENIED;
  }));
  EXPECT_TRUE(Query("SELECT 42", &resp).ok());  // The new policy dropped no-42.

  // SIGHUP reloads too (the file poller would as well; both are safe).
  std::ofstream(gw->config_path()) << Config("  rules: []\n");
  gw->Signal(SIGHUP);
  EXPECT_TRUE(Eventually([&] {
    v1::QueryResponse r;
    return Query("SELECT 'tolerated'", &r).ok();
  }));
}

TEST_F(RulesTest, MetricsAndTheLearnedAllowlistOnTheAdminPort) {
  const std::string port_file = std::string(getenv("TEST_TMPDIR")) + "/admin_port";
  const std::string slow_log = std::string(getenv("TEST_TMPDIR")) + "/slow.jsonl";
  std::remove(slow_log.c_str());
  auto gw = Start(absl::StrCat(R"(
  allowlist: {mode: learn}
  rules:
    - name: counted
      match: {sql_regex: "counted"}
    - name: refused
      match: {sql_regex: "refused"}
      action: {verdict: deny}
observability:
  slow_statement_threshold: "200ms"
  slow_log_file: ")",
                               slow_log, "\"\n"),
                  {"--admin_address=127.0.0.1:0", "--admin_port_file=" + port_file});
  ASSERT_NE(gw, nullptr);
  int admin_port = 0;
  std::ifstream(port_file) >> admin_port;
  ASSERT_GT(admin_port, 0);
  v1::QueryResponse resp;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Query(absl::StrCat("SELECT 'counted', ", i), &resp).ok());
  EXPECT_FALSE(Query("SELECT 'refused'", &resp).ok());
  EXPECT_TRUE(Query("SELECT SLEEP(0.3), 'slowpoke'", &resp).ok());

  auto metrics = http::testing::Fetch("127.0.0.1", admin_port, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  for (const char* line : {"mysqlgw_rule_matches_total{rule=\"counted\"} 3",
                           "mysqlgw_rule_matches_total{rule=\"refused\"} 1",
                           "mysqlgw_statements_intercepted_total{verdict=\"reject\"} 1",
                           "mysqlgw_statements_intercepted_total{verdict=\"pass\"} 4",
                           "mysqlgw_policy_generation 1",
                           "mysqlgw_slow_statements_total 1"}) {
    EXPECT_TRUE(absl::StrContains(metrics->body(), line)) << line << "\n" << metrics->body();
  }
  // Learn mode recorded one digest for the three selects (literals differ
  // only), ready to paste into the configuration.
  auto learned = http::testing::Fetch("127.0.0.1", admin_port, "/allowlist");
  ASSERT_TRUE(learned.ok()) << learned.status();
  EXPECT_TRUE(absl::StrContains(learned->body(), "principal: \"app\"")) << learned->body();
  EXPECT_TRUE(absl::StrContains(learned->body(),
                                DigestHex(DigestStatement("SELECT 'counted', 0").hash)))
      << learned->body();

  // Statistics by digest: the three selects are one line with 3 calls.
  auto digests = http::testing::Fetch("127.0.0.1", admin_port, "/digests");
  ASSERT_TRUE(digests.ok()) << digests.status();
  const std::string counted_hex = DigestHex(DigestStatement("SELECT 'counted', 0").hash);
  const size_t at = digests->body().find(counted_hex);
  ASSERT_NE(at, std::string::npos) << digests->body();
  EXPECT_TRUE(absl::StartsWith(
      absl::StripLeadingAsciiWhitespace(digests->body().substr(at + counted_hex.size())), "3 "))
      << digests->body();
  // The slow statement, and only it, in the slow log, without its literal.
  std::ifstream in(slow_log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 1u) << gw->Log();
  EXPECT_TRUE(absl::StrContains(lines[0], "SLEEP")) << lines[0];
  EXPECT_FALSE(absl::StrContains(lines[0], "slowpoke")) << lines[0];
}

}  // namespace
}  // namespace mysqlgw
