// RuleSet::Compile: validation of RuleConfig and its translation into
// CompiledRule.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/intercept/rules/compiled_rule.h"
#include "server/intercept/rules/regex_prefilter.h"
#include "server/intercept/rules/rule_set.h"
#include "server/sql/digest.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {
namespace {

using rules_internal::CompiledRule;
using rules_internal::KindBit;
using rules_internal::RateLimiter;
using rules_internal::RegexPrefilter;

constexpr uint16_t kDefaultDenyErrno = 1105;  // ER_UNKNOWN_ERROR.
constexpr char kDefaultDenySqlState[] = "HY000";

// Collects the problems of one rule, each prefixed with the rule.
class RuleProblems {
 public:
  RuleProblems(int index, const std::string& name, std::vector<std::string>& out)
      : prefix_(absl::StrCat("rules[", index, "] '", name, "': ")), out_(out) {}

  template <typename... Args>
  void Add(const Args&... args) {
    out_.push_back(absl::StrCat(prefix_, args...));
  }

 private:
  std::string prefix_;
  std::vector<std::string>& out_;
};

std::unique_ptr<RE2> CompileRegex(const std::string& pattern, bool case_sensitive,
                                  absl::string_view field, RuleProblems& problems) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(case_sensitive);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) {
    problems.Add(field, ": ", re->error());
    return nullptr;
  }
  return re;
}

std::optional<StatementKind> KindFromName(absl::string_view name) {
  static const auto* const kByName = [] {
    auto* m = new absl::flat_hash_map<std::string, StatementKind>;
    for (int k = static_cast<int>(StatementKind::kSelect); k <= static_cast<int>(StatementKind::kEmpty);
         ++k) {
      const auto kind = static_cast<StatementKind>(k);
      m->emplace(std::string(StatementKindName(kind)), kind);
    }
    return m;
  }();
  auto it = kByName->find(absl::AsciiStrToLower(name));
  if (it == kByName->end()) return std::nullopt;
  return it->second;
}

std::optional<absl::StatusCode> StatusCodeFromName(absl::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(name);
  // OK is not a rejection; 1..16 are the canonical error codes.
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    if (absl::StatusCodeToString(code) == upper) return code;
  }
  return std::nullopt;
}

bool IsSqlState(absl::string_view s) {
  if (s.size() != 5) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !absl::ascii_isupper(c)) return false;
  }
  return true;
}

void CompileMatch(const v1::RuleMatch& match, CompiledRule& rule, RuleProblems& problems) {
  for (int i = 0; i < match.principals_size(); ++i) {
    if (match.principals(i).empty()) problems.Add("principals[", i, "] is empty");
    rule.principals.push_back(match.principals(i));
  }
  for (int i = 0; i < match.client_cidrs_size(); ++i) {
    auto range = CidrRange::Parse(match.client_cidrs(i));
    if (!range.ok()) {
      problems.Add("client_cidrs[", i, "]: ", range.status().message());
      continue;
    }
    rule.client_cidrs.push_back(*std::move(range));
  }
  for (int i = 0; i < match.databases_size(); ++i) {
    if (match.databases(i).empty()) problems.Add("databases[", i, "] is empty");
    rule.databases.push_back(match.databases(i));
  }
  for (int i = 0; i < match.statement_kinds_size(); ++i) {
    auto kind = KindFromName(match.statement_kinds(i));
    if (!kind) {
      problems.Add("statement_kinds[", i, "]: unknown kind '", match.statement_kinds(i),
                   "' (select, insert, update, delete, replace, ddl, transaction, set, show, "
                   "call, use, other, empty)");
      continue;
    }
    rule.kinds |= KindBit(*kind);
  }
  for (int i = 0; i < match.tables_size(); ++i) {
    auto pattern = TablePattern::Parse(match.tables(i));
    if (!pattern.ok()) {
      problems.Add("tables[", i, "]: ", pattern.status().message());
      continue;
    }
    rule.tables.push_back(*std::move(pattern));
  }
  for (int i = 0; i < match.digests_size(); ++i) {
    const std::string& digest = match.digests(i);
    if (digest.empty()) {
      problems.Add("digests[", i, "] is empty");
    } else if (auto hash = ParseDigestHex(digest)) {
      rule.digest_hashes.push_back(*hash);
    } else {
      rule.digest_texts.push_back(digest);
    }
  }
  if (!match.sql_regex().empty()) {
    rule.sql_regex = CompileRegex(match.sql_regex(), match.case_sensitive(), "sql_regex", problems);
  }
  if (!match.digest_regex().empty()) {
    rule.digest_regex =
        CompileRegex(match.digest_regex(), match.case_sensitive(), "digest_regex", problems);
  }
  if (!v1::TransactionState_IsValid(match.transaction())) {
    problems.Add("transaction: unknown state ", match.transaction());
  }
  rule.transaction = match.transaction();
  rule.negate = match.negate();
}

