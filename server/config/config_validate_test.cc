#include "server/config/config_validate.h"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/config/config_defaults.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHashA[] = "fe32198e4b6b3612ad441a7640f3ae672b18f42dc29348b8e53332634385238c";
constexpr char kHashB[] = "1a53e7ae86d82dfe359fb21e6bfbdcc4e6c383a2527b0ac95ee5ce8ae9a3f900";

std::string TempFile(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path) << "contents\n";
  return path;
}

v1::GatewayConfig ValidConfig() {
  v1::GatewayConfig config;
  v1::BackendConfig* primary = config.add_backends();
  primary->set_name("primary");
  primary->set_dsn("mysql://gw@db1:3306/app?ssl-mode=required");
  primary->set_password_env("DB_PASSWORD");
  v1::BackendConfig* replica = config.add_backends();
  replica->set_name("replica");
  replica->set_dsn("mysql://gw@db2/app");
  replica->set_role(v1::BACKEND_ROLE_REPLICA);
  v1::PrincipalConfig* app = config.mutable_auth()->add_principals();
  app->set_name("app");
  app->add_token_sha256(kHashA);
  app->add_token_sha256(kHashB);
  app->add_databases("app");
  app->add_operations(v1::OPERATION_READ);
  v1::PrincipalConfig* dev = config.mutable_auth()->add_principals();
  dev->set_name("dev");
  dev->add_databases("*");
  dev->add_operations(v1::OPERATION_READ);
  ApplyDefaults(&config);
  return config;
}

TEST(ConfigValidateTest, ValidConfigPasses) {
  EXPECT_TRUE(ValidateConfig(ValidConfig()).ok()) << ValidateConfig(ValidConfig());
}

TEST(ConfigValidateTest, ValidWithTlsAndAnonymous) {
  v1::GatewayConfig config = ValidConfig();
  config.mutable_listen()->mutable_tls()->set_cert_file(TempFile("cert.pem"));
  config.mutable_listen()->mutable_tls()->set_key_file(TempFile("key.pem"));
  config.mutable_listen()->mutable_tls()->set_client_ca_file(TempFile("ca.pem"));
  config.mutable_auth()->set_allow_anonymous(true);
  config.mutable_auth()->set_anonymous_principal("dev");
  config.mutable_backends(0)->set_dsn("mysql://gw:@db1/app");  // Empty password: fine.
  EXPECT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);
}

struct Case {
  std::string name;
  std::function<void(v1::GatewayConfig*)> mutate;
  std::string error;
};

