// Network faults between the gateway and MariaDB: the real gateway binary,
// a sandbox MariaDB, and a FaultProxy in between that delays, throttles,
// blackholes, resets, stalls, half-closes or refuses the gateway's backend
// connections.
//
// For every fault: the gateway does not crash, each call ends with the
// status the fault calls for within its deadline, and once the fault is gone
// the pool heals (a call succeeds), no connection is lent or leaked (pool
// in_use 0, the proxy's open connections equal the pool's open count and the
// server's), and the gateway's file descriptors are back at their baseline.
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "testing/fault_proxy.h"
#include "testing/sandbox.h"
#include "tests/reliability/harness.h"

namespace mysqlgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// About 550 KB of text rows: several packets and gRPC messages.
constexpr int kBigRows = 5000;
const char kBigQuery[] =
    "SELECT seq, REPEAT(CHAR(65 + seq % 26 USING utf8mb4), 100) FROM seq_1_to_5000 ORDER BY seq";

// Every row of kBigQuery, in order, with the right values.
void ExpectBigResult(const v1::QueryResponse& response) {
  ASSERT_EQ(response.results_size(), 1);
  const v1::ResultSet& rs = response.results(0);
  ASSERT_EQ(rs.rows_size(), kBigRows);
  for (int i = 0; i < kBigRows; ++i) {
    const uint64_t seq = static_cast<uint64_t>(i) + 1;
    ASSERT_EQ(rs.rows(i).values(0).uint64(), seq) << "row " << i;
    ASSERT_EQ(rs.rows(i).values(1).string(), std::string(100, static_cast<char>('A' + seq % 26)))
        << "row " << i;
  }
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    auto proxy = FaultProxy::Start(server_->host, server_->port);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = *std::move(proxy);
    GatewaySettings settings;
    settings.backend_port = proxy_->port();
    auto gw = StartReliabilityGateway(*server_, settings);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gw_ = *std::move(gw);
    CallResult warm = TimedQuery(stub(), "SELECT 1", seconds(30));
    ASSERT_TRUE(warm.status.ok()) << warm.status.error_message();
    ASSERT_TRUE(WaitFor([&] { return Resting(); }, seconds(30))) << State();
    auto fds = gw_.process->OpenFds();
    ASSERT_TRUE(fds.ok());
    baseline_fds_ = static_cast<int64_t>(*fds) - ScrapePool(gw_.admin_port)->open;
  }

  v1::Gateway::Stub& stub() { return *gw_.stub; }

  // Backend connections of the gateway as MariaDB counts them.
  int64_t ServerConnections() {
    auto out = QueryAsRoot(*server_, absl::StrCat("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                                  "WHERE USER = '", server_->user, "'"));
    int64_t n = -1;
    if (out.ok() && absl::SimpleAtoi(absl::StripAsciiWhitespace(*out), &n)) return n;
    return -1;
  }

  // No call holds a connection, and every connection the pool counts is
  // one the proxy and the server count: none is leaked on either side.
  bool Resting() {
    auto pool = ScrapePool(gw_.admin_port);
    if (!pool.ok() || pool->in_use != 0 || pool->waiters != 0) return false;
    return static_cast<int64_t>(proxy_->active()) == pool->open &&
           ServerConnections() == pool->open;
  }

  std::string State() {
    auto pool = ScrapePool(gw_.admin_port);
    auto fds = gw_.process->OpenFds();
    return absl::StrCat("pool open=", pool.ok() ? pool->open : -1,
                        " in_use=", pool.ok() ? pool->in_use : -1,
                        " waiters=", pool.ok() ? pool->waiters : -1,
                        "; proxy active=", proxy_->active(), " accepted=", proxy_->accepted(),
                        "; server connections=", ServerConnections(),
                        "; gateway fds=", fds.ok() ? static_cast<int64_t>(*fds) : -1,
                        " (baseline ", baseline_fds_, " + open)\n", gw_.process->Log());
  }

  // After a fault is cleared: the gateway lives, serves, and is back at rest
  // with no leaked connection or descriptor.
  void ExpectHealed() {
    ASSERT_TRUE(ProcessAlive(gw_.process->pid())) << gw_.process->Log();
    CallResult r = TimedQuery(stub(), "SELECT 42", seconds(30));
    ASSERT_TRUE(r.status.ok()) << r.status.error_message() << "\n" << State();
    EXPECT_EQ(r.response.results(0).rows(0).values(0).int64(), 42);
    EXPECT_TRUE(WaitFor([&] { return Resting(); }, seconds(30))) << State();
    EXPECT_TRUE(WaitFor(
        [&] {
          auto fds = gw_.process->OpenFds();
          auto pool = ScrapePool(gw_.admin_port);
          // A small margin: gRPC may open a descriptor of its own meanwhile.
          return fds.ok() && pool.ok() &&
                 static_cast<int64_t>(*fds) - pool->open <= baseline_fds_ + 2;
        },
        seconds(30)))
        << State();
  }

  // Makes the gateway's idle connections unusable and waits until the
  // proxy has dropped them (the pool finds out on next use).
  void ResetAllAndSettle() {
    proxy_->ResetAll();
    ASSERT_TRUE(WaitFor([&] { return proxy_->active() == 0; }, seconds(10)));
  }

  const ServerInfo* server_ = nullptr;
  std::unique_ptr<FaultProxy> proxy_;
  RunningGateway gw_;
  int64_t baseline_fds_ = 0;
};

TEST_F(FaultTest, LatencySlowsCallsButTheySucceed) {
  Faults f;
  f.client_to_server.latency = milliseconds(100);
  f.server_to_client.latency = milliseconds(100);
  proxy_->SetFaults(f);
  CallResult r = TimedQuery(stub(), "SELECT 7", seconds(30));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.response.results(0).rows(0).values(0).int64(), 7);
  // One chunk each way at least.
  EXPECT_GE(r.elapsed, milliseconds(200));

  // New connections (a handshake of several round trips) still open within
  // the 2 s connect timeout: three calls at once need three connections.
  std::vector<std::future<CallResult>> calls;
  for (int i = 0; i < 3; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      return TimedQuery(stub(), "SELECT SLEEP(0.5), 8", seconds(30));
    }));
  }
  for (auto& c : calls) {
    CallResult done = c.get();
    ASSERT_TRUE(done.status.ok()) << done.status.error_message();
    EXPECT_EQ(done.response.results(0).rows(0).values(1).int64(), 8);
  }
  EXPECT_GE(proxy_->accepted(), 3u);
  proxy_->ClearFaults();
  ExpectHealed();
}

