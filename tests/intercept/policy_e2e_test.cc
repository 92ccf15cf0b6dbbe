// The interception policy end to end: the real gateway binary with Lua
// scripts, the allowlist, limits per principal, client address ranges and
// database quotas in its configuration file, real gRPC calls and a sandbox
// MariaDB. Every refusal is checked as the caller sees it (gRPC code, MySQL
// errno and SQLSTATE, a message naming what refused), and the data on the
// server shows whether a statement ran.
#include <atomic>
#include <chrono>
#include <fstream>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "server/sql/digest.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"
#include "tests/support/grpc_test_util.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::Sha256Hex;

// Every principal has the token "<name>-token" and full rights; what tells
// them apart is the interception section of each test.
const std::vector<std::string>& Principals() {
  static const auto* names = new std::vector<std::string>{
      "app", "admin", "other1", "other2", "conc", "qps", "rows", "tx", "remote", "local"};
  return *names;
}
std::string Token(const std::string& principal) { return principal + "-token"; }

using testing::DetailOf;
using testing::Eventually;

// `text` with every line indented by `spaces` (for a YAML block scalar).
std::string Indent(const std::string& text, int spaces) {
  const std::string pad(spaces, ' ');
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (std::string& line : lines) {
    if (!line.empty()) line = pad + line;
  }
  return absl::StrJoin(lines, "\n");
}

std::string TestdataPath(const std::string& name) {
  std::string error;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
      bazel::tools::cpp::runfiles::Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) return "";
  return runfiles->Rlocation("mysqlgw/tests/intercept/testdata/" + name);
}

// Turns a matching DELETE into a custom error, answers "whoami" statements
// with what the script sees of the call (two rows, NULLs included), and
// never returns from "SELECT 'spin'".
constexpr char kGuardScript[] = R"(function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local sql = packet:sub(2)
  if sql:find("DELETE FROM orders", 1, true) then
    proxy.response = { type = proxy.MYSQLD_PACKET_ERR, errcode = 1142,
                       sqlstate = "42000", errmsg = "guard: no deletes on orders" }
    return proxy.PROXY_SEND_RESULT
  end
  if sql:find("whoami", 1, true) then
    local names = {}
    for _, t in ipairs(proxy.statement.tables) do
      names[#names + 1] = (t.db ~= "" and (t.db .. ".") or "") .. t.name
    end
    proxy.response = { type = proxy.MYSQLD_PACKET_OK, resultset = {
      fields = { {name = "user"}, {name = "digest"}, {name = "tables"}, {name = "nothing"} },
      rows = { {proxy.connection.client.username, proxy.statement.digest,
                table.concat(names, ","), nil},
               {proxy.connection.client.address, proxy.statement.kind, nil, 42} } } }
    return proxy.PROXY_SEND_RESULT
  end
  if sql == "SELECT 'spin'" then
    while true do end
  end
end
)";

class PolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    for (const std::string& sql : std::vector<std::string>{
             "CREATE DATABASE IF NOT EXISTS policy_a",
             "CREATE DATABASE IF NOT EXISTS policy_q",
             "CREATE TABLE IF NOT EXISTS policy_a.orders (id INT PRIMARY KEY, item TEXT)",
             "REPLACE INTO policy_a.orders VALUES (1, 'apple'), (2, 'pear'), (3, 'plum')",
             "CREATE TABLE IF NOT EXISTS policy_a.tx_log (id INT PRIMARY KEY)",
             "GRANT ALL ON policy_a.* TO " + server_->user + "@'%'",
             "GRANT ALL ON policy_q.* TO " + server_->user + "@'%'",
         }) {
      auto r = testing::QueryAsRoot(*server_, sql);
      ASSERT_TRUE(r.ok()) << sql << ": " << r.status();
    }
  }

  // A gateway configuration whose interception section is `interception`
  // (YAML, indented by two spaces under "interception:").
  static std::string Config(const std::string& interception) {
    std::string principals;
    for (const std::string& name : Principals()) {
      absl::StrAppend(&principals, "    - name: ", name, "\n      token_sha256: [\"",
                      Sha256Hex(Token(name)),
                      "\"]\n      databases: [\"*\"]\n      operations: [read, write, ddl]\n");
    }
    return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 2
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/policy_a?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
auth:
  principals:
PRINCIPALS
interception:
INTERCEPTION
)",
                               {{"USER", server_->user},
                                {"PORT", std::to_string(server_->port)},
                                {"PRINCIPALS", principals},
                                {"INTERCEPTION", interception}});
  }

  static absl::StatusOr<std::unique_ptr<GatewayProcess>> TryStart(
      const std::string& interception, std::vector<std::string> extra_args = {}) {
    testing::GatewayProcessOptions options;
    options.config_yaml = Config(interception);
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", server_->password}};
    options.extra_args = std::move(extra_args);
    return GatewayProcess::Start(std::move(options));
  }

  // The gateway lives until TearDown, which closes the channel first.
  GatewayProcess* Start(const std::string& interception,
                        std::vector<std::string> extra_args = {}) {
    auto gw = TryStart(interception, std::move(extra_args));
    EXPECT_TRUE(gw.ok()) << gw.status();
    if (!gw.ok()) return nullptr;
    stub_ = v1::Gateway::NewStub(
        grpc::CreateChannel((*gw)->address(), grpc::InsecureChannelCredentials()));
    gateway_ = *std::move(gw);
    return gateway_.get();
  }

  // A gateway stopping while a client's channel is still connected waits
  // out its whole shutdown grace period for that channel to go.
  void TearDown() override {
    stub_.reset();
    gateway_.reset();
  }

  static void Authorize(grpc::ClientContext& ctx, const std::string& principal) {
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", Token(principal)));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  }

  grpc::Status Query(const std::string& sql, v1::QueryResponse* resp,
                     const std::string& principal = "app",
                     const std::string& transaction_id = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, principal);
    v1::QueryRequest req;
    req.set_sql(sql);
    req.set_transaction_id(transaction_id);
    return stub_->Query(&ctx, req, resp);
  }
  grpc::Status Query(const std::string& sql, const std::string& principal = "app") {
    v1::QueryResponse ignored;
    return Query(sql, &ignored, principal);
  }
  // The first column of the first row, as text.
  std::string Scalar(const std::string& sql, const std::string& principal = "app") {
    v1::QueryResponse resp;
    grpc::Status s = Query(sql, &resp, principal);
    EXPECT_TRUE(s.ok()) << sql << ": " << s.error_message();
    if (!s.ok() || resp.results_size() == 0 || resp.results(0).rows_size() == 0) return "";
    return Text(resp.results(0).rows(0).values(0));
  }
  static std::string Text(const v1::Value& v) {
    if (v.has_string()) return v.string();
    if (v.has_int64()) return std::to_string(v.int64());
    if (v.has_uint64()) return std::to_string(v.uint64());
    if (v.has_null()) return "NULL";
    return v.DebugString();
  }

  grpc::Status Begin(const std::string& principal, std::string* id,
                     std::chrono::seconds idle_timeout = std::chrono::seconds(0)) {
    grpc::ClientContext ctx;
    Authorize(ctx, principal);
    v1::BeginTransactionRequest req;
    if (idle_timeout.count() > 0) req.mutable_idle_timeout()->set_seconds(idle_timeout.count());
    v1::BeginTransactionResponse resp;
    grpc::Status s = stub_->BeginTransaction(&ctx, req, &resp);
    *id = resp.transaction_id();
    return s;
  }
  grpc::Status Commit(const std::string& principal, const std::string& id) {
    grpc::ClientContext ctx;
    Authorize(ctx, principal);
    v1::CommitRequest req;
    req.set_transaction_id(id);
    v1::CommitResponse resp;
    return stub_->Commit(&ctx, req, &resp);
  }

  static std::string RootScalar(const std::string& sql) {
    auto r = testing::QueryAsRoot(*server_, sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }

  static void Rewrite(const GatewayProcess& gw, const std::string& interception) {
    const std::string tmp = gw.config_path() + ".tmp";
    std::ofstream(tmp) << Config(interception);
    ASSERT_EQ(std::rename(tmp.c_str(), gw.config_path().c_str()), 0);
  }
  static std::string LuaSection() {
    return absl::StrCat(R"(
  lua_scripts:
    - name: rewrite
      file: ")",
                        TestdataPath("legacy_rewrite.lua"), R"("
    - name: guard
      max_instructions: 200000
      source: |
)",
                        Indent(kGuardScript, 8));
  }

  static const testing::ServerInfo* server_;
  std::unique_ptr<GatewayProcess> gateway_;
  std::unique_ptr<v1::Gateway::Stub> stub_;
};

