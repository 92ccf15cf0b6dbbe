#include "server/intercept/rules/rules_hook.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/intercept/rules/rule_test_util.h"

namespace mysqlgw {
namespace {

using rules_test::CountingRederive;
using rules_test::MustCompile;
using rules_test::Stmt;
using ::testing::ElementsAre;

TEST(RulesHookTest, ReadQueryEvaluatesAndCounts) {
  CountingRederive rederive;
  RulesHook hook(MustCompile(R"pb(
                   rules {
                     name: 'soft-delete'
                     match { statement_kinds: 'delete' }
                     action { rewrite_pattern: '^DELETE FROM' rewrite_replacement: 'UPDATE' }
                   }
                   rules {
                     name: 'no-update'
                     match { statement_kinds: 'update' }
                     action { verdict: RULE_VERDICT_DENY error { message: 'no' } }
                   }
                 )pb"),
                 rederive.fn());
  EXPECT_EQ(hook.name(), "rules");
  Stmt stmt("DELETE FROM t SET x = 1");
  StatementPlan plan;
  hook.ReadQuery(stmt.ctx(), plan);
  EXPECT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  EXPECT_THAT(plan.matched_rules, ElementsAre("soft-delete", "no-update"));
  EXPECT_EQ(rederive.calls, 1);
  EXPECT_EQ(hook.stats().matches(0), 1u);
  EXPECT_EQ(hook.stats().matches(1), 1u);
  EXPECT_EQ(hook.rules().size(), 2u);
}

TEST(RulesHookTest, DefaultRederiveReclassifies) {
  RulesHook hook(MustCompile(R"pb(
    rules { name: 'w' action { rewrite_pattern: '^SELECT 1$' rewrite_replacement: 'DELETE FROM t' } }
    rules { name: 'saw-delete' match { statement_kinds: 'delete' } }
  )pb"));
  Stmt stmt("SELECT 1");
  StatementPlan plan;
  hook.ReadQuery(stmt.ctx(), plan);
  EXPECT_EQ(stmt.ctx().sql, "DELETE FROM t");
  EXPECT_EQ(stmt.ctx().kind, StatementKind::kDelete);
  EXPECT_FALSE(stmt.ctx().digest_text.empty());
  EXPECT_THAT(plan.matched_rules, ElementsAre("w", "saw-delete"));
}

}  // namespace
}  // namespace mysqlgw
