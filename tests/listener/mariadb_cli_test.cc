// The mariadb CLI (libmariadb underneath) through the gateway's MySQL
// listener: queries, USE, errors with their errno, TLS, authentication and
// the principals' permissions.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/listener/listener_fixture.h"

namespace mysqlgw::testing {
namespace {

using ::testing::HasSubstr;

class MariadbCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<const ServerInfo*> server = SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    ASSERT_TRUE(QueryAsRoot(*server_,
                            "CREATE TABLE IF NOT EXISTS mysqlgw_test.cli_items "
                            "(id INT PRIMARY KEY, name VARCHAR(40));"
                            "REPLACE INTO mysqlgw_test.cli_items VALUES (1, 'apple'), (2, 'pear')")
                    .ok());
  }
  void SetUp() override {
    ASSERT_FALSE(FindProgram("mariadb").empty()) << "the mariadb CLI is not installed";
  }
  std::unique_ptr<ListenerGateway> Start(ListenerOptions options = {}) {
    absl::StatusOr<std::unique_ptr<ListenerGateway>> gw = ListenerGateway::Start(*server_, options);
    EXPECT_TRUE(gw.ok()) << gw.status();
    return gw.ok() ? *std::move(gw) : nullptr;
  }

  static const ServerInfo* server_;
};

const ServerInfo* MariadbCliTest::server_ = nullptr;

