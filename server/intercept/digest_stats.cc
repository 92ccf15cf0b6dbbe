#include "server/intercept/digest_stats.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/sql/digest.h"

namespace mysqlgw {
namespace {

void Add(DigestSummary& s, const ResultInfo& result) {
  ++s.calls;
  if (!result.status.ok()) ++s.errors;
  s.rows += result.rows;
  s.total_latency += result.latency;
  s.max_latency = std::max(s.max_latency, result.latency);
}

}  // namespace

DigestStats::DigestStats(size_t max_tracked, std::chrono::microseconds slow_threshold,
                         std::shared_ptr<AuditLog> slow_log)
    : max_tracked_(max_tracked), slow_threshold_(slow_threshold), slow_log_(std::move(slow_log)) {
  other_.text = "(other)";
}

absl::Status DigestStats::ReadQueryResult(const StatementContext& ctx, const StatementPlan& plan,
                                          const ResultInfo& result) {
  {
    absl::MutexLock lock(&mu_);
    auto it = by_digest_.find(ctx.digest);
    if (it == by_digest_.end() && by_digest_.size() < max_tracked_) {
      it = by_digest_.emplace(ctx.digest, DigestSummary{}).first;
      it->second.digest = ctx.digest;
      it->second.text = ctx.digest_text;
    }
    Add(it != by_digest_.end() ? it->second : other_, result);
  }
  if (slow_log_ != nullptr && slow_threshold_.count() > 0 && result.latency >= slow_threshold_) {
    slow_.fetch_add(1, std::memory_order_relaxed);
    slow_log_->Write(AuditRecord(ctx, plan, result));
  }
  return absl::OkStatus();
}

std::vector<DigestSummary> DigestStats::Top(size_t n) const {
  std::vector<DigestSummary> all;
  {
    absl::MutexLock lock(&mu_);
    all.reserve(by_digest_.size() + 1);
    for (const auto& [digest, summary] : by_digest_) all.push_back(summary);
    if (other_.calls > 0) all.push_back(other_);
  }
  std::sort(all.begin(), all.end(), [](const DigestSummary& a, const DigestSummary& b) {
    return a.total_latency != b.total_latency ? a.total_latency > b.total_latency
                                              : a.calls > b.calls;
  });
  if (all.size() > n) all.resize(n);
  return all;
}

std::string DigestStats::RenderTop(size_t n) const {
  std::string out = absl::StrFormat("%-16s %10s %8s %10s %12s %12s  %s\n", "digest", "calls",
                                    "errors", "rows", "total_ms", "max_ms", "text");
  for (const DigestSummary& s : Top(n)) {
    absl::StrAppend(
        &out, absl::StrFormat("%-16s %10d %8d %10d %12.1f %12.1f  %s\n",
                              s.text == "(other)" ? std::string("-") : DigestHex(s.digest),
                              s.calls, s.errors, s.rows, s.total_latency.count() / 1000.0,
                              s.max_latency.count() / 1000.0, s.text));
  }
  return out;
}

size_t DigestStats::tracked() const {
  absl::MutexLock lock(&mu_);
  return by_digest_.size();
}

}  // namespace mysqlgw
