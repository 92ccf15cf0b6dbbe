#include "server/intercept/limits/principal_limits.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

// A clock the test moves by hand.
struct FakeClock {
  TokenBucket::Clock::time_point now = TokenBucket::Clock::time_point() + std::chrono::hours(1);
  PrincipalLimits::Clock AsClock() {
    return [this] { return now; };
  }
};

v1::PrincipalLimitsConfig* AddLimits(v1::InterceptionConfig& config, const std::string& principal) {
  v1::PrincipalLimitsConfig* entry = config.add_principal_limits();
  entry->set_principal(principal);
  return entry;
}

std::shared_ptr<PrincipalLimits> Make(const v1::InterceptionConfig& config,
                                      std::shared_ptr<LimitsState> previous = nullptr,
                                      FakeClock* clock = nullptr) {
  absl::StatusOr<std::shared_ptr<PrincipalLimits>> limits = PrincipalLimits::Create(
      config, std::move(previous), clock == nullptr ? nullptr : clock->AsClock());
  EXPECT_TRUE(limits.ok()) << limits.status();
  return *std::move(limits);
}

// One statement through a hook, as the chain runs it.
struct Call {
  ClientInfo client;
  StatementContext ctx;
  StatementPlan plan;

  explicit Call(const std::string& principal) {
    client.principal = principal;
    ctx.client = &client;
    ctx.sql = "SELECT 1";
    ctx.kind = StatementKind::kSelect;
  }
  Call(const Call&) = delete;
  bool Begin(Hook& hook) {
    hook.ReadQuery(ctx, plan);
    return !plan.decided();
  }
  void End(Hook& hook, uint64_t bytes = 0) {
    ResultInfo result;
    result.bytes = bytes;
    result.status = plan.decided() ? plan.rejection : absl::OkStatus();
    EXPECT_TRUE(hook.ReadQueryResult(ctx, plan, result).ok());
  }
};

void ExpectLimitError(const absl::Status& status, const std::string& message) {
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  std::optional<mysqlwire::ServerError> error = mysqlwire::GetServerError(status);
  ASSERT_TRUE(error.has_value()) << status;
  EXPECT_EQ(error->code, 1226);
  EXPECT_EQ(error->sql_state, "42000");
  EXPECT_EQ(error->message, message);
}

TEST(PrincipalLimitsTest, ConcurrentCallsAreLimitedAndReleased) {
  v1::InterceptionConfig config;
  AddLimits(config, "app")->set_max_concurrent_calls(2);
  auto limits = Make(config);
  LimitsHook hook(limits);

  Call a("app"), b("app"), c("app");
  EXPECT_TRUE(a.Begin(hook));
  EXPECT_TRUE(b.Begin(hook));
  EXPECT_FALSE(c.Begin(hook));
  ExpectLimitError(c.plan.rejection, "principal 'app' has reached max_concurrent_calls (2)");
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 2u);
  // The refused statement's result releases nothing: it took nothing.
  c.End(hook);
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 2u);

  a.End(hook);
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 1u);
  Call d("app");
  EXPECT_TRUE(d.Begin(hook));
  b.End(hook);
  d.End(hook);
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 0u);
  EXPECT_EQ(limits->state()->rejections().concurrent_calls.load(), 1u);
}

TEST(PrincipalLimitsTest, SlotIsReleasedWhenALaterHookRejects) {
  v1::InterceptionConfig config;
  AddLimits(config, "app")->set_max_concurrent_calls(1);
  auto limits = Make(config);
  LimitsHook hook(limits);

  Call a("app");
  ASSERT_TRUE(a.Begin(hook));
  // A later hook in the chain (a rule, the allowlist) refuses the statement.
  a.plan.verdict = StatementPlan::Verdict::kReject;
  a.plan.rejection = RejectionStatus(absl::StatusCode::kPermissionDenied, 1227, "42000", "no");
  a.End(hook);
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 0u);
  Call b("app");
  EXPECT_TRUE(b.Begin(hook));
}

TEST(PrincipalLimitsTest, WildcardGivesEachPrincipalItsOwnCounters) {
  v1::InterceptionConfig config;
  AddLimits(config, "*")->set_max_concurrent_calls(1);
  AddLimits(config, "batch");  // Its own entry, with nothing set: unlimited.
  auto limits = Make(config);
  LimitsHook hook(limits);

  Call a1("a"), a2("a"), b1("b");
  EXPECT_TRUE(a1.Begin(hook));
  EXPECT_FALSE(a2.Begin(hook));
  EXPECT_TRUE(b1.Begin(hook));
  std::vector<std::unique_ptr<Call>> batch;
  for (int i = 0; i < 10; ++i) {
    batch.push_back(std::make_unique<Call>("batch"));
    EXPECT_TRUE(batch.back()->Begin(hook));
  }
  // Counted even though unlimited, so that a reload adding a limit starts
  // from the truth.
  EXPECT_EQ(limits->state()->concurrent_calls("batch"), 10u);
  for (auto& call : batch) call->End(hook);
  EXPECT_EQ(limits->state()->concurrent_calls("batch"), 0u);
}

