// Logs end to end: the real gateway binary with JSON logs, the access log,
// the slow log and the audit log written to files, in front of a sandbox
// MariaDB, called over gRPC and through its MySQL-protocol listener.
//
// Secrets go in on every path a secret can take (a bearer token, a wrong
// token, a MySQL password and a wrong one, statement parameters, literals
// in SQL, data MySQL quotes back in its error messages); afterwards no log,
// no /metrics or /digests page, and no error message a caller got holds
// any of them. The access log is then read back line by line (JSON) for the
// fields each call must have. A second gateway with log_parameter_values
// shows the values do appear when the operator asks for them.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "mysqlwire/protocol/server_auth.h"
#include "server/http/test_client.h"
#include "server/sql/digest.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::Sha256Hex;

// Every secret is unique enough that finding it anywhere is a leak.
constexpr char kToken[] = "tok-OBS-9c1f7e2a-valid";
constexpr char kWrongToken[] = "tok-OBS-4b7d0e55-wrong";
constexpr char kMysqlPassword[] = "mysql-pw-2Ks9Ye4";
constexpr char kWrongMysqlPassword[] = "mysql-wrong-1Gd5Uf8";
constexpr char kParamSecret[] = "param-secret-7Xq2Lw9";
constexpr char kLiteralSecret[] = "literal-secret-3Pz8Kd1";
constexpr char kSyntaxSecret[] = "syntax-secret-8Vm1Ct2";
constexpr char kInterpolatedSecret[] = "interp-secret-5Hn4Rb6";
constexpr char kBatchSecret1[] = "batch-secret-1Aa7Ns3";
constexpr char kBatchSecret2[] = "batch-secret-2Bb8Mt4";
constexpr char kCommentSecret[] = "comment-secret-4Cc9Lu5";
constexpr char kListenerLiteral[] = "listener-literal-6Wj3Qa7";
constexpr char kVisibleParam[] = "visible-param-0Dd1Kv6";

constexpr char kInsertSql[] = "INSERT INTO vault (secret, n) VALUES (?, ?)";
constexpr char kSelectByParamSql[] = "SELECT n FROM vault WHERE secret = ?";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Hex(const std::string& sql) { return DigestHex(DigestStatement(sql).hash); }

std::vector<google::protobuf::Struct> ParseJsonLines(const std::string& text) {
  std::vector<google::protobuf::Struct> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    google::protobuf::Struct s;
    auto status = google::protobuf::util::JsonStringToMessage(std::string(line), &s);
    EXPECT_TRUE(status.ok()) << status.ToString() << " in: " << line;
    out.push_back(std::move(s));
  }
  return out;
}

const std::string& Str(const google::protobuf::Struct& s, const std::string& key) {
  static const std::string kEmpty;
  auto it = s.fields().find(key);
  return it == s.fields().end() ? kEmpty : it->second.string_value();
}
double Num(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? -1 : it->second.number_value();
}

v1::Value StringValue(const std::string& s) {
  v1::Value v;
  v.set_string(s);
  return v;
}
v1::Value IntValue(int64_t i) {
  v1::Value v;
  v.set_int64(i);
  return v;
}

class ObservabilityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = **server;
    for (const std::string& sql : std::vector<std::string>{
             "CREATE DATABASE IF NOT EXISTS obs_it",
             "DROP TABLE IF EXISTS obs_it.vault",
             "CREATE TABLE obs_it.vault (secret VARCHAR(100) PRIMARY KEY, n INT)",
             "GRANT ALL ON obs_it.* TO " + server_->user + "@'%'",
         }) {
      auto r = testing::QueryAsRoot(*server_, sql);
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status();
    }
  }

  struct Gateway {
    std::unique_ptr<GatewayProcess> process;
    std::string dir;
    int admin_port = 0;
    int mysql_port = 0;
    std::string access_log() const { return dir + "/access.log"; }
    std::string slow_log() const { return dir + "/slow.log"; }
    std::string audit_log() const { return dir + "/audit.log"; }
  };

  // `observability_extra`: more keys under observability, indented by 2.
  static Gateway Start(const std::string& observability_extra) {
    Gateway gw;
    std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/obs.XXXXXX");
    EXPECT_NE(mkdtemp(dir.data()), nullptr);
    gw.dir = dir;
    const std::string config = absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 2
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/obs_it?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
mysql_listener:
  address: "127.0.0.1:0"
auth:
  principals:
    - name: app
      token_sha256: ["TOKEN_HASH"]
      mysql_native_password_hash: "NATIVE_HASH"
      databases: ["*"]
      operations: [read, write, ddl]
interception:
  audit_log_file: "DIR/audit.log"
  rules:
    - name: audit-everything
      action: {audit: true}
observability:
  slow_statement_threshold: "0.000001s"
  slow_log_file: "DIR/slow.log"
  log_format: json
  log_level: debug
  access_log: "DIR/access.log"
EXTRA
)",
                                                   {{"USER", server_->user},
                                                    {"PORT", absl::StrCat(server_->port)},
                                                    {"TOKEN_HASH", Sha256Hex(kToken)},
                                                    {"NATIVE_HASH", NativeHash()},
                                                    {"DIR", dir},
                                                    {"EXTRA", observability_extra}});
    testing::GatewayProcessOptions options;
    options.config_yaml = config;
    options.extra_args = {"--admin_address=127.0.0.1:0", "--admin_port_file=" + dir + "/admin",
                          "--mysql_port_file=" + dir + "/mysql"};
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", server_->password}};
    auto process = GatewayProcess::Start(options);
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return gw;
    gw.process = *std::move(process);
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(dir + "/admin")),
                                 &gw.admin_port));
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(dir + "/mysql")),
                                 &gw.mysql_port));
    return gw;
  }

  static std::string NativeHash() {
    return mysqlwire::FormatNativePasswordHash(mysqlwire::ComputeNativePasswordHash(kMysqlPassword));
  }

  static std::unique_ptr<v1::Gateway::Stub> Stub(const Gateway& gw) {
    return v1::Gateway::NewStub(
        grpc::CreateChannel(gw.process->address(), grpc::InsecureChannelCredentials()));
  }

  static void Authorize(grpc::ClientContext* ctx, const char* token = kToken) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }

  static testing::CommandResult Mariadb(const Gateway& gw, const std::string& password,
                                        const std::string& sql) {
    std::vector<std::string> argv = {"/usr/bin/mariadb", "--no-defaults", "--protocol=TCP",
                                     "-h127.0.0.1", absl::StrCat("-P", gw.mysql_port), "-uapp",
                                     "--password=" + password, "--batch", "--connect-timeout=10",
                                     "obs_it", "-e", sql};
    testing::CommandOptions options;
    options.timeout = absl::Seconds(30);
    auto r = testing::RunProcess(argv, options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : testing::CommandResult{};
  }

  static std::string Fetch(const Gateway& gw, const std::string& path) {
    auto r = http::testing::Fetch("127.0.0.1", gw.admin_port, path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status();
    return r.ok() ? r->body() : "";
  }

  static inline std::optional<testing::ServerInfo> server_;
};

// The access log line for `method` whose digest (if given) and code match.
const google::protobuf::Struct* FindLine(const std::vector<google::protobuf::Struct>& lines,
                                         const std::string& method, const std::string& digest,
                                         const std::string& code) {
  for (const auto& l : lines) {
    if (Str(l, "method") == method && (digest.empty() || Str(l, "digest") == digest) &&
        Str(l, "code") == code) {
      return &l;
    }
  }
  return nullptr;
}

TEST_F(ObservabilityTest, NoSecretReachesAnyLogMetricOrErrorAndAccessLinesHaveTheirFields) {
  ASSERT_TRUE(testing::QueryAsRoot(*server_, "DELETE FROM obs_it.vault").ok());
  Gateway gw = Start("");
  ASSERT_NE(gw.process, nullptr);
  auto stub = Stub(gw);
  std::vector<std::string> caller_errors;  // What callers were told.

  {  // 1. An insert with secret parameters.
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::ExecuteRequest req;
    req.set_sql(kInsertSql);
    *req.add_params() = StringValue(kParamSecret);
    *req.add_params() = IntValue(1);
    v1::ExecuteResponse resp;
    grpc::Status s = stub->Execute(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.outcome().affected_rows(), 1u);
  }
  {  // 2. The same again: MySQL's error quotes the secret (duplicate key).
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::ExecuteRequest req;
    req.set_sql(kInsertSql);
    *req.add_params() = StringValue(kParamSecret);
    *req.add_params() = IntValue(1);
    v1::ExecuteResponse resp;
    grpc::Status s = stub->Execute(&ctx, req, &resp);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
    // The caller sent the value and gets MySQL's message; logs must not.
    EXPECT_TRUE(absl::StrContains(s.error_message(), kParamSecret)) << s.error_message();
  }
  {  // 3. A select by secret parameter: one row.
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::QueryRequest req;
    req.set_sql(kSelectByParamSql);
    *req.add_params() = StringValue(kParamSecret);
    v1::QueryResponse resp;
    grpc::Status s = stub->Query(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(resp.results_size(), 1);
    EXPECT_EQ(resp.results(0).rows_size(), 1);
  }
  const std::string literal_sql =
      absl::StrCat("SELECT n, secret FROM vault WHERE secret = '", kLiteralSecret, "' /* ",
                   kCommentSecret, " */");
  {  // 4. A secret literal (and comment) in the SQL text.
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::QueryRequest req;
    req.set_sql(literal_sql);
    v1::QueryResponse resp;
    grpc::Status s = stub->Query(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string syntax_sql =
      absl::StrCat("SELECT n FROM vault WHERE n = 1 garbage '", kSyntaxSecret, "'");
  {  // 5. A syntax error: MySQL quotes the text near it.
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::QueryRequest req;
    req.set_sql(syntax_sql);
    v1::QueryResponse resp;
    grpc::Status s = stub->Query(&ctx, req, &resp);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), kSyntaxSecret)) << s.error_message();
  }
  {  // 6. Parameters interpolated into the text by the gateway.
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::ExecuteRequest req;
    req.set_sql(kInsertSql);
    *req.add_params() = StringValue(kInterpolatedSecret);
    *req.add_params() = IntValue(2);
    req.mutable_options()->set_parameter_mode(v1::PARAMETER_MODE_INTERPOLATED);
    v1::ExecuteResponse resp;
    grpc::Status s = stub->Execute(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {  // 7. A batch of two parameter sets.
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::ExecuteBatchRequest req;
    req.set_sql(kInsertSql);
    auto* a = req.add_parameter_sets();
    *a->add_params() = StringValue(kBatchSecret1);
    *a->add_params() = IntValue(3);
    auto* b = req.add_parameter_sets();
    *b->add_params() = StringValue(kBatchSecret2);
    *b->add_params() = IntValue(4);
    v1::ExecuteBatchResponse resp;
    grpc::Status s = stub->ExecuteBatch(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(resp.results_size(), 2);
  }
  const std::string update_sql = "UPDATE vault SET n = n + 10 WHERE secret = ?";
  {  // 8. A transaction.
    std::string tx;
    {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      v1::BeginTransactionRequest req;
      v1::BeginTransactionResponse resp;
      grpc::Status s = stub->BeginTransaction(&ctx, req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
      tx = resp.transaction_id();
    }
    {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      v1::ExecuteRequest req;
      req.set_sql(update_sql);
      req.set_transaction_id(tx);
      *req.add_params() = StringValue(kParamSecret);
      v1::ExecuteResponse resp;
      grpc::Status s = stub->Execute(&ctx, req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      v1::CommitRequest req;
      req.set_transaction_id(tx);
      v1::CommitResponse resp;
      grpc::Status s = stub->Commit(&ctx, req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }
  const std::string stream_sql = "SELECT secret, n FROM vault ORDER BY n";
  int streamed_rows = 0;
  {  // 9. A stream of every row (secrets go to the caller, not the logs).
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::QueryRequest req;
    req.set_sql(stream_sql);
    auto reader = stub->StreamQuery(&ctx, req);
    v1::StreamQueryResponse msg;
    while (reader->Read(&msg)) {
      if (msg.has_rows()) streamed_rows += msg.rows().rows_size();
    }
    grpc::Status s = reader->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(streamed_rows, 4);
  }
  {  // 10. A wrong token.
    grpc::ClientContext ctx;
    Authorize(&ctx, kWrongToken);
    v1::QueryRequest req;
    req.set_sql("SELECT 1");
    v1::QueryResponse resp;
    grpc::Status s = stub->Query(&ctx, req, &resp);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    caller_errors.push_back(s.error_message());
  }
  const std::string listener_sql =
      absl::StrCat("SELECT n FROM vault WHERE secret = '", kListenerLiteral, "'");
  {  // 11. The MySQL listener: a statement with a literal; a wrong password.
    testing::CommandResult ok = Mariadb(gw, kMysqlPassword, listener_sql);
    EXPECT_EQ(ok.exit_code, 0) << ok.stderr_data;
    testing::CommandResult denied = Mariadb(gw, kWrongMysqlPassword, "SELECT 1");
    EXPECT_NE(denied.exit_code, 0);
    EXPECT_TRUE(absl::StrContains(denied.stderr_data, "1045")) << denied.stderr_data;
    caller_errors.push_back(denied.stderr_data);
  }

  const std::string metrics = Fetch(gw, "/metrics");
  const std::string digests = Fetch(gw, "/digests");
  EXPECT_TRUE(absl::StrContains(metrics, "mysqlgw_access_log_dropped_total 0")) << metrics;
  EXPECT_TRUE(absl::StrContains(metrics, "mysqlgw_rpc_requests_total{method=\"Execute\",code=\"OK\"}"));
  // Everything written is on disk once the gateway has stopped.
  auto stopped = gw.process->Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(*stopped, 0);

  const std::string stderr_log = gw.process->Log();
  const std::string access = ReadFile(gw.access_log());
  const std::string slow = ReadFile(gw.slow_log());
  const std::string audit = ReadFile(gw.audit_log());
  const std::vector<std::pair<std::string, const std::string*>> outputs = {
      {"stderr log", &stderr_log}, {"access log", &access}, {"slow log", &slow},
      {"audit log", &audit},       {"/metrics", &metrics},  {"/digests", &digests}};
  std::vector<std::string> secrets = {
      kToken,         kWrongToken,         kMysqlPassword, kWrongMysqlPassword, kParamSecret,
      kLiteralSecret, kSyntaxSecret,       kInterpolatedSecret, kBatchSecret1,  kBatchSecret2,
      kCommentSecret, kListenerLiteral};
  if (server_->password.size() >= 8) secrets.push_back(server_->password);
  for (const auto& [name, text] : outputs) {
    EXPECT_FALSE(text->empty()) << name << " is empty";
    for (const std::string& secret : secrets) {
      EXPECT_FALSE(absl::StrContains(*text, secret)) << secret << " leaked into the " << name;
    }
  }
  for (const std::string& e : caller_errors) {
    for (const char* secret : {kWrongToken, kWrongMysqlPassword, kToken, kMysqlPassword}) {
      EXPECT_FALSE(absl::StrContains(e, secret)) << secret << " in an error: " << e;
    }
  }
  // The slow and audit logs saw the failures, with their data cut out.
  EXPECT_TRUE(absl::StrContains(slow, "Duplicate entry '?'")) << slow;
  EXPECT_TRUE(absl::StrContains(audit, "Duplicate entry '?'")) << audit;

  // The gateway's own log is JSON (stderr may hold other libraries' lines).
  bool serving_line = false;
  for (absl::string_view line : absl::StrSplit(stderr_log, '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "{")) continue;
    auto parsed = ParseJsonLines(std::string(line));
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_FALSE(Str(parsed[0], "ts").empty());
    EXPECT_FALSE(Str(parsed[0], "level").empty());
    if (Str(parsed[0], "component") == "main" &&
        absl::StrContains(Str(parsed[0], "msg"), "serving gRPC")) {
      serving_line = true;
    }
  }
  EXPECT_TRUE(serving_line) << stderr_log;

  // Every access line is JSON; the calls are there with their fields.
  const std::vector<google::protobuf::Struct> lines = ParseJsonLines(access);
  for (const auto& l : lines) {
    EXPECT_EQ(Str(l, "component"), "access");
    EXPECT_EQ(Str(l, "level"), "info");
    EXPECT_EQ(Str(l, "ts").size(), std::string("2024-05-01T12:00:00.123456Z").size());
    EXPECT_FALSE(l.fields().contains("params")) << "values logged without log_parameter_values";
  }
  const std::string insert = Hex(kInsertSql);
  const auto* inserted = FindLine(lines, "Execute", insert, "OK");
  ASSERT_NE(inserted, nullptr) << access;
  EXPECT_EQ(Str(*inserted, "protocol"), "grpc");
  EXPECT_EQ(Str(*inserted, "principal"), "app");
  EXPECT_EQ(Str(*inserted, "peer"), "127.0.0.1");
  EXPECT_EQ(Str(*inserted, "backend"), "primary");
  EXPECT_EQ(Str(*inserted, "digest_text"), DigestStatement(kInsertSql).text);
  EXPECT_EQ(Num(*inserted, "statements"), 1);
  EXPECT_EQ(Num(*inserted, "affected_rows"), 1);
  EXPECT_EQ(Num(*inserted, "grpc_code"), 0);
  EXPECT_GT(Num(*inserted, "latency_us"), 0);

  const auto* duplicate = FindLine(lines, "Execute", insert, "ALREADY_EXISTS");
  ASSERT_NE(duplicate, nullptr) << access;
  EXPECT_EQ(Num(*duplicate, "mysql_errno"), 1062);
  EXPECT_EQ(Str(*duplicate, "sql_state"), "23000");
  EXPECT_TRUE(absl::StrContains(Str(*duplicate, "error"), "Duplicate entry '?'"))
      << Str(*duplicate, "error");

  const auto* by_param = FindLine(lines, "Query", Hex(kSelectByParamSql), "OK");
  ASSERT_NE(by_param, nullptr) << access;
  EXPECT_EQ(Num(*by_param, "rows"), 1);
  EXPECT_GT(Num(*by_param, "bytes"), 0);

  const auto* by_literal = FindLine(lines, "Query", Hex(literal_sql), "OK");
  ASSERT_NE(by_literal, nullptr) << access;
  EXPECT_EQ(Str(*by_literal, "digest_text"),
            "SELECT `n`, `secret` FROM `vault` WHERE `secret` = ?");
  EXPECT_EQ(Num(*by_literal, "rows"), 0);

  const auto* syntax = FindLine(lines, "Query", Hex(syntax_sql), "INVALID_ARGUMENT");
  ASSERT_NE(syntax, nullptr) << access;
  EXPECT_EQ(Num(*syntax, "mysql_errno"), 1064);

  const auto* batch = FindLine(lines, "ExecuteBatch", insert, "OK");
  ASSERT_NE(batch, nullptr) << access;
  EXPECT_EQ(Num(*batch, "statements"), 2);
  EXPECT_EQ(Num(*batch, "affected_rows"), 2);

  EXPECT_NE(FindLine(lines, "BeginTransaction", "", "OK"), nullptr) << access;
  EXPECT_NE(FindLine(lines, "Commit", "", "OK"), nullptr) << access;
  const auto* in_tx = FindLine(lines, "Execute", Hex(update_sql), "OK");
  ASSERT_NE(in_tx, nullptr) << access;
  EXPECT_EQ(Num(*in_tx, "affected_rows"), 1);

  const auto* streamed = FindLine(lines, "StreamQuery", Hex(stream_sql), "OK");
  ASSERT_NE(streamed, nullptr) << access;
  EXPECT_EQ(Num(*streamed, "rows"), streamed_rows);

  const auto* refused = FindLine(lines, "Query", "", "UNAUTHENTICATED");
  ASSERT_NE(refused, nullptr) << access;
  EXPECT_EQ(Str(*refused, "principal"), "");
  EXPECT_EQ(Str(*refused, "peer"), "127.0.0.1");
  EXPECT_FALSE(refused->fields().contains("digest"));

  const auto* listener = FindLine(lines, "COM_QUERY", Hex(listener_sql), "OK");
  ASSERT_NE(listener, nullptr) << access;
  EXPECT_EQ(Str(*listener, "protocol"), "mysql");
  EXPECT_EQ(Str(*listener, "msg"), "statement");
  EXPECT_EQ(Str(*listener, "principal"), "app");
  EXPECT_EQ(Str(*listener, "peer"), "127.0.0.1");
  EXPECT_EQ(Num(*listener, "rows"), 0);
}

TEST_F(ObservabilityTest, ParameterValuesAppearOnlyWhenAskedForAndMetricsCanBeOff) {
  Gateway gw = Start("  log_parameter_values: true\n  metrics_enabled: false\n");
  ASSERT_NE(gw.process, nullptr);
  auto stub = Stub(gw);
  {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    v1::ExecuteRequest req;
    req.set_sql(kInsertSql);
    *req.add_params() = StringValue(kVisibleParam);
    *req.add_params() = IntValue(99);
    v1::ExecuteResponse resp;
    grpc::Status s = stub->Execute(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string metrics = Fetch(gw, "/metrics");
  // The call was not recorded: the counter family is there, at zero.
  EXPECT_TRUE(absl::StrContains(
      metrics, "mysqlgw_rpc_requests_total{method=\"Execute\",code=\"OK\"} 0\n"))
      << metrics;
  ASSERT_TRUE(gw.process->Stop().ok());
  // Credentials stay masked whatever log_parameter_values says.
  EXPECT_FALSE(absl::StrContains(ReadFile(gw.access_log()), kToken));
  const std::vector<google::protobuf::Struct> lines = ParseJsonLines(ReadFile(gw.access_log()));
  const auto* inserted = FindLine(lines, "Execute", Hex(kInsertSql), "OK");
  ASSERT_NE(inserted, nullptr) << ReadFile(gw.access_log());
  const auto& params = inserted->fields().at("params").list_value();
  ASSERT_EQ(params.values_size(), 2);
  EXPECT_EQ(params.values(0).string_value(), absl::StrCat("'", kVisibleParam, "'"));
  EXPECT_EQ(params.values(1).string_value(), "99");
}

}  // namespace
}  // namespace mysqlgw
