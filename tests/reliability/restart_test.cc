// kill -9 of MariaDB and of the gateway, then restart: calls fail fast with
// UNAVAILABLE during the outage and succeed after it, nothing leaks, and a
// StreamBinlog consumer that resumes from the last resume token it
// acknowledged sees every committed transaction exactly once.
//
// The server here is a private sandbox (it gets killed), not SharedServer().
#include <signal.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/reliability/harness.h"

namespace mysqlgw::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// SIGKILL to the sandbox's mariadbd. The sandbox's watchdog would take a
// dead server for the end of the test and delete its folder; the marker
// server-stop uses tells it the outage is on purpose.
absl::Status KillServer(const Sandbox& sandbox) {
  const std::string dir = sandbox.info().sandbox_dir;
  std::ofstream(dir + "/server.down").flush();
  // The watchdog looks about once a second; one round that began before
  // the marker existed must end before the server dies.
  std::this_thread::sleep_for(seconds(3));
  std::ifstream pid_file(dir + "/mariadbd.pid");
  pid_t pid = 0;
  pid_file >> pid;
  if (pid <= 0) return absl::NotFoundError("no mariadbd.pid");
  if (kill(pid, SIGKILL) != 0) return absl::InternalError("kill failed");
  if (!WaitFor([&] { return !ProcessAlive(pid); }, seconds(30))) {
    return absl::DeadlineExceededError("mariadbd survived SIGKILL");
  }
  return absl::OkStatus();
}

class RestartTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto sandbox = Sandbox::Start();
    ASSERT_TRUE(sandbox.ok()) << sandbox.status();
    sandbox_ = sandbox->release();
  }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(sandbox_, nullptr); }

  const ServerInfo& server() { return sandbox_->info(); }

  absl::StatusOr<RunningGateway> StartGateway() {
    GatewaySettings settings;
    settings.backend_port = server().port;
    return StartReliabilityGateway(server(), settings);
  }

  std::string Root(const std::string& sql) {
    auto out = sandbox_->RootQuery(sql);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "";
  }

  static Sandbox* sandbox_;
};

Sandbox* RestartTest::sandbox_ = nullptr;

