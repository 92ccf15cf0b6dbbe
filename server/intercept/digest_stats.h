// Statement statistics by digest, and the slow statement log. A hook at the
// head of the chain (it sees every statement's outcome, whichever hook
// decided), created once for the gateway's life: its numbers survive
// policy reloads.
//
// Bounded: at most max_tracked digests are kept; later new digests are
// summed under one "other" entry, so hostile or generated SQL cannot grow
// memory. Thread-safe (one mutex; a few hundred nanoseconds a statement).
#ifndef SERVER_INTERCEPT_DIGEST_STATS_H_
#define SERVER_INTERCEPT_DIGEST_STATS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/intercept/audit_hook.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

struct DigestSummary {
  uint64_t digest = 0;
  std::string text;  // "(other)" for the overflow entry.
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t rows = 0;
  std::chrono::microseconds total_latency{0};
  std::chrono::microseconds max_latency{0};
};

class DigestStats : public Hook {
 public:
  // `slow_log` null: no slow log (threshold ignored).
  DigestStats(size_t max_tracked, std::chrono::microseconds slow_threshold,
              std::shared_ptr<AuditLog> slow_log);

  absl::string_view name() const override { return "digest_stats"; }
  absl::Status ReadQueryResult(const StatementContext& ctx, const StatementPlan& plan,
                               const ResultInfo& result) override;

  // The `n` digests with the most total time, most first.
  std::vector<DigestSummary> Top(size_t n) const;
  // Top(n) as a plain-text table (GET /digests).
  std::string RenderTop(size_t n) const;
  size_t tracked() const;
  uint64_t slow_statements() const { return slow_.load(std::memory_order_relaxed); }

 private:
  const size_t max_tracked_;
  const std::chrono::microseconds slow_threshold_;
  const std::shared_ptr<AuditLog> slow_log_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, DigestSummary> by_digest_ ABSL_GUARDED_BY(mu_);
  DigestSummary other_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> slow_{0};
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_DIGEST_STATS_H_
