// Secrets stay secret: the backend password and every caller's token (and
// its hash) never appear in what callers get back (error messages and the
// MySqlError details of many kinds of failure) nor in what the admin port
// serves (/metrics, /digests, /backends). Literal values sent in SQL do not
// reach /digests either (digests keep placeholders). The gateway's own log
// is covered by tests/observability and tests/gateway/gateway_lifecycle_test.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "server/http/test_client.h"
#include "testing/sandbox.h"
#include "tests/security/security_fixture.h"
#include "tests/support/grpc_test_util.h"

namespace mysqlgw::security {
namespace {

constexpr char kAdminToken[] = "secret-admin-token-0123456789";
constexpr char kReaderToken[] = "secret-reader-token-0123456789";
constexpr char kLiteral[] = "literal-secret-4f2a9c";

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
  }
  std::vector<std::string> Secrets(const std::string& backend_password) const {
    return {backend_password, kAdminToken, kReaderToken, testing::Sha256Hex(kAdminToken),
            testing::Sha256Hex(kReaderToken)};
  }
  static void ExpectNoSecret(const std::string& where, const std::string& text,
                             const std::vector<std::string>& secrets) {
    for (const std::string& secret : secrets) {
      EXPECT_FALSE(absl::StrContains(text, secret)) << where << " contains a secret: " << text;
    }
  }
  static void ExpectNoSecret(const std::string& where, const grpc::Status& s,
                             const std::vector<std::string>& secrets) {
    ExpectNoSecret(where + " (message)", s.error_message(), secrets);
    ExpectNoSecret(where + " (details)", s.error_details(), secrets);
    ExpectNoSecret(where + " (MySqlError)", testing::DetailOf(s).message(), secrets);
  }
  static std::string Page(int port, const std::string& path) {
    auto r = http::testing::Fetch("127.0.0.1", port, path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status();
    return r.ok() ? r->body() : "";
  }

  const testing::ServerInfo* server_ = nullptr;
};

TEST_F(SecretsTest, NoSecretInErrorsMetricsOrAdminPages) {
  GatewaySpec spec;
  spec.principals = {{"admin", kAdminToken},
                     {"reader", kReaderToken, {"mysqlgw_test"}, {"read"}}};
  auto gw = StartGateway(*server_, spec);
  ASSERT_TRUE(gw.ok()) << gw.status();
  const std::vector<std::string> secrets = Secrets(server_->password);
  Caller admin(gw->address(), kAdminToken);
  Caller reader(gw->address(), kReaderToken);
  Caller wrong(gw->address(), std::string(kAdminToken) + "-wrong");
  Caller nobody(gw->address(), "");

  std::vector<std::pair<std::string, grpc::Status>> failures = {
      {"syntax error", admin.Query(absl::StrCat("SELEC '", kLiteral, "'"))},
      {"unknown table", admin.Query("SELECT * FROM no_such_table")},
      {"server access denied", admin.Query("SELECT * FROM mysql.no_such_table_x")},
      {"permission denied", reader.Execute("DELETE FROM no_such_table")},
      {"other database", reader.Query("SELECT 1 FROM mysql.user")},
      {"wrong token", wrong.Query("SELECT 1")},
      {"no token", nobody.Query("SELECT 1")},
      {"unknown transaction", admin.Commit("tx-0-00000000000000000000000000000000")},
      {"bad parameter", [&] {
         v1::QueryRequest req;
         req.set_sql("SELECT ?");
         req.add_params()->set_decimal(absl::StrCat(kLiteral, "x"));
         return admin.Query(req, nullptr);
       }()},
      {"server-side error text", admin.Query("SELECT CAST('x' AS JSON) FROM DUAL")},
      {"duplicate key",
       [&] {
         (void)admin.Execute("CREATE TABLE IF NOT EXISTS sec_dup (id INT PRIMARY KEY)");
         (void)admin.Execute("INSERT IGNORE INTO sec_dup VALUES (1)");
         return admin.Execute("INSERT INTO sec_dup VALUES (1)");
       }()},
  };
  for (const auto& [what, status] : failures) {
    EXPECT_FALSE(status.ok()) << what;
    ExpectNoSecret(what, status, secrets);
  }
  // Successful calls with secrets as plain data are fine, and then the
  // admin pages must not repeat the literal.
  EXPECT_EQ(admin.Scalar(absl::StrCat("SELECT LENGTH('", kLiteral, "')")), "21");

  const std::string metrics = Page(gw->admin_port, "/metrics");
  ASSERT_TRUE(absl::StrContains(metrics, "mysqlgw_rpc_requests_total")) << metrics;
  ExpectNoSecret("/metrics", metrics, secrets);
  ExpectNoSecret("/metrics", metrics, {kLiteral});
  const std::string digests = Page(gw->admin_port, "/digests");
  ExpectNoSecret("/digests", digests, secrets);
  ExpectNoSecret("/digests", digests, {kLiteral});
  ExpectNoSecret("/backends", Page(gw->admin_port, "/backends"), secrets);
}

TEST_F(SecretsTest, AWrongBackendPasswordIsNotEchoed) {
  // The gateway starts (pools connect lazily) with a wrong backend password;
  // callers see UNAVAILABLE without the password, the server's
  // access-denied text for the gateway's account, or the tokens.
  const std::string wrong_password = "Wr0ng-Backend-Pa55word-secret";
  GatewaySpec spec;
  spec.principals = {{"admin", kAdminToken}};
  spec.backend_password = wrong_password;
  auto gw = StartGateway(*server_, spec);
  ASSERT_TRUE(gw.ok()) << gw.status();
  Caller admin(gw->address(), kAdminToken);
  for (int i = 0; i < 3; ++i) {
    grpc::Status s = admin.Query("SELECT 1");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    ExpectNoSecret("wrong backend password", s, Secrets(wrong_password));
    ExpectNoSecret("wrong backend password", s, {server_->password});
    std::string tx;
    ExpectNoSecret("begin", admin.Begin(&tx), Secrets(wrong_password));
  }
  const std::string metrics = Page(gw->admin_port, "/metrics");
  EXPECT_TRUE(absl::StrContains(metrics, "mysqlgw_pool_connect_failures_total{backend=\"primary\"}"))
      << metrics;
  ExpectNoSecret("/metrics", metrics, Secrets(wrong_password));
  ExpectNoSecret("/backends", Page(gw->admin_port, "/backends"), Secrets(wrong_password));
}

}  // namespace
}  // namespace mysqlgw::security
