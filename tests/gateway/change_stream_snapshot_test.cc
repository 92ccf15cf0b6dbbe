// StreamBinlog snapshot starts, end to end: the real gateway, a private
// sandbox MariaDB under a running write load. A subscriber applies every
// event strictly (an insert of a key it has, or a delete or update of one it
// lacks, is an error) and must end with exactly the tables' contents: no
// gap and no overlap between the copy and the changes, also when the
// snapshot is interrupted and resumed from a progress token.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::Sha256Hex;
using Clock = std::chrono::steady_clock;

constexpr char kToken[] = "snapshot-token-0123456789";

// Values as the `mariadb` CLI prints them, to compare with the table.
std::string Text(const v1::Value& v) {
  switch (v.kind_case()) {
    case v1::Value::kInt64: return absl::StrCat(v.int64());
    case v1::Value::kUint64: return absl::StrCat(v.uint64());
    case v1::Value::kString: return v.string();
    case v1::Value::kBytes: return v.bytes();
    case v1::Value::kNull: return "NULL";
    default: return v.ShortDebugString();
  }
}

// What a subscriber holds: table -> key -> row text, kept by applying the
// stream strictly.
class Replica {
 public:
  void Apply(const v1::ChangeEvent& e) {
    if (e.has_table_schema()) {
      Table& t = refs_[e.table_schema().table_ref()];
      t.name = e.table_schema().table();
      t.key.assign(e.table_schema().primary_key().begin(), e.table_schema().primary_key().end());
      if (t.key.empty()) errors_.push_back("no primary key announced for " + t.name);
    } else if (e.has_snapshot()) {
      const v1::SnapshotProgress& p = e.snapshot();
      if (p.phase() == v1::SnapshotProgress::PHASE_TABLE_STARTED && p.restarted()) {
        ++restarts_;
        rows_[p.table()].clear();
      }
      if (!p.resume_token().empty()) last_token_ = p.resume_token();
      if (p.phase() == v1::SnapshotProgress::PHASE_CHUNK) ++chunks_[p.table()];
      if (p.phase() == v1::SnapshotProgress::PHASE_DONE) done_ = true;
    } else if (e.has_commit()) {
      last_token_ = e.commit().resume_token();
      ++commits_;
    } else if (e.has_row()) {
      auto it = refs_.find(e.row().table_ref());
      if (it == refs_.end()) {
        errors_.push_back("row of an unannounced table_ref");
        return;
      }
      const Table& t = it->second;
      auto& rows = rows_[t.name];
      const v1::RowChange& r = e.row();
      switch (r.kind()) {
        case v1::CHANGE_KIND_SNAPSHOT:
        case v1::CHANGE_KIND_INSERT: {
          const std::string key = Key(t, r.after());
          if (rows.count(key) > 0) errors_.push_back(absl::StrCat("overlap: ", t.name, " ", key));
          rows[key] = Row(r.after());
          break;
        }
        case v1::CHANGE_KIND_UPDATE: {
          const std::string before = Key(t, r.before());
          if (rows.erase(before) == 0) errors_.push_back(absl::StrCat("gap (update): ", t.name, " ", before));
          rows[Key(t, r.after())] = Row(r.after());
          break;
        }
        case v1::CHANGE_KIND_DELETE: {
          const std::string before = Key(t, r.before());
          if (rows.erase(before) == 0) errors_.push_back(absl::StrCat("gap (delete): ", t.name, " ", before));
          break;
        }
        default:
          errors_.push_back("unexpected kind");
      }
    }
  }

  std::map<std::string, std::string> Rows(const std::string& table) { return rows_[table]; }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& last_token() const { return last_token_; }
  int chunks(const std::string& table) { return chunks_[table]; }
  int restarts() const { return restarts_; }
  bool done() const { return done_; }
  int commits() const { return commits_; }

 private:
  struct Table {
    std::string name;
    std::vector<uint32_t> key;
  };
  static std::string Key(const Table& t, const v1::RowImage& image) {
    std::vector<std::string> parts;
    for (uint32_t i : t.key) parts.push_back(i < static_cast<uint32_t>(image.values_size()) ? Text(image.values(i)) : "?");
    return absl::StrJoin(parts, "|");
  }
  static std::string Row(const v1::RowImage& image) {
    std::vector<std::string> parts;
    for (const v1::Value& v : image.values()) parts.push_back(Text(v));
    return absl::StrJoin(parts, "\t");
  }

  std::map<uint32_t, Table> refs_;
  std::map<std::string, std::map<std::string, std::string>> rows_;
  std::map<std::string, int> chunks_;
  std::vector<std::string> errors_;
  std::string last_token_;
  int restarts_ = 0;
  int commits_ = 0;
  bool done_ = false;
};

class SnapshotTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto sandbox = testing::Sandbox::Start();
    ASSERT_TRUE(sandbox.ok()) << sandbox.status();
    sandbox_ = sandbox->release();
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
auth:
  principals:
    - name: cdc
      token_sha256: ["HASH"]
      databases: ["mysqlgw_test"]
      operations: [read, binlog]
)",
                                              {{"USER", info.user},
                                               {"PORT", std::to_string(info.port)},
                                               {"HASH", Sha256Hex(kToken)}});
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", info.password}};
    auto gw = GatewayProcess::Start(options);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete sandbox_;
  }

  std::string Root(const std::string& sql) {
    absl::StatusOr<std::string> out = sandbox_->RootQuery(sql);
    EXPECT_TRUE(out.ok()) << sql << ": " << out.status();
    return out.ok() ? std::string(*out) : "";
  }

  // The table's rows as "key -> tab-separated values", keyed like Replica.
  std::map<std::string, std::string> TableRows(const std::string& table, int key_columns) {
    std::map<std::string, std::string> rows;
    for (absl::string_view line :
         absl::StrSplit(Root(absl::StrCat("SELECT * FROM ", table)), '\n', absl::SkipEmpty())) {
      std::vector<std::string> cells = absl::StrSplit(line, '\t');
      std::vector<std::string> key(cells.begin(), cells.begin() + key_columns);
      rows[absl::StrJoin(key, "|")] = std::string(line);
    }
    return rows;
  }

  std::unique_ptr<grpc::ClientReader<v1::StreamBinlogResponse>> Open(
      grpc::ClientContext* ctx, const v1::StreamBinlogRequest& req) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    stub_ = v1::ChangeStream::NewStub(
        grpc::CreateChannel(gateway_->address(), grpc::InsecureChannelCredentials()));
    return stub_->StreamBinlog(ctx, req);
  }

  static testing::Sandbox* sandbox_;
  static GatewayProcess* gateway_;
  std::unique_ptr<v1::ChangeStream::Stub> stub_;
};

testing::Sandbox* SnapshotTest::sandbox_ = nullptr;
GatewayProcess* SnapshotTest::gateway_ = nullptr;

// Writes keep landing on both sides of every key while the snapshot runs.
class WriteLoad {
 public:
  explicit WriteLoad(testing::Sandbox* sandbox) : sandbox_(sandbox) {
    thread_ = std::thread([this] {
      int i = 0;
      while (!stop_) {
        ++i;
        const int id = (i * 7919) % 6000 + 1;  // Inside and past the initial 5,000.
        std::string sql = absl::StrCat(
            "START TRANSACTION;"
            "INSERT INTO snap_int VALUES (", id, ", 'w", i, "') ON DUPLICATE KEY UPDATE v = 'u", i, "';"
            "DELETE FROM snap_int WHERE id = ", (id * 13) % 6000 + 1, ";"
            "UPDATE snap_int SET id = ", 10000 + i, " WHERE id = ", (id * 17) % 5000 + 1, ";"
            "INSERT INTO snap_text VALUES ('k", i, "', ", i, ") ON DUPLICATE KEY UPDATE n = n + 1;"
            "COMMIT;");
        if (sandbox_->RootQuery(sql).ok()) ++writes_;
      }
    });
  }
  ~WriteLoad() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int writes() const { return writes_; }

 private:
  testing::Sandbox* sandbox_;
  std::atomic<bool> stop_{false};
  std::atomic<int> writes_{0};
  std::thread thread_;
};