const testing::ServerInfo* PolicyTest::server_ = nullptr;

// ---- Lua ----

TEST_F(PolicyTest, LuaRewritesRejectsAndAnswersWithWhatItSeesOfTheCall) {
  GatewayProcess* gw = Start(LuaSection());
  ASSERT_NE(gw, nullptr);

  // The file script: `legacy` does not exist; the server ran the rewrite.
  v1::QueryResponse resp;
  grpc::Status s = Query("SELECT id, item FROM legacy ORDER BY id", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.results_size(), 1);
  ASSERT_EQ(resp.results(0).rows_size(), 3);
  EXPECT_EQ(Text(resp.results(0).rows(1).values(1)), "pear");
  EXPECT_EQ(Text(resp.results(0).rows(2).values(1)), "plum");

  // A custom error, and the statement never reached the server.
  s = Query("DELETE FROM orders WHERE id = 3");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(DetailOf(s).code(), 1142u);
  EXPECT_EQ(DetailOf(s).sql_state(), "42000");
  EXPECT_EQ(DetailOf(s).message(), "guard: no deletes on orders");
  EXPECT_EQ(RootScalar("SELECT item FROM policy_a.orders WHERE id = 3"), "plum");

  // A synthetic result holding the principal, the statement's digest and
  // tables as the script saw them.
  const std::string whoami = "SELECT /* whoami */ item FROM policy_a.orders WHERE id = 77";
  resp.Clear();
  s = Query(whoami, &resp, "other1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.results_size(), 1);
  const v1::ResultSet& rs = resp.results(0);
  ASSERT_EQ(rs.columns_size(), 4);
  EXPECT_EQ(rs.columns(0).name(), "user");
  EXPECT_EQ(rs.columns(3).name(), "nothing");
  ASSERT_EQ(rs.rows_size(), 2);
  EXPECT_EQ(Text(rs.rows(0).values(0)), "other1");
  EXPECT_EQ(Text(rs.rows(0).values(1)), DigestHex(DigestStatement(whoami).hash));
  EXPECT_EQ(Text(rs.rows(0).values(2)), "policy_a.orders");
  EXPECT_TRUE(rs.rows(0).values(3).has_null());
  EXPECT_EQ(Text(rs.rows(1).values(0)), "127.0.0.1");
  EXPECT_EQ(Text(rs.rows(1).values(1)), "select");
  EXPECT_TRUE(rs.rows(1).values(2).has_null());
  EXPECT_EQ(Text(rs.rows(1).values(3)), "42");
  // Other literals, the same digest; another principal.
  resp.Clear();
  ASSERT_TRUE(Query("SELECT /* whoami */ item FROM policy_a.orders WHERE id = 1", &resp).ok());
  ASSERT_EQ(resp.results_size(), 1);
  ASSERT_EQ(resp.results(0).rows_size(), 2);
  EXPECT_EQ(Text(resp.results(0).rows(0).values(0)), "app");
  EXPECT_EQ(Text(resp.results(0).rows(0).values(1)), DigestHex(DigestStatement(whoami).hash));

  // Statements neither script touches run as sent.
  EXPECT_EQ(Scalar("SELECT item FROM orders WHERE id = 1"), "apple");
}

TEST_F(PolicyTest, LuaRunawayScriptIsStoppedAndTheGatewayGoesOn) {
  GatewayProcess* gw = Start(LuaSection());
  ASSERT_NE(gw, nullptr);
  // Both event loops get a runaway call: each shard's state must recover.
  for (int i = 0; i < 4; ++i) {
    const auto start = std::chrono::steady_clock::now();
    grpc::Status s = Query("SELECT 'spin'");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_EQ(DetailOf(s).code(), 1105u);
    EXPECT_EQ(DetailOf(s).sql_state(), "HY000");
    EXPECT_TRUE(absl::StrContains(s.error_message(), "lua script 'guard'")) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "instruction limit of 200000 exceeded"))
        << s.error_message();
    // The next call on the same policy, script included, works.
    EXPECT_EQ(Scalar("SELECT 'after spin'"), "after spin");
    EXPECT_EQ(Scalar("SELECT item FROM legacy WHERE id = 2"), "pear");
  }
  EXPECT_EQ(Scalar("SELECT 1 + 1"), "2");
}

