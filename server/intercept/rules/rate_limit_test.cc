#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "server/intercept/rules/rule_set.h"
#include "server/intercept/rules/rule_test_util.h"

namespace mysqlgw {
namespace {

using rules_test::MustCompile;
using rules_test::Eval;
using rules_test::Stmt;
using ::testing::ElementsAre;
using Verdict = StatementPlan::Verdict;

// A clock that moves only when told to.
class FakeClock {
 public:
  RuleSet::Clock::time_point Now() const {
    return RuleSet::Clock::time_point() + std::chrono::hours(1) +
           std::chrono::milliseconds(offset_ms_.load());
  }
  void Advance(std::chrono::milliseconds d) { offset_ms_ += d.count(); }
  std::function<RuleSet::Clock::time_point()> fn() {
    return [this] { return Now(); };
  }

 private:
  std::atomic<int64_t> offset_ms_{0};
};

TEST(RateLimitTest, PerPrincipalBuckets) {
  FakeClock clock;
  auto rules = MustCompile(R"pb(
    rules {
      name: 'limit'
      match { statement_kinds: 'select' }
      action { rate_limit { queries_per_second: 2 burst: 3 } }
    }
    rules { name: 'after' }
  )pb",
                           {}, clock.fn());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Eval(*rules, Stmt("SELECT 1", "app")).verdict, Verdict::kPass) << i;
  }
  StatementPlan over = Eval(*rules, Stmt("SELECT 1", "app"));
  EXPECT_EQ(over.verdict, Verdict::kReject);
  EXPECT_THAT(over.matched_rules, ElementsAre("limit"));  // Evaluation stopped.
  EXPECT_EQ(over.rejection.code(), absl::StatusCode::kResourceExhausted);
  auto error = mysqlwire::GetServerError(over.rejection);
  ASSERT_TRUE(error.has_value()) << over.rejection;
  EXPECT_EQ(error->code, 1226);
  EXPECT_EQ(error->sql_state, "42000");
  EXPECT_EQ(error->message, "rule 'limit': rate limit of 2 queries/s exceeded for principal 'app'");

  // Other principals have their own bucket; other statements are not limited.
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1", "ops")).verdict, Verdict::kPass);
  EXPECT_EQ(Eval(*rules, Stmt("DELETE FROM t", "app")).verdict, Verdict::kPass);

  // Half a second at 2/s refills one token.
  clock.Advance(std::chrono::milliseconds(499));
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1", "app")).verdict, Verdict::kReject);
  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1", "app")).verdict, Verdict::kPass);
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1", "app")).verdict, Verdict::kReject);
}

TEST(RateLimitTest, SharedBucket) {
  FakeClock clock;
  auto rules = MustCompile(R"pb(
    rules { name: 'shared' action { rate_limit { queries_per_second: 2 shared: true } } }
  )pb",
                           {}, clock.fn());
  // Burst defaults to one second's worth: 2.
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1", "app")).verdict, Verdict::kPass);
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1", "ops")).verdict, Verdict::kPass);
  StatementPlan over = Eval(*rules, Stmt("SELECT 1", "third"));
  EXPECT_EQ(over.verdict, Verdict::kReject);
  auto error = mysqlwire::GetServerError(over.rejection);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "rule 'shared': rate limit of 2 queries/s exceeded");
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1").NoClient()).verdict, Verdict::kReject);
}

TEST(RateLimitTest, DefaultBurstIsAtLeastOne) {
  FakeClock clock;
  auto rules = MustCompile(R"pb(
    rules { name: 'slow' action { rate_limit { queries_per_second: 0.5 } } }
  )pb",
                           {}, clock.fn());
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1")).verdict, Verdict::kPass);
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1")).verdict, Verdict::kReject);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1")).verdict, Verdict::kPass);
}

TEST(RateLimitTest, LimitedAllowRuleStillAllows) {
  FakeClock clock;
  auto rules = MustCompile(R"pb(
    rules {
      name: 'allow-some'
      action { verdict: RULE_VERDICT_ALLOW rate_limit { queries_per_second: 1 } }
    }
    rules { name: 'deny' action { verdict: RULE_VERDICT_DENY error { message: 'no' } } }
  )pb",
                           {}, clock.fn());
  StatementPlan first = Eval(*rules, Stmt("SELECT 1"));
  EXPECT_EQ(first.verdict, Verdict::kPass);
  EXPECT_THAT(first.matched_rules, ElementsAre("allow-some"));
  StatementPlan second = Eval(*rules, Stmt("SELECT 1"));
  EXPECT_EQ(second.rejection.code(), absl::StatusCode::kResourceExhausted);
}

// Four threads on one RuleSet: with the clock stopped, each bucket admits
// exactly its burst however the threads interleave.
TEST(RateLimitTest, ConcurrentEvaluation) {
  FakeClock clock;
  auto rules = MustCompile(R"pb(
    rules {
      name: 'per-principal'
      match { statement_kinds: 'select' }
      action { rate_limit { queries_per_second: 1 burst: 100 } }
    }
    rules {
      name: 'shared'
      match { statement_kinds: 'delete' }
      action { rate_limit { queries_per_second: 1 burst: 50 shared: true } }
    }
    rules { name: 'r1' match { sql_regex: 'x1' } }
    rules { name: 'r2' match { sql_regex: 'x2' } }
    rules { name: 'r3' match { sql_regex: 'x3' } }
    rules { name: 'r4' match { sql_regex: 'x4' } }
  )pb",
                           {}, clock.fn());
  RuleStats stats(*rules);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  std::atomic<int> select_passed[2] = {0, 0};
  std::atomic<int> delete_passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string principal = t % 2 == 0 ? "p0" : "p1";
      for (int i = 0; i < kPerThread; ++i) {
        const bool select = i % 2 == 0;
        Stmt stmt(select ? "SELECT x1" : "DELETE FROM x2", principal);
        StatementPlan plan = Eval(*rules, stmt, &stats);
        if (plan.verdict != Verdict::kPass) continue;
        if (select) {
          ++select_passed[t % 2];
        } else {
          ++delete_passed;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(select_passed[0].load(), 100);
  EXPECT_EQ(select_passed[1].load(), 100);
  EXPECT_EQ(delete_passed.load(), 50);
  EXPECT_EQ(stats.matches(0), uint64_t{kThreads * kPerThread / 2});
  EXPECT_EQ(stats.matches(1), uint64_t{kThreads * kPerThread / 2});
  EXPECT_EQ(stats.matches(2), 200u);  // Only passing selects get that far.
  EXPECT_EQ(stats.matches(3), 50u);
}

}  // namespace
}  // namespace mysqlgw
