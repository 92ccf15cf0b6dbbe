// StreamBinlog across server outages: the gateway reconnects by itself and
// the subscriber sees every committed transaction exactly once, with
// StreamStatus events marking each outage. Runs against a private sandbox
// MariaDB (stopped, killed with SIGKILL and restarted here) and the real
// gateway binary.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::Sha256Hex;
using Clock = std::chrono::steady_clock;

constexpr char kToken[] = "reconnect-token-0123456789";

class ChangeStreamReconnectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto sandbox = testing::Sandbox::Start();
    ASSERT_TRUE(sandbox.ok()) << sandbox.status();
    sandbox_ = sandbox->release();
  }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
  }

  void StartGateway(const std::string& reconnect_timeout) {
    const testing::ServerInfo& info = sandbox_->info();
    testing::GatewayProcessOptions options;
    options.config_yaml = absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 2
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/mysqlgw_test?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
binlog:
  reconnect_timeout: TIMEOUT
  reconnect_initial_backoff: 50ms
auth:
  principals:
    - name: cdc
      token_sha256: ["HASH"]
      databases: ["*"]
      operations: [read, write, ddl, binlog]
)",
                                              {{"USER", info.user},
                                               {"PORT", std::to_string(info.port)},
                                               {"TIMEOUT", reconnect_timeout},
                                               {"HASH", Sha256Hex(kToken)}});
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", info.password}};
    auto gw = GatewayProcess::Start(options);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = *std::move(gw);
    channel_ = grpc::CreateChannel(gateway_->address(), grpc::InsecureChannelCredentials());
  }

  void TearDown() override {
    // Leave the server running for the next test whatever happened here.
    (void)sandbox_->StartServer();
    gateway_.reset();
  }

  std::string Root(const std::string& sql) {
    absl::StatusOr<std::string> out = sandbox_->RootQuery(sql);
    EXPECT_TRUE(out.ok()) << sql << ": " << out.status();
    return out.ok() ? std::string(absl::StripTrailingAsciiWhitespace(*out)) : "";
  }

  // Through the gateway; false when the call failed (e.g. during an outage).
  bool Execute(const std::string& sql) {
    auto stub = v1::Gateway::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ExecuteRequest req;
    req.set_sql(sql);
    v1::ExecuteResponse resp;
    return stub->Execute(&ctx, req, &resp).ok();
  }

  void KillServer() {
    std::ifstream pid_file(sandbox_->info().sandbox_dir + "/mariadbd.pid");
    pid_t pid = 0;
    pid_file >> pid;
    ASSERT_GT(pid, 0) << "no pid in " << sandbox_->info().sandbox_dir << "/mariadbd.pid";
    // Tell the sandbox's watchdog this death is on purpose (as server-stop
    // does); otherwise it takes the server for crashed and removes it.
    std::ofstream(sandbox_->info().sandbox_dir + "/server.down").put('\n');
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    for (int i = 0; i < 200 && kill(pid, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  static testing::Sandbox* sandbox_;
  std::unique_ptr<GatewayProcess> gateway_;
  std::shared_ptr<grpc::Channel> channel_;
};

testing::Sandbox* ChangeStreamReconnectTest::sandbox_ = nullptr;

// What a subscriber saw, collected by a reader thread.
struct Seen {
  std::mutex mu;
  std::map<int64_t, int> inserted;  // id -> times delivered
  std::map<std::string, int> begins;  // GTID -> BEGINs delivered
  std::map<std::string, int> commits;
  std::vector<v1::StreamStatus> statuses;
  int rows = 0;

  size_t distinct_ids() {
    std::lock_guard<std::mutex> lock(mu);
    return inserted.size();
  }
};

void Collect(const v1::StreamBinlogResponse& resp, Seen& seen) {
  std::lock_guard<std::mutex> lock(seen.mu);
  for (const v1::ChangeEvent& e : resp.events()) {
    if (e.has_begin()) ++seen.begins[e.begin().gtid()];
    if (e.has_commit()) ++seen.commits[e.commit().gtid()];
    if (e.has_status()) seen.statuses.push_back(e.status());
    if (e.has_row() && e.row().kind() == v1::CHANGE_KIND_INSERT) {
      ++seen.rows;
      ++seen.inserted[e.row().after().values(0).int64()];
    }
  }
}

std::set<int64_t> IdsIn(const std::string& tsv) {
  std::set<int64_t> ids;
  for (absl::string_view line : absl::StrSplit(tsv, '\n', absl::SkipEmpty())) {
    int64_t id = 0;
    if (absl::SimpleAtoi(line, &id)) ids.insert(id);
  }
  return ids;
}

TEST_F(ChangeStreamReconnectTest, OutagesUnderWriteLoadLoseAndRepeatNothing) {
  StartGateway("60s");
  Root("CREATE TABLE IF NOT EXISTS rc_load (id BIGINT PRIMARY KEY, v VARCHAR(20))");

  auto stub = v1::ChangeStream::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  v1::StreamBinlogRequest req;
  req.set_now(true);
  req.mutable_filter()->add_include_tables("mysqlgw_test.rc_load");
  auto reader = stub->StreamBinlog(&ctx, req);
  Seen seen;
  std::atomic<bool> reader_done{false};
  grpc::Status final_status;
  std::thread reader_thread([&] {
    v1::StreamBinlogResponse resp;
    while (reader->Read(&resp)) Collect(resp, seen);
    final_status = reader->Finish();
    reader_done = true;
  });
  // The stream is open once it has registered with the server.
  for (int i = 0; i < 100; ++i) {
    if (Root("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'") == "1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  // Writers: two rows per transaction, ids never reused, through the
  // gateway (its pool heals too). A failed call may or may not have
  // committed; the table decides.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> next_id{1};
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&] {
      while (!stop) {
        const int64_t id = next_id.fetch_add(2);
        if (Execute(absl::StrCat("INSERT INTO rc_load VALUES (", id, ", 'a'), (", id + 1, ", 'b')"))) {
          ++acknowledged;
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    });
  }

  auto wait_for_rows = [&](size_t n) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (seen.distinct_ids() < n && Clock::now() < deadline && !reader_done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return seen.distinct_ids() >= n;
  };
  auto resumed_count = [&] {
    std::lock_guard<std::mutex> lock(seen.mu);
    int n = 0;
    for (const v1::StreamStatus& st : seen.statuses) n += st.state() == v1::StreamStatus::STATE_RESUMED;
    return n;
  };
  ASSERT_TRUE(wait_for_rows(100));
  // A clean shutdown, a SIGKILL and a second clean shutdown, each under load.
  for (int outage = 0; outage < 3; ++outage) {
    const size_t before = seen.distinct_ids();
    const int acknowledged_before = acknowledged;
    if (outage == 1) {
      KillServer();
    } else {
      absl::Status stopped = sandbox_->StopServer();
      ASSERT_TRUE(stopped.ok()) << stopped;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    absl::Status started = sandbox_->StartServer();
    if (!started.ok()) {
      std::ifstream out(sandbox_->info().sandbox_dir + "/mariadbd.out");
      std::string text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
      ADD_FAILURE() << text.substr(text.size() > 3000 ? text.size() - 3000 : 0);
      stop = true;
      for (std::thread& t : writers) t.join();
      ctx.TryCancel();
      reader_thread.join();
    }
    ASSERT_TRUE(started.ok()) << started;
    // The stream noticed the outage and came back, and writes acknowledged
    // after the restart (not just the backlog from before it) arrive.
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline && !reader_done &&
           (resumed_count() < outage + 1 || acknowledged < acknowledged_before + 50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (resumed_count() < outage + 1 || acknowledged < acknowledged_before + 50 ||
        !wait_for_rows(before + 100)) {
      std::string statuses;
      {
        std::lock_guard<std::mutex> lock(seen.mu);
        for (const auto& st : seen.statuses) absl::StrAppend(&statuses, st.ShortDebugString(), "\n");
      }
      if (reader_done) {
        ADD_FAILURE() << "the stream ended: " << final_status.error_code() << " "
                      << final_status.error_message();
      }
      ADD_FAILURE() << "no progress after outage " << outage << "; rows seen " << seen.distinct_ids()
                    << " (before " << before << "), acknowledged " << acknowledged
                    << ", reader done " << reader_done << ", statuses:\n"
                    << statuses << "gateway log:\n"
                    << gateway_->Log();
      stop = true;
      for (std::thread& t : writers) t.join();
      ctx.TryCancel();
      reader_thread.join();
      return;
    }
  }
  stop = true;
  for (std::thread& t : writers) t.join();

  const std::set<int64_t> in_table = IdsIn(Root("SELECT id FROM rc_load"));
  ASSERT_TRUE(wait_for_rows(in_table.size()));
  ctx.TryCancel();
  reader_thread.join();
  EXPECT_EQ(final_status.error_code(), grpc::StatusCode::CANCELLED) << final_status.error_message();

  std::lock_guard<std::mutex> lock(seen.mu);
  EXPECT_GE(acknowledged.load(), 150);
  std::set<int64_t> delivered;
  for (const auto& [id, times] : seen.inserted) {
    EXPECT_EQ(times, 1) << "id " << id << " delivered " << times << " times";
    delivered.insert(id);
  }
  EXPECT_EQ(delivered, in_table);
  EXPECT_EQ(seen.rows, static_cast<int>(in_table.size()));
  for (const auto& [gtid, n] : seen.begins) EXPECT_EQ(n, 1) << "BEGIN of " << gtid;
  for (const auto& [gtid, n] : seen.commits) EXPECT_EQ(n, 1) << "COMMIT of " << gtid;
  int reconnecting = 0, resumed = 0;
  for (const v1::StreamStatus& s : seen.statuses) {
    reconnecting += s.state() == v1::StreamStatus::STATE_RECONNECTING;
    resumed += s.state() == v1::StreamStatus::STATE_RESUMED;
    EXPECT_FALSE(s.position().file().empty());
  }
  std::string statuses;
  for (const auto& st : seen.statuses) absl::StrAppend(&statuses, st.ShortDebugString(), "\n");
  EXPECT_GE(reconnecting, 3) << statuses;
  EXPECT_GE(resumed, 3) << statuses;  // The server came back after each outage.
  EXPECT_EQ(seen.statuses.back().state(), v1::StreamStatus::STATE_RESUMED) << statuses;
}

// The issue's acceptance case: 20 faults under a running write load,
// alternating a SIGKILL of the gateway (the subscriber resumes with the last
// commit token it processed, on a new gateway) and a SIGKILL of MariaDB
// (the stream bridges it by itself). The subscriber applies a
// transaction's rows only at its commit, as a real one would; at the end
// every committed row is there exactly once.
TEST_F(ChangeStreamReconnectTest, TwentyKillsOfGatewayAndServerUnderLoad) {
  StartGateway("60s");
  Root("CREATE TABLE IF NOT EXISTS rc_twenty (id BIGINT PRIMARY KEY)");
  const std::string start_state = Root("SELECT @@GLOBAL.gtid_binlog_pos");

  std::atomic<bool> stop{false};
  std::atomic<int64_t> next_id{1};
  std::thread writer([&] {
    while (!stop) {
      const int64_t id = next_id.fetch_add(3);
      if (!sandbox_->RootQuery(absl::StrCat("INSERT INTO rc_twenty VALUES (", id, "), (", id + 1,
                                            "), (", id + 2, ")"))
               .ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });

  std::map<int64_t, int> applied;  // id -> times applied at a commit
  std::string token;               // of the last commit applied
  int gateway_kills = 0, server_kills = 0, resumes = 0;
  for (int cycle = 0; cycle <= 20; ++cycle) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::StreamBinlogRequest req;
    if (token.empty()) {
      req.set_gtid_set(start_state);
    } else {
      req.set_resume_token(token);
      ++resumes;
    }
    req.mutable_filter()->add_include_tables("mysqlgw_test.rc_twenty");
    auto stub = v1::ChangeStream::NewStub(channel_);
    auto reader = stub->StreamBinlog(&ctx, req);
    std::vector<int64_t> pending;  // rows of the open transaction
    const size_t target = applied.size() + 30;
    bool faulted = false;
    bool ended_early = false;
    v1::StreamBinlogResponse resp;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      if (!reader->Read(&resp)) {
        ended_early = !faulted;
        break;
      }
      for (const v1::ChangeEvent& e : resp.events()) {
        if (e.has_begin()) pending.clear();
        if (e.has_row()) pending.push_back(e.row().after().values(0).int64());
        if (e.has_commit()) {
          for (int64_t id : pending) ++applied[id];
          pending.clear();
          token = e.commit().resume_token();
        }
      }
      if (cycle == 20) {
        // Last round: drain until everything committed has arrived.
        if (stop && applied.size() >= IdsIn(Root("SELECT id FROM rc_twenty")).size()) break;
        if (!stop && applied.size() >= target) stop = true;
        continue;
      }
      if (!faulted && applied.size() >= target) {
        faulted = true;
        if (cycle % 2 == 0) {
          gateway_->Signal(SIGKILL);
          ++gateway_kills;
          // The stream breaks; a new gateway takes over below.
        } else {
          KillServer();
          ++server_kills;
          absl::Status started = sandbox_->StartServer();
          ASSERT_TRUE(started.ok()) << started;
          // The stream goes on by itself: read on to the next target.
        }
      }
      if (faulted && cycle % 2 == 1 && applied.size() >= target + 30) break;
    }
    ASSERT_FALSE(ended_early) << "cycle " << cycle << ": " << reader->Finish().error_message();
    ASSERT_LT(Clock::now(), deadline) << "cycle " << cycle << " made no progress";
    ctx.TryCancel();
    (void)reader->Finish();
    if (cycle % 2 == 0 && cycle < 20) StartGateway("60s");
  }
  stop = true;
  writer.join();
  const std::set<int64_t> in_table = IdsIn(Root("SELECT id FROM rc_twenty"));
  EXPECT_EQ(gateway_kills, 10);
  EXPECT_EQ(server_kills, 10);
  EXPECT_EQ(resumes, 20);
  ASSERT_EQ(applied.size(), in_table.size());
  for (const auto& [id, times] : applied) {
    ASSERT_EQ(times, 1) << "id " << id;
    ASSERT_EQ(in_table.count(id), 1u) << "id " << id << " delivered but not in the table";
  }
}

TEST_F(ChangeStreamReconnectTest, TransactionCutOffMidwayIsNotRepeated) {
  StartGateway("60s");
  Root("CREATE TABLE IF NOT EXISTS rc_big (id BIGINT PRIMARY KEY, pad CHAR(200))");
  Root("DELETE FROM rc_big");
  const std::string gtid_state = Root("SELECT @@GLOBAL.gtid_binlog_pos");
  // One transaction of 100,000 rows (about 20 MB of binlog, more than the
  // socket buffers hold), read in small batches by a slow reader: the
  // connection is cut while the gateway is in the middle of it.
  Root("INSERT INTO rc_big SELECT seq, REPEAT('x', 200) FROM seq_1_to_100000");
  constexpr size_t kRows = 100000;

  auto stub = v1::ChangeStream::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  v1::StreamBinlogRequest req;
  req.set_gtid_set(gtid_state);
  req.set_max_batch_events(50);
  req.mutable_filter()->add_include_tables("mysqlgw_test.rc_big");
  auto reader = stub->StreamBinlog(&ctx, req);
  Seen seen;
  v1::StreamBinlogResponse resp;
  bool killed = false;
  while (reader->Read(&resp)) {
    Collect(resp, seen);
    if (!seen.commits.empty()) {
      ctx.TryCancel();
      while (reader->Read(&resp)) Collect(resp, seen);
      break;
    }
    if (!killed && seen.distinct_ids() >= 2000) {
      // Mid-transaction: end the replication connection on the server.
      const std::string id = Root(
          "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'");
      ASSERT_FALSE(id.empty());
      Root(absl::StrCat("KILL ", id));
      killed = true;
    }
    if (!killed) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // A slow reader.
  }
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  ASSERT_TRUE(killed);
  EXPECT_EQ(seen.inserted.size(), kRows);
  EXPECT_EQ(seen.rows, static_cast<int>(kRows));
  for (const auto& [id, times] : seen.inserted) ASSERT_EQ(times, 1) << "id " << id;
  ASSERT_EQ(seen.begins.size(), 1u);
  EXPECT_EQ(seen.begins.begin()->second, 1);
  ASSERT_EQ(seen.commits.size(), 1u);
  EXPECT_EQ(seen.commits.begin()->second, 1);
  ASSERT_GE(seen.statuses.size(), 2u);
  EXPECT_EQ(seen.statuses.front().state(), v1::StreamStatus::STATE_RECONNECTING);
  EXPECT_EQ(seen.statuses.back().state(), v1::StreamStatus::STATE_RESUMED);
}

TEST_F(ChangeStreamReconnectTest, GivesUpWithUnavailableAfterTheReconnectTimeout) {
  StartGateway("2s");
  auto stub = v1::ChangeStream::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::StreamBinlogRequest req;
  req.set_now(true);
  auto reader = stub->StreamBinlog(&ctx, req);
  v1::StreamBinlogResponse resp;
  ASSERT_TRUE(reader->Read(&resp));  // A heartbeat within a second.
  ASSERT_TRUE(sandbox_->StopServer().ok());
  const auto stopped = Clock::now();
  Seen seen;
  while (reader->Read(&resp)) Collect(resp, seen);
  grpc::Status status = reader->Finish();
  const auto took = Clock::now() - stopped;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_NE(status.error_message().find("gave up reconnecting"), std::string::npos)
      << status.error_message();
  EXPECT_LT(took, std::chrono::seconds(20));
  EXPECT_GE(took, std::chrono::seconds(2));
  ASSERT_FALSE(seen.statuses.empty());
  for (const v1::StreamStatus& s : seen.statuses) {
    EXPECT_EQ(s.state(), v1::StreamStatus::STATE_RECONNECTING);
  }
  EXPECT_EQ(seen.statuses.back().attempt(), seen.statuses.size());
}

}  // namespace
}  // namespace mysqlgw
