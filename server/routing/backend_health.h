// Backend health for routing: is each backend reachable, is it read-only,
// and how far behind is each replica.
//
// A HealthChecker runs one check loop per backend on a given executor. Each
// keeps one dedicated connection (opened on demand, reopened after a
// failure) and every interval reads `SELECT @@read_only` and, for replicas,
// SHOW ALL SLAVES STATUS (MariaDB) or SHOW REPLICA STATUS (MySQL). A failed
// check marks the backend down at once and the next checks back off
// (interval, 2x, 4x ... up to max_backoff); the first good check marks it
// up again. Before its first check a backend is kUnknown. A check on a
// connection left over from earlier that fails in transport is retried once
// on a fresh connection, so a backend restarted between two checks is not
// reported down.
//
// No check hangs: connect (TCP, TLS, authentication) is bounded by
// `timeout`, and so is every packet read or written afterwards.
//
// Results are readable from any thread: Summary() is lock-free (for the
// per-statement routing decision), Snapshot() copies the full record under
// a mutex. State changes (up/down, read_only, replication running or not)
// are logged once, when they happen, not every interval.
//
// Threading: the executor must be single-threaded (an io_context run by one
// thread, as the gateway's event loops are, or a strand).
#ifndef SERVER_ROUTING_BACKEND_HEALTH_H_
#define SERVER_ROUTING_BACKEND_HEALTH_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "boost/asio/any_io_executor.hpp"
#include "mysqlwire/connect_options.h"

namespace mysqlgw {

enum class BackendState { kUnknown, kUp, kDown };
absl::string_view BackendStateName(BackendState state);  // "unknown", "up", "down"

// What routing needs, cheap to read on every statement.
struct HealthSummary {
  BackendState state = BackendState::kUnknown;
  std::optional<bool> read_only;  // From the last good check.
  // Replicas: Seconds_Behind_Master, when replication runs. nullopt when
  // unknown: never checked, replication stopped or broken (NULL), or the
  // status could not be read.
  std::optional<std::chrono::seconds> lag;

  friend bool operator==(const HealthSummary&, const HealthSummary&) = default;
};

// The full record of one backend's checks.
struct BackendHealth {
  BackendState state = BackendState::kUnknown;
  std::optional<bool> read_only;
  std::optional<std::chrono::seconds> lag;
  bool is_replica = false;
  // Replicas: why lag is unknown ("SQL thread No", "replication is not
  // configured", a query error); empty when the lag is known.
  std::string replication_problem;
  // The last failed check's error; cleared by a good check.
  std::string last_error;
  std::chrono::system_clock::time_point last_check{};  // Epoch: never.
  uint32_t consecutive_failures = 0;
  uint64_t checks = 0;  // Completed checks, good or bad.

  HealthSummary summary() const { return {state, read_only, lag}; }
};

// Where routing reads health from (the HealthChecker, or a fixed table in
// tests). Thread-safe.
class HealthView {
 public:
  virtual ~HealthView() = default;
  // nullopt for a backend the view does not know.
  virtual std::optional<HealthSummary> Summary(absl::string_view backend) const = 0;
};

struct HealthCheckTarget {
  std::string name;
  mysqlwire::ConnectOptions options;
  bool is_replica = false;  // Also read the replication status.
};

struct HealthCheckOptions {
  std::chrono::milliseconds interval{1000};
  // Bounds connect, and each packet of a check's queries.
  std::chrono::milliseconds timeout{2000};
  // The longest wait between checks of a failing backend (at least
  // `interval`).
  std::chrono::milliseconds max_backoff{8000};
  // Receives one line per state change; default: stderr with a timestamp.
  std::function<void(absl::string_view)> log;
};

class HealthChecker : public HealthView {
 public:
  HealthChecker(boost::asio::any_io_executor executor,
                std::vector<HealthCheckTarget> targets, HealthCheckOptions options);
  ~HealthChecker() override;  // Stop()
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // Starts the check loops; the first checks begin at once. Idempotent.
  // Call from any thread.
  void Start();
  // Ends the loops: they stop at their next step, their connections are
  // closed on the executor. Returns at once; after it returns no more log
  // lines are written and the state no longer changes. Idempotent; any
  // thread.
  void Stop();

  std::optional<HealthSummary> Summary(absl::string_view backend) const override;
  // nullopt for an unknown backend.
  std::optional<BackendHealth> Snapshot(absl::string_view backend) const;
  std::vector<std::pair<std::string, BackendHealth>> SnapshotAll() const;

  class Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace mysqlgw

#endif  // SERVER_ROUTING_BACKEND_HEALTH_H_
