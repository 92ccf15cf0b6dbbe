// SQL injection through parameters: classic payloads sent as parameter
// values, through every way parameters reach the server (server-side
// prepared statements, client-side interpolation into the text protocol;
// positional `?` and named `:name`). Each value must come back byte for byte
// as data, match exactly one row when compared, and leave the table (and a
// canary table) as they were.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/security/security_fixture.h"

namespace mysqlgw::security {
namespace {

constexpr char kToken[] = "injection-token-0123456789";

// Text payloads (valid UTF-8, as proto strings must be).
std::vector<std::string> TextPayloads() {
  return {
      "1 OR 1=1",
      "' OR '1'='1",
      "x' OR 1=1 -- ",
      "'; DROP TABLE inj_t; --",
      "'); DROP TABLE inj_canary; --",
      "\\'; DROP TABLE inj_t; -- ",
      "\\",
      "\\\\'",
      "\\' OR 1=1 #",
      "\"",
      "\" OR \"\"=\"",
      "'' OR 1=1 -- ",
      std::string("a\0b' OR 1=1 -- ", 15),  // NUL inside the value
      std::string("\0", 1),
      "?",
      "? OR 1=1",
      ":v",
      ":name",
      "x = :v OR 1=1",
      "*/ OR 1=1 /*",
      "/*! OR 1=1 */",
      "\x1a' OR 1=1 -- ",
      "line\nbreak' OR 1=1 -- \r",
      "` OR 1=1 -- ",
      "%' OR '%'='",
      // U+4FFF is E4 BF BF: under gbk, BF followed by an escaping backslash
      // would read as one character (the 0xbf27 trick).
      "\xe4\xbf\xbf' OR 1=1 -- ",
      "\xc2\xbf' OR 1=1 -- ",
      "N'x' OR 1=1 -- ",
      "0x27 OR 1=1",
  };
}

// Binary payloads: bytes the text path must never see raw.
std::vector<std::string> BytePayloads() {
  return {
      std::string("\xbf\x27 OR 1=1 -- "),
      std::string("\xbf\x5c\x27 OR 1=1 -- "),
      std::string("\0\0'\0", 4),
      std::string("\xff\xfe\x27\x5c"),
  };
}

enum class Mode { kPrepared, kPreparedNamed, kInterpolated, kInterpolatedNamed };

std::string ModeName(Mode m) {
  switch (m) {
    case Mode::kPrepared:
      return "prepared";
    case Mode::kPreparedNamed:
      return "prepared-named";
    case Mode::kInterpolated:
      return "interpolated";
    case Mode::kInterpolatedNamed:
      return "interpolated-named";
  }
  return "?";
}

bool Named(Mode m) { return m == Mode::kPreparedNamed || m == Mode::kInterpolatedNamed; }

void SetMode(Mode m, v1::CallOptions* options) {
  options->set_parameter_mode(m == Mode::kInterpolated || m == Mode::kInterpolatedNamed
                                  ? v1::PARAMETER_MODE_INTERPOLATED
                                  : v1::PARAMETER_MODE_PREPARED);
}

// Binds `value` as the statement's only parameter (`?` or `:v`).
template <typename Request>
void Bind(Mode m, const std::string& positional_sql, const std::string& named_sql,
          const v1::Value& value, Request* req) {
  SetMode(m, req->mutable_options());
  if (Named(m)) {
    req->set_sql(named_sql);
    (*req->mutable_named_params())["v"] = value;
  } else {
    req->set_sql(positional_sql);
    *req->add_params() = value;
  }
}

class InjectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    GatewaySpec spec;
    spec.principals = {{"app", kToken}};
    // One connection: a session change one call leaves behind would meet
    // the next call.
    spec.max_open = 1;
    auto gw = StartGateway(*server_, spec);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = new RunningGateway(*std::move(gw));
    RootQuery(*server_,
              "DROP TABLE IF EXISTS mysqlgw_test.inj_t; DROP TABLE IF EXISTS "
              "mysqlgw_test.inj_canary;"
              "CREATE TABLE mysqlgw_test.inj_t (id INT AUTO_INCREMENT PRIMARY KEY, "
              "t TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, b BLOB);"
              "CREATE TABLE mysqlgw_test.inj_canary (id INT PRIMARY KEY);"
              "INSERT INTO mysqlgw_test.inj_canary VALUES (1), (2), (3);");
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }

  Caller caller() { return Caller(gateway_->address(), kToken); }

