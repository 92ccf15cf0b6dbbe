#include "tests/security/security_fixture.h"

#include <stdlib.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "server/http/test_client.h"

namespace mysqlgw::security {

std::string MakeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string templ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", prefix, ".XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) return "";
  return templ;
}

std::string ConfigYaml(const testing::ServerInfo& server, const GatewaySpec& spec) {
  std::string principals;
  for (const PrincipalSpec& p : spec.principals) {
    std::vector<std::string> quoted;
    for (const std::string& d : p.databases) quoted.push_back(absl::StrCat("\"", d, "\""));
    absl::StrAppend(&principals, "    - name: ", p.name, "\n      token_sha256: [\"",
                    testing::Sha256Hex(p.token), "\"]\n      databases: [",
                    absl::StrJoin(quoted, ", "), "]\n      operations: [",
                    absl::StrJoin(p.operations, ", "), "]\n");
  }
  const std::string user = spec.backend_user.empty() ? server.user : spec.backend_user;
  return absl::StrCat("listen:\n  address: \"127.0.0.1:0\"\n", spec.listen_extra,
                      "io_threads: ", spec.io_threads,
                      "\nshutdown_grace_period: \"5s\"\nbackends:\n  - name: primary\n"
                      "    dsn: \"mysql://",
                      user, "@", spec.dsn_host, ":", server.port, "/", server.database, "?",
                      spec.dsn_query,
                      "\"\n    password_env: MYSQLGW_SEC_BACKEND_PASSWORD\n    pool:\n"
                      "      max_open: ",
                      spec.max_open, "\n      connect_timeout: \"5s\"\nauth:\n  principals:\n",
                      principals, spec.extra, "\n");
}