TEST_F(FaultTest, BandwidthLimitDeliversLargeResultsCompleteAndInOrder) {
  Faults f;
  f.server_to_client.bytes_per_second = 256 * 1024;
  proxy_->SetFaults(f);
  CallResult r = TimedQuery(stub(), kBigQuery, seconds(90));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  ExpectBigResult(r.response);
  // About 550 KB at 256 KiB/s.
  EXPECT_GE(r.elapsed, milliseconds(1500));

  StreamResult s = TimedStreamQuery(stub(), kBigQuery, seconds(90));
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  EXPECT_EQ(s.rows, kBigRows);
  EXPECT_GE(s.elapsed, milliseconds(1500));
  proxy_->ClearFaults();
  ExpectHealed();
}

TEST_F(FaultTest, ResetMidResultFailsWithUnavailableWithinTheDeadline) {
  // Every connection, old and new, is reset 64 KB into what the server sends.
  Faults f;
  f.server_to_client.action = FaultAction::kReset;
  f.server_to_client.after_bytes = 64 * 1024;
  proxy_->SetFaults(f);
  CallResult r = TimedQuery(stub(), kBigQuery, seconds(30));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
  EXPECT_LT(r.elapsed, seconds(30));
  // A stream that already sent rows cannot be retried: it fails part way.
  StreamResult s = TimedStreamQuery(stub(), kBigQuery, seconds(30));
  EXPECT_EQ(s.status.error_code(), grpc::StatusCode::UNAVAILABLE) << s.status.error_message();
  EXPECT_LT(s.rows, kBigRows);
  EXPECT_LT(s.elapsed, seconds(30));
  ASSERT_TRUE(ProcessAlive(gw_.process->pid()));
  proxy_->ClearFaults();
  ExpectHealed();
}