TEST(ConfigValidateTest, EveryRule) {
  const Case cases[] = {
      {"no backends", [](v1::GatewayConfig* c) { c->clear_backends(); },
       "backends: at least one backend is required"},
      {"unnamed backend", [](v1::GatewayConfig* c) { c->mutable_backends(1)->clear_name(); },
       "backends[1]: name is required"},
      {"duplicate backend",
       [](v1::GatewayConfig* c) { c->mutable_backends(1)->set_name("primary"); },
       "backends[1] ('primary'): duplicate backend name"},
      {"no dsn", [](v1::GatewayConfig* c) { c->mutable_backends(0)->clear_dsn(); },
       "backends[0] ('primary'): dsn is required"},
      {"bad dsn", [](v1::GatewayConfig* c) { c->mutable_backends(0)->set_dsn("postgres://x"); },
       "backends[0] ('primary'): DSN must start with mysql://"},
      {"bad dsn option",
       [](v1::GatewayConfig* c) { c->mutable_backends(0)->set_dsn("mysql://gw@h/?sslmode=x"); },
       "unknown option 'sslmode'"},
      {"password in dsn",
       [](v1::GatewayConfig* c) { c->mutable_backends(0)->set_dsn("mysql://gw:s3cr3t@h/app"); },
       "backends[0] ('primary'): the DSN contains a password; use password_file or "
       "password_env"},
      {"both password sources",
       [](v1::GatewayConfig* c) { c->mutable_backends(0)->set_password_file("/x"); },
       "backends[0] ('primary'): set password_file or password_env, not both"},
      {"max_open zero",
       [](v1::GatewayConfig* c) { c->mutable_backends(0)->mutable_pool()->set_max_open(0); },
       "pool.max_open must be at least 1"},
      {"min_idle above max_open",
       [](v1::GatewayConfig* c) { c->mutable_backends(1)->mutable_pool()->set_min_idle(33); },
       "backends[1] ('replica'): pool.min_idle (33) exceeds pool.max_open (32)"},
      {"negative pool duration",
       [](v1::GatewayConfig* c) {
         c->mutable_backends(1)->mutable_pool()->mutable_idle_timeout()->set_seconds(-1);
       },
       "backends[1].pool.idle_timeout: must not be negative"},
      {"negative nanos",
       [](v1::GatewayConfig* c) { c->mutable_shutdown_grace_period()->set_nanos(-5); },
       "shutdown_grace_period: must not be negative"},
      {"negative statement timeout",
       [](v1::GatewayConfig* c) {
         c->mutable_limits()->mutable_default_statement_timeout()->set_seconds(-3);
       },
       "limits.default_statement_timeout: must not be negative"},
      {"unnamed principal",
       [](v1::GatewayConfig* c) { c->mutable_auth()->mutable_principals(1)->clear_name(); },
       "auth.principals[1]: name is required"},
      {"duplicate principal",
       [](v1::GatewayConfig* c) { c->mutable_auth()->mutable_principals(1)->set_name("app"); },
       "auth.principals[1] ('app'): duplicate principal name"},
      {"upper-case hash",
       [](v1::GatewayConfig* c) {
         std::string upper = kHashA;
         upper[0] = 'F';
         c->mutable_auth()->mutable_principals(0)->set_token_sha256(0, upper);
       },
       "auth.principals[0] ('app'): token_sha256[0] must be 64 lower-case hex characters"},
      {"short hash",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(0)->set_token_sha256(1, "abc123");
       },
       "token_sha256[1] must be 64 lower-case hex characters"},
      {"non-hex hash",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(0)->set_token_sha256(1, std::string(64, 'g'));
       },
       "token_sha256[1] must be 64 lower-case hex characters"},
      {"hash shared by two principals",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(1)->add_token_sha256(kHashB);
       },
       "auth.principals[1] ('dev'): token_sha256[0] is also a hash of principal 'app'"},
      {"empty database",
       [](v1::GatewayConfig* c) { c->mutable_auth()->mutable_principals(0)->add_databases(""); },
       "databases[1] is empty"},
      {"unspecified operation",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(0)->add_operations(v1::OPERATION_UNSPECIFIED);
       },
       "operations[1] is unspecified"},
      {"anonymous without principal",
       [](v1::GatewayConfig* c) { c->mutable_auth()->set_allow_anonymous(true); },
       "auth: allow_anonymous requires anonymous_principal"},
      {"anonymous principal missing",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->set_allow_anonymous(true);
         c->mutable_auth()->set_anonymous_principal("nobody");
       },
       "auth.anonymous_principal: no principal named 'nobody'"},
      {"max idle below default idle",
       [](v1::GatewayConfig* c) {
         c->mutable_transactions()->mutable_max_idle_timeout()->set_seconds(10);
       },
       "transactions: max_idle_timeout is shorter than default_idle_timeout"},
      {"cert without key",
       [](v1::GatewayConfig* c) {
         c->mutable_listen()->mutable_tls()->set_cert_file(TempFile("only-cert.pem"));
       },
       "listen.tls: cert_file and key_file go together"},
      {"key without cert",
       [](v1::GatewayConfig* c) {
         c->mutable_listen()->mutable_tls()->set_key_file(TempFile("only-key.pem"));
       },
       "listen.tls: cert_file and key_file go together"},
      {"client ca alone",
       [](v1::GatewayConfig* c) {
         c->mutable_listen()->mutable_tls()->set_client_ca_file(TempFile("only-ca.pem"));
       },
       "listen.tls: client_ca_file needs cert_file and key_file"},
      {"unreadable cert",
       [](v1::GatewayConfig* c) {
         c->mutable_listen()->mutable_tls()->set_cert_file("/nonexistent/cert.pem");
         c->mutable_listen()->mutable_tls()->set_key_file(TempFile("key2.pem"));
       },
       "listen.tls.cert_file: cannot open /nonexistent/cert.pem"},
      {"listener address without port",
       [](v1::GatewayConfig* c) { c->mutable_mysql_listener()->set_address("127.0.0.1"); },
       "mysql_listener.address: '127.0.0.1' is not host:port"},
      {"listener port out of range",
       [](v1::GatewayConfig* c) { c->mutable_mysql_listener()->set_address("h:70000"); },
       "mysql_listener.address: 'h:70000' is not host:port"},
      {"listener unknown plugin",
       [](v1::GatewayConfig* c) {
         c->mutable_mysql_listener()->set_address("127.0.0.1:3307");
         c->mutable_mysql_listener()->set_default_auth_plugin("sha256_password");
       },
       "mysql_listener.default_auth_plugin: 'sha256_password' is neither"},
      {"listener require_tls without cert",
       [](v1::GatewayConfig* c) {
         c->mutable_mysql_listener()->set_address("127.0.0.1:3307");
         c->mutable_mysql_listener()->set_require_tls(true);
       },
       "mysql_listener: require_tls needs tls.cert_file"},
      {"listener cert without key",
       [](v1::GatewayConfig* c) {
         c->mutable_mysql_listener()->set_address("127.0.0.1:3307");
         c->mutable_mysql_listener()->mutable_tls()->set_cert_file(TempFile("l-cert.pem"));
       },
       "mysql_listener.tls: cert_file and key_file go together"},
      {"listener unreadable rsa key",
       [](v1::GatewayConfig* c) {
         c->mutable_mysql_listener()->set_address("127.0.0.1:3307");
         c->mutable_mysql_listener()->set_rsa_private_key_file("/nonexistent/rsa.pem");
       },
       "mysql_listener.rsa_private_key_file: cannot open /nonexistent/rsa.pem"},
      {"native hash without star",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(0)->set_mysql_native_password_hash(
             std::string(41, 'A'));
       },
       "auth.principals[0] ('app'): mysql_native_password_hash must be '*' and 40 hex digits"},
      {"native hash too short",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(0)->set_mysql_native_password_hash("*ABC");
       },
       "mysql_native_password_hash must be '*' and 40 hex digits"},
      {"native hash not hex",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(0)->set_mysql_native_password_hash(
             "*" + std::string(40, 'Z'));
       },
       "mysql_native_password_hash must be '*' and 40 hex digits"},
      {"sha2 hash too short",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(0)->set_mysql_caching_sha2_password_hash("ab");
       },
       "auth.principals[0] ('app'): mysql_caching_sha2_password_hash must be 64 hex digits"},
      {"mysql user without hash",
       [](v1::GatewayConfig* c) { c->mutable_auth()->mutable_principals(0)->set_mysql_user("u"); },
       "auth.principals[0] ('app'): mysql_user needs mysql_native_password_hash"},
      {"mysql user of two principals",
       [](v1::GatewayConfig* c) {
         c->mutable_auth()->mutable_principals(0)->set_mysql_caching_sha2_password_hash(kHashA);
         c->mutable_auth()->mutable_principals(1)->set_mysql_caching_sha2_password_hash(kHashB);
         c->mutable_auth()->mutable_principals(1)->set_mysql_user("app");
       },
       "auth.principals[1] ('dev'): MySQL user 'app' is also the login of principal 'app'"},
      {"directory as key",
       [](v1::GatewayConfig* c) {
         c->mutable_listen()->mutable_tls()->set_cert_file(TempFile("cert3.pem"));
         c->mutable_listen()->mutable_tls()->set_key_file(std::getenv("TEST_TMPDIR"));
       },
       "listen.tls.key_file: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::GatewayConfig config = ValidConfig();
    c.mutate(&config);
    absl::Status status = ValidateConfig(config);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.error));
  }
}