TEST_F(MariadbCliTest, QueriesUseAndErrors) {
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  CommandResult r = Mariadb(gw->mysql_port(), "app", kAppPassword,
                            {"--skip-column-names", "-e", "SELECT 1 + 1, 'x', NULL"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "2\tx\tNULL\n");

  // USE (COM_INIT_DB from the CLI) then an unqualified table.
  r = Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"--skip-column-names", "-e",
               "USE mysqlgw_test; SELECT DATABASE(); SELECT name FROM cli_items ORDER BY id"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "mysqlgw_test\napple\npear\n");

  // A database named at login.
  r = Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"--skip-column-names", "mysqlgw_test", "-e", "SELECT COUNT(*) FROM cli_items"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "2\n");

  // Column names come from the backend's definitions.
  r = Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"-e", "SELECT id AS item_id, name FROM mysqlgw_test.cli_items WHERE id = 2"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "item_id\tname\n2\tpear\n");

  r = Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"mysqlgw_test", "-e", "SELECT * FROM no_such_table"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1146 (42S02)"));
  EXPECT_THAT(r.stderr_data, HasSubstr("no_such_table' doesn't exist"));

  r = Mariadb(gw->mysql_port(), "app", kAppPassword, {"-e", "SELEC 1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1064 (42000)"));

  // An unknown database at USE: the backend's own error.
  r = Mariadb(gw->mysql_port(), "app", kAppPassword, {"-e", "USE no_such_db"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1049 (42000)"));
}

TEST_F(MariadbCliTest, TheClientsCharacterSetIsKept) {
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  // "\xe9" is é in latin1; the backend connections speak utf8mb4.
  CommandResult r = Mariadb(
      gw->mysql_port(), "app", kAppPassword,
      {"--default-character-set=latin1", "--skip-column-names", "-e",
       "SELECT @@character_set_client, HEX(CONVERT('\xe9' USING utf8mb4)); SELECT 'x'"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "latin1\tC3A9\nx\n");
  r = Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"--default-character-set=utf8mb4", "--skip-column-names", "-e",
               "SELECT @@character_set_client, HEX(CONVERT('\xc3\xa9' USING utf8mb4))"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "utf8mb4\tC3A9\n");
}

TEST_F(MariadbCliTest, WrongPasswordUnknownUserAndTokenOnlyPrincipalAreRefused) {
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  CommandResult r = Mariadb(gw->mysql_port(), "app", "wrong", {"-e", "SELECT 1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1045 (28000)"));
  EXPECT_THAT(r.stderr_data, HasSubstr("Access denied for user 'app'"));
  r = Mariadb(gw->mysql_port(), "nobody", "x", {"-e", "SELECT 1"});
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1045 (28000)"));
  r = Mariadb(gw->mysql_port(), "tokenonly", "", {"-e", "SELECT 1"});
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1045 (28000)"));
}

TEST_F(MariadbCliTest, CachingSha2PasswordAsTheDefaultPlugin) {
  ListenerOptions options;
  options.listener_extra = "  default_auth_plugin: caching_sha2_password\n";
  auto gw = Start(options);
  ASSERT_NE(gw, nullptr);
  // The fast path: the app account has a SHA-256 hash.
  CommandResult r =
      Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"--default-auth=caching_sha2_password", "--skip-column-names", "-e", "SELECT 7"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "7\n");
  // An account with only a native hash still logs in (switched to
  // mysql_native_password).
  r = Mariadb(gw->mysql_port(), "reader", kReaderPassword,
              {"--skip-column-names", "-e", "SELECT 8"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "8\n");
  r = Mariadb(gw->mysql_port(), "app", "wrong",
              {"--default-auth=caching_sha2_password", "-e", "SELECT 7"});
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1045 (28000)"));
}

TEST_F(MariadbCliTest, PermissionsOfThePrincipalApply) {
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  CommandResult r = Mariadb(gw->mysql_port(), "reader", kReaderPassword,
                            {"mysqlgw_test", "-e", "INSERT INTO cli_items VALUES (3, 'plum')"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1142 (42000)"));
  EXPECT_THAT(r.stderr_data, HasSubstr("may not perform write"));
  // Reads are fine.
  r = Mariadb(gw->mysql_port(), "reader", kReaderPassword,
              {"--skip-column-names", "mysqlgw_test", "-e", "SELECT COUNT(*) FROM cli_items"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "2\n");
  // Another database: refused at USE, as MySQL does (1044).
  r = Mariadb(gw->mysql_port(), "reader", kReaderPassword, {"mysqlgw_test", "-e", "USE mysql"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1044 (42000)"));
  // ... and at login: the refusal answers the first statement.
  r = Mariadb(gw->mysql_port(), "reader", kReaderPassword, {"mysql", "-e", "SELECT 1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1044 (42000)"));
  // The gateway's own commands need the admin operation.
  r = Mariadb(gw->mysql_port(), "reader", kReaderPassword, {"-e", "SHOW MYSQLGW STATUS"});
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1227 (42000)"));
  r = Mariadb(gw->mysql_port(), "app", kAppPassword, {"-e", "SHOW MYSQLGW STATUS"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_THAT(r.stdout_data, HasSubstr("Variable_name\tValue\n"));
  EXPECT_THAT(r.stdout_data, HasSubstr("version\t0.1.0\n"));
  EXPECT_THAT(r.stdout_data, HasSubstr("session_principal\tapp\n"));
  EXPECT_THAT(r.stdout_data, HasSubstr("connections_open\t1\n"));
}

TEST_F(MariadbCliTest, Tls) {
  ListenerOptions options;
  options.tls = true;
  options.listener_extra = "  require_tls: true\n";
  auto gw = Start(options);
  ASSERT_NE(gw, nullptr);
  // The CLI's status command reports the cipher its TLS session uses.
  CommandResult r = Mariadb(gw->mysql_port(), "app", kAppPassword,
                            {"--ssl", "--ssl-ca=" + gw->cert_file(), "-e", "status"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_THAT(r.stdout_data, HasSubstr("Cipher in use is"));
  r = Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"--ssl", "--skip-column-names", "-e", "SELECT 'over tls'"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "over tls\n");
  // Without TLS the listener refuses, as require_secure_transport does.
  r = Mariadb(gw->mysql_port(), "app", kAppPassword, {"--skip-ssl", "-e", "SELECT 1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("3159"));
}

}  // namespace
}  // namespace mysqlgw::testing
