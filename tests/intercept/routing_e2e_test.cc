// Read/write splitting end to end: the real gateway binary in front of a
// real GTID primary/replica pair, called over gRPC. Each server holds its
// own row in an unreplicated table `marker`, so `SELECT who FROM marker`
// tells which server answered.
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/replica_sandbox.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::ReplicaPair;
using testing::Sha256Hex;

constexpr char kAppToken[] = "routing-app-token";
constexpr char kOtherToken[] = "routing-other-token";
constexpr char kWho[] = "SELECT who FROM marker";

// Routing changes follow health checks (every 200 ms here), so every
// expectation about a change polls for it.
bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return done();
}

class RoutingE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<ReplicaPair*> pair = testing::SharedReplicaPair();
    ASSERT_TRUE(pair.ok()) << pair.status();
    pair_ = *pair;
    // Replicated: writes through the gateway must land on the primary and
    // reach the replica.
    ASSERT_TRUE(pair_->PrimaryQuery("CREATE TABLE IF NOT EXISTS writes "
                                    "(id INT AUTO_INCREMENT PRIMARY KEY, who VARCHAR(16))")
                    .ok());
    // Not replicated (sql_log_bin=0 on both sides): each server says its own
    // name. On the replica it also keeps the GTID history clean, which
    // gtid_strict_mode would otherwise trip over.
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

  void SetUp() override { ASSERT_NE(pair_, nullptr); }

  // Every test leaves the pair as it found it: replicating, caught up.
  void TearDown() override {
    ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
    auto status = pair_->ReplicaStatus();
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ((*status)["Slave_SQL_Running"], "Yes");
    EXPECT_EQ((*status)["Slave_IO_Running"], "Yes");
    EXPECT_EQ((*status)["SQL_Delay"], "0");
  }

  static std::string Config(const std::string& routing, const std::string& rules) {
    return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 2
backends:
  - name: primary
    role: primary
    dsn: "mysql://USER@127.0.0.1:PRIMARY_PORT/DB?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
  - name: replica1
    role: replica
    dsn: "mysql://USER@127.0.0.1:REPLICA_PORT/DB?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
auth:
  principals:
    - name: app
      token_sha256: ["APP_HASH"]
      databases: ["*"]
      operations: [read, write, ddl]
    - name: other
      token_sha256: ["OTHER_HASH"]
      databases: ["*"]
      operations: [read, write]
interception:
  routing:
ROUTING
RULES
)",
                               {{"USER", pair_->primary().user},
                                {"DB", pair_->primary().database},
                                {"PRIMARY_PORT", std::to_string(pair_->primary().port)},
                                {"REPLICA_PORT", std::to_string(pair_->replica().port)},
                                {"APP_HASH", Sha256Hex(kAppToken)},
                                {"OTHER_HASH", Sha256Hex(kOtherToken)},
                                {"ROUTING", routing},
                                {"RULES", rules}});
  }

  // `routing`: the lines under "routing:" (indented by four spaces);
  // `rules`: an optional "  rules:" block.
  static std::string Routing(bool split, const std::string& ryw_window = "0s") {
    return absl::StrCat("    read_write_split: ", split ? "true" : "false",
                        "\n    health_check_interval: \"200ms\"\n"
                        "    max_replica_lag: \"2s\"\n"
                        "    read_your_writes_window: \"",
                        ryw_window, "\"");
  }

  // Replaces the running gateway, if any.
  GatewayProcess* Start(const std::string& routing, const std::string& rules = "",
                        std::vector<std::string> extra_args = {}) {
    stub_.reset();
    gw_.reset();
    testing::GatewayProcessOptions options;
    options.config_yaml = Config(routing, rules);
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", pair_->primary().password}};
    options.extra_args = std::move(extra_args);
    auto gw = GatewayProcess::Start(options);
    EXPECT_TRUE(gw.ok()) << gw.status();
    if (!gw.ok()) return nullptr;
    gw_ = *std::move(gw);
    stub_ = v1::Gateway::NewStub(
        grpc::CreateChannel(gw_->address(), grpc::InsecureChannelCredentials()));
    return gw_.get();
  }

  template <typename Request>
  static void Prepare(grpc::ClientContext& ctx, Request& req, const std::string& sql,
                      const char* token, const std::string& transaction_id) {
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    req.set_sql(sql);
    req.set_transaction_id(transaction_id);
  }

  // The first column of the first row, or "error: ..." when the call fails.
  std::string Scalar(const std::string& sql, const char* token = kAppToken,
                     const std::string& transaction_id = "") {
    grpc::ClientContext ctx;
    v1::QueryRequest req;
    Prepare(ctx, req, sql, token, transaction_id);
    v1::QueryResponse resp;
    grpc::Status s = stub_->Query(&ctx, req, &resp);
    if (!s.ok()) return absl::StrCat("error: ", s.error_message());
    if (resp.results_size() == 0 || resp.results(0).rows_size() == 0) return "no rows";
    const v1::Value& v = resp.results(0).rows(0).values(0);
    if (v.has_string()) return v.string();
    if (v.has_int64()) return std::to_string(v.int64());
    if (v.has_uint64()) return std::to_string(v.uint64());
    return v.DebugString();
  }
  std::string Who(const char* token = kAppToken) { return Scalar(kWho, token); }

  grpc::Status Execute(const std::string& sql, const char* token = kAppToken,
                       const std::string& transaction_id = "") {
    grpc::ClientContext ctx;
    v1::ExecuteRequest req;
    Prepare(ctx, req, sql, token, transaction_id);
    v1::ExecuteResponse resp;
    return stub_->Execute(&ctx, req, &resp);
  }

  // Until reads through the gateway come from `who`.
  bool ReadsFrom(const std::string& who, absl::Duration timeout) {
    return WaitFor([&] { return Who() == who; }, timeout);
  }

  static void Rewrite(const GatewayProcess& gw, const std::string& routing) {
    const std::string tmp = gw.config_path() + ".tmp";
    std::ofstream(tmp) << Config(routing, "");
    ASSERT_EQ(std::rename(tmp.c_str(), gw.config_path().c_str()), 0);
  }

  static std::string PrimaryScalar(const std::string& sql) {
    auto r = pair_->PrimaryQuery(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }

  static ReplicaPair* pair_;
  std::unique_ptr<GatewayProcess> gw_;
  // Declared last, closed first: the gateway's shutdown waits for open
  // client channels (seconds per test otherwise).
  std::unique_ptr<v1::Gateway::Stub> stub_;
};

