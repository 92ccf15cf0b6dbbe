// Bearer tokens and authorization, as callers meet them:
//  - a missing, wrong, malformed or revoked token is UNAUTHENTICATED on
//    every RPC of both services, and nothing runs;
//  - every RPC of mysqlgw.v1.Gateway and mysqlgw.v1.ChangeStream, called by
//    principals with different operations and databases, is OK or
//    PERMISSION_DENIED exactly as the configuration reference says
//    (read/write/ddl/admin by statement, write for BeginTransaction, read
//    for a read-only one, binlog for StreamBinlog, databases by name), and
//    a refused write leaves no row behind;
//  - a transaction belongs to the principal that began it.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/security/security_fixture.h"
#include "tests/support/grpc_test_util.h"

namespace mysqlgw::security {
namespace {

using testing::Eventually;

// Principals of the matrix. Tokens are "<name>-token-0123456789".
std::string TokenOf(const std::string& name) { return name + "-token-0123456789"; }

std::vector<PrincipalSpec> MatrixPrincipals() {
  return {
      {"reader", TokenOf("reader"), {"mysqlgw_test"}, {"read"}},
      {"writer", TokenOf("writer"), {"mysqlgw_test"}, {"read", "write"}},
      {"ddl", TokenOf("ddl"), {"*"}, {"ddl"}},
      {"cdc", TokenOf("cdc"), {"*"}, {"binlog"}},
      {"admin", TokenOf("admin"), {"*"}, {"read", "write", "ddl", "admin"}},
      // Every operation, but only on another database than the default.
      {"elsewhere", TokenOf("elsewhere"), {"sec_other"}, {"read", "write", "ddl", "binlog"}},
  };
}

// One cell of the matrix: an RPC doing one kind of operation.
struct Cell {
  std::string name;
  std::string operation;  // What it needs: read, write, ddl, admin, binlog.
  bool default_database;  // Runs on the default database (mysqlgw_test).
  std::function<grpc::Status(Caller&, const std::string& principal)> call;
};

std::vector<Cell> Cells() {
  auto query = [](const std::string& sql) {
    return [sql](Caller& c, const std::string& who) {
      return c.Query(absl::StrReplaceAll(sql, {{"WHO", who}}));
    };
  };
  auto stream = [](const std::string& sql) {
    return [sql](Caller& c, const std::string& who) {
      v1::QueryRequest req;
      req.set_sql(absl::StrReplaceAll(sql, {{"WHO", who}}));
      return c.StreamQuery(req);
    };
  };
  auto execute = [](const std::string& sql) {
    return [sql](Caller& c, const std::string& who) {
      return c.Execute(absl::StrReplaceAll(sql, {{"WHO", who}}));
    };
  };
  return {
      {"Query SELECT", "read", true, query("SELECT COUNT(*) FROM authz_t")},
      {"Query INSERT", "write", true, query("INSERT INTO authz_t (who) VALUES ('WHO/query')")},
      {"Query CREATE TABLE", "ddl", true,
       query("CREATE TABLE IF NOT EXISTS authz_ddl_WHO (id INT)")},
      {"Query SET GLOBAL", "admin", true,
       query("SET GLOBAL max_connect_errors = @@GLOBAL.max_connect_errors")},
      {"StreamQuery SELECT", "read", true, stream("SELECT id FROM authz_t")},
      {"StreamQuery INSERT", "write", true,
       stream("INSERT INTO authz_t (who) VALUES ('WHO/stream')")},
      {"Execute INSERT", "write", true, execute("INSERT INTO authz_t (who) VALUES ('WHO/exec')")},
      {"Execute UPDATE", "write", true,
       execute("UPDATE authz_t SET who = who WHERE who = 'WHO/exec'")},
      {"Execute DELETE", "write", true,
       execute("DELETE FROM authz_t WHERE who = 'WHO/none'")},
      {"Execute DROP TABLE", "ddl", true, execute("DROP TABLE IF EXISTS authz_gone_WHO")},
      {"ExecuteBatch INSERT", "write", true,
       [](Caller& c, const std::string& who) {
         v1::ExecuteBatchRequest req;
         req.set_sql("INSERT INTO authz_t (who) VALUES (?)");
         req.add_parameter_sets()->add_params()->set_string(who + "/batch");
         v1::ExecuteBatchResponse resp;
         grpc::Status s = c.ExecuteBatch(req, &resp);
         // A refusal may come per item: report it as the call's.
         if (s.ok() && resp.results_size() == 1 && resp.results(0).has_error()) {
           return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                               resp.results(0).error().message());
         }
         return s;
       }},
      {"BeginTransaction+Commit", "write", true,
       [](Caller& c, const std::string&) {
         std::string tx;
         grpc::Status s = c.Begin(&tx);
         if (!s.ok()) return s;
         return c.Commit(tx);
       }},
      {"BeginTransaction read_only+Rollback", "read", true,
       [](Caller& c, const std::string&) {
         auto ctx = c.Context();
         v1::BeginTransactionRequest req;
         req.set_read_only(true);
         v1::BeginTransactionResponse resp;
         grpc::Status s = c.stub().BeginTransaction(ctx.get(), req, &resp);
         if (!s.ok()) return s;
         return c.Rollback(resp.transaction_id());
       }},
      {"Query on database sec_other", "read", false,
       [](Caller& c, const std::string&) {
         v1::QueryRequest req;
         req.set_sql("SELECT 1");
         req.mutable_options()->set_database("sec_other");
         return c.Query(req, nullptr);
       }},
      {"StreamBinlog", "binlog", false,
       [](Caller& c, const std::string&) { return c.StreamBinlogUntilNow(); }},
  };
}

bool Allowed(const PrincipalSpec& p, const Cell& cell) {
  const bool op = std::find(p.operations.begin(), p.operations.end(), cell.operation) !=
                  p.operations.end();
  if (cell.operation == "binlog") return op;  // Not tied to a database.
  const std::string db = cell.default_database ? "mysqlgw_test" : "sec_other";
  const bool database = std::find(p.databases.begin(), p.databases.end(), "*") !=
                            p.databases.end() ||
                        std::find(p.databases.begin(), p.databases.end(), db) !=
                            p.databases.end();
  return op && database;
}

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    RootQuery(*server_,
              "CREATE DATABASE IF NOT EXISTS sec_other;"
              "DROP TABLE IF EXISTS mysqlgw_test.authz_t;"
              "CREATE TABLE mysqlgw_test.authz_t (id INT AUTO_INCREMENT PRIMARY KEY, "
              "who VARCHAR(64));");
  }
  RunningGateway Start(std::vector<PrincipalSpec> principals,
                       std::vector<std::string> extra_args = {}) {
    GatewaySpec spec;
    spec.principals = std::move(principals);
    spec.extra_args = std::move(extra_args);
    auto gw = StartGateway(*server_, spec);
    EXPECT_TRUE(gw.ok()) << gw.status();
    return gw.ok() ? *std::move(gw) : RunningGateway{};
  }

  static const testing::ServerInfo* server_;
};

