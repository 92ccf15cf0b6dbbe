#include "server/intercept/lua/lua_hook.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Row = std::vector<std::optional<std::string>>;

constexpr char kTestdata[] = "server/intercept/lua/testdata/";

v1::LuaScriptConfig Inline(const std::string& name, const std::string& source) {
  v1::LuaScriptConfig config;
  config.set_name(name);
  config.set_source(source);
  config.set_max_instructions(100'000);
  config.set_max_memory_bytes(4u << 20);
  return config;
}

std::unique_ptr<LuaHook> MustCreate(const v1::LuaScriptConfig& config, size_t shards = 1) {
  absl::StatusOr<std::unique_ptr<LuaHook>> hook = LuaHook::Create(config, shards);
  EXPECT_TRUE(hook.ok()) << hook.status();
  return hook.ok() ? *std::move(hook) : nullptr;
}

std::unique_ptr<LuaHook> MustCreate(const std::string& source, size_t shards = 1) {
  return MustCreate(Inline("s", source), shards);
}

class LuaHookTest : public ::testing::Test {
 protected:
  LuaHookTest() {
    client_.principal = "app";
    client_.address = *ClientAddress::Parse("10.1.2.3");
    client_.protocol = ClientInfo::Protocol::kMySql;
  }

  StatementContext Ctx(const std::string& sql, size_t shard = 0) {
    StatementContext ctx;
    ctx.client = &client_;
    ctx.shard = shard;
    ctx.database = "shop";
    ctx.sql = sql;
    ctx.kind = StatementKind::kSelect;
    return ctx;
  }

  // Runs read_query on `sql` and returns the plan.
  StatementPlan Query(LuaHook& hook, const std::string& sql, size_t shard = 0) {
    StatementContext ctx = Ctx(sql, shard);
    StatementPlan plan;
    hook.ReadQuery(ctx, plan);
    return plan;
  }

  ClientInfo client_;
};

void ExpectServerError(const absl::Status& status, absl::StatusCode code, uint16_t mysql_errno,
                       const std::string& sql_state, const std::string& message_part) {
  EXPECT_EQ(status.code(), code) << status;
  std::optional<mysqlwire::ServerError> error = mysqlwire::GetServerError(status);
  ASSERT_TRUE(error.has_value()) << status;
  EXPECT_EQ(error->code, mysql_errno);
  EXPECT_EQ(error->sql_state, sql_state);
  EXPECT_THAT(error->message, HasSubstr(message_part));
}

TEST_F(LuaHookTest, RewriteViaQueriesAppendAndReadQueryResult) {
  v1::LuaScriptConfig config;
  config.set_name("archive");
  config.set_file(std::string(kTestdata) + "rewrite_and_observe.lua");
  auto hook = MustCreate(config);
  ASSERT_NE(hook, nullptr);
  EXPECT_EQ(hook->name(), "archive");

  StatementContext ctx = Ctx("SELECT * FROM orders WHERE id = 1");
  StatementPlan plan;
  hook->ReadQuery(ctx, plan);
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kPass);
  EXPECT_EQ(ctx.sql, "SELECT * FROM orders_archive WHERE id = 1");
  EXPECT_THAT(plan.matched_rules, ElementsAre("lua:archive"));

  ResultInfo result;
  result.rows = 5;
  result.latency = std::chrono::microseconds(1234);
  EXPECT_TRUE(hook->ReadQueryResult(ctx, plan, result).ok());
  StatementPlan stats = Query(*hook, "stats");
  ASSERT_EQ(stats.verdict, StatementPlan::Verdict::kRespond);
  EXPECT_THAT(stats.response.columns, ElementsAre("id", "rows", "time", "query"));
  EXPECT_THAT(stats.response.rows,
              ElementsAre(Row{"7", "5", "1234", "SELECT * FROM orders_archive WHERE id = 1"}));

  // Too many rows: the outcome becomes the script's error.
  StatementContext big = Ctx("SELECT * FROM orders");
  StatementPlan big_plan;
  hook->ReadQuery(big, big_plan);
  result.rows = 500;
  ExpectServerError(hook->ReadQueryResult(big, big_plan, result),
                    absl::StatusCode::kPermissionDenied, 1317, "70100",
                    "too many rows from the archive");
  EXPECT_EQ(hook->errors(), 0u);
}