ReplicaPair* RoutingE2eTest::pair_ = nullptr;

TEST_F(RoutingE2eTest, ReadsGoToTheReplicaAndEverythingElseToThePrimary) {
  GatewayProcess* gw = Start(Routing(true));
  ASSERT_NE(gw, nullptr);
  ASSERT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();
  // Once fit, every plain read stays there.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Who(), "replica");
  EXPECT_EQ(Who(kOtherToken), "replica");

  // A write runs where it reads its own data from: the primary's marker.
  ASSERT_TRUE(Execute("INSERT INTO writes (who) SELECT who FROM marker").ok());
  EXPECT_EQ(PrimaryScalar("SELECT who FROM writes ORDER BY id DESC LIMIT 1"), "primary");

  EXPECT_EQ(Scalar("SELECT who FROM marker FOR UPDATE"), "primary");
  EXPECT_EQ(Scalar("SELECT who FROM marker LOCK IN SHARE MODE"), "primary");
  // Session state lives on the primary's connections only.
  EXPECT_EQ(Scalar("SELECT who FROM marker WHERE @@autocommit IS NOT NULL"), "primary");
  EXPECT_EQ(Scalar("SELECT who FROM marker WHERE LAST_INSERT_ID() >= 0"), "primary");
  EXPECT_EQ(Scalar("SELECT who FROM marker WHERE FOUND_ROWS() >= 0"), "primary");

  // Inside a transaction every read sees the transaction's snapshot.
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kAppToken));
    v1::BeginTransactionRequest req;
    req.set_read_only(true);
    v1::BeginTransactionResponse resp;
    ASSERT_TRUE(stub_->BeginTransaction(&ctx, req, &resp).ok());
    EXPECT_EQ(Scalar(kWho, kAppToken, resp.transaction_id()), "primary");
    EXPECT_EQ(Scalar(kWho, kAppToken, resp.transaction_id()), "primary");
    grpc::ClientContext commit_ctx;
    commit_ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kAppToken));
    v1::CommitRequest commit;
    commit.set_transaction_id(resp.transaction_id());
    v1::CommitResponse commit_resp;
    EXPECT_TRUE(stub_->Commit(&commit_ctx, commit, &commit_resp).ok());
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kAppToken));
    v1::BeginTransactionRequest req;
    v1::BeginTransactionResponse resp;
    ASSERT_TRUE(stub_->BeginTransaction(&ctx, req, &resp).ok());
    EXPECT_TRUE(
        Execute("INSERT INTO writes (who) SELECT who FROM marker", kAppToken,
                resp.transaction_id())
            .ok());
    EXPECT_EQ(Scalar("SELECT who FROM writes ORDER BY id DESC LIMIT 1", kAppToken,
                     resp.transaction_id()),
              "primary");
    grpc::ClientContext rollback_ctx;
    rollback_ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kAppToken));
    v1::RollbackRequest rollback;
    rollback.set_transaction_id(resp.transaction_id());
    v1::RollbackResponse rollback_resp;
    EXPECT_TRUE(stub_->Rollback(&rollback_ctx, rollback, &rollback_resp).ok());
  }
  // And afterwards reads are split again.
  EXPECT_EQ(Who(), "replica");
}