absl::StatusOr<RunningGateway> StartGateway(const testing::ServerInfo& server,
                                            const GatewaySpec& spec) {
  const std::string dir = MakeTempDir("admin");
  const std::string port_file = dir + "/admin.port";
  testing::GatewayProcessOptions options;
  options.config_yaml = ConfigYaml(server, spec);
  options.env = {{"MYSQLGW_SEC_BACKEND_PASSWORD",
                  spec.backend_password.empty() ? server.password : spec.backend_password}};
  options.extra_args = {"--admin_address=127.0.0.1:0", "--admin_port_file=" + port_file};
  for (const std::string& a : spec.extra_args) options.extra_args.push_back(a);
  absl::StatusOr<std::unique_ptr<testing::GatewayProcess>> gw =
      testing::GatewayProcess::Start(options);
  if (!gw.ok()) return gw.status();
  RunningGateway running;
  running.process = *std::move(gw);
  // The admin port file is written just after the gRPC one.
  for (int i = 0; i < 500 && running.admin_port == 0; ++i) {
    std::ifstream in(port_file);
    in >> running.admin_port;
    if (running.admin_port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (running.admin_port == 0) return absl::InternalError("admin port file not written");
  return running;
}

absl::StatusOr<std::string> ScrapeMetrics(int admin_port) {
  auto r = http::testing::Fetch("127.0.0.1", admin_port, "/metrics");
  if (!r.ok()) return r.status();
  if (r->result_int() != 200) return absl::InternalError(absl::StrCat("HTTP ", r->result_int()));
  return r->body();
}

std::unique_ptr<grpc::ClientContext> Caller::Context(std::chrono::seconds deadline) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  ctx->set_deadline(std::chrono::system_clock::now() + deadline);
  return ctx;
}

grpc::Status Caller::Query(const v1::QueryRequest& req, v1::QueryResponse* resp) {
  v1::QueryResponse ignored;
  auto ctx = Context();
  return gateway_->Query(ctx.get(), req, resp != nullptr ? resp : &ignored);
}

grpc::Status Caller::Query(const std::string& sql, v1::QueryResponse* resp) {
  v1::QueryRequest req;
  req.set_sql(sql);
  return Query(req, resp);
}

grpc::Status Caller::StreamQuery(const v1::QueryRequest& req,
                                 std::vector<v1::StreamQueryResponse>* chunks) {
  auto ctx = Context();
  auto reader = gateway_->StreamQuery(ctx.get(), req);
  v1::StreamQueryResponse chunk;
  while (reader->Read(&chunk)) {
    if (chunks != nullptr) chunks->push_back(chunk);
  }
  return reader->Finish();
}

grpc::Status Caller::Execute(const v1::ExecuteRequest& req, v1::ExecuteResponse* resp) {
  v1::ExecuteResponse ignored;
  auto ctx = Context();
  return gateway_->Execute(ctx.get(), req, resp != nullptr ? resp : &ignored);
}

grpc::Status Caller::Execute(const std::string& sql, const std::string& transaction_id) {
  v1::ExecuteRequest req;
  req.set_sql(sql);
  req.set_transaction_id(transaction_id);
  return Execute(req);
}

grpc::Status Caller::ExecuteBatch(const v1::ExecuteBatchRequest& req,
                                  v1::ExecuteBatchResponse* resp) {
  v1::ExecuteBatchResponse ignored;
  auto ctx = Context();
  return gateway_->ExecuteBatch(ctx.get(), req, resp != nullptr ? resp : &ignored);
}

grpc::Status Caller::Begin(std::string* transaction_id, const std::string& database) {
  auto ctx = Context();
  v1::BeginTransactionRequest req;
  req.set_database(database);
  v1::BeginTransactionResponse resp;
  grpc::Status s = gateway_->BeginTransaction(ctx.get(), req, &resp);
  *transaction_id = resp.transaction_id();
  return s;
}

grpc::Status Caller::Commit(const std::string& transaction_id) {
  auto ctx = Context();
  v1::CommitRequest req;
  req.set_transaction_id(transaction_id);
  v1::CommitResponse resp;
  return gateway_->Commit(ctx.get(), req, &resp);
}

grpc::Status Caller::Rollback(const std::string& transaction_id) {
  auto ctx = Context();
  v1::RollbackRequest req;
  req.set_transaction_id(transaction_id);
  v1::RollbackResponse resp;
  return gateway_->Rollback(ctx.get(), req, &resp);
}

grpc::Status Caller::StreamBinlogUntilNow() {
  auto ctx = Context(std::chrono::seconds(30));
  v1::StreamBinlogRequest req;
  req.set_now(true);
  req.set_mode(v1::StreamBinlogRequest::MODE_UNTIL_NOW);
  auto reader = changes_->StreamBinlog(ctx.get(), req);
  v1::StreamBinlogResponse resp;
  while (reader->Read(&resp)) {
  }
  return reader->Finish();
}

std::string Caller::Scalar(const std::string& sql) {
  v1::QueryResponse resp;
  grpc::Status s = Query(sql, &resp);
  EXPECT_TRUE(s.ok()) << sql << ": " << s.error_code() << " " << s.error_message();
  if (!s.ok() || resp.results_size() == 0 || resp.results(0).rows_size() == 0) return "";
  return ValueText(resp.results(0).rows(0).values(0));
}

std::string ValueText(const v1::Value& v) {
  switch (v.kind_case()) {
    case v1::Value::kString:
      return v.string();
    case v1::Value::kBytes:
      return v.bytes();
    case v1::Value::kInt64:
      return std::to_string(v.int64());
    case v1::Value::kUint64:
      return std::to_string(v.uint64());
    case v1::Value::kDecimal:
      return v.decimal();
    case v1::Value::kNull:
      return "NULL";
    default:
      return v.DebugString();
  }
}

std::string RootQuery(const testing::ServerInfo& server, const std::string& sql) {
  absl::StatusOr<std::string> r = testing::QueryAsRoot(server, sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
  return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
}

}  // namespace mysqlgw::security