TEST(PrincipalLimitsTest, NoEntryMeansNoLimits) {
  auto limits = Make(v1::InterceptionConfig());
  EXPECT_EQ(limits->LimitsFor("app").max_concurrent_calls, 0u);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limits->AdmitStatement("app").ok());
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 100u);
}

TEST(PrincipalLimitsTest, QueriesPerSecond) {
  FakeClock clock;
  v1::InterceptionConfig config;
  v1::PrincipalLimitsConfig* app = AddLimits(config, "app");
  app->set_queries_per_second(2);
  app->set_queries_burst(3);
  auto limits = Make(config, nullptr, &clock);

  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limits->AdmitStatement("app").ok()) << i;
  absl::Status refused = limits->AdmitStatement("app");
  ExpectLimitError(refused, "principal 'app' has exceeded queries_per_second (2)");
  // The refusal gave its concurrency slot back.
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 3u);
  clock.now += milliseconds(499);
  EXPECT_FALSE(limits->AdmitStatement("app").ok());
  clock.now += milliseconds(1);
  EXPECT_TRUE(limits->AdmitStatement("app").ok());
  EXPECT_FALSE(limits->AdmitStatement("app").ok());
  EXPECT_EQ(limits->state()->rejections().queries_per_second.load(), 3u);
}

TEST(PrincipalLimitsTest, DefaultQueryBurstIsOneSecondsWorth) {
  v1::InterceptionConfig config;
  AddLimits(config, "a")->set_queries_per_second(2.5);
  AddLimits(config, "b")->set_queries_per_second(0.2);
  auto limits = Make(config);
  EXPECT_EQ(limits->LimitsFor("a").queries_burst, 3);
  EXPECT_EQ(limits->LimitsFor("b").queries_burst, 1);
}

TEST(PrincipalLimitsTest, ResultBytesLeaveADebtThatRefusesNewStatements) {
  FakeClock clock;
  v1::InterceptionConfig config;
  v1::PrincipalLimitsConfig* app = AddLimits(config, "app");
  app->set_bytes_per_second(1000);
  auto limits = Make(config, nullptr, &clock);
  EXPECT_EQ(limits->LimitsFor("app").bytes_burst, 1000);
  LimitsHook hook(limits);

  Call big("app");
  ASSERT_TRUE(big.Begin(hook));
  big.End(hook, 3000);  // 2000 bytes of debt at 1000 bytes/s.
  Call refused("app");
  EXPECT_FALSE(refused.Begin(hook));
  ExpectLimitError(refused.plan.rejection, "principal 'app' has exceeded bytes_per_second (1000)");
  refused.End(hook);
  clock.now += milliseconds(1999);
  Call still("app");
  EXPECT_FALSE(still.Begin(hook));
  still.End(hook);
  clock.now += milliseconds(2);
  Call later("app");
  EXPECT_TRUE(later.Begin(hook));
  later.End(hook, 10);
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 0u);
  EXPECT_EQ(limits->state()->rejections().bytes_per_second.load(), 2u);
}

TEST(PrincipalLimitsTest, ResultLimitsLowerThePlanNeverRaiseIt) {
  v1::InterceptionConfig config;
  v1::PrincipalLimitsConfig* app = AddLimits(config, "app");
  app->set_max_rows_per_result(50);
  app->set_max_bytes_per_result(4096);
  LimitsHook hook(Make(config));

  Call none("app");
  ASSERT_TRUE(none.Begin(hook));
  EXPECT_EQ(none.plan.max_rows, 50u);
  EXPECT_EQ(none.plan.max_bytes, 4096u);

  Call higher("app");
  higher.plan.max_rows = 100;
  higher.plan.max_bytes = 1 << 20;
  ASSERT_TRUE(higher.Begin(hook));
  EXPECT_EQ(higher.plan.max_rows, 50u);
  EXPECT_EQ(higher.plan.max_bytes, 4096u);

  Call lower("app");
  lower.plan.max_rows = 10;
  lower.plan.max_bytes = 100;
  ASSERT_TRUE(lower.Begin(hook));
  EXPECT_EQ(lower.plan.max_rows, 10u);
  EXPECT_EQ(lower.plan.max_bytes, 100u);

  Call other("other");
  ASSERT_TRUE(other.Begin(hook));
  EXPECT_FALSE(other.plan.max_rows.has_value());
  EXPECT_FALSE(other.plan.max_bytes.has_value());
}

