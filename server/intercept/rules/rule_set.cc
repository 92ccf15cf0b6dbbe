// RuleSet::Evaluate: matching and applying compiled rules.
#include "server/intercept/rules/rule_set.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/intercept/rules/compiled_rule.h"
#include "server/intercept/rules/regex_prefilter.h"

namespace mysqlgw {
namespace {

using rules_internal::CompiledRule;
using rules_internal::KindBit;
using rules_internal::RegexMatcher;

constexpr uint16_t kErUserLimitReached = 1226;

bool Contains(const std::vector<std::string>& list, absl::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool MatchesDatabase(const CompiledRule& rule, const StatementContext& ctx) {
  if (!ctx.database.empty() && Contains(rule.databases, ctx.database)) return true;
  for (const TableRef& table : ctx.tables) {
    // Unqualified tables are in ctx.database, already checked.
    if (!table.database.empty() && Contains(rule.databases, table.database)) return true;
  }
  return false;
}

bool MatchesTable(const CompiledRule& rule, const StatementContext& ctx) {
  for (const TableRef& table : ctx.tables) {
    for (const TablePattern& pattern : rule.tables) {
      if (pattern.Matches(table, ctx.database)) return true;
    }
  }
  return false;
}

bool MatchesDigest(const CompiledRule& rule, const StatementContext& ctx) {
  return std::find(rule.digest_hashes.begin(), rule.digest_hashes.end(), ctx.digest) !=
             rule.digest_hashes.end() ||
         Contains(rule.digest_texts, ctx.digest_text);
}

re2::StringPiece Piece(absl::string_view s) { return re2::StringPiece(s.data(), s.size()); }

template <typename T>
void KeepSmallest(std::optional<T>& current, const std::optional<T>& candidate) {
  if (candidate && (!current || *candidate < *current)) current = candidate;
}

}  // namespace

RuleSet::RuleSet() = default;
RuleSet::~RuleSet() = default;

size_t RuleSet::size() const { return rules_.size(); }
const std::string& RuleSet::name(size_t rule_index) const { return rules_[rule_index].name; }

// Cheap conditions first: most statements are turned away before a regex.
bool RuleSet::Matches(const CompiledRule& rule, size_t index, const StatementContext& ctx,
                      RegexMatcher& sql_regexes, RegexMatcher& digest_regexes) {
  if (rule.kinds != 0 && (rule.kinds & KindBit(ctx.kind)) == 0) return false;
  if (rule.transaction == v1::TRANSACTION_STATE_INSIDE && !ctx.in_transaction) return false;
  if (rule.transaction == v1::TRANSACTION_STATE_OUTSIDE && ctx.in_transaction) return false;
  if (!rule.principals.empty() &&
      (ctx.client == nullptr || !Contains(rule.principals, ctx.client->principal))) {
    return false;
  }
  if (!rule.client_cidrs.empty()) {
    if (ctx.client == nullptr) return false;
    const ClientAddress& address = ctx.client->address;
    if (std::none_of(rule.client_cidrs.begin(), rule.client_cidrs.end(),
                     [&](const CidrRange& range) { return range.Contains(address); })) {
      return false;
    }
  }
  if (!rule.databases.empty() && !MatchesDatabase(rule, ctx)) return false;
  if (!rule.tables.empty() && !MatchesTable(rule, ctx)) return false;
  if ((!rule.digest_hashes.empty() || !rule.digest_texts.empty()) && !MatchesDigest(rule, ctx)) {
    return false;
  }
  if (rule.sql_regex && !sql_regexes.PartialMatch(index, *rule.sql_regex, ctx.sql)) return false;
  if (rule.digest_regex &&
      !digest_regexes.PartialMatch(index, *rule.digest_regex, ctx.digest_text)) {
    return false;
  }
  return true;
}

bool RuleSet::TakeRateLimit(const CompiledRule& rule, const StatementContext& ctx,
                            StatementPlan& plan) const {
  const absl::string_view principal = ctx.client ? absl::string_view(ctx.client->principal) : "";
  const Clock::time_point now = now_ ? now_() : Clock::now();
  if (rule.rate_limit->TryTake(principal, now)) return true;
  std::string message =
      absl::StrCat("rule '", rule.name, "': rate limit of ", rule.rate_limit->queries_per_second(),
                   " queries/s exceeded");
  if (!rule.rate_limit->shared()) absl::StrAppend(&message, " for principal '", principal, "'");
  plan.verdict = StatementPlan::Verdict::kReject;
  plan.rejection =
      RejectionStatus(absl::StatusCode::kResourceExhausted, kErUserLimitReached, "42000", message);
  return false;
}

void RuleSet::Evaluate(StatementContext& ctx, StatementPlan& plan, RuleStats* stats,
                       const Rederive& rederive) const {
  RegexMatcher sql_regexes(sql_prefilter_.get());
  RegexMatcher digest_regexes(digest_prefilter_.get());
  uint32_t flag = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const CompiledRule& rule = rules_[i];
    if (rule.disabled || rule.flag_in != flag) continue;
    if (Matches(rule, i, ctx, sql_regexes, digest_regexes) == rule.negate) continue;

    if (stats != nullptr && i < stats->size()) stats->RecordMatch(i);
    plan.matched_rules.push_back(rule.name);

    if (rule.rewrite) {
      std::string before = ctx.sql;
      if (RE2::GlobalReplace(&ctx.sql, *rule.rewrite, Piece(rule.rewrite_replacement)) > 0 &&
          ctx.sql != before) {
        sql_regexes.Invalidate();
        if (rederive) {
          rederive(ctx);
          digest_regexes.Invalidate();
        }
      }
    }
    if (rule.route) plan.route = *rule.route;
    KeepSmallest(plan.timeout, rule.timeout);
    KeepSmallest(plan.max_rows, rule.max_rows);
    if (rule.audit) plan.audit = true;
    if (rule.rate_limit && !TakeRateLimit(rule, ctx, plan)) return;

    switch (rule.verdict) {
      case v1::RULE_VERDICT_ALLOW:
        return;
      case v1::RULE_VERDICT_DENY:
        plan.verdict = StatementPlan::Verdict::kReject;
        plan.rejection = rule.rejection;
        return;
      case v1::RULE_VERDICT_RESPOND:
        plan.verdict = StatementPlan::Verdict::kRespond;
        plan.response = rule.response;
        return;
      default:
        break;
    }
    if (rule.flag_out != 0) flag = rule.flag_out;
    if (rule.final) return;
  }
}

RuleStats::RuleStats(const RuleSet& rules)
    : matches_(std::make_unique<std::atomic<uint64_t>[]>(rules.size())) {
  names_.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) names_.push_back(rules.name(i));
}

}  // namespace mysqlgw