TEST_F(LuaHookTest, ReadQueryResultOnlyForInjectedQueriesUnlessObserveAll) {
  auto hook = MustCreate(R"(
    seen = 0
    function read_query(packet)
      local sql = packet:sub(2)
      if sql == "observe" then proxy.global.observe_all = true end
      if sql == "count" then
        proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                           resultset = { fields = { {name = "seen"} }, rows = { {seen} } } }
        return proxy.PROXY_SEND_RESULT
      end
    end
    function read_query_result(inj)
      seen = seen + 1
      last_status = inj.status
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementContext ctx = Ctx("SELECT 1");
  StatementPlan plan;
  hook->ReadQuery(ctx, plan);
  EXPECT_TRUE(plan.matched_rules.empty());
  EXPECT_TRUE(hook->ReadQueryResult(ctx, plan, ResultInfo()).ok());
  EXPECT_THAT(Query(*hook, "count").response.rows, ElementsAre(Row{"0"}));

  Query(*hook, "observe");
  EXPECT_TRUE(hook->ReadQueryResult(ctx, plan, ResultInfo()).ok());
  EXPECT_THAT(Query(*hook, "count").response.rows, ElementsAre(Row{"1"}));
}

TEST_F(LuaHookTest, ReadQueryResultSeesErrors) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      if packet:sub(2) == "show" then
        proxy.response = { type = proxy.MYSQLD_PACKET_OK,
          resultset = { fields = {"status", "code", "state", "msg", "bytes", "affected", "qs",
                                  "be"},
                        rows = { last } } }
        return proxy.PROXY_SEND_RESULT
      end
      proxy.global.observe_all = true
    end
    function read_query_result(inj)
      last = { inj.status, inj.errcode, inj.sqlstate, inj.errmsg, inj.resultset.bytes,
               inj.resultset.affected_rows, inj.resultset.query_status, inj.backend }
      return proxy.PROXY_IGNORE_RESULT
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementContext ctx = Ctx("DELETE FROM t");
  StatementPlan plan;
  hook->ReadQuery(ctx, plan);
  ResultInfo result;
  result.status = mysqlwire::ServerErrorStatus({1205, "HY000", "Lock wait timeout exceeded"});
  result.bytes = 10;
  result.affected_rows = 3;
  result.backend = "primary";
  EXPECT_TRUE(hook->ReadQueryResult(ctx, plan, result).ok());
  EXPECT_THAT(Query(*hook, "show").response.rows,
              ElementsAre(Row{"error", "1205", "HY000", "Lock wait timeout exceeded", "10", "3",
                              "255", "primary"}));
}

TEST_F(LuaHookTest, InterleavedInjectionsKeepTheirIds) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      local sql = packet:sub(2)
      if sql == "ids" then
        proxy.response = { type = proxy.MYSQLD_PACKET_OK,
          resultset = { fields = {"ids"}, rows = { {table.concat(ids, ",")} } } }
        return proxy.PROXY_SEND_RESULT
      end
      proxy.queries:append(tonumber(sql), string.char(proxy.COM_QUERY) .. "SELECT " .. sql)
    end
    ids = {}
    function read_query_result(inj) ids[#ids + 1] = inj.id .. "=" .. inj.query:sub(2) end
  )");
  ASSERT_NE(hook, nullptr);
  StatementContext a = Ctx("11"), b = Ctx("22");
  StatementPlan plan_a, plan_b;
  hook->ReadQuery(a, plan_a);
  hook->ReadQuery(b, plan_b);
  EXPECT_TRUE(hook->ReadQueryResult(b, plan_b, ResultInfo()).ok());
  EXPECT_TRUE(hook->ReadQueryResult(a, plan_a, ResultInfo()).ok());
  // Without the marker (another plan), no injection is reported.
  EXPECT_TRUE(hook->ReadQueryResult(a, StatementPlan(), ResultInfo()).ok());
  EXPECT_THAT(Query(*hook, "ids").response.rows, ElementsAre(Row{"22=SELECT 22,11=SELECT 11"}));
}