TEST_F(RoutingE2eTest, RulesRouteToThePrimaryAReplicaOrANamedBackend) {
  const std::string rules = R"(
  rules:
    - name: fresh-reads
      match: {sql_regex: "/\\* fresh \\*/"}
      action: {route: primary}
    - name: named
      match: {sql_regex: "/\\* named \\*/"}
      action: {route: replica1}
    - name: any-replica
      match: {sql_regex: "/\\* stale ok \\*/"}
      action: {route: replica}
)";
  {
    GatewayProcess* gw = Start(Routing(true), rules);
    ASSERT_NE(gw, nullptr);
    ASSERT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();
    EXPECT_EQ(Scalar("SELECT /* fresh */ who FROM marker"), "primary");
    EXPECT_EQ(Scalar("SELECT /* named */ who FROM marker"), "replica");
    EXPECT_EQ(Scalar("SELECT /* stale ok */ who FROM marker"), "replica");
    EXPECT_EQ(Who(), "replica");
  }
  {
    // Without the split only rules send reads anywhere but the primary.
    GatewayProcess* gw = Start(Routing(false), rules);
    ASSERT_NE(gw, nullptr);
    ASSERT_TRUE(WaitFor([&] { return Scalar("SELECT /* stale ok */ who FROM marker") ==
                                      "replica"; },
                        absl::Seconds(5)))
        << gw->Log();
    EXPECT_EQ(Scalar("SELECT /* named */ who FROM marker"), "replica");
    EXPECT_EQ(Scalar("SELECT /* fresh */ who FROM marker"), "primary");
    for (int i = 0; i < 5; ++i) EXPECT_EQ(Who(), "primary");
  }
}

TEST_F(RoutingE2eTest, StoppedReplicationSendsReadsToThePrimaryUntilCaughtUp) {
  GatewayProcess* gw = Start(Routing(true));
  ASSERT_NE(gw, nullptr);
  ASSERT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();

  ASSERT_TRUE(pair_->PauseReplication().ok());
  ASSERT_TRUE(Execute("INSERT INTO writes (who) VALUES ('paused')").ok());
  EXPECT_TRUE(ReadsFrom("primary", absl::Seconds(3))) << Who() << "\n" << gw->Log();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Who(), "primary");
  // Callers see the write the replica holds back.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM writes WHERE who = 'paused'"), "1");
  auto held_back = pair_->ReplicaQuery("SELECT COUNT(*) FROM writes WHERE who = 'paused'");
  ASSERT_TRUE(held_back.ok());
  EXPECT_EQ(absl::StripAsciiWhitespace(*held_back), "0");

  ASSERT_TRUE(pair_->ResumeReplication().ok());
  ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_TRUE(ReadsFrom("replica", absl::Seconds(3))) << Who() << "\n" << gw->Log();
}