TEST_F(SnapshotTest, CopyThenChangesWithNoGapAndNoOverlapUnderLoad) {
  Root("DROP TABLE IF EXISTS snap_int, snap_bin, snap_text;"
       "CREATE TABLE snap_int (id INT PRIMARY KEY, v VARCHAR(40));"
       "INSERT INTO snap_int SELECT seq, CONCAT('v', seq) FROM seq_1_to_5000;"
       "CREATE TABLE snap_bin (a INT, b VARBINARY(8), c INT, PRIMARY KEY (a, b));"
       "INSERT INTO snap_bin SELECT seq % 7, UNHEX(HEX(seq)), seq FROM seq_1_to_300;"
       "CREATE TABLE snap_text (k VARCHAR(20) PRIMARY KEY, n INT);"
       "INSERT INTO snap_text SELECT CONCAT('k', seq), seq FROM seq_1_to_200;");
  WriteLoad load(sandbox_);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  grpc::ClientContext ctx;
  v1::StreamBinlogRequest req;
  req.mutable_snapshot()->add_tables("mysqlgw_test.snap_*");
  req.mutable_snapshot()->set_progress_rows(500);
  auto reader = Open(&ctx, req);
  Replica replica;
  v1::StreamBinlogResponse resp;
  bool stopped = false;
  int commits_at_stop = 0;
  while (reader->Read(&resp)) {
    for (const v1::ChangeEvent& e : resp.events()) replica.Apply(e);
    if (replica.done() && !stopped && replica.commits() > 20) {
      load.Stop();
      stopped = true;
      commits_at_stop = replica.commits();
      // One marker transaction after the load: once it arrives, so has
      // everything before it.
      Root("INSERT INTO snap_text VALUES ('marker', 0)");
    }
    if (stopped && !replica.Rows("snap_text").empty() &&
        replica.Rows("snap_text").count("marker") > 0) {
      break;
    }
  }
  ctx.TryCancel();
  (void)reader->Finish();
  ASSERT_TRUE(stopped);
  EXPECT_GT(load.writes(), 10);
  EXPECT_GT(commits_at_stop, 20);
  EXPECT_TRUE(replica.errors().empty()) << absl::StrJoin(replica.errors(), "\n");
  EXPECT_GE(replica.chunks("snap_int"), 9);  // 5,000 rows, a CHUNK every 500.
  EXPECT_EQ(replica.Rows("snap_int"), TableRows("snap_int", 1));
  EXPECT_EQ(replica.Rows("snap_text"), TableRows("snap_text", 1));
  auto bin = replica.Rows("snap_bin");
  EXPECT_EQ(bin.size(), 300u);
}

TEST_F(SnapshotTest, InterruptedSnapshotResumesAfterItsLastKey) {
  Root("DROP TABLE IF EXISTS snap_int, snap_bin, snap_text;"
       "CREATE TABLE snap_int (id INT PRIMARY KEY, v VARCHAR(40));"
       "INSERT INTO snap_int SELECT seq, CONCAT('v', seq) FROM seq_1_to_5000;"
       "CREATE TABLE snap_text (k VARCHAR(20) PRIMARY KEY, n INT);"
       "INSERT INTO snap_text SELECT CONCAT('k', seq), seq FROM seq_1_to_200;");
  Replica replica;
  std::string token;
  {
    // First stream: read the copy of snap_int up to 2,000 rows, then go.
    grpc::ClientContext ctx;
    v1::StreamBinlogRequest req;
    req.mutable_snapshot()->add_tables("mysqlgw_test.snap_int");
    req.mutable_snapshot()->add_tables("mysqlgw_test.snap_text");
    req.mutable_snapshot()->set_progress_rows(1000);
    req.set_max_batch_events(100);
    auto reader = Open(&ctx, req);
    v1::StreamBinlogResponse resp;
    while (reader->Read(&resp)) {
      for (const v1::ChangeEvent& e : resp.events()) {
        replica.Apply(e);
        if (e.has_snapshot() && e.snapshot().phase() == v1::SnapshotProgress::PHASE_CHUNK &&
            e.snapshot().rows() == 2000) {
          token = e.snapshot().resume_token();
          break;
        }
      }
      if (!token.empty()) break;
    }
    ctx.TryCancel();
    (void)reader->Finish();
  }
  ASSERT_FALSE(token.empty());
  // The subscriber keeps what it had up to the token: rows after it in that
  // last message are not part of its state.
  auto delivered = replica.Rows("snap_int");
  ASSERT_GE(delivered.size(), 2000u);

  // Changes on both sides of the last key (2000), while nobody reads.
  Root("UPDATE snap_int SET v = 'changed' WHERE id IN (10, 1999, 2000, 2001, 4000);"
       "DELETE FROM snap_int WHERE id IN (20, 3000);"
       "INSERT INTO snap_int VALUES (100000, 'new-high'), (0, 'new-low');"
       "UPDATE snap_int SET id = 99999 WHERE id = 30;"    // leaves the delivered range
       "UPDATE snap_int SET id = -5 WHERE id = 4500;"     // enters it
       "UPDATE snap_text SET n = -1 WHERE k = 'k1';");

  // The second stream resumes from the token with a fresh replica holding
  // exactly what the first had received up to the token.
  Replica resumed;
  {
    grpc::ClientContext ctx;
    v1::StreamBinlogRequest req;
    req.set_resume_token(token);
    auto reader = Open(&ctx, req);
    // Seed: re-announce the table and the rows up to key 2000 as known.
    v1::ChangeEvent schema;
    schema.mutable_table_schema()->set_table_ref(1000000);
    schema.mutable_table_schema()->set_table("snap_int");
    schema.mutable_table_schema()->add_primary_key(0);
    resumed.Apply(schema);
    for (int id = 1; id <= 2000; ++id) {
      v1::ChangeEvent row;
      row.mutable_row()->set_table_ref(1000000);
      row.mutable_row()->set_kind(v1::CHANGE_KIND_SNAPSHOT);
      row.mutable_row()->mutable_after()->add_values()->set_int64(id);
      row.mutable_row()->mutable_after()->add_values()->set_string(absl::StrCat("v", id));
      resumed.Apply(row);
    }
    v1::StreamBinlogResponse resp;
    bool marker_sent = false;
    while (reader->Read(&resp)) {
      for (const v1::ChangeEvent& e : resp.events()) resumed.Apply(e);
      if (resumed.done() && !marker_sent) {
        Root("INSERT INTO snap_text VALUES ('marker', 0)");
        marker_sent = true;
      }
      if (resumed.Rows("snap_text").count("marker") > 0) break;
    }
    ctx.TryCancel();
    (void)reader->Finish();
  }
  EXPECT_TRUE(resumed.errors().empty()) << absl::StrJoin(resumed.errors(), "\n");
  EXPECT_EQ(resumed.restarts(), 0);  // An integer key resumes; it does not restart.
  EXPECT_EQ(resumed.Rows("snap_int"), TableRows("snap_int", 1));
  EXPECT_EQ(resumed.Rows("snap_text"), TableRows("snap_text", 1));
}

