#include "server/config/backend_options.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string WriteTemp(const std::string& name, const std::string& contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

v1::BackendConfig Backend(const std::string& dsn) {
  v1::BackendConfig backend;
  backend.set_name("db");
  backend.set_dsn(dsn);
  return backend;
}

TEST(BackendOptionsTest, DsnFieldsAndNoPassword) {
  absl::StatusOr<mysqlwire::ConnectOptions> options =
      BackendConnectOptions(Backend("mysql://gw@db.internal:3307/app?ssl-mode=required"));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->host, "db.internal");
  EXPECT_EQ(options->port, 3307);
  EXPECT_EQ(options->user, "gw");
  EXPECT_EQ(options->database, "app");
  EXPECT_EQ(options->ssl_mode, mysqlwire::SslMode::kRequired);
  EXPECT_EQ(options->password, "");
  EXPECT_EQ(options->connect_timeout, std::chrono::seconds(5));  // The pool default.
}

TEST(BackendOptionsTest, PasswordFromFileWithoutTrailingNewline) {
  for (const char* contents : {"pa ss\n", "pa ss\r\n", "pa ss", "pa ss\n\n"}) {
    v1::BackendConfig backend = Backend("mysql://gw@db/app");
    backend.set_password_file(WriteTemp("password", contents));
    absl::StatusOr<mysqlwire::ConnectOptions> options = BackendConnectOptions(backend);
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_EQ(options->password, "pa ss");
  }
}

TEST(BackendOptionsTest, MissingPasswordFile) {
  v1::BackendConfig backend = Backend("mysql://gw@db/app");
  backend.set_password_file("/nonexistent/db-password");
  absl::StatusOr<mysqlwire::ConnectOptions> options = BackendConnectOptions(backend);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(options.status().message()),
              HasSubstr("backend 'db': password_file: cannot open /nonexistent/db-password"));
}

TEST(BackendOptionsTest, DirectoryAsPasswordFileIsRefused) {
  v1::BackendConfig backend = Backend("mysql://gw@db/app");
  backend.set_password_file(std::getenv("TEST_TMPDIR"));
  absl::StatusOr<mysqlwire::ConnectOptions> options = BackendConnectOptions(backend);
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(std::string(options.status().message()), HasSubstr("not a regular file"));
}

TEST(BackendOptionsTest, PasswordFromEnvironment) {
  v1::BackendConfig backend = Backend("mysql://gw@db/app");
  backend.set_password_env("MYSQLGW_TEST_BACKEND_PASSWORD");
  ASSERT_EQ(setenv("MYSQLGW_TEST_BACKEND_PASSWORD", "from-env", 1), 0);
  absl::StatusOr<mysqlwire::ConnectOptions> options = BackendConnectOptions(backend);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->password, "from-env");

  ASSERT_EQ(setenv("MYSQLGW_TEST_BACKEND_PASSWORD", "", 1), 0);  // Set, empty: allowed.
  options = BackendConnectOptions(backend);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->password, "");

  ASSERT_EQ(unsetenv("MYSQLGW_TEST_BACKEND_PASSWORD"), 0);
  options = BackendConnectOptions(backend);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(options.status().message()),
              HasSubstr("environment variable MYSQLGW_TEST_BACKEND_PASSWORD is not set"));
}

TEST(BackendOptionsTest, BothPasswordSourcesRefused) {
  v1::BackendConfig backend = Backend("mysql://gw@db/app");
  backend.set_password_env("X");
  backend.set_password_file("/y");
  EXPECT_FALSE(BackendConnectOptions(backend).ok());
}

TEST(BackendOptionsTest, PasswordInDsnRefusedWithoutEchoingIt) {
  absl::StatusOr<mysqlwire::ConnectOptions> options =
      BackendConnectOptions(Backend("mysql://gw:TopSecret99@db/app"));
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(options.status().message()), HasSubstr("password_file or password_env"));
  EXPECT_THAT(std::string(options.status().message()), Not(HasSubstr("TopSecret99")));
}

TEST(BackendOptionsTest, ConnectTimeout) {
  v1::BackendConfig backend = Backend("mysql://gw@db/app");
  backend.mutable_pool()->mutable_connect_timeout()->set_seconds(2);
  backend.mutable_pool()->mutable_connect_timeout()->set_nanos(1);  // Rounded up.
  absl::StatusOr<mysqlwire::ConnectOptions> options = BackendConnectOptions(backend);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->connect_timeout, std::chrono::milliseconds(2001));

  // The DSN's own connect-timeout is the more specific setting.
  backend.set_dsn("mysql://gw@db/app?connect-timeout=750");
  options = BackendConnectOptions(backend);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->connect_timeout, std::chrono::milliseconds(750));
}

}  // namespace
}  // namespace mysqlgw
