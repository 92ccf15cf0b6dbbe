#include "server/routing/replica_selector.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "server/intercept/hook.h"
#include "server/routing/backend_health.h"

namespace mysqlgw {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class FakeHealth : public HealthView {
 public:
  void Set(const std::string& name, HealthSummary s) {
    absl::MutexLock lock(&mu_);
    table_[name] = s;
  }
  std::optional<HealthSummary> Summary(absl::string_view name) const override {
    absl::MutexLock lock(&mu_);
    auto it = table_.find(name);
    if (it == table_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, HealthSummary> table_;
};

HealthSummary Up(bool read_only, std::optional<seconds> lag) {
  return {BackendState::kUp, read_only, lag};
}

RouteTarget Target(RouteTarget::Kind kind, std::string backend = "") {
  RouteTarget t;
  t.kind = kind;
  t.backend = std::move(backend);
  return t;
}

class ReplicaSelectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    health_.Set("p", Up(false, std::nullopt));
    health_.Set("r1", Up(true, seconds(0)));
    health_.Set("r2", Up(true, seconds(1)));
    auto s = ReplicaSelector::Create({{"p", RoutingRole::kPrimary},
                                      {"r1", RoutingRole::kReplica},
                                      {"r2", RoutingRole::kReplica}},
                                     &health_, milliseconds(5000));
    ASSERT_TRUE(s.ok()) << s.status();
    selector_ = *std::move(s);
  }

  std::string PickReplica(bool* fell_back = nullptr) {
    absl::StatusOr<RouteChoice> c = selector_->Pick(Target(RouteTarget::Kind::kReplica));
    EXPECT_TRUE(c.ok()) << c.status();
    if (!c.ok()) return "<error>";
    if (fell_back != nullptr) *fell_back = c->fell_back;
    EXPECT_EQ(std::string(c->backend), selector_->backends()[c->index].name);
    return std::string(c->backend);
  }

  FakeHealth health_;
  std::unique_ptr<ReplicaSelector> selector_;
};

TEST_F(ReplicaSelectorTest, WritesAndDefaultGoToThePrimary) {
  for (auto kind : {RouteTarget::Kind::kDefault, RouteTarget::Kind::kPrimary}) {
    absl::StatusOr<RouteChoice> c = selector_->Pick(Target(kind));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->backend, "p");
    EXPECT_EQ(c->index, 0u);
    EXPECT_FALSE(c->fell_back);
  }
  // Even when the primary is down: there is nowhere else to write.
  health_.Set("p", {BackendState::kDown, false, std::nullopt});
  EXPECT_EQ(selector_->Pick(Target(RouteTarget::Kind::kPrimary))->backend, "p");
}

TEST_F(ReplicaSelectorTest, EqualLoadRotates) {
  std::map<std::string, int> seen;
  for (int i = 0; i < 10; ++i) ++seen[PickReplica()];
  EXPECT_EQ(seen["r1"], 5);
  EXPECT_EQ(seen["r2"], 5);
  EXPECT_EQ(seen.count("p"), 0u);
}

