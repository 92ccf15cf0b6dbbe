// The declarative rules of InterceptionConfig.rules, compiled once per
// configuration and evaluated for every statement with ProxySQL's
// semantics:
//  - rules are walked in order with a current flag starting at 0; a rule is
//    considered only when its flag_in equals the current flag; disabled
//    rules are skipped;
//  - a rule matches when every condition it sets holds (see RuleMatch);
//    `negate` inverts the whole match;
//  - a matching rule is recorded in plan.matched_rules, then applies its
//    modifiers in this order: rewrite, route (the last matching rule wins),
//    timeout and max_rows (the smallest, also against what earlier hooks
//    set, wins), audit, rate limit (a caller over the limit is rejected with
//    errno 1226 ER_USER_LIMIT_REACHED and RESOURCE_EXHAUSTED, and evaluation
//    stops); then its verdict: ALLOW, DENY and RESPOND stop, CONTINUE goes
//    on; then a nonzero flag_out becomes the current flag, and `final` stops.
//
// Matching details: principals compare exactly; statement kinds by name
// (select ... other, and "empty"), case-insensitively; databases exactly,
// against the call's default database and every table's database (an
// unqualified table is in the default one); tables as TablePattern; digests
// as 16 hex digits (the hash) or else as the normalized text, compared
// exactly with StatementContext::digest_text; regexes are RE2, partial
// matches, case-insensitive unless case_sensitive (which also applies to
// rewrite_pattern); '.' does not match a newline unless the pattern starts
// with (?s).
//
// Thread-safety: a compiled RuleSet is immutable except for its rate limit
// buckets, which a mutex per rate-limited rule guards; Evaluate may run on
// several threads at once.
#ifndef SERVER_INTERCEPT_RULES_RULE_SET_H_
#define SERVER_INTERCEPT_RULES_RULE_SET_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "google/protobuf/repeated_field.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/intercept/hook.h"
#include "server/intercept/token_bucket.h"

namespace mysqlgw {

namespace rules_internal {
struct CompiledRule;
class RegexMatcher;
class RegexPrefilter;
}  // namespace rules_internal

class RuleStats;

class RuleSet {
 public:
  using Clock = TokenBucket::Clock;
  // Recomputes the fields derived from ctx.sql (kind, digest, digest_text,
  // tables) after a rewrite, so that later rules see the new statement.
  using Rederive = std::function<void(StatementContext&)>;

  // Checks every rule and reports all problems at once, one per line, each
  // naming its rule ("rules[3] 'block-drop': sql_regex: missing ): ("), in
  // an INVALID_ARGUMENT status. A route names "primary", "replica" or one of
  // `backend_names`. `now` is the rate limits' clock (tests inject one).
  static absl::StatusOr<std::shared_ptr<const RuleSet>> Compile(
      const google::protobuf::RepeatedPtrField<v1::RuleConfig>& rules,
      absl::Span<const std::string> backend_names,
      std::function<Clock::time_point()> now = nullptr);

  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Refines `plan` for `ctx` (see above). `stats`, when not null, counts the
  // matches; it must have been made for this RuleSet. `rederive` is called
  // after each rewrite that changed ctx.sql; when empty, later rules see
  // the derived fields of the original statement.
  void Evaluate(StatementContext& ctx, StatementPlan& plan, RuleStats* stats,
                const Rederive& rederive = nullptr) const;

  // All configured rules, disabled ones included, in configuration order.
  size_t size() const;
  const std::string& name(size_t rule_index) const;

 private:
  RuleSet();

  static bool Matches(const rules_internal::CompiledRule& rule, size_t index,
                      const StatementContext& ctx, rules_internal::RegexMatcher& sql_regexes,
                      rules_internal::RegexMatcher& digest_regexes);
  // False when the caller is over the rule's limit (plan is then decided).
  bool TakeRateLimit(const rules_internal::CompiledRule& rule, const StatementContext& ctx,
                     StatementPlan& plan) const;

  std::vector<rules_internal::CompiledRule> rules_;
  std::function<Clock::time_point()> now_;
  // Null when too few rules have a regex to be worth it.
  std::unique_ptr<rules_internal::RegexPrefilter> sql_prefilter_;
  std::unique_ptr<rules_internal::RegexPrefilter> digest_prefilter_;
};

// Matches per rule, for metrics. Counters are relaxed atomics: one RuleStats
// may be shared by every thread, or kept per shard to avoid contention.
class RuleStats {
 public:
  explicit RuleStats(const RuleSet& rules);

  size_t size() const { return names_.size(); }
  const std::string& name(size_t rule_index) const { return names_[rule_index]; }
  uint64_t matches(size_t rule_index) const {
    return matches_[rule_index].load(std::memory_order_relaxed);
  }
  void RecordMatch(size_t rule_index) {
    matches_[rule_index].fetch_add(1, std::memory_order_relaxed);
  }

 private:
  std::vector<std::string> names_;
  std::unique_ptr<std::atomic<uint64_t>[]> matches_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_RULES_RULE_SET_H_