  // Inserts `value` into `column`, reads it back by id, compares it in a
  // WHERE clause and echoes it in a SELECT list; all through `mode`.
  void RoundTrip(Mode mode, const std::string& column, const v1::Value& value,
                 const std::string& expected) {
    SCOPED_TRACE(absl::StrCat(ModeName(mode), " ", column, " ", absl::CHexEscape(expected)));
    Caller c = caller();
    v1::ExecuteRequest insert;
    Bind(mode, absl::StrCat("INSERT INTO inj_t (", column, ") VALUES (?)"),
         absl::StrCat("INSERT INTO inj_t (", column, ") VALUES (:v)"), value, &insert);
    v1::ExecuteResponse inserted;
    grpc::Status s = c.Execute(insert, &inserted);
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    ASSERT_EQ(inserted.outcome().affected_rows(), 1u);
    const uint64_t id = inserted.outcome().last_insert_id();
    ++rows_;

    v1::QueryResponse read;
    ASSERT_TRUE(c.Query(absl::StrCat("SELECT ", column, " FROM inj_t WHERE id = ", id), &read)
                    .ok());
    ASSERT_EQ(read.results(0).rows_size(), 1);
    EXPECT_EQ(ValueText(read.results(0).rows(0).values(0)), expected);

    // Compared as a value, it matches its own row only: "1 OR 1=1" that
    // became SQL would match every row.
    v1::QueryRequest where;
    // (Earlier rows may hold the same value: only this row and newer count.)
    const std::string where_sql =
        absl::StrCat("SELECT COUNT(*), MIN(id) FROM inj_t WHERE id >= ", id, " AND ", column);
    Bind(mode, where_sql + " = ?", where_sql + " = :v", value, &where);
    v1::QueryResponse matched;
    s = c.Query(where, &matched);
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    EXPECT_EQ(ValueText(matched.results(0).rows(0).values(0)), "1");
    EXPECT_EQ(ValueText(matched.results(0).rows(0).values(1)), std::to_string(id));

    // A value in a SELECT list comes back as itself.
    v1::QueryRequest echo;
    Bind(mode, "SELECT ?", "SELECT :v", value, &echo);
    v1::QueryResponse echoed;
    s = c.Query(echo, &echoed);
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    ASSERT_EQ(echoed.results(0).rows_size(), 1);
    ASSERT_EQ(echoed.results(0).rows(0).values_size(), 1);
    EXPECT_EQ(ValueText(echoed.results(0).rows(0).values(0)), expected);
  }

  void ExpectTablesIntact() {
    EXPECT_EQ(RootQuery(*server_, "SELECT COUNT(*) FROM mysqlgw_test.inj_t"),
              std::to_string(rows_));
    EXPECT_EQ(RootQuery(*server_, "SELECT GROUP_CONCAT(id ORDER BY id) FROM "
                                  "mysqlgw_test.inj_canary"),
              "1,2,3");
  }

  static const testing::ServerInfo* server_;
  static RunningGateway* gateway_;
  static int rows_;
};

const testing::ServerInfo* InjectionTest::server_ = nullptr;
RunningGateway* InjectionTest::gateway_ = nullptr;
int InjectionTest::rows_ = 0;

TEST_F(InjectionTest, TextPayloadsStayDataInEveryParameterMode) {
  for (Mode mode : {Mode::kPrepared, Mode::kPreparedNamed, Mode::kInterpolated,
                    Mode::kInterpolatedNamed}) {
    for (const std::string& payload : TextPayloads()) {
      v1::Value v;
      v.set_string(payload);
      RoundTrip(mode, "t", v, payload);
    }
  }
  ExpectTablesIntact();
}

TEST_F(InjectionTest, BytePayloadsStayDataInEveryParameterMode) {
  for (Mode mode : {Mode::kPrepared, Mode::kPreparedNamed, Mode::kInterpolated,
                    Mode::kInterpolatedNamed}) {
    for (const std::string& payload : BytePayloads()) {
      v1::Value v;
      v.set_bytes(payload);
      RoundTrip(mode, "b", v, payload);
    }
  }
  ExpectTablesIntact();
}

TEST_F(InjectionTest, PlaceholdersInsideValuesAreNotRebound) {
  // Two parameters where the first value holds a '?' / ':b': the second
  // value must land in the second column, not inside the first.
  Caller c = caller();
  for (Mode mode : {Mode::kPrepared, Mode::kInterpolated}) {
    v1::QueryRequest req;
    SetMode(mode, req.mutable_options());
    req.set_sql("SELECT ?, ?");
    req.add_params()->set_string("? ?");
    req.add_params()->set_string("' OR 1=1 -- ?");
    v1::QueryResponse resp;
    grpc::Status s = c.Query(req, &resp);
    ASSERT_TRUE(s.ok()) << ModeName(mode) << ": " << s.error_message();
    EXPECT_EQ(ValueText(resp.results(0).rows(0).values(0)), "? ?");
    EXPECT_EQ(ValueText(resp.results(0).rows(0).values(1)), "' OR 1=1 -- ?");

    v1::QueryRequest named;
    SetMode(mode, named.mutable_options());
    named.set_sql("SELECT :a, :b");
    (*named.mutable_named_params())["a"].set_string(":b :a");
    (*named.mutable_named_params())["b"].set_string("' :a");
    resp.Clear();
    s = c.Query(named, &resp);
    ASSERT_TRUE(s.ok()) << ModeName(mode) << ": " << s.error_message();
    EXPECT_EQ(ValueText(resp.results(0).rows(0).values(0)), ":b :a");
    EXPECT_EQ(ValueText(resp.results(0).rows(0).values(1)), "' :a");
  }
}