TEST_F(ReplicaSelectorTest, FewestOutstandingWins) {
  ReplicaSelector::CallGuard a = selector_->Begin(1);  // r1 busy
  EXPECT_EQ(selector_->outstanding(1), 1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(PickReplica(), "r2");
  {
    ReplicaSelector::CallGuard b = selector_->Begin(2);
    ReplicaSelector::CallGuard c = selector_->Begin(2);
    EXPECT_EQ(selector_->outstanding(2), 2);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(PickReplica(), "r1");
  }
  EXPECT_EQ(selector_->outstanding(2), 0);
  // Moving a guard moves the count, not doubles it.
  ReplicaSelector::CallGuard moved = std::move(a);
  EXPECT_EQ(selector_->outstanding(1), 1);
  moved.Release();
  moved.Release();
  EXPECT_EQ(selector_->outstanding(1), 0);
  // An index out of range counts nothing.
  ReplicaSelector::CallGuard none = selector_->Begin(99);
}

TEST_F(ReplicaSelectorTest, UnfitReplicasLeaveTheRotation) {
  health_.Set("r1", Up(true, seconds(6)));  // over 5 s
  for (int i = 0; i < 4; ++i) EXPECT_EQ(PickReplica(), "r2");
  health_.Set("r1", Up(true, seconds(5)));  // exactly the limit is fine
  health_.Set("r2", Up(true, std::nullopt));  // replication broken
  for (int i = 0; i < 4; ++i) EXPECT_EQ(PickReplica(), "r1");
  health_.Set("r1", Up(false, seconds(0)));  // writable: promoted?
  bool fell_back = false;
  EXPECT_EQ(PickReplica(&fell_back), "p");
  EXPECT_TRUE(fell_back);
  health_.Set("r1", {BackendState::kDown, true, std::nullopt});
  health_.Set("r2", {BackendState::kUnknown, std::nullopt, std::nullopt});
  EXPECT_EQ(PickReplica(&fell_back), "p");
  EXPECT_TRUE(fell_back);
  health_.Set("r2", Up(true, seconds(0)));
  EXPECT_EQ(PickReplica(&fell_back), "r2");
  EXPECT_FALSE(fell_back);
}

TEST_F(ReplicaSelectorTest, LagLimitCanChange) {
  health_.Set("r1", Up(true, seconds(3)));
  health_.Set("r2", Up(true, seconds(3)));
  selector_->set_max_replica_lag(milliseconds(2000));
  bool fell_back = false;
  EXPECT_EQ(PickReplica(&fell_back), "p");
  EXPECT_TRUE(fell_back);
  selector_->set_max_replica_lag(milliseconds(3000));
  EXPECT_NE(PickReplica(&fell_back), "p");
  EXPECT_FALSE(fell_back);
}

TEST_F(ReplicaSelectorTest, NamedBackend) {
  absl::StatusOr<RouteChoice> c = selector_->Pick(Target(RouteTarget::Kind::kNamed, "r2"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->backend, "r2");
  EXPECT_EQ(c->index, 2u);
  // Lag does not matter to an explicit choice; being down does.
  health_.Set("r2", Up(true, seconds(999)));
  EXPECT_TRUE(selector_->Pick(Target(RouteTarget::Kind::kNamed, "r2")).ok());
  health_.Set("r2", {BackendState::kDown, true, std::nullopt});
  EXPECT_EQ(selector_->Pick(Target(RouteTarget::Kind::kNamed, "r2")).status().code(),
            absl::StatusCode::kUnavailable);
  health_.Set("r2", {BackendState::kUnknown, std::nullopt, std::nullopt});
  EXPECT_TRUE(selector_->Pick(Target(RouteTarget::Kind::kNamed, "r2")).ok());
  EXPECT_EQ(selector_->Pick(Target(RouteTarget::Kind::kNamed, "nope")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(selector_->Pick(Target(RouteTarget::Kind::kNamed, "")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ReplicaSelectorCreateTest, Validation) {
  FakeHealth health;
  EXPECT_FALSE(ReplicaSelector::Create({{"r", RoutingRole::kReplica}}, &health, seconds(1)).ok());
  EXPECT_FALSE(ReplicaSelector::Create({{"p", RoutingRole::kPrimary}, {"p", RoutingRole::kReplica}},
                                       &health, seconds(1))
                   .ok());
  EXPECT_FALSE(ReplicaSelector::Create({{"", RoutingRole::kPrimary}}, &health, seconds(1)).ok());
  EXPECT_FALSE(ReplicaSelector::Create({{"p", RoutingRole::kPrimary}}, nullptr, seconds(1)).ok());

  // The first primary is the primary; no replicas means every read falls back.
  auto s = ReplicaSelector::Create({{"a", RoutingRole::kReplica},
                                    {"b", RoutingRole::kPrimary},
                                    {"c", RoutingRole::kPrimary}},
                                   &health, seconds(1));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->primary_index(), 1u);
  auto only = ReplicaSelector::Create({{"p", RoutingRole::kPrimary}}, &health, seconds(1));
  ASSERT_TRUE(only.ok());
  absl::StatusOr<RouteChoice> c = (*only)->Pick(Target(RouteTarget::Kind::kReplica));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->backend, "p");
  EXPECT_TRUE(c->fell_back);
}

TEST(AssessReplicaTest, EachReason) {
  const milliseconds max(2000);
  EXPECT_EQ(AssessReplica(std::nullopt, max), ReplicaFitness::kUnchecked);
  EXPECT_EQ(AssessReplica(HealthSummary{}, max), ReplicaFitness::kUnchecked);
  EXPECT_EQ(AssessReplica(HealthSummary{BackendState::kDown, true, seconds(0)}, max),
            ReplicaFitness::kDown);
  EXPECT_EQ(AssessReplica(Up(false, seconds(0)), max), ReplicaFitness::kWritable);
  EXPECT_EQ(AssessReplica(HealthSummary{BackendState::kUp, std::nullopt, seconds(0)}, max),
            ReplicaFitness::kWritable);
  EXPECT_EQ(AssessReplica(Up(true, std::nullopt), max), ReplicaFitness::kLagUnknown);
  EXPECT_EQ(AssessReplica(Up(true, seconds(3)), max), ReplicaFitness::kLagging);
  EXPECT_EQ(AssessReplica(Up(true, seconds(2)), max), ReplicaFitness::kFit);
  EXPECT_EQ(AssessReplica(Up(true, seconds(0)), milliseconds(0)), ReplicaFitness::kFit);
  EXPECT_EQ(ReplicaFitnessName(ReplicaFitness::kLagging), "lagging");
}

}  // namespace
}  // namespace mysqlgw
