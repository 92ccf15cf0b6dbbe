// Soak: a sandbox MariaDB (or --dsn) and the real gateway under a steady mix
// of callers and change-stream subscribers for --seconds, on loopback only,
// bounded in time and stopping by itself. Then it checks:
//  - no unexpected error (each kind counted; deliberate rollbacks are not
//    errors);
//  - every acknowledged insert is in the database, and nothing else is
//    (rolled-back rows never are);
//  - every subscriber saw every acknowledged insert exactly once, and no
//    insert that was not committed;
//  - the gateway's RSS and open file descriptors are flat after warm-up;
//  - the pool is back to idle (no connection in use, no waiter) and every
//    change stream closed.
// The last line is
//   SOAK ok=<0|1> seconds=... calls=... writes=... errors=... rss_start_mb=...
//   rss_end_mb=... fds_start=... fds_end=...
// and the exit status is non-zero on any failure. scripts/soak builds and
// runs it; scripts/test runs a 60 s version.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "server/http/test_client.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

ABSL_FLAG(int, seconds, 600, "how long the workload runs");
ABSL_FLAG(int, callers, 200, "concurrent gRPC callers");
ABSL_FLAG(int, subscribers, 10, "concurrent StreamBinlog subscribers");
ABSL_FLAG(int, warmup_seconds, -1,
          "samples before this are not compared; -1: a sixth of --seconds, 10 to 60 s");
ABSL_FLAG(int, sample_seconds, 5, "how often RSS and open fds are sampled");
ABSL_FLAG(std::string, dsn, "",
          "mysql://user:password@127.0.0.1:port/db of a server to use instead of a "
          "private sandbox (its database gets tables soak_rows and soak_kv)");
ABSL_FLAG(std::string, gateway, "",
          "host:port of a running gateway to soak instead of starting one (then give "
          "--token, and --admin and --gateway_pid for the pool and memory checks)");
ABSL_FLAG(std::string, token, "", "bearer token for --gateway");
ABSL_FLAG(std::string, admin, "", "host:port of --gateway's admin HTTP server");
ABSL_FLAG(int, gateway_pid, 0, "pid of --gateway, for RSS and fd sampling");

namespace mysqlgw::soak {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kToken[] = "soak-token-0123456789abcdef";
constexpr uint64_t kMarkerCaller = 0xFFFF;

uint64_t RowId(uint64_t caller, uint64_t seq) { return (caller << 32) | seq; }

// What became of each insert a caller attempted.
enum RowState : uint8_t {
  kUnused = 0,
  kAcked = 1,       // The gateway said it committed: must exist, once.
  kRolledBack = 2,  // Deliberately rolled back: must never appear.
  kInDoubt = 3,     // The call failed: may or may not have committed.
};

struct Counters {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> writes{0};  // Acknowledged inserted rows.
  std::atomic<uint64_t> rollbacks{0};
  std::atomic<uint64_t> streamed_rows{0};
};

// Errors by kind ("Method CODE"), with a few messages of each.
class ErrorLog {
 public:
  void Add(const std::string& kind, const std::string& message) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& e = errors_[kind];
    if (e.first < 3) e.second.push_back(message);
    ++e.first;
  }
  uint64_t Total() const {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t n = 0;
    for (const auto& [k, e] : errors_) n += e.first;
    return n;
  }
  void Print() const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [kind, e] : errors_) {
      std::cout << "  error " << kind << ": " << e.first << "\n";
      for (const std::string& m : e.second) std::cout << "    e.g. " << m << "\n";
    }
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::pair<uint64_t, std::vector<std::string>>> errors_;
};

struct Target {
  std::string address;
  std::string token;
  std::string admin;  // host:port, or empty
  int pid = 0;
};

std::unique_ptr<grpc::ClientContext> Context(const std::string& token, int seconds = 60) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

std::string Describe(const grpc::Status& s) {
  return absl::StrCat(s.error_code(), " ", s.error_message());
}

int64_t IntOf(const v1::Value& v) {
  if (v.has_int64()) return v.int64();
  if (v.has_uint64()) return static_cast<int64_t>(v.uint64());
  if (v.has_string()) {
    int64_t n = 0;
    if (absl::SimpleAtoi(v.string(), &n)) return n;
  }
  return -1;
}

// ---- /proc sampling ----

size_t ResidentBytes(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "VmRSS:")) {
      rest = absl::StripSuffix(absl::StripAsciiWhitespace(rest), "kB");
      size_t kb = 0;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kb)) return kb * 1024;
    }
  }
  return 0;
}

