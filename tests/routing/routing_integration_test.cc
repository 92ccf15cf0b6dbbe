// The health checker and the replica selector against a real primary and
// replica: healthy pair, stopped replication, real lag, replica outage, and
// a backend that accepts TCP but never answers.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/connect_options.h"
#include "mysqlwire/connection.h"
#include "server/intercept/hook.h"
#include "server/routing/backend_health.h"
#include "server/routing/replica_selector.h"
#include "server/routing/replication_status.h"
#include "testing/replica_sandbox.h"
#include "tests/support/run_sync.h"

namespace mysqlgw {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::ReplicaPair;

constexpr milliseconds kMaxLag{2000};

mysqlwire::ConnectOptions OptionsFor(const testing::ServerInfo& info) {
  mysqlwire::ConnectOptions o;
  o.host = info.host;
  o.port = info.port;
  o.user = info.user;
  o.password = info.password;
  o.database = info.database;
  o.ssl_mode = mysqlwire::SslMode::kDisable;
  return o;
}

class LogLines {
 public:
  void Add(absl::string_view line) {
    absl::MutexLock lock(&mu_);
    lines_.emplace_back(line);
  }
  int Count(absl::string_view needle) const {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const std::string& l : lines_) n += absl::StrContains(l, needle) ? 1 : 0;
    return n;
  }
  std::string All() const {
    absl::MutexLock lock(&mu_);
    return absl::StrJoin(lines_, "\n");
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_;
};

// Polls until `done` or the timeout; returns whether `done` became true.
bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(30)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

class RoutingIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<ReplicaPair*> pair = testing::SharedReplicaPair();
    ASSERT_TRUE(pair.ok()) << pair.status();
    pair_ = *pair;
    log_ = new LogLines;
    io_ = new asio::io_context;
    work_ = new asio::executor_work_guard<asio::io_context::executor_type>(io_->get_executor());
    io_thread_ = new std::thread([] { io_->run(); });

    HealthCheckOptions options;
    options.interval = milliseconds(200);
    options.timeout = milliseconds(1000);
    options.max_backoff = milliseconds(400);
    options.log = [](absl::string_view line) { log_->Add(line); };
    checker_ = new HealthChecker(io_->get_executor(),
                                 {{"primary", OptionsFor(pair_->primary()), false},
                                  {"replica", OptionsFor(pair_->replica()), true}},
                                 options);
    checker_->Start();
    absl::StatusOr<std::unique_ptr<ReplicaSelector>> selector = ReplicaSelector::Create(
        {{"primary", RoutingRole::kPrimary}, {"replica", RoutingRole::kReplica}}, checker_,
        kMaxLag);
    ASSERT_TRUE(selector.ok()) << selector.status();
    selector_ = selector->release();
    ASSERT_TRUE(pair_->PrimaryQuery("CREATE TABLE IF NOT EXISTS routing_t "
                                    "(id INT PRIMARY KEY AUTO_INCREMENT, v INT)")
                    .ok());
  }

  static void TearDownTestSuite() {
    delete selector_;
    if (checker_ != nullptr) checker_->Stop();
    delete work_;
    if (io_thread_ != nullptr) io_thread_->join();
    delete checker_;
    delete io_thread_;
    delete io_;
    delete log_;
  }

  void SetUp() override {
    ASSERT_NE(pair_, nullptr);
    ASSERT_NE(selector_, nullptr);
    // Every test starts from a healthy pair, whatever the previous one did.
    ASSERT_TRUE(WaitFor([] { return Fitness() == ReplicaFitness::kFit; }))
        << Describe("replica") << "\nlog:\n" << log_->All();
  }

  static ReplicaFitness Fitness() {
    return AssessReplica(checker_->Summary("replica"), kMaxLag);
  }

  static std::string Describe(const std::string& name) {
    std::optional<BackendHealth> h = checker_->Snapshot(name);
    if (!h) return "<none>";
    return absl::StrCat(name, ": ", BackendStateName(h->state), " read_only=",
                        h->read_only.has_value() ? (*h->read_only ? "1" : "0") : "?",
                        " lag=", h->lag.has_value() ? absl::StrCat(h->lag->count(), "s") : "?",
                        " problem='", h->replication_problem, "' error='", h->last_error,
                        "' failures=", h->consecutive_failures, " checks=", h->checks);
  }

  static RouteChoice PickReplica() {
    RouteTarget target;
    target.kind = RouteTarget::Kind::kReplica;
    absl::StatusOr<RouteChoice> choice = selector_->Pick(target);
    EXPECT_TRUE(choice.ok()) << choice.status();
    return choice.ok() ? *choice : RouteChoice{};
  }

  static void Write() {
    ASSERT_TRUE(pair_->PrimaryQuery("INSERT INTO routing_t (v) VALUES (1)").ok());
  }

  static ReplicaPair* pair_;
  static LogLines* log_;
  static asio::io_context* io_;
  static asio::executor_work_guard<asio::io_context::executor_type>* work_;
  static std::thread* io_thread_;
  static HealthChecker* checker_;
  static ReplicaSelector* selector_;
};