const testing::ServerInfo* AuthTest::server_ = nullptr;

TEST_F(AuthTest, EveryRpcTimesEveryPrincipalIsAllowedOrDeniedAsDocumented) {
  RunningGateway gw = Start(MatrixPrincipals());
  ASSERT_NE(gw.process, nullptr);
  std::vector<std::string> table;
  int cells = 0;
  for (const PrincipalSpec& p : MatrixPrincipals()) {
    Caller caller(gw.address(), p.token);
    for (const Cell& cell : Cells()) {
      SCOPED_TRACE(absl::StrCat(p.name, " / ", cell.name));
      grpc::Status s = cell.call(caller, p.name);
      const bool allowed = Allowed(p, cell);
      if (allowed) {
        EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
        // The refusal says who and what, never how to get in.
        EXPECT_TRUE(absl::StrContains(s.error_message(), p.name) ||
                    absl::StrContains(s.error_message(), "principal"))
            << s.error_message();
        EXPECT_FALSE(absl::StrContains(s.error_message(), p.token)) << s.error_message();
      }
      table.push_back(absl::StrCat(p.name, "\t", cell.name, "\t", allowed ? "OK" : "DENIED",
                                   "\t", s.error_code()));
      ++cells;
    }
  }
  EXPECT_EQ(cells, static_cast<int>(MatrixPrincipals().size() * Cells().size()));
  // The rows written are exactly those of the principals allowed to write.
  std::set<std::string> expected;
  for (const PrincipalSpec& p : MatrixPrincipals()) {
    for (const Cell& cell : Cells()) {
      if (cell.operation == "write" && Allowed(p, cell) &&
          absl::StrContains(cell.name, "INSERT")) {
        const std::string suffix = absl::StrContains(cell.name, "Stream") ? "stream"
                                   : absl::StrContains(cell.name, "Batch") ? "batch"
                                   : absl::StrContains(cell.name, "Query") ? "query"
                                                                           : "exec";
        expected.insert(absl::StrCat(p.name, "/", suffix));
      }
    }
  }
  EXPECT_EQ(RootQuery(*server_,
                      "SELECT GROUP_CONCAT(who ORDER BY who SEPARATOR ',') FROM mysqlgw_test.authz_t"),
            absl::StrJoin(expected, ","));
  // DDL ran for ddl and admin only.
  EXPECT_EQ(RootQuery(*server_,
                      "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM "
                      "information_schema.tables WHERE table_schema = 'mysqlgw_test' AND "
                      "table_name LIKE 'authz_ddl_%'"),
            "authz_ddl_admin,authz_ddl_ddl");
  std::cout << "authorization matrix (principal, call, expected, grpc code):\n"
            << absl::StrJoin(table, "\n") << "\n";
}