TEST_F(LuaHookTest, RejectWithCustomErrcodeAndSqlstate) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      local sql = packet:sub(2)
      if sql:find("DROP") then
        proxy.response = { type = proxy.MYSQLD_PACKET_ERR, errmsg = "DROP is not allowed here",
                           errcode = 1142, sqlstate = "42000" }
        return proxy.PROXY_SEND_RESULT
      elseif sql:find("TRUNCATE") then
        proxy.response = { type = proxy.MYSQLD_PACKET_ERR }
        return proxy.PROXY_SEND_RESULT
      end
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementPlan plan = Query(*hook, "DROP TABLE t");
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  ExpectServerError(plan.rejection, absl::StatusCode::kPermissionDenied, 1142, "42000",
                    "DROP is not allowed here");
  EXPECT_THAT(plan.matched_rules, ElementsAre("lua:s"));

  plan = Query(*hook, "TRUNCATE t");
  ExpectServerError(plan.rejection, absl::StatusCode::kPermissionDenied, 1105, "HY000",
                    "statement rejected by lua script 's'");
  EXPECT_EQ(hook->errors(), 0u);
}

TEST_F(LuaHookTest, SyntheticResultWithFieldsRowsAndNulls) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      if packet:sub(2) == "SELECT @@version" then
        proxy.response = {
          type = proxy.MYSQLD_PACKET_OK,
          resultset = {
            fields = { {name = "a", type = proxy.MYSQL_TYPE_LONG},
                       {name = "b", type = proxy.MYSQL_TYPE_STRING},
                       {name = "c", type = proxy.MYSQL_TYPE_DOUBLE} },
            rows = { {1, "x", 1.5}, {2, nil, nil}, {-3, true, 0.1}, {} },
          },
        }
        return proxy.PROXY_SEND_RESULT
      end
      proxy.response = { type = proxy.MYSQLD_PACKET_OK, affected_rows = 4, insert_id = 99,
                         info = "Rows matched: 4" }
      return proxy.PROXY_SEND_RESULT
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementPlan plan = Query(*hook, "SELECT @@version");
  ASSERT_EQ(plan.verdict, StatementPlan::Verdict::kRespond);
  EXPECT_THAT(plan.response.columns, ElementsAre("a", "b", "c"));
  EXPECT_THAT(plan.response.rows,
              ElementsAre(Row{"1", "x", "1.5"}, Row{"2", std::nullopt, std::nullopt},
                          Row{"-3", "1", "0.1"}, Row{std::nullopt, std::nullopt, std::nullopt}));

  plan = Query(*hook, "UPDATE t SET x = 1");
  ASSERT_EQ(plan.verdict, StatementPlan::Verdict::kRespond);
  EXPECT_TRUE(plan.response.columns.empty());
  EXPECT_TRUE(plan.response.rows.empty());
  EXPECT_EQ(plan.response.affected_rows, 4u);
  EXPECT_EQ(plan.response.last_insert_id, 99u);
  EXPECT_EQ(plan.response.info, "Rows matched: 4");
}

TEST_F(LuaHookTest, PassThrough) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      if packet:sub(2) == "a" then return proxy.PROXY_SEND_QUERY end
    end
  )");
  ASSERT_NE(hook, nullptr);
  for (const char* sql : {"a", "b"}) {
    StatementContext ctx = Ctx(sql);
    StatementPlan plan;
    hook->ReadQuery(ctx, plan);
    EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kPass);
    EXPECT_EQ(ctx.sql, sql);
    EXPECT_EQ(plan.route.kind, RouteTarget::Kind::kDefault);
    EXPECT_TRUE(plan.matched_rules.empty());
  }
  EXPECT_EQ(hook->errors(), 0u);
}

TEST_F(LuaHookTest, OnlyReadQueryResultIsEnough) {
  auto hook = MustCreate("function read_query_result(inj) end");
  ASSERT_NE(hook, nullptr);
  EXPECT_EQ(Query(*hook, "SELECT 1").verdict, StatementPlan::Verdict::kPass);
}

