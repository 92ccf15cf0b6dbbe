#include "server/routing/replica_selector.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace mysqlgw {

absl::string_view ReplicaFitnessName(ReplicaFitness fitness) {
  switch (fitness) {
    case ReplicaFitness::kFit: return "fit";
    case ReplicaFitness::kUnchecked: return "unchecked";
    case ReplicaFitness::kDown: return "down";
    case ReplicaFitness::kWritable: return "writable";
    case ReplicaFitness::kLagUnknown: return "lag_unknown";
    case ReplicaFitness::kLagging: return "lagging";
  }
  return "unchecked";
}

ReplicaFitness AssessReplica(const std::optional<HealthSummary>& health,
                             std::chrono::milliseconds max_replica_lag) {
  if (!health.has_value() || health->state == BackendState::kUnknown) {
    return ReplicaFitness::kUnchecked;
  }
  if (health->state == BackendState::kDown) return ReplicaFitness::kDown;
  if (health->read_only != true) return ReplicaFitness::kWritable;
  if (!health->lag.has_value()) return ReplicaFitness::kLagUnknown;
  if (*health->lag > max_replica_lag) return ReplicaFitness::kLagging;
  return ReplicaFitness::kFit;
}

ReplicaSelector::CallGuard::CallGuard(std::atomic<int64_t>* counter)
    : counter_(counter) {
  counter_->fetch_add(1, std::memory_order_relaxed);
}

ReplicaSelector::CallGuard& ReplicaSelector::CallGuard::operator=(
    CallGuard&& other) noexcept {
  if (this != &other) {
    Release();
    counter_ = other.counter_;
    other.counter_ = nullptr;
  }
  return *this;
}

void ReplicaSelector::CallGuard::Release() {
  if (counter_ != nullptr) {
    counter_->fetch_sub(1, std::memory_order_relaxed);
    counter_ = nullptr;
  }
}

ReplicaSelector::ReplicaSelector(std::vector<RoutingBackend> backends,
                                 const HealthView* health,
                                 std::chrono::milliseconds max_replica_lag)
    : backends_(std::move(backends)),
      health_(health),
      max_lag_ms_(max_replica_lag.count()),
      counters_(new std::atomic<int64_t>[backends_.size()]) {
  bool have_primary = false;
  for (size_t i = 0; i < backends_.size(); ++i) {
    counters_[i].store(0, std::memory_order_relaxed);
    if (backends_[i].role == RoutingRole::kReplica) {
      replicas_.push_back(i);
    } else if (!have_primary) {
      primary_ = i;
      have_primary = true;
    }
  }
}

absl::StatusOr<std::unique_ptr<ReplicaSelector>> ReplicaSelector::Create(
    std::vector<RoutingBackend> backends, const HealthView* health,
    std::chrono::milliseconds max_replica_lag) {
  if (health == nullptr) return absl::InvalidArgumentError("no health view");
  absl::flat_hash_set<std::string> names;
  bool have_primary = false;
  for (const RoutingBackend& b : backends) {
    if (b.name.empty()) return absl::InvalidArgumentError("a backend has no name");
    if (!names.insert(b.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("backend '", b.name, "' appears twice"));
    }
    have_primary |= b.role == RoutingRole::kPrimary;
  }
  if (!have_primary) return absl::InvalidArgumentError("no primary backend");
  return std::unique_ptr<ReplicaSelector>(
      new ReplicaSelector(std::move(backends), health, max_replica_lag));
}

absl::StatusOr<RouteChoice> ReplicaSelector::Pick(const RouteTarget& target) {
  switch (target.kind) {
    case RouteTarget::Kind::kDefault:
    case RouteTarget::Kind::kPrimary:
      return Choose(primary_, /*fell_back=*/false);

    case RouteTarget::Kind::kNamed: {
      for (size_t i = 0; i < backends_.size(); ++i) {
        if (backends_[i].name != target.backend) continue;
        std::optional<HealthSummary> health = health_->Summary(backends_[i].name);
        if (health.has_value() && health->state == BackendState::kDown) {
          return absl::UnavailableError(
              absl::StrCat("backend '", target.backend, "' is down"));
        }
        return Choose(i, /*fell_back=*/false);
      }
      return absl::NotFoundError(absl::StrCat("no backend named '", target.backend, "'"));
    }

    case RouteTarget::Kind::kReplica:
      break;
  }

  if (replicas_.empty()) return Choose(primary_, /*fell_back=*/true);
  const std::chrono::milliseconds max_lag = max_replica_lag();
  // Starting the scan one further each time makes the first of several
  // equally loaded replicas rotate.
  const size_t start =
      static_cast<size_t>(turn_.fetch_add(1, std::memory_order_relaxed) % replicas_.size());
  std::optional<size_t> best;
  int64_t best_load = 0;
  for (size_t k = 0; k < replicas_.size(); ++k) {
    const size_t i = replicas_[(start + k) % replicas_.size()];
    if (AssessReplica(health_->Summary(backends_[i].name), max_lag) != ReplicaFitness::kFit) {
      continue;
    }
    const int64_t load = outstanding(i);
    if (!best.has_value() || load < best_load) {
      best = i;
      best_load = load;
    }
  }
  if (!best.has_value()) return Choose(primary_, /*fell_back=*/true);
  return Choose(*best, /*fell_back=*/false);
}

ReplicaSelector::CallGuard ReplicaSelector::Begin(size_t index) {
  if (index >= backends_.size()) return CallGuard();
  return CallGuard(&counters_[index]);
}

}  // namespace mysqlgw
