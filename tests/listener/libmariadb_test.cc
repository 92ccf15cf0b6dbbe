// MariaDB Connector/C (libmariadb: the library under the mariadb CLI and
// sysbench) through the gateway's MySQL listener: server-side prepared
// statements with typed parameters and binary rows, long data, change of
// user, reset, ping, multi-results and the connection limit.
#include <mariadb/mysql.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tests/listener/listener_fixture.h"

namespace mysqlgw::testing {
namespace {

struct MysqlCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlPtr = std::unique_ptr<MYSQL, MysqlCloser>;
struct StmtCloser {
  void operator()(MYSQL_STMT* s) const { mysql_stmt_close(s); }
};
using StmtPtr = std::unique_ptr<MYSQL_STMT, StmtCloser>;

MysqlPtr Connect(uint16_t port, const char* user, const char* password, std::string* error,
                 unsigned long flags = 0) {
  MysqlPtr m(mysql_init(nullptr));
  unsigned int timeout = 10;
  mysql_optionsv(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (mysql_real_connect(m.get(), "127.0.0.1", user, password, "mysqlgw_test", port, nullptr,
                         flags) == nullptr) {
    *error = absl::StrCat(mysql_errno(m.get()), " ", mysql_error(m.get()));
    return nullptr;
  }
  return m;
}

// One column of text from a text-protocol query, or "ERR <errno>".
std::string QueryOne(MYSQL* m, const std::string& sql) {
  if (mysql_query(m, sql.c_str()) != 0) return absl::StrCat("ERR ", mysql_errno(m));
  MYSQL_RES* res = mysql_store_result(m);
  if (res == nullptr) {
    // An error after the result began (e.g. the statement was killed).
    return mysql_errno(m) != 0 ? absl::StrCat("ERR ", mysql_errno(m)) : "no result";
  }
  MYSQL_ROW row = mysql_fetch_row(res);
  std::string out = row == nullptr ? "no row" : row[0] == nullptr ? "NULL" : row[0];
  mysql_free_result(res);
  return out;
}

MYSQL_BIND Bind(enum_field_types type, void* buffer, unsigned long length = 0) {
  MYSQL_BIND b;
  std::memset(&b, 0, sizeof(b));
  b.buffer_type = type;
  b.buffer = buffer;
  b.buffer_length = length;
  return b;
}

class LibmariadbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mysql_library_init(0, nullptr, nullptr);
    absl::StatusOr<const ServerInfo*> server = SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    ASSERT_TRUE(QueryAsRoot(*server_,
                            "DROP TABLE IF EXISTS mysqlgw_test.lm_types;"
                            "CREATE TABLE mysqlgw_test.lm_types (id INT PRIMARY KEY, "
                            "big BIGINT UNSIGNED, dbl DOUBLE, amount DECIMAL(12,3), "
                            "txt VARCHAR(100), blb BLOB, d DATE, dt DATETIME(6), n INT NULL)")
                    .ok());
    absl::StatusOr<std::unique_ptr<ListenerGateway>> gw = ListenerGateway::Start(*server_, {});
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
  }
  static void TearDownTestSuite() { delete gateway_; }