TEST(PrincipalLimitsTest, OpenTransactions) {
  v1::InterceptionConfig config;
  AddLimits(config, "app")->set_max_open_transactions(2);
  auto limits = Make(config);
  EXPECT_TRUE(limits->TryOpenTransaction("app").ok());
  EXPECT_TRUE(limits->TryOpenTransaction("app").ok());
  ExpectLimitError(limits->TryOpenTransaction("app"),
                   "principal 'app' has reached max_open_transactions (2)");
  EXPECT_EQ(limits->state()->open_transactions("app"), 2u);
  limits->CloseTransaction("app");
  EXPECT_TRUE(limits->TryOpenTransaction("app").ok());
  // Unlimited principals are counted too.
  EXPECT_TRUE(limits->TryOpenTransaction("other").ok());
  EXPECT_EQ(limits->state()->open_transactions("other"), 1u);
}

TEST(PrincipalLimitsTest, UnpairedReleaseDoesNotWrapTheCounter) {
  v1::InterceptionConfig config;
  AddLimits(config, "app")->set_max_open_transactions(1);
  AddLimits(config, "app2")->set_max_concurrent_calls(1);
  auto limits = Make(config);
  limits->CloseTransaction("app");
  limits->FinishStatement("app2", 0);
  EXPECT_EQ(limits->state()->open_transactions("app"), 0u);
  EXPECT_EQ(limits->state()->concurrent_calls("app2"), 0u);
  EXPECT_TRUE(limits->TryOpenTransaction("app").ok());
  EXPECT_FALSE(limits->TryOpenTransaction("app").ok());
  EXPECT_TRUE(limits->AdmitStatement("app2").ok());
  EXPECT_FALSE(limits->AdmitStatement("app2").ok());
}

TEST(PrincipalLimitsTest, ThreadsNeverExceedTheMaximum) {
  constexpr uint32_t kMax = 3;
  v1::InterceptionConfig config;
  AddLimits(config, "app")->set_max_concurrent_calls(kMax);
  auto limits = Make(config);
  LimitsHook hook(limits);

  std::atomic<int> in_flight{0};
  std::atomic<int> peak{0};
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3000; ++i) {
        Call call("app");
        if (call.Begin(hook)) {
          const int now = in_flight.fetch_add(1) + 1;
          int seen = peak.load();
          while (now > seen && !peak.compare_exchange_weak(seen, now)) {
          }
          if (i % 7 == 0) std::this_thread::yield();
          in_flight.fetch_sub(1);
          admitted.fetch_add(1);
        } else {
          refused.fetch_add(1);
        }
        call.End(hook);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(peak.load(), static_cast<int>(kMax));
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(admitted.load() + refused.load(), 6 * 3000);
  EXPECT_EQ(limits->state()->concurrent_calls("app"), 0u);
  EXPECT_EQ(limits->state()->rejections().concurrent_calls.load(),
            static_cast<uint64_t>(refused.load()));
}

TEST(PrincipalLimitsTest, ReloadKeepsCountersAndAppliesNewLimits) {
  v1::InterceptionConfig old_config;
  AddLimits(old_config, "app")->set_max_concurrent_calls(5);
  auto old_limits = Make(old_config);
  LimitsHook old_hook(old_limits);
  Call a("app"), b("app");
  ASSERT_TRUE(a.Begin(old_hook));
  ASSERT_TRUE(b.Begin(old_hook));
  ASSERT_TRUE(old_limits->TryOpenTransaction("app").ok());

  v1::InterceptionConfig new_config;
  v1::PrincipalLimitsConfig* app = AddLimits(new_config, "app");
  app->set_max_concurrent_calls(2);
  app->set_max_open_transactions(1);
  auto new_limits = Make(new_config, old_limits->state());
  LimitsHook new_hook(new_limits);
  EXPECT_EQ(new_limits->state(), old_limits->state());
  EXPECT_EQ(new_limits->state()->concurrent_calls("app"), 2u);
  EXPECT_EQ(new_limits->state()->open_transactions("app"), 1u);

  Call c("app");
  EXPECT_FALSE(c.Begin(new_hook));
  c.End(new_hook);
  EXPECT_FALSE(new_limits->TryOpenTransaction("app").ok());
  // Calls admitted before the reload finish on the hook that admitted them.
  a.End(old_hook);
  Call d("app");
  EXPECT_TRUE(d.Begin(new_hook));
  old_limits->CloseTransaction("app");
  EXPECT_TRUE(new_limits->TryOpenTransaction("app").ok());

  // Without the previous state, the counters start again from zero.
  auto fresh = Make(new_config);
  EXPECT_EQ(fresh->state()->concurrent_calls("app"), 0u);
}

