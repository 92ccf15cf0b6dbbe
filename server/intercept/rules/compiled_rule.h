// A rule as Evaluate reads it: every condition parsed and every regex
// compiled by RuleSet::Compile, so that matching allocates nothing.
// Private to the rules package.
#ifndef SERVER_INTERCEPT_RULES_COMPILED_RULE_H_
#define SERVER_INTERCEPT_RULES_COMPILED_RULE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "mysqlgw/v1/config.pb.h"
#include "re2/re2.h"
#include "server/intercept/client_address.h"
#include "server/intercept/hook.h"
#include "server/intercept/rules/table_pattern.h"
#include "server/intercept/token_bucket.h"

namespace mysqlgw::rules_internal {

// Token buckets of one rule: one per principal, or a single one keyed ""
// when shared. Buckets are created on a principal's first statement and
// live as long as the RuleSet (principals are the configured ones).
class RateLimiter {
 public:
  RateLimiter(double queries_per_second, double burst, bool shared)
      : queries_per_second_(queries_per_second), burst_(burst), shared_(shared) {}

  bool TryTake(absl::string_view principal, TokenBucket::Clock::time_point now) {
    if (shared_) principal = "";
    absl::MutexLock lock(&mu_);
    auto it = buckets_.find(principal);
    if (it == buckets_.end()) {
      it = buckets_.emplace(std::string(principal), TokenBucket(queries_per_second_, burst_, now))
               .first;
    }
    return it->second.TryTake(1, now);
  }

  double queries_per_second() const { return queries_per_second_; }
  bool shared() const { return shared_; }

 private:
  const double queries_per_second_;
  const double burst_;
  const bool shared_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, TokenBucket> buckets_ ABSL_GUARDED_BY(mu_);
};

inline uint32_t KindBit(StatementKind kind) { return 1u << static_cast<unsigned>(kind); }

struct CompiledRule {
  std::string name;
  bool disabled = false;
  uint32_t flag_in = 0;
  uint32_t flag_out = 0;
  bool final = false;

  // Conditions; an empty one holds.
  std::vector<std::string> principals;
  std::vector<CidrRange> client_cidrs;
  std::vector<std::string> databases;
  uint32_t kinds = 0;  // KindBit per kind; 0: any.
  std::vector<TablePattern> tables;
  std::vector<uint64_t> digest_hashes;
  std::vector<std::string> digest_texts;
  std::unique_ptr<RE2> sql_regex;
  std::unique_ptr<RE2> digest_regex;
  v1::TransactionState transaction = v1::TRANSACTION_STATE_ANY;
  bool negate = false;

  // Action.
  v1::RuleVerdict verdict = v1::RULE_VERDICT_CONTINUE;
  absl::Status rejection;        // DENY.
  SyntheticResultSet response;   // RESPOND.
  std::unique_ptr<RE2> rewrite;  // With rewrite_replacement.
  std::string rewrite_replacement;
  std::optional<RouteTarget> route;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<uint64_t> max_rows;
  bool audit = false;
  std::unique_ptr<RateLimiter> rate_limit;
};

}  // namespace mysqlgw::rules_internal

#endif  // SERVER_INTERCEPT_RULES_COMPILED_RULE_H_