size_t OpenFds(int pid) {
  DIR* d = opendir(absl::StrCat("/proc/", pid, "/fd").c_str());
  if (d == nullptr) return 0;
  size_t n = 0;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n >= 2 ? n - 2 : 0;
}

struct Sample {
  double at_seconds;
  size_t rss;
  size_t fds;
};

template <typename T>
T Median(std::vector<T> v) {
  if (v.empty()) return T{};
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// ---- admin metrics ----

// The value of the first exposition line starting with `series` ("name{labels}").
std::optional<double> MetricValue(const std::string& body, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    if (absl::ConsumePrefix(&line, series) && absl::ConsumePrefix(&line, " ")) {
      double v = 0;
      if (absl::SimpleAtod(line, &v)) return v;
    }
  }
  return std::nullopt;
}

std::string ScrapeMetrics(const std::string& admin) {
  std::vector<std::string> hp = absl::StrSplit(admin, absl::MaxSplits(':', 1));
  int port = 0;
  if (hp.size() != 2 || !absl::SimpleAtoi(hp[1], &port)) return "";
  auto r = http::testing::Fetch(hp[0], port, "/metrics");
  return r.ok() && r->result_int() == 200 ? r->body() : "";
}

// ---- the workload ----

class Caller {
 public:
  Caller(int index, std::shared_ptr<grpc::Channel> channel, const std::string& token,
         Counters& counters, ErrorLog& errors)
      : index_(index),
        token_(token),
        stub_(v1::Gateway::NewStub(std::move(channel))),
        counters_(counters),
        errors_(errors),
        rng_(0x50a4 + index) {}

  void Run(const std::atomic<bool>& stop) {
    while (!stop.load(std::memory_order_relaxed)) Step();
  }
  const std::vector<uint8_t>& rows() const { return rows_; }

 private:
  // A new row id of this caller, recorded with its fate later.
  uint64_t NextRow() {
    rows_.push_back(kUnused);
    return RowId(index_, rows_.size());  // seq starts at 1.
  }
  void Mark(uint64_t id, RowState state) { rows_[(id & 0xffffffff) - 1] = state; }

  void Fail(const std::string& what, const grpc::Status& s) {
    errors_.Add(absl::StrCat(what, " ", s.error_code()), s.error_message());
  }

  void Step() {
    const int r = static_cast<int>(rng_() % 100);
    if (r < 40) {
      PointSelect();
    } else if (r < 60) {
      Insert();
    } else if (r < 75) {
      Transaction(/*commit=*/true);
    } else if (r < 85) {
      Transaction(/*commit=*/false);
    } else if (r < 95) {
      Stream();
    } else {
      Batch();
    }
  }

  void PointSelect() {
    const int k = 1 + static_cast<int>(rng_() % 1000);
    v1::QueryRequest req;
    req.set_sql("SELECT v FROM soak_kv WHERE k = ?");
    req.add_params()->set_int64(k);
    v1::QueryResponse resp;
    auto ctx = Context(token_);
    grpc::Status s = stub_->Query(ctx.get(), req, &resp);
    ++counters_.calls;
    if (!s.ok()) return Fail("Query", s);
    if (resp.results_size() != 1 || resp.results(0).rows_size() != 1 ||
        IntOf(resp.results(0).rows(0).values(0)) != 7 * k) {
      errors_.Add("Query wrong-result", resp.ShortDebugString().substr(0, 200));
    }
  }

  bool InsertRow(uint64_t id, const std::string& tx, grpc::Status* status) {
    v1::ExecuteRequest req;
    req.set_sql("INSERT INTO soak_rows (id, caller, seq, note) VALUES (?, ?, ?, ?)");
    req.add_params()->set_int64(static_cast<int64_t>(id));
    req.add_params()->set_int64(index_);
    req.add_params()->set_int64(static_cast<int64_t>(id & 0xffffffff));
    req.add_params()->set_string(tx.empty() ? "autocommit" : "tx");
    req.set_transaction_id(tx);
    v1::ExecuteResponse resp;
    auto ctx = Context(token_);
    *status = stub_->Execute(ctx.get(), req, &resp);
    ++counters_.calls;
    if (status->ok() && resp.outcome().affected_rows() != 1) {
      errors_.Add("Execute wrong-affected-rows", resp.ShortDebugString());
      return false;
    }
    return status->ok();
  }

  void Insert() {
    const uint64_t id = NextRow();
    grpc::Status s;
    if (InsertRow(id, "", &s)) {
      Mark(id, kAcked);
      ++counters_.writes;
    } else {
      Mark(id, kInDoubt);
      if (!s.ok()) Fail("Execute", s);
    }
  }

