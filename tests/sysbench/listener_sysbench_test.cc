// sysbench's OLTP workloads through the gateway's MySQL listener, with
// server-side prepared statements on and off: no errors, no reconnects, and
// the database agrees with what sysbench says it did (row counts, and the
// server's own count of the writes it executed).
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "mysqlwire/protocol/server_auth.h"
#include "testing/sandbox.h"
#include "testing/sysbench.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

constexpr char kUser[] = "sbuser";
constexpr char kPassword[] = "sb-password-1";
constexpr int kTableSize = 10000;

class ListenerSysbenchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    for (const std::string& sql :
         {std::string("DROP DATABASE IF EXISTS sbtest_gw"), std::string("CREATE DATABASE sbtest_gw"),
          absl::StrCat("GRANT ALL ON sbtest_gw.* TO ", server_->user, "@'%'")}) {
      auto r = testing::QueryAsRoot(*server_, sql);
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status();
    }
    // The tables are made directly on the server: the listener is measured
    // on the workload, not on the bulk load.
    testing::SysbenchOptions prepare = Direct();
    prepare.workload = "oltp_read_write";
    ASSERT_TRUE(testing::SysbenchPrepare(prepare).ok());

    testing::GatewayProcessOptions options;
    const std::string hash = mysqlwire::FormatNativePasswordHash(
        mysqlwire::ComputeNativePasswordHash(kPassword));
    options.config_yaml = absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 2
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/sbtest_gw?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
    pool: {max_open: 32}
auth:
  principals:
    - name: sysbench
      databases: ["*"]
      operations: [read, write, ddl]
      mysql_user: SBUSER
      mysql_native_password_hash: "HASH"
mysql_listener:
  address: "127.0.0.1:0"
)",
                                              {{"USER", server_->user},
                                               {"PORT", std::to_string(server_->port)},
                                               {"SBUSER", kUser},
                                               {"HASH", hash}});
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", server_->password}};
    const std::string port_file = std::string(getenv("TEST_TMPDIR")) + "/mysql_port";
    options.extra_args = {"--mysql_port_file=" + port_file};
    auto gw = testing::GatewayProcess::Start(options);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
    std::ifstream(port_file) >> listener_port_;
    ASSERT_GT(listener_port_, 0) << gateway_->Log();
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }

  static testing::SysbenchOptions Direct() {
    testing::SysbenchOptions o;
    o.port = server_->port;
    o.user = server_->user;
    o.password = server_->password;
    o.database = "sbtest_gw";
    o.table_size = kTableSize;
    return o;
  }
  static testing::SysbenchOptions ThroughListener() {
    testing::SysbenchOptions o = Direct();
    o.port = listener_port_;
    o.user = kUser;
    o.password = kPassword;
    return o;
  }
  // The server's statement counters (SHOW GLOBAL STATUS).
  static std::map<std::string, int64_t> Counters() {
    std::map<std::string, int64_t> out;
    auto r = testing::QueryAsRoot(
        *server_,
        "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE "
        "VARIABLE_NAME IN ('COM_INSERT', 'COM_UPDATE', 'COM_DELETE')");
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return out;
    for (absl::string_view line : absl::StrSplit(*r, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> parts = absl::StrSplit(line, '\t');
      int64_t v = 0;
      if (parts.size() == 2 && absl::SimpleAtoi(absl::StripAsciiWhitespace(parts[1]), &v)) {
        out[std::string(parts[0])] = v;
      }
    }
    return out;
  }
  static int64_t Writes(const std::map<std::string, int64_t>& c) {
    int64_t n = 0;
    for (const auto& [name, v] : c) n += v;
    return n;
  }
  static std::string RowCount() {
    auto r = testing::QueryAsRoot(*server_, "SELECT COUNT(*) FROM sbtest_gw.sbtest1");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }

  void RunAndCheck(const std::string& workload, const std::string& ps_mode) {
    testing::SysbenchOptions o = ThroughListener();
    o.workload = workload;
    o.ps_mode = ps_mode;
    o.threads = 4;
    o.seconds = 0;
    o.events = 400;
    const auto before = Counters();
    auto r = testing::SysbenchRun(o);
    ASSERT_TRUE(r.ok()) << r.status() << "\n" << gateway_->Log();
    const auto after = Counters();
    EXPECT_EQ(r->transactions, 400) << r->output;
    EXPECT_EQ(r->reconnects, 0) << r->output;
    EXPECT_GT(r->queries, 0);
    // sysbench retries a transaction that hit a deadlock or lock wait
    // timeout and counts it as an ignored error, as it does against MariaDB
    // directly; any other error ends the run (checked above). The server ran
    // every write sysbench counted, plus those of the transactions it
    // retried (at most 4 writes each in oltp_read_write).
    const int64_t server_writes = Writes(after) - Writes(before);
    EXPECT_GE(server_writes, r->writes) << r->output;
    EXPECT_LE(server_writes - r->writes, 4 * r->ignored_errors) << r->output;
    EXPECT_LE(r->ignored_errors, 20) << r->output;
    // oltp_read_write deletes and re-inserts the same ids: the table keeps
    // its size.
    EXPECT_EQ(RowCount(), std::to_string(kTableSize));
  }

  static const testing::ServerInfo* server_;
  static testing::GatewayProcess* gateway_;
  static int listener_port_;
};

const testing::ServerInfo* ListenerSysbenchTest::server_ = nullptr;
testing::GatewayProcess* ListenerSysbenchTest::gateway_ = nullptr;
int ListenerSysbenchTest::listener_port_ = 0;

TEST_F(ListenerSysbenchTest, ReadWritePreparedStatements) { RunAndCheck("oltp_read_write", "auto"); }

TEST_F(ListenerSysbenchTest, ReadWriteTextQueries) { RunAndCheck("oltp_read_write", "disable"); }

TEST_F(ListenerSysbenchTest, PointSelectPreparedAndText) {
  RunAndCheck("oltp_point_select", "auto");
  RunAndCheck("oltp_point_select", "disable");
}

}  // namespace
}  // namespace mysqlgw