TEST_F(RoutingE2eTest, LaggingReplicaLeavesTheRotationAndReturns) {
  GatewayProcess* gw = Start(Routing(true));
  ASSERT_NE(gw, nullptr);
  ASSERT_TRUE(pair_->SetReplicationDelay(absl::Seconds(60)).ok());
  // The restarted replication must be seen running before the write, or the
  // lag could be unknown rather than real.
  ASSERT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();
  ASSERT_TRUE(pair_->PrimaryQuery("INSERT INTO writes (who) VALUES ('delayed')").ok());
  // Seconds_Behind_Master passes 2 s about 2 s after the write.
  EXPECT_TRUE(ReadsFrom("primary", absl::Seconds(6))) << Who() << "\n" << gw->Log();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM writes WHERE who = 'delayed'"), "1");
  auto held_back = pair_->ReplicaQuery("SELECT COUNT(*) FROM writes WHERE who = 'delayed'");
  ASSERT_TRUE(held_back.ok());
  EXPECT_EQ(absl::StripAsciiWhitespace(*held_back), "0");

  ASSERT_TRUE(pair_->SetReplicationDelay(absl::ZeroDuration()).ok());
  ASSERT_TRUE(pair_->WaitCaughtUp(absl::Seconds(30)).ok());
  EXPECT_TRUE(ReadsFrom("replica", absl::Seconds(3))) << Who() << "\n" << gw->Log();
}

TEST_F(RoutingE2eTest, ReplicaOutageIsInvisibleToCallers) {
  GatewayProcess* gw = Start(Routing(true), R"(
  rules:
    - name: named
      match: {sql_regex: "/\\* named \\*/"}
      action: {route: replica1}
)");
  ASSERT_NE(gw, nullptr);
  ASSERT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();
  // Pooled connections to the replica exist now, and die with it.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Who(), "replica");

  ASSERT_TRUE(pair_->StopReplicaServer().ok());
  std::vector<std::string> errors;
  int from_primary = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string who = Who();
    if (who == "primary") {
      ++from_primary;
    } else {
      errors.push_back(who);
    }
    absl::SleepFor(absl::Milliseconds(25));
  }
  EXPECT_TRUE(errors.empty()) << errors.size() << " failed, first: " << errors[0] << "\n"
                              << gw->Log();
  EXPECT_EQ(from_primary, 40);
  // Whoever names the replica gets the outage, not a substitute.
  const std::string named = Scalar("SELECT /* named */ who FROM marker");
  EXPECT_TRUE(absl::StrContains(named, "replica1")) << named;
  EXPECT_TRUE(absl::StartsWith(named, "error: ")) << named;

  ASSERT_TRUE(pair_->StartReplicaServer().ok());
  EXPECT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();
}

TEST_F(RoutingE2eTest, ReadYourWritesKeepsOnlyTheWriterOnThePrimary) {
  GatewayProcess* gw = Start(Routing(true, "1s"));
  ASSERT_NE(gw, nullptr);
  ASSERT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();

  ASSERT_TRUE(Execute("INSERT INTO writes (who) VALUES ('ryw')", kAppToken).ok());
  const absl::Time written = absl::Now();
  EXPECT_EQ(Who(kAppToken), "primary");
  EXPECT_EQ(Who(kOtherToken), "replica");
  EXPECT_EQ(Who(kAppToken), "primary");
  // The checks above must have run inside the window to mean anything.
  ASSERT_LT(absl::Now() - written, absl::Milliseconds(900));

  absl::SleepFor(written + absl::Milliseconds(1300) - absl::Now());
  EXPECT_EQ(Who(kAppToken), "replica");
  EXPECT_EQ(Who(kOtherToken), "replica");

  // Another principal's write opens its own window only.
  ASSERT_TRUE(Execute("INSERT INTO writes (who) VALUES ('ryw-other')", kOtherToken).ok());
  EXPECT_EQ(Who(kOtherToken), "primary");
  EXPECT_EQ(Who(kAppToken), "replica");
}

TEST_F(RoutingE2eTest, HotReloadTurnsTheSplitOffAndOn) {
  GatewayProcess* gw = Start(Routing(true), "", {"--config_poll_ms=100"});
  ASSERT_NE(gw, nullptr);
  ASSERT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();

  Rewrite(*gw, Routing(false));
  EXPECT_TRUE(ReadsFrom("primary", absl::Seconds(5))) << Who() << "\n" << gw->Log();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Who(), "primary");

  Rewrite(*gw, Routing(true));
  EXPECT_TRUE(ReadsFrom("replica", absl::Seconds(5))) << Who() << "\n" << gw->Log();
}

}  // namespace
}  // namespace mysqlgw
