// StreamBinlog end to end: the real gateway, real gRPC, the sandbox
// MariaDB's binlog.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
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

constexpr char kToken[] = "cdc-token-0123456789";
constexpr char kNoBinlogToken[] = "no-binlog-token-0123456789";

class ChangeStreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    testing::GatewayProcessOptions options;
    options.config_yaml = absl::StrReplaceAll(R"(
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
    - name: app
      token_sha256: ["HASH2"]
      databases: ["*"]
      operations: [read, write, ddl]
)",
                                              {{"USER", server_->user},
                                               {"PORT", std::to_string(server_->port)},
                                               {"HASH", Sha256Hex(kToken)},
                                               {"HASH2", Sha256Hex(kNoBinlogToken)}});
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", server_->password}};
    auto gw = GatewayProcess::Start(options);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }

  std::shared_ptr<grpc::Channel> Channel() {
    return grpc::CreateChannel(gateway_->address(), grpc::InsecureChannelCredentials());
  }
  void Exec(const std::string& sql) {
    auto stub = v1::Gateway::NewStub(Channel());
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::ExecuteRequest req;
    req.set_sql(sql);
    v1::ExecuteResponse resp;
    grpc::Status s = stub->Execute(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.error_message();
  }
  std::string CurrentGtidState() {
    auto out = testing::QueryAsRoot(*server_, "SELECT @@GLOBAL.gtid_binlog_pos");
    EXPECT_TRUE(out.ok());
    return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "";
  }

  // Reads a stream to its end (UNTIL_NOW) and returns every event.
  std::vector<v1::ChangeEvent> ReadAll(v1::StreamBinlogRequest req, grpc::Status* status,
                                       const char* token = kToken) {
    req.set_mode(v1::StreamBinlogRequest::MODE_UNTIL_NOW);
    auto stub = v1::ChangeStream::NewStub(Channel());
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto reader = stub->StreamBinlog(&ctx, req);
    std::vector<v1::ChangeEvent> events;
    v1::StreamBinlogResponse resp;
    while (reader->Read(&resp)) {
      for (const auto& e : resp.events()) events.push_back(e);
    }
    *status = reader->Finish();
    return events;
  }

  static const testing::ServerInfo* server_;
  static GatewayProcess* gateway_;
};

const testing::ServerInfo* ChangeStreamTest::server_ = nullptr;
GatewayProcess* ChangeStreamTest::gateway_ = nullptr;

int Count(const std::vector<v1::ChangeEvent>& events, v1::ChangeEvent::EventCase kind) {
  int n = 0;
  for (const auto& e : events) n += e.event_case() == kind;
  return n;
}

TEST_F(ChangeStreamTest, TypedRowChangesWithNamesAndTransactions) {
  Exec("CREATE TABLE IF NOT EXISTS cdc_t (id INT PRIMARY KEY, u BIGINT UNSIGNED, "
       "d DECIMAL(20,4), dt DATETIME(6), z DATE, t TIME, v VARCHAR(20), b VARBINARY(4), j JSON)");
  Exec("DELETE FROM cdc_t");
  const std::string state = CurrentGtidState();
  Exec("INSERT INTO cdc_t VALUES (1, 18446744073709551615, -12.3400, '2024-02-29 23:59:59.000001', "
       "'2024-01-02', '-100:00:00', 'héllo', x'00ff', '{\"a\": 1}')");
  Exec("UPDATE cdc_t SET v = 'changed', d = 1.5 WHERE id = 1");
  Exec("DELETE FROM cdc_t WHERE id = 1");

  v1::StreamBinlogRequest req;
  req.set_gtid_set(state);
  grpc::Status status;
  std::vector<v1::ChangeEvent> events = ReadAll(req, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Count(events, v1::ChangeEvent::kBegin), 3);
  EXPECT_EQ(Count(events, v1::ChangeEvent::kCommit), 3);
  ASSERT_EQ(Count(events, v1::ChangeEvent::kTableSchema), 1);
  ASSERT_EQ(Count(events, v1::ChangeEvent::kRow), 3);

  const v1::TableSchema* schema = nullptr;
  std::vector<const v1::RowChange*> rows;
  for (const auto& e : events) {
    if (e.has_table_schema()) schema = &e.table_schema();
    if (e.has_row()) rows.push_back(&e.row());
  }
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->schema(), "mysqlgw_test");
  EXPECT_EQ(schema->table(), "cdc_t");
  ASSERT_EQ(schema->columns_size(), 9);
  EXPECT_EQ(schema->columns(0).name(), "id");
  EXPECT_EQ(schema->columns(7).name(), "b");
  ASSERT_EQ(schema->primary_key_size(), 1);
  EXPECT_EQ(schema->primary_key(0), 0u);

  const v1::RowChange& ins = *rows[0];
  EXPECT_EQ(ins.kind(), v1::CHANGE_KIND_INSERT);
  EXPECT_EQ(ins.table_ref(), schema->table_ref());
  ASSERT_EQ(ins.after().values_size(), 9);
  EXPECT_EQ(ins.after().values(0).int64(), 1);
  EXPECT_EQ(ins.after().values(1).uint64(), 18446744073709551615ull);
  EXPECT_EQ(ins.after().values(2).decimal(), "-12.3400");
  EXPECT_EQ(ins.after().values(3).datetime().microsecond(), 1u);
  EXPECT_EQ(ins.after().values(3).datetime().day(), 29u);
  EXPECT_EQ(ins.after().values(4).date().year(), 2024u);
  EXPECT_TRUE(ins.after().values(5).time().negative());
  EXPECT_EQ(ins.after().values(5).time().hours(), 100u);
  EXPECT_EQ(ins.after().values(6).string(), "héllo");
  EXPECT_EQ(ins.after().values(7).bytes(), std::string("\x00\xff", 2));
  EXPECT_FALSE(ins.has_before());

  const v1::RowChange& upd = *rows[1];
  EXPECT_EQ(upd.kind(), v1::CHANGE_KIND_UPDATE);
  EXPECT_EQ(upd.before().values(6).string(), "héllo");
  EXPECT_EQ(upd.after().values(6).string(), "changed");
  EXPECT_EQ(upd.after().values(2).decimal(), "1.5000");

  const v1::RowChange& del = *rows[2];
  EXPECT_EQ(del.kind(), v1::CHANGE_KIND_DELETE);
  EXPECT_EQ(del.before().values(0).int64(), 1);

  // Commits carry GTIDs and tokens.
  for (const auto& e : events) {
    if (e.has_commit()) {
      EXPECT_FALSE(e.commit().gtid().empty());
      EXPECT_FALSE(e.commit().resume_token().empty());
    }
  }
}

