#include "server/intercept/rules/rule_set.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "server/intercept/rules/rule_test_util.h"

namespace mysqlgw {
namespace {

using rules_test::CountingRederive;
using rules_test::MustCompile;
using rules_test::Eval;
using rules_test::Stmt;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Verdict = StatementPlan::Verdict;

// One CONTINUE rule named "r" with the given match; whether it matched is
// read from plan.matched_rules.
bool RuleMatches(const std::string& match, Stmt stmt) {
  auto rules = MustCompile(absl::StrCat("rules { name: 'r' match { ", match, " } }"));
  return Eval(*rules, stmt).matched_rules == std::vector<std::string>{"r"};
}

TEST(RuleMatchTest, EmptyMatchMatchesEverything) {
  EXPECT_TRUE(RuleMatches("", Stmt("SELECT 1")));
  EXPECT_TRUE(RuleMatches("", Stmt("").NoClient()));
}

TEST(RuleMatchTest, Principals) {
  EXPECT_TRUE(RuleMatches("principals: 'ops' principals: 'app'", Stmt("SELECT 1", "app")));
  EXPECT_FALSE(RuleMatches("principals: 'ops'", Stmt("SELECT 1", "app")));
  EXPECT_FALSE(RuleMatches("principals: 'App'", Stmt("SELECT 1", "app")));
  EXPECT_FALSE(RuleMatches("principals: 'app'", Stmt("SELECT 1").NoClient()));
}

TEST(RuleMatchTest, ClientCidrs) {
  const std::string match = "client_cidrs: '10.0.0.0/8' client_cidrs: '::1/128'";
  EXPECT_TRUE(RuleMatches(match, Stmt("SELECT 1").From("10.20.30.40")));
  EXPECT_TRUE(RuleMatches(match, Stmt("SELECT 1").From("::ffff:10.1.1.1")));
  EXPECT_TRUE(RuleMatches(match, Stmt("SELECT 1").From("::1")));
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT 1").From("11.0.0.1")));
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT 1")));  // Address unspecified.
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT 1").NoClient()));
}

TEST(RuleMatchTest, DatabasesFromDefaultAndTables) {
  const std::string match = "databases: 'billing'";
  EXPECT_TRUE(RuleMatches(match, Stmt("SELECT 1").Database("billing")));
  EXPECT_TRUE(RuleMatches(match, Stmt("SELECT * FROM billing.inv")
                                     .Database("shop")
                                     .Table("billing", "inv")));
  // An unqualified table is in the default database.
  EXPECT_TRUE(RuleMatches(match, Stmt("SELECT * FROM inv").Database("billing").Table("", "inv")));
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT * FROM inv").Database("shop").Table("", "inv")));
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT 1")));
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT 1").Database("Billing")));
}

TEST(RuleMatchTest, StatementKindsCaseInsensitive) {
  const std::string match = "statement_kinds: 'DELETE' statement_kinds: 'update'";
  EXPECT_TRUE(RuleMatches(match, Stmt("delete from t")));
  EXPECT_TRUE(RuleMatches(match, Stmt("UPDATE t SET a = 1")));
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT 1")));
  EXPECT_FALSE(RuleMatches(match, Stmt("INSERT INTO t VALUES (1)")));
  EXPECT_TRUE(RuleMatches("statement_kinds: 'ddl'", Stmt("DROP TABLE t")));
  EXPECT_TRUE(RuleMatches("statement_kinds: 'other'", Stmt("KILL 5")));
  EXPECT_FALSE(RuleMatches("statement_kinds: 'other'", Stmt("SELECT 1")));
}

TEST(RuleMatchTest, Tables) {
  EXPECT_TRUE(RuleMatches("tables: 'users'", Stmt("q").Table("", "users")));
  EXPECT_TRUE(RuleMatches("tables: 'users'", Stmt("q").Table("crm", "users")));
  EXPECT_FALSE(RuleMatches("tables: 'users'", Stmt("q").Table("crm", "Users")));
  EXPECT_FALSE(RuleMatches("tables: 'users'", Stmt("q")));
  EXPECT_TRUE(RuleMatches("tables: 'crm.users'", Stmt("q").Table("crm", "users")));
  EXPECT_TRUE(RuleMatches("tables: 'crm.users'", Stmt("q").Database("crm").Table("", "users")));
  EXPECT_FALSE(RuleMatches("tables: 'crm.users'", Stmt("q").Database("hr").Table("", "users")));
  // Any table of the statement may match any pattern.
  EXPECT_TRUE(RuleMatches("tables: 'x' tables: 'sales.*'",
                          Stmt("q").Table("", "a").Table("sales", "orders")));
  EXPECT_FALSE(RuleMatches("tables: 'x' tables: 'sales.*'",
                           Stmt("q").Table("", "a").Table("sales2", "orders")));
}

TEST(RuleMatchTest, DigestsAsHashOrText) {
  Stmt stmt = Stmt("SELECT * FROM t WHERE id = 5").Digest(0x0123456789abcdefULL,
                                                          "SELECT * FROM `t` WHERE `id` = ?");
  EXPECT_TRUE(RuleMatches("digests: '0123456789abcdef'", stmt));
  EXPECT_TRUE(RuleMatches("digests: '0123456789ABCDEF'", stmt));
  EXPECT_FALSE(RuleMatches("digests: '0123456789abcdee'", stmt));
  EXPECT_TRUE(RuleMatches("digests: 'SELECT * FROM `t` WHERE `id` = ?'", stmt));
  EXPECT_FALSE(RuleMatches("digests: 'SELECT * FROM `t` WHERE `id` = 5'", stmt));
  // Not 16 hex digits: compared as text, so it cannot match the hash.
  EXPECT_FALSE(RuleMatches("digests: '123456789abcdef'", Stmt("x").Digest(0x123456789abcdefULL, "x")));
}

TEST(RuleMatchTest, SqlRegexCaseInsensitiveByDefault) {
  EXPECT_TRUE(RuleMatches(R"(sql_regex: '\\bpassword\\b')", Stmt("SELECT Password FROM u")));
  EXPECT_FALSE(RuleMatches(R"(sql_regex: '\\bpassword\\b')", Stmt("SELECT passwords FROM u")));
  EXPECT_FALSE(RuleMatches("sql_regex: 'password' case_sensitive: true", Stmt("SELECT Password")));
  EXPECT_TRUE(RuleMatches("sql_regex: 'Password' case_sensitive: true", Stmt("SELECT Password")));
}

TEST(RuleMatchTest, DigestRegexReadsDigestText) {
  Stmt stmt = Stmt("SELECT * FROM t WHERE id = 5").Digest(1, "SELECT * FROM `t` WHERE `id` = ?");
  EXPECT_TRUE(RuleMatches(R"(digest_regex: '`id` = \\?$')", stmt));
  EXPECT_FALSE(RuleMatches("digest_regex: '= 5'", stmt));
}

TEST(RuleMatchTest, TransactionState) {
  EXPECT_TRUE(RuleMatches("transaction: TRANSACTION_STATE_INSIDE", Stmt("x").InTransaction()));
  EXPECT_FALSE(RuleMatches("transaction: TRANSACTION_STATE_INSIDE", Stmt("x")));
  EXPECT_TRUE(RuleMatches("transaction: TRANSACTION_STATE_OUTSIDE", Stmt("x")));
  EXPECT_FALSE(RuleMatches("transaction: TRANSACTION_STATE_OUTSIDE", Stmt("x").InTransaction()));
}

TEST(RuleMatchTest, AllConditionsMustHold) {
  const std::string match = "principals: 'app' statement_kinds: 'select' sql_regex: 'users'";
  EXPECT_TRUE(RuleMatches(match, Stmt("SELECT * FROM users", "app")));
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT * FROM users", "ops")));
  EXPECT_FALSE(RuleMatches(match, Stmt("DELETE FROM users", "app")));
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT * FROM orders", "app")));
}

TEST(RuleMatchTest, NegateInvertsTheWholeMatch) {
  const std::string match = "principals: 'app' statement_kinds: 'select' negate: true";
  EXPECT_FALSE(RuleMatches(match, Stmt("SELECT 1", "app")));
  EXPECT_TRUE(RuleMatches(match, Stmt("DELETE FROM t", "app")));
  EXPECT_TRUE(RuleMatches(match, Stmt("SELECT 1", "ops")));
  EXPECT_FALSE(RuleMatches("negate: true", Stmt("SELECT 1")));
}

TEST(RuleSetTest, FlagChains) {
  auto rules = MustCompile(R"pb(
    rules { name: 'to-1' match { principals: 'app' } flag_out: 1 }
    rules { name: 'flag0-only' }
    rules { name: 'in-1' flag_in: 1 match { statement_kinds: 'select' } flag_out: 2 }
    rules { name: 'in-1-late' flag_in: 1 }
    rules { name: 'in-2' flag_in: 2 }
  )pb");
  // app: 0 -> 1 -> (select) 2; rules for other flags are skipped.
  EXPECT_THAT(Eval(*rules, Stmt("SELECT 1", "app")).matched_rules,
              ElementsAre("to-1", "in-1", "in-2"));
  // A non-select stays on flag 1.
  EXPECT_THAT(Eval(*rules, Stmt("DELETE FROM t", "app")).matched_rules,
              ElementsAre("to-1", "in-1-late"));
  // Others never leave flag 0.
  EXPECT_THAT(Eval(*rules, Stmt("SELECT 1", "ops")).matched_rules, ElementsAre("flag0-only"));
}

TEST(RuleSetTest, FinalStopsOnlyWhenItMatches) {
  auto rules = MustCompile(R"pb(
    rules { name: 'stop' match { statement_kinds: 'select' } final: true }
    rules { name: 'after' }
  )pb");
  EXPECT_THAT(Eval(*rules, Stmt("SELECT 1")).matched_rules, ElementsAre("stop"));
  EXPECT_THAT(Eval(*rules, Stmt("DELETE FROM t")).matched_rules, ElementsAre("after"));
}

TEST(RuleSetTest, DisabledRulesAreSkipped) {
  auto rules = MustCompile(R"pb(
    rules { name: 'off' disabled: true action { verdict: RULE_VERDICT_DENY error { message: 'x' } } }
    rules { name: 'on' }
  )pb");
  StatementPlan plan = Eval(*rules, Stmt("SELECT 1"));
  EXPECT_EQ(plan.verdict, Verdict::kPass);
  EXPECT_THAT(plan.matched_rules, ElementsAre("on"));
  EXPECT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules->name(0), "off");
}

TEST(RuleSetTest, AllowStopsEvaluation) {
  auto rules = MustCompile(R"pb(
    rules { name: 'allow-ops' match { principals: 'ops' } action { verdict: RULE_VERDICT_ALLOW } }
    rules { name: 'deny-all' action { verdict: RULE_VERDICT_DENY error { message: 'no' } } }
  )pb");
  StatementPlan ops = Eval(*rules, Stmt("DROP TABLE t", "ops"));
  EXPECT_EQ(ops.verdict, Verdict::kPass);
  EXPECT_THAT(ops.matched_rules, ElementsAre("allow-ops"));
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1", "app")).verdict, Verdict::kReject);
}

TEST(RuleSetTest, DenyWithDefaults) {
  auto rules = MustCompile(R"pb(
    rules { name: 'deny' action { verdict: RULE_VERDICT_DENY error { message: 'DROP is not allowed' } } }
    rules { name: 'after' }
  )pb");
  StatementPlan plan = Eval(*rules, Stmt("DROP TABLE t"));
  EXPECT_EQ(plan.verdict, Verdict::kReject);
  EXPECT_THAT(plan.matched_rules, ElementsAre("deny"));
  EXPECT_EQ(plan.rejection.code(), absl::StatusCode::kPermissionDenied);
  auto error = mysqlwire::GetServerError(plan.rejection);
  ASSERT_TRUE(error.has_value()) << plan.rejection;
  EXPECT_EQ(error->code, 1105);
  EXPECT_EQ(error->sql_state, "HY000");
  EXPECT_EQ(error->message, "DROP is not allowed");
}

TEST(RuleSetTest, DenyWithoutMessageNamesTheRule) {
  auto rules = MustCompile("rules { name: 'no-drops' action { verdict: RULE_VERDICT_DENY } }");
  StatementPlan plan = Eval(*rules, Stmt("DROP TABLE t"));
  auto error = mysqlwire::GetServerError(plan.rejection);
  ASSERT_TRUE(error.has_value()) << plan.rejection;
  EXPECT_EQ(error->message, "statement refused by rule 'no-drops'");
}

TEST(RuleSetTest, DenyWithCustomError) {
  auto rules = MustCompile(R"pb(
    rules {
      name: 'deny'
      action {
        verdict: RULE_VERDICT_DENY
        error { mysql_errno: 1142 sql_state: '42000' message: 'no' grpc_code: 'failed_precondition' }
      }
    }
  )pb");
  StatementPlan plan = Eval(*rules, Stmt("DELETE FROM t"));
  EXPECT_EQ(plan.rejection.code(), absl::StatusCode::kFailedPrecondition);
  auto error = mysqlwire::GetServerError(plan.rejection);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 1142);
  EXPECT_EQ(error->sql_state, "42000");
}