TEST_F(PolicyTest, LuaScriptThatFailsToLoadStopsStartupAndIsRefusedOnReload) {
  const std::string broken = R"(
    - name: broken
      source: |
        function read_query(packet)
          if packet = 1 then return end
        end
)";
  auto refused = TryStart(LuaSection() + broken);
  ASSERT_FALSE(refused.ok()) << "a gateway started with a script that does not load";
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "lua script 'broken'"))
      << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "broken:2:")) << refused.status();

  // Hot reload: the broken script is refused, the running policy stays.
  GatewayProcess* gw = Start(LuaSection(), {"--config_poll_ms=100"});
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(Scalar("SELECT item FROM legacy WHERE id = 1"), "apple");
  Rewrite(*gw, LuaSection() + broken);
  EXPECT_TRUE(Eventually([&] { return absl::StrContains(gw->Log(), "rejected"); }))
      << gw->Log();
  EXPECT_TRUE(absl::StrContains(gw->Log(), "lua script 'broken'")) << gw->Log();
  EXPECT_TRUE(absl::StrContains(gw->Log(), "broken:2:")) << gw->Log();
  EXPECT_EQ(Scalar("SELECT item FROM legacy WHERE id = 1"), "apple");
  EXPECT_EQ(Query("DELETE FROM orders WHERE id = 1").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A valid reload still takes effect: without scripts `legacy` is unknown.
  Rewrite(*gw, "  rules: []\n");
  EXPECT_TRUE(Eventually([&] {
    return DetailOf(Query("SELECT item FROM legacy WHERE id = 1")).code() == 1146;
  })) << gw->Log();
}

// ---- Allowlist ----