TEST_F(AuthTest, MissingWrongAndMalformedTokensAreUnauthenticatedOnEveryRpc) {
  RunningGateway gw = Start(MatrixPrincipals());
  ASSERT_NE(gw.process, nullptr);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"missing", ""},
      {"wrong", "Bearer not-a-configured-token"},
      {"another principal's hash as token", absl::StrCat("Bearer ", testing::Sha256Hex(TokenOf("admin")))},
      {"almost right", absl::StrCat("Bearer ", TokenOf("admin"), "x")},
      {"other scheme", absl::StrCat("Basic ", TokenOf("admin"))},
      {"no token", "Bearer "},
      {"oversized", absl::StrCat("Bearer ", std::string(5000, 'a'))},
  };
  const auto channel = grpc::CreateChannel(gw.address(), grpc::InsecureChannelCredentials());
  for (const auto& [what, header] : headers) {
    SCOPED_TRACE(what);
    auto with_header = [&header = header](grpc::ClientContext* ctx) {
      if (!header.empty()) ctx->AddMetadata("authorization", header);
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    };
    auto stub = v1::Gateway::NewStub(channel);
    std::vector<std::pair<std::string, grpc::Status>> results;
    {
      grpc::ClientContext ctx;
      with_header(&ctx);
      v1::QueryRequest req;
      req.set_sql("INSERT INTO authz_t (who) VALUES ('intruder')");
      v1::QueryResponse resp;
      results.emplace_back("Query", stub->Query(&ctx, req, &resp));
    }
    {
      grpc::ClientContext ctx;
      with_header(&ctx);
      v1::QueryRequest req;
      req.set_sql("SELECT 1");
      auto reader = stub->StreamQuery(&ctx, req);
      v1::StreamQueryResponse chunk;
      int chunks = 0;
      while (reader->Read(&chunk)) ++chunks;
      EXPECT_EQ(chunks, 0);
      results.emplace_back("StreamQuery", reader->Finish());
    }
    {
      grpc::ClientContext ctx;
      with_header(&ctx);
      v1::ExecuteRequest req;
      req.set_sql("INSERT INTO authz_t (who) VALUES ('intruder')");
      v1::ExecuteResponse resp;
      results.emplace_back("Execute", stub->Execute(&ctx, req, &resp));
    }
    {
      grpc::ClientContext ctx;
      with_header(&ctx);
      v1::ExecuteBatchRequest req;
      req.add_statements()->set_sql("INSERT INTO authz_t (who) VALUES ('intruder')");
      v1::ExecuteBatchResponse resp;
      results.emplace_back("ExecuteBatch", stub->ExecuteBatch(&ctx, req, &resp));
    }
    {
      grpc::ClientContext ctx;
      with_header(&ctx);
      v1::BeginTransactionRequest req;
      v1::BeginTransactionResponse resp;
      results.emplace_back("BeginTransaction", stub->BeginTransaction(&ctx, req, &resp));
    }
    {
      grpc::ClientContext ctx;
      with_header(&ctx);
      v1::CommitRequest req;
      req.set_transaction_id("tx-0-00000000000000000000000000000000");
      v1::CommitResponse resp;
      results.emplace_back("Commit", stub->Commit(&ctx, req, &resp));
    }
    {
      grpc::ClientContext ctx;
      with_header(&ctx);
      v1::RollbackRequest req;
      req.set_transaction_id("tx-0-00000000000000000000000000000000");
      v1::RollbackResponse resp;
      results.emplace_back("Rollback", stub->Rollback(&ctx, req, &resp));
    }
    {
      grpc::ClientContext ctx;
      with_header(&ctx);
      v1::StreamBinlogRequest req;
      req.set_now(true);
      req.set_mode(v1::StreamBinlogRequest::MODE_UNTIL_NOW);
      auto reader = v1::ChangeStream::NewStub(channel)->StreamBinlog(&ctx, req);
      v1::StreamBinlogResponse resp;
      int batches = 0;
      while (reader->Read(&resp)) ++batches;
      EXPECT_EQ(batches, 0);
      results.emplace_back("StreamBinlog", reader->Finish());
    }
    ASSERT_EQ(results.size(), 8u);
    for (const auto& [rpc, status] : results) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << rpc << ": " << status.error_message();
      EXPECT_FALSE(absl::StrContains(status.error_message(), TokenOf("admin")))
          << rpc << ": " << status.error_message();
    }
  }
  EXPECT_EQ(RootQuery(*server_, "SELECT COUNT(*) FROM mysqlgw_test.authz_t WHERE who = 'intruder'"),
            "0");
  // And a valid token still works on the same channel.
  Caller admin(channel, TokenOf("admin"));
  EXPECT_EQ(admin.Scalar("SELECT 7"), "7");
}

