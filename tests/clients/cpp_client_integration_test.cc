// The C++ client library end to end: the real gateway binary in front of a
// sandbox MariaDB, over real gRPC (plaintext, TLS and mTLS).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cpp/client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/clients/live_gateway.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw::client {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::mysqlgw::testing::GatewayProcess;
using ::testing::HasSubstr;

class ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<const mysqlgw::testing::ServerInfo*> server = mysqlgw::testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    auto gw = mysqlgw::testing::StartClientTestGateway(*server_);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
  }
  static void TearDownTestSuite() {
    if (gateway_ != nullptr) {
      auto code = gateway_->Stop();
      EXPECT_TRUE(code.ok() && *code == 0) << gateway_->Log();
      delete gateway_;
      gateway_ = nullptr;
    }
  }

  static Client Connect(const char* token = mysqlgw::testing::kAppToken) {
    ClientOptions options;
    options.token = token;
    absl::StatusOr<Client> client = Client::Connect(gateway_->address(), options);
    EXPECT_TRUE(client.ok()) << client.status();
    return *std::move(client);
  }

  static void MustExecute(const Client& db, const std::string& sql) {
    absl::StatusOr<v1::StatementOutcome> out = db.Execute(sql);
    ASSERT_TRUE(out.ok()) << sql << ": " << out.status();
  }

  static int64_t Count(const Client& db, const std::string& table) {
    absl::StatusOr<QueryResult> r = db.Query(absl::StrCat("SELECT COUNT(*) FROM ", table));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return -1;
    return *AsInt64(*r->Scalar());
  }

  static const mysqlgw::testing::ServerInfo* server_;
  static GatewayProcess* gateway_;
};

const mysqlgw::testing::ServerInfo* ClientTest::server_ = nullptr;
GatewayProcess* ClientTest::gateway_ = nullptr;

struct KindCase {
  const char* column;  // Column of cppc_kinds that stores it.
  v1::Value value;
};

// One value of every kind, at the edges where a client could lose something.
std::vector<KindCase> EveryKind() {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  return {
      {"i", Param::Int(INT64_MIN)},
      {"i", Param::Int(INT64_MAX)},
      {"u", Param::Uint(UINT64_MAX)},
      {"dbl", Param::Double(0.1)},
      {"dbl", Param::Double(-1.7976931348623157e308)},
      {"f", Param::Float(0.5f)},
      {"f", Param::Float(-3.25e10f)},
      {"dm", Param::Decimal("-12345678901234.5678")},
      {"dm", Param::Decimal("0.0100")},
      {"s", Param::String("O'Brien \\ \"q\" -- ; héllo 日本 \xf0\x9f\x98\x80")},
      {"s", Param::String("")},
      {"b", Param::Bytes(all_bytes)},
      {"b", Param::Bytes("")},
      {"d", Param::Date(2024, 2, 29)},
      {"d", Param::Date(0, 0, 0)},
      {"dt", Param::DateTime(9999, 12, 31, 23, 59, 59, 999999)},
      {"dt", Param::DateTime(2024, 1, 2, 3, 4, 5, 0)},
      {"t", Param::Time(838, 59, 59, 0, /*negative=*/true)},
      {"t", Param::Time(100, 0, 0, 123456)},
      {"t", Param::Time(0, 0, 0)},
      {"n", Param::Null()},
  };
}

