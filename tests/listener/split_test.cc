// Read/write splitting through the MySQL-protocol listener, checked as
// routing_e2e_test checks it through gRPC: the real gateway binary in front
// of a real GTID primary/replica pair, driven by real clients (PyMySQL, the
// mariadb CLI). Each server holds its own row in an unreplicated table
// `marker`, so `SELECT who FROM marker` tells which server answered.
//
// What the listener adds over gRPC: the session. A session that holds state
// on its backend connection (transaction, autocommit off, user variables)
// is pinned there, on the primary; a free session follows the replica's
// health from one statement to the next.
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/protocol/server_auth.h"
#include "server/http/test_client.h"
#include "testing/replica_sandbox.h"
#include "tests/listener/listener_fixture.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kWho[] = "SELECT who FROM marker";

// Shared by the scripts: argv is (listener port, database, scratch dir).
// who(cur[, sql]) names the server that answered.
constexpr char kPrelude[] = R"py(
import os, sys, time, pymysql
port, db, scratch = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def connect(**kw):
    return pymysql.connect(host="127.0.0.1", port=port, user="app", password="app-pw",
                           database=db, connect_timeout=10, **kw)
def who(cur, sql="SELECT who FROM marker"):
    cur.execute(sql)
    return cur.fetchone()[0]
def pins(cur):
    cur.execute("SHOW MYSQLGW STATUS")
    return dict(cur.fetchall())["session_pins"]
def scalar(cur, sql, args=None):
    cur.execute(sql, args)
    return cur.fetchone()[0]
)py";

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

std::string NativeHash(absl::string_view password) {
  return mysqlwire::FormatNativePasswordHash(mysqlwire::ComputeNativePasswordHash(password));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return out;
}

class ListenerSplitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<ReplicaPair*> pair = SharedReplicaPair();
    ASSERT_TRUE(pair.ok()) << pair.status();
    pair_ = *pair;
    ASSERT_TRUE(pair_->PrimaryQuery("CREATE TABLE IF NOT EXISTS writes "
                                    "(id INT AUTO_INCREMENT PRIMARY KEY, who VARCHAR(32))")
                    .ok());
    // Unreplicated on both sides; on the replica sql_log_bin=0 also keeps
    // gtid_strict_mode from tripping over a local transaction.
    auto marker = [](const char* who) {
      return absl::StrCat(
          "SET SESSION sql_log_bin = 0; "
          "CREATE TABLE IF NOT EXISTS marker (who VARCHAR(16)); "
          "DELETE FROM marker; INSERT INTO marker VALUES ('",
          who, "')");
    };
    auto p = pair_->PrimaryQuery(marker("primary"));
    ASSERT_TRUE(p.ok()) << p.status();
    ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
    auto r = pair_->ReplicaQuery(marker("replica"));
    ASSERT_TRUE(r.ok()) << r.status();
  }

  void SetUp() override {
    ASSERT_NE(pair_, nullptr);
    ASSERT_FALSE(FindProgram("mariadb").empty()) << "the mariadb CLI is not installed";
    absl::StatusOr<CommandResult> probe =
        RunProcess({FindProgram("python3"), "-c", "import pymysql"}, {});
    ASSERT_TRUE(probe.ok() && probe->exit_code == 0) << "PyMySQL is not installed";
    const char* tmp = std::getenv("TEST_TMPDIR");
    scratch_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/split.XXXXXX");
    ASSERT_NE(mkdtemp(scratch_.data()), nullptr);
  }

  // Every test leaves the pair as it found it: replicating, caught up, even
  // after a failure half-way through a pause.
  void TearDown() override {
    gw_.reset();
    auto before = pair_->ReplicaStatus();
    ASSERT_TRUE(before.ok()) << before.status();
    if ((*before)["Slave_SQL_Running"] != "Yes" || (*before)["Slave_IO_Running"] != "Yes") {
      ASSERT_TRUE(pair_->ResumeReplication().ok());
    }
    ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
    auto status = pair_->ReplicaStatus();
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ((*status)["Slave_SQL_Running"], "Yes");
    EXPECT_EQ((*status)["Slave_IO_Running"], "Yes");
  }

  static std::string Config(const std::string& rules) {
    return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 2
shutdown_grace_period: "3s"
backends:
  - name: primary
    role: primary
    dsn: "mysql://USER@127.0.0.1:PRIMARY_PORT/DB?ssl-mode=disabled"
    password_env: MYSQLGW_SPLIT_BACKEND_PASSWORD
    pool: {max_open: 6}
  - name: replica1
    role: replica
    dsn: "mysql://USER@127.0.0.1:REPLICA_PORT/DB?ssl-mode=disabled"
    password_env: MYSQLGW_SPLIT_BACKEND_PASSWORD
    pool: {max_open: 6}
mysql_listener:
  address: "127.0.0.1:0"
auth:
  principals:
    - name: app
      databases: ["*"]
      operations: [read, write, ddl, admin]
      mysql_native_password_hash: "APP_NATIVE"
interception:
  routing:
    read_write_split: true
    health_check_interval: "200ms"
    max_replica_lag: "2s"
RULES
)",
                               {{"USER", pair_->primary().user},
                                {"DB", pair_->primary().database},
                                {"PRIMARY_PORT", absl::StrCat(pair_->primary().port)},
                                {"REPLICA_PORT", absl::StrCat(pair_->replica().port)},
                                {"APP_NATIVE", NativeHash(kAppPassword)},
                                {"RULES", rules}});
  }

  // Starts the gateway and waits until the first health check made the
  // replica fit (plain reads answered by it).
  void Start(const std::string& rules = "") {
    GatewayProcessOptions options;
    options.config_yaml = Config(rules);
    options.env = {{"MYSQLGW_SPLIT_BACKEND_PASSWORD", pair_->primary().password}};
    options.extra_args = {"--mysql_port_file=" + scratch_ + "/mysql.port",
                          "--admin_address=127.0.0.1:0",
                          "--admin_port_file=" + scratch_ + "/admin.port"};
    auto gw = GatewayProcess::Start(options);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gw_ = *std::move(gw);
    int port = 0;
    ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(scratch_ + "/mysql.port")),
                                 &port))
        << gw_->Log();
    mysql_port_ = static_cast<uint16_t>(port);
    ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(scratch_ + "/admin.port")),
                                 &admin_port_));
    ASSERT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw_->Log();
  }

  // The mariadb CLI's output for `sql` (each ';' a statement of its own, in
  // one session), or "error: ..." when it fails.
  std::string Cli(const std::string& sql, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--skip-column-names", pair_->primary().database};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"-e", sql});
    CommandResult r = Mariadb(mysql_port_, "app", kAppPassword, args);
    if (r.exit_code != 0) return absl::StrCat("error: ", r.stderr_data);
    return r.stdout_data;
  }
  // Which server answers a plain read in a new session.
  std::string Who() { return std::string(absl::StripTrailingAsciiWhitespace(Cli(kWho))); }
  bool ReadsFrom(const std::string& who, absl::Duration timeout) {
    return WaitFor([&] { return Who() == who; }, timeout);
  }

  // Runs kPrelude + `body` with PyMySQL; returns its stdout.
  std::string Py(const std::string& body) {
    CommandResult r = Python(absl::StrCat(kPrelude, body),
                             {absl::StrCat(mysql_port_), pair_->primary().database, scratch_});
    EXPECT_EQ(r.exit_code, 0) << r.stderr_data << "\n" << gw_->Log();
    return r.stdout_data;
  }

  double Metric(const std::string& sample) {
    auto response = http::testing::Fetch("127.0.0.1", admin_port_, "/metrics");
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? MetricValue(response->body(), sample) : -1;
  }

  static std::string PrimaryScalar(const std::string& sql) {
    auto r = pair_->PrimaryQuery(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }
  static std::string ReplicaScalar(const std::string& sql) {
    auto r = pair_->ReplicaQuery(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }

  static ReplicaPair* pair_;
  std::string scratch_;
  std::unique_ptr<GatewayProcess> gw_;
  uint16_t mysql_port_ = 0;
  int admin_port_ = 0;
};

ReplicaPair* ListenerSplitTest::pair_ = nullptr;

TEST_F(ListenerSplitTest, ReadsGoToTheReplicaWritesAndLockingReadsToThePrimary) {
  Start();
  const std::string out = Py(R"py(
c = connect(autocommit=True)
cur = c.cursor()
print("reads", [who(cur) for _ in range(6)])
# Run where it reads its own data: the primary's marker. On the read-only
# replica it would fail (1290) rather than land there.
cur.execute("INSERT INTO writes (who) SELECT CONCAT('py-', who) FROM marker")
print("inserted", cur.rowcount)
print("for update", who(cur, "SELECT who FROM marker FOR UPDATE"))
print("share mode", who(cur, "SELECT who FROM marker LOCK IN SHARE MODE"))
print("session state", who(cur, "SELECT who FROM marker WHERE LAST_INSERT_ID() >= 0"))
print("after", who(cur), repr(pins(cur)))
)py");
  EXPECT_THAT(out, HasSubstr("reads ['replica', 'replica', 'replica', 'replica', 'replica', "
                             "'replica']\n"));
  EXPECT_THAT(out, HasSubstr("inserted 1\n"));
  EXPECT_THAT(out, HasSubstr("for update primary\n"));
  EXPECT_THAT(out, HasSubstr("share mode primary\n"));
  EXPECT_THAT(out, HasSubstr("session state primary\n"));
  // A locking read in autocommit mode leaves nothing behind to pin.
  EXPECT_THAT(out, HasSubstr("after replica ''\n"));
  EXPECT_EQ(PrimaryScalar("SELECT GROUP_CONCAT(who) FROM writes WHERE who LIKE 'py-%'"),
            "py-primary");

  // The same through the CLI, one statement per line of its input.
  EXPECT_EQ(Cli("INSERT INTO writes (who) SELECT CONCAT('cli-', who) FROM marker; "
                "SELECT who FROM marker; "
                "SELECT who FROM marker FOR UPDATE; "
                "SELECT who FROM marker"),
            "replica\nprimary\nreplica\n");
  EXPECT_EQ(PrimaryScalar("SELECT GROUP_CONCAT(who) FROM writes WHERE who LIKE 'cli-%'"),
            "cli-primary");
  // And the writes replicate like any other.
  ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_EQ(ReplicaScalar("SELECT COUNT(*) FROM writes WHERE who IN ('py-primary', 'cli-primary')"),
            "2");
}

TEST_F(ListenerSplitTest, ReadsInsideATransactionGoToThePrimary) {
  Start();
  const std::string out = Py(R"py(
a = connect(autocommit=True)
b = connect(autocommit=True)
ca, cb = a.cursor(), b.cursor()
print("before", who(ca))
a.begin()
print("in transaction", who(ca), who(ca), pins(ca))
print("other session", who(cb))
ca.execute("INSERT INTO writes (who) SELECT CONCAT('tx-', who) FROM marker")
print("own write", scalar(ca, "SELECT who FROM writes WHERE who LIKE 'tx-%' ORDER BY id DESC LIMIT 1"))
a.commit()
print("after commit", who(ca), repr(pins(ca)))
ca.execute("START TRANSACTION READ ONLY")
print("read only transaction", who(ca))
a.rollback()
print("after rollback", who(ca))
)py");
  EXPECT_THAT(out, HasSubstr("before replica\n"));
  EXPECT_THAT(out, HasSubstr("in transaction primary primary transaction\n"));
  EXPECT_THAT(out, HasSubstr("other session replica\n"));
  EXPECT_THAT(out, HasSubstr("own write tx-primary\n"));
  EXPECT_THAT(out, HasSubstr("after commit replica ''\n"));
  EXPECT_THAT(out, HasSubstr("read only transaction primary\n"));
  EXPECT_THAT(out, HasSubstr("after rollback replica\n"));
  EXPECT_EQ(PrimaryScalar("SELECT COUNT(*) FROM writes WHERE who = 'tx-primary'"), "1");

  EXPECT_EQ(Cli("BEGIN; SELECT who FROM marker; SELECT who FROM marker; COMMIT; "
                "SELECT who FROM marker"),
            "primary\nprimary\nreplica\n");
  EXPECT_EQ(Cli("START TRANSACTION; SELECT who FROM marker; ROLLBACK; SELECT who FROM marker"),
            "primary\nreplica\n");
}

TEST_F(ListenerSplitTest, AUserVariablePinsItsSessionToThePrimaryOnly) {
  Start();
  const std::string out = Py(R"py(
a = connect(autocommit=True)
b = connect(autocommit=True)
ca, cb = a.cursor(), b.cursor()
print("a before", who(ca))
ca.execute("SET @x = 1")
print("a pins", pins(ca))
for _ in range(3):
    print("a", who(ca), "b", who(cb))
print("a var", scalar(ca, "SELECT @x"))
# Statements that have nothing to do with the variable stay pinned too.
print("a show", scalar(ca, "SHOW TABLES LIKE 'marker'"), who(ca))
print("b pins", repr(pins(cb)))
a.close()
print("new session", who(connect(autocommit=True).cursor()))
)py");
  EXPECT_THAT(out, HasSubstr("a before replica\n"));
  EXPECT_THAT(out, HasSubstr("a pins user_variables\n"));
  EXPECT_THAT(out, HasSubstr("a primary b replica\na primary b replica\na primary b replica\n"));
  EXPECT_THAT(out, HasSubstr("a var 1\n"));
  EXPECT_THAT(out, HasSubstr("a show marker primary\n"));
  EXPECT_THAT(out, HasSubstr("b pins ''\n"));
  EXPECT_THAT(out, HasSubstr("new session replica\n"));

  EXPECT_EQ(Cli("SELECT who FROM marker; SET @x = 1; SELECT who FROM marker; "
                "SELECT who FROM marker; SELECT @x"),
            "replica\nprimary\nprimary\n1\n");
  // The pin died with that session.
  EXPECT_EQ(Who(), "replica");
}

TEST_F(ListenerSplitTest, AutocommitOffKeepsEveryReadOnThePrimary) {
  Start();
  const std::string out = Py(R"py(
c = connect()  # PyMySQL's default: SET AUTOCOMMIT = 0 at connect
cur = c.cursor()
print("pins", pins(cur))
print("reads", [who(cur) for _ in range(5)])
c.commit()
print("after commit", who(cur), pins(cur))
print("other session", who(connect(autocommit=True).cursor()))
c.autocommit(True)
print("autocommit on", who(cur), repr(pins(cur)))
)py");
  EXPECT_THAT(out, HasSubstr("pins transaction\n"));
  EXPECT_THAT(out, HasSubstr("reads ['primary', 'primary', 'primary', 'primary', 'primary']\n"));
  // Autocommit off: the COMMIT only starts the next implicit transaction.
  EXPECT_THAT(out, HasSubstr("after commit primary transaction\n"));
  EXPECT_THAT(out, HasSubstr("other session replica\n"));
  EXPECT_THAT(out, HasSubstr("autocommit on replica ''\n"));

  EXPECT_EQ(Cli("SET autocommit = 0; SELECT who FROM marker; COMMIT; SELECT who FROM marker"),
            "primary\nprimary\n");
}

TEST_F(ListenerSplitTest, ARouteRuleForcesThePrimary) {
  Start(R"(  rules:
    - name: fresh-reads
      match: {sql_regex: "/\\* fresh \\*/"}
      action: {route: primary}
)");
  const std::string out = Py(R"py(
c = connect(autocommit=True)
cur = c.cursor()
print("fresh", [who(cur, "SELECT /* fresh */ who FROM marker") for _ in range(3)])
print("plain", who(cur))
cur.execute("SHOW MYSQLGW RULES")
print("rules", cur.fetchall())
)py");
  EXPECT_THAT(out, HasSubstr("fresh ['primary', 'primary', 'primary']\n"));
  EXPECT_THAT(out, HasSubstr("plain replica\n"));
  EXPECT_THAT(out, HasSubstr("rules (('fresh-reads', 3),)\n"));
  // The CLI strips comments unless told to keep them.
  EXPECT_EQ(Cli("SELECT /* fresh */ who FROM marker", {"--comments"}), "primary\n");
  EXPECT_EQ(Cli("SELECT /* fresh */ who FROM marker"), "replica\n");
}

TEST_F(ListenerSplitTest, PausedReplicationSendsReadsToThePrimaryUntilResumed) {
  Start();
  // One PyMySQL session lives through the pause and the resume: a free
  // session follows the replica's health statement by statement. The steps
  // are handed over through files in the scratch dir.
  std::string py_out;
  std::thread client([&] {
    py_out = Py(R"py(
def step(name):
    open(os.path.join(scratch, name), "w").close()
def wait_step(name):
    deadline = time.time() + 40
    while not os.path.exists(os.path.join(scratch, name)):
        if time.time() > deadline:
            sys.exit("no step " + name)
        time.sleep(0.05)
def until(cur, want):
    deadline = time.time() + 5
    got = who(cur)
    while got != want and time.time() < deadline:
        time.sleep(0.05)
        got = who(cur)
    return got
c = connect(autocommit=True)
cur = c.cursor()
print("start", until(cur, "replica"))
step("ready")
wait_step("paused")
print("paused", until(cur, "primary"))
print("paused reads", [who(cur) for _ in range(5)])
print("paused sees", scalar(cur, "SELECT COUNT(*) FROM writes WHERE who = 'paused'"))
step("seen")
wait_step("resumed")
print("resumed", until(cur, "replica"))
print("resumed reads", [who(cur) for _ in range(5)])
print("resumed sees", scalar(cur, "SELECT COUNT(*) FROM writes WHERE who = 'paused'"))
)py");
  });
  auto step = [&](const std::string& name) { std::ofstream(scratch_ + "/" + name).close(); };
  auto wait_step = [&](const std::string& name) {
    return WaitFor([&] { return access((scratch_ + "/" + name).c_str(), F_OK) == 0; },
                   absl::Seconds(40));
  };
  double fallbacks_before = -1;
  // Between start and join nothing may return early: the client thread
  // waits for every step.
  [&] {
    ASSERT_TRUE(wait_step("ready"));
    fallbacks_before = Metric("mysqlgw_replica_fallbacks_total");
    ASSERT_TRUE(pair_->PauseReplication().ok());
    EXPECT_EQ(Cli("INSERT INTO writes (who) VALUES ('paused')"), "");
    EXPECT_TRUE(ReadsFrom("primary", absl::Seconds(3))) << Who() << "\n" << gw_->Log();
    step("paused");
    ASSERT_TRUE(wait_step("seen"));
    // The write the replica holds back, which readers above did see.
    EXPECT_EQ(ReplicaScalar("SELECT COUNT(*) FROM writes WHERE who = 'paused'"), "0");
    EXPECT_GT(Metric("mysqlgw_replica_fallbacks_total"), fallbacks_before);
    ASSERT_TRUE(pair_->ResumeReplication().ok());
    ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
    EXPECT_TRUE(ReadsFrom("replica", absl::Seconds(3))) << Who() << "\n" << gw_->Log();
  }();
  step("paused");
  step("seen");
  step("resumed");
  client.join();
  EXPECT_THAT(py_out, HasSubstr("start replica\n"));
  EXPECT_THAT(py_out, HasSubstr("paused primary\n"));
  EXPECT_THAT(py_out,
              HasSubstr("paused reads ['primary', 'primary', 'primary', 'primary', 'primary']\n"));
  EXPECT_THAT(py_out, HasSubstr("paused sees 1\n"));
  EXPECT_THAT(py_out, HasSubstr("resumed replica\n"));
  EXPECT_THAT(py_out,
              HasSubstr("resumed reads ['replica', 'replica', 'replica', 'replica', 'replica']\n"));
  EXPECT_THAT(py_out, HasSubstr("resumed sees 1\n"));
  EXPECT_EQ(ReplicaScalar("SELECT COUNT(*) FROM writes WHERE who = 'paused'"), "1");
}

}  // namespace
}  // namespace mysqlgw::testing