TEST_F(InjectionTest, InterpolationRefusesACharacterSetWhereEscapingCanBeSubverted) {
  // Under gbk, "\xe4\xbf\xbf'" escaped as "\xe4\xbf\xbf\\'" reads as two
  // characters (E4BF, BF5C) and a quote that ends the literal: the rest of
  // the value would be SQL. A transaction keeps its session, so a caller's
  // SET NAMES gbk is still in effect for its next statement.
  Caller c = caller();
  const std::string payload = "\xe4\xbf\xbf' OR 1=1 -- ";
  std::string tx;
  ASSERT_TRUE(c.Begin(&tx).ok());
  grpc::Status s = c.Execute("SET NAMES gbk", tx);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::QueryRequest req;
  req.set_sql("SELECT COUNT(*) FROM inj_canary WHERE id = ?");
  req.set_transaction_id(tx);
  req.add_params()->set_string(payload);
  req.mutable_options()->set_parameter_mode(v1::PARAMETER_MODE_INTERPOLATED);
  v1::QueryResponse resp;
  s = c.Query(req, &resp);
  // Refused before anything is sent: never "3" (every canary row).
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message() << " " << resp.DebugString();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "gbk")) << s.error_message();

  // The prepared path sends the value out of band: no row matches it.
  req.mutable_options()->set_parameter_mode(v1::PARAMETER_MODE_PREPARED);
  resp.Clear();
  s = c.Query(req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ValueText(resp.results(0).rows(0).values(0)), "0");

  // Back to an ASCII-transparent character set, interpolation works again.
  ASSERT_TRUE(c.Execute("SET NAMES utf8mb4", tx).ok());
  req.mutable_options()->set_parameter_mode(v1::PARAMETER_MODE_INTERPOLATED);
  resp.Clear();
  s = c.Query(req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ValueText(resp.results(0).rows(0).values(0)), "0");
  ASSERT_TRUE(c.Rollback(tx).ok());
  ExpectTablesIntact();
}

TEST_F(InjectionTest, ACharacterSetChangeOutsideATransactionDoesNotReachTheNextCall) {
  // One pooled connection: the SET NAMES call's session is reset before the
  // interpolated call gets the connection.
  Caller c = caller();
  ASSERT_TRUE(c.Execute("SET NAMES gbk").ok());
  v1::QueryRequest req;
  req.set_sql("SELECT COUNT(*), @@character_set_client FROM inj_canary WHERE id = ?");
  req.add_params()->set_string("\xe4\xbf\xbf' OR 1=1 -- ");
  req.mutable_options()->set_parameter_mode(v1::PARAMETER_MODE_INTERPOLATED);
  v1::QueryResponse resp;
  grpc::Status s = c.Query(req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ValueText(resp.results(0).rows(0).values(0)), "0");
  EXPECT_EQ(ValueText(resp.results(0).rows(0).values(1)), "utf8mb4");
  ExpectTablesIntact();
}

TEST_F(InjectionTest, StatementsInOneParameterAreNotRunAndTheBatchPathIsSafeToo) {
  Caller c = caller();
  for (Mode mode : {Mode::kPrepared, Mode::kInterpolated}) {
    v1::ExecuteBatchRequest batch;
    batch.set_sql("INSERT INTO inj_t (t) VALUES (?)");
    SetMode(mode, batch.mutable_options());
    const std::vector<std::string> values = {"'); DELETE FROM inj_canary; --",
                                             "x'); DROP TABLE inj_canary; -- ", "\\'); --"};
    for (const std::string& v : values) batch.add_parameter_sets()->add_params()->set_string(v);
    v1::ExecuteBatchResponse resp;
    grpc::Status s = c.ExecuteBatch(batch, &resp);
    ASSERT_TRUE(s.ok()) << ModeName(mode) << ": " << s.error_message();
    ASSERT_EQ(resp.results_size(), 3);
    for (const auto& r : resp.results()) EXPECT_TRUE(r.has_outcome()) << r.DebugString();
    rows_ += 3;
    for (const std::string& v : values) {
      v1::QueryRequest q;
      q.set_sql("SELECT COUNT(*) FROM inj_t WHERE t = ?");
      q.add_params()->set_string(v);
      v1::QueryResponse count;
      ASSERT_TRUE(c.Query(q, &count).ok());
      EXPECT_EQ(ValueText(count.results(0).rows(0).values(0)), mode == Mode::kPrepared ? "1" : "2")
          << v;
    }
  }
  ExpectTablesIntact();
}

}  // namespace
}  // namespace mysqlgw::security