TEST_F(ChangeStreamTest, ResumeTokenContinuesRightAfterItsTransaction) {
  Exec("CREATE TABLE IF NOT EXISTS cdc_r (id INT PRIMARY KEY)");
  const std::string state = CurrentGtidState();
  for (int i = 1; i <= 5; ++i) Exec(absl::StrCat("INSERT INTO cdc_r VALUES (", 100 + i, ")"));
  v1::StreamBinlogRequest req;
  req.set_gtid_set(state);
  grpc::Status status;
  std::vector<v1::ChangeEvent> all = ReadAll(req, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> tokens;
  std::vector<int64_t> ids;
  for (const auto& e : all) {
    if (e.has_commit()) tokens.push_back(e.commit().resume_token());
    if (e.has_row()) ids.push_back(e.row().after().values(0).int64());
  }
  ASSERT_EQ(tokens.size(), 5u);
  ASSERT_EQ(ids, (std::vector<int64_t>{101, 102, 103, 104, 105}));

  // Resuming from the second commit delivers exactly the last three.
  v1::StreamBinlogRequest resume;
  resume.set_resume_token(tokens[1]);
  std::vector<v1::ChangeEvent> rest = ReadAll(resume, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<int64_t> rest_ids;
  for (const auto& e : rest) {
    if (e.has_row()) rest_ids.push_back(e.row().after().values(0).int64());
  }
  EXPECT_EQ(rest_ids, (std::vector<int64_t>{103, 104, 105}));
  // The last token resumes with nothing left.
  v1::StreamBinlogRequest at_end;
  at_end.set_resume_token(tokens.back());
  std::vector<v1::ChangeEvent> none = ReadAll(at_end, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Count(none, v1::ChangeEvent::kRow), 0);
}

TEST_F(ChangeStreamTest, FollowDeliversNewChangesPromptly) {
  Exec("CREATE TABLE IF NOT EXISTS cdc_f (id INT PRIMARY KEY)");
  auto stub = v1::ChangeStream::NewStub(Channel());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  v1::StreamBinlogRequest req;
  req.set_now(true);
  req.mutable_filter()->add_include_tables("mysqlgw_test.cdc_f");
  auto reader = stub->StreamBinlog(&ctx, req);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto written = std::chrono::steady_clock::now();
  Exec("INSERT INTO cdc_f VALUES (7)");
  v1::StreamBinlogResponse resp;
  bool got = false;
  while (!got && reader->Read(&resp)) {
    for (const auto& e : resp.events()) {
      if (e.has_row() && e.row().after().values(0).int64() == 7) got = true;
    }
  }
  EXPECT_TRUE(got);
  EXPECT_LT(std::chrono::steady_clock::now() - written, std::chrono::seconds(2));
  ctx.TryCancel();
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(ChangeStreamTest, FiltersKeepTransactionsButDropOtherTables) {
  Exec("CREATE TABLE IF NOT EXISTS cdc_keep (id INT PRIMARY KEY)");
  Exec("CREATE TABLE IF NOT EXISTS cdc_drop (id INT PRIMARY KEY)");
  const std::string state = CurrentGtidState();
  Exec("INSERT INTO cdc_keep VALUES (1)");
  Exec("INSERT INTO cdc_drop VALUES (1)");
  v1::StreamBinlogRequest req;
  req.set_gtid_set(state);
  req.mutable_filter()->add_include_tables("mysqlgw_test.cdc_k*");
  grpc::Status status;
  std::vector<v1::ChangeEvent> events = ReadAll(req, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Count(events, v1::ChangeEvent::kRow), 1);
  EXPECT_EQ(Count(events, v1::ChangeEvent::kCommit), 2);  // Tokens keep advancing.
  for (const auto& e : events) {
    if (e.has_table_schema()) {
      EXPECT_EQ(e.table_schema().table(), "cdc_keep");
    }
  }
}

TEST_F(ChangeStreamTest, DdlIsDeliveredWhenAsked) {
  const std::string state = CurrentGtidState();
  Exec("CREATE TABLE cdc_ddl (id INT)");
  Exec("DROP TABLE cdc_ddl");
  v1::StreamBinlogRequest req;
  req.set_gtid_set(state);
  req.mutable_filter()->set_include_ddl(true);
  grpc::Status status;
  std::vector<v1::ChangeEvent> events = ReadAll(req, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(Count(events, v1::ChangeEvent::kDdl), 2);
  EXPECT_EQ(Count(events, v1::ChangeEvent::kCommit), 2);
  for (const auto& e : events) {
    if (e.has_ddl()) {
      EXPECT_EQ(e.ddl().schema(), "mysqlgw_test");
    }
  }
}

TEST_F(ChangeStreamTest, Errors) {
  grpc::Status status;
  v1::StreamBinlogRequest bad_token;
  bad_token.set_resume_token("not-a-token");
  ReadAll(bad_token, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::StreamBinlogRequest gone;
  gone.mutable_position()->set_file("mysql-bin.999999");
  gone.mutable_position()->set_position(4);
  ReadAll(gone, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_NE(status.error_message().find("oldest available is mysql-bin.000001:4"),
            std::string::npos)
      << status.error_message();

  v1::StreamBinlogRequest ok;
  ok.set_now(true);
  ReadAll(ok, &status, kNoBinlogToken);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// A subscriber that stops reading must not make the gateway buffer the
// binlog: it reads on only once gRPC took the previous batch, so its memory
// stays at a few batches however much the server has to send.
TEST_F(ChangeStreamTest, StalledSubscriberKeepsGatewayMemoryBounded) {
  Exec("CREATE TABLE IF NOT EXISTS cdc_stall (id INT PRIMARY KEY, pad VARCHAR(200))");
  Exec("DELETE FROM cdc_stall");
  const std::string state = CurrentGtidState();
  // About 60 MB of row events in 12 transactions.
  for (int i = 0; i < 12; ++i) {
    Exec(absl::StrCat("INSERT INTO cdc_stall SELECT seq, REPEAT('p', 200) FROM seq_",
                      i * 20000 + 1, "_to_", (i + 1) * 20000));
  }
  auto stub = v1::ChangeStream::NewStub(Channel());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  v1::StreamBinlogRequest req;
  req.set_gtid_set(state);
  req.set_mode(v1::StreamBinlogRequest::MODE_UNTIL_NOW);
  req.mutable_filter()->add_include_tables("mysqlgw_test.cdc_stall");
  auto reader = stub->StreamBinlog(&ctx, req);
  v1::StreamBinlogResponse resp;
  ASSERT_TRUE(reader->Read(&resp));
  absl::StatusOr<size_t> before = gateway_->ResidentBytes();
  ASSERT_TRUE(before.ok()) << before.status();
  // Stalled: the gateway has 60 MB to send and nobody reads.
  size_t peak = *before;
  for (int i = 0; i < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    absl::StatusOr<size_t> now = gateway_->ResidentBytes();
    ASSERT_TRUE(now.ok());
    peak = std::max(peak, *now);
  }
  std::printf("stalled subscriber: gateway RSS %zu -> peak %zu bytes\n", *before, peak);
  EXPECT_LT(peak, *before + 32 * 1024 * 1024)
      << "gateway RSS grew from " << *before << " to " << peak << " bytes while stalled";
  // Then every row arrives, once.
  int64_t inserts = 0;
  for (const auto& e : resp.events()) inserts += e.has_row();
  while (reader->Read(&resp)) {
    for (const auto& e : resp.events()) inserts += e.has_row();
  }
  grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(inserts, 240000);
}

}  // namespace
}  // namespace mysqlgw