TEST(RuleSetTest, RespondBuildsTheSyntheticResult) {
  auto rules = MustCompile(R"pb(
    rules {
      name: 'version'
      match { sql_regex: '^SELECT @@version_comment' }
      action {
        verdict: RULE_VERDICT_RESPOND
        respond {
          columns: 'a' columns: 'b' columns: 'c'
          rows { values: 'x' values: 'y' values: 'z' null_columns: 1 }
          rows { values: 'only-a' }
          info: 'hi'
        }
      }
    }
    rules { name: 'after' }
  )pb");
  StatementPlan plan = Eval(*rules, Stmt("select @@version_comment limit 1"));
  EXPECT_EQ(plan.verdict, Verdict::kRespond);
  EXPECT_THAT(plan.matched_rules, ElementsAre("version"));
  EXPECT_THAT(plan.response.columns, ElementsAre("a", "b", "c"));
  ASSERT_EQ(plan.response.rows.size(), 2u);
  EXPECT_THAT(plan.response.rows[0], ElementsAre("x", std::nullopt, "z"));
  EXPECT_THAT(plan.response.rows[1], ElementsAre("only-a", std::nullopt, std::nullopt));
  EXPECT_EQ(plan.response.info, "hi");
}

TEST(RuleSetTest, RespondWithoutColumnsIsAnOkResult) {
  auto rules = MustCompile(R"pb(
    rules {
      name: 'fake-ok'
      match { statement_kinds: 'set' }
      action { verdict: RULE_VERDICT_RESPOND respond { affected_rows: 3 last_insert_id: 9 } }
    }
  )pb");
  StatementPlan plan = Eval(*rules, Stmt("SET autocommit = 1"));
  EXPECT_EQ(plan.verdict, Verdict::kRespond);
  EXPECT_THAT(plan.response.columns, IsEmpty());
  EXPECT_THAT(plan.response.rows, IsEmpty());
  EXPECT_EQ(plan.response.affected_rows, 3u);
  EXPECT_EQ(plan.response.last_insert_id, 9u);
}