TEST_F(SnapshotTest, ResumeInsideATextKeyedTableRestartsThatTable) {
  Root("DROP TABLE IF EXISTS snap_int, snap_bin, snap_text;"
       "CREATE TABLE snap_text (k VARCHAR(20) PRIMARY KEY, n INT);"
       "INSERT INTO snap_text SELECT CONCAT('k', LPAD(seq, 5, '0')), seq FROM seq_1_to_3000;");
  std::string token;
  {
    grpc::ClientContext ctx;
    v1::StreamBinlogRequest req;
    req.mutable_snapshot()->add_tables("mysqlgw_test.snap_text");
    req.mutable_snapshot()->set_progress_rows(1000);
    auto reader = Open(&ctx, req);
    v1::StreamBinlogResponse resp;
    while (token.empty() && reader->Read(&resp)) {
      for (const v1::ChangeEvent& e : resp.events()) {
        if (e.has_snapshot() && e.snapshot().phase() == v1::SnapshotProgress::PHASE_CHUNK) {
          token = e.snapshot().resume_token();
          break;
        }
      }
    }
    ctx.TryCancel();
    (void)reader->Finish();
  }
  ASSERT_FALSE(token.empty());
  Root("DELETE FROM snap_text WHERE k = 'k00005'");
  Replica resumed;
  grpc::ClientContext ctx;
  v1::StreamBinlogRequest req;
  req.set_resume_token(token);
  auto reader = Open(&ctx, req);
  v1::StreamBinlogResponse resp;
  while (!resumed.done() && reader->Read(&resp)) {
    for (const v1::ChangeEvent& e : resp.events()) resumed.Apply(e);
  }
  ctx.TryCancel();
  (void)reader->Finish();
  EXPECT_TRUE(resumed.errors().empty()) << absl::StrJoin(resumed.errors(), "\n");
  EXPECT_EQ(resumed.restarts(), 1);
  EXPECT_EQ(resumed.Rows("snap_text"), TableRows("snap_text", 1));
}

TEST_F(SnapshotTest, ForeignTablesAndBadTokensAreRefused) {
  // The principal reads mysqlgw_test only: a pattern naming mysql.* copies nothing.
  grpc::ClientContext ctx;
  v1::StreamBinlogRequest req;
  req.mutable_snapshot()->add_tables("mysql.*");
  req.set_mode(v1::StreamBinlogRequest::MODE_UNTIL_NOW);
  auto reader = Open(&ctx, req);
  v1::StreamBinlogResponse resp;
  Replica replica;
  while (reader->Read(&resp)) {
    for (const v1::ChangeEvent& e : resp.events()) {
      replica.Apply(e);
      EXPECT_FALSE(e.has_row()) << e.ShortDebugString();
    }
  }
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(replica.done());

  grpc::ClientContext ctx2;
  v1::StreamBinlogRequest bad;
  bad.set_resume_token("mgw2.AAAA");
  auto reader2 = Open(&ctx2, bad);
  while (reader2->Read(&resp)) {
  }
  EXPECT_EQ(reader2->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace mysqlgw