TEST_F(FaultTest, ResetOfThePooledConnectionIsRetriedForReadsButNotForWrites) {
  // Only the connection open now is reset mid-result; new ones are clean.
  Faults f;
  f.server_to_client.action = FaultAction::kReset;
  f.server_to_client.after_bytes = 64 * 1024;
  proxy_->SetFaults(f, FaultScope::kAllConnections);
  proxy_->SetFaults(Faults{}, FaultScope::kNewConnections);
  const uint64_t accepted = proxy_->accepted();
  CallResult r = TimedQuery(stub(), kBigQuery, seconds(60));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  ExpectBigResult(r.response);  // The retry's rows only: nothing doubled.
  EXPECT_GT(proxy_->accepted(), accepted);

  // A write whose OK is lost is not retried: the caller learns UNAVAILABLE
  // and the row exists once.
  ASSERT_TRUE(TimedExecute(stub(), "CREATE TABLE IF NOT EXISTS fault_w (id INT PRIMARY KEY)",
                           seconds(30))
                  .status.ok());
  ASSERT_TRUE(TimedExecute(stub(), "DELETE FROM fault_w", seconds(30)).status.ok());
  Faults lose_ok;
  lose_ok.server_to_client.action = FaultAction::kReset;
  proxy_->SetFaults(lose_ok, FaultScope::kAllConnections);
  proxy_->SetFaults(Faults{}, FaultScope::kNewConnections);
  CallResult w = TimedExecute(stub(), "INSERT INTO fault_w VALUES (1)", seconds(30));
  EXPECT_EQ(w.status.error_code(), grpc::StatusCode::UNAVAILABLE) << w.status.error_message();
  auto count = QueryAsRoot(*server_, "SELECT COUNT(*) FROM fault_w");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(absl::StripAsciiWhitespace(*count), "1") << w.status.error_message() << "\n" << State();
  proxy_->ClearFaults();
  ExpectHealed();
}

// A backend that stops answering mid-call: the call ends at its deadline
// with DEADLINE_EXCEEDED, and the gateway lets the connection go instead of
// waiting on it forever.
void ExpectStalledCallEndsAndFreesItsConnection(v1::Gateway::Stub& stub, int admin_port,
                                                pid_t pid) {
  CallResult r = TimedQuery(stub, "SELECT 1", seconds(3));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << r.status.error_message();
  EXPECT_LT(r.elapsed, seconds(8));
  // Still stalled: the connection is given up (closed), not held.
  EXPECT_TRUE(WaitFor(
      [&] {
        auto pool = ScrapePool(admin_port);
        return pool.ok() && pool->in_use == 0;
      },
      seconds(20)));
  EXPECT_TRUE(ProcessAlive(pid));
}

TEST_F(FaultTest, StallOfThePooledConnectionEndsAtTheDeadline) {
  // The pooled connection stalls; new ones (KILL QUERY's) work.
  Faults f;
  f.server_to_client.action = FaultAction::kStall;
  proxy_->SetFaults(f, FaultScope::kAllConnections);
  proxy_->SetFaults(Faults{}, FaultScope::kNewConnections);
  ExpectStalledCallEndsAndFreesItsConnection(stub(), gw_.admin_port, gw_.process->pid());
  // Calls go on meanwhile, on new connections.
  CallResult r = TimedQuery(stub(), "SELECT 5", seconds(30));
  EXPECT_TRUE(r.status.ok()) << r.status.error_message();
  proxy_->ClearFaults();
  ExpectHealed();
}

TEST_F(FaultTest, StallOfEveryConnectionEndsAtTheDeadlineAndHealsAfterwards) {
  // Nothing comes back from the server at all, on old or new connections.
  Faults f;
  f.server_to_client.action = FaultAction::kStall;
  proxy_->SetFaults(f);
  ExpectStalledCallEndsAndFreesItsConnection(stub(), gw_.admin_port, gw_.process->pid());
  // A call meanwhile needs a new connection, which cannot open: it fails
  // (connect timeout, or its deadline), it does not hang.
  CallResult r = TimedQuery(stub(), "SELECT 1", seconds(6));
  EXPECT_TRUE(r.status.error_code() == grpc::StatusCode::UNAVAILABLE ||
              r.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      << r.status.error_code() << " " << r.status.error_message();
  EXPECT_LT(r.elapsed, seconds(11));
  proxy_->ClearFaults();
  ExpectHealed();
}

TEST_F(FaultTest, BlackholeDuringHandshakeFailsWithUnavailableAfterTheConnectTimeout) {
  for (bool server_side : {true, false}) {
    SCOPED_TRACE(server_side ? "greeting dropped" : "handshake response dropped");
    Faults f;
    (server_side ? f.server_to_client : f.client_to_server).action = FaultAction::kDrop;
    proxy_->SetFaults(f, FaultScope::kNewConnections);
    ResetAllAndSettle();  // The pool must connect anew.
    CallResult r = TimedQuery(stub(), "SELECT 1", seconds(30));
    EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
    EXPECT_GE(r.elapsed, milliseconds(1900));  // The 2 s connect timeout...
    EXPECT_LT(r.elapsed, seconds(15));         // ...per attempt, not the call's 30 s.
    proxy_->ClearFaults();
    ExpectHealed();
  }
}

TEST_F(FaultTest, HalfCloseFailsCleanlyWithUnavailable) {
  for (bool server_side : {true, false}) {
    SCOPED_TRACE(server_side ? "server to gateway closed" : "gateway to server closed");
    Faults f;
    (server_side ? f.server_to_client : f.client_to_server).action = FaultAction::kHalfClose;
    proxy_->SetFaults(f);
    CallResult r = TimedQuery(stub(), "SELECT 1", seconds(30));
    EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
    EXPECT_LT(r.elapsed, seconds(15));
    proxy_->ClearFaults();
    ExpectHealed();
  }
}

TEST_F(FaultTest, RefusedConnectionsFailFastWithUnavailable) {
  Faults f;
  f.refuse_new = true;
  proxy_->SetFaults(f);
  ResetAllAndSettle();
  CallResult r = TimedQuery(stub(), "SELECT 1", seconds(30));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
  EXPECT_LT(r.elapsed, seconds(10));
  EXPECT_GE(proxy_->refused(), 1u);
  proxy_->ClearFaults();
  ExpectHealed();
}

TEST_F(FaultTest, ResetOfEveryIdlePooledConnectionIsTransparentForReads) {
  // Fill the pool: four calls at once need its four connections.
  std::vector<std::future<CallResult>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      return TimedQuery(stub(), "SELECT SLEEP(0.5)", seconds(30));
    }));
  }
  for (auto& c : calls) ASSERT_TRUE(c.get().status.ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto pool = ScrapePool(gw_.admin_port);
        return pool.ok() && pool->open == 4 && pool->in_use == 0;
      },
      seconds(10)))
      << State();
  // Every idle connection dies behind the pool's back (a server restart, a
  // firewall dropping state): reads go on without an error.
  ResetAllAndSettle();
  for (int i = 0; i < 6; ++i) {
    CallResult r = TimedQuery(stub(), absl::StrCat("SELECT ", i), seconds(30));
    ASSERT_TRUE(r.status.ok()) << "read " << i << ": " << r.status.error_message() << "\n"
                               << State();
    EXPECT_EQ(r.response.results(0).rows(0).values(0).int64(), i);
  }
  ExpectHealed();
}