TEST(RuleSetTest, RewriteWithGroupsCallsRederiveOnceAndLaterRulesSeeTheNewStatement) {
  auto rules = MustCompile(R"pb(
    rules {
      name: 'soft-delete'
      match { statement_kinds: 'delete' }
      action {
        rewrite_pattern: '^DELETE FROM (\\w+) WHERE (.*)$'
        rewrite_replacement: 'UPDATE \\1 SET deleted = 1 WHERE \\2'
      }
    }
    rules { name: 'saw-update' match { statement_kinds: 'update' sql_regex: 'deleted = 1' } }
    rules { name: 'saw-delete' match { statement_kinds: 'delete' } }
  )pb");
  CountingRederive rederive;
  Stmt stmt("delete from users where id = 7");
  StatementPlan plan = Eval(*rules, stmt, nullptr, rederive.fn());
  EXPECT_EQ(stmt.ctx().sql, "UPDATE users SET deleted = 1 WHERE id = 7");
  EXPECT_EQ(rederive.calls, 1);
  EXPECT_EQ(stmt.ctx().kind, StatementKind::kUpdate);
  EXPECT_THAT(plan.matched_rules, ElementsAre("soft-delete", "saw-update"));
}

TEST(RuleSetTest, RewriteThatChangesNothingDoesNotRederive) {
  auto rules = MustCompile(R"pb(
    rules { name: 'no-hit' action { rewrite_pattern: 'nomatch' rewrite_replacement: 'x' } }
    rules { name: 'same-text' action { rewrite_pattern: 'a' rewrite_replacement: 'a' } }
  )pb");
  CountingRederive rederive;
  Stmt stmt("SELECT a");
  StatementPlan plan = Eval(*rules, stmt, nullptr, rederive.fn());
  EXPECT_EQ(stmt.ctx().sql, "SELECT a");
  EXPECT_EQ(rederive.calls, 0);
  EXPECT_THAT(plan.matched_rules, ElementsAre("no-hit", "same-text"));
}