void CompileDeny(const v1::RuleAction& action, CompiledRule& rule, RuleProblems& problems) {
  const v1::RuleError& error = action.error();
  if (error.mysql_errno() > UINT16_MAX) {
    problems.Add("error.mysql_errno ", error.mysql_errno(), " is not a 16-bit MySQL error number");
  }
  if (!error.sql_state().empty() && !IsSqlState(error.sql_state())) {
    problems.Add("error.sql_state '", error.sql_state(),
                 "' is not five digits or upper-case letters");
  }
  absl::StatusCode code = absl::StatusCode::kPermissionDenied;
  if (!error.grpc_code().empty()) {
    if (auto parsed = StatusCodeFromName(error.grpc_code())) {
      code = *parsed;
    } else {
      problems.Add("error.grpc_code '", error.grpc_code(),
                   "' is not a gRPC status code name (e.g. PERMISSION_DENIED)");
    }
  }
  rule.rejection = RejectionStatus(
      code, error.mysql_errno() == 0 ? kDefaultDenyErrno : static_cast<uint16_t>(error.mysql_errno()),
      error.sql_state().empty() ? kDefaultDenySqlState : error.sql_state(),
      error.message().empty() ? absl::StrCat("statement refused by rule '", rule.name, "'")
                              : error.message());
}

void CompileRespond(const v1::SyntheticResult& result, CompiledRule& rule, RuleProblems& problems) {
  SyntheticResultSet& out = rule.response;
  out.columns.assign(result.columns().begin(), result.columns().end());
  out.affected_rows = result.affected_rows();
  out.last_insert_id = result.last_insert_id();
  out.info = result.info();
  const size_t width = out.columns.size();
  if (width == 0 && result.rows_size() > 0) {
    problems.Add("respond has rows but no columns");
    return;
  }
  for (int r = 0; r < result.rows_size(); ++r) {
    const v1::SyntheticRow& row = result.rows(r);
    if (static_cast<size_t>(row.values_size()) > width) {
      problems.Add("respond.rows[", r, "] has ", row.values_size(), " values for ", width,
                   " columns");
      continue;
    }
    std::vector<std::optional<std::string>> values(width);
    for (int v = 0; v < row.values_size(); ++v) values[v] = row.values(v);
    for (uint32_t column : row.null_columns()) {
      if (column >= width) {
        problems.Add("respond.rows[", r, "].null_columns: column ", column, " of ", width);
        continue;
      }
      values[column].reset();
    }
    out.rows.push_back(std::move(values));
  }
}

void CompileRoute(const std::string& route, absl::Span<const std::string> backend_names,
                  CompiledRule& rule, RuleProblems& problems) {
  if (route.empty()) return;
  RouteTarget target;
  // The keywords win over a backend of the same name.
  if (route == "primary") {
    target.kind = RouteTarget::Kind::kPrimary;
  } else if (route == "replica") {
    target.kind = RouteTarget::Kind::kReplica;
  } else if (std::find(backend_names.begin(), backend_names.end(), route) != backend_names.end()) {
    target.kind = RouteTarget::Kind::kNamed;
    target.backend = route;
  } else {
    problems.Add("route '", route, "' is not primary, replica or a backend (",
                 absl::StrJoin(backend_names, ", "), ")");
    return;
  }
  rule.route = std::move(target);
}