ReplicaPair* RoutingIntegrationTest::pair_ = nullptr;
LogLines* RoutingIntegrationTest::log_ = nullptr;
asio::io_context* RoutingIntegrationTest::io_ = nullptr;
asio::executor_work_guard<asio::io_context::executor_type>* RoutingIntegrationTest::work_ =
    nullptr;
std::thread* RoutingIntegrationTest::io_thread_ = nullptr;
HealthChecker* RoutingIntegrationTest::checker_ = nullptr;
ReplicaSelector* RoutingIntegrationTest::selector_ = nullptr;

TEST_F(RoutingIntegrationTest, HealthyPairServesReadsFromTheReplica) {
  std::optional<BackendHealth> primary = checker_->Snapshot("primary");
  std::optional<BackendHealth> replica = checker_->Snapshot("replica");
  ASSERT_TRUE(primary && replica);
  EXPECT_EQ(primary->state, BackendState::kUp);
  EXPECT_EQ(primary->read_only, false);
  EXPECT_FALSE(primary->lag.has_value());  // not checked as a replica
  EXPECT_EQ(primary->last_error, "");
  EXPECT_EQ(replica->state, BackendState::kUp);
  EXPECT_EQ(replica->read_only, true);
  ASSERT_TRUE(replica->lag.has_value());
  EXPECT_LE(replica->lag->count(), 1);
  EXPECT_EQ(replica->replication_problem, "");
  EXPECT_GE(replica->checks, 1u);
  EXPECT_GT(replica->last_check.time_since_epoch().count(), 0);
  EXPECT_EQ(checker_->Summary("nope"), std::nullopt);

  // The checks go on: more of them, and no new log lines while nothing
  // changes.
  const uint64_t checks = replica->checks;
  const std::string log_before = log_->All();
  absl::SleepFor(absl::Milliseconds(700));
  EXPECT_GE(checker_->Snapshot("replica")->checks, checks + 2);
  EXPECT_EQ(log_->All(), log_before);
  EXPECT_EQ(log_->Count("backend 'primary' is up (read_only=0)"), 1) << log_->All();
  EXPECT_GE(log_->Count("backend 'replica' is up (read_only=1, lag "), 1) << log_->All();

  // The choice leads to the replica server itself.
  const RouteChoice choice = PickReplica();
  EXPECT_EQ(choice.backend, "replica");
  EXPECT_FALSE(choice.fell_back);
  asio::io_context io;
  mysqlwire::Connection conn(io.get_executor());
  ASSERT_TRUE(testing::RunSync(io, conn.Connect(OptionsFor(pair_->replica()))).ok());
  auto rows = testing::RunSync(io, conn.Query("SELECT @@server_id, @@read_only"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(ValueAsText((*rows)[0].rows[0][0]),
            absl::StripAsciiWhitespace(*pair_->ReplicaQuery("SELECT @@server_id")));
  EXPECT_EQ(ValueAsInt((*rows)[0].rows[0][1]), 1);

  RouteTarget write;
  write.kind = RouteTarget::Kind::kPrimary;
  EXPECT_EQ(selector_->Pick(write)->backend, "primary");
}

TEST_F(RoutingIntegrationTest, StoppedReplicationTakesTheReplicaOut) {
  const int stops_logged = log_->Count("backend 'replica' replication: SQL thread No");
  const int resumes_logged = log_->Count("backend 'replica' replication runs again");
  ASSERT_TRUE(pair_->PauseReplication().ok());
  Write();
  EXPECT_TRUE(WaitFor([] { return Fitness() == ReplicaFitness::kLagUnknown; }))
      << Describe("replica");
  std::optional<BackendHealth> h = checker_->Snapshot("replica");
  EXPECT_EQ(h->state, BackendState::kUp);  // reachable, just not fit
  EXPECT_FALSE(h->lag.has_value());
  EXPECT_EQ(h->replication_problem, "SQL thread No");
  EXPECT_EQ(log_->Count("backend 'replica' replication: SQL thread No"), stops_logged + 1)
      << log_->All();
  RouteChoice choice = PickReplica();
  EXPECT_EQ(choice.backend, "primary");
  EXPECT_TRUE(choice.fell_back);

  ASSERT_TRUE(pair_->ResumeReplication().ok());
  ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_TRUE(WaitFor([] { return Fitness() == ReplicaFitness::kFit; })) << Describe("replica");
  EXPECT_EQ(log_->Count("backend 'replica' replication runs again"), resumes_logged + 1)
      << log_->All();
  choice = PickReplica();
  EXPECT_EQ(choice.backend, "replica");
  EXPECT_FALSE(choice.fell_back);
}

// Real lag: with MASTER_DELAY the replica holds a write back while both
// threads run, and Seconds_Behind_Master counts up past the limit.
TEST_F(RoutingIntegrationTest, LaggingReplicaLeavesAndReturns) {
  ASSERT_TRUE(pair_->SetReplicationDelay(absl::Seconds(60)).ok());
  // Let the checker see the restarted replication before the write.
  ASSERT_TRUE(WaitFor([] { return Fitness() == ReplicaFitness::kFit; })) << Describe("replica");
  Write();
  EXPECT_TRUE(WaitFor([] { return Fitness() == ReplicaFitness::kLagging; }))
      << Describe("replica");
  std::optional<BackendHealth> h = checker_->Snapshot("replica");
  ASSERT_TRUE(h->lag.has_value()) << Describe("replica");
  EXPECT_GT(*h->lag, kMaxLag);
  EXPECT_LT(h->lag->count(), 60);
  EXPECT_EQ(h->replication_problem, "");
  RouteChoice choice = PickReplica();
  EXPECT_EQ(choice.backend, "primary");
  EXPECT_TRUE(choice.fell_back);
  // A looser limit takes it back at once, from the same health.
  selector_->set_max_replica_lag(milliseconds(120000));
  EXPECT_EQ(PickReplica().backend, "replica");
  selector_->set_max_replica_lag(kMaxLag);

  ASSERT_TRUE(pair_->SetReplicationDelay(absl::ZeroDuration()).ok());
  ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_TRUE(WaitFor([] { return Fitness() == ReplicaFitness::kFit; })) << Describe("replica");
  EXPECT_EQ(PickReplica().backend, "replica");
}

TEST_F(RoutingIntegrationTest, ReplicaOutageFallsBackToThePrimary) {
  const int ups_before = log_->Count("backend 'replica' is up");
  const int downs_before = log_->Count("backend 'replica' is down");
  ASSERT_TRUE(pair_->StopReplicaServer().ok());
  EXPECT_TRUE(WaitFor([] { return Fitness() == ReplicaFitness::kDown; })) << Describe("replica");
  RouteChoice choice = PickReplica();
  EXPECT_EQ(choice.backend, "primary");
  EXPECT_TRUE(choice.fell_back);
  RouteTarget named;
  named.kind = RouteTarget::Kind::kNamed;
  named.backend = "replica";
  EXPECT_EQ(selector_->Pick(named).status().code(), absl::StatusCode::kUnavailable);
  named.backend = "primary";
  EXPECT_EQ(selector_->Pick(named)->backend, "primary");

  // Failing checks go on (backing off), logged once.
  EXPECT_TRUE(WaitFor([] { return checker_->Snapshot("replica")->consecutive_failures >= 3; }))
      << Describe("replica");
  std::optional<BackendHealth> h = checker_->Snapshot("replica");
  EXPECT_EQ(h->state, BackendState::kDown);
  EXPECT_NE(h->last_error, "");
  EXPECT_FALSE(h->lag.has_value());
  EXPECT_EQ(log_->Count("backend 'replica' is down"), downs_before + 1) << log_->All();
  EXPECT_EQ(checker_->Summary("primary")->state, BackendState::kUp);

  Write();  // applied once the replica is back
  ASSERT_TRUE(pair_->StartReplicaServer().ok());
  EXPECT_TRUE(WaitFor([] { return Fitness() == ReplicaFitness::kFit; })) << Describe("replica");
  EXPECT_EQ(log_->Count("backend 'replica' is up"), ups_before + 1) << log_->All();
  EXPECT_EQ(checker_->Snapshot("replica")->consecutive_failures, 0u);
  choice = PickReplica();
  EXPECT_EQ(choice.backend, "replica");
  EXPECT_FALSE(choice.fell_back);
  ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
}

// A server that accepts TCP and then says nothing must not stall the
// checker: the check times out and the backend is down.
TEST(HealthCheckerTimeoutTest, SilentServerIsDownAfterTheTimeout) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 16), 0);  // the kernel completes handshakes; nobody answers
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  asio::io_context io;
  LogLines log;
  HealthCheckOptions options;
  options.interval = milliseconds(100);
  options.timeout = milliseconds(300);
  options.log = [&log](absl::string_view line) { log.Add(line); };
  mysqlwire::ConnectOptions silent;
  silent.host = "127.0.0.1";
  silent.port = ntohs(addr.sin_port);
  silent.user = "nobody";
  silent.connect_timeout = milliseconds(60000);  // the checker's timeout wins
  HealthChecker checker(io.get_executor(), {{"silent", silent, true}}, options);
  EXPECT_EQ(checker.Summary("silent")->state, BackendState::kUnknown);
  checker.Start();
  std::thread runner([&io] { io.run_for(std::chrono::seconds(20)); });
  const absl::Time start = absl::Now();
  EXPECT_TRUE(WaitFor([&] { return checker.Summary("silent")->state == BackendState::kDown; },
                      absl::Seconds(10)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  std::optional<BackendHealth> h = checker.Snapshot("silent");
  EXPECT_NE(h->last_error, "");
  EXPECT_EQ(log.Count("backend 'silent' is down"), 1) << log.All();
  checker.Stop();
  io.stop();
  runner.join();
  close(fd);
}

}  // namespace
}  // namespace mysqlgw