TEST_F(RestartTest, ServerKilledUnderLoadCallsFailFastThenRecover) {
  auto gw = StartGateway();
  ASSERT_TRUE(gw.ok()) << gw.status();
  v1::Gateway::Stub& stub = *gw->stub;
  ASSERT_TRUE(TimedQuery(stub, "SELECT 1", seconds(30)).status.ok());
  ASSERT_TRUE(WaitFor([&] { return ScrapePool(gw->admin_port)->in_use == 0; }, seconds(10)));
  const int64_t baseline_fds =
      static_cast<int64_t>(*gw->process->OpenFds()) - ScrapePool(gw->admin_port)->open;

  // Four callers in a loop, each call with a 10 s deadline.
  constexpr auto kDeadline = seconds(10);
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<int, int> codes;  // gRPC code -> calls
  Clock::duration slowest{};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        CallResult r =
            TimedQuery(stub, absl::StrCat("SELECT SLEEP(0.02), ", t * 100000 + i), kDeadline);
        std::lock_guard<std::mutex> lock(mu);
        ++codes[r.status.error_code()];
        slowest = std::max(slowest, r.elapsed);
        if (r.status.ok()) {
          EXPECT_EQ(r.response.results(0).rows(0).values(1).int64(), t * 100000 + i);
        }
      }
    });
  }
  // Also on an early return, so no thread is left running.
  absl::Cleanup join_load = [&] {
    stop = true;
    for (auto& t : load) {
      if (t.joinable()) t.join();
    }
  };
  std::this_thread::sleep_for(seconds(1));
  absl::Status killed = KillServer(*sandbox_);
  ASSERT_TRUE(killed.ok()) << killed;
  std::this_thread::sleep_for(seconds(2));  // The outage, under load.
  int failed_during_outage = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    failed_during_outage = codes[grpc::StatusCode::UNAVAILABLE];
  }
  absl::Status restarted = sandbox_->StartServer();
  ASSERT_TRUE(restarted.ok()) << restarted;
  // Back: calls succeed again (the stale pooled connections are found out
  // and replaced).
  EXPECT_TRUE(WaitFor([&] { return TimedQuery(stub, "SELECT 1", seconds(10)).status.ok(); },
                      seconds(30)));
  // Calls that started during the outage have ended by now.
  std::this_thread::sleep_for(seconds(1));
  std::map<int, int> before_recovered;
  {
    std::lock_guard<std::mutex> lock(mu);
    before_recovered = codes;
  }
  std::this_thread::sleep_for(seconds(2));
  std::move(join_load).Invoke();

  EXPECT_GT(failed_during_outage, 0);
  // Every call ended OK or UNAVAILABLE: no hang into the deadline, no other
  // code.
  for (const auto& [code, n] : codes) {
    EXPECT_TRUE(code == grpc::StatusCode::OK || code == grpc::StatusCode::UNAVAILABLE)
        << "code " << code << " x" << n;
  }
  EXPECT_LT(slowest, kDeadline);
  // After the recovery, the load ran without an error.
  EXPECT_EQ(codes[grpc::StatusCode::UNAVAILABLE], before_recovered[grpc::StatusCode::UNAVAILABLE]);
  EXPECT_GT(codes[grpc::StatusCode::OK], before_recovered[grpc::StatusCode::OK]);

  // Nothing leaked: the pool is at rest, the server sees exactly its
  // connections, the descriptors are back.
  EXPECT_TRUE(ProcessAlive(gw->process->pid()));
  EXPECT_TRUE(WaitFor(
      [&] {
        auto pool = ScrapePool(gw->admin_port);
        int64_t on_server = -1;
        absl::SimpleAtoi(Root(absl::StrCat("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                           "WHERE USER = '", server().user, "'")),
                         &on_server);
        auto fds = gw->process->OpenFds();
        return pool.ok() && fds.ok() && pool->in_use == 0 && on_server == pool->open &&
               static_cast<int64_t>(*fds) - pool->open <= baseline_fds + 2;
      },
      seconds(30)))
      << gw->process->Log();
}

// A subscriber that applies whole transactions only and remembers the
// resume token of the last one it applied: what an exactly-once consumer
// stores atomically with its effects.
class Consumer {
 public:
  explicit Consumer(std::string table) : table_(std::move(table)) {}

  // Reads one stream from `address` (from the last acknowledged token, or
  // from `start_gtid`) until it ends or every id up to `want` arrived.
  // Returns how it ended.
  grpc::Status ReadOnce(const std::string& address, const std::string& start_gtid, int want,
                        std::chrono::seconds limit) {
    auto stub = v1::ChangeStream::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kReliabilityToken));
    ctx.set_deadline(std::chrono::system_clock::now() + limit);
    v1::StreamBinlogRequest req;
    std::string token;
    {
      std::lock_guard<std::mutex> lock(mu_);
      token = token_;
    }
    if (!token.empty()) {
      req.set_resume_token(token);
    } else {
      req.set_gtid_set(start_gtid);
    }
    req.mutable_filter()->add_include_tables("mysqlgw_test." + table_);
    auto reader = stub->StreamBinlog(&ctx, req);
    v1::StreamBinlogResponse resp;
    std::vector<int64_t> pending;  // The open transaction's rows.
    while (reader->Read(&resp)) {
      for (const auto& e : resp.events()) {
        if (e.has_begin()) pending.clear();
        if (e.has_row()) pending.push_back(e.row().after().values(0).int64());
        if (e.has_commit()) {
          std::lock_guard<std::mutex> lock(mu_);
          for (int64_t id : pending) applied_.push_back(id);
          pending.clear();
          token_ = e.commit().resume_token();
        }
      }
      if (Distinct() >= static_cast<size_t>(want)) {
        ctx.TryCancel();
        break;
      }
    }
    return reader->Finish();
  }

  size_t Distinct() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::set<int64_t>(applied_.begin(), applied_.end()).size();
  }
  std::vector<int64_t> applied() {
    std::lock_guard<std::mutex> lock(mu_);
    return applied_;
  }

 private:
  const std::string table_;
  std::mutex mu_;
  std::vector<int64_t> applied_;
  std::string token_;
};

// Every id 1..n exactly once.
void ExpectExactlyOnce(const std::vector<int64_t>& applied, int n) {
  std::map<int64_t, int> seen;
  for (int64_t id : applied) ++seen[id];
  for (int id = 1; id <= n; ++id) {
    EXPECT_EQ(seen[id], 1) << "id " << id << " delivered " << seen[id] << " times";
  }
  EXPECT_EQ(applied.size(), static_cast<size_t>(n));
}

// Inserts ids 1..n, one transaction each, in batches of 10 statements per
// client call; INSERT IGNORE so that a batch cut off by an outage can simply
// be sent again.
void WriteIds(const Sandbox& sandbox, const std::string& table, int n,
              std::atomic<int>* written, const std::atomic<bool>* abort) {
  const auto give_up = Clock::now() + seconds(180);
  for (int first = 1; first <= n && !*abort && Clock::now() < give_up; first += 10) {
    std::string sql;
    for (int id = first; id < first + 10 && id <= n; ++id) {
      absl::StrAppend(&sql, "INSERT IGNORE INTO ", table, " VALUES (", id, ");\n");
    }
    while (!sandbox.RootQuery(sql).ok() && !*abort && Clock::now() < give_up) {
      std::this_thread::sleep_for(milliseconds(200));
    }
    written->store(std::min(first + 9, n));
    std::this_thread::sleep_for(milliseconds(20));
  }
}

