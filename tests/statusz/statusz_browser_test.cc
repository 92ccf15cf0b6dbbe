// /statusz as an operator meets it: the real gateway against the sandbox
// MariaDB, a live StreamBinlog subscription and a few queries, then the page
// loaded in a real headless Chromium (Debian's `chromium`), whose DOM must
// show the backend, the open stream at the position its subscriber saw,
// and the digest of the query run, with hostile SQL shown as text and never
// run as script. The JSON form must carry the same values, and a
// configuration reload must show as a new version.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "server/http/test_client.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kToken[] = "statusz-token-0123456789";
// An identifier the digest keeps as it is: if the page did not escape it, a
// browser would run the script and mark the body.
constexpr char kHostileColumn[] =
    "<script>document.body.setAttribute('data-pwned','yes')</script>";

std::string TempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

// Debian installs the browser as /usr/bin/chromium (a wrapper script).
absl::StatusOr<std::string> FindChromium() {
  std::vector<std::string> dirs = {"/usr/bin", "/usr/local/bin", "/bin"};
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    for (absl::string_view d : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      dirs.insert(dirs.begin(), std::string(d));
    }
  }
  for (const std::string& dir : dirs) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const std::string candidate = absl::StrCat(dir, "/", name);
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return absl::NotFoundError(
      "chromium not found in PATH or /usr/bin: this test needs a real browser; install the "
      "Debian packages chromium and chromium-driver (scripts/setup does)");
}

// Loads `url` in headless Chromium and returns the DOM after load (scripts,
// had there been any, have run by then). Also saves a screenshot where
// Bazel keeps test outputs, for a person to look at.
absl::StatusOr<std::string> LoadInChromium(const std::string& chromium, const std::string& url,
                                           const std::string& work) {
  std::vector<std::string> common = {
      chromium,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
  };
  testing::CommandOptions options;
  options.timeout = absl::Seconds(90);
  std::vector<std::string> dump = common;
  dump.push_back("--user-data-dir=" + work + "/profile-dom");
  dump.push_back("--dump-dom");
  dump.push_back(url);
  absl::StatusOr<testing::CommandResult> result = testing::RunProcess(dump, options);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0 || result->stdout_data.empty()) {
    return absl::InternalError(absl::StrCat("chromium --dump-dom exited ", result->exit_code,
                                            ":\n", result->stderr_data));
  }
  if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR"); out != nullptr) {
    std::vector<std::string> shot = common;
    shot.push_back("--user-data-dir=" + work + "/profile-shot");
    shot.push_back("--window-size=1400,1600");
    shot.push_back(absl::StrCat("--screenshot=", out, "/statusz.png"));
    shot.push_back(url);
    (void)testing::RunProcess(shot, options);  // Best effort: only for people.
  }
  return result->stdout_data;
}

Struct ParseJson(const std::string& json) {
  Struct out;
  auto status = google::protobuf::util::JsonStringToMessage(json, &out);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return out;
}

const Value& Field(const Struct& s, const std::string& name) {
  static const Value* const kMissing = new Value();
  auto it = s.fields().find(name);
  return it == s.fields().end() ? *kMissing : it->second;
}

// Change events one subscriber has received so far.
struct Subscriber {
  std::mutex mu;
  int change_events = 0;  // Heartbeats excluded.
  int commits = 0;
  std::string last_commit_file;
  uint64_t last_commit_position = 0;
  bool done = false;
  grpc::Status status;
};

class StatuszBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    port_file_ = TempDir() + "/admin.port";
    testing::GatewayProcessOptions options;
    options.config_yaml = Config("");
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", server_->password}};
    options.extra_args = {"--admin_address=127.0.0.1:0", "--admin_port_file=" + port_file_,
                          "--config_poll_ms=200"};
    auto gw = testing::GatewayProcess::Start(options);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = *std::move(gw);
    std::ifstream in(port_file_);
    in >> admin_port_;
    ASSERT_GT(admin_port_, 0);
    channel_ = grpc::CreateChannel(gateway_->address(), grpc::InsecureChannelCredentials());
  }

  std::string Config(const std::string& interception) {
    return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 1
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/mysqlgw_test?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
auth:
  principals:
    - name: cdc
      token_sha256: ["HASH"]
      databases: ["*"]
      operations: [read, write, ddl, binlog]
INTERCEPTION)",
                               {{"USER", server_->user},
                                {"PORT", std::to_string(server_->port)},
                                {"HASH", testing::Sha256Hex(kToken)},
                                {"INTERCEPTION", interception}});
  }

  void Exec(const std::string& sql) {
    auto stub = v1::Gateway::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::ExecuteRequest req;
    req.set_sql(sql);
    v1::ExecuteResponse resp;
    grpc::Status s = stub->Execute(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.error_message();
  }

  void Query(const std::string& sql) {
    auto stub = v1::Gateway::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::QueryRequest req;
    req.set_sql(sql);
    v1::QueryResponse resp;
    grpc::Status s = stub->Query(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.error_message();
  }

  absl::StatusOr<Struct> StatusJson() {
    auto r = http::testing::Fetch("127.0.0.1", admin_port_, "/statusz?format=json");
    if (!r.ok()) return r.status();
    if (r->result_int() != 200) return absl::InternalError(absl::StrCat("HTTP ", r->result_int()));
    EXPECT_EQ(std::string((*r)[boost::beast::http::field::content_type]), "application/json");
    return ParseJson(r->body());
  }

  // Polls the JSON until `ok` holds (generous: the machine may be loaded).
  template <typename Pred>
  Struct WaitForJson(Pred ok, const std::string& what) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    Struct last;
    while (absl::Now() < deadline) {
      absl::StatusOr<Struct> j = StatusJson();
      if (j.ok()) {
        last = *j;
        if (ok(last)) return last;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    std::string dump;
    (void)google::protobuf::util::MessageToJsonString(last, &dump);
    ADD_FAILURE() << "timed out waiting for " << what << "; last /statusz JSON: " << dump;
    return last;
  }

  const testing::ServerInfo* server_ = nullptr;
  std::unique_ptr<testing::GatewayProcess> gateway_;
  std::string port_file_;
  int admin_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(StatuszBrowserTest, ChromiumShowsBackendStreamAndDigest) {
  absl::StatusOr<std::string> chromium = FindChromium();
  ASSERT_TRUE(chromium.ok()) << chromium.status();

  Exec("CREATE TABLE IF NOT EXISTS statusz_t (id INT PRIMARY KEY, v VARCHAR(20))");
  Exec("DELETE FROM statusz_t");

  // A follow-mode subscription from the current GTID state (not "now",
  // which the stream resolves a moment after it is listed: writes in
  // between would be missed), read on its own thread.
  absl::StatusOr<std::string> gtid_state =
      testing::QueryAsRoot(*server_, "SELECT @@GLOBAL.gtid_binlog_pos");
  ASSERT_TRUE(gtid_state.ok()) << gtid_state.status();
  auto stub = v1::ChangeStream::NewStub(channel_);
  grpc::ClientContext stream_ctx;
  stream_ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  v1::StreamBinlogRequest stream_req;
  stream_req.set_gtid_set(std::string(absl::StripAsciiWhitespace(*gtid_state)));
  auto sub = std::make_shared<Subscriber>();
  std::unique_ptr<grpc::ClientReader<v1::StreamBinlogResponse>> reader =
      stub->StreamBinlog(&stream_ctx, stream_req);
  std::thread reading([&reader, sub] {
    v1::StreamBinlogResponse resp;
    while (reader->Read(&resp)) {
      std::lock_guard<std::mutex> lock(sub->mu);
      for (const v1::ChangeEvent& e : resp.events()) {
        if (e.has_heartbeat() || e.has_status()) continue;
        ++sub->change_events;
        if (e.has_commit()) {
          ++sub->commits;
          sub->last_commit_file = e.commit().position().file();
          sub->last_commit_position = e.commit().position().position();
        }
      }
    }
    grpc::Status status = reader->Finish();
    std::lock_guard<std::mutex> lock(sub->mu);
    sub->status = status;
    sub->done = true;
  });
  // However the test ends (a failed ASSERT returns early), the subscriber
  // leaves and its thread is joined.
  struct StopReading {
    grpc::ClientContext& ctx;
    std::thread& thread;
    ~StopReading() {
      ctx.TryCancel();
      if (thread.joinable()) thread.join();
    }
  } stop_reading{stream_ctx, reading};

  // The stream is listed as soon as it is open, before any event.
  WaitForJson(
      [](const Struct& j) { return Field(j, "binlog_streams").list_value().values_size() == 1; },
      "the stream to be listed");

  // Three transactions for the subscriber, and a query whose digest we know.
  for (int i = 1; i <= 3; ++i) {
    Exec(absl::StrCat("INSERT INTO statusz_t VALUES (", i, ", 'row ", i, "')"));
  }
  const std::string query =
      absl::StrCat("SELECT v AS `", kHostileColumn, "` FROM statusz_t WHERE id = 2");
  for (int i = 0; i < 4; ++i) Query(query);

  // Wait until the subscriber has the three commits...
  std::string commit_file;
  uint64_t commit_position = 0;
  int received = 0;
  {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(sub->mu);
        ASSERT_FALSE(sub->done) << sub->status.error_message();
        if (sub->commits >= 3) {
          commit_file = sub->last_commit_file;
          commit_position = sub->last_commit_position;
          received = sub->change_events;
          break;
        }
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  ASSERT_FALSE(commit_file.empty()) << "the subscriber did not get 3 commits";
  ASSERT_GT(commit_position, 4u);

  // ...and /statusz agrees: same file, at or past the last commit (a
  // heartbeat may carry a later position if something else wrote), every
  // change event counted.
  Struct json = WaitForJson(
      [&](const Struct& j) {
        const auto& streams = Field(j, "binlog_streams").list_value().values();
        if (streams.size() != 1) return false;
        const Struct& st = streams[0].struct_value();
        const Struct& pos = Field(st, "position").struct_value();
        return Field(pos, "file").string_value() == commit_file &&
               Field(pos, "position").number_value() >= static_cast<double>(commit_position) &&
               Field(st, "events_sent").number_value() >= received;
      },
      "the stream's position to reach the subscriber's last commit");
  {
    const Struct& st = Field(json, "binlog_streams").list_value().values(0).struct_value();
    EXPECT_EQ(Field(st, "principal").string_value(), "cdc");
    EXPECT_EQ(Field(st, "mode").string_value(), "follow");
    EXPECT_TRUE(absl::StrContains(Field(st, "peer").string_value(), "127.0.0.1"))
        << Field(st, "peer").string_value();
    EXPECT_FALSE(Field(st, "gtid").string_value().empty());
    // 3 transactions: begin, row, commit each, plus the table's schema.
    EXPECT_GE(Field(st, "events_sent").number_value(), 10);
    ASSERT_EQ(Field(st, "seconds_behind").kind_case(), Value::kNumberValue);
    // Just written: it cannot be minutes behind.
    EXPECT_LT(Field(st, "seconds_behind").number_value(), 60);
    EXPECT_GE(Field(st, "batches_sent").number_value(), 1);
  }

  // Backends and pools.
  const auto& backends = Field(json, "backends").list_value().values();
  ASSERT_EQ(backends.size(), 1);
  EXPECT_EQ(Field(backends[0].struct_value(), "name").string_value(), "primary");
  EXPECT_EQ(Field(backends[0].struct_value(), "role").string_value(), "primary");
  // Without replicas the gateway runs no health checks.
  EXPECT_EQ(Field(backends[0].struct_value(), "state").string_value(), "unchecked");
  const auto& pools = Field(json, "pools").list_value().values();
  ASSERT_EQ(pools.size(), 1);
  EXPECT_EQ(Field(pools[0].struct_value(), "backend").string_value(), "primary");
  EXPECT_GE(Field(pools[0].struct_value(), "open").number_value(), 1);
  EXPECT_EQ(Field(pools[0].struct_value(), "max_open").number_value(), 32);  // The default.
  EXPECT_EQ(Field(pools[0].struct_value(), "connect_failures").number_value(), 0);

  // The query's digest, with its four calls.
  std::string digest_text;
  {
    bool found = false;
    for (const Value& d : Field(json, "top_digests").list_value().values()) {
      const std::string text = Field(d.struct_value(), "text").string_value();
      if (absl::StrContains(text, "statusz_t") && absl::StrContains(text, "data-pwned")) {
        found = true;
        digest_text = text;
        EXPECT_EQ(Field(d.struct_value(), "calls").number_value(), 4) << text;
        EXPECT_EQ(Field(d.struct_value(), "errors").number_value(), 0) << text;
        EXPECT_EQ(Field(d.struct_value(), "rows").number_value(), 4) << text;
        EXPECT_GT(Field(d.struct_value(), "total_seconds").number_value(), 0) << text;
        EXPECT_EQ(Field(d.struct_value(), "digest").string_value().size(), 16u) << text;
      }
    }
    EXPECT_TRUE(found) << "no digest of the SELECT on statusz_t";
  }
  EXPECT_TRUE(absl::StrContains(digest_text, kHostileColumn)) << digest_text;

  // Build, uptime and configuration.
  EXPECT_EQ(Field(Field(json, "build").struct_value(), "version").string_value(), "0.1.0");
  EXPECT_EQ(Field(Field(json, "process").struct_value(), "pid").number_value(), gateway_->pid());
  EXPECT_GE(Field(Field(json, "process").struct_value(), "uptime_seconds").number_value(), 0);
  const Struct& config = Field(json, "config").struct_value();
  EXPECT_EQ(Field(config, "version").number_value(), 1);
  EXPECT_EQ(Field(config, "path").string_value(), gateway_->config_path());
  const std::string first_hash = Field(config, "hash").string_value();
  EXPECT_EQ(first_hash.size(), 16u);

  // The page in a real browser.
  const std::string url = absl::StrCat("http://127.0.0.1:", admin_port_, "/statusz");
  absl::StatusOr<std::string> dom = LoadInChromium(*chromium, url, TempDir());
  ASSERT_TRUE(dom.ok()) << dom.status();
  EXPECT_TRUE(absl::StrContains(*dom, "<title>mysqlgw /statusz</title>")) << *dom;
  EXPECT_TRUE(absl::StrContains(*dom, "<span id=\"version\">0.1.0</span>")) << *dom;
  // The backend.
  EXPECT_TRUE(absl::StrContains(*dom, "<tr data-key=\"primary\"><td>primary</td><td>primary</td>"
                                      "<td class=\"state-unchecked\">unchecked</td>"))
      << *dom;
  // The open stream with its position.
  EXPECT_TRUE(absl::StrContains(*dom, "<span id=\"streams-open\">1</span>")) << *dom;
  const std::string position_cell_prefix =
      absl::StrCat("<td class=\"mono position\">", commit_file, ":");
  const size_t cell = dom->find(position_cell_prefix);
  ASSERT_NE(cell, std::string::npos) << *dom;
  {
    const size_t start = cell + position_cell_prefix.size();
    const uint64_t shown = std::stoull(dom->substr(start, dom->find('<', start) - start));
    EXPECT_GE(shown, commit_position);
  }
  EXPECT_TRUE(absl::StrContains(*dom, "<td>cdc</td>")) << *dom;
  // The digest, its hostile identifier escaped: shown as text, not run.
  EXPECT_TRUE(absl::StrContains(*dom, "statusz_t")) << *dom;
  EXPECT_TRUE(absl::StrContains(
      *dom, "&lt;script&gt;document.body.setAttribute('data-pwned','yes')&lt;/script&gt;"))
      << *dom;
  EXPECT_FALSE(absl::StrContains(*dom, "data-pwned=\"yes\"")) << *dom;
  EXPECT_FALSE(absl::StrContains(*dom, "<script>")) << *dom;

  // A reload shows as the next configuration version with a new hash.
  {
    std::ofstream out(gateway_->config_path() + ".new");
    out << Config("interception:\n  rules:\n    - name: statusz-cap\n"
                  "      match: {statement_kinds: [select]}\n"
                  "      action: {max_rows: 100000}\n");
  }
  ASSERT_EQ(std::rename((gateway_->config_path() + ".new").c_str(),
                        gateway_->config_path().c_str()),
            0);
  Struct reloaded = WaitForJson(
      [](const Struct& j) {
        const Struct& c = Field(j, "config").struct_value();
        return Field(c, "version").number_value() == 2 ||
               Field(c, "reloads_failed").number_value() > 0;
      },
      "the reload");
  const Struct& config2 = Field(reloaded, "config").struct_value();
  EXPECT_EQ(Field(config2, "version").number_value(), 2)
      << Field(config2, "last_error").string_value();
  EXPECT_EQ(Field(config2, "reloads_applied").number_value(), 1);
  EXPECT_NE(Field(config2, "hash").string_value(), first_hash);
  EXPECT_EQ(Field(config2, "policy_generation").number_value(),
            Field(config, "policy_generation").number_value() + 1);

  // The subscriber leaves: the stream is no longer listed.
  stream_ctx.TryCancel();
  reading.join();
  {
    std::lock_guard<std::mutex> lock(sub->mu);
    EXPECT_EQ(sub->status.error_code(), grpc::StatusCode::CANCELLED) << sub->status.error_message();
  }
  WaitForJson(
      [](const Struct& j) { return Field(j, "binlog_streams").list_value().values_size() == 0; },
      "the stream to be unlisted");

  // The change stream metrics count what was sent.
  auto metrics = http::testing::Fetch("127.0.0.1", admin_port_, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  const std::string body = metrics->body();
  const size_t at = body.find("\nmysqlgw_change_stream_events_total ");
  ASSERT_NE(at, std::string::npos) << body;
  const double events_total =
      std::stod(body.substr(at + std::string("\nmysqlgw_change_stream_events_total ").size()));
  EXPECT_GE(events_total, received);
  EXPECT_TRUE(absl::StrContains(body, "mysqlgw_pool_wait_seconds_total{backend=\"primary\"}"));
}

}  // namespace
}  // namespace mysqlgw