TEST_F(AuthTest, RevokedTokenIsRefusedOnTheNextCallAfterAReload) {
  // Two tokens for one principal (rotation), and a second principal.
  PrincipalSpec app{"app", "app-old-token-0123456789"};
  PrincipalSpec other{"other", TokenOf("other")};
  RunningGateway gw = Start({app, other}, {"--config_poll_ms=600000"});
  ASSERT_NE(gw.process, nullptr);
  Caller old_token(gw.address(), app.token);
  Caller new_token(gw.address(), "app-new-token-0123456789");
  Caller other_caller(gw.address(), other.token);
  EXPECT_EQ(old_token.Scalar("SELECT 1"), "1");
  EXPECT_EQ(new_token.Query("SELECT 1").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A transaction begun with the old token, before the revocation.
  std::string tx;
  ASSERT_TRUE(old_token.Begin(&tx).ok());

  // Rotate: the new token added, the old one removed, `other` revoked
  // entirely; SIGHUP reloads.
  GatewaySpec next;
  PrincipalSpec rotated{"app", "app-new-token-0123456789"};
  next.principals = {rotated};
  const std::string yaml = ConfigYaml(*server_, next);
  {
    const std::string tmp = gw.process->config_path() + ".tmp";
    std::ofstream(tmp) << yaml;
    ASSERT_EQ(std::rename(tmp.c_str(), gw.process->config_path().c_str()), 0);
  }
  gw.process->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] { return absl::StrContains(gw.process->Log(), "auth reloaded"); },
                         std::chrono::seconds(30)))
      << gw.process->Log();

  grpc::Status s = old_token.Query("SELECT 1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  s = other_caller.Query("SELECT 1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  EXPECT_EQ(other_caller.StreamBinlogUntilNow().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // The revoked token cannot finish its transaction either; the new token,
  // same principal, can.
  EXPECT_EQ(old_token.Commit(tx).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(new_token.Scalar("SELECT 2"), "2");
  EXPECT_TRUE(new_token.Rollback(tx).ok());
  EXPECT_FALSE(absl::StrContains(gw.process->Log(), app.token));
}

TEST_F(AuthTest, RevokedTokenIsRefusedAfterARestart) {
  PrincipalSpec app{"app", "restart-token-0123456789"};
  RunningGateway gw = Start({app});
  ASSERT_NE(gw.process, nullptr);
  Caller before(gw.address(), app.token);
  EXPECT_EQ(before.Scalar("SELECT 1"), "1");
  gw.process.reset();
  RunningGateway restarted = Start({{"app", "replacement-token-0123456789"}});
  ASSERT_NE(restarted.process, nullptr);
  Caller after(restarted.address(), app.token);
  EXPECT_EQ(after.Query("SELECT 1").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthTest, ATransactionBelongsToThePrincipalThatBeganIt) {
  RunningGateway gw = Start(MatrixPrincipals());
  ASSERT_NE(gw.process, nullptr);
  Caller writer(gw.address(), TokenOf("writer"));
  Caller admin(gw.address(), TokenOf("admin"));
  std::string tx;
  ASSERT_TRUE(writer.Begin(&tx).ok());
  ASSERT_TRUE(writer.Execute("INSERT INTO authz_t (who) VALUES ('writer/tx')", tx).ok());
  // Even an admin cannot use, commit or roll back someone else's
  // transaction: it does not exist for them (no hint that it does).
  v1::QueryRequest req;
  req.set_sql("SELECT COUNT(*) FROM authz_t");
  req.set_transaction_id(tx);
  EXPECT_EQ(admin.Query(req, nullptr).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(admin.Commit(tx).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(admin.Rollback(tx).error_code(), grpc::StatusCode::NOT_FOUND);
  // The owner's transaction is intact.
  ASSERT_TRUE(writer.Rollback(tx).ok());
  EXPECT_EQ(RootQuery(*server_, "SELECT COUNT(*) FROM mysqlgw_test.authz_t WHERE who = 'writer/tx'"),
            "0");
}

}  // namespace
}  // namespace mysqlgw::security