TEST_F(LuaHookTest, Route) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      local sql = packet:sub(2)
      if sql:find("^SELECT") then proxy.route("replica")
      elseif sql:find("^CALL") then proxy.route("analytics")
      elseif sql == "empty" then proxy.route("") end
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementPlan plan = Query(*hook, "SELECT 1");
  EXPECT_EQ(plan.route.kind, RouteTarget::Kind::kReplica);
  EXPECT_THAT(plan.matched_rules, ElementsAre("lua:s"));
  plan = Query(*hook, "CALL report()");
  EXPECT_EQ(plan.route.kind, RouteTarget::Kind::kNamed);
  EXPECT_EQ(plan.route.backend, "analytics");
  EXPECT_EQ(Query(*hook, "INSERT").route.kind, RouteTarget::Kind::kDefault);
  plan = Query(*hook, "empty");
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  EXPECT_THAT(plan.rejection.message(), HasSubstr("proxy.route: empty target"));
}

TEST_F(LuaHookTest, ConnectionAndStatementFields) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      local c, s = proxy.connection.client, proxy.statement
      local tables = {}
      for i, t in ipairs(s.tables) do tables[i] = t.db .. "." .. t.name end
      proxy.response = { type = proxy.MYSQLD_PACKET_OK, resultset = {
        fields = {"user", "addr", "db", "proto", "sql", "digest", "text", "kind", "tables", "tx",
                  "packet"},
        rows = { {c.username, c.address, c.default_db, c.protocol, s.sql, s.digest, s.digest_text,
                  s.kind, table.concat(tables, ","), s.in_transaction,
                  packet:byte() == proxy.COM_QUERY and #packet == #s.sql + 1} } } }
      return proxy.PROXY_SEND_RESULT
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementContext ctx = Ctx("SELECT * FROM a JOIN sales.b WHERE x = 1");
  ctx.digest = 0x0123456789abcdefULL;
  ctx.digest_text = "SELECT * FROM `a` JOIN `sales`.`b` WHERE `x` = ?";
  ctx.tables = {{"", "a"}, {"sales", "b"}};
  ctx.in_transaction = true;
  StatementPlan plan;
  hook->ReadQuery(ctx, plan);
  ASSERT_EQ(plan.verdict, StatementPlan::Verdict::kRespond) << plan.rejection;
  EXPECT_THAT(plan.response.rows,
              ElementsAre(Row{"app", "10.1.2.3", "shop", "mysql",
                              "SELECT * FROM a JOIN sales.b WHERE x = 1", "0123456789abcdef",
                              "SELECT * FROM `a` JOIN `sales`.`b` WHERE `x` = ?", "select",
                              ".a,sales.b", "1", "1"}));

  // Another caller on the same shard: nothing left over from the first.
  ClientInfo other;
  other.principal = "batch";
  ctx = Ctx("DELETE FROM t");
  ctx.client = &other;
  ctx.database = "";
  ctx.kind = StatementKind::kDelete;
  plan = StatementPlan();
  hook->ReadQuery(ctx, plan);
  ASSERT_EQ(plan.verdict, StatementPlan::Verdict::kRespond) << plan.rejection;
  EXPECT_THAT(plan.response.rows,
              ElementsAre(Row{"batch", "", "", "grpc", "DELETE FROM t", "0000000000000000", "",
                              "delete", "", "0", "1"}));
}

TEST_F(LuaHookTest, SandboxInsideHooks) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      local ok_load = pcall(function() assert(load("\27Lua\84\0", "b", "b")) end)
      local ok_dofile = pcall(function() dofile("/etc/passwd") end)
      proxy.response = { type = proxy.MYSQLD_PACKET_OK, resultset = {
        fields = {"io", "os", "require", "package", "debug", "load_binary", "dofile"},
        rows = { {type(io), type(os), type(require), type(package), type(debug), ok_load,
                  ok_dofile} } } }
      return proxy.PROXY_SEND_RESULT
    end
  )");
  ASSERT_NE(hook, nullptr);
  EXPECT_THAT(Query(*hook, "x").response.rows,
              ElementsAre(Row{"nil", "nil", "nil", "nil", "nil", "0", "0"}));
}

TEST_F(LuaHookTest, RunawayLoopIsStoppedAndTheNextCallWorks) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      if packet:sub(2) == "loop" then
        while true do end
      end
      proxy.response = { type = proxy.MYSQLD_PACKET_OK, resultset = {
        fields = {"ok"}, rows = { {1} } } }
      return proxy.PROXY_SEND_RESULT
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementPlan plan = Query(*hook, "loop");
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  ExpectServerError(plan.rejection, absl::StatusCode::kResourceExhausted, 1105, "HY000",
                    "lua script 's': s:4: instruction limit of 100000 exceeded");
  EXPECT_EQ(hook->errors(), 1u);
  plan = Query(*hook, "next");
  ASSERT_EQ(plan.verdict, StatementPlan::Verdict::kRespond) << plan.rejection;
  EXPECT_THAT(plan.response.rows, ElementsAre(Row{"1"}));
  EXPECT_EQ(hook->errors(), 1u);
}