  void Transaction(bool commit) {
    std::string tx;
    {
      v1::BeginTransactionRequest req;
      v1::BeginTransactionResponse resp;
      auto ctx = Context(token_);
      grpc::Status s = stub_->BeginTransaction(ctx.get(), req, &resp);
      ++counters_.calls;
      if (!s.ok()) return Fail("BeginTransaction", s);
      tx = resp.transaction_id();
    }
    std::vector<uint64_t> ids = {NextRow(), NextRow()};
    bool ok = true;
    for (uint64_t id : ids) {
      grpc::Status s;
      if (!InsertRow(id, tx, &s)) {
        if (!s.ok()) Fail("Execute(tx)", s);
        ok = false;
        break;
      }
    }
    if (ok) {
      // A read inside the transaction sees its own rows.
      v1::QueryRequest req;
      req.set_sql("SELECT COUNT(*) FROM soak_rows WHERE id IN (?, ?)");
      req.add_params()->set_int64(static_cast<int64_t>(ids[0]));
      req.add_params()->set_int64(static_cast<int64_t>(ids[1]));
      req.set_transaction_id(tx);
      v1::QueryResponse resp;
      auto ctx = Context(token_);
      grpc::Status s = stub_->Query(ctx.get(), req, &resp);
      ++counters_.calls;
      if (!s.ok()) {
        Fail("Query(tx)", s);
        ok = false;
      } else if (resp.results(0).rows_size() != 1 ||
                 IntOf(resp.results(0).rows(0).values(0)) != 2) {
        errors_.Add("Query(tx) wrong-result", resp.ShortDebugString().substr(0, 200));
      }
    }
    grpc::Status end;
    if (commit && ok) {
      v1::CommitRequest req;
      req.set_transaction_id(tx);
      v1::CommitResponse resp;
      auto ctx = Context(token_);
      end = stub_->Commit(ctx.get(), req, &resp);
      ++counters_.calls;
      for (uint64_t id : ids) Mark(id, end.ok() ? kAcked : kInDoubt);
      if (end.ok()) {
        counters_.writes += ids.size();
      } else {
        Fail("Commit", end);
      }
      return;
    }
    v1::RollbackRequest req;
    req.set_transaction_id(tx);
    v1::RollbackResponse resp;
    auto ctx = Context(token_);
    end = stub_->Rollback(ctx.get(), req, &resp);
    ++counters_.calls;
    ++counters_.rollbacks;
    // After a failed rollback the gateway still rolls back (idle timeout),
    // but say so: it is not expected.
    for (uint64_t id : ids) Mark(id, end.ok() ? kRolledBack : kInDoubt);
    if (!end.ok()) Fail("Rollback", end);
  }

  void Stream() {
    const int from = 1 + static_cast<int>(rng_() % 950);
    v1::QueryRequest req;
    req.set_sql("SELECT k, v FROM soak_kv WHERE k BETWEEN ? AND ? ORDER BY k");
    req.add_params()->set_int64(from);
    req.add_params()->set_int64(from + 49);
    auto ctx = Context(token_);
    auto reader = stub_->StreamQuery(ctx.get(), req);
    v1::StreamQueryResponse chunk;
    int rows = 0;
    bool right = true;
    while (reader->Read(&chunk)) {
      if (!chunk.has_rows()) continue;
      for (const v1::Row& row : chunk.rows().rows()) {
        right = right && IntOf(row.values(0)) == from + rows &&
                IntOf(row.values(1)) == 7 * (from + rows);
        ++rows;
      }
    }
    grpc::Status s = reader->Finish();
    ++counters_.calls;
    counters_.streamed_rows += rows;
    if (!s.ok()) return Fail("StreamQuery", s);
    if (rows != 50 || !right) errors_.Add("StreamQuery wrong-result", absl::StrCat(rows, " rows"));
  }

  void Batch() {
    v1::ExecuteBatchRequest req;
    req.set_sql("INSERT INTO soak_rows (id, caller, seq, note) VALUES (?, ?, ?, 'batch')");
    std::vector<uint64_t> ids = {NextRow(), NextRow(), NextRow()};
    for (uint64_t id : ids) {
      auto* set = req.add_parameter_sets();
      set->add_params()->set_int64(static_cast<int64_t>(id));
      set->add_params()->set_int64(index_);
      set->add_params()->set_int64(static_cast<int64_t>(id & 0xffffffff));
    }
    v1::ExecuteBatchResponse resp;
    auto ctx = Context(token_);
    grpc::Status s = stub_->ExecuteBatch(ctx.get(), req, &resp);
    ++counters_.calls;
    if (!s.ok()) {
      for (uint64_t id : ids) Mark(id, kInDoubt);
      return Fail("ExecuteBatch", s);
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      const bool done = static_cast<int>(i) < resp.results_size() &&
                        resp.results(i).has_outcome() &&
                        resp.results(i).outcome().affected_rows() == 1;
      Mark(ids[i], done ? kAcked : kInDoubt);
      if (done) {
        ++counters_.writes;
      } else {
        errors_.Add("ExecuteBatch item-failed",
                    static_cast<int>(i) < resp.results_size()
                        ? resp.results(i).ShortDebugString()
                        : "missing result");
      }
    }
  }