TEST(ConfigValidateTest, ValidMySqlListener) {
  v1::GatewayConfig config = ValidConfig();
  v1::MySqlListenerConfig* mysql = config.mutable_mysql_listener();
  mysql->set_address("[::1]:3307");
  mysql->set_require_tls(true);
  mysql->mutable_tls()->set_cert_file(TempFile("mysql-cert.pem"));
  mysql->mutable_tls()->set_key_file(TempFile("mysql-key.pem"));
  mysql->set_rsa_private_key_file(TempFile("mysql-rsa.pem"));
  mysql->set_default_auth_plugin("caching_sha2_password");
  v1::PrincipalConfig* app = config.mutable_auth()->mutable_principals(0);
  app->set_mysql_native_password_hash("*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9");
  app->set_mysql_caching_sha2_password_hash(kHashA);
  // Principals without MySQL credentials simply cannot log in with MySQL.
  ApplyDefaults(&config);
  EXPECT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);
}

TEST(ConfigValidateTest, AllProblemsAreReportedAtOnce) {
  v1::GatewayConfig config = ValidConfig();
  config.mutable_backends(1)->set_name("primary");
  config.mutable_auth()->mutable_principals(1)->set_name("app");
  absl::Status status = ValidateConfig(config);
  EXPECT_THAT(std::string(status.message()), HasSubstr("duplicate backend name"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("duplicate principal name"));
}

TEST(ConfigValidateTest, PasswordInDsnIsNeverEchoed) {
  for (const char* dsn : {"mysql://gw:Sup3rS3cret@db/app",
                          "mysql://gw:Sup3rS3cret@db:99999/app",   // Also a bad port.
                          "mysql://gw:Sup3rS3cret@db/app?nope=1",  // Also a bad option.
                          "mysql://gw:Sup3rS3cret?x=1@db/app",     // '?' inside it.
                          "mysql://gw:Sup3rS3cret%zz@db/app"}) {   // Bad escape.
    SCOPED_TRACE(dsn);
    v1::GatewayConfig config = ValidConfig();
    config.mutable_backends(0)->set_dsn(dsn);
    absl::Status status = ValidateConfig(config);
    ASSERT_FALSE(status.ok());
    EXPECT_THAT(std::string(status.message()), HasSubstr("password_file or password_env"));
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("Sup3rS3cret")));
  }
}

}  // namespace
}  // namespace mysqlgw