  static const ServerInfo* server_;
  static ListenerGateway* gateway_;
};

const ServerInfo* LibmariadbTest::server_ = nullptr;
ListenerGateway* LibmariadbTest::gateway_ = nullptr;

TEST_F(LibmariadbTest, PreparedInsertAndSelectRoundTripTypedValues) {
  ASSERT_NE(gateway_, nullptr);
  std::string error;
  MysqlPtr m = Connect(gateway_->mysql_port(), "app", kAppPassword, &error);
  ASSERT_NE(m, nullptr) << error;

  StmtPtr insert(mysql_stmt_init(m.get()));
  const std::string insert_sql = "INSERT INTO lm_types VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  ASSERT_EQ(mysql_stmt_prepare(insert.get(), insert_sql.data(), insert_sql.size()), 0)
      << mysql_stmt_error(insert.get());
  ASSERT_EQ(mysql_stmt_param_count(insert.get()), 9u);

  int id = 1;
  unsigned long long big = 18446744073709551615ull;
  double dbl = -3.25;
  char amount[] = "123456.789";
  unsigned long amount_length = std::strlen(amount);
  char txt[] = "h\xc3\xa9llo 'quoted'";
  unsigned long txt_length = std::strlen(txt);
  char blb[] = {'\0', '\xff', 'a', '\0'};
  unsigned long blb_length = sizeof(blb);
  MYSQL_TIME d{};
  d.year = 2024;
  d.month = 2;
  d.day = 29;
  d.time_type = MYSQL_TIMESTAMP_DATE;
  MYSQL_TIME dt{};
  dt.year = 1999;
  dt.month = 12;
  dt.day = 31;
  dt.hour = 23;
  dt.minute = 59;
  dt.second = 58;
  dt.second_part = 123456;
  dt.time_type = MYSQL_TIMESTAMP_DATETIME;
  my_bool is_null = 1;
  std::vector<MYSQL_BIND> params = {
      Bind(MYSQL_TYPE_LONG, &id),
      Bind(MYSQL_TYPE_LONGLONG, &big),
      Bind(MYSQL_TYPE_DOUBLE, &dbl),
      Bind(MYSQL_TYPE_NEWDECIMAL, amount, sizeof(amount)),
      Bind(MYSQL_TYPE_STRING, txt, sizeof(txt)),
      Bind(MYSQL_TYPE_BLOB, blb, sizeof(blb)),
      Bind(MYSQL_TYPE_DATE, &d),
      Bind(MYSQL_TYPE_DATETIME, &dt),
      Bind(MYSQL_TYPE_LONG, nullptr),
  };
  params[1].is_unsigned = 1;
  params[3].length = &amount_length;
  params[4].length = &txt_length;
  params[5].length = &blb_length;
  params[8].is_null = &is_null;
  ASSERT_EQ(mysql_stmt_bind_param(insert.get(), params.data()), 0);
  ASSERT_EQ(mysql_stmt_execute(insert.get()), 0) << mysql_stmt_error(insert.get());
  EXPECT_EQ(mysql_stmt_affected_rows(insert.get()), 1u);
  // Executed again with new values and the types the client no longer sends.
  id = 2;
  dbl = 0.5;
  ASSERT_EQ(mysql_stmt_execute(insert.get()), 0) << mysql_stmt_error(insert.get());

  // What the server stored, seen by root.
  absl::StatusOr<std::string> stored = QueryAsRoot(
      *server_,
      "SELECT big, dbl, amount, HEX(txt), HEX(blb), d, dt, n FROM mysqlgw_test.lm_types "
      "WHERE id = 1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(*stored)),
            "18446744073709551615\t-3.25\t123456.789\t68C3A96C6C6F202771756F74656427\t00FF6100\t"
            "2024-02-29\t1999-12-31 23:59:58.123456\tNULL");

  // And back through a prepared SELECT: binary rows, typed.
  StmtPtr select(mysql_stmt_init(m.get()));
  const std::string select_sql =
      "SELECT big, dbl, amount, txt, blb, d, dt, n FROM lm_types WHERE id = ?";
  ASSERT_EQ(mysql_stmt_prepare(select.get(), select_sql.data(), select_sql.size()), 0)
      << mysql_stmt_error(select.get());
  EXPECT_EQ(mysql_stmt_field_count(select.get()), 8u);
  int want = 2;
  MYSQL_BIND key = Bind(MYSQL_TYPE_LONG, &want);
  ASSERT_EQ(mysql_stmt_bind_param(select.get(), &key), 0);
  ASSERT_EQ(mysql_stmt_execute(select.get()), 0) << mysql_stmt_error(select.get());

  unsigned long long big_out = 0;
  double dbl_out = 0;
  char amount_out[32] = {};
  char txt_out[128] = {};
  char blb_out[16] = {};
  MYSQL_TIME d_out{};
  MYSQL_TIME dt_out{};
  int n_out = 0;
  unsigned long lengths[8] = {};
  my_bool nulls[8] = {};
  std::vector<MYSQL_BIND> results = {
      Bind(MYSQL_TYPE_LONGLONG, &big_out),     Bind(MYSQL_TYPE_DOUBLE, &dbl_out),
      Bind(MYSQL_TYPE_STRING, amount_out, sizeof(amount_out)),
      Bind(MYSQL_TYPE_STRING, txt_out, sizeof(txt_out)),
      Bind(MYSQL_TYPE_BLOB, blb_out, sizeof(blb_out)),
      Bind(MYSQL_TYPE_DATE, &d_out),           Bind(MYSQL_TYPE_DATETIME, &dt_out),
      Bind(MYSQL_TYPE_LONG, &n_out),
  };
  for (size_t i = 0; i < results.size(); ++i) {
    results[i].length = &lengths[i];
    results[i].is_null = &nulls[i];
  }
  results[0].is_unsigned = 1;
  ASSERT_EQ(mysql_stmt_bind_result(select.get(), results.data()), 0);
  ASSERT_EQ(mysql_stmt_fetch(select.get()), 0) << mysql_stmt_error(select.get());
  EXPECT_EQ(big_out, 18446744073709551615ull);
  EXPECT_EQ(dbl_out, 0.5);
  EXPECT_EQ(std::string(amount_out, lengths[2]), "123456.789");
  EXPECT_EQ(std::string(txt_out, lengths[3]), "h\xc3\xa9llo 'quoted'");
  EXPECT_EQ(std::string(blb_out, lengths[4]), std::string(blb, sizeof(blb)));
  EXPECT_EQ(d_out.year, 2024u);
  EXPECT_EQ(d_out.month, 2u);
  EXPECT_EQ(d_out.day, 29u);
  EXPECT_EQ(dt_out.hour, 23u);
  EXPECT_EQ(dt_out.second, 58u);
  EXPECT_EQ(dt_out.second_part, 123456u);
  EXPECT_TRUE(nulls[7]);
  EXPECT_EQ(mysql_stmt_fetch(select.get()), MYSQL_NO_DATA);

  // Without parameters the backend answers in text; the client still gets
  // binary rows.
  StmtPtr plain(mysql_stmt_init(m.get()));
  const std::string plain_sql = "SELECT COUNT(*), MAX(dt), 1.5, 'x' FROM lm_types";
  ASSERT_EQ(mysql_stmt_prepare(plain.get(), plain_sql.data(), plain_sql.size()), 0)
      << mysql_stmt_error(plain.get());
  ASSERT_EQ(mysql_stmt_execute(plain.get()), 0) << mysql_stmt_error(plain.get());
  long long count = 0;
  MYSQL_TIME max_dt{};
  char decimal_out[16] = {};
  char x_out[8] = {};
  unsigned long plain_lengths[4] = {};
  std::vector<MYSQL_BIND> plain_results = {
      Bind(MYSQL_TYPE_LONGLONG, &count), Bind(MYSQL_TYPE_DATETIME, &max_dt),
      Bind(MYSQL_TYPE_STRING, decimal_out, sizeof(decimal_out)),
      Bind(MYSQL_TYPE_STRING, x_out, sizeof(x_out))};
  for (size_t i = 0; i < plain_results.size(); ++i) plain_results[i].length = &plain_lengths[i];
  ASSERT_EQ(mysql_stmt_bind_result(plain.get(), plain_results.data()), 0);
  ASSERT_EQ(mysql_stmt_fetch(plain.get()), 0) << mysql_stmt_error(plain.get());
  EXPECT_EQ(count, 2);
  EXPECT_EQ(max_dt.year, 1999u);
  EXPECT_EQ(max_dt.second_part, 123456u);
  EXPECT_EQ(std::string(decimal_out, plain_lengths[2]), "1.5");
  EXPECT_EQ(std::string(x_out, plain_lengths[3]), "x");
  EXPECT_EQ(mysql_stmt_fetch(plain.get()), MYSQL_NO_DATA);

  // A statement the backend refuses to prepare: its error.
  StmtPtr bad(mysql_stmt_init(m.get()));
  const std::string bad_sql = "SELECT * FROM no_such_table WHERE id = ?";
  EXPECT_NE(mysql_stmt_prepare(bad.get(), bad_sql.data(), bad_sql.size()), 0);
  EXPECT_EQ(mysql_stmt_errno(bad.get()), 1146u);
}

TEST_F(LibmariadbTest, LongDataAndReset) {
  ASSERT_NE(gateway_, nullptr);
  std::string error;
  MysqlPtr m = Connect(gateway_->mysql_port(), "app", kAppPassword, &error);
  ASSERT_NE(m, nullptr) << error;
  StmtPtr stmt(mysql_stmt_init(m.get()));
  const std::string sql = "INSERT INTO lm_types (id, txt, blb) VALUES (?, ?, ?)";
  ASSERT_EQ(mysql_stmt_prepare(stmt.get(), sql.data(), sql.size()), 0)
      << mysql_stmt_error(stmt.get());
  int id = 10;
  std::vector<MYSQL_BIND> params = {Bind(MYSQL_TYPE_LONG, &id), Bind(MYSQL_TYPE_STRING, nullptr),
                                    Bind(MYSQL_TYPE_BLOB, nullptr)};
  ASSERT_EQ(mysql_stmt_bind_param(stmt.get(), params.data()), 0);
  // Stale data, forgotten by COM_STMT_RESET.
  ASSERT_EQ(mysql_stmt_send_long_data(stmt.get(), 1, "stale", 5), 0);
  ASSERT_EQ(mysql_stmt_reset(stmt.get()), 0) << mysql_stmt_error(stmt.get());
  ASSERT_EQ(mysql_stmt_send_long_data(stmt.get(), 1, "first half, ", 12), 0);
  ASSERT_EQ(mysql_stmt_send_long_data(stmt.get(), 1, "second half", 11), 0);
  const std::string blob(60000, '\x01');
  ASSERT_EQ(mysql_stmt_send_long_data(stmt.get(), 2, blob.data(), blob.size()), 0);
  ASSERT_EQ(mysql_stmt_execute(stmt.get()), 0)
      << mysql_stmt_errno(stmt.get()) << " " << mysql_stmt_error(stmt.get());
  absl::StatusOr<std::string> stored = QueryAsRoot(
      *server_, "SELECT txt, LENGTH(blb), MD5(blb) = MD5(REPEAT(CHAR(1), 60000)) "
                "FROM mysqlgw_test.lm_types WHERE id = 10");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(absl::StripAsciiWhitespace(*stored), "first half, second half\t60000\t1");
}

TEST_F(LibmariadbTest, ChangeUserResetConnectionPingAndMultiResults) {
  ASSERT_NE(gateway_, nullptr);
  std::string error;
  MysqlPtr m = Connect(gateway_->mysql_port(), "app", kAppPassword, &error, CLIENT_MULTI_STATEMENTS);
  ASSERT_NE(m, nullptr) << error;
  EXPECT_EQ(mysql_ping(m.get()), 0);

  // Multi-results: each result with its own rows or OK.
  ASSERT_EQ(mysql_query(m.get(), "SELECT 1; SET @z = 3; SELECT @z, 'two'"), 0)
      << mysql_error(m.get());
  int results = 0;
  std::string last;
  do {
    MYSQL_RES* res = mysql_store_result(m.get());
    if (res != nullptr) {
      MYSQL_ROW row = mysql_fetch_row(res);
      last = absl::StrCat(row[0], mysql_num_fields(res) > 1 ? row[1] : "");
      mysql_free_result(res);
    }
    ++results;
  } while (mysql_next_result(m.get()) == 0);
  EXPECT_EQ(results, 3);
  EXPECT_EQ(last, "3two");

  // COM_RESET_CONNECTION forgets the session's variables.
  EXPECT_EQ(QueryOne(m.get(), "SELECT @z"), "3");
  ASSERT_EQ(mysql_reset_connection(m.get()), 0) << mysql_error(m.get());
  EXPECT_EQ(QueryOne(m.get(), "SELECT @z"), "NULL");

  // Another principal on the same connection, with its own permissions.
  ASSERT_EQ(mysql_change_user(m.get(), "reader", kReaderPassword, "mysqlgw_test"), 0)
      << mysql_error(m.get());
  EXPECT_EQ(QueryOne(m.get(), "SELECT DATABASE()"), "mysqlgw_test");
  EXPECT_EQ(QueryOne(m.get(), "INSERT INTO lm_types (id) VALUES (99)"), "ERR 1142");
  EXPECT_EQ(QueryOne(m.get(), "SHOW MYSQLGW STATUS"), "ERR 1227");
  ASSERT_EQ(mysql_change_user(m.get(), "app", kAppPassword, "mysqlgw_test"), 0)
      << mysql_error(m.get());
  EXPECT_NE(QueryOne(m.get(), "SHOW MYSQLGW STATUS"), "ERR 1227");
  // COM_FIELD_LIST: an empty column list (see server/listener/README.md).
  MYSQL_RES* fields = mysql_list_fields(m.get(), "lm_types", nullptr);
  ASSERT_NE(fields, nullptr) << mysql_error(m.get());
  EXPECT_EQ(mysql_num_fields(fields), 0u);
  mysql_free_result(fields);
  // COM_STATISTICS: MySQL's one-line status.
  const char* stat = mysql_stat(m.get());
  ASSERT_NE(stat, nullptr) << mysql_error(m.get());
  EXPECT_EQ(std::string(stat).rfind("Uptime: ", 0), 0u) << stat;
  // COM_SET_OPTION switches multi-statements off, and back on.
  ASSERT_EQ(mysql_set_server_option(m.get(), MYSQL_OPTION_MULTI_STATEMENTS_OFF), 0)
      << mysql_error(m.get());
  EXPECT_EQ(QueryOne(m.get(), "SELECT 1; SELECT 2"), "ERR 1064");
  ASSERT_EQ(mysql_set_server_option(m.get(), MYSQL_OPTION_MULTI_STATEMENTS_ON), 0);
  EXPECT_EQ(QueryOne(m.get(), "SELECT 'still' AS x"), "still");
  // A failed change of user ends the connection, as in MySQL.
  EXPECT_NE(mysql_change_user(m.get(), "app", "wrong", nullptr), 0);
  EXPECT_EQ(mysql_errno(m.get()), 1045u);
}

TEST_F(LibmariadbTest, ConnectionLimit) {
  ListenerOptions options;
  options.listener_extra = "  max_connections: 2\n";
  absl::StatusOr<std::unique_ptr<ListenerGateway>> gw = ListenerGateway::Start(*server_, options);
  ASSERT_TRUE(gw.ok()) << gw.status();
  std::string error;
  MysqlPtr one = Connect((*gw)->mysql_port(), "app", kAppPassword, &error);
  ASSERT_NE(one, nullptr) << error;
  MysqlPtr two = Connect((*gw)->mysql_port(), "app", kAppPassword, &error);
  ASSERT_NE(two, nullptr) << error;
  MysqlPtr three = Connect((*gw)->mysql_port(), "app", kAppPassword, &error);
  EXPECT_EQ(three, nullptr);
  EXPECT_EQ(error, "1040 Too many connections");
  // A place frees up once a client leaves.
  one.reset();
  for (int i = 0; i < 50 && three == nullptr; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    three = Connect((*gw)->mysql_port(), "app", kAppPassword, &error);
  }
  ASSERT_NE(three, nullptr) << error;
  EXPECT_EQ(QueryOne(three.get(), "SELECT 'in'"), "in");
  absl::StatusOr<std::string> metrics = (*gw)->Metrics();
  ASSERT_TRUE(metrics.ok());
  EXPECT_GE(MetricValue(*metrics, "mysqlgw_listener_connections_refused_total"), 1);
}

// KILL takes the listener's connection ids (the ones clients got in the
// handshake, which the mariadb CLI sends on Ctrl-C): the listener answers it
// itself, and only for the same principal or an admin.
TEST_F(LibmariadbTest, KillQueryAndConnectionByListenerId) {
  std::string error;
  MysqlPtr victim = Connect(gateway_->mysql_port(), "limited", kLimitedPassword, &error);
  ASSERT_NE(victim, nullptr) << error;
  const unsigned long victim_id = mysql_thread_id(victim.get());
  std::string sleep_result;
  auto started = std::chrono::steady_clock::now();
  std::thread sleeper([&] { sleep_result = QueryOne(victim.get(), "SELECT SLEEP(30)"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  // Another principal without admin may not.
  MysqlPtr reader = Connect(gateway_->mysql_port(), "reader", kReaderPassword, &error);
  ASSERT_NE(reader, nullptr) << error;
  EXPECT_EQ(QueryOne(reader.get(), absl::StrCat("KILL QUERY ", victim_id)), "ERR 1095");
  // An id no connection has.
  EXPECT_EQ(QueryOne(reader.get(), "KILL QUERY 4000000000"), "ERR 1094");

  // The same principal may: the statement ends with 1317, the connection lives.
  MysqlPtr same = Connect(gateway_->mysql_port(), "limited", kLimitedPassword, &error);
  ASSERT_NE(same, nullptr) << error;
  ASSERT_EQ(mysql_query(same.get(), absl::StrCat("KILL QUERY ", victim_id).c_str()), 0)
      << mysql_error(same.get());
  sleeper.join();
  EXPECT_EQ(sleep_result, "ERR 1317");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_EQ(QueryOne(victim.get(), "SELECT 41 + 1"), "42");

  // An admin may end the connection; COM_PROCESS_KILL is the same.
  MysqlPtr admin = Connect(gateway_->mysql_port(), "app", kAppPassword, &error);
  ASSERT_NE(admin, nullptr) << error;
  ASSERT_EQ(mysql_query(admin.get(), absl::StrCat("KILL ", victim_id).c_str()), 0)
      << mysql_error(admin.get());
  EXPECT_NE(mysql_query(victim.get(), "SELECT 1"), 0);  // Gone.
  MysqlPtr other = Connect(gateway_->mysql_port(), "limited", kLimitedPassword, &error);
  ASSERT_NE(other, nullptr) << error;
  const unsigned long other_id = mysql_thread_id(other.get());
  EXPECT_EQ(mysql_kill(admin.get(), other_id), 0) << mysql_error(admin.get());
  EXPECT_NE(mysql_query(other.get(), "SELECT 1"), 0);
  // The backend never saw a client's id: the admin's own session still works.
  EXPECT_EQ(QueryOne(admin.get(), "SELECT 1"), "1");
}

}  // namespace
}  // namespace mysqlgw::testing