  const int index_;
  const std::string token_;
  std::unique_ptr<v1::Gateway::Stub> stub_;
  Counters& counters_;
  ErrorLog& errors_;
  std::mt19937_64 rng_;
  std::vector<uint8_t> rows_;  // By seq - 1.
};

// One StreamBinlog subscriber: counts each inserted soak_rows id it sees.
class Subscriber {
 public:
  Subscriber(int index, std::shared_ptr<grpc::Channel> channel, const std::string& token,
             int callers, ErrorLog& errors)
      : index_(index),
        token_(token),
        stub_(v1::ChangeStream::NewStub(std::move(channel))),
        errors_(errors),
        seen_(callers) {}

  void Start(const std::string& database) {
    thread_ = std::thread([this, database] { Run(database); });
  }
  // Cancels the stream and waits for the thread.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      if (ctx_ != nullptr) ctx_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }
  bool Saw(uint64_t marker_seq) const {
    std::lock_guard<std::mutex> lock(mu_);
    return markers_.count(marker_seq) > 0;
  }
  // How often `id` was delivered.
  uint32_t Count(uint64_t id) const {
    const uint64_t caller = id >> 32, seq = id & 0xffffffff;
    if (caller >= seen_.size() || seq == 0 || seq > seen_[caller].size()) return 0;
    return seen_[caller][seq - 1];
  }
  uint64_t foreign() const { return foreign_; }
  uint64_t delivered() const { return delivered_; }

 private:
  void Run(const std::string& database) {
    v1::StreamBinlogRequest req;
    req.set_now(true);
    req.mutable_filter()->add_include_tables(database + ".soak_rows");
    req.mutable_filter()->add_kinds(v1::CHANGE_KIND_INSERT);
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      ctx_ = ctx.get();
    }
    auto reader = stub_->StreamBinlog(ctx.get(), req);
    v1::StreamBinlogResponse resp;
    while (reader->Read(&resp)) {
      for (const v1::ChangeEvent& e : resp.events()) {
        if (!e.has_row() || e.row().kind() != v1::CHANGE_KIND_INSERT) continue;
        if (e.row().after().values_size() == 0) continue;
        const uint64_t id = static_cast<uint64_t>(IntOf(e.row().after().values(0)));
        ++delivered_;
        const uint64_t caller = id >> 32, seq = id & 0xffffffff;
        if (caller == kMarkerCaller) {
          std::lock_guard<std::mutex> lock(mu_);
          markers_.insert(seq);
          continue;
        }
        if (caller >= seen_.size() || seq == 0) {
          ++foreign_;
          continue;
        }
        auto& v = seen_[caller];
        if (v.size() < seq) v.resize(seq, 0);
        if (v[seq - 1] < 255) ++v[seq - 1];
      }
    }
    grpc::Status s = reader->Finish();
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ctx_ = nullptr;
      stopping = stopping_;
    }
    if (!(stopping && s.error_code() == grpc::StatusCode::CANCELLED)) {
      errors_.Add(absl::StrCat("StreamBinlog#", index_, " ", s.error_code()), s.error_message());
    }
  }

  const int index_;
  const std::string token_;
  std::unique_ptr<v1::ChangeStream::Stub> stub_;
  ErrorLog& errors_;
  std::thread thread_;
  mutable std::mutex mu_;
  bool stopping_ = false;
  grpc::ClientContext* ctx_ = nullptr;
  std::set<uint64_t> markers_;
  // Read by the main thread only after Stop() joined the thread.
  std::vector<std::vector<uint8_t>> seen_;
  uint64_t foreign_ = 0;
  uint64_t delivered_ = 0;
};

// ---- setup ----

grpc::Status Exec(v1::Gateway::Stub& stub, const std::string& token, const std::string& sql) {
  v1::ExecuteRequest req;
  req.set_sql(sql);
  v1::ExecuteResponse resp;
  auto ctx = Context(token, 120);
  return stub.Execute(ctx.get(), req, &resp);
}