void CompileAction(const v1::RuleAction& action, bool case_sensitive,
                   absl::Span<const std::string> backend_names, CompiledRule& rule,
                   RuleProblems& problems) {
  if (!v1::RuleVerdict_IsValid(action.verdict())) {
    problems.Add("verdict: unknown verdict ", action.verdict());
  }
  rule.verdict = action.verdict();
  // A DENY or RESPOND whose verdict was forgotten would silently let the
  // statement through: refuse the half-written rule instead.
  if (action.verdict() == v1::RULE_VERDICT_DENY) {
    CompileDeny(action, rule, problems);
  } else if (action.has_error()) {
    problems.Add("error is set but the verdict is not DENY");
  }
  if (action.verdict() == v1::RULE_VERDICT_RESPOND) {
    if (action.has_respond()) {
      CompileRespond(action.respond(), rule, problems);
    } else {
      problems.Add("respond is required for RESPOND");
    }
  } else if (action.has_respond()) {
    problems.Add("respond is set but the verdict is not RESPOND");
  }

  if (!action.rewrite_pattern().empty()) {
    rule.rewrite = CompileRegex(action.rewrite_pattern(), case_sensitive, "rewrite_pattern", problems);
    std::string error;
    if (rule.rewrite && !rule.rewrite->CheckRewriteString(action.rewrite_replacement(), &error)) {
      problems.Add("rewrite_replacement: ", error);
      rule.rewrite.reset();
    }
    rule.rewrite_replacement = action.rewrite_replacement();
  } else if (!action.rewrite_replacement().empty()) {
    problems.Add("rewrite_replacement without rewrite_pattern");
  }

  CompileRoute(action.route(), backend_names, rule, problems);

  if (action.has_timeout()) {
    const auto& d = action.timeout();
    if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() > 999'999'999 ||
        d.seconds() > 315'576'000'000) {
      problems.Add("timeout is negative or out of range");
    } else if (d.seconds() > 0 || d.nanos() > 0) {
      // Rounded up: a sub-millisecond timeout must not become "none".
      rule.timeout = std::chrono::milliseconds(d.seconds() * 1000 + (d.nanos() + 999'999) / 1'000'000);
    }
  }
  if (action.max_rows() > 0) rule.max_rows = action.max_rows();
  rule.audit = action.audit();

  if (action.has_rate_limit()) {
    const v1::RateLimitConfig& limit = action.rate_limit();
    const double qps = limit.queries_per_second();
    if (!(qps > 0) || !std::isfinite(qps)) {
      problems.Add("rate_limit.queries_per_second must be positive, not ", qps);
    } else {
      const double burst =
          limit.burst() > 0 ? static_cast<double>(limit.burst()) : std::max(1.0, std::ceil(qps));
      rule.rate_limit = std::make_unique<RateLimiter>(qps, burst, limit.shared());
    }
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RuleSet>> RuleSet::Compile(
    const google::protobuf::RepeatedPtrField<v1::RuleConfig>& rules,
    absl::Span<const std::string> backend_names, std::function<Clock::time_point()> now) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->now_ = std::move(now);
  set->rules_.resize(rules.size());
  std::vector<std::string> problems;
  absl::flat_hash_map<std::string, int> first_with_name;
  for (int i = 0; i < rules.size(); ++i) {
    const v1::RuleConfig& config = rules.Get(i);
    CompiledRule& rule = set->rules_[i];
    RuleProblems rule_problems(i, config.name(), problems);
    if (config.name().empty()) {
      rule_problems.Add("name is empty");
    } else if (auto [it, inserted] = first_with_name.emplace(config.name(), i); !inserted) {
      rule_problems.Add("name is already used by rules[", it->second, "]");
    }
    rule.name = config.name();
    rule.disabled = config.disabled();
    rule.flag_in = config.flag_in();
    rule.flag_out = config.flag_out();
    rule.final = config.final();
    CompileMatch(config.match(), rule, rule_problems);
    CompileAction(config.action(), config.match().case_sensitive(), backend_names, rule,
                  rule_problems);
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid rules:\n", absl::StrJoin(problems, "\n")));
  }
  std::vector<const RE2*> sql_regexes;
  std::vector<const RE2*> digest_regexes;
  for (const CompiledRule& rule : set->rules_) {
    sql_regexes.push_back(rule.disabled ? nullptr : rule.sql_regex.get());
    digest_regexes.push_back(rule.disabled ? nullptr : rule.digest_regex.get());
  }
  set->sql_prefilter_ = RegexPrefilter::Build(sql_regexes);
  set->digest_prefilter_ = RegexPrefilter::Build(digest_regexes);
  return std::shared_ptr<const RuleSet>(std::move(set));
}

}  // namespace mysqlgw
