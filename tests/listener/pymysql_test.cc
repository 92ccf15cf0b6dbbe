// PyMySQL (pure Python, its own protocol code, client-side parameter
// interpolation) through the gateway's MySQL listener: parameters,
// transactions, session state that pins a backend connection, settings
// replayed across pooled connections, errors, and the metrics they leave.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/listener/listener_fixture.h"

namespace mysqlgw::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Shared by the scripts: connect(user, password, **kw) to the listener whose
// port is argv[1].
constexpr char kPrelude[] = R"py(
import sys, pymysql
port = int(sys.argv[1])
def connect(user="app", password="app-pw", **kw):
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=password,
                           database="mysqlgw_test", connect_timeout=10, **kw)
def status(cur):
    cur.execute("SHOW MYSQLGW STATUS")
    return dict(cur.fetchall())
)py";

class PyMySqlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<const ServerInfo*> server = SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
  }
  void SetUp() override {
    absl::StatusOr<CommandResult> probe = RunProcess({FindProgram("python3"), "-c", "import pymysql"}, {});
    ASSERT_TRUE(probe.ok() && probe->exit_code == 0) << "PyMySQL is not installed";
  }
  std::unique_ptr<ListenerGateway> Start(ListenerOptions options = {}) {
    absl::StatusOr<std::unique_ptr<ListenerGateway>> gw = ListenerGateway::Start(*server_, options);
    EXPECT_TRUE(gw.ok()) << gw.status();
    return gw.ok() ? *std::move(gw) : nullptr;
  }
  // Runs kPrelude + `body`; returns its stdout.
  std::string Run(const ListenerGateway& gw, const std::string& body) {
    CommandResult r = Python(absl::StrCat(kPrelude, body), {absl::StrCat(gw.mysql_port())});
    EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
    return r.stdout_data;
  }
  std::string RootQuery(const std::string& sql) {
    absl::StatusOr<std::string> r = QueryAsRoot(*server_, sql);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }

  static const ServerInfo* server_;
};

const ServerInfo* PyMySqlTest::server_ = nullptr;

TEST_F(PyMySqlTest, ParametersTransactionsAndErrors) {
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  RootQuery(
      "CREATE TABLE IF NOT EXISTS mysqlgw_test.py_items (id INT PRIMARY KEY, v VARCHAR(40), "
      "price DECIMAL(10,2)); DELETE FROM mysqlgw_test.py_items");
  const std::string out = Run(*gw, R"py(
c = connect()  # autocommit off, PyMySQL's default: the session pins
cur = c.cursor()
cur.execute("SELECT %s + %s, %s, %s", (2, 3, "it's \"quoted\"", None))
print("params", cur.fetchall())
c.begin()
cur.execute("INSERT INTO py_items VALUES (%s, %s, %s)", (1, "rolled back", "1.50"))
cur.execute("SELECT COUNT(*) FROM py_items")
print("inside", cur.fetchone()[0])
c.rollback()
cur.execute("SELECT COUNT(*) FROM py_items")
print("after rollback", cur.fetchone()[0])
c.begin()
cur.execute("INSERT INTO py_items VALUES (%s, %s, %s)", (2, "kept", "2.25"))
c.commit()
cur.execute("SELECT id, v, price FROM py_items")
print("after commit", cur.fetchall())
# PyMySQL leaves CLIENT_MULTI_STATEMENTS off: stacked statements are a
# syntax error, as the server would say.
for sql in ("SELECT * FROM no_such_table", "SELEC 1",
            "INSERT INTO py_items VALUES (2, 'dup', 0)",
            "SELECT 1; DELETE FROM py_items"):
    try:
        cur.execute(sql)
    except pymysql.err.MySQLError as e:
        print("error", e.args[0])
c.close()
)py");
  EXPECT_THAT(out, HasSubstr("params ((5, 'it\\'s \"quoted\"', None),)\n"));
  EXPECT_THAT(out, HasSubstr("inside 1\n"));
  EXPECT_THAT(out, HasSubstr("after rollback 0\n"));
  EXPECT_THAT(out, HasSubstr("after commit ((2, 'kept', Decimal('2.25')),)\n"));
  EXPECT_THAT(out, HasSubstr("error 1146\nerror 1064\nerror 1062\nerror 1064\n"));
  // Committed for everyone, the rolled back row nowhere.
  EXPECT_EQ(RootQuery("SELECT GROUP_CONCAT(id) FROM mysqlgw_test.py_items"), "2");
}