TEST(RuleSetTest, RewriteReplacesEveryOccurrence) {
  auto rules = MustCompile(R"pb(
    rules { name: 'rename' action { rewrite_pattern: '\\bold_t\\b' rewrite_replacement: 'new_t' } }
  )pb");
  Stmt stmt("SELECT * FROM OLD_T JOIN old_t2 JOIN old_t");
  Eval(*rules, stmt);
  EXPECT_EQ(stmt.ctx().sql, "SELECT * FROM new_t JOIN old_t2 JOIN new_t");
}

TEST(RuleSetTest, RoutesLastMatchWins) {
  auto rules = MustCompile(R"pb(
    rules { name: 'reads' match { statement_kinds: 'select' } action { route: 'replica' } }
    rules { name: 'reports' match { tables: 'reports.*' } action { route: 'analytics' } }
    rules { name: 'locking' match { sql_regex: 'FOR UPDATE' } action { route: 'primary' } }
  )pb",
                           {"main", "analytics"});
  EXPECT_EQ(Eval(*rules, Stmt("SELECT 1")).route.kind, RouteTarget::Kind::kReplica);
  StatementPlan named = Eval(*rules, Stmt("SELECT * FROM reports.daily").Table("reports", "daily"));
  EXPECT_EQ(named.route.kind, RouteTarget::Kind::kNamed);
  EXPECT_EQ(named.route.backend, "analytics");
  EXPECT_EQ(Eval(*rules, Stmt("SELECT * FROM t FOR UPDATE")).route.kind,
            RouteTarget::Kind::kPrimary);
  EXPECT_EQ(Eval(*rules, Stmt("DELETE FROM t")).route.kind, RouteTarget::Kind::kDefault);
}