TEST_F(ClientTest, EveryValueKindRoundTrips) {
  Client db = Connect();
  MustExecute(db,
              "CREATE TABLE IF NOT EXISTS cppc_kinds (id INT PRIMARY KEY, i BIGINT, "
              "u BIGINT UNSIGNED, dbl DOUBLE, f FLOAT, dm DECIMAL(30,4), "
              "s VARCHAR(100) CHARACTER SET utf8mb4, b VARBINARY(300), d DATE, dt DATETIME(6), "
              "t TIME(6), j JSON, n INT)");
  MustExecute(db, "DELETE FROM cppc_kinds");
  int id = 0;
  for (v1::ParameterMode mode : {v1::PARAMETER_MODE_PREPARED, v1::PARAMETER_MODE_INTERPOLATED}) {
    CallOptions options;
    options.parameter_mode = mode;
    for (const KindCase& c : EveryKind()) {
      ++id;
      SCOPED_TRACE(absl::StrCat("mode ", mode, ", ", c.column, " = ", c.value.ShortDebugString()));
      absl::StatusOr<v1::StatementOutcome> inserted =
          db.Execute(absl::StrCat("INSERT INTO cppc_kinds (id, ", c.column, ") VALUES (?, ?)"),
                     {Param::Int(id), c.value}, options);
      ASSERT_TRUE(inserted.ok()) << inserted.status();
      EXPECT_EQ(inserted->affected_rows(), 1u);
      absl::StatusOr<QueryResult> back =
          db.Query(absl::StrCat("SELECT ", c.column, " FROM cppc_kinds WHERE id = :id"),
                   Params::Named({{"id", Param::Int(id)}}), options);
      ASSERT_TRUE(back.ok()) << back.status();
      absl::StatusOr<v1::Value> got = back->Scalar();
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_TRUE(MessageDifferencer::Equals(*got, c.value)) << "got " << got->ShortDebugString();
    }
  }
  // JSON: MariaDB stores it as LONGTEXT, so the document comes back as a
  // string (value.proto); MySQL would send `json`.
  ASSERT_TRUE(db.Execute("INSERT INTO cppc_kinds (id, j) VALUES (?, ?)",
                         {Param::Int(1000), Param::Json("{\"a\": [1, \"x\"]}")})
                  .ok());
  absl::StatusOr<QueryResult> json = db.Query("SELECT j FROM cppc_kinds WHERE id = 1000");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*AsString(*json->Scalar()), "{\"a\": [1, \"x\"]}");
}

TEST_F(ClientTest, QueryResultsColumnsAndAccessors) {
  Client db = Connect();
  absl::StatusOr<QueryResult> r = db.Query(
      "SELECT CAST(18446744073709551615 AS UNSIGNED) AS u, CAST('-1.50' AS DECIMAL(5,2)) AS d, "
      "? AS p, NULL AS n",
      {Param::String("x")});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->results.size(), 1u);
  const ResultSet& set = r->first();
  EXPECT_EQ(set.ColumnNames(), (std::vector<std::string>{"u", "d", "p", "n"}));
  EXPECT_EQ(set.columns[0].type_name(), "BIGINT UNSIGNED");
  EXPECT_TRUE(set.columns[0].unsigned_());
  EXPECT_EQ(set.columns[1].type(), v1::COLUMN_TYPE_NEWDECIMAL);
  EXPECT_EQ(*AsUint64(*set.Get(0, "u")), UINT64_MAX);
  EXPECT_EQ(AsInt64(*set.Get(0, "u")).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(*AsString(*set.Get(0, "d")), "-1.50");
  EXPECT_EQ(*AsString(*set.Get(0, "p")), "x");
  EXPECT_TRUE(IsNull(*set.Get(0, "n")));
  EXPECT_EQ(FormatValue(*set.Get(0, "d"), set.columns[1]), "-1.50");

  // Several statements: one result each.
  absl::StatusOr<QueryResult> multi = db.Query("SELECT 1 AS a; SELECT 2 AS b, 3 AS c");
  ASSERT_TRUE(multi.ok()) << multi.status();
  ASSERT_EQ(multi->results.size(), 2u);
  EXPECT_EQ(multi->results[1].columns.size(), 2u);
  EXPECT_EQ(*AsInt64(*multi->results[1].Get(0, "c")), 3);
}