TEST_F(PyMySqlTest, SessionStatePinsTheBackendConnection) {
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  const std::string out = Run(*gw, R"py(
c = connect(autocommit=True)
cur = c.cursor()
print("free", repr(status(cur)["session_pins"]))
cur.execute("SET @x = 5")
cur.execute("SELECT @x + 1")
print("var", cur.fetchone()[0])
print("pins", status(cur)["session_pins"])
cur.execute("CREATE TEMPORARY TABLE tmp_items (x INT)")
cur.execute("INSERT INTO tmp_items VALUES (41)")
cur.execute("SELECT x + 1 FROM tmp_items")
print("temp", cur.fetchone()[0])
print("pins", status(cur)["session_pins"])
# COM_RESET_CONNECTION gives the pinned connection back, state and all.
c._execute_command(0x1f, b"")  # COM_RESET_CONNECTION
c._read_ok_packet()
print("after reset", repr(status(cur)["session_pins"]))
cur.execute("SELECT @x")
print("var after reset", cur.fetchone()[0])
c.close()
)py");
  EXPECT_THAT(out, HasSubstr("free ''\n"));
  EXPECT_THAT(out, HasSubstr("var 6\n"));
  EXPECT_THAT(out, HasSubstr("pins user_variables\n"));
  EXPECT_THAT(out, HasSubstr("temp 42\n"));
  EXPECT_THAT(out, HasSubstr("pins user_variables,temporary_tables\n"));
  EXPECT_THAT(out, HasSubstr("after reset ''\n"));
  EXPECT_THAT(out, HasSubstr("var after reset None\n"));
}

TEST_F(PyMySqlTest, SettingsAreReplayedOnPooledConnections) {
  // One backend connection for both clients: each statement borrows it, so
  // a's settings must be put back for a, and must not leak to b.
  ListenerOptions options;
  options.pool_max_open = 1;
  options.io_threads = 1;
  auto gw = Start(options);
  ASSERT_NE(gw, nullptr);
  const std::string out = Run(*gw, R"py(
a = connect(autocommit=True)
b = connect(autocommit=True)
ca, cb = a.cursor(), b.cursor()
ca.execute("SET SESSION sql_mode = 'ANSI_QUOTES'")
ca.execute("SET NAMES utf8mb4 COLLATE utf8mb4_bin")
s = status(ca)
print("a pins", repr(s["session_pins"]), "replayed", s["session_replayed_settings"])
cb.execute("SELECT @@sql_mode, @@collation_connection")
print("b", cb.fetchone())
ca.execute("SELECT @@sql_mode, @@collation_connection")
print("a", ca.fetchone())
ca.execute("SELECT CONNECTION_ID()"); ida = ca.fetchone()[0]
cb.execute("SELECT CONNECTION_ID()"); idb = cb.fetchone()[0]
print("same backend connection", ida == idb)
# The replayed sql_mode is in force for the text a sends: with ANSI_QUOTES
# a double-quoted word is a column name.
try:
    ca.execute('SELECT "no_such_column"')
except pymysql.err.MySQLError as e:
    print("a double quotes", e.args[0])
cb.execute('SELECT "a string for b"')
print("b double quotes", cb.fetchone()[0])
)py");
  EXPECT_THAT(out, HasSubstr("a pins '' replayed 2\n"));
  EXPECT_THAT(out, Not(HasSubstr("b ('ANSI_QUOTES'")));
  EXPECT_THAT(out, HasSubstr("a ('ANSI_QUOTES', 'utf8mb4_bin')\n"));
  EXPECT_THAT(out, HasSubstr("same backend connection True\n"));
  EXPECT_THAT(out, HasSubstr("a double quotes 1054\n"));
  EXPECT_THAT(out, HasSubstr("b double quotes a string for b\n"));
}

TEST_F(PyMySqlTest, PinsAndCommandsShowInMetrics) {
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  Run(*gw, R"py(
c = connect(autocommit=True)
cur = c.cursor()
cur.execute("SET @v = 1")
cur.execute("BEGIN")
cur.execute("SELECT 1")
cur.execute("COMMIT")
c.ping()
c.close()
try:
    connect(password="wrong")
except pymysql.err.OperationalError as e:
    print("refused", e.args[0])
)py");
  // The session's end is seen by the gateway shortly after the client's.
  std::string metrics;
  for (int i = 0; i < 50; ++i) {
    absl::StatusOr<std::string> m = gw->Metrics();
    ASSERT_TRUE(m.ok()) << m.status();
    metrics = *m;
    if (MetricValue(metrics, "mysqlgw_listener_connections_open") == 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_connections_open"), 0) << metrics;
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_connections_total"), 2);
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_auth_failures_total"), 1);
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_session_pins_total{reason=\"user_variables\"}"), 1);
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_session_pins_total{reason=\"transaction\"}"), 1);
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_session_pins_total{reason=\"locks\"}"), 0);
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_pinned_sessions"), 0);
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_commands_total{command=\"query\"}"), 4);
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_commands_total{command=\"ping\"}"), 1);
  EXPECT_EQ(MetricValue(metrics, "mysqlgw_listener_commands_total{command=\"quit\"}"), 1);
}

}  // namespace
}  // namespace mysqlgw::testing