TEST(RuleSetTest, SmallestTimeoutAndMaxRowsWin) {
  auto rules = MustCompile(R"pb(
    rules { name: 'a' action { timeout { seconds: 5 } max_rows: 100 } }
    rules { name: 'b' action { timeout { nanos: 1500000 } max_rows: 1000 } }
    rules { name: 'c' action { audit: true } }
  )pb");
  StatementPlan plan = Eval(*rules, Stmt("SELECT 1"));
  EXPECT_EQ(plan.timeout, std::chrono::milliseconds(2));  // 1.5 ms, rounded up.
  EXPECT_EQ(plan.max_rows, 100u);
  EXPECT_TRUE(plan.audit);

  // Against what an earlier hook already set.
  StatementPlan earlier;
  earlier.timeout = std::chrono::milliseconds(1);
  earlier.max_rows = 500;
  Stmt stmt("SELECT 1");
  rules->Evaluate(stmt.ctx(), earlier, nullptr);
  EXPECT_EQ(earlier.timeout, std::chrono::milliseconds(1));
  EXPECT_EQ(earlier.max_rows, 100u);
}

TEST(RuleSetTest, ModifiersOfContinueRulesSurviveALaterVerdict) {
  auto rules = MustCompile(R"pb(
    rules { name: 'audit' action { audit: true route: 'primary' } }
    rules { name: 'deny' match { statement_kinds: 'ddl' } action { verdict: RULE_VERDICT_DENY error { message: 'no' } } }
  )pb");
  StatementPlan plan = Eval(*rules, Stmt("DROP TABLE t"));
  EXPECT_EQ(plan.verdict, Verdict::kReject);
  EXPECT_TRUE(plan.audit);
  EXPECT_THAT(plan.matched_rules, ElementsAre("audit", "deny"));
  StatementPlan pass = Eval(*rules, Stmt("SELECT 1"));
  EXPECT_EQ(pass.verdict, Verdict::kPass);
  EXPECT_EQ(pass.route.kind, RouteTarget::Kind::kPrimary);
}

