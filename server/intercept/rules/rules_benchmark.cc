// The cost of the rules on the hot path: a point select against 100
// sql_regex rules that do not match it, then one allow rule that does.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "benchmark/benchmark.h"
#include "server/intercept/rules/rule_set.h"
#include "server/intercept/rules/rule_test_util.h"

namespace mysqlgw {
namespace {

using rules_test::MustCompile;
using rules_test::Stmt;

// Patterns of the kinds operators write: anchored keywords, words anywhere,
// alternations, and table names.
std::string NonMatchingRules(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    std::string regex;
    switch (i % 4) {
      case 0:
        regex = absl::StrCat("^\\\\s*DROP\\\\s+TABLE\\\\s+t", i);
        break;
      case 1:
        regex = absl::StrCat("\\\\bsecret_", i, "\\\\b");
        break;
      case 2:
        regex = absl::StrCat("(?:audit|archive)_", i, "\\\\s+WHERE");
        break;
      case 3:
        regex = absl::StrCat("FROM\\\\s+`?legacy_", i, "`?");
        break;
    }
    absl::StrAppend(&text, "rules { name: 'r", i, "' match { sql_regex: '", regex,
                    "' } action { verdict: RULE_VERDICT_DENY error { message: 'no' } } }\n");
  }
  return text;
}

void BM_PointSelect(benchmark::State& state, const std::string& rules_text) {
  auto rules = MustCompile(rules_text);
  Stmt stmt("SELECT id, name, email FROM users WHERE id = 42");
  stmt.Database("shop").Table("", "users");
  for (auto _ : state) {
    StatementPlan plan;
    rules->Evaluate(stmt.ctx(), plan, nullptr);
    if (plan.matched_rules.size() != 1) state.SkipWithError("allow rule did not match");
    benchmark::DoNotOptimize(plan);
  }
}

void BM_RegexRules(benchmark::State& state) {
  BM_PointSelect(state,
                 NonMatchingRules(static_cast<int>(state.range(0))) +
                     "rules { name: 'allow' match { sql_regex: '^SELECT' } "
                     "action { verdict: RULE_VERDICT_ALLOW } }");
}
BENCHMARK(BM_RegexRules)->Arg(100)->Arg(10)->Arg(0);

// Distinct statements, so that the regex DFAs meet new text every time.
void BM_RegexRulesVariedStatements(benchmark::State& state) {
  auto rules = MustCompile(NonMatchingRules(100) +
                           "rules { name: 'allow' action { verdict: RULE_VERDICT_ALLOW } }");
  std::vector<Stmt> stmts;
  for (int i = 0; i < 256; ++i) {
    stmts.emplace_back(absl::StrCat("SELECT c", i % 7, ", name FROM table_", i,
                                    " WHERE id = ", i * 7919, " AND status = 'active'"));
  }
  size_t next = 0;
  for (auto _ : state) {
    StatementPlan plan;
    rules->Evaluate(stmts[next++ % stmts.size()].ctx(), plan, nullptr);
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_RegexRulesVariedStatements);

// The same rules behind a cheap condition the statement fails: the regexes
// are never run.
void BM_RegexRulesFilteredByKind(benchmark::State& state) {
  std::string rules = NonMatchingRules(100);
  absl::StrReplaceAll({{"match { sql_regex", "match { statement_kinds: 'delete' sql_regex"}},
                      &rules);
  BM_PointSelect(state, rules + "rules { name: 'allow' action { verdict: RULE_VERDICT_ALLOW } }");
}
BENCHMARK(BM_RegexRulesFilteredByKind);

}  // namespace
}  // namespace mysqlgw

BENCHMARK_MAIN();
