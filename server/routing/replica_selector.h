// Which backend runs a statement, given where the plan routes it
// (RouteTarget), the backends' roles and their health.
//
//  - kPrimary and kDefault: the primary (the first backend whose role is
//    primary), whatever its health: there is nowhere else to write, and the
//    pool reports an unreachable primary itself. The caller turns a read it
//    may split (read_write_split.h) into kReplica before asking.
//  - kReplica: among the replicas fit for reads (ReplicaFitness::kFit: up,
//    read_only, lag known and at most max_replica_lag) the one with the
//    fewest calls outstanding, ties taken in turn (round robin). With none
//    fit, the primary, flagged `fell_back` so metrics can count it.
//  - kNamed: that backend. NOT_FOUND if there is no such backend;
//    UNAVAILABLE if its last check found it down (an operator who names a
//    backend wants that one, not a silent substitute). A backend not yet
//    checked is tried.
//
// Outstanding calls are counted by the caller: Begin(index) returns a guard
// that holds one count until destroyed. Thread-safe: Pick and Begin may run
// on every event loop at once (atomics only, no lock).
#ifndef SERVER_ROUTING_REPLICA_SELECTOR_H_
#define SERVER_ROUTING_REPLICA_SELECTOR_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/intercept/hook.h"
#include "server/routing/backend_health.h"

namespace mysqlgw {

enum class RoutingRole { kPrimary, kReplica };

struct RoutingBackend {
  std::string name;
  RoutingRole role = RoutingRole::kPrimary;
};

// Why a replica may or may not serve reads.
enum class ReplicaFitness {
  kFit,
  kUnchecked,    // No check finished yet (or a backend health does not know).
  kDown,
  kWritable,     // read_only is off (or unknown): perhaps promoted.
  kLagUnknown,   // Replication stopped or broken, status unreadable.
  kLagging,      // Behind by more than max_replica_lag.
};
absl::string_view ReplicaFitnessName(ReplicaFitness fitness);

ReplicaFitness AssessReplica(const std::optional<HealthSummary>& health,
                             std::chrono::milliseconds max_replica_lag);

struct RouteChoice {
  size_t index = 0;         // Into backends().
  absl::string_view backend;  // Valid while the selector lives.
  // A replica was wanted but none was fit, so the primary serves.
  bool fell_back = false;
};

class ReplicaSelector {
 public:
  // Counts one outstanding call on a backend while it lives. Move-only.
  class CallGuard {
   public:
    CallGuard() = default;
    CallGuard(CallGuard&& other) noexcept : counter_(other.counter_) {
      other.counter_ = nullptr;
    }
    CallGuard& operator=(CallGuard&& other) noexcept;
    CallGuard(const CallGuard&) = delete;
    CallGuard& operator=(const CallGuard&) = delete;
    ~CallGuard() { Release(); }
    void Release();

   private:
    friend class ReplicaSelector;
    explicit CallGuard(std::atomic<int64_t>* counter);
    std::atomic<int64_t>* counter_ = nullptr;
  };

  // INVALID_ARGUMENT without a primary, with an empty or duplicate name.
  // `health` must outlive the selector.
  static absl::StatusOr<std::unique_ptr<ReplicaSelector>> Create(
      std::vector<RoutingBackend> backends, const HealthView* health,
      std::chrono::milliseconds max_replica_lag);

  absl::StatusOr<RouteChoice> Pick(const RouteTarget& target);

  // The guards must not outlive the selector. An index out of range gives an
  // empty guard.
  CallGuard Begin(size_t index);

  int64_t outstanding(size_t index) const {
    return counters_[index].load(std::memory_order_relaxed);
  }
  const std::vector<RoutingBackend>& backends() const { return backends_; }
  size_t primary_index() const { return primary_; }

  // For a configuration reload that changes only the limit.
  void set_max_replica_lag(std::chrono::milliseconds lag) {
    max_lag_ms_.store(lag.count(), std::memory_order_relaxed);
  }
  std::chrono::milliseconds max_replica_lag() const {
    return std::chrono::milliseconds(max_lag_ms_.load(std::memory_order_relaxed));
  }

 private:
  ReplicaSelector(std::vector<RoutingBackend> backends, const HealthView* health,
                  std::chrono::milliseconds max_replica_lag);
  RouteChoice Choose(size_t index, bool fell_back) const {
    return RouteChoice{index, backends_[index].name, fell_back};
  }

  std::vector<RoutingBackend> backends_;
  std::vector<size_t> replicas_;  // Indexes into backends_.
  size_t primary_ = 0;
  const HealthView* health_;
  std::atomic<int64_t> max_lag_ms_;
  std::unique_ptr<std::atomic<int64_t>[]> counters_;
  std::atomic<uint64_t> turn_{0};
};

}  // namespace mysqlgw

#endif  // SERVER_ROUTING_REPLICA_SELECTOR_H_
