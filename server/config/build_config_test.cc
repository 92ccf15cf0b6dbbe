#include "server/config/build_config.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string WriteTemp(const std::string& name, const std::string& contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST(BuildConfigTest, FlagsAlone) {
  FlagOverrides flags;
  flags.backend_dsn = "mysql://root@127.0.0.1:3306/test";
  flags.backend_password_env = "DB_PASSWORD";
  flags.listen_address = "0.0.0.0:6000";
  absl::StatusOr<v1::GatewayConfig> config = BuildConfig("", flags);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen().address(), "0.0.0.0:6000");
  ASSERT_EQ(config->backends_size(), 1);
  EXPECT_EQ(config->backends(0).name(), "default");
  EXPECT_EQ(config->backends(0).dsn(), "mysql://root@127.0.0.1:3306/test");
  EXPECT_EQ(config->backends(0).password_env(), "DB_PASSWORD");
  EXPECT_EQ(config->backends(0).pool().max_open(), 32u);  // Defaults applied.
  EXPECT_FALSE(config->auth().allow_anonymous());
}

TEST(BuildConfigTest, NothingAtAllIsInvalid) {
  absl::StatusOr<v1::GatewayConfig> config = BuildConfig("", FlagOverrides());
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("flags: invalid configuration:\nbackends: at least one backend"));
}

TEST(BuildConfigTest, AllowAnonymousCreatesADevelopmentPrincipal) {
  FlagOverrides flags;
  flags.backend_dsn = "mysql://root@localhost/test";
  flags.allow_anonymous = true;
  absl::StatusOr<v1::GatewayConfig> config = BuildConfig("", flags);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->auth().allow_anonymous());
  EXPECT_EQ(config->auth().anonymous_principal(), "anonymous");
  ASSERT_EQ(config->auth().principals_size(), 1);
  EXPECT_EQ(config->auth().principals(0).name(), "anonymous");
  EXPECT_THAT(config->auth().principals(0).databases(), ElementsAre("*"));
  EXPECT_THAT(config->auth().principals(0).operations(),
              ElementsAre(v1::OPERATION_READ, v1::OPERATION_WRITE, v1::OPERATION_DDL));
}

TEST(BuildConfigTest, FlagsOverrideTheFile) {
  std::string path = WriteTemp("one-backend.yaml",
                               "listen: {address: '127.0.0.1:1'}\n"
                               "backends:\n"
                               "  - name: main\n"
                               "    dsn: mysql://gw@db1/app\n"
                               "    password_env: OLD\n"
                               "    pool: {max_open: 8}\n"
                               "auth:\n"
                               "  anonymous_principal: reader\n"
                               "  principals:\n"
                               "    - {name: reader, databases: [app], operations: [read]}\n");
  FlagOverrides flags;
  flags.listen_address = "127.0.0.1:2";
  flags.backend_dsn = "mysql://gw@db2/app";
  flags.backend_password_file = "/run/secrets/pw";
  flags.allow_anonymous = true;
  absl::StatusOr<v1::GatewayConfig> config = BuildConfig(path, flags);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen().address(), "127.0.0.1:2");
  ASSERT_EQ(config->backends_size(), 1);
  EXPECT_EQ(config->backends(0).name(), "main");
  EXPECT_EQ(config->backends(0).dsn(), "mysql://gw@db2/app");
  EXPECT_EQ(config->backends(0).password_file(), "/run/secrets/pw");
  EXPECT_EQ(config->backends(0).password_env(), "");
  EXPECT_EQ(config->backends(0).pool().max_open(), 8u);
  // The file's anonymous principal is kept; no new one is made.
  EXPECT_TRUE(config->auth().allow_anonymous());
  EXPECT_EQ(config->auth().anonymous_principal(), "reader");
  EXPECT_EQ(config->auth().principals_size(), 1);
}

TEST(BuildConfigTest, FileWithoutFlags) {
  std::string path = WriteTemp("gw.json",
                               R"({"backends": [{"name": "a", "dsn": "mysql://gw@db1/app"},
                                                {"name": "b", "dsn": "mysql://gw@db2/app",
                                                 "role": "replica"}]})");
  absl::StatusOr<v1::GatewayConfig> config = BuildConfig(path, FlagOverrides());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->backends_size(), 2);
  EXPECT_EQ(config->backends(0).role(), v1::BACKEND_ROLE_PRIMARY);
  EXPECT_EQ(config->backends(1).pool().max_open(), 32u);  // Defaults applied.
}

TEST(BuildConfigTest, FullExampleFailsOnlyOnItsMissingFiles) {
  absl::StatusOr<v1::GatewayConfig> config =
      BuildConfig("server/config/testdata/full.yaml", FlagOverrides());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(std::string(config.status().message()),
            "server/config/testdata/full.yaml: invalid configuration:\n"
            "listen.tls.cert_file: cannot open /etc/mysqlgw/server.crt: "
            "No such file or directory\n"
            "listen.tls.key_file: cannot open /etc/mysqlgw/server.key: "
            "No such file or directory\n"
            "listen.tls.client_ca_file: cannot open /etc/mysqlgw/clients-ca.crt: "
            "No such file or directory");
}

TEST(BuildConfigTest, BackendFlagWithSeveralBackendsIsAmbiguous) {
  FlagOverrides flags;
  flags.backend_dsn = "mysql://gw@other/app";
  absl::StatusOr<v1::GatewayConfig> config = BuildConfig("server/config/testdata/full.yaml", flags);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("ambiguous: the configuration has 2 backends"));
}

TEST(BuildConfigTest, FlagErrors) {
  FlagOverrides both;
  both.backend_dsn = "mysql://gw@db/app";
  both.backend_password_env = "A";
  both.backend_password_file = "/b";
  EXPECT_FALSE(BuildConfig("", both).ok());

  FlagOverrides password_only;
  password_only.backend_password_env = "A";
  absl::StatusOr<v1::GatewayConfig> config = BuildConfig("", password_only);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("needs --backend_dsn"));
}

TEST(BuildConfigTest, ValidationErrorsNameTheFile) {
  std::string path =
      WriteTemp("bad.yaml", "backends:\n  - name: a\n    dsn: 'mysql://u:pw1234@h'\n");
  absl::StatusOr<v1::GatewayConfig> config = BuildConfig(path, FlagOverrides());
  ASSERT_FALSE(config.ok());
  std::string message(config.status().message());
  EXPECT_THAT(message, HasSubstr(path + ": invalid configuration:"));
  EXPECT_THAT(message, HasSubstr("the DSN contains a password"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("pw1234")));
}

}  // namespace
}  // namespace mysqlgw
