// mysqlwire against a real MariaDB server (a private sandbox, or the server
// named by MYSQLGW_TEST_DSN).
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/io_context.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "testing/sandbox.h"
#include "tests/support/run_sync.h"

namespace mysqlwire {
namespace {

namespace asio = boost::asio;
using mysqlgw::testing::RunSync;
using mysqlgw::testing::ServerInfo;

const ServerInfo& Server() {
  static const ServerInfo* info = [] {
    auto s = mysqlgw::testing::SharedServer();
    if (!s.ok()) {
      ADD_FAILURE() << "cannot start MariaDB: " << s.status();
      std::abort();
    }
    return *s;
  }();
  return *info;
}

ConnectOptions Options() {
  const ServerInfo& s = Server();
  ConnectOptions o;
  o.host = s.host;
  o.port = s.port;
  o.user = s.user;
  o.password = s.password;
  o.database = s.database;
  o.ssl_mode = SslMode::kDisable;
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

class ConnectionTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> Connect(ConnectOptions options = Options()) {
    auto conn = std::make_unique<Connection>(io_.get_executor());
    absl::Status s = RunSync(io_, conn->Connect(options));
    EXPECT_TRUE(s.ok()) << s;
    return conn;
  }
  std::vector<ResultSet> MustQuery(Connection& c, absl::string_view sql) {
    auto r = RunSync(io_, c.Query(sql));
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    return r.ok() ? *std::move(r) : std::vector<ResultSet>{};
  }

  asio::io_context io_;
};

TEST_F(ConnectionTest, ConnectsAndSelects) {
  auto c = Connect();
  EXPECT_TRUE(c->usable());
  EXPECT_TRUE(c->is_mariadb());
  EXPECT_NE(c->server_version().find("MariaDB"), std::string::npos);
  EXPECT_GT(c->connection_id(), 0u);
  EXPECT_EQ(c->auth_plugin(), "mysql_native_password");
  auto rs = MustQuery(*c, "SELECT 1 AS one, 'two' AS two, NULL AS three");
  ASSERT_EQ(rs.size(), 1u);
  ASSERT_EQ(rs[0].columns.size(), 3u);
  EXPECT_EQ(rs[0].columns[0].name, "one");
  ASSERT_EQ(rs[0].rows.size(), 1u);
  EXPECT_EQ(rs[0].rows[0][0], Value::Int64(1));
  EXPECT_EQ(rs[0].rows[0][1], Value::String("two"));
  EXPECT_TRUE(rs[0].rows[0][2].is_null());
  EXPECT_TRUE(RunSync(io_, c->Ping()).ok());
}

TEST_F(ConnectionTest, WrongPasswordIsAccessDenied) {
  ConnectOptions o = Options();
  o.password = "definitely-wrong";
  Connection c(io_.get_executor());
  absl::Status s = RunSync(io_, c.Connect(o));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  auto err = GetServerError(s);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code, 1045);
  EXPECT_EQ(err->sql_state, "28000");
  EXPECT_FALSE(c.usable());
  // The password never appears in the error.
  EXPECT_EQ(s.ToString().find("definitely-wrong"), std::string::npos);
}

TEST_F(ConnectionTest, Ed25519Authentication) {
  // The sandbox creates this account when the server's plugin loads.
  ASSERT_FALSE(Server().ed25519_user.empty()) << "sandbox has no ed25519 account";
  ConnectOptions o = Options();
  o.user = Server().ed25519_user;
  auto c = Connect(o);
  ASSERT_TRUE(c->usable());
  EXPECT_EQ(c->auth_plugin(), "client_ed25519");
  EXPECT_EQ(MustQuery(*c, "SELECT CURRENT_USER() LIKE 'mysqlgw_ed@%'")[0].rows[0][0],
            Value::Int64(1));
  o.password = "not-the-password";
  Connection bad(io_.get_executor());
  absl::Status s = RunSync(io_, bad.Connect(o));
  EXPECT_EQ(GetServerError(s)->code, 1045) << s;
}

TEST_F(ConnectionTest, UnknownDatabase) {
  ConnectOptions o = Options();
  o.database = "no_such_db_xyz";
  Connection c(io_.get_executor());
  absl::Status s = RunSync(io_, c.Connect(o));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(GetServerError(s)->code, 1049) << s;
}

TEST_F(ConnectionTest, ConnectRefusedIsUnavailable) {
  ConnectOptions o = Options();
  o.port = 1;  // Nothing listens there.
  Connection c(io_.get_executor());
  absl::Status s = RunSync(io_, c.Connect(o));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

TEST_F(ConnectionTest, TlsWithVerification) {
  ConnectOptions o = Options();
  o.ssl_mode = SslMode::kVerifyIdentity;
  o.ssl_ca_file = Server().ca_path;
  o.host = "localhost";
  auto c = Connect(o);
  ASSERT_TRUE(c->usable());
  EXPECT_TRUE(c->is_tls());
  auto rs = MustQuery(*c, "SHOW SESSION STATUS LIKE 'Ssl_version'");
  ASSERT_EQ(rs.size(), 1u);
  ASSERT_EQ(rs[0].rows.size(), 1u);
  EXPECT_NE(rs[0].rows[0][1].as_string().find("TLS"), std::string::npos);
}

TEST_F(ConnectionTest, TlsWrongCaIsRefused) {
  ConnectOptions o = Options();
  o.ssl_mode = SslMode::kVerifyCa;
  o.ssl_ca_file = Server().wrong_ca_path;
  Connection c(io_.get_executor());
  absl::Status s = RunSync(io_, c.Connect(o));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("TLS"), std::string::npos) << s;
}

TEST_F(ConnectionTest, TlsWrongHostNameIsRefused) {
  ConnectOptions o = Options();
  o.ssl_mode = SslMode::kVerifyIdentity;
  o.ssl_ca_file = Server().ca_path;
  o.ssl_server_name = "db.invalid";
  Connection c(io_.get_executor());
  absl::Status s = RunSync(io_, c.Connect(o));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  // The same CA with the right name works (the refusal is about the name).
  o.ssl_server_name = "localhost";
  Connect(o);
}

TEST_F(ConnectionTest, TlsUserOverTls) {
  ConnectOptions o = Options();
  o.user = Server().tls_user;
  o.ssl_mode = SslMode::kDisable;
  Connection plain(io_.get_executor());
  absl::Status s = RunSync(io_, plain.Connect(o));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  o.ssl_mode = SslMode::kVerifyCa;
  o.ssl_ca_file = Server().ca_path;
  auto c = Connect(o);
  EXPECT_TRUE(c->is_tls());
}

TEST_F(ConnectionTest, DmlReportsOkFields) {
  auto c = Connect();
  MustQuery(*c, "DROP TABLE IF EXISTS ok_fields");
  MustQuery(*c,
            "CREATE TABLE ok_fields (id INT AUTO_INCREMENT PRIMARY KEY, v "
            "TINYINT)");
  // Non-strict mode: 300 is clipped to 127 with a warning.
  MustQuery(*c, "SET SESSION sql_mode = ''");
  auto rs = MustQuery(*c, "INSERT INTO ok_fields (v) VALUES (1), (2), (300)");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_TRUE(rs[0].columns.empty());
  EXPECT_EQ(rs[0].ok.affected_rows, 3u);
  EXPECT_EQ(rs[0].ok.last_insert_id, 1u);
  EXPECT_EQ(rs[0].ok.warnings, 1);
  EXPECT_NE(rs[0].ok.info.find("Records: 3"), std::string::npos);
  auto upd = MustQuery(*c, "UPDATE ok_fields SET v = 5 WHERE id <= 2");
  EXPECT_EQ(upd[0].ok.affected_rows, 2u);
  EXPECT_EQ(upd[0].ok.last_insert_id, 0u);
  // Strict mode turns the same clipping into an error.
  MustQuery(*c, "SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
  auto strict = RunSync(io_, c->Query("INSERT INTO ok_fields (v) VALUES (300)"));
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(GetServerError(strict.status())->code, 1264);
  EXPECT_EQ(GetServerError(strict.status())->sql_state, "22003");
}

TEST_F(ConnectionTest, ServerErrorsKeepConnectionUsable) {
  auto c = Connect();
  auto r = RunSync(io_, c->Query("SELEC 1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetServerError(r.status())->code, 1064);
  EXPECT_EQ(GetServerError(r.status())->sql_state, "42000");
  EXPECT_TRUE(c->usable());
  MustQuery(*c, "DROP TABLE IF EXISTS dup");
  MustQuery(*c, "CREATE TABLE dup (id INT PRIMARY KEY)");
  MustQuery(*c, "INSERT INTO dup VALUES (1)");
  auto d = RunSync(io_, c->Query("INSERT INTO dup VALUES (1)"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(GetServerError(d.status())->code, 1062);
  EXPECT_EQ(MustQuery(*c, "SELECT COUNT(*) FROM dup")[0].rows[0][0], Value::Int64(1));
}

TEST_F(ConnectionTest, MultiStatementAndMultiResults) {
  auto c = Connect();
  auto rs = MustQuery(*c, "SELECT 1; SELECT 'a', 'b'; DO 1; SELECT 3");
  ASSERT_EQ(rs.size(), 4u);
  EXPECT_EQ(rs[0].rows[0][0], Value::Int64(1));
  EXPECT_EQ(rs[1].rows[0][1], Value::String("b"));
  EXPECT_TRUE(rs[2].columns.empty());
  EXPECT_EQ(rs[3].rows[0][0], Value::Int64(3));
  EXPECT_TRUE(c->usable());

  // A procedure returning two result sets plus the final OK.
  MustQuery(*c, "DROP PROCEDURE IF EXISTS two_results");
  MustQuery(*c,
            "CREATE PROCEDURE two_results() BEGIN SELECT 10; SELECT 20, 21; END");
  auto call = MustQuery(*c, "CALL two_results()");
  ASSERT_EQ(call.size(), 3u);
  EXPECT_EQ(call[0].rows[0][0], Value::Int64(10));
  EXPECT_EQ(call[1].rows[0][1], Value::Int64(21));
  EXPECT_TRUE(call[2].columns.empty());

  // An error in the middle ends the command; the connection stays in sync.
  auto bad = RunSync(io_, c->Query("SELECT 1; SELECT * FROM no_such_table; SELECT 2"));
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(c->usable());
  EXPECT_EQ(MustQuery(*c, "SELECT 5")[0].rows[0][0], Value::Int64(5));
}

TEST_F(ConnectionTest, StreamingRowsOneAtATime) {
  auto c = Connect();
  auto head = RunSync(io_, c->StartQuery("SELECT seq FROM seq_1_to_10000"));
  ASSERT_TRUE(head.ok()) << head.status();
  ASSERT_TRUE(head->has_rows());
  int64_t count = 0, sum = 0;
  std::vector<Value> row;
  while (true) {
    auto more = RunSync(io_, c->ReadRow(&row));
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    ++count;
    sum += static_cast<int64_t>(row[0].as_uint64());
  }
  EXPECT_EQ(count, 10000);
  EXPECT_EQ(sum, 50005000);
  // A command while a result is pending is refused, not interleaved.
  auto head2 = RunSync(io_, c->StartQuery("SELECT seq FROM seq_1_to_3"));
  ASSERT_TRUE(head2.ok());
  auto refused = RunSync(io_, c->Query("SELECT 1"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(RunSync(io_, c->DrainResults()).ok());
  EXPECT_TRUE(c->usable());
}

TEST_F(ConnectionTest, TwentyMegabyteRow) {
  auto c = Connect();
  const size_t size = 20 * 1024 * 1024 + 17;
  // Text protocol: the server builds the value; it crosses 16 MB packets.
  auto rs = MustQuery(*c, absl::StrCat("SELECT REPEAT('x', ", size, "), 7"));
  ASSERT_EQ(rs.size(), 1u);
  ASSERT_EQ(rs[0].rows.size(), 1u);
  EXPECT_EQ(rs[0].rows[0][0].as_string().size(), size);
  EXPECT_EQ(rs[0].rows[0][1], Value::Int64(7));

  // Binary protocol, with a 20 MB parameter sent by us (our framing split).
  MustQuery(*c, "DROP TABLE IF EXISTS big");
  MustQuery(*c, "CREATE TABLE big (id INT PRIMARY KEY, b LONGBLOB)");
  auto ins = RunSync(io_, c->Prepare("INSERT INTO big VALUES (?, ?)"));
  ASSERT_TRUE(ins.ok()) << ins.status();
  std::string blob(size, '\0');
  for (size_t i = 0; i < size; ++i) blob[i] = static_cast<char>(i % 251);
  auto done = RunSync(io_, c->Execute(*ins, {Value::Int64(1), Value::BytesOf(blob)}));
  ASSERT_TRUE(done.ok()) << done.status();
  auto sel = RunSync(io_, c->Prepare("SELECT b, LENGTH(b) FROM big WHERE id = ?"));
  ASSERT_TRUE(sel.ok());
  auto got = RunSync(io_, c->Execute(*sel, {Value::Int64(1)}));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ((*got)[0].rows.size(), 1u);
  EXPECT_TRUE((*got)[0].rows[0][0].as_bytes() == blob);
  EXPECT_EQ((*got)[0].rows[0][1], Value::Int64(static_cast<int64_t>(size)));
}

TEST_F(ConnectionTest, PreparedStatementLifecycle) {
  auto c = Connect();
  auto st = RunSync(io_, c->Prepare("SELECT ? + ?, ?"));
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->num_params, 3);
  EXPECT_EQ(st->columns.size(), 2u);
  auto r = RunSync(io_, c->Execute(*st, {Value::Int64(2), Value::Int64(40),
                                         Value::String("hé")}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].rows[0][0], Value::Int64(42));
  EXPECT_EQ((*r)[0].rows[0][1], Value::String("hé"));
  auto wrong = RunSync(io_, c->Execute(*st, {Value::Int64(1)}));
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(c->usable());
  EXPECT_TRUE(RunSync(io_, c->ResetStatement(*st)).ok());
  EXPECT_TRUE(RunSync(io_, c->CloseStatement(*st)).ok());
  // Executing a closed statement is a server error (unknown handler).
  auto closed = RunSync(io_, c->Execute(*st, {Value::Int64(1), Value::Int64(1),
                                              Value::Null()}));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(GetServerError(closed.status())->code, 1243);
  auto bad = RunSync(io_, c->Prepare("SELECT FROM"));
  EXPECT_EQ(GetServerError(bad.status())->code, 1064);
  EXPECT_TRUE(c->usable());
}

TEST_F(ConnectionTest, PreparedStatementCache) {
  ConnectOptions o = Options();
  o.statement_cache_size = 2;
  auto c = Connect(o);
  auto prepared_count = [&] {
    auto r = MustQuery(*c, "SHOW SESSION STATUS LIKE 'Com_stmt_prepare'");
    return std::stoi(r[0].rows[0][1].as_string());
  };
  const int base = prepared_count();
  auto a1 = RunSync(io_, c->PrepareCached("SELECT ? + 1"));
  ASSERT_TRUE(a1.ok()) << a1.status();
  const uint32_t id_a = (*a1)->id;
  auto a2 = RunSync(io_, c->PrepareCached("SELECT ? + 1"));
  ASSERT_TRUE(a2.ok());
  EXPECT_EQ((*a2)->id, id_a);  // A hit: no second prepare.
  EXPECT_EQ(prepared_count(), base + 1);
  auto r = RunSync(io_, c->Execute(**a2, {Value::Int64(41)}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].rows[0][0], Value::Int64(42));
  // Two more statements evict the least recently used ("SELECT ? + 1").
  ASSERT_TRUE(RunSync(io_, c->PrepareCached("SELECT ? + 2")).ok());
  ASSERT_TRUE(RunSync(io_, c->PrepareCached("SELECT ? + 3")).ok());
  auto again = RunSync(io_, c->PrepareCached("SELECT ? + 1"));
  ASSERT_TRUE(again.ok());
  EXPECT_NE((*again)->id, id_a);
  EXPECT_EQ(prepared_count(), base + 4);
  // The evicted statement was closed on the server.
  auto stale = RunSync(io_, c->Execute(PreparedStatement{id_a, 1, {}, {}}, {Value::Int64(1)}));
  EXPECT_EQ(GetServerError(stale.status())->code, 1243);
  // A reset empties the cache (the server dropped the statements).
  ASSERT_TRUE(RunSync(io_, c->ResetSession()).ok());
  const int after_reset = prepared_count();  // Session counters reset too.
  auto fresh = RunSync(io_, c->PrepareCached("SELECT ? + 1"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(prepared_count(), after_reset + 1);
}

TEST_F(ConnectionTest, SelectDatabaseAndResetSession) {
  auto c = Connect();
  EXPECT_TRUE(RunSync(io_, c->SelectDatabase("mysql")).ok());
  EXPECT_EQ(MustQuery(*c, "SELECT DATABASE()")[0].rows[0][0], Value::String("mysql"));
  absl::Status bad = RunSync(io_, c->SelectDatabase("no_such_db_xyz"));
  EXPECT_EQ(GetServerError(bad)->code, 1049);
  MustQuery(*c, "SET @v = 42");
  MustQuery(*c, "CREATE TEMPORARY TABLE tmp_reset (x INT)");
  MustQuery(*c, "BEGIN");
  EXPECT_TRUE(c->status_flags() & 0x0001);  // In transaction.
  EXPECT_TRUE(RunSync(io_, c->ResetSession()).ok());
  EXPECT_FALSE(c->status_flags() & 0x0001);
  EXPECT_TRUE(MustQuery(*c, "SELECT @v")[0].rows[0][0].is_null());
  auto tmp = RunSync(io_, c->Query("SELECT * FROM tmp_reset"));
  EXPECT_EQ(GetServerError(tmp.status())->code, 1146);
}

TEST_F(ConnectionTest, TracksCurrentDatabaseThroughUseAndReset) {
  auto c = Connect();
  EXPECT_EQ(c->current_database(), "mysqlgw_test");
  MustQuery(*c, "USE mysql");
  // Learned from the OK packet's session tracking, not by asking.
  EXPECT_EQ(c->current_database(), "mysql");
  EXPECT_TRUE(RunSync(io_, c->ResetSession()).ok());
  // COM_RESET_CONNECTION keeps the database: whoever pools connections must
  // restore it, which current_database() makes cheap.
  EXPECT_EQ(MustQuery(*c, "SELECT DATABASE()")[0].rows[0][0],
            Value::String(c->current_database()));
  EXPECT_TRUE(RunSync(io_, c->SelectDatabase("mysqlgw_test")).ok());
  EXPECT_EQ(c->current_database(), "mysqlgw_test");
  EXPECT_TRUE(RunSync(io_, c->ResetSession()).ok());
  EXPECT_FALSE(c->session_state_changed());
  MustQuery(*c, "SET SESSION session_track_state_change = ON");
  MustQuery(*c, "SET @user_var = 1");
  EXPECT_TRUE(c->session_state_changed());
}

TEST_F(ConnectionTest, KillQueryFromSecondConnection) {
  auto victim = Connect();
  auto killer = Connect();
  uint32_t id = victim->connection_id();
  absl::StatusOr<std::vector<ResultSet>> result;
  asio::co_spawn(io_, victim->Query("SELECT SLEEP(30)"),
                 [&](std::exception_ptr, absl::StatusOr<std::vector<ResultSet>> r) {
                   result = std::move(r);
                 });
  asio::steady_timer delay(io_, std::chrono::milliseconds(300));
  delay.async_wait([&](boost::system::error_code) {
    asio::co_spawn(io_, killer->Query(absl::StrCat("KILL QUERY ", id)),
                   [](std::exception_ptr, absl::StatusOr<std::vector<ResultSet>> r) {
                     EXPECT_TRUE(r.ok()) << r.status();
                   });
  });
  auto start = std::chrono::steady_clock::now();
  io_.restart();
  io_.run();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  // SLEEP() reports interruption as the result 1, or the server sends
  // ER_QUERY_INTERRUPTED; either way the connection stays usable.
  if (result.ok()) {
    EXPECT_EQ((*result)[0].rows[0][0], Value::Int64(1));
  } else {
    EXPECT_EQ(GetServerError(result.status())->code, 1317) << result.status();
  }
  EXPECT_TRUE(victim->usable());
  EXPECT_EQ(MustQuery(*victim, "SELECT 9")[0].rows[0][0], Value::Int64(9));
}

TEST_F(ConnectionTest, ConnectionKilledMidQuery) {
  auto victim = Connect();
  auto killer = Connect();
  uint32_t id = victim->connection_id();
  absl::StatusOr<std::vector<ResultSet>> result;
  asio::co_spawn(io_, victim->Query("SELECT SLEEP(30)"),
                 [&](std::exception_ptr, absl::StatusOr<std::vector<ResultSet>> r) {
                   result = std::move(r);
                 });
  asio::steady_timer delay(io_, std::chrono::milliseconds(300));
  delay.async_wait([&](boost::system::error_code) {
    asio::co_spawn(io_, killer->Query(absl::StrCat("KILL ", id)),
                   [](std::exception_ptr, absl::StatusOr<std::vector<ResultSet>>) {});
  });
  io_.restart();
  io_.run();
  ASSERT_FALSE(result.ok());
  // MariaDB sends ER_CONNECTION_KILLED and closes; either is "unavailable".
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable) << result.status();
  auto after = RunSync(io_, victim->Query("SELECT 1"));
  EXPECT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), absl::StatusCode::kUnavailable) << after.status();
}

TEST_F(ConnectionTest, IoTimeoutBreaksTheConnection) {
  ConnectOptions o = Options();
  o.io_timeout = std::chrono::milliseconds(300);
  auto c = Connect(o);
  auto start = std::chrono::steady_clock::now();
  auto r = RunSync(io_, c->Query("SELECT SLEEP(5)"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_FALSE(c->usable());
}

TEST_F(ConnectionTest, ManyConnectionsConcurrently) {
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < 32; ++i) conns.push_back(Connect());
  int done = 0;
  for (int i = 0; i < 32; ++i) {
    asio::co_spawn(
        io_,
        [&, i]() -> asio::awaitable<void> {
          for (int k = 0; k < 20; ++k) {
            auto r = co_await conns[i]->Query(absl::StrCat("SELECT ", i * 100 + k));
            EXPECT_TRUE(r.ok());
            if (r.ok()) {
              EXPECT_EQ((*r)[0].rows[0][0], Value::Int64(i * 100 + k));
            }
          }
          ++done;
        },
        asio::detached);
  }
  io_.restart();
  io_.run();
  EXPECT_EQ(done, 32);
}

}  // namespace
}  // namespace mysqlwire