// A replication connection that goes silent (no event, no heartbeat) is a
// dead link even while TCP says nothing: the stream's watchdog closes it
// after 3 heartbeat periods + 5 s and the stream reconnects by itself.
TEST_F(FaultTest, SilentReplicationLinkIsNoticedAndBridged) {
  ASSERT_TRUE(QueryAsRoot(*server_, "CREATE TABLE IF NOT EXISTS mysqlgw_test.silent_t "
                                    "(id INT PRIMARY KEY)").ok());
  auto cdc = v1::ChangeStream::NewStub(
      grpc::CreateChannel(gw_.process->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kReliabilityToken));
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(90));
  v1::StreamBinlogRequest req;
  req.set_now(true);
  req.mutable_heartbeat_interval()->set_nanos(500 * 1000 * 1000);
  req.mutable_filter()->add_include_tables("mysqlgw_test.silent_t");
  auto reader = cdc->StreamBinlog(&ctx, req);
  v1::StreamBinlogResponse resp;
  ASSERT_TRUE(reader->Read(&resp));  // A heartbeat: the stream runs.

  // Everything from the server stops; sockets stay open.
  Faults stall;
  stall.server_to_client.action = FaultAction::kStall;
  proxy_->SetFaults(stall);
  const auto stalled_at = std::chrono::steady_clock::now();
  bool reconnecting = false;
  while (!reconnecting && reader->Read(&resp)) {
    for (const v1::ChangeEvent& e : resp.events()) {
      reconnecting = reconnecting || (e.has_status() &&
                                      e.status().state() == v1::StreamStatus::STATE_RECONNECTING);
    }
  }
  ASSERT_TRUE(reconnecting);
  const auto noticed = std::chrono::steady_clock::now() - stalled_at;
  EXPECT_GE(noticed, seconds(5));   // Not before the silence window...
  EXPECT_LT(noticed, seconds(20));  // ...and not long after it (6.5 s).

  proxy_->ClearFaults();
  ASSERT_TRUE(QueryAsRoot(*server_, "INSERT INTO mysqlgw_test.silent_t VALUES "
                                    "(UNIX_TIMESTAMP() % 1000000000)").ok());
  bool resumed = false, row = false;
  while (!row && reader->Read(&resp)) {
    for (const v1::ChangeEvent& e : resp.events()) {
      resumed = resumed ||
                (e.has_status() && e.status().state() == v1::StreamStatus::STATE_RESUMED);
      row = row || e.has_row();
    }
  }
  EXPECT_TRUE(resumed);
  EXPECT_TRUE(row);
  ctx.TryCancel();
  (void)reader->Finish();
  ExpectHealed();
}

}  // namespace
}  // namespace mysqlgw::testing
