// The gateway end to end: the real mysqlgw binary, real gRPC over loopback,
// a real MariaDB sandbox behind it.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/status.pb.h"
#include "absl/strings/ascii.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"
#include "tests/support/grpc_test_util.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::Sha256Hex;

constexpr char kAppToken[] = "app-token-0123456789";
constexpr char kReaderToken[] = "reader-token-0123456789";

std::string Config(const testing::ServerInfo& s, int max_open = 8, int max_waiters = 400) {
  return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
  max_request_bytes: 1048576
io_threads: 2
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/mysqlgw_test?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
    pool:
      max_open: MAX_OPEN
      max_waiters: MAX_WAITERS
limits:
  default_max_rows: 5000
  stream_chunk_bytes: 65536
transactions:
  default_idle_timeout: "1s"
auth:
  principals:
    - name: app
      token_sha256: ["APP_HASH"]
      databases: ["*"]
      operations: [read, write, ddl]
    - name: reader
      token_sha256: ["READER_HASH"]
      databases: ["mysqlgw_test"]
      operations: [read]
)",
                             {{"USER", s.user},
                              {"PORT", std::to_string(s.port)},
                              {"MAX_OPEN", std::to_string(max_open)},
                              {"MAX_WAITERS", std::to_string(max_waiters)},
                              {"APP_HASH", Sha256Hex(kAppToken)},
                              {"READER_HASH", Sha256Hex(kReaderToken)}});
}

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    testing::GatewayProcessOptions options;
    options.config_yaml = Config(*server_);
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", server_->password}};
    auto gw = GatewayProcess::Start(options);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
    channel_ = new std::shared_ptr<grpc::Channel>(
        grpc::CreateChannel(gateway_->address(), grpc::InsecureChannelCredentials()));
  }
  static void TearDownTestSuite() {
    delete channel_;
    if (gateway_ != nullptr) {
      auto code = gateway_->Stop();
      EXPECT_TRUE(code.ok() && *code == 0) << gateway_->Log();
      delete gateway_;
    }
  }

  std::unique_ptr<v1::Gateway::Stub> Stub() { return v1::Gateway::NewStub(*channel_); }
  static void Auth(grpc::ClientContext* ctx, const char* token = kAppToken) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }

  v1::QueryResponse MustQuery(const std::string& sql, const char* token = kAppToken) {
    grpc::ClientContext ctx;
    Auth(&ctx, token);
    v1::QueryRequest req;
    req.set_sql(sql);
    v1::QueryResponse resp;
    grpc::Status s = Stub()->Query(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << sql << ": " << s.error_code() << " " << s.error_message();
    return resp;
  }
  v1::StatementOutcome MustExecute(const std::string& sql, const char* token = kAppToken) {
    grpc::ClientContext ctx;
    Auth(&ctx, token);
    v1::ExecuteRequest req;
    req.set_sql(sql);
    v1::ExecuteResponse resp;
    grpc::Status s = Stub()->Execute(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << sql << ": " << s.error_code() << " " << s.error_message();
    return resp.outcome();
  }

  static const testing::ServerInfo* server_;
  static GatewayProcess* gateway_;
  static std::shared_ptr<grpc::Channel>* channel_;
};

const testing::ServerInfo* GatewayTest::server_ = nullptr;
GatewayProcess* GatewayTest::gateway_ = nullptr;
std::shared_ptr<grpc::Channel>* GatewayTest::channel_ = nullptr;

using testing::DetailOf;

TEST_F(GatewayTest, QueryReturnsTypedValues) {
  auto resp = MustQuery(
      "SELECT 1 AS i, CAST(18446744073709551615 AS UNSIGNED) AS u, "
      "CAST('-12.340' AS DECIMAL(10,3)) AS d, 'héllo' AS s, x'00ff' AS b, "
      "DATE '2024-02-29' AS dt, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, "
      "TIME '-100:00:00' AS tm, NULL AS n, 2.5e0 AS f");
  ASSERT_EQ(resp.results_size(), 1);
  const auto& rs = resp.results(0);
  ASSERT_EQ(rs.columns_size(), 10);
  EXPECT_EQ(rs.columns(0).name(), "i");
  EXPECT_EQ(rs.columns(1).type_name(), "BIGINT UNSIGNED");
  ASSERT_EQ(rs.rows_size(), 1);
  const auto& v = rs.rows(0).values();
  EXPECT_EQ(v[0].int64(), 1);
  EXPECT_EQ(v[1].uint64(), 18446744073709551615ull);
  EXPECT_EQ(v[2].decimal(), "-12.340");
  EXPECT_EQ(v[3].string(), "héllo");
  EXPECT_EQ(v[4].bytes(), std::string("\x00\xff", 2));
  EXPECT_EQ(v[5].date().year(), 2024u);
  EXPECT_EQ(v[5].date().day(), 29u);
  EXPECT_EQ(v[6].datetime().microsecond(), 123456u);
  EXPECT_TRUE(v[7].time().negative());
  EXPECT_EQ(v[7].time().hours(), 100u);
  EXPECT_EQ(v[8].kind_case(), v1::Value::kNull);
  EXPECT_EQ(v[9].double_(), 2.5);
}

TEST_F(GatewayTest, ParametersPositionalNamedAndInterpolated) {
  MustExecute("CREATE TABLE IF NOT EXISTS params_t (id INT PRIMARY KEY, name VARCHAR(50), "
              "amount DECIMAL(20,4), at DATETIME(6))");
  MustExecute("DELETE FROM params_t");
  {
    grpc::ClientContext ctx;
    Auth(&ctx);
    v1::ExecuteRequest req;
    req.set_sql("INSERT INTO params_t VALUES (?, ?, ?, ?)");
    req.add_params()->set_int64(1);
    req.add_params()->set_string("O'Brien \\ \"quoted\" -- not a comment");
    req.add_params()->set_decimal("12345678901234.5678");
    auto* dt = req.add_params()->mutable_datetime();
    dt->set_year(2024);
    dt->set_month(12);
    dt->set_day(31);
    dt->set_hour(23);
    dt->set_minute(59);
    dt->set_second(59);
    dt->set_microsecond(999999);
    v1::ExecuteResponse resp;
    ASSERT_TRUE(Stub()->Execute(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.outcome().affected_rows(), 1u);
  }
  {
    grpc::ClientContext ctx;
    Auth(&ctx);
    v1::QueryRequest req;
    req.set_sql("SELECT name, amount, at FROM params_t WHERE id = :id AND name = :name");
    (*req.mutable_named_params())["id"].set_int64(1);
    (*req.mutable_named_params())["name"].set_string("O'Brien \\ \"quoted\" -- not a comment");
    v1::QueryResponse resp;
    ASSERT_TRUE(Stub()->Query(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.results(0).rows_size(), 1);
    EXPECT_EQ(resp.results(0).rows(0).values(1).decimal(), "12345678901234.5678");
    EXPECT_EQ(resp.results(0).rows(0).values(2).datetime().microsecond(), 999999u);
  }
  {
    // Interpolated mode: the same injection attempt stays a literal.
    grpc::ClientContext ctx;
    Auth(&ctx);
    v1::QueryRequest req;
    req.set_sql("SELECT COUNT(*) FROM params_t WHERE name = ?");
    req.add_params()->set_string("x' OR '1'='1");
    req.mutable_options()->set_parameter_mode(v1::PARAMETER_MODE_INTERPOLATED);
    v1::QueryResponse resp;
    ASSERT_TRUE(Stub()->Query(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.results(0).rows(0).values(0).int64(), 0);
  }
}

TEST_F(GatewayTest, ExecuteReportsOutcome) {
  MustExecute("CREATE TABLE IF NOT EXISTS exec_t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  auto out = MustExecute("INSERT INTO exec_t (v) VALUES (1), (2), (3)");
  EXPECT_EQ(out.affected_rows(), 3u);
  EXPECT_GT(out.last_insert_id(), 0u);
  EXPECT_NE(out.info().find("Records: 3"), std::string::npos);
}

TEST_F(GatewayTest, ErrorsCarryMySqlDetails) {
  MustExecute("CREATE TABLE IF NOT EXISTS dup_t (id INT PRIMARY KEY)");
  MustExecute("REPLACE INTO dup_t VALUES (1)");
  grpc::ClientContext ctx;
  Auth(&ctx);
  v1::ExecuteRequest req;
  req.set_sql("INSERT INTO dup_t VALUES (1)");
  v1::ExecuteResponse resp;
  grpc::Status s = Stub()->Execute(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
  v1::MySqlError e = DetailOf(s);
  EXPECT_EQ(e.code(), 1062u);
  EXPECT_EQ(e.sql_state(), "23000");

  grpc::ClientContext ctx2;
  Auth(&ctx2);
  req.set_sql("SELECT FROM WHERE");
  s = Stub()->Execute(&ctx2, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DetailOf(s).code(), 1064u);

  grpc::ClientContext ctx3;
  Auth(&ctx3);
  v1::QueryRequest q;
  q.set_sql("SELECT * FROM no_such_table_xyz");
  v1::QueryResponse qr;
  s = Stub()->Query(&ctx3, q, &qr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(DetailOf(s).code(), 1146u);

  // A misspelt statement is a syntax error for every principal, not a
  // permission error for those without the admin operation.
  for (const char* token : {kAppToken, kReaderToken}) {
    grpc::ClientContext ctx4;
    Auth(&ctx4, token);
    q.set_sql("SELEC 1");
    s = Stub()->Query(&ctx4, q, &qr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_EQ(DetailOf(s).code(), 1064u);
    EXPECT_EQ(DetailOf(s).sql_state(), "42000");
  }
}

TEST_F(GatewayTest, BadInputGetsExactCodes) {
  auto query = [&](v1::QueryRequest req, const char* token) {
    grpc::ClientContext ctx;
    if (token != nullptr) Auth(&ctx, token);
    v1::QueryResponse resp;
    return Stub()->Query(&ctx, req, &resp);
  };
  v1::QueryRequest empty;
  empty.set_sql("   ");
  EXPECT_EQ(query(empty, kAppToken).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::QueryRequest wrong_count;
  wrong_count.set_sql("SELECT ?, ?");
  wrong_count.add_params()->set_int64(1);
  grpc::Status s = query(wrong_count, kAppToken);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("2 placeholder"), std::string::npos) << s.error_message();

  v1::QueryRequest bad_decimal;
  bad_decimal.set_sql("SELECT ?");
  bad_decimal.add_params()->set_decimal("12abc");
  EXPECT_EQ(query(bad_decimal, kAppToken).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::QueryRequest unknown_tx;
  unknown_tx.set_sql("SELECT 1");
  unknown_tx.set_transaction_id("tx-0-00000000000000000000000000000000");
  EXPECT_EQ(query(unknown_tx, kAppToken).error_code(), grpc::StatusCode::NOT_FOUND);
  unknown_tx.set_transaction_id("garbage");
  EXPECT_EQ(query(unknown_tx, kAppToken).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::QueryRequest ok;
  ok.set_sql("SELECT 1");
  EXPECT_EQ(query(ok, nullptr).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(query(ok, "wrong-token").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(query(ok, kReaderToken).ok());

  v1::QueryRequest write;
  write.set_sql("DELETE FROM exec_t");
  EXPECT_EQ(query(write, kReaderToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::QueryRequest other_db;
  other_db.set_sql("SELECT 1");
  other_db.mutable_options()->set_database("mysql");
  EXPECT_EQ(query(other_db, kReaderToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::QueryRequest multi;
  multi.set_sql("SELECT 1; DROP TABLE exec_t");
  EXPECT_EQ(query(multi, kReaderToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::QueryRequest huge;
  huge.set_sql(absl::StrCat("SELECT '", std::string(2 * 1024 * 1024, 'x'), "'"));
  EXPECT_EQ(query(huge, kAppToken).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  v1::QueryRequest too_many_rows;
  too_many_rows.set_sql("SELECT seq FROM seq_1_to_10000");
  s = query(too_many_rows, kAppToken);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("max_rows"), std::string::npos);
}

grpc::Status RawQuery(std::shared_ptr<grpc::Channel> channel, const std::string& raw,
                      const char* token) {
  grpc::ByteBuffer request;
  grpc::Slice slice(raw);
  request = grpc::ByteBuffer(&slice, 1);
  grpc::GenericStub generic(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  grpc::ByteBuffer response;
  std::atomic<bool> done{false};
  grpc::Status status;
  generic.UnaryCall(&ctx, "/mysqlgw.v1.Gateway/Query", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      status = s;
                      done = true;
                    });
  while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return status;
}

TEST_F(GatewayTest, InvalidUtf8IsRejected) {
  // The same path with valid bytes works: "SELECT 1".
  grpc::Status valid = RawQuery(*channel_, std::string("\x0a\x08") + "SELECT 1", kAppToken);
  EXPECT_TRUE(valid.ok()) << valid.error_code() << " " << valid.error_message();
  // A hand-built request whose sql field (1) holds invalid UTF-8; no
  // generated client can send it, a hostile one can.
  grpc::Status status =
      RawQuery(*channel_, std::string("\x0a\x04") + "SEL\xff", kAppToken);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("UTF-8"), std::string::npos);
  // Bytes that are no protobuf message at all.
  grpc::Status garbage = RawQuery(*channel_, "\xff\xff\xff", kAppToken);
  EXPECT_EQ(garbage.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(MustQuery("SELECT 1").results(0).rows(0).values(0).int64(), 1);
}

TEST_F(GatewayTest, ExecuteBatch) {
  MustExecute("CREATE TABLE IF NOT EXISTS batch_t (id INT PRIMARY KEY, v VARCHAR(10))");
  MustExecute("DELETE FROM batch_t");
  grpc::ClientContext ctx;
  Auth(&ctx);
  v1::ExecuteBatchRequest req;
  req.set_sql("INSERT INTO batch_t VALUES (?, ?)");
  for (int id : {1, 2, 2, 3}) {
    auto* set = req.add_parameter_sets();
    set->add_params()->set_int64(id);
    set->add_params()->set_string(absl::StrCat("v", id));
  }
  req.set_stop_on_error(true);
  v1::ExecuteBatchResponse resp;
  ASSERT_TRUE(Stub()->ExecuteBatch(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 4);
  EXPECT_EQ(resp.results(0).outcome().affected_rows(), 1u);
  EXPECT_EQ(resp.results(1).outcome().affected_rows(), 1u);
  EXPECT_EQ(resp.results(2).error().code(), 1062u);
  EXPECT_TRUE(resp.results(3).skipped());
  EXPECT_EQ(MustQuery("SELECT COUNT(*) FROM batch_t").results(0).rows(0).values(0).int64(), 2);
}

TEST_F(GatewayTest, TransactionsCommitRollbackAndExpire) {
  MustExecute("CREATE TABLE IF NOT EXISTS tx_t (id INT PRIMARY KEY)");
  MustExecute("DELETE FROM tx_t");
  auto begin = [&](v1::BeginTransactionRequest req = {}) {
    grpc::ClientContext ctx;
    Auth(&ctx);
    v1::BeginTransactionResponse resp;
    grpc::Status s = Stub()->BeginTransaction(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.transaction_id();
  };
  auto exec_in = [&](const std::string& tx, const std::string& sql) {
    grpc::ClientContext ctx;
    Auth(&ctx);
    v1::ExecuteRequest req;
    req.set_sql(sql);
    req.set_transaction_id(tx);
    v1::ExecuteResponse resp;
    return Stub()->Execute(&ctx, req, &resp);
  };
  auto count = [&] {
    return MustQuery("SELECT COUNT(*) FROM tx_t").results(0).rows(0).values(0).int64();
  };

  std::string tx = begin();
  ASSERT_TRUE(exec_in(tx, "INSERT INTO tx_t VALUES (1)").ok());
  EXPECT_EQ(count(), 0);  // Not visible outside before commit.
  {
    grpc::ClientContext ctx;
    Auth(&ctx);
    v1::CommitRequest req;
    req.set_transaction_id(tx);
    v1::CommitResponse resp;
    ASSERT_TRUE(Stub()->Commit(&ctx, req, &resp).ok());
  }
  EXPECT_EQ(count(), 1);
  EXPECT_EQ(exec_in(tx, "INSERT INTO tx_t VALUES (9)").error_code(), grpc::StatusCode::NOT_FOUND);

  tx = begin();
  ASSERT_TRUE(exec_in(tx, "INSERT INTO tx_t VALUES (2)").ok());
  {
    grpc::ClientContext ctx;
    Auth(&ctx);
    v1::RollbackRequest req;
    req.set_transaction_id(tx);
    v1::RollbackResponse resp;
    ASSERT_TRUE(Stub()->Rollback(&ctx, req, &resp).ok());
  }
  EXPECT_EQ(count(), 1);

  // Another principal cannot see the transaction at all.
  tx = begin();
  {
    grpc::ClientContext ctx;
    Auth(&ctx, kReaderToken);
    v1::QueryRequest req;
    req.set_sql("SELECT 1");
    req.set_transaction_id(tx);
    v1::QueryResponse resp;
    EXPECT_EQ(Stub()->Query(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  // Idle timeout (1 s in this config): rolled back, then a clear ABORTED.
  ASSERT_TRUE(exec_in(tx, "INSERT INTO tx_t VALUES (3)").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  grpc::Status late = exec_in(tx, "INSERT INTO tx_t VALUES (4)");
  EXPECT_EQ(late.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(late.error_message().find("idle"), std::string::npos) << late.error_message();
  EXPECT_EQ(count(), 1);

  // Isolation and read-only options reach the server.
  v1::BeginTransactionRequest ro;
  ro.set_read_only(true);
  ro.set_isolation(v1::ISOLATION_LEVEL_SERIALIZABLE);
  tx = begin(ro);
  grpc::Status denied = exec_in(tx, "INSERT INTO tx_t VALUES (5)");
  EXPECT_FALSE(denied.ok());
  EXPECT_EQ(DetailOf(denied).code(), 1792u);  // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
}

TEST_F(GatewayTest, StreamQueryMillionRowsWithBoundedMemory) {
  auto rss_before = gateway_->ResidentBytes();
  ASSERT_TRUE(rss_before.ok());
  grpc::ClientContext ctx;
  Auth(&ctx);
  v1::QueryRequest req;
  req.set_sql("SELECT seq, REPEAT('x', 50) FROM seq_1_to_1000000");
  auto reader = Stub()->StreamQuery(&ctx, req);
  v1::StreamQueryResponse chunk;
  uint64_t rows = 0, sum = 0, chunks = 0, headers = 0, footer_rows = 0;
  size_t max_rss = 0;
  while (reader->Read(&chunk)) {
    if (chunk.has_header()) ++headers;
    if (chunk.has_rows()) {
      ++chunks;
      for (const auto& r : chunk.rows().rows()) {
        ++rows;
        sum += r.values(0).uint64();
      }
      if (chunks % 200 == 0) {
        auto rss = gateway_->ResidentBytes();
        if (rss.ok()) max_rss = std::max(max_rss, *rss);
      }
    }
    if (chunk.has_footer()) footer_rows = chunk.footer().row_count();
  }
  grpc::Status s = reader->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(headers, 1u);
  EXPECT_EQ(rows, 1000000u);
  EXPECT_EQ(footer_rows, 1000000u);
  EXPECT_EQ(sum, 500000500000ull);
  EXPECT_GT(chunks, 100u);  // Really streamed in chunks.
  // About 70 MB of row data went through; the gateway's memory grew by far
  // less than that.
  EXPECT_LT(max_rss, *rss_before + 40 * 1024 * 1024)
      << "rss before " << *rss_before << " max " << max_rss;
}

TEST_F(GatewayTest, TwoHundredConcurrentCallers) {
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 200; ++t) {
    threads.emplace_back([&, t] {
      auto stub = Stub();
      for (int k = 0; k < 5; ++k) {
        grpc::ClientContext ctx;
        Auth(&ctx);
        v1::QueryRequest req;
        req.set_sql("SELECT ? + 0");
        req.add_params()->set_int64(t * 10 + k);
        v1::QueryResponse resp;
        grpc::Status s = stub->Query(&ctx, req, &resp);
        if (s.ok() && resp.results(0).rows(0).values(0).int64() == t * 10 + k) {
          ++ok;
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  // 8 connections serve 200 callers: the others wait their turn.
  EXPECT_EQ(ok, 1000) << "failed: " << failed;
}

TEST_F(GatewayTest, PoolExhaustionIsResourceExhausted) {
  // A gateway of its own with a tiny pool: 2 connections, 8 waiters (split
  // over its 2 event loops).
  testing::GatewayProcessOptions options;
  options.config_yaml = Config(*server_, /*max_open=*/2, /*max_waiters=*/8);
  options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", server_->password}};
  auto small = GatewayProcess::Start(options);
  ASSERT_TRUE(small.ok()) << small.status();
  auto channel = grpc::CreateChannel((*small)->address(), grpc::InsecureChannelCredentials());
  std::atomic<int> ok{0}, exhausted{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 40; ++t) {
    threads.emplace_back([&] {
      grpc::ClientContext ctx;
      Auth(&ctx);
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
      v1::QueryRequest req;
      req.set_sql("SELECT SLEEP(0.3)");
      v1::QueryResponse resp;
      grpc::Status s = v1::Gateway::NewStub(channel)->Query(&ctx, req, &resp);
      if (s.ok()) {
        ++ok;
      } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        ++exhausted;
      } else {
        ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(exhausted, 0);  // 40 callers > 2 open + 8 waiting.
  EXPECT_GE(ok, 10);
  EXPECT_EQ(other, 0);
}

TEST_F(GatewayTest, CancelledSleepIsKilledOnTheServer) {
  grpc::ClientContext ctx;
  Auth(&ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  v1::QueryRequest req;
  req.set_sql("SELECT SLEEP(30) AS cancel_me");
  v1::QueryResponse resp;
  auto start = std::chrono::steady_clock::now();
  grpc::Status s = Stub()->Query(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  auto deadline_hit = std::chrono::steady_clock::now();
  EXPECT_LT(deadline_hit - start, std::chrono::seconds(2));
  // Gone from the server's process list within 1 s of the deadline.
  bool gone = false;
  while (std::chrono::steady_clock::now() - deadline_hit < std::chrono::seconds(1)) {
    auto list = testing::QueryAsRoot(
        *server_, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                  "WHERE INFO LIKE 'SELECT SLEEP(30) AS cancel_me%'");
    ASSERT_TRUE(list.ok()) << list.status();
    if (absl::StripAsciiWhitespace(*list) == "0") {
      gone = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(gone);
}

TEST_F(GatewayTest, StatementTimeoutOption) {
  grpc::ClientContext ctx;
  Auth(&ctx);
  v1::QueryRequest req;
  req.set_sql("SELECT SLEEP(10)");
  req.mutable_options()->mutable_timeout()->set_nanos(300000000);
  v1::QueryResponse resp;
  auto start = std::chrono::steady_clock::now();
  grpc::Status s = Stub()->Query(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  // The gateway stays healthy.
  EXPECT_EQ(MustQuery("SELECT 7").results(0).rows(0).values(0).int64(), 7);
}

TEST_F(GatewayTest, SessionStateDoesNotLeakBetweenCallers) {
  // Every connection of the pool gets a user variable; none may survive
  // into another call.
  for (int i = 0; i < 16; ++i) MustQuery("SET @leak = 'secret'");
  for (int i = 0; i < 32; ++i) {
    auto r = MustQuery("SELECT @leak");
    ASSERT_EQ(r.results(0).rows_size(), 1);
    EXPECT_EQ(r.results(0).rows(0).values(0).kind_case(), v1::Value::kNull);
  }
  for (int i = 0; i < 16; ++i) MustQuery("USE mysql");
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(MustQuery("SELECT DATABASE()").results(0).rows(0).values(0).string(),
              "mysqlgw_test");
  }
}

TEST_F(GatewayTest, HealthService) {
  grpc::ClientContext ctx;
  grpc::ByteBuffer req_buf, resp_buf;
  // grpc.health.v1.HealthCheckRequest{service: ""} is an empty message.
  grpc::GenericStub generic(*channel_);
  std::atomic<bool> done{false};
  grpc::Status status;
  std::string empty;
  grpc::Slice slice(empty);
  req_buf = grpc::ByteBuffer(&slice, 1);
  generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &req_buf,
                    &resp_buf, [&](grpc::Status s) {
                      status = s;
                      done = true;
                    });
  while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(resp_buf.Dump(&slices).ok());
  std::string bytes;
  for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

TEST_F(GatewayTest, ReflectionListsTheService) {
  // grpc.reflection.v1alpha.ServerReflectionRequest{list_services: "*"}
  // (field 7), over the raw bidi stream: tools like grpcurl do this.
  grpc::GenericStub generic(*channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  void* tag = nullptr;
  bool ok = false;
  auto call = generic.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::string request("\x3a\x01*", 3);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string bytes;
  for (auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  EXPECT_NE(bytes.find("mysqlgw.v1.Gateway"), std::string::npos);
  EXPECT_NE(bytes.find("grpc.health.v1.Health"), std::string::npos);
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace mysqlgw
