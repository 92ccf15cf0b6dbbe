#include "server/intercept/limits/principal_limits.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "server/intercept/limits/config_problems.h"

namespace mysqlgw {
namespace {

using limits_internal::ConfigProblems;
using limits_internal::IndexedPath;

constexpr uint16_t kErUserLimitReached = 1226;
// Marks refusals made by LimitsHook, so that its ReadQueryResult knows no
// slot was taken for that statement. Ignored when the status is turned into
// a gRPC status or an ERR packet.
constexpr absl::string_view kRefusedByLimitsUrl = "mysqlgw.intercept.limits.refused";

std::string FormatRate(double value) {
  if (value == std::floor(value) && value < 1e15) {
    return absl::StrCat(static_cast<uint64_t>(value));
  }
  return absl::StrCat(value);
}

absl::Status LimitReached(absl::string_view principal, absl::string_view verb,
                          absl::string_view limit, absl::string_view value) {
  return RejectionStatus(absl::StatusCode::kResourceExhausted, kErUserLimitReached, "42000",
                         absl::StrCat("principal '", principal, "' has ", verb, " ", limit, " (",
                                      value, ")"));
}

// Takes one from `counter` unless that would exceed `max` (0: no maximum).
bool TryIncrement(std::atomic<uint32_t>& counter, uint32_t max) {
  if (max == 0) {
    counter.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  uint32_t current = counter.load(std::memory_order_relaxed);
  do {
    if (current >= max) return false;
  } while (!counter.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel,
                                          std::memory_order_relaxed));
  return true;
}

// Never below zero: an unpaired release (a bug elsewhere) must not wrap the
// counter into a permanent refusal.
void Decrement(std::atomic<uint32_t>& counter) {
  uint32_t current = counter.load(std::memory_order_relaxed);
  while (current > 0 && !counter.compare_exchange_weak(current, current - 1,
                                                       std::memory_order_acq_rel,
                                                       std::memory_order_relaxed)) {
  }
}

bool ValidRate(double rate) { return std::isfinite(rate) && rate >= 0; }

void CheckEntry(const v1::PrincipalLimitsConfig& entry, const std::string& path,
                ConfigProblems& problems) {
  if (entry.principal().empty()) {
    problems.Add(path, "principal must not be empty (\"*\" for every principal)");
  }
  if (!ValidRate(entry.queries_per_second())) {
    problems.Add(path, absl::StrCat("queries_per_second must be > 0 (0 or unset: no limit), not ",
                                    entry.queries_per_second()));
  } else if (entry.queries_per_second() == 0 && entry.queries_burst() != 0) {
    problems.Add(path, "queries_burst is set but queries_per_second is not");
  }
  if (!ValidRate(entry.bytes_per_second())) {
    problems.Add(path, absl::StrCat("bytes_per_second must be > 0 (0 or unset: no limit), not ",
                                    entry.bytes_per_second()));
  } else if (entry.bytes_per_second() == 0 && entry.bytes_burst() != 0) {
    problems.Add(path, "bytes_burst is set but bytes_per_second is not");
  }
}

ResolvedLimits Resolve(const v1::PrincipalLimitsConfig& entry) {
  ResolvedLimits limits;
  limits.max_concurrent_calls = entry.max_concurrent_calls();
  limits.max_open_transactions = entry.max_open_transactions();
  limits.queries_per_second = entry.queries_per_second();
  if (limits.queries_per_second > 0) {
    limits.queries_burst = entry.queries_burst() > 0
                               ? static_cast<double>(entry.queries_burst())
                               : std::max(1.0, std::ceil(limits.queries_per_second));
  }
  limits.bytes_per_second = entry.bytes_per_second();
  if (limits.bytes_per_second > 0) {
    limits.bytes_burst = entry.bytes_burst() > 0
                             ? static_cast<double>(entry.bytes_burst())
                             : std::max(1.0, std::ceil(limits.bytes_per_second));
  }
  limits.max_rows_per_result = entry.max_rows_per_result();
  limits.max_bytes_per_result = entry.max_bytes_per_result();
  return limits;
}

const ResolvedLimits kUnlimited;

absl::string_view PrincipalOf(const StatementContext& ctx) {
  return ctx.client == nullptr ? absl::string_view() : absl::string_view(ctx.client->principal);
}

}  // namespace

// ---- LimitsState ----

LimitsState::Counters& LimitsState::For(absl::string_view principal) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = counters_.find(principal);
    if (it != counters_.end()) return *it->second;
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Counters>& slot = counters_[principal];
  if (slot == nullptr) slot = std::make_unique<Counters>();
  return *slot;
}