TEST(PrincipalLimitsTest, ReloadKeepsTheBucketLevelWhileTheRateIsUnchanged) {
  FakeClock clock;
  v1::InterceptionConfig config;
  v1::PrincipalLimitsConfig* app = AddLimits(config, "app");
  app->set_queries_per_second(1);
  app->set_queries_burst(2);
  auto first = Make(config, nullptr, &clock);
  EXPECT_TRUE(first->AdmitStatement("app").ok());
  EXPECT_TRUE(first->AdmitStatement("app").ok());
  EXPECT_FALSE(first->AdmitStatement("app").ok());

  // Same rate and burst (other limits changed): still empty.
  app->set_max_concurrent_calls(100);
  auto second = Make(config, first->state(), &clock);
  EXPECT_FALSE(second->AdmitStatement("app").ok());

  // A new rate: a new, full bucket (burst 2 of 5/s).
  app->set_queries_per_second(5);
  auto third = Make(config, second->state(), &clock);
  EXPECT_TRUE(third->AdmitStatement("app").ok());
  EXPECT_TRUE(third->AdmitStatement("app").ok());
  // The old generation, still draining, uses the current bucket as is
  // rather than resetting it to its own (now different) parameters.
  EXPECT_FALSE(second->AdmitStatement("app").ok());
  EXPECT_FALSE(third->AdmitStatement("app").ok());
  clock.now += milliseconds(200);
  EXPECT_TRUE(third->AdmitStatement("app").ok());
}

TEST(PrincipalLimitsTest, ReloadKeepsTheByteDebt) {
  FakeClock clock;
  v1::InterceptionConfig config;
  AddLimits(config, "app")->set_bytes_per_second(100);
  auto first = Make(config, nullptr, &clock);
  ASSERT_TRUE(first->AdmitStatement("app").ok());
  first->FinishStatement("app", 1000);
  auto second = Make(config, first->state(), &clock);
  ExpectLimitError(second->AdmitStatement("app"),
                   "principal 'app' has exceeded bytes_per_second (100)");
}

TEST(PrincipalLimitsTest, CreateListsEveryProblemWithItsPath) {
  v1::InterceptionConfig config;
  AddLimits(config, "app")->set_queries_per_second(10);
  v1::PrincipalLimitsConfig* bad = AddLimits(config, "batch");
  bad->set_queries_per_second(-1);
  bad->set_bytes_per_second(std::numeric_limits<double>::infinity());
  v1::PrincipalLimitsConfig* bursts = AddLimits(config, "");
  bursts->set_queries_burst(5);
  bursts->set_bytes_burst(5);
  AddLimits(config, "app");
  absl::StatusOr<std::shared_ptr<PrincipalLimits>> limits = PrincipalLimits::Create(config);
  ASSERT_FALSE(limits.ok());
  EXPECT_EQ(limits.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(limits.status().message(),
            "invalid configuration:\n"
            "interception.principal_limits[1]: queries_per_second must be > 0 (0 or unset: no "
            "limit), not -1\n"
            "interception.principal_limits[1]: bytes_per_second must be > 0 (0 or unset: no "
            "limit), not inf\n"
            "interception.principal_limits[2]: principal must not be empty (\"*\" for every "
            "principal)\n"
            "interception.principal_limits[2]: queries_burst is set but queries_per_second is "
            "not\n"
            "interception.principal_limits[2]: bytes_burst is set but bytes_per_second is not\n"
            "interception.principal_limits[3]: principal 'app' already has limits at "
            "interception.principal_limits[0]");
}

TEST(PrincipalLimitsTest, NanRateIsRefused) {
  v1::InterceptionConfig config;
  AddLimits(config, "app")->set_queries_per_second(std::numeric_limits<double>::quiet_NaN());
  absl::StatusOr<std::shared_ptr<PrincipalLimits>> limits = PrincipalLimits::Create(config);
  ASSERT_FALSE(limits.ok());
  EXPECT_THAT(limits.status().message(), HasSubstr("queries_per_second must be > 0"));
}

}  // namespace
}  // namespace mysqlgw