TEST_F(LuaHookTest, MemoryBombIsStoppedAndTheNextCallWorks) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      if packet:sub(2) == "bomb" then
        local s = "x"
        while true do s = s .. string.rep(s, 2) end
      end
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementPlan plan = Query(*hook, "bomb");
  ExpectServerError(plan.rejection, absl::StatusCode::kResourceExhausted, 1105, "HY000",
                    "lua script 's': memory limit of 4194304 bytes exceeded");
  EXPECT_LE(hook->memory_used(0), 4u << 20);
  plan = Query(*hook, "SELECT 1");
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kPass) << plan.rejection;
  EXPECT_EQ(hook->errors(), 1u);
}

TEST_F(LuaHookTest, RuntimeErrorInTheHook) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      local t = nil
      return t.field
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementPlan plan = Query(*hook, "SELECT 1");
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  ExpectServerError(plan.rejection, absl::StatusCode::kInternal, 1105, "HY000",
                    "lua script 's': s:4: attempt to index a nil value (local 't')");
  EXPECT_THAT(plan.matched_rules, ElementsAre("lua:s"));
  EXPECT_EQ(hook->errors(), 1u);
}

TEST_F(LuaHookTest, RuntimeErrorInReadQueryResultFailsTheOutcome) {
  auto hook = MustCreate(R"(
    proxy.global.observe_all = true
    function read_query_result(inj) error("cannot judge " .. inj.query:sub(2)) end
  )");
  ASSERT_NE(hook, nullptr);
  StatementContext ctx = Ctx("SELECT 1");
  ExpectServerError(hook->ReadQueryResult(ctx, StatementPlan(), ResultInfo()),
                    absl::StatusCode::kInternal, 1105, "HY000",
                    "lua script 's': s:3: cannot judge SELECT 1");
  EXPECT_EQ(hook->errors(), 1u);
}

struct BadScriptCase {
  const char* body;  // Inside read_query.
  const char* error;
};

class BadReturnTest : public LuaHookTest,
                      public ::testing::WithParamInterface<BadScriptCase> {};

