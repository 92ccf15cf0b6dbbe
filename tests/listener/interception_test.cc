// Interception through the MySQL listener, exactly as through gRPC: rules
// that deny or answer statements, and per-principal limits (errno 1226).
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/sql/digest.h"
#include "tests/listener/listener_fixture.h"

namespace mysqlgw::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPolicy[] = R"(  rules:
    - name: deny-forbidden
      match: {sql_regex: "forbidden_table"}
      action:
        verdict: deny
        error: {mysql_errno: 3100, sql_state: "HY000", message: "forbidden by policy"}
    - name: canned-answer
      match: {sql_regex: "^select @@mysqlgw_answer$"}
      action:
        verdict: respond
        respond:
          columns: [answer, other]
          rows: [{values: ["42", "x"]}, {values: ["7"], null_columns: [1]}]
  principal_limits:
    - principal: limited
      max_concurrent_calls: 1
)";

class InterceptionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<const ServerInfo*> server = SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
  }
  std::unique_ptr<ListenerGateway> Start(const std::string& policy) {
    ListenerOptions options;
    options.interception = policy;
    absl::StatusOr<std::unique_ptr<ListenerGateway>> gw = ListenerGateway::Start(*server_, options);
    EXPECT_TRUE(gw.ok()) << gw.status();
    return gw.ok() ? *std::move(gw) : nullptr;
  }
  static const ServerInfo* server_;
};

const ServerInfo* InterceptionTest::server_ = nullptr;

TEST_F(InterceptionTest, DenyAndRespondRules) {
  auto gw = Start(kPolicy);
  ASSERT_NE(gw, nullptr);
  CommandResult r = Mariadb(gw->mysql_port(), "app", kAppPassword,
                            {"mysqlgw_test", "-e", "SELECT * FROM forbidden_table"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 3100 (HY000) at line 1: forbidden by policy"));

  r = Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"--skip-column-names", "-e", "SELECT @@mysqlgw_answer"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "42\tx\n7\tNULL\n");
  r = Mariadb(gw->mysql_port(), "app", kAppPassword, {"-e", "SELECT @@mysqlgw_answer"});
  EXPECT_THAT(r.stdout_data, HasSubstr("answer\tother\n"));

  // Statements the rules leave alone reach the backend.
  r = Mariadb(gw->mysql_port(), "app", kAppPassword, {"--skip-column-names", "-e", "SELECT 5"});
  EXPECT_EQ(r.stdout_data, "5\n") << r.stderr_data;

  // The rules' counters, through the gateway's own command.
  r = Mariadb(gw->mysql_port(), "app", kAppPassword,
              {"--skip-column-names", "-e", "SHOW MYSQLGW RULES"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "deny-forbidden\t1\ncanned-answer\t2\n");
}

TEST_F(InterceptionTest, ConcurrentCallLimit) {
  auto gw = Start(kPolicy);
  ASSERT_NE(gw, nullptr);
  auto slow = std::async(std::launch::async, [&] {
    return Mariadb(gw->mysql_port(), "limited", kLimitedPassword,
                   {"--skip-column-names", "-e", "SELECT SLEEP(2), 'slow done'"});
  });
  // The second statement of the principal while the first still runs.
  CommandResult second;
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    second = Mariadb(gw->mysql_port(), "limited", kLimitedPassword, {"-e", "SELECT 1"});
    if (second.exit_code != 0) break;
  }
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.stderr_data, HasSubstr("ERROR 1226 (42000)"));
  EXPECT_THAT(second.stderr_data, HasSubstr("max_concurrent_calls"));
  CommandResult first = slow.get();
  EXPECT_EQ(first.stdout_data, "0\tslow done\n") << first.stderr_data;
  // Other principals are not limited.
  CommandResult other = Mariadb(gw->mysql_port(), "app", kAppPassword,
                                {"--skip-column-names", "-e", "SELECT 'free'"});
  EXPECT_EQ(other.stdout_data, "free\n");
}

TEST_F(InterceptionTest, RateLimit) {
  auto gw = Start(R"(  principal_limits:
    - principal: limited
      queries_per_second: 0.01
      queries_burst: 2
)");
  ASSERT_NE(gw, nullptr);
  // utf8mb4, the backend connections' own: no SET NAMES at login, whose
  // statement would count against the limit too.
  CommandResult r = Mariadb(gw->mysql_port(), "limited", kLimitedPassword,
                            {"--default-character-set=utf8mb4", "--skip-column-names", "--force",
                             "-e",
                             "SELECT 1; SELECT 2; SELECT 3; SELECT 4"});
  EXPECT_THAT(r.stdout_data, HasSubstr("1\n2\n"));
  EXPECT_THAT(r.stdout_data, Not(HasSubstr("4")));
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1226 (42000)"));
}

TEST_F(InterceptionTest, OnlyTheClientsOwnStatementsMeetTheHooks) {
  // An allowlist in protect mode listing only the statement the client
  // sends, with a login database: the listener's own SET NAMES (the CLI
  // announces latin1 here) and USE must not be judged by it, nor counted.
  auto gw = Start(absl::StrCat(R"(  allowlist:
    mode: protect
    entries:
      - principal: app
        digests: [")",
                               DigestHex(DigestStatement("SELECT 5").hash), R"("]
)"));
  ASSERT_NE(gw, nullptr);
  CommandResult r = Mariadb(gw->mysql_port(), "app", kAppPassword,
                            {"mysqlgw_test", "--skip-column-names", "-e", "SELECT 5"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "5\n");
  r = Mariadb(gw->mysql_port(), "app", kAppPassword, {"mysqlgw_test", "-e", "SELECT 6 + 1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, HasSubstr("ERROR 1227 (42000)"));
}

}  // namespace
}  // namespace mysqlgw::testing