TEST_F(PolicyTest, AllowlistProtectLetsOnlyTheDigestAndExemptPrincipalsThrough) {
  const std::string allowed = "SELECT item FROM orders WHERE id = 1";
  const std::string other_literal = "SELECT item FROM orders WHERE id = 2";
  const std::string refused = "SELECT id FROM orders ORDER BY id";
  ASSERT_EQ(DigestStatement(allowed).hash, DigestStatement(other_literal).hash);
  const std::string allowed_hex = DigestHex(DigestStatement(allowed).hash);
  const std::string refused_hex = DigestHex(DigestStatement(refused).hash);
  GatewayProcess* gw = Start(absl::StrCat(R"(
  allowlist:
    mode: protect
    exempt_principals: [admin]
    entries:
      - principal: app
        digests: [")",
                               allowed_hex, R"("]
)"));
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(Scalar(other_literal), "pear");

  grpc::Status s = Query(refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(DetailOf(s).code(), 1227u);
  EXPECT_EQ(DetailOf(s).sql_state(), "42000");
  EXPECT_TRUE(absl::StrContains(DetailOf(s).message(), refused_hex)) << DetailOf(s).message();
  EXPECT_TRUE(absl::StrContains(DetailOf(s).message(), "'app'")) << DetailOf(s).message();

  // Writes are statements like any other: refused before the server.
  s = Query("UPDATE orders SET item = 'banana' WHERE id = 1");
  EXPECT_EQ(DetailOf(s).code(), 1227u);
  EXPECT_EQ(RootScalar("SELECT item FROM policy_a.orders WHERE id = 1"), "apple");

  EXPECT_EQ(Scalar(refused, "admin"), "1");
  // Entries are per principal: another one has none.
  s = Query(allowed, "other1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(DetailOf(s).message(), allowed_hex)) << DetailOf(s).message();
}

TEST_F(PolicyTest, AllowlistDetectRunsEverythingAndLogsWhatProtectWouldRefuse) {
  const std::string allowed = "SELECT item FROM orders WHERE id = 1";
  const std::string unlisted = "SELECT COUNT(*) FROM orders WHERE item <> 'x'";
  const std::string allowed_hex = DigestHex(DigestStatement(allowed).hash);
  const std::string unlisted_hex = DigestHex(DigestStatement(unlisted).hash);
  GatewayProcess* gw = Start(absl::StrCat(R"(
  allowlist:
    mode: detect
    entries:
      - principal: "*"
        digests: [")",
                               allowed_hex, R"("]
)"));
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(Scalar(allowed), "apple");
  EXPECT_EQ(Scalar(unlisted), "3");
  EXPECT_TRUE(Eventually([&] {
    return absl::StrContains(gw->Log(), absl::StrCat("allowlist: statement digest ",
                                                     unlisted_hex, " of principal 'app'"));
  })) << gw->Log();
  const std::string log = gw->Log();
  EXPECT_TRUE(absl::StrContains(log, "detect mode")) << log;
  EXPECT_FALSE(absl::StrContains(log, allowed_hex)) << log;
  // Literals are not logged, only the digest text.
  EXPECT_FALSE(absl::StrContains(log, "'x'")) << log;
}

// ---- Limits per principal ----

TEST_F(PolicyTest, ConcurrentCallsAreCappedAndTheirSlotsReleased) {
  GatewayProcess* gw = Start(R"(
  principal_limits:
    - principal: conc
      max_concurrent_calls: 2
)");
  ASSERT_NE(gw, nullptr);
  auto round = [&](int calls, const std::string& sql) {
    std::vector<grpc::Status> results(calls);
    std::latch go(calls);
    std::vector<std::thread> threads;
    for (int i = 0; i < calls; ++i) {
      threads.emplace_back([&, i] {
        go.arrive_and_wait();
        results[i] = Query(sql, "conc");
      });
    }
    for (auto& t : threads) t.join();
    return results;
  };
  std::vector<grpc::Status> results = round(3, "SELECT SLEEP(1)");
  int ok = 0;
  for (const grpc::Status& s : results) {
    if (s.ok()) {
      ++ok;
      continue;
    }
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_EQ(DetailOf(s).code(), 1226u);
    EXPECT_EQ(DetailOf(s).sql_state(), "42000");
    EXPECT_TRUE(absl::StrContains(s.error_message(), "max_concurrent_calls (2)"))
        << s.error_message();
  }
  EXPECT_EQ(ok, 2);
  // Other principals are not counted against it.
  EXPECT_EQ(Scalar("SELECT 'app'"), "app");
  // Every slot came back, including the refused call's (it took none).
  for (const grpc::Status& s : round(2, "SELECT SLEEP(0.3)")) {
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Scalar("SELECT 7", "conc"), "7");
}

TEST_F(PolicyTest, QueryRateRowCapAndTheWildcardEntry) {
  GatewayProcess* gw = Start(R"(
  principal_limits:
    - principal: qps
      queries_per_second: 0.2
      queries_burst: 3
    - principal: rows
      max_rows_per_result: 5
    - principal: "*"
      queries_per_second: 0.01
      queries_burst: 2
      max_rows_per_result: 3
)");
  ASSERT_NE(gw, nullptr);

  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Query("SELECT 1", "qps").ok()) << i;
  grpc::Status s = Query("SELECT 1", "qps");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(DetailOf(s).code(), 1226u);
  EXPECT_EQ(DetailOf(s).sql_state(), "42000");
  EXPECT_TRUE(absl::StrContains(s.error_message(), "queries_per_second (0.2)"))
      << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "'qps'")) << s.error_message();

  // Its own entry replaces "*" entirely: no query rate for "rows".
  v1::QueryResponse resp;
  for (int i = 0; i < 4; ++i) {
    resp.Clear();
    ASSERT_TRUE(Query("SELECT seq FROM seq_1_to_5", &resp, "rows").ok()) << i;
    ASSERT_EQ(resp.results_size(), 1);
    EXPECT_EQ(resp.results(0).rows_size(), 5);
  }
  s = Query("SELECT seq FROM seq_1_to_6", &resp, "rows");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "max_rows")) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "(5 rows)")) << s.error_message();
  EXPECT_EQ(DetailOf(s).code(), 1226u);
  EXPECT_EQ(DetailOf(s).sql_state(), "42000");

  // "*" applies to principals without an entry, each with its own bucket.
  resp.Clear();
  ASSERT_TRUE(Query("SELECT seq FROM seq_1_to_3", &resp, "other1").ok());
  EXPECT_EQ(resp.results(0).rows_size(), 3);
  s = Query("SELECT seq FROM seq_1_to_4", &resp, "other1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "(3 rows)")) << s.error_message();
  s = Query("SELECT 1", "other1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "principal 'other1'")) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "queries_per_second (0.01)"))
      << s.error_message();
  EXPECT_EQ(Scalar("SELECT 'own bucket'", "other2"), "own bucket");
}

TEST_F(PolicyTest, OpenTransactionsAreCappedUntilCommitOrIdleExpiry) {
  ASSERT_TRUE(testing::QueryAsRoot(*server_, "DELETE FROM policy_a.tx_log").ok());
  GatewayProcess* gw = Start(R"(
  principal_limits:
    - principal: tx
      max_open_transactions: 1
)");
  ASSERT_NE(gw, nullptr);

  std::string first;
  ASSERT_TRUE(Begin("tx", &first).ok());
  std::string second;
  grpc::Status s = Begin("tx", &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(DetailOf(s).code(), 1226u);
  EXPECT_EQ(DetailOf(s).sql_state(), "42000");
  EXPECT_TRUE(absl::StrContains(s.error_message(), "max_open_transactions (1)"))
      << s.error_message();
  // The limit is per principal.
  std::string app_tx;
  ASSERT_TRUE(Begin("app", &app_tx).ok());
  ASSERT_TRUE(Commit("app", app_tx).ok());

  v1::QueryResponse resp;
  ASSERT_TRUE(Query("INSERT INTO tx_log VALUES (1)", &resp, "tx", first).ok());
  ASSERT_TRUE(Commit("tx", first).ok());
  EXPECT_EQ(RootScalar("SELECT COUNT(*) FROM policy_a.tx_log"), "1");

  // Committing gave the slot back.
  std::string idle;
  ASSERT_TRUE(Begin("tx", &idle, std::chrono::seconds(1)).ok());
  ASSERT_TRUE(Query("INSERT INTO tx_log VALUES (2)", &resp, "tx", idle).ok());
  EXPECT_EQ(Begin("tx", &second).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Expiry by idle timeout gives it back too (and rolls back the write).
  const auto idle_since = std::chrono::steady_clock::now();
  std::string third;
  EXPECT_TRUE(Eventually([&] { return Begin("tx", &third).ok(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - idle_since, std::chrono::milliseconds(900));
  s = Query("SELECT 1", &resp, "tx", idle);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "expired")) << s.error_message();
  EXPECT_EQ(RootScalar("SELECT COUNT(*) FROM policy_a.tx_log"), "1");
  ASSERT_FALSE(third.empty());
  EXPECT_TRUE(Commit("tx", third).ok());
}

// ---- Client addresses ----

TEST_F(PolicyTest, ClientAddressRangesRefuseCallersOutsideThem) {
  GatewayProcess* gw = Start(R"(
  client_addresses:
    - principal: remote
      cidrs: ["10.0.0.0/8"]
    - principal: local
      cidrs: ["192.168.0.0/16", "127.0.0.0/8"]
)");
  ASSERT_NE(gw, nullptr);
  grpc::Status s = Query("SELECT 1", "remote");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(DetailOf(s).code(), 1130u);
  EXPECT_EQ(DetailOf(s).sql_state(), "HY000");
  EXPECT_TRUE(absl::StrContains(s.error_message(), "127.0.0.1")) << s.error_message();
  // Every call kind is checked, not only statements.
  std::string id;
  s = Begin("remote", &id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(DetailOf(s).code(), 1130u);
  EXPECT_TRUE(id.empty());

  EXPECT_EQ(Scalar("SELECT 'local ok'", "local"), "local ok");
  // A principal without an entry may call from anywhere.
  EXPECT_EQ(Scalar("SELECT 'app ok'", "app"), "app ok");
}

// ---- Database quotas ----

TEST_F(PolicyTest, DatabaseQuotaRejectsWritesUntilSpaceIsFreed) {
  for (const char* sql : {
           "DROP TABLE IF EXISTS policy_q.blobs",
           "CREATE TABLE policy_q.blobs (id INT AUTO_INCREMENT PRIMARY KEY, payload "
           "VARCHAR(3000)) ENGINE=InnoDB",
           "ANALYZE TABLE policy_q.blobs",
       }) {
    ASSERT_TRUE(testing::QueryAsRoot(*server_, sql).ok()) << sql;
  }
  GatewayProcess* gw = Start(R"(
  database_quotas:
    - database: policy_q
      max_bytes: 65536
      refresh_interval: "1s"
)");
  ASSERT_NE(gw, nullptr);
  const std::string probe = "INSERT INTO policy_q.blobs (payload) VALUES ('probe')";
  ASSERT_TRUE(Query(probe).ok());
  // About 600 KB, far over 64 KiB once the statistics know it.
  grpc::Status s = Query(
      "INSERT INTO policy_q.blobs (payload) SELECT REPEAT('x', 3000) FROM seq_1_to_200");
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(testing::QueryAsRoot(*server_, "ANALYZE TABLE policy_q.blobs").ok());
  const std::string size_sql =
      "SELECT data_length + index_length FROM information_schema.tables "
      "WHERE table_schema = 'policy_q' AND table_name = 'blobs'";
  ASSERT_GT(std::stoull(RootScalar(size_sql)), 65536u);

  grpc::Status refused;
  EXPECT_TRUE(Eventually([&] {
    refused = Query(probe);
    return !refused.ok();
  })) << "writes still accepted; log:\n"
      << gw->Log();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << refused.error_message();
  EXPECT_EQ(DetailOf(refused).code(), 1114u);
  EXPECT_EQ(DetailOf(refused).sql_state(), "HY000");
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "database 'policy_q'"))
      << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "64.0 KiB")) << refused.error_message();

  // Refused writes never reach the server; reads and deletes go on.
  const std::string rows = RootScalar("SELECT COUNT(*) FROM policy_q.blobs");
  s = Query("UPDATE policy_q.blobs SET payload = 'y' WHERE id = 1");
  EXPECT_EQ(DetailOf(s).code(), 1114u) << s.error_message();
  EXPECT_EQ(Query(probe).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(RootScalar("SELECT COUNT(*) FROM policy_q.blobs"), rows);
  EXPECT_EQ(RootScalar("SELECT payload FROM policy_q.blobs WHERE id = 1"), "probe");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM policy_q.blobs"), rows);
  v1::QueryResponse resp;
  s = Query("DELETE FROM policy_q.blobs WHERE id = 1", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.results_size(), 1);
  EXPECT_EQ(resp.results(0).outcome().affected_rows(), 1u);
  // Other databases are not limited.
  EXPECT_TRUE(Query("UPDATE orders SET item = 'apple' WHERE id = 1").ok());

  ASSERT_TRUE(testing::QueryAsRoot(*server_, "TRUNCATE TABLE policy_q.blobs").ok());
  ASSERT_TRUE(testing::QueryAsRoot(*server_, "ANALYZE TABLE policy_q.blobs").ok());
  EXPECT_TRUE(Eventually([&] { return Query(probe).ok(); })) << gw->Log();
  EXPECT_EQ(RootScalar("SELECT COUNT(*) FROM policy_q.blobs"), "1");
}

}  // namespace
}  // namespace mysqlgw