TEST_F(RestartTest, GatewayKilledDuringStreamBinlogResumesWithNoLossNoDuplicate) {
  Root("CREATE TABLE IF NOT EXISTS relia_gw_seq (id INT PRIMARY KEY)");
  Root("DELETE FROM relia_gw_seq");
  const std::string start = Root("SELECT @@GLOBAL.gtid_binlog_pos");
  constexpr int kIds = 400;
  auto gw = StartGateway();
  ASSERT_TRUE(gw.ok()) << gw.status();

  Consumer consumer("relia_gw_seq");
  std::atomic<int> written{0};
  std::atomic<bool> abort{false};
  std::thread writer([&] { WriteIds(*sandbox_, "relia_gw_seq", kIds, &written, &abort); });
  // On an early return (a failed assertion), stop the writer first.
  absl::Cleanup join_writer = [&] {
    abort = true;
    if (writer.joinable()) writer.join();
  };
  // The first stream, killed with its gateway part way through.
  auto first = std::async(std::launch::async, [&] {
    return consumer.ReadOnce(gw->process->address(), start, kIds, seconds(120));
  });
  ASSERT_TRUE(WaitFor([&] { return consumer.Distinct() >= 50; }, seconds(60)));
  gw->process->Signal(SIGKILL);
  grpc::Status ended = first.get();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAVAILABLE) << ended.error_message();
  const size_t before_restart = consumer.Distinct();
  EXPECT_LT(before_restart, static_cast<size_t>(kIds));
  gw->process.reset();  // Reaps the killed process.

  // A new gateway; the consumer resumes from its last acknowledged token.
  auto restarted = StartGateway();
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  grpc::Status second =
      consumer.ReadOnce(restarted->process->address(), start, kIds, seconds(120));
  writer.join();
  EXPECT_TRUE(second.ok() || second.error_code() == grpc::StatusCode::CANCELLED)
      << second.error_message();
  ExpectExactlyOnce(consumer.applied(), kIds);
}

TEST_F(RestartTest, ServerKilledDuringStreamBinlogNoLossNoDuplicate) {
  Root("CREATE TABLE IF NOT EXISTS relia_db_seq (id INT PRIMARY KEY)");
  Root("DELETE FROM relia_db_seq");
  const std::string start = Root("SELECT @@GLOBAL.gtid_binlog_pos");
  constexpr int kIds = 400;
  auto gw = StartGateway();
  ASSERT_TRUE(gw.ok()) << gw.status();

  Consumer consumer("relia_db_seq");
  std::atomic<int> written{0};
  std::atomic<bool> abort{false};
  std::thread writer([&] { WriteIds(*sandbox_, "relia_db_seq", kIds, &written, &abort); });
  // On an early return (a failed assertion), stop the writer first.
  absl::Cleanup join_writer = [&] {
    abort = true;
    if (writer.joinable()) writer.join();
  };
  // The consumer's loop: a stream that ends with UNAVAILABLE (the server
  // is gone) is resumed from the last acknowledged token. The gateway may
  // also bridge the outage by itself; either way each stream ends only
  // with UNAVAILABLE, and every id arrives exactly once.
  std::atomic<bool> done{false};
  std::vector<grpc::Status> endings;
  auto reading = std::async(std::launch::async, [&] {
    const auto give_up = Clock::now() + seconds(240);
    while (consumer.Distinct() < static_cast<size_t>(kIds) && Clock::now() < give_up &&
           !abort) {
      grpc::Status s = consumer.ReadOnce(gw->process->address(), start, kIds, seconds(120));
      endings.push_back(s);
      if (!s.ok() && s.error_code() != grpc::StatusCode::UNAVAILABLE &&
          s.error_code() != grpc::StatusCode::CANCELLED) {
        break;
      }
      if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
        std::this_thread::sleep_for(milliseconds(200));
      }
    }
    done = true;
  });
  absl::Cleanup stop_reading = [&] { abort = true; };  // Runs before `reading` waits.
  ASSERT_TRUE(WaitFor([&] { return consumer.Distinct() >= 50; }, seconds(60)));
  absl::Status killed = KillServer(*sandbox_);
  EXPECT_TRUE(killed.ok()) << killed;
  std::this_thread::sleep_for(seconds(2));
  absl::Status restarted = sandbox_->StartServer();
  if (!restarted.ok()) abort = true;
  EXPECT_TRUE(restarted.ok()) << restarted;
  writer.join();
  reading.get();
  ASSERT_TRUE(done);
  for (size_t i = 0; i + 1 < endings.size(); ++i) {
    EXPECT_EQ(endings[i].error_code(), grpc::StatusCode::UNAVAILABLE)
        << i << ": " << endings[i].error_message();
  }
  ASSERT_FALSE(endings.empty());
  EXPECT_TRUE(endings.back().ok() || endings.back().error_code() == grpc::StatusCode::CANCELLED)
      << endings.back().error_message();
  // The server's own record: every id was committed once, and delivered once.
  EXPECT_EQ(Root("SELECT COUNT(*) FROM relia_db_seq"), std::to_string(kIds));
  ExpectExactlyOnce(consumer.applied(), kIds);
  EXPECT_TRUE(ProcessAlive(gw->process->pid())) << gw->process->Log();
}

}  // namespace
}  // namespace mysqlgw::testing