TEST_F(ClientTest, ExecuteReportsOutcome) {
  Client db = Connect();
  MustExecute(db,
              "CREATE TABLE IF NOT EXISTS cppc_exec (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  absl::StatusOr<v1::StatementOutcome> out =
      db.Execute("INSERT INTO cppc_exec (v) VALUES (?), (?), (?)",
                 {Param::Int(1), Param::Int(2), Param::Int(3)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->affected_rows(), 3u);
  EXPECT_GT(out->last_insert_id(), 0u);
  EXPECT_THAT(out->info(), HasSubstr("Records: 3"));
}

TEST_F(ClientTest, StreamsOneHundredThousandRowsWithoutBuffering) {
  Client db = Connect();
  // Buffered, the same result is refused (max_rows 5000 in this config).
  absl::StatusOr<QueryResult> buffered = db.Query("SELECT seq FROM seq_1_to_100000");
  EXPECT_EQ(buffered.status().code(), absl::StatusCode::kResourceExhausted);

  // The last row takes 2 s to produce: rows must reach the callback long
  // before the statement ends, which a buffering client could not do.
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration first_row{};
  uint64_t rows = 0, sum = 0, footer_rows = 0;
  int headers = 0, footers = 0;
  std::vector<v1::Column> columns;
  absl::Status s = db.Stream(
      "SELECT seq, REPEAT('x', 100) AS pad, IF(seq = 100000, SLEEP(2), 0) AS slow "
      "FROM seq_1_to_100000",
      {}, {},
      [&](const v1::Row& row) {
        if (rows == 0) first_row = std::chrono::steady_clock::now() - start;
        ++rows;
        sum += row.values(0).uint64();
        return row.values(1).string().size() == 100 ? absl::OkStatus()
                                                    : absl::InternalError("bad row");
      },
      [&](const std::vector<v1::Column>& c) {
        ++headers;
        columns = c;
      },
      [&](const v1::StreamQueryResponse::Footer& footer) {
        ++footers;
        footer_rows = footer.row_count();
      });
  const auto total = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(rows, 100000u);
  EXPECT_EQ(sum, 5000050000ull);
  EXPECT_EQ(headers, 1);
  EXPECT_EQ(footers, 1);
  EXPECT_EQ(footer_rows, 100000u);
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[1].name(), "pad");
  EXPECT_GE(total, std::chrono::seconds(2));
  EXPECT_LT(first_row, std::chrono::milliseconds(1500))
      << "first row after "
      << std::chrono::duration_cast<std::chrono::milliseconds>(first_row).count() << " ms of "
      << std::chrono::duration_cast<std::chrono::milliseconds>(total).count();
}

TEST_F(ClientTest, StreamStopsWhenTheCallbackFails) {
  Client db = Connect();
  const auto start = std::chrono::steady_clock::now();
  uint64_t rows = 0;
  absl::Status s = db.Stream("SELECT seq FROM seq_1_to_100000000", {}, {}, [&](const v1::Row&) {
    return ++rows == 1000 ? absl::CancelledError("enough") : absl::OkStatus();
  });
  EXPECT_EQ(s, absl::CancelledError("enough"));
  EXPECT_EQ(rows, 1000u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  // The gateway is still fine (the statement was killed, not left running).
  absl::StatusOr<QueryResult> r = db.Query("SELECT 1");
  ASSERT_TRUE(r.ok()) << r.status();
}

TEST_F(ClientTest, StreamInsideATransactionAndStatementsWithoutRows) {
  Client db = Connect();
  MustExecute(db, "CREATE TABLE IF NOT EXISTS cppc_stream_tx (id INT PRIMARY KEY)");
  MustExecute(db, "DELETE FROM cppc_stream_tx");
  absl::StatusOr<Transaction> tx = db.Begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  ASSERT_TRUE(tx->Execute("INSERT INTO cppc_stream_tx VALUES (1), (2)").ok());
  uint64_t rows = 0;
  std::vector<uint64_t> affected;
  absl::Status s = tx->Stream(
      "SELECT id FROM cppc_stream_tx; DELETE FROM cppc_stream_tx WHERE id = 1", {}, {},
      [&](const v1::Row&) {
        ++rows;
        return absl::OkStatus();
      },
      nullptr,
      [&](const v1::StreamQueryResponse::Footer& f) {
        affected.push_back(f.outcome().affected_rows());
      });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(rows, 2u);  // Its own uncommitted rows.
  EXPECT_EQ(affected, (std::vector<uint64_t>{0, 1}));
  ASSERT_TRUE(tx->Rollback().ok());
}

TEST_F(ClientTest, TransactionRollsBackWhenDestroyedAndCommitsWhenAsked) {
  Client db = Connect();
  MustExecute(db, "CREATE TABLE IF NOT EXISTS cppc_tx (id INT PRIMARY KEY)");
  MustExecute(db, "DELETE FROM cppc_tx");
  {
    absl::StatusOr<Transaction> tx = db.Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    EXPECT_TRUE(tx->active());
    EXPECT_FALSE(tx->id().empty());
    ASSERT_TRUE(tx->Execute("INSERT INTO cppc_tx VALUES (1)").ok());
    absl::StatusOr<QueryResult> inside = tx->Query("SELECT COUNT(*) FROM cppc_tx");
    ASSERT_TRUE(inside.ok()) << inside.status();
    EXPECT_EQ(*AsInt64(*inside->Scalar()), 1);  // Visible inside...
    EXPECT_EQ(Count(db, "cppc_tx"), 0);         // ...not outside.
  }                                             // Destroyed without Commit: rolled back.
  EXPECT_EQ(Count(db, "cppc_tx"), 0);
  // Rolled back now, not at the idle timeout (60 s): its row lock is gone,
  // so the same key inserts at once instead of waiting for the lock.
  CallOptions quick;
  quick.timeout = absl::Seconds(5);
  absl::StatusOr<v1::StatementOutcome> same_key =
      db.Execute("INSERT INTO cppc_tx VALUES (1)", {}, quick);
  ASSERT_TRUE(same_key.ok()) << same_key.status();
  MustExecute(db, "DELETE FROM cppc_tx");

  absl::StatusOr<Transaction> tx = db.Begin(v1::ISOLATION_LEVEL_READ_COMMITTED);
  ASSERT_TRUE(tx.ok()) << tx.status();
  ASSERT_TRUE(
      tx->ExecuteBatch("INSERT INTO cppc_tx VALUES (?)", {{Param::Int(2)}, {Param::Int(3)}}).ok());
  EXPECT_EQ(Count(db, "cppc_tx"), 0);
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_FALSE(tx->active());
  EXPECT_EQ(Count(db, "cppc_tx"), 2);
  EXPECT_EQ(tx->Commit().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(tx->Rollback().code(), absl::StatusCode::kFailedPrecondition);
  // The gateway forgot the transaction: calls with its id fail.
  EXPECT_EQ(tx->Execute("INSERT INTO cppc_tx VALUES (9)").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ClientTest, TransactionExplicitRollbackMovesAndOptions) {
  Client db = Connect();
  MustExecute(db, "CREATE TABLE IF NOT EXISTS cppc_tx2 (id INT PRIMARY KEY)");
  MustExecute(db, "DELETE FROM cppc_tx2");
  absl::StatusOr<Transaction> begun = db.Begin();
  ASSERT_TRUE(begun.ok()) << begun.status();
  Transaction tx = *std::move(begun);
  ASSERT_TRUE(tx.Execute("INSERT INTO cppc_tx2 VALUES (1)").ok());
  Transaction moved = std::move(tx);
  EXPECT_FALSE(tx.active());  // NOLINT(bugprone-use-after-move): checking the moved-from state.
  EXPECT_EQ(tx.Query("SELECT 1").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(moved.active());
  ASSERT_TRUE(moved.Rollback().ok());
  EXPECT_FALSE(moved.active());
  EXPECT_EQ(Count(db, "cppc_tx2"), 0);

  // Read-only reaches the server (with an isolation level, which MariaDB
  // does not expose for the current transaction).
  absl::StatusOr<Transaction> ro = db.Begin(v1::ISOLATION_LEVEL_SERIALIZABLE, /*read_only=*/true);
  ASSERT_TRUE(ro.ok()) << ro.status();
  absl::Status denied = ro->Execute("INSERT INTO cppc_tx2 VALUES (5)").status();
  ASSERT_TRUE(MySqlErrorOf(denied).has_value()) << denied;
  EXPECT_EQ(MySqlErrorOf(denied)->code(), 1792u);  // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
}

TEST_F(ClientTest, ErrorsCarryTheMySqlError) {
  Client db = Connect();
  MustExecute(db, "CREATE TABLE IF NOT EXISTS cppc_dup (id INT PRIMARY KEY)");
  MustExecute(db, "REPLACE INTO cppc_dup VALUES (1)");
  absl::Status dup = db.Execute("INSERT INTO cppc_dup VALUES (?)", {Param::Int(1)}).status();
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;
  std::optional<v1::MySqlError> e = MySqlErrorOf(dup);
  ASSERT_TRUE(e.has_value()) << dup;
  EXPECT_EQ(e->code(), 1062u);
  EXPECT_EQ(e->sql_state(), "23000");
  EXPECT_EQ(e->message(), "Duplicate entry '1' for key 'PRIMARY'");
  EXPECT_THAT(std::string(dup.message()), HasSubstr("Duplicate entry"));
  EXPECT_EQ(FormatError(dup), "ERROR 1062 (23000): Duplicate entry '1' for key 'PRIMARY'");

  absl::Status syntax = db.Query("SELECT FROM WHERE").status();
  EXPECT_EQ(syntax.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MySqlErrorOf(syntax)->code(), 1064u);
  EXPECT_EQ(MySqlErrorOf(syntax)->sql_state(), "42000");

  absl::Status missing = db.Query("SELECT * FROM cppc_no_such_table").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(MySqlErrorOf(missing)->code(), 1146u);
  EXPECT_EQ(MySqlErrorOf(missing)->sql_state(), "42S02");

  // Gateway errors: the code and message, no MySqlError.
  Client reader = Connect(mysqlgw::testing::kReaderToken);
  absl::Status denied = reader.Execute("DELETE FROM cppc_dup").status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(MySqlErrorOf(denied).has_value());
  Client stranger = Connect("not-a-token");
  absl::Status unauthenticated = stranger.Query("SELECT 1").status();
  EXPECT_EQ(unauthenticated.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(FormatError(unauthenticated), HasSubstr("ERROR (UNAUTHENTICATED): "));
}

TEST_F(ClientTest, BatchesReportEachItem) {
  Client db = Connect();
  MustExecute(db, "CREATE TABLE IF NOT EXISTS cppc_batch (id INT PRIMARY KEY, v VARCHAR(10))");
  MustExecute(db, "DELETE FROM cppc_batch");
  absl::StatusOr<std::vector<v1::BatchItemResult>> items = db.ExecuteBatch(
      "INSERT INTO cppc_batch VALUES (?, ?)", {{Param::Int(1), Param::String("a")},
                                               {Param::Int(1), Param::String("b")},
                                               {Param::Int(2), Param::String("c")}});
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 3u);
  EXPECT_TRUE(BatchItemStatus((*items)[0]).ok());
  EXPECT_EQ(MySqlErrorOf(BatchItemStatus((*items)[1]))->code(), 1062u);
  EXPECT_EQ(BatchItemStatus((*items)[2]).code(), absl::StatusCode::kAborted);  // Skipped.

  absl::StatusOr<std::vector<v1::BatchItemResult>> statements = db.ExecuteStatements(
      {{"INSERT INTO cppc_batch VALUES (?, 'x')", {Param::Int(3)}},
       {"INSERT INTO cppc_batch VALUES (3, 'dup')", {}},
       {"UPDATE cppc_batch SET v = 'y' WHERE id >= :min", Params::Named({{"min", Param::Int(2)}})}},
      {}, /*stop_on_error=*/false);
  ASSERT_TRUE(statements.ok()) << statements.status();
  ASSERT_EQ(statements->size(), 3u);
  EXPECT_EQ((*statements)[0].outcome().affected_rows(), 1u);
  EXPECT_EQ((*statements)[1].error().code(), 1062u);
  EXPECT_EQ((*statements)[2].outcome().affected_rows(), 1u);
  EXPECT_EQ(Count(db, "cppc_batch"), 2);
}

TEST_F(ClientTest, DeadlinesAndStatementTimeouts) {
  Client db = Connect();
  CallOptions deadline;
  deadline.timeout = absl::Milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(db.Query("SELECT SLEEP(5)", {}, deadline).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  CallOptions statement;
  statement.statement_timeout = absl::Milliseconds(300);
  EXPECT_EQ(db.Query("SELECT SLEEP(5)", {}, statement).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  // The client-wide default applies to calls that set none.
  ClientOptions options;
  options.token = mysqlgw::testing::kAppToken;
  options.default_timeout = absl::Milliseconds(300);
  absl::StatusOr<Client> hurried = Client::Connect(gateway_->address(), options);
  ASSERT_TRUE(hurried.ok()) << hurried.status();
  EXPECT_EQ(hurried->Query("SELECT SLEEP(5)").status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(6));
}

TEST_F(ClientTest, ConnectFailsFastOnAClosedPort) {
  ClientOptions options;
  options.connect_timeout = absl::Seconds(5);
  absl::StatusOr<Client> client = Client::Connect("127.0.0.1:1", options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  // Lazy: no wait, the first call fails instead.
  options.connect_timeout = absl::ZeroDuration();
  absl::StatusOr<Client> lazy = Client::Connect("127.0.0.1:1", options);
  ASSERT_TRUE(lazy.ok());
  CallOptions quick;
  quick.timeout = absl::Seconds(5);
  EXPECT_EQ(lazy->Query("SELECT 1", {}, quick).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ClientTest, ManyThreadsShareOneClient) {
  Client db = Connect();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 10; ++k) {
        absl::StatusOr<QueryResult> r = db.Query("SELECT ? + 0", {Param::Int(t * 100 + k)});
        if (r.ok() && *AsInt64(*r->Scalar()) == t * 100 + k) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, 160);
}

// --- TLS -------------------------------------------------------------------

// Certificates made with the openssl tool: a CA, a server certificate for
// 127.0.0.1/localhost, a client certificate, and an unrelated CA.
class Pki {
 public:
  static absl::StatusOr<Pki> Create() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    Pki pki;
    pki.dir_ = absl::StrCat(tmp ? tmp : "/tmp", "/cpp-client-pki");
    std::vector<std::vector<std::string>> steps;
    const std::string d = pki.dir_;
    std::ofstream(d + ".server.ext") << "basicConstraints=CA:FALSE\n"
                                        "extendedKeyUsage=serverAuth\n"
                                        "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    std::ofstream(d + ".client.ext") << "basicConstraints=CA:FALSE\n"
                                        "extendedKeyUsage=clientAuth\n";
    auto ec_key = [](const std::string& key) {
      return std::vector<std::string>{
          "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key};
    };
    auto self_signed = [&](const std::string& name, const std::string& cn) {
      std::vector<std::string> argv = {"openssl",
                                       "req",
                                       "-x509",
                                       "-days",
                                       "2",
                                       "-subj",
                                       "/CN=" + cn,
                                       "-addext",
                                       "basicConstraints=critical,CA:TRUE",
                                       "-addext",
                                       "keyUsage=critical,keyCertSign,cRLSign",
                                       "-out",
                                       d + "." + name + ".pem"};
      for (auto& a : ec_key(d + "." + name + ".key")) argv.push_back(a);
      return argv;
    };
    auto signed_by_ca = [&](const std::string& name, const std::string& cn) {
      std::vector<std::string> csr = {"openssl",   "req",  "-subj",
                                      "/CN=" + cn, "-out", d + "." + name + ".csr"};
      for (auto& a : ec_key(d + "." + name + ".key")) csr.push_back(a);
      steps.push_back(csr);
      steps.push_back({"openssl", "x509", "-req", "-days", "2", "-in", d + "." + name + ".csr",
                       "-CA", d + ".ca.pem", "-CAkey", d + ".ca.key", "-set_serial",
                       name == "server" ? "1" : "2", "-extfile", d + "." + name + ".ext", "-out",
                       d + "." + name + ".pem"});
    };
    steps.push_back(self_signed("ca", "mysqlgw client test CA"));
    steps.push_back(self_signed("wrongca", "unrelated CA"));
    signed_by_ca("server", "localhost");
    signed_by_ca("client", "test client");
    for (const auto& argv : steps) {
      absl::StatusOr<std::string> out = mysqlgw::testing::RunCommand(argv);
      if (!out.ok()) return out.status();
    }
    return pki;
  }
  std::string File(const std::string& name) const { return dir_ + "." + name; }

 private:
  std::string dir_;
};

TEST_F(ClientTest, TlsAndMutualTls) {
  absl::StatusOr<Pki> pki = Pki::Create();
  ASSERT_TRUE(pki.ok()) << pki.status();
  mysqlgw::testing::GatewayTls tls{pki->File("server.pem"), pki->File("server.key"),
                                   pki->File("ca.pem")};
  auto gw = mysqlgw::testing::StartClientTestGateway(*server_, &tls);
  ASSERT_TRUE(gw.ok()) << gw.status();

  ClientOptions options;
  options.token = mysqlgw::testing::kAppToken;
  options.connect_timeout = absl::Seconds(10);
  options.tls =
      TlsOptions{pki->File("ca.pem"), pki->File("client.pem"), pki->File("client.key"), ""};
  absl::StatusOr<Client> mtls = Client::Connect((*gw)->address(), options);
  ASSERT_TRUE(mtls.ok()) << mtls.status() << "\n" << (*gw)->Log();
  absl::StatusOr<QueryResult> r = mtls->Query("SELECT 42");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*AsInt64(*r->Scalar()), 42);

  // The certificate names localhost too.
  options.tls->server_name_override = "localhost";
  EXPECT_TRUE(Client::Connect((*gw)->address(), options).ok());
  options.tls->server_name_override = "";

  TlsOptions no_client_cert{pki->File("ca.pem"), "", "", ""};
  options.tls = no_client_cert;
  EXPECT_EQ(Client::Connect((*gw)->address(), options).status().code(),
            absl::StatusCode::kUnavailable);

  options.tls =
      TlsOptions{pki->File("wrongca.pem"), pki->File("client.pem"), pki->File("client.key"), ""};
  EXPECT_EQ(Client::Connect((*gw)->address(), options).status().code(),
            absl::StatusCode::kUnavailable);

  options.tls.reset();  // Plaintext to a TLS port.
  EXPECT_EQ(Client::Connect((*gw)->address(), options).status().code(),
            absl::StatusCode::kUnavailable);

  options.tls = TlsOptions{pki->File("ca.pem"), pki->File("client.pem"), "", ""};
  EXPECT_EQ(Client::Connect((*gw)->address(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.tls = TlsOptions{"/nonexistent/ca.pem", "", "", ""};
  EXPECT_EQ(Client::Connect((*gw)->address(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mysqlgw::client
