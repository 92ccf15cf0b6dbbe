// Limits per principal (interception.principal_limits). A principal gets
// its own entry, else the "*" entry, else no limits; under "*" each
// principal still has its own counters and buckets.
//
//  - max_concurrent_calls: statements between read_query and
//    read_query_result.
//  - max_open_transactions: TryOpenTransaction / CloseTransaction, called by
//    the gateway's transaction table.
//  - queries_per_second (+ queries_burst, default one second's worth, at
//    least 1): a token per statement.
//  - bytes_per_second (+ bytes_burst, default one second's worth): result
//    bytes are charged after the fact, so a large result may leave a debt;
//    while it is unpaid new statements are refused.
//  - max_rows_per_result / max_bytes_per_result: lower plan.max_rows /
//    plan.max_bytes (never raise them).
// Refusals: RESOURCE_EXHAUSTED, errno 1226 (ER_USER_LIMIT_REACHED), SQLSTATE
// 42000, the message naming the limit and its value.
//
// Counting is always on, limited or not, so that a reload which adds a
// limit starts from the true number of running calls and open transactions.
//
// Hot reload: counters and buckets live in a LimitsState that the next
// PrincipalLimits adopts (Create(new_config, old->state())). A bucket keeps
// its level while its rate and burst are unchanged, and restarts full when
// either changes. Several generations may run at once while old calls drain:
// only the newest replaces a bucket whose parameters differ, older ones keep
// charging whatever bucket is there.
//
// Thread-safe. Per statement: a reader lock on the principal map, atomics
// for the counters, and the principal's bucket mutex when it has a rate.
#ifndef SERVER_INTERCEPT_LIMITS_PRINCIPAL_LIMITS_H_
#define SERVER_INTERCEPT_LIMITS_PRINCIPAL_LIMITS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/intercept/hook.h"
#include "server/intercept/token_bucket.h"

namespace mysqlgw {

// One principal's limits after defaults; 0 means unlimited.
struct ResolvedLimits {
  uint32_t max_concurrent_calls = 0;
  uint32_t max_open_transactions = 0;
  double queries_per_second = 0;
  double queries_burst = 0;
  double bytes_per_second = 0;
  double bytes_burst = 0;
  uint64_t max_rows_per_result = 0;
  uint64_t max_bytes_per_result = 0;
};

// Refusals by limit, for metrics; survive reloads with the state.
struct LimitsRejections {
  std::atomic<uint64_t> concurrent_calls{0};
  std::atomic<uint64_t> open_transactions{0};
  std::atomic<uint64_t> queries_per_second{0};
  std::atomic<uint64_t> bytes_per_second{0};
};

// The live part of the limits, shared by successive PrincipalLimits.
class LimitsState {
 public:
  LimitsState() = default;
  LimitsState(const LimitsState&) = delete;
  LimitsState& operator=(const LimitsState&) = delete;

  uint32_t concurrent_calls(absl::string_view principal) const;
  uint32_t open_transactions(absl::string_view principal) const;
  const LimitsRejections& rejections() const { return rejections_; }

 private:
  friend class PrincipalLimits;

  struct Counters {
    std::atomic<uint32_t> concurrent_calls{0};
    std::atomic<uint32_t> open_transactions{0};
    absl::Mutex mu;
    std::optional<TokenBucket> queries ABSL_GUARDED_BY(mu);
    std::optional<TokenBucket> bytes ABSL_GUARDED_BY(mu);
  };

  // Created on first use; stable address for the life of the state.
  Counters& For(absl::string_view principal);
  const Counters* Find(absl::string_view principal) const;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Counters>> counters_ ABSL_GUARDED_BY(mu_);
  // Bumped by each PrincipalLimits::Create that adopts this state.
  std::atomic<uint64_t> generation_{0};
  LimitsRejections rejections_;
};

class PrincipalLimits {
 public:
  using Clock = std::function<TokenBucket::Clock::time_point()>;

  // Validates interception.principal_limits (INVALID_ARGUMENT lists every
  // problem). `previous`: the state of the limits being replaced, or null
  // for a fresh one. `clock`: null for steady_clock (tests inject one).
  static absl::StatusOr<std::shared_ptr<PrincipalLimits>> Create(
      const v1::InterceptionConfig& config, std::shared_ptr<LimitsState> previous = nullptr,
      Clock clock = nullptr);

  const ResolvedLimits& LimitsFor(absl::string_view principal) const;

  // Admits a statement: takes a concurrency slot and a query token, after
  // checking the byte budget is not in debt. OK, or the refusal (nothing
  // taken). Each OK must be paired with one FinishStatement.
  absl::Status AdmitStatement(absl::string_view principal);
  // Releases the slot and charges the result's bytes.
  void FinishStatement(absl::string_view principal, uint64_t result_bytes);

  // OK and counted, or RESOURCE_EXHAUSTED over max_open_transactions. Each
  // OK must be paired with one CloseTransaction.
  absl::Status TryOpenTransaction(absl::string_view principal);
  void CloseTransaction(absl::string_view principal);

  const std::shared_ptr<LimitsState>& state() const { return state_; }

 private:
  PrincipalLimits(std::shared_ptr<LimitsState> state, Clock clock)
      : state_(std::move(state)), clock_(std::move(clock)) {}
  TokenBucket::Clock::time_point Now() const;
  // The bucket for (rate, burst), replaced when its parameters differ and
  // this is the newest generation.
  TokenBucket& Bucket(std::optional<TokenBucket>& bucket, double rate, double burst,
                      TokenBucket::Clock::time_point now);

  const std::shared_ptr<LimitsState> state_;
  const Clock clock_;
  uint64_t generation_ = 0;
  absl::flat_hash_map<std::string, ResolvedLimits> limits_;
  std::optional<ResolvedLimits> wildcard_;
};

// Applies PrincipalLimits to statements: ReadQuery admits (or rejects) and
// caps plan.max_rows / plan.max_bytes; ReadQueryResult finishes the
// statement, relying on the chain's promise that it follows every ReadQuery,
// including when a later hook rejected the statement. Its own refusals took
// nothing; it recognises them in ReadQueryResult by a payload it adds to
// plan.rejection (ignored by the gRPC and MySQL error mappings), so the
// gateway must hand back the plan's rejection as the hook set it.
class LimitsHook : public Hook {
 public:
  explicit LimitsHook(std::shared_ptr<PrincipalLimits> limits) : limits_(std::move(limits)) {}

  absl::string_view name() const override { return "limits"; }
  void ReadQuery(StatementContext& ctx, StatementPlan& plan) override;
  absl::Status ReadQueryResult(const StatementContext& ctx, const StatementPlan& plan,
                               const ResultInfo& result) override;

  const std::shared_ptr<PrincipalLimits>& limits() const { return limits_; }

 private:
  std::shared_ptr<PrincipalLimits> limits_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LIMITS_PRINCIPAL_LIMITS_H_