TEST_P(BadReturnTest, FailsOnlyThatStatement) {
  auto hook = MustCreate(std::string("function read_query(packet)\n") + GetParam().body +
                         "\nend");
  ASSERT_NE(hook, nullptr);
  StatementContext ctx = Ctx("SELECT 1");
  StatementPlan plan;
  hook->ReadQuery(ctx, plan);
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  ExpectServerError(plan.rejection, absl::StatusCode::kInternal, 1105, "HY000",
                    GetParam().error);
  EXPECT_EQ(ctx.sql, "SELECT 1");
  EXPECT_TRUE(plan.response.rows.empty());
  EXPECT_EQ(hook->errors(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadReturnTest,
    ::testing::Values(
        BadScriptCase{"return 'yes'", "read_query returned a string value"},
        BadScriptCase{"return 99", "read_query returned 99"},
        BadScriptCase{"return proxy.PROXY_SEND_RESULT",
                      "proxy.response is a nil value, not a table"},
        BadScriptCase{"proxy.response = {} return proxy.PROXY_SEND_RESULT",
                      "proxy.response.type is missing"},
        BadScriptCase{"proxy.response = {type = proxy.MYSQLD_PACKET_RAW}\n"
                      "return proxy.PROXY_SEND_RESULT",
                      "must be proxy.MYSQLD_PACKET_OK or proxy.MYSQLD_PACKET_ERR, not 250"},
        BadScriptCase{"proxy.response = {type = 255, errcode = 70000}\n"
                      "return proxy.PROXY_SEND_RESULT",
                      "errcode must be within 1..65535"},
        BadScriptCase{"proxy.response = {type = 255, sqlstate = 'HY'}\n"
                      "return proxy.PROXY_SEND_RESULT",
                      "sqlstate must have 5 characters"},
        BadScriptCase{"proxy.response = {type = 255, errmsg = 5}\n"
                      "return proxy.PROXY_SEND_RESULT",
                      "proxy.response.errmsg must be a string, not a number value"},
        BadScriptCase{"proxy.response = {type = 0, resultset = {fields = {'a'},\n"
                      "rows = {{1, 2}}}} return proxy.PROXY_SEND_RESULT",
                      "rows[1] has 2 values but there are 1 fields"},
        BadScriptCase{"proxy.response = {type = 0, resultset = {fields = {'a'},\n"
                      "rows = {{{}}}}} return proxy.PROXY_SEND_RESULT",
                      "rows[1][1] is a table value"},
        BadScriptCase{"proxy.response = {type = 0, resultset = {rows = {{1}}}}\n"
                      "return proxy.PROXY_SEND_RESULT",
                      "has rows but no fields"},
        BadScriptCase{"proxy.response = {type = 0, resultset = {fields = {{type = 3}}}}\n"
                      "return proxy.PROXY_SEND_RESULT",
                      "fields[1].name must be a string"},
        BadScriptCase{"proxy.response = {type = 0, affected_rows = -1}\n"
                      "return proxy.PROXY_SEND_RESULT",
                      "affected_rows must not be negative"},
        BadScriptCase{"proxy.queries:append(1, 'SELECT 2')",
                      "s:2: proxy.queries:append: only COM_QUERY packets"},
        BadScriptCase{"local p = string.char(proxy.COM_QUERY) .. 'SELECT 2'\n"
                      "proxy.queries:append(1, p) proxy.queries:append(2, p)",
                      "s:3: proxy.queries:append: only one query per statement"},
        BadScriptCase{"error({code = 1})", "(error object is a table value)"}));

TEST_F(LuaHookTest, QueriesResetAllowsAnotherAppend) {
  auto hook = MustCreate(R"(
    function read_query(packet)
      proxy.queries:append(1, string.char(proxy.COM_QUERY) .. "SELECT 'first'")
      assert(proxy.queries:len() == 1)
      proxy.queries:reset()
      assert(proxy.queries:len() == 0)
      proxy.queries:append(2, string.char(proxy.COM_QUERY) .. "SELECT 'second'")
    end
  )");
  ASSERT_NE(hook, nullptr);
  StatementContext ctx = Ctx("SELECT 1");
  StatementPlan plan;
  hook->ReadQuery(ctx, plan);
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kPass) << plan.rejection;
  EXPECT_EQ(ctx.sql, "SELECT 'second'");
}

TEST_F(LuaHookTest, StateKeptAcrossCallsPerShard) {
  auto hook = MustCreate(R"(
    local calls = 0
    function read_query(packet)
      calls = calls + 1
      proxy.global.seen = (proxy.global.seen or "") .. packet:sub(2)
      proxy.response = { type = proxy.MYSQLD_PACKET_OK, resultset = {
        fields = {"calls", "seen"}, rows = { {calls, proxy.global.seen} } } }
      return proxy.PROXY_SEND_RESULT
    end
  )", 2);
  ASSERT_NE(hook, nullptr);
  EXPECT_EQ(hook->shards(), 2u);
  EXPECT_THAT(Query(*hook, "a", 0).response.rows, ElementsAre(Row{"1", "a"}));
  EXPECT_THAT(Query(*hook, "b", 0).response.rows, ElementsAre(Row{"2", "ab"}));
  EXPECT_THAT(Query(*hook, "c", 0).response.rows, ElementsAre(Row{"3", "abc"}));
  EXPECT_THAT(Query(*hook, "x", 1).response.rows, ElementsAre(Row{"1", "x"}));
  EXPECT_THAT(Query(*hook, "d", 0).response.rows, ElementsAre(Row{"4", "abcd"}));

  StatementPlan plan = Query(*hook, "y", 2);
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  EXPECT_THAT(plan.rejection.message(), HasSubstr("shard 2 out of range"));
}

TEST(LuaHookCreateTest, SyntaxErrorNamesScriptAndLine) {
  absl::StatusOr<std::unique_ptr<LuaHook>> hook =
      LuaHook::Create(Inline("bad", "function read_query(p)\n  local x = \n  end\n"), 1);
  EXPECT_EQ(hook.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(hook.status().message(), HasSubstr("lua script 'bad': bad:3:"));

  v1::LuaScriptConfig config;
  config.set_name("file");
  config.set_file(std::string(kTestdata) + "syntax_error.lua");
  hook = LuaHook::Create(config, 1);
  EXPECT_EQ(hook.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(hook.status().message(), HasSubstr("lua script 'file': "));
  EXPECT_THAT(hook.status().message(), HasSubstr("syntax_error.lua:3:"));
}

TEST(LuaHookCreateTest, LoadTimeErrors) {
  struct Case {
    const char* source;
    const char* error;
  } cases[] = {
      {"local a = 1\nerror('not configured')", "lua script 'x': x:2: not configured"},
      {"x = 1", "lua script 'x': defines neither read_query nor read_query_result"},
      {"read_query = 5", "defines neither read_query nor read_query_result"},
      {"while true do end", "lua script 'x': x:1: instruction limit"},
      {"local s = 'x' while true do s = s .. s end", "lua script 'x': memory limit"},
      {"proxy.queries:append(1, string.char(3) .. 'x')",
       "proxy.queries:append is only available in read_query"},
      {"local f = io.open('/etc/passwd')", "attempt to index a nil value (global 'io')"},
      {"require('os')", "attempt to call a nil value (global 'require')"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    absl::StatusOr<std::unique_ptr<LuaHook>> hook = LuaHook::Create(Inline("x", c.source), 2);
    EXPECT_EQ(hook.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(hook.status().message(), HasSubstr(c.error));
  }
}

TEST(LuaHookCreateTest, ConfigErrors) {
  v1::LuaScriptConfig config = Inline("x", "function read_query() end");
  EXPECT_TRUE(LuaHook::Create(config, 1).ok());
  EXPECT_THAT(LuaHook::Create(config, 0).status().message(), HasSubstr("at least one shard"));

  v1::LuaScriptConfig unnamed = config;
  unnamed.clear_name();
  EXPECT_EQ(LuaHook::Create(unnamed, 1).status().code(), absl::StatusCode::kInvalidArgument);

  v1::LuaScriptConfig both = config;
  both.set_file("a.lua");
  EXPECT_THAT(LuaHook::Create(both, 1).status().message(), HasSubstr("not both"));

  v1::LuaScriptConfig neither = config;
  neither.clear_source();
  EXPECT_THAT(LuaHook::Create(neither, 1).status().message(), HasSubstr("file or source"));

  v1::LuaScriptConfig missing = config;
  missing.clear_source();
  missing.set_file("/nonexistent/script.lua");
  absl::Status status = LuaHook::Create(missing, 1).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("lua script 'x': cannot read '/nonexistent/script.lua': No such file"));

  v1::LuaScriptConfig tiny = config;
  tiny.set_max_memory_bytes(4096);
  EXPECT_THAT(LuaHook::Create(tiny, 1).status().message(), HasSubstr("lua script 'x': "));
}

TEST(LuaHookCreateTest, DefaultsApplyWhenLimitsAreZero) {
  v1::LuaScriptConfig config;
  config.set_name("d");
  // A million loop iterations: just over the default limit of 1e6.
  config.set_source(R"(
    function read_query(packet)
      if packet:sub(2) == "long" then for i = 1, 1000000 do end end
    end
  )");
  absl::StatusOr<std::unique_ptr<LuaHook>> hook = LuaHook::Create(config, 1);
  ASSERT_TRUE(hook.ok()) << hook.status();
  ClientInfo client;
  StatementContext ctx;
  ctx.client = &client;
  ctx.sql = "long";
  StatementPlan plan;
  (*hook)->ReadQuery(ctx, plan);
  EXPECT_EQ(plan.rejection.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(plan.rejection.message(), HasSubstr("instruction limit of 1000000 exceeded"));
}

}  // namespace
}  // namespace mysqlgw