std::string GatewayConfig(const testing::ServerInfo& s) {
  return absl::StrCat(R"(listen:
  address: "127.0.0.1:0"
io_threads: 0
shutdown_grace_period: "10s"
backends:
  - name: primary
    dsn: "mysql://)",
                      s.user, "@", s.host, ":", s.port, "/", s.database,
                      R"(?ssl-mode=disabled"
    password_env: MYSQLGW_SOAK_BACKEND_PASSWORD
    pool:
      max_open: 16
      max_waiters: 1000
transactions:
  default_idle_timeout: "60s"
auth:
  principals:
    - name: soak
      token_sha256: [")",
                      testing::Sha256Hex(kToken), R"("]
      databases: ["*"]
      operations: [read, write, ddl, binlog]
)");
}

int Main() {
  const int seconds = absl::GetFlag(FLAGS_seconds);
  const int n_callers = absl::GetFlag(FLAGS_callers);
  const int n_subscribers = absl::GetFlag(FLAGS_subscribers);
  int warmup = absl::GetFlag(FLAGS_warmup_seconds);
  if (warmup < 0) warmup = std::clamp(seconds / 6, 10, 60);
  if (seconds <= warmup || n_callers <= 0 || n_callers >= static_cast<int>(kMarkerCaller)) {
    std::cerr << "soak: --seconds must exceed the warm-up (" << warmup
              << " s) and --callers must be positive\n";
    return 2;
  }

  // The server and the gateway.
  std::unique_ptr<testing::Sandbox> sandbox;
  std::unique_ptr<testing::GatewayProcess> gateway;
  testing::ServerInfo server;
  Target target;
  std::string database = "mysqlgw_test";
  if (!absl::GetFlag(FLAGS_gateway).empty()) {
    target.address = absl::GetFlag(FLAGS_gateway);
    target.token = absl::GetFlag(FLAGS_token);
    target.admin = absl::GetFlag(FLAGS_admin);
    target.pid = absl::GetFlag(FLAGS_gateway_pid);
    database = "";
  } else {
    if (!absl::GetFlag(FLAGS_dsn).empty()) {
      absl::StatusOr<testing::ServerInfo> parsed = testing::ParseDsn(absl::GetFlag(FLAGS_dsn));
      if (!parsed.ok()) {
        std::cerr << "soak: --dsn: " << parsed.status() << "\n";
        return 2;
      }
      server = *parsed;
    } else {
      std::cout << "soak: starting a sandbox MariaDB\n" << std::flush;
      absl::StatusOr<std::unique_ptr<testing::Sandbox>> started = testing::Sandbox::Start();
      if (!started.ok()) {
        std::cerr << "soak: sandbox: " << started.status() << "\n";
        return 1;
      }
      sandbox = *std::move(started);
      server = sandbox->info();
    }
    database = server.database;
    char dir_template[] = "/tmp/mysqlgw-soak.XXXXXX";
    const std::string dir = mkdtemp(dir_template) != nullptr ? dir_template : "/tmp";
    const std::string admin_port_file = dir + "/admin.port";
    testing::GatewayProcessOptions options;
    options.config_yaml = GatewayConfig(server);
    options.env = {{"MYSQLGW_SOAK_BACKEND_PASSWORD", server.password}};
    options.extra_args = {"--admin_address=127.0.0.1:0", "--admin_port_file=" + admin_port_file};
    absl::StatusOr<std::unique_ptr<testing::GatewayProcess>> gw =
        testing::GatewayProcess::Start(options);
    if (!gw.ok()) {
      std::cerr << "soak: gateway: " << gw.status() << "\n";
      return 1;
    }
    gateway = *std::move(gw);
    target.address = gateway->address();
    target.token = kToken;
    target.pid = gateway->pid();
    int admin_port = 0;
    for (int i = 0; i < 500 && admin_port == 0; ++i) {
      std::ifstream(admin_port_file) >> admin_port;
      if (admin_port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    target.admin = absl::StrCat("127.0.0.1:", admin_port);
  }

  // Channels: several, so the load is not one HTTP/2 connection.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("mysqlgw.soak.channel", i);  // Distinct connections.
    channels.push_back(
        grpc::CreateCustomChannel(target.address, grpc::InsecureChannelCredentials(), args));
  }
  auto admin_stub = v1::Gateway::NewStub(channels[0]);
  if (database.empty()) {
    v1::QueryRequest req;
    req.set_sql("SELECT DATABASE()");
    v1::QueryResponse resp;
    auto ctx = Context(target.token);
    grpc::Status s = admin_stub->Query(ctx.get(), req, &resp);
    if (!s.ok() || resp.results(0).rows_size() != 1) {
      std::cerr << "soak: cannot ask the gateway for its database: " << Describe(s) << "\n";
      return 1;
    }
    database = resp.results(0).rows(0).values(0).string();
  }
  for (const std::string& sql :
       {std::string("DROP TABLE IF EXISTS soak_rows"), std::string("DROP TABLE IF EXISTS soak_kv"),
        std::string("CREATE TABLE soak_rows (id BIGINT PRIMARY KEY, caller INT NOT NULL, "
                    "seq INT NOT NULL, note VARCHAR(32)) ENGINE=InnoDB"),
        std::string("CREATE TABLE soak_kv (k INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB"),
        std::string("INSERT INTO soak_kv SELECT seq, seq * 7 FROM seq_1_to_1000")}) {
    grpc::Status s = Exec(*admin_stub, target.token, sql);
    if (!s.ok()) {
      std::cerr << "soak: setup `" << sql << "`: " << Describe(s) << "\n";
      return 1;
    }
  }

  ErrorLog errors;
  Counters counters;
  std::vector<std::string> failures;

  // Subscribers first; a start marker every one of them sees proves they
  // are all following before the first caller writes.
  std::vector<std::unique_ptr<Subscriber>> subscribers;
  for (int i = 0; i < n_subscribers; ++i) {
    subscribers.push_back(std::make_unique<Subscriber>(
        i, channels[i % channels.size()], target.token, n_callers, errors));
    subscribers.back()->Start(database);
  }
  auto write_marker = [&](uint64_t seq) {
    return Exec(*admin_stub, target.token,
                absl::StrCat("INSERT INTO soak_rows (id, caller, seq, note) VALUES (",
                             RowId(kMarkerCaller, seq), ", ", kMarkerCaller, ", ", seq,
                             ", 'marker')"));
  };
  auto all_saw = [&](uint64_t seq, std::chrono::seconds limit) {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
      bool all = true;
      for (auto& s : subscribers) all = all && s->Saw(seq);
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  // Markers are written until one arrives everywhere (a subscriber may
  // start after the first).
  bool following = false;
  for (uint64_t seq = 1; seq <= 30 && !following; ++seq) {
    grpc::Status s = write_marker(seq);
    if (!s.ok()) {
      std::cerr << "soak: start marker: " << Describe(s) << "\n";
      return 1;
    }
    following = all_saw(seq, std::chrono::seconds(2));
  }
  if (!following) failures.push_back("subscribers did not all start following within 60 s");

  // Sampling.
  std::atomic<bool> stop{false};
  std::vector<Sample> samples;
  std::mutex samples_mu;
  const auto start = Clock::now();
  std::thread sampler([&] {
    const auto every = std::chrono::seconds(absl::GetFlag(FLAGS_sample_seconds));
    auto next = Clock::now();
    while (!stop.load()) {
      if (Clock::now() >= next) {
        next += every;
        if (target.pid > 0) {
          std::lock_guard<std::mutex> lock(samples_mu);
          samples.push_back(
              {std::chrono::duration<double>(Clock::now() - start).count(),
               ResidentBytes(target.pid), OpenFds(target.pid)});
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  // The callers.
  std::vector<std::unique_ptr<Caller>> callers;
  std::vector<std::thread> threads;
  for (int i = 0; i < n_callers; ++i) {
    callers.push_back(std::make_unique<Caller>(i, channels[i % channels.size()], target.token,
                                               counters, errors));
  }
  for (auto& c : callers) threads.emplace_back([&stop, c = c.get()] { c->Run(stop); });
  std::cout << "soak: " << n_callers << " callers and " << n_subscribers << " subscribers for "
            << seconds << " s against " << target.address << "\n"
            << std::flush;
  for (int elapsed = 0; elapsed < seconds; ++elapsed) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if ((elapsed + 1) % 30 == 0) {
      std::cout << absl::StrFormat("soak: %4d s  calls=%d writes=%d errors=%d", elapsed + 1,
                                   counters.calls.load(), counters.writes.load(),
                                   errors.Total())
                << "\n"
                << std::flush;
    }
  }
  stop = true;
  for (auto& t : threads) t.join();
  sampler.join();
  const double ran = std::chrono::duration<double>(Clock::now() - start).count();

  // The end marker: once every subscriber has it, each has seen everything
  // committed before it.
  grpc::Status end_marker = write_marker(1000);
  if (!end_marker.ok()) {
    failures.push_back("end marker: " + Describe(end_marker));
  } else if (!all_saw(1000, std::chrono::seconds(300))) {
    failures.push_back("not every subscriber reached the end marker within 300 s");
  }
  for (auto& s : subscribers) s->Stop();

  // What the database holds.
  std::vector<std::vector<uint8_t>> in_db(n_callers);
  uint64_t db_rows = 0, db_foreign = 0;
  {
    v1::QueryRequest req;
    req.set_sql("SELECT id FROM soak_rows ORDER BY id");
    auto ctx = Context(target.token, 300);
    auto reader = admin_stub->StreamQuery(ctx.get(), req);
    v1::StreamQueryResponse chunk;
    while (reader->Read(&chunk)) {
      if (!chunk.has_rows()) continue;
      for (const v1::Row& row : chunk.rows().rows()) {
        const uint64_t id = static_cast<uint64_t>(IntOf(row.values(0)));
        ++db_rows;
        const uint64_t caller = id >> 32, seq = id & 0xffffffff;
        if (caller == kMarkerCaller) continue;
        if (caller >= in_db.size() || seq == 0) {
          ++db_foreign;
          continue;
        }
        if (in_db[caller].size() < seq) in_db[caller].resize(seq, 0);
        in_db[caller][seq - 1] = 1;
      }
    }
    grpc::Status s = reader->Finish();
    if (!s.ok()) failures.push_back("reading soak_rows back: " + Describe(s));
  }
  if (sandbox != nullptr) {
    // The same count seen by root, bypassing the gateway.
    absl::StatusOr<std::string> n =
        sandbox->RootQuery("SELECT COUNT(*) FROM soak_rows");
    if (!n.ok() || std::string(absl::StripAsciiWhitespace(*n)) != std::to_string(db_rows)) {
      failures.push_back(absl::StrCat("root sees ", n.ok() ? *n : n.status().ToString(),
                                      " rows, the gateway ", db_rows));
    }
  }

  uint64_t acked = 0, rolled_back = 0, in_doubt = 0, missing = 0, unexpected = 0;
  std::vector<uint64_t> stream_missing(subscribers.size()), stream_duplicate(subscribers.size()),
      stream_unexpected(subscribers.size());
  for (int c = 0; c < n_callers; ++c) {
    const std::vector<uint8_t>& rows = callers[c]->rows();
    const size_t n = std::max(rows.size(), in_db[c].size());
    for (size_t i = 0; i < n; ++i) {
      const uint8_t state = i < rows.size() ? rows[i] : uint8_t{kUnused};
      const bool present = i < in_db[c].size() && in_db[c][i];
      const uint64_t id = RowId(c, i + 1);
      acked += state == kAcked;
      rolled_back += state == kRolledBack;
      in_doubt += state == kInDoubt;
      if (state == kAcked && !present) ++missing;
      if ((state == kRolledBack || state == kUnused) && present) ++unexpected;
      for (size_t s = 0; s < subscribers.size(); ++s) {
        const uint32_t seen = subscribers[s]->Count(id);
        const uint32_t want = present ? 1 : 0;
        if (state == kAcked && seen == 0) ++stream_missing[s];
        if (seen > 1) ++stream_duplicate[s];
        if (seen != want && state != kAcked && seen > 0) ++stream_unexpected[s];
      }
    }
  }
  if (acked != counters.writes) {
    failures.push_back(absl::StrCat("bookkeeping: ", acked, " acked rows vs ",
                                    counters.writes.load(), " writes counted"));
  }
  if (missing > 0) failures.push_back(absl::StrCat(missing, " acknowledged rows missing"));
  if (unexpected > 0) {
    failures.push_back(absl::StrCat(unexpected, " rows present that were rolled back or never sent"));
  }
  if (db_foreign > 0) failures.push_back(absl::StrCat(db_foreign, " unknown rows in soak_rows"));
  for (size_t s = 0; s < subscribers.size(); ++s) {
    if (stream_missing[s] + stream_duplicate[s] + stream_unexpected[s] +
            subscribers[s]->foreign() >
        0) {
      failures.push_back(absl::StrCat("subscriber ", s, ": ", stream_missing[s], " missing, ",
                                      stream_duplicate[s], " duplicated, ",
                                      stream_unexpected[s], " uncommitted, ",
                                      subscribers[s]->foreign(), " unknown"));
    }
  }
  const uint64_t error_count = errors.Total();
  if (error_count > 0) failures.push_back(absl::StrCat(error_count, " unexpected errors"));
  if (counters.calls == 0 || acked == 0) failures.push_back("no work was done");

  // Memory and descriptors: medians of the first and last thirds after
  // warm-up. A leak grows with the calls made; allocator arenas, gRPC
  // buffers and pooled connections plateau once the load is steady.
  std::vector<Sample> steady;
  for (const Sample& s : samples) {
    if (s.at_seconds >= warmup) steady.push_back(s);
  }
  double rss_start_mb = 0, rss_end_mb = 0;
  size_t fds_start = 0, fds_end = 0;
  if (target.pid > 0) {
    if (steady.size() < 6) {
      failures.push_back(absl::StrCat("only ", steady.size(), " samples after warm-up"));
    } else {
      const size_t third = steady.size() / 3;
      std::vector<size_t> rss_a, rss_b, fds_a, fds_b;
      for (size_t i = 0; i < third; ++i) {
        rss_a.push_back(steady[i].rss);
        fds_a.push_back(steady[i].fds);
      }
      for (size_t i = steady.size() - third; i < steady.size(); ++i) {
        rss_b.push_back(steady[i].rss);
        fds_b.push_back(steady[i].fds);
      }
      rss_start_mb = Median(rss_a) / 1048576.0;
      rss_end_mb = Median(rss_b) / 1048576.0;
      fds_start = Median(fds_a);
      fds_end = Median(fds_b);
      // Slack: 10 MB or 15%, whichever is larger (allocator noise on a
      // busy 2-core machine); the pool's 16 connections bound fds, so a few
      // more descriptors are churn, not a leak.
      const double rss_limit = rss_start_mb + std::max(10.0, rss_start_mb * 0.15);
      if (rss_end_mb > rss_limit) {
        failures.push_back(absl::StrFormat("RSS grew from %.1f MB to %.1f MB (limit %.1f MB)",
                                           rss_start_mb, rss_end_mb, rss_limit));
      }
      if (fds_end > fds_start + 8) {
        failures.push_back(absl::StrCat("open fds grew from ", fds_start, " to ", fds_end));
      }
    }
  }

  // The pool back to idle and every stream closed.
  double in_use = -1, waiters = -1, streams_open = -1;
  if (!target.admin.empty()) {
    const auto end = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < end) {
      const std::string body = ScrapeMetrics(target.admin);
      in_use = MetricValue(body, "mysqlgw_pool_connections_in_use{backend=\"primary\"}").value_or(-1);
      waiters = MetricValue(body, "mysqlgw_pool_waiters{backend=\"primary\"}").value_or(-1);
      streams_open = MetricValue(body, "mysqlgw_change_streams_open").value_or(-1);
      if (in_use == 0 && waiters == 0 && streams_open == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    if (in_use != 0 || waiters != 0 || streams_open != 0) {
      failures.push_back(absl::StrCat("not idle at the end: in_use=", in_use, " waiters=", waiters,
                                      " change_streams_open=", streams_open));
    }
  }
  if (gateway != nullptr) {
    absl::StatusOr<int> code = gateway->Stop();
    if (!code.ok() || *code != 0) {
      failures.push_back(absl::StrCat("gateway exit: ", code.ok() ? std::to_string(*code)
                                                                  : code.status().ToString()));
    }
  }

  // Summary.
  std::cout << "\nsoak summary\n";
  std::cout << absl::StrFormat("  ran %.0f s: %d calls (%.0f/s), %d rows acknowledged, "
                               "%d rolled back on purpose, %d in doubt, %d rows streamed\n",
                               ran, counters.calls.load(), counters.calls.load() / ran, acked,
                               rolled_back, in_doubt, counters.streamed_rows.load());
  std::cout << "  database: " << db_rows << " rows (markers included)\n";
  for (size_t s = 0; s < subscribers.size(); ++s) {
    std::cout << "  subscriber " << s << ": " << subscribers[s]->delivered()
              << " inserts delivered\n";
  }
  for (const Sample& s : samples) {
    std::cout << absl::StrFormat("  sample t=%5.0fs rss=%.1fMB fds=%d%s\n", s.at_seconds,
                                 s.rss / 1048576.0, s.fds, s.at_seconds < warmup ? " (warm-up)" : "");
  }
  errors.Print();
  for (const std::string& f : failures) std::cout << "  FAILED: " << f << "\n";
  const bool ok = failures.empty();
  std::cout << absl::StrFormat(
                   "SOAK ok=%d seconds=%.0f calls=%d writes=%d errors=%d rss_start_mb=%.1f "
                   "rss_end_mb=%.1f fds_start=%d fds_end=%d",
                   ok ? 1 : 0, ran, counters.calls.load(), counters.writes.load(), error_count,
                   rss_start_mb, rss_end_mb, fds_start, fds_end)
            << std::endl;
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace mysqlgw::soak

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  return mysqlgw::soak::Main();
}