const LimitsState::Counters* LimitsState::Find(absl::string_view principal) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = counters_.find(principal);
  return it == counters_.end() ? nullptr : it->second.get();
}

uint32_t LimitsState::concurrent_calls(absl::string_view principal) const {
  const Counters* counters = Find(principal);
  return counters == nullptr ? 0 : counters->concurrent_calls.load(std::memory_order_relaxed);
}

uint32_t LimitsState::open_transactions(absl::string_view principal) const {
  const Counters* counters = Find(principal);
  return counters == nullptr ? 0 : counters->open_transactions.load(std::memory_order_relaxed);
}

// ---- PrincipalLimits ----

absl::StatusOr<std::shared_ptr<PrincipalLimits>> PrincipalLimits::Create(
    const v1::InterceptionConfig& config, std::shared_ptr<LimitsState> previous, Clock clock) {
  ConfigProblems problems;
  absl::flat_hash_map<std::string, int> first_index;
  for (int i = 0; i < config.principal_limits_size(); ++i) {
    const v1::PrincipalLimitsConfig& entry = config.principal_limits(i);
    const std::string path = IndexedPath("interception.principal_limits", i);
    CheckEntry(entry, path, problems);
    if (entry.principal().empty()) continue;
    auto [it, inserted] = first_index.emplace(entry.principal(), i);
    if (!inserted) {
      problems.Add(path, absl::StrCat("principal '", entry.principal(),
                                      "' already has limits at interception.principal_limits[",
                                      it->second, "]"));
    }
  }
  if (!problems.empty()) return problems.ToStatus();

  if (previous == nullptr) previous = std::make_shared<LimitsState>();
  std::shared_ptr<PrincipalLimits> limits(new PrincipalLimits(previous, std::move(clock)));
  limits->generation_ = previous->generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
  for (const v1::PrincipalLimitsConfig& entry : config.principal_limits()) {
    if (entry.principal() == "*") {
      limits->wildcard_ = Resolve(entry);
    } else {
      limits->limits_[entry.principal()] = Resolve(entry);
    }
  }
  return limits;
}

const ResolvedLimits& PrincipalLimits::LimitsFor(absl::string_view principal) const {
  auto it = limits_.find(principal);
  if (it != limits_.end()) return it->second;
  return wildcard_.has_value() ? *wildcard_ : kUnlimited;
}

TokenBucket::Clock::time_point PrincipalLimits::Now() const {
  return clock_ ? clock_() : TokenBucket::Clock::now();
}

TokenBucket& PrincipalLimits::Bucket(std::optional<TokenBucket>& bucket, double rate,
                                     double burst, TokenBucket::Clock::time_point now) {
  if (!bucket.has_value()) {
    bucket.emplace(rate, burst, now);
  } else if ((bucket->rate() != rate || bucket->burst() != burst) &&
             generation_ == state_->generation_.load(std::memory_order_acquire)) {
    bucket.emplace(rate, burst, now);
  }
  return *bucket;
}

