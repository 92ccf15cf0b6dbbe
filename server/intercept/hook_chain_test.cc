#include "server/intercept/hook_chain.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

// Records what it saw; optionally rewrites, decides or fails.
class FakeHook : public Hook {
 public:
  explicit FakeHook(std::string name, std::vector<std::string>* log)
      : name_(std::move(name)), log_(log) {}
  absl::string_view name() const override { return name_; }
  absl::Status OnConnect(const ClientInfo& client) override {
    log_->push_back(name_ + ":connect:" + client.principal);
    return refuse_connect_ ? absl::PermissionDeniedError(name_) : absl::OkStatus();
  }
  void ReadQuery(StatementContext& ctx, StatementPlan& plan) override {
    log_->push_back(name_ + ":read_query:" + ctx.sql + ":" +
                    std::string(StatementKindName(ctx.kind)));
    if (!rewrite_to_.empty()) ctx.sql = rewrite_to_;
    if (reject_) {
      plan.verdict = StatementPlan::Verdict::kReject;
      plan.rejection = RejectionStatus(absl::StatusCode::kPermissionDenied, 1142, "42000", "no");
    }
  }
  absl::Status ReadQueryResult(const StatementContext& ctx, const StatementPlan&,
                               const ResultInfo& result) override {
    log_->push_back(name_ + ":result:" + ctx.sql + ":" + std::to_string(result.rows));
    return fail_result_ ? absl::AbortedError(name_) : absl::OkStatus();
  }

  std::string rewrite_to_;
  bool reject_ = false;
  bool refuse_connect_ = false;
  bool fail_result_ = false;

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

TEST(HookChainTest, EmptyChainDoesNothing) {
  HookChain chain;
  StatementContext ctx;
  ctx.sql = "SELECT 1";
  StatementPlan plan;
  EXPECT_EQ(chain.ReadQuery(ctx, plan), 0u);
  EXPECT_FALSE(plan.decided());
  EXPECT_TRUE(chain.ReadQueryResult(0, ctx, plan, ResultInfo()).ok());
}

TEST(HookChainTest, RunsInOrderAndRederivesAfterRewrite) {
  std::vector<std::string> log;
  auto a = std::make_shared<FakeHook>("a", &log);
  auto b = std::make_shared<FakeHook>("b", &log);
  a->rewrite_to_ = "DELETE FROM t";
  HookChain chain({a, b});
  StatementContext ctx;
  ctx.sql = "SELECT * FROM t";
  StatementPlan plan;
  EXPECT_EQ(chain.ReadQuery(ctx, plan), 2u);
  EXPECT_EQ(ctx.kind, StatementKind::kDelete);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], "a:read_query:SELECT * FROM t:select");
  EXPECT_EQ(log[1], "b:read_query:DELETE FROM t:delete");
}

TEST(HookChainTest, DecisionStopsTheChainButResultsStayPaired) {
  std::vector<std::string> log;
  auto a = std::make_shared<FakeHook>("a", &log);
  auto b = std::make_shared<FakeHook>("b", &log);
  auto c = std::make_shared<FakeHook>("c", &log);
  b->reject_ = true;
  HookChain chain({a, b, c});
  StatementContext ctx;
  ctx.sql = "DROP TABLE t";
  StatementPlan plan;
  const size_t ran = chain.ReadQuery(ctx, plan);
  EXPECT_EQ(ran, 2u);
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(plan.rejection);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, 1142);
  EXPECT_EQ(e->sql_state, "42000");
  EXPECT_EQ(plan.rejection.code(), absl::StatusCode::kPermissionDenied);

  ResultInfo result;
  result.status = plan.rejection;
  log.clear();
  EXPECT_TRUE(chain.ReadQueryResult(ran, ctx, plan, result).ok());
  EXPECT_EQ(log, (std::vector<std::string>{"a:result:DROP TABLE t:0", "b:result:DROP TABLE t:0"}));
}

TEST(HookChainTest, FirstResultFailureWinsAndAllHooksStillRun) {
  std::vector<std::string> log;
  auto a = std::make_shared<FakeHook>("a", &log);
  auto b = std::make_shared<FakeHook>("b", &log);
  auto c = std::make_shared<FakeHook>("c", &log);
  b->fail_result_ = true;
  c->fail_result_ = true;
  HookChain chain({a, b, c});
  StatementContext ctx;
  ctx.sql = "SELECT 1";
  StatementPlan plan;
  ResultInfo result;
  result.rows = 7;
  absl::Status s = chain.ReadQueryResult(3, ctx, plan, result);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.message(), "b");
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(log[2], "c:result:SELECT 1:7");
}

TEST(HookChainTest, ConnectRefusalStopsAtTheFirst) {
  std::vector<std::string> log;
  auto a = std::make_shared<FakeHook>("a", &log);
  auto b = std::make_shared<FakeHook>("b", &log);
  a->refuse_connect_ = true;
  HookChain chain({a, b});
  ClientInfo client;
  client.principal = "app";
  EXPECT_EQ(chain.OnConnect(client).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(log, std::vector<std::string>{"a:connect:app"});
}

}  // namespace
}  // namespace mysqlgw
