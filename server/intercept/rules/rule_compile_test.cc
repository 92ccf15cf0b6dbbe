#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/intercept/rules/rule_set.h"
#include "server/intercept/rules/rule_test_util.h"

namespace mysqlgw {
namespace {

using rules_test::ParseRules;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The problems Compile reports, one per line, without the header line.
std::vector<std::string> Problems(const std::string& text,
                                  std::vector<std::string> backends = {"main", "reports"}) {
  auto set = RuleSet::Compile(ParseRules(text), backends);
  if (set.ok()) return {};
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> lines = absl::StrSplit(set.status().message(), '\n');
  EXPECT_EQ(lines.front(), "invalid rules:");
  lines.erase(lines.begin());
  return lines;
}

// A single problem with `text`, as a string for readable failures.
std::string OnlyProblem(const std::string& text) {
  std::vector<std::string> problems = Problems(text);
  EXPECT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
  return problems.empty() ? "" : problems[0];
}

TEST(RuleCompileTest, ValidRulesCompile) {
  EXPECT_THAT(Problems(R"pb(
    rules {
      name: 'everything'
      flag_in: 1 flag_out: 2 final: true
      match {
        principals: 'app' client_cidrs: '10.0.0.0/8' client_cidrs: '::1'
        databases: 'shop' statement_kinds: 'SELECT' statement_kinds: 'empty'
        tables: 'shop.*' tables: 'users'
        digests: '00000000000000ff' digests: 'SELECT ?'
        sql_regex: '(?s)^select.*' digest_regex: 'SELECT' case_sensitive: true
        transaction: TRANSACTION_STATE_OUTSIDE
      }
      action {
        rewrite_pattern: '(a)(b)' rewrite_replacement: '\\2\\1\\0'
        route: 'reports' timeout { seconds: 1 } max_rows: 5 audit: true
        rate_limit { queries_per_second: 0.5 }
      }
    }
    rules { name: 'empty-respond' action { verdict: RULE_VERDICT_RESPOND respond {} } }
    rules { name: 'primary' action { route: 'primary' } }
    rules { name: 'replica' action { route: 'replica' } }
  )pb"),
              ::testing::IsEmpty());
}

TEST(RuleCompileTest, EmptyRuleListCompiles) {
  auto set = RuleSet::Compile(ParseRules(""), {});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ((*set)->size(), 0u);
}

TEST(RuleCompileTest, Names) {
  EXPECT_EQ(OnlyProblem("rules { }"), "rules[0] '': name is empty");
  EXPECT_EQ(OnlyProblem("rules { name: 'a' } rules { name: 'b' } rules { name: 'a' }"),
            "rules[2] 'a': name is already used by rules[0]");
}

TEST(RuleCompileTest, Regexes) {
  EXPECT_THAT(OnlyProblem("rules { name: 'block-drop' match { sql_regex: '(abc' } }"),
              StartsWith("rules[0] 'block-drop': sql_regex: missing ): (abc"));
  EXPECT_THAT(OnlyProblem("rules { name: 'd' match { digest_regex: '[z-a]' } }"),
              StartsWith("rules[0] 'd': digest_regex: invalid character class range"));
  // Backreferences are not RE2.
  EXPECT_THAT(OnlyProblem(R"(rules { name: 'b' match { sql_regex: '(a)\\1' } })"),
              StartsWith("rules[0] 'b': sql_regex: invalid escape sequence"));
}

TEST(RuleCompileTest, Rewrites) {
  EXPECT_THAT(OnlyProblem("rules { name: 'w' action { rewrite_pattern: '(a' } }"),
              StartsWith("rules[0] 'w': rewrite_pattern: missing )"));
  EXPECT_THAT(OnlyProblem(
                  R"(rules { name: 'w' action { rewrite_pattern: '(a)' rewrite_replacement: '\\2' } })"),
              AllOf(StartsWith("rules[0] 'w': rewrite_replacement: "), HasSubstr("requests 2 matches")));
  EXPECT_EQ(OnlyProblem("rules { name: 'w' action { rewrite_replacement: 'x' } }"),
            "rules[0] 'w': rewrite_replacement without rewrite_pattern");
}

TEST(RuleCompileTest, MatchLists) {
  EXPECT_THAT(OnlyProblem("rules { name: 'c' match { client_cidrs: '10.0.0.1/8' } }"),
              StartsWith("rules[0] 'c': client_cidrs[0]: "));
  EXPECT_THAT(OnlyProblem("rules { name: 'c' match { client_cidrs: '::1' client_cidrs: 'nope' } }"),
              StartsWith("rules[0] 'c': client_cidrs[1]: "));
  EXPECT_THAT(OnlyProblem("rules { name: 'k' match { statement_kinds: 'selects' } }"),
              StartsWith("rules[0] 'k': statement_kinds[0]: unknown kind 'selects'"));
  EXPECT_THAT(OnlyProblem("rules { name: 't' match { tables: 'a.b.c' } }"),
              StartsWith("rules[0] 't': tables[0]: "));
  EXPECT_EQ(OnlyProblem("rules { name: 'p' match { principals: '' } }"),
            "rules[0] 'p': principals[0] is empty");
  EXPECT_EQ(OnlyProblem("rules { name: 'd' match { databases: 'x' databases: '' } }"),
            "rules[0] 'd': databases[1] is empty");
  EXPECT_EQ(OnlyProblem("rules { name: 'g' match { digests: '' } }"),
            "rules[0] 'g': digests[0] is empty");
  EXPECT_EQ(OnlyProblem("rules { name: 's' match { transaction: 7 } }"),
            "rules[0] 's': transaction: unknown state 7");
}

TEST(RuleCompileTest, Routes) {
  EXPECT_EQ(OnlyProblem("rules { name: 'r' action { route: 'analytics' } }"),
            "rules[0] 'r': route 'analytics' is not primary, replica or a backend (main, reports)");
  EXPECT_THAT(OnlyProblem("rules { name: 'r' action { route: 'Primary' } }"),
              StartsWith("rules[0] 'r': route 'Primary' is not"));
}

TEST(RuleCompileTest, Deny) {
  EXPECT_THAT(OnlyProblem("rules { name: 'd' action { verdict: RULE_VERDICT_DENY error { message: "
                          "'x' grpc_code: 'DENIED' } } }"),
              StartsWith("rules[0] 'd': error.grpc_code 'DENIED' is not"));
  EXPECT_THAT(OnlyProblem("rules { name: 'd' action { verdict: RULE_VERDICT_DENY error { message: "
                          "'x' grpc_code: 'OK' } } }"),
              StartsWith("rules[0] 'd': error.grpc_code 'OK' is not"));
  EXPECT_THAT(OnlyProblem("rules { name: 'd' action { verdict: RULE_VERDICT_DENY error { message: "
                          "'x' sql_state: '4200' } } }"),
              StartsWith("rules[0] 'd': error.sql_state '4200'"));
  EXPECT_THAT(OnlyProblem("rules { name: 'd' action { verdict: RULE_VERDICT_DENY error { message: "
                          "'x' mysql_errno: 70000 } } }"),
              StartsWith("rules[0] 'd': error.mysql_errno 70000"));
  // An error without DENY would let the statement through.
  EXPECT_EQ(OnlyProblem("rules { name: 'd' action { error { message: 'x' } } }"),
            "rules[0] 'd': error is set but the verdict is not DENY");
  EXPECT_EQ(OnlyProblem("rules { name: 'v' action { verdict: 9 } }"),
            "rules[0] 'v': verdict: unknown verdict 9");
}

TEST(RuleCompileTest, Respond) {
  EXPECT_EQ(OnlyProblem("rules { name: 'r' action { verdict: RULE_VERDICT_RESPOND } }"),
            "rules[0] 'r': respond is required for RESPOND");
  EXPECT_EQ(OnlyProblem("rules { name: 'r' action { respond { } } }"),
            "rules[0] 'r': respond is set but the verdict is not RESPOND");
  EXPECT_EQ(OnlyProblem("rules { name: 'r' action { verdict: RULE_VERDICT_RESPOND respond { "
                        "rows { values: 'x' } } } }"),
            "rules[0] 'r': respond has rows but no columns");
  EXPECT_EQ(OnlyProblem("rules { name: 'r' action { verdict: RULE_VERDICT_RESPOND respond { "
                        "columns: 'a' rows { values: 'x' values: 'y' } } } }"),
            "rules[0] 'r': respond.rows[0] has 2 values for 1 columns");
  EXPECT_EQ(OnlyProblem("rules { name: 'r' action { verdict: RULE_VERDICT_RESPOND respond { "
                        "columns: 'a' rows { } rows { null_columns: 1 } } } }"),
            "rules[0] 'r': respond.rows[1].null_columns: column 1 of 1");
}

TEST(RuleCompileTest, LimitsAndTimeouts) {
  EXPECT_EQ(OnlyProblem("rules { name: 'q' action { rate_limit { } } }"),
            "rules[0] 'q': rate_limit.queries_per_second must be positive, not 0");
  EXPECT_EQ(OnlyProblem("rules { name: 'q' action { rate_limit { queries_per_second: -1 } } }"),
            "rules[0] 'q': rate_limit.queries_per_second must be positive, not -1");
  EXPECT_EQ(OnlyProblem("rules { name: 'q' action { rate_limit { queries_per_second: inf } } }"),
            "rules[0] 'q': rate_limit.queries_per_second must be positive, not inf");
  EXPECT_EQ(OnlyProblem("rules { name: 't' action { timeout { seconds: -1 } } }"),
            "rules[0] 't': timeout is negative or out of range");
  EXPECT_EQ(OnlyProblem("rules { name: 't' action { timeout { nanos: 1000000000 } } }"),
            "rules[0] 't': timeout is negative or out of range");
}

TEST(RuleCompileTest, ReportsEveryProblemOfEveryRuleAtOnce) {
  EXPECT_THAT(Problems(R"pb(
    rules { name: 'ok' }
    rules { name: 'bad-regex' match { sql_regex: '(' statement_kinds: 'nope' } }
    rules { name: 'bad-route' action { route: 'nowhere' rate_limit { queries_per_second: 0 } } }
    rules { name: 'ok' action { verdict: RULE_VERDICT_DENY error { sql_state: 'x' } } }
  )pb"),
              ElementsAre(StartsWith("rules[1] 'bad-regex': statement_kinds[0]: unknown kind"),
                          StartsWith("rules[1] 'bad-regex': sql_regex: missing )"),
                          StartsWith("rules[2] 'bad-route': route 'nowhere'"),
                          StartsWith("rules[2] 'bad-route': rate_limit.queries_per_second"),
                          "rules[3] 'ok': name is already used by rules[0]",
                          StartsWith("rules[3] 'ok': error.sql_state 'x'")));
}

TEST(RuleCompileTest, DisabledRulesAreStillValidated) {
  EXPECT_THAT(OnlyProblem("rules { name: 'off' disabled: true match { sql_regex: '(' } }"),
              StartsWith("rules[0] 'off': sql_regex: "));
}

}  // namespace
}  // namespace mysqlgw