absl::Status PrincipalLimits::AdmitStatement(absl::string_view principal) {
  const ResolvedLimits& limits = LimitsFor(principal);
  LimitsState::Counters& counters = state_->For(principal);
  if (!TryIncrement(counters.concurrent_calls, limits.max_concurrent_calls)) {
    state_->rejections_.concurrent_calls.fetch_add(1, std::memory_order_relaxed);
    return LimitReached(principal, "reached", "max_concurrent_calls",
                        absl::StrCat(limits.max_concurrent_calls));
  }
  if (limits.queries_per_second <= 0 && limits.bytes_per_second <= 0) return absl::OkStatus();

  const TokenBucket::Clock::time_point now = Now();
  absl::Status refusal;
  {
    absl::MutexLock lock(&counters.mu);
    // The byte budget first: it takes nothing, whereas a query token taken
    // for a statement then refused would be lost.
    if (limits.bytes_per_second > 0 &&
        !Bucket(counters.bytes, limits.bytes_per_second, limits.bytes_burst, now).InCredit(now)) {
      state_->rejections_.bytes_per_second.fetch_add(1, std::memory_order_relaxed);
      refusal = LimitReached(principal, "exceeded", "bytes_per_second",
                             FormatRate(limits.bytes_per_second));
    } else if (limits.queries_per_second > 0 &&
               !Bucket(counters.queries, limits.queries_per_second, limits.queries_burst, now)
                    .TryTake(1, now)) {
      state_->rejections_.queries_per_second.fetch_add(1, std::memory_order_relaxed);
      refusal = LimitReached(principal, "exceeded", "queries_per_second",
                             FormatRate(limits.queries_per_second));
    }
  }
  if (!refusal.ok()) Decrement(counters.concurrent_calls);
  return refusal;
}

void PrincipalLimits::FinishStatement(absl::string_view principal, uint64_t result_bytes) {
  const ResolvedLimits& limits = LimitsFor(principal);
  LimitsState::Counters& counters = state_->For(principal);
  Decrement(counters.concurrent_calls);
  if (limits.bytes_per_second <= 0 || result_bytes == 0) return;
  const TokenBucket::Clock::time_point now = Now();
  absl::MutexLock lock(&counters.mu);
  Bucket(counters.bytes, limits.bytes_per_second, limits.bytes_burst, now)
      .Charge(static_cast<double>(result_bytes), now);
}

absl::Status PrincipalLimits::TryOpenTransaction(absl::string_view principal) {
  const ResolvedLimits& limits = LimitsFor(principal);
  LimitsState::Counters& counters = state_->For(principal);
  if (!TryIncrement(counters.open_transactions, limits.max_open_transactions)) {
    state_->rejections_.open_transactions.fetch_add(1, std::memory_order_relaxed);
    return LimitReached(principal, "reached", "max_open_transactions",
                        absl::StrCat(limits.max_open_transactions));
  }
  return absl::OkStatus();
}

void PrincipalLimits::CloseTransaction(absl::string_view principal) {
  Decrement(state_->For(principal).open_transactions);
}

// ---- LimitsHook ----

void LimitsHook::ReadQuery(StatementContext& ctx, StatementPlan& plan) {
  const absl::string_view principal = PrincipalOf(ctx);
  absl::Status admitted = limits_->AdmitStatement(principal);
  if (!admitted.ok()) {
    admitted.SetPayload(kRefusedByLimitsUrl, absl::Cord("1"));
    plan.verdict = StatementPlan::Verdict::kReject;
    plan.rejection = std::move(admitted);
    return;
  }
  const ResolvedLimits& limits = limits_->LimitsFor(principal);
  if (limits.max_rows_per_result > 0) {
    plan.max_rows = std::min(plan.max_rows.value_or(limits.max_rows_per_result),
                             limits.max_rows_per_result);
  }
  if (limits.max_bytes_per_result > 0) {
    plan.max_bytes = std::min(plan.max_bytes.value_or(limits.max_bytes_per_result),
                              limits.max_bytes_per_result);
  }
}

absl::Status LimitsHook::ReadQueryResult(const StatementContext& ctx, const StatementPlan& plan,
                                         const ResultInfo& result) {
  if (plan.verdict == StatementPlan::Verdict::kReject &&
      plan.rejection.GetPayload(kRefusedByLimitsUrl).has_value()) {
    return absl::OkStatus();  // Refused here: nothing was taken.
  }
  limits_->FinishStatement(PrincipalOf(ctx), result.bytes);
  return absl::OkStatus();
}

}  // namespace mysqlgw
