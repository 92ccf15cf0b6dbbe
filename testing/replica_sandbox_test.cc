#include "testing/replica_sandbox.h"

#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "testing/sandbox.h"

namespace mysqlgw::testing {
namespace {

ReplicaPair& Pair() {
  absl::StatusOr<ReplicaPair*> pair = SharedReplicaPair();
  EXPECT_TRUE(pair.ok()) << pair.status();
  if (!pair.ok()) std::abort();  // every test needs it; fail loudly once
  return **pair;
}

std::string Trim(const absl::StatusOr<std::string>& out) {
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "<error>";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string StatusField(const ReplicaPair& pair, const std::string& name) {
  absl::StatusOr<std::map<std::string, std::string>> status =
      pair.ReplicaStatus();
  EXPECT_TRUE(status.ok()) << status.status();
  if (!status.ok()) return "<error>";
  auto it = status->find(name);
  return it == status->end() ? "<missing>" : it->second;
}

TEST(ReplicaPairTest, ReplicaIsReadOnlyWithThePrimarysUsers) {
  ReplicaPair& pair = Pair();
  EXPECT_NE(pair.primary().port, pair.replica().port);
  EXPECT_EQ(Trim(pair.ReplicaQuery("SELECT @@read_only")), "1");
  EXPECT_EQ(Trim(pair.PrimaryQuery("SELECT @@read_only")), "0");
  EXPECT_NE(Trim(pair.ReplicaQuery("SELECT @@server_id")),
            Trim(pair.PrimaryQuery("SELECT @@server_id")));
  EXPECT_EQ(pair.replica().user, pair.primary().user);
  EXPECT_EQ(pair.replica().password, pair.primary().password);

  // The application user logs in to the replica over TCP with the primary's
  // password.
  ServerInfo as_app = pair.replica();
  as_app.socket.clear();
  as_app.root_user = as_app.user;
  as_app.root_password = as_app.password;
  EXPECT_EQ(Trim(QueryAsRoot(as_app, "SELECT CURRENT_USER()")), "mysqlgw@%");

  EXPECT_EQ(StatusField(pair, "Slave_IO_Running"), "Yes");
  EXPECT_EQ(StatusField(pair, "Slave_SQL_Running"), "Yes");
  EXPECT_EQ(StatusField(pair, "Using_Gtid"), "Slave_Pos");

  const std::string replica_env =
      ReadFile(absl::StrCat(pair.replica().sandbox_dir, "/sandbox.env"));
  EXPECT_TRUE(absl::StrContains(replica_env, "MYSQLGW_SANDBOX_ROLE='replica'"));
  EXPECT_TRUE(absl::StrContains(
      replica_env, absl::StrCat("MYSQLGW_SANDBOX_PRIMARY_PORT='",
                                pair.primary().port, "'")));
  // The primary's env file is what it always was.
  EXPECT_FALSE(absl::StrContains(
      ReadFile(absl::StrCat(pair.primary().sandbox_dir, "/sandbox.env")),
      "MYSQLGW_SANDBOX_ROLE"));
  // Setup stayed out of the primary's binlog: its users did not replicate
  // as statements, only the replication user exists there extra.
  EXPECT_EQ(Trim(pair.ReplicaQuery(
                "SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'mysqlgw_repl%'")),
            "0");
}

TEST(ReplicaPairTest, WritesReplicateAndPauseHoldsThemBack) {
  ReplicaPair& pair = Pair();
  ASSERT_TRUE(pair.PrimaryQuery("CREATE TABLE fixture_t (id INT PRIMARY KEY, v INT);"
                                "INSERT INTO fixture_t VALUES (1, 10)")
                  .ok());
  ASSERT_TRUE(pair.WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_EQ(Trim(pair.ReplicaQuery("SELECT v FROM fixture_t WHERE id = 1")), "10");

  ASSERT_TRUE(pair.PauseReplication().ok());
  EXPECT_EQ(StatusField(pair, "Slave_SQL_Running"), "No");
  EXPECT_EQ(StatusField(pair, "Seconds_Behind_Master"), "NULL");
  ASSERT_TRUE(pair.PrimaryQuery("UPDATE fixture_t SET v = 11 WHERE id = 1").ok());
  absl::Status waited = pair.WaitCaughtUp(absl::Milliseconds(500));
  EXPECT_EQ(waited.code(), absl::StatusCode::kDeadlineExceeded) << waited;
  EXPECT_EQ(Trim(pair.ReplicaQuery("SELECT v FROM fixture_t WHERE id = 1")), "10");

  ASSERT_TRUE(pair.ResumeReplication().ok());
  ASSERT_TRUE(pair.WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_EQ(Trim(pair.ReplicaQuery("SELECT v FROM fixture_t WHERE id = 1")), "11");
}

TEST(ReplicaPairTest, DelayShowsAsGrowingLag) {
  ReplicaPair& pair = Pair();
  ASSERT_TRUE(pair.SetReplicationDelay(absl::Seconds(60)).ok());
  ASSERT_TRUE(pair.PrimaryQuery("CREATE TABLE IF NOT EXISTS delay_t (id INT PRIMARY KEY);"
                                "INSERT INTO delay_t VALUES (1)")
                  .ok());
  int64_t lag = -1;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (absl::SimpleAtoi(StatusField(pair, "Seconds_Behind_Master"), &lag) &&
        lag >= 2) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_GE(lag, 2);
  EXPECT_EQ(StatusField(pair, "Slave_SQL_Running"), "Yes");
  EXPECT_EQ(Trim(pair.ReplicaQuery(
                "SELECT COUNT(*) FROM information_schema.TABLES "
                "WHERE TABLE_NAME = 'delay_t'")),
            "0");

  ASSERT_TRUE(pair.SetReplicationDelay(absl::ZeroDuration()).ok());
  ASSERT_TRUE(pair.WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_EQ(Trim(pair.ReplicaQuery("SELECT COUNT(*) FROM delay_t")), "1");
  EXPECT_EQ(StatusField(pair, "Seconds_Behind_Master"), "0");
}

TEST(ReplicaPairTest, ReplicaServerOutageKeepsItsData) {
  ReplicaPair& pair = Pair();
  ASSERT_TRUE(pair.PrimaryQuery("CREATE TABLE IF NOT EXISTS outage_t (id INT PRIMARY KEY)")
                  .ok());
  ASSERT_TRUE(pair.WaitCaughtUp(absl::Seconds(30)).ok());

  ASSERT_TRUE(pair.StopReplicaServer().ok());
  EXPECT_FALSE(pair.ReplicaQuery("SELECT 1").ok());
  // Longer than the watchdog's 1 s poll: it must not clean up a server
  // stopped on purpose.
  absl::SleepFor(absl::Milliseconds(2500));
  EXPECT_EQ(access(pair.replica().datadir.c_str(), F_OK), 0);
  ASSERT_TRUE(pair.PrimaryQuery("INSERT INTO outage_t VALUES (7)").ok());

  ASSERT_TRUE(pair.StartReplicaServer().ok());
  EXPECT_EQ(Trim(pair.ReplicaQuery("SELECT @@read_only")), "1");
  ASSERT_TRUE(pair.WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_EQ(Trim(pair.ReplicaQuery("SELECT id FROM outage_t")), "7");
  EXPECT_EQ(StatusField(pair, "Slave_SQL_Running"), "Yes");
}

}  // namespace
}  // namespace mysqlgw::testing
