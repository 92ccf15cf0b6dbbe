// The listener's connections around the statements: a client that goes
// away mid-statement gets the statement killed, idle clients are closed
// after idle_timeout, and SIGTERM ends sessions cleanly (an open
// transaction rolled back) before the gateway exits.
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/listener/listener_fixture.h"

namespace mysqlgw::testing {
namespace {

using ::testing::HasSubstr;

class LifecycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<const ServerInfo*> server = SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
  }
  std::unique_ptr<ListenerGateway> Start(ListenerOptions options = {}) {
    absl::StatusOr<std::unique_ptr<ListenerGateway>> gw = ListenerGateway::Start(*server_, options);
    EXPECT_TRUE(gw.ok()) << gw.status();
    return gw.ok() ? *std::move(gw) : nullptr;
  }
  std::string RootQuery(const std::string& sql) {
    absl::StatusOr<std::string> r = QueryAsRoot(*server_, sql);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }
  // Waits until root sees `expected` for `sql`; returns the last answer.
  std::string WaitForRoot(const std::string& sql, const std::string& expected) {
    std::string got;
    for (int i = 0; i < 100; ++i) {
      got = RootQuery(sql);
      if (got == expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  }
  static const ServerInfo* server_;
};

const ServerInfo* LifecycleTest::server_ = nullptr;

TEST_F(LifecycleTest, ClientGoneMidStatementKillsIt) {
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  const std::string running =
      "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE "
      "'SELECT SLEEP(31)%'";
  // The CLI is killed (SIGKILL, as a crashed client) while its statement runs.
  auto client = std::async(std::launch::async, [&] {
    return Mariadb(gw->mysql_port(), "app", kAppPassword, {"-e", "SELECT SLEEP(31)"},
                   absl::Seconds(4));
  });
  EXPECT_EQ(WaitForRoot(running, "1"), "1");
  CommandResult r = client.get();
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(WaitForRoot(running, "0"), "0");
  // The gateway carries on.
  r = Mariadb(gw->mysql_port(), "app", kAppPassword, {"--skip-column-names", "-e", "SELECT 1"});
  EXPECT_EQ(r.stdout_data, "1\n") << r.stderr_data;
}

TEST_F(LifecycleTest, IdleConnectionsAreClosed) {
  ListenerOptions options;
  options.listener_extra = "  idle_timeout: \"2s\"\n";
  auto gw = Start(options);
  ASSERT_NE(gw, nullptr);
  CommandResult r = Python(R"py(
import sys, time, pymysql
c = pymysql.connect(host="127.0.0.1", port=int(sys.argv[1]), user="app", password="app-pw",
                    autocommit=True, connect_timeout=10)
cur = c.cursor()
cur.execute("SELECT 1"); print("before", cur.fetchone()[0])
time.sleep(0.5)
cur.execute("SELECT 2"); print("still", cur.fetchone()[0])
time.sleep(4.5)
try:
    cur.execute("SELECT 3"); print("after", cur.fetchone()[0])
except pymysql.err.OperationalError as e:
    print("closed", e.args[0])
)py",
                           {absl::StrCat(gw->mysql_port())});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_THAT(r.stdout_data, HasSubstr("before 1\nstill 2\nclosed 2013\n"));
}

TEST_F(LifecycleTest, SigtermEndsSessionsAndRollsBackTheirTransactions) {
  ASSERT_TRUE(QueryAsRoot(*server_,
                          "CREATE TABLE IF NOT EXISTS mysqlgw_test.lc_rows (id INT PRIMARY KEY);"
                          "DELETE FROM mysqlgw_test.lc_rows")
                  .ok());
  auto gw = Start();
  ASSERT_NE(gw, nullptr);
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string marker = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/lc_inserted");
  std::remove(marker.c_str());
  // A client with an uncommitted row, idle when the signal comes, and one
  // in the middle of a long statement.
  auto idle = std::async(std::launch::async, [&] {
    return Python(R"py(
import sys, time, pymysql
c = pymysql.connect(host="127.0.0.1", port=int(sys.argv[1]), user="app", password="app-pw",
                    database="mysqlgw_test", connect_timeout=10)
cur = c.cursor()
cur.execute("INSERT INTO lc_rows VALUES (1)")
open(sys.argv[2], "w").close()
time.sleep(8)
try:
    cur.execute("SELECT 1")
    print("still served")
except pymysql.err.OperationalError as e:
    print("closed", e.args[0])
)py",
                  {absl::StrCat(gw->mysql_port()), marker});
  });
  auto busy = std::async(std::launch::async, [&] {
    return Mariadb(gw->mysql_port(), "app", kAppPassword, {"-e", "SELECT SLEEP(30)"});
  });
  for (int i = 0; i < 100 && !std::ifstream(marker).good(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(std::ifstream(marker).good()) << "the client never inserted its row";
  EXPECT_EQ(WaitForRoot("SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE "
                        "'SELECT SLEEP(30)%'",
                        "1"),
            "1");

  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<int> code = gw->process().Stop();
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << gw->process().Log();
  // The grace period is 3 s: the long statement was killed after it, not
  // waited for.
  EXPECT_LT(took, std::chrono::seconds(12));
  EXPECT_THAT(gw->process().Log(), HasSubstr("stopped"));

  EXPECT_EQ(RootQuery("SELECT COUNT(*) FROM mysqlgw_test.lc_rows"), "0");
  EXPECT_EQ(WaitForRoot("SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE "
                        "'SELECT SLEEP(30)%'",
                        "0"),
            "0");
  CommandResult busy_result = busy.get();
  EXPECT_NE(busy_result.exit_code, 0);
  CommandResult idle_result = idle.get();
  EXPECT_THAT(idle_result.stdout_data, HasSubstr("closed"));
}

}  // namespace
}  // namespace mysqlgw::testing
