// The mariadb command-line client (MariaDB Connector/C underneath) against a
// ToyServer built on mysqlwire::ServerConnection.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/subprocess.h"
#include "tests/mysqlwire_server/client_fixture.h"

namespace mysqlgw::testing {
namespace {

using ::mysqlwire::testing::ToyServer;
using ::testing::Contains;
using ::testing::HasSubstr;

class MariadbCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cli_ = FindProgram("mariadb");
    if (cli_.empty()) FAIL() << "mariadb client not installed (scripts/setup installs it)";
  }

  // Runs `mariadb -N -B` with `args` against `server`.
  CommandResult Run(const ToyServer& server, std::vector<std::string> args,
                    const std::string& user = "u", const std::string& password = "secret") {
    std::vector<std::string> argv = {cli_,
                                     "--no-defaults",
                                     "-h127.0.0.1",
                                     absl::StrCat("-P", server.port()),
                                     absl::StrCat("-u", user),
                                     absl::StrCat("-p", password),
                                     "-N",
                                     "-B",
                                     "--connect-timeout=5"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandOptions options;
    options.timeout = absl::Seconds(30);
    absl::StatusOr<CommandResult> r = RunProcess(argv, options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  std::string cli_;
};

TEST_F(MariadbCliTest, QueriesOverNativePassword) {
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult r = Run(**server, {"--skip-ssl", "-e", "SELECT 1"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "1\n");

  r = Run(**server, {"--skip-ssl", "-e", "SELECT 'a' AS x, NULL AS y"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "a\tNULL\n");

  // Multi-statement: two result sets.
  r = Run(**server, {"--skip-ssl", "-e", "SELECT 1; SELECT 2"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "1\n2\n");

  // CONNECT_WITH_DB, then COM_INIT_DB through the client's "use".
  r = Run(**server, {"--skip-ssl", "-Dshop", "-e", "SELECT DATABASE(); use other; SELECT DATABASE()"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "shop\nother\n");

  r = Run(**server, {"--skip-ssl", "-e", "FROB the table"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1064 (42000)"));

  const auto log = (*server)->command_log();
  EXPECT_THAT(log, Contains("COM_QUERY SELECT 1"));
  EXPECT_THAT(log, Contains("COM_INIT_DB other"));
  EXPECT_THAT(log, Contains("COM_QUIT"));
  ASSERT_FALSE((*server)->sessions().empty());
  EXPECT_EQ((*server)->sessions()[0].auth_plugin, "mysql_native_password");
  EXPECT_FALSE((*server)->sessions()[0].tls);
}

TEST_F(MariadbCliTest, WrongPasswordAndUnknownUserGet1045) {
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult r = Run(**server, {"--skip-ssl", "-e", "SELECT 1"}, "u", "wrong");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data,
              HasSubstr("ERROR 1045 (28000): Access denied for user 'u'@'127.0.0.1' "
                        "(using password: YES)"));
  r = Run(**server, {"--skip-ssl", "-e", "SELECT 1"}, "nobody", "secret");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1045 (28000): Access denied for user 'nobody'"));
}

TEST_F(MariadbCliTest, TlsWithSelfSignedCertificate) {
  auto server = StartServer({.tls = true});
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult r = Run(**server, {"--ssl", "-e", "SELECT 1"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "1\n");
  // The client's default is TLS when offered; --skip-ssl stays in clear.
  r = Run(**server, {"-e", "SELECT 2"});
  EXPECT_EQ(r.stdout_data, "2\n") << r.stderr_data;
  r = Run(**server, {"--skip-ssl", "-e", "SELECT 3"});
  EXPECT_EQ(r.stdout_data, "3\n") << r.stderr_data;
  ASSERT_TRUE((*server)->WaitForHandshakes(3, absl::Seconds(5)));
  const auto sessions = (*server)->sessions();
  ASSERT_EQ(sessions.size(), 3u);
  EXPECT_TRUE(sessions[0].tls);
  EXPECT_TRUE(sessions[1].tls);
  EXPECT_FALSE(sessions[2].tls);
}

TEST_F(MariadbCliTest, CachingSha2Password) {
  // Fast path: the account has a SHA-256 hash.
  auto server = StartServer({.default_plugin = "caching_sha2_password"});
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult r = Run(**server, {"--skip-ssl", "--default-auth=caching_sha2_password",
                                   "-e", "SELECT 1"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "1\n");
  ASSERT_FALSE((*server)->sessions().empty());
  EXPECT_EQ((*server)->sessions()[0].auth_plugin, "caching_sha2_password");

  // Full authentication over TLS: an account with only a native hash.
  auto tls_server = StartServer({.tls = true, .default_plugin = "caching_sha2_password"});
  ASSERT_TRUE(tls_server.ok()) << tls_server.status();
  r = Run(**tls_server, {"--ssl", "--default-auth=caching_sha2_password", "-e", "SELECT 1"},
          "native_only");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "1\n");
  r = Run(**tls_server, {"--ssl", "--default-auth=caching_sha2_password", "-e", "SELECT 1"},
          "native_only", "wrong");
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1045 (28000)"));
}

TEST_F(MariadbCliTest, ClientPluginDifferentFromTheGreetingsIsSwitchedTo) {
  // The greeting offers mysql_native_password; a client set to
  // caching_sha2_password (MySQL 8's default) answers without a scramble
  // and expects to be switched to its own plugin, as MySQL does.
  auto server = StartServer({.default_plugin = "mysql_native_password"});
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult r = Run(**server, {"--skip-ssl", "--default-auth=caching_sha2_password",
                                   "-e", "SELECT 1"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "1\n");
  ASSERT_FALSE((*server)->sessions().empty());
  EXPECT_EQ((*server)->sessions()[0].auth_plugin, "caching_sha2_password");
  r = Run(**server, {"--skip-ssl", "--default-auth=caching_sha2_password", "-e", "SELECT 1"},
          "u", "wrong");
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1045 (28000)"));
}

TEST_F(MariadbCliTest, CachingSha2FullAuthWithRsaKey) {
  // Plain TCP, so the password travels RSA-encrypted; Connector/C asks for
  // the server's public key itself.
  auto server = StartServer({.rsa = true, .default_plugin = "caching_sha2_password"});
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult r = Run(**server, {"--skip-ssl", "--default-auth=caching_sha2_password",
                                   "-e", "SELECT 1"},
                        "native_only");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "1\n");
  const auto sessions = (*server)->sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].auth_plugin, "caching_sha2_password");
  EXPECT_FALSE(sessions[0].tls);
  r = Run(**server, {"--skip-ssl", "--default-auth=caching_sha2_password", "-e", "SELECT 1"},
          "native_only", "wrong");
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1045 (28000)"));
}

TEST_F(MariadbCliTest, AdminPing) {
  const std::string admin = FindProgram("mariadb-admin");
  if (admin.empty()) FAIL() << "mariadb-admin not installed (scripts/setup installs it)";
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  CommandOptions options;
  options.timeout = absl::Seconds(30);
  absl::StatusOr<CommandResult> r = RunProcess(
      {admin, "--no-defaults", "-h127.0.0.1", absl::StrCat("-P", (*server)->port()), "-uu",
       "-psecret", "--skip-ssl", "ping"},
      options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->stderr_data;
  EXPECT_THAT(r->stdout_data, HasSubstr("is alive"));
  EXPECT_THAT((*server)->command_log(), Contains("COM_PING"));
}

}  // namespace
}  // namespace mysqlgw::testing