TEST(RuleSetTest, StatsCountMatches) {
  auto rules = MustCompile(R"pb(
    rules { name: 'selects' match { statement_kinds: 'select' } }
    rules { name: 'all' }
  )pb");
  RuleStats stats(*rules);
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats.name(0), "selects");
  Stmt select("SELECT 1");
  Stmt del("DELETE FROM t");
  Eval(*rules, select, &stats);
  Eval(*rules, select, &stats);
  Eval(*rules, del, &stats);
  EXPECT_EQ(stats.matches(0), 2u);
  EXPECT_EQ(stats.matches(1), 3u);
}

// Enough regex rules to go through the one-pass prefilter; its answers must
// be those of the regexes one by one, case flags and negation included.
TEST(RuleSetTest, ManyRegexRulesAgreeWithSingleRegexes) {
  std::string text;
  const std::vector<std::string> regexes = {
      "^select", "FROM\\\\s+users", "(?:a|b)c$", "\\\\bid\\\\s*=\\\\s*\\\\d+", "DROP", "x{2,}"};
  for (size_t i = 0; i < regexes.size(); ++i) {
    absl::StrAppend(&text, "rules { name: 'r", i, "' match { sql_regex: '", regexes[i], "'",
                    i == 2 ? " case_sensitive: true" : "", i == 4 ? " negate: true" : "",
                    " } }\n");
  }
  auto rules = MustCompile(text);
  EXPECT_THAT(Eval(*rules, Stmt("SELECT * FROM users WHERE id = 4")).matched_rules,
              ElementsAre("r0", "r1", "r3", "r4"));
  EXPECT_THAT(Eval(*rules, Stmt("drop table xx AC")).matched_rules, ElementsAre("r5"));
  EXPECT_THAT(Eval(*rules, Stmt("drop table xx ac")).matched_rules, ElementsAre("r2", "r5"));
}

TEST(RuleSetTest, PrefilterIsRecomputedAfterARewrite) {
  auto rules = MustCompile(R"pb(
    rules { name: 'w' match { sql_regex: 'one' } action { rewrite_pattern: 'one' rewrite_replacement: 'two' } }
    rules { name: 'one' match { sql_regex: 'one' } }
    rules { name: 'two' match { sql_regex: 'two' } }
    rules { name: 'x' match { sql_regex: 'three' } }
  )pb");
  EXPECT_THAT(Eval(*rules, Stmt("SELECT one")).matched_rules, ElementsAre("w", "two"));
}

}  // namespace
}  // namespace mysqlgw
