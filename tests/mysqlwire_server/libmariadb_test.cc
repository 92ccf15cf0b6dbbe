// MariaDB Connector/C (libmariadb, the library under the mariadb CLI and
// Debian's sysbench) against a ToyServer: server-side prepared statements,
// COM_CHANGE_USER and COM_PING, which the CLI never sends.
#include <mariadb/mysql.h>

#include <cstring>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/mysqlwire_server/client_fixture.h"

namespace mysqlgw::testing {
namespace {

using ::testing::Contains;

struct MysqlCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlPtr = std::unique_ptr<MYSQL, MysqlCloser>;

MysqlPtr ConnectTo(uint16_t port, const char* user, const char* password,
                   std::string* error) {
  MysqlPtr m(mysql_init(nullptr));
  unsigned int timeout = 5;
  mysql_optionsv(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  my_bool no = 0;
  mysql_optionsv(m.get(), MYSQL_OPT_SSL_ENFORCE, &no);
  if (mysql_real_connect(m.get(), "127.0.0.1", user, password, "shop", port, nullptr,
                         CLIENT_MULTI_STATEMENTS) == nullptr) {
    *error = std::to_string(mysql_errno(m.get())) + " " + mysql_error(m.get());
    return nullptr;
  }
  return m;
}

class LibmariadbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mysql_library_init(0, nullptr, nullptr); }
};

TEST_F(LibmariadbTest, PreparedStatementEchoesParameter) {
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  std::string error;
  MysqlPtr m = ConnectTo((*server)->port(), "u", "secret", &error);
  ASSERT_NE(m, nullptr) << error;

  MYSQL_STMT* stmt = mysql_stmt_init(m.get());
  const char sql[] = "SELECT ?";
  ASSERT_EQ(mysql_stmt_prepare(stmt, sql, std::strlen(sql)), 0) << mysql_stmt_error(stmt);
  EXPECT_EQ(mysql_stmt_param_count(stmt), 1u);
  EXPECT_EQ(mysql_stmt_field_count(stmt), 1u);

  // A string parameter comes back as a string.
  char in[] = "hello";
  unsigned long in_length = 5;
  MYSQL_BIND param;
  std::memset(&param, 0, sizeof(param));
  param.buffer_type = MYSQL_TYPE_STRING;
  param.buffer = in;
  param.buffer_length = sizeof(in);
  param.length = &in_length;
  ASSERT_EQ(mysql_stmt_bind_param(stmt, &param), 0);
  ASSERT_EQ(mysql_stmt_execute(stmt), 0) << mysql_stmt_error(stmt);
  char out[64] = {};
  unsigned long out_length = 0;
  my_bool is_null = 0;
  MYSQL_BIND result;
  std::memset(&result, 0, sizeof(result));
  result.buffer_type = MYSQL_TYPE_STRING;
  result.buffer = out;
  result.buffer_length = sizeof(out);
  result.length = &out_length;
  result.is_null = &is_null;
  ASSERT_EQ(mysql_stmt_bind_result(stmt, &result), 0);
  ASSERT_EQ(mysql_stmt_fetch(stmt), 0) << mysql_stmt_error(stmt);
  EXPECT_EQ(std::string(out, out_length), "hello");
  EXPECT_EQ(mysql_stmt_fetch(stmt), MYSQL_NO_DATA);

  // An integer parameter, rebound, comes back as an integer.
  long long number = -1234567890123LL;
  std::memset(&param, 0, sizeof(param));
  param.buffer_type = MYSQL_TYPE_LONGLONG;
  param.buffer = &number;
  ASSERT_EQ(mysql_stmt_bind_param(stmt, &param), 0);
  ASSERT_EQ(mysql_stmt_execute(stmt), 0) << mysql_stmt_error(stmt);
  long long echoed = 0;
  std::memset(&result, 0, sizeof(result));
  result.buffer_type = MYSQL_TYPE_LONGLONG;
  result.buffer = &echoed;
  result.is_null = &is_null;
  ASSERT_EQ(mysql_stmt_bind_result(stmt, &result), 0);
  ASSERT_EQ(mysql_stmt_fetch(stmt), 0) << mysql_stmt_error(stmt);
  EXPECT_EQ(echoed, number);
  EXPECT_EQ(mysql_stmt_fetch(stmt), MYSQL_NO_DATA);
  EXPECT_EQ(mysql_stmt_close(stmt), 0);

  // An unknown statement fails to prepare with the server's error.
  stmt = mysql_stmt_init(m.get());
  const char bad[] = "UPDATE t SET x = ?";
  EXPECT_NE(mysql_stmt_prepare(stmt, bad, std::strlen(bad)), 0);
  EXPECT_EQ(mysql_stmt_errno(stmt), 1064u);
  mysql_stmt_close(stmt);

  EXPECT_EQ(mysql_ping(m.get()), 0) << mysql_error(m.get());
  m.reset();
  ASSERT_TRUE((*server)->WaitForFinishedConnections(1, absl::Seconds(5)));
  const auto log = (*server)->command_log();
  EXPECT_THAT(log, Contains("COM_STMT_PREPARE SELECT ?"));
  EXPECT_THAT(log, Contains("COM_STMT_EXECUTE"));
  EXPECT_THAT(log, Contains("COM_STMT_CLOSE 1"));
  EXPECT_THAT(log, Contains("COM_PING"));
  EXPECT_THAT(log, Contains("COM_QUIT"));
}

TEST_F(LibmariadbTest, ChangeUser) {
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  std::string error;
  MysqlPtr m = ConnectTo((*server)->port(), "u", "secret", &error);
  ASSERT_NE(m, nullptr) << error;
  EXPECT_EQ(mysql_change_user(m.get(), "native_only", "secret", "db2"), 0)
      << mysql_error(m.get());
  // Switched to caching_sha2_password for an account with only that hash.
  EXPECT_EQ(mysql_change_user(m.get(), "sha2_only", "secret", "db3"), 0)
      << mysql_error(m.get());
  ASSERT_EQ(mysql_query(m.get(), "SELECT DATABASE()"), 0) << mysql_error(m.get());
  MYSQL_RES* res = mysql_store_result(m.get());
  ASSERT_NE(res, nullptr);
  MYSQL_ROW row = mysql_fetch_row(res);
  ASSERT_NE(row, nullptr);
  EXPECT_STREQ(row[0], "db3");
  mysql_free_result(res);
  EXPECT_NE(mysql_change_user(m.get(), "u", "wrong", nullptr), 0);
  EXPECT_EQ(mysql_errno(m.get()), 1045u);

  const auto sessions = (*server)->sessions();
  ASSERT_EQ(sessions.size(), 3u);
  EXPECT_EQ(sessions[1].user, "native_only");
  EXPECT_EQ(sessions[1].database, "db2");
  EXPECT_EQ(sessions[2].user, "sha2_only");
  EXPECT_EQ(sessions[2].auth_plugin, "caching_sha2_password");
}

TEST_F(LibmariadbTest, ManyRowsAndMultiResults) {
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  std::string error;
  MysqlPtr m = ConnectTo((*server)->port(), "u", "secret", &error);
  ASSERT_NE(m, nullptr) << error;
  ASSERT_EQ(mysql_query(m.get(), "SELECT 1; SELECT 'a' AS x, NULL AS y; SET @x = 1"), 0);
  int results = 0;
  int status = 0;
  do {
    MYSQL_RES* res = mysql_store_result(m.get());
    if (results == 1) {
      ASSERT_NE(res, nullptr);
      MYSQL_ROW row = mysql_fetch_row(res);
      ASSERT_NE(row, nullptr);
      EXPECT_STREQ(row[0], "a");
      EXPECT_EQ(row[1], nullptr);
    }
    if (results == 2) {
      EXPECT_EQ(res, nullptr);  // The SET: an OK.
    }
    if (res != nullptr) mysql_free_result(res);
    ++results;
  } while ((status = mysql_next_result(m.get())) == 0);
  EXPECT_EQ(status, -1) << mysql_error(m.get());
  EXPECT_EQ(results, 3);
}

}  // namespace
}  // namespace mysqlgw::testing
