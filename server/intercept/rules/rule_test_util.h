// Test helpers: rules written as text protos, statements built by hand (no
// SQL digest involved, so the tests do not depend on its implementation).
#ifndef SERVER_INTERCEPT_RULES_RULE_TEST_UTIL_H_
#define SERVER_INTERCEPT_RULES_RULE_TEST_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/text_format.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/intercept/hook.h"
#include "server/intercept/rules/rule_set.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw::rules_test {

// `text` holds InterceptionConfig fields: `rules { ... } rules { ... }`.
inline google::protobuf::RepeatedPtrField<v1::RuleConfig> ParseRules(const std::string& text) {
  v1::InterceptionConfig config;
  if (!google::protobuf::TextFormat::ParseFromString(text, &config)) {
    std::fprintf(stderr, "bad rules text proto in test:\n%s\n", text.c_str());
    std::abort();
  }
  return config.rules();
}

// For rules the test expects to be valid; a failure is a bug in the test.
inline std::shared_ptr<const RuleSet> MustCompile(
    const std::string& text, std::vector<std::string> backends = {},
    std::function<RuleSet::Clock::time_point()> now = nullptr) {
  auto set = RuleSet::Compile(ParseRules(text), backends, std::move(now));
  if (!set.ok()) {
    std::fprintf(stderr, "rules do not compile: %s\n", set.status().ToString().c_str());
    std::abort();
  }
  return *std::move(set);
}

// A statement by hand: digest_text is the SQL itself, the kind comes from
// Classify.
class Stmt {
 public:
  explicit Stmt(std::string sql, std::string principal = "app") {
    client_.principal = std::move(principal);
    ctx_.kind = Classify(sql);
    ctx_.digest_text = sql;
    ctx_.sql = std::move(sql);
  }
  Stmt& Database(std::string db) {
    ctx_.database = std::move(db);
    return *this;
  }
  Stmt& Table(std::string db, std::string name) {
    ctx_.tables.push_back({std::move(db), std::move(name)});
    return *this;
  }
  Stmt& From(const std::string& ip) {
    client_.address = *ClientAddress::Parse(ip);
    return *this;
  }
  Stmt& InTransaction() {
    ctx_.in_transaction = true;
    return *this;
  }
  Stmt& Digest(uint64_t hash, std::string text) {
    ctx_.digest = hash;
    ctx_.digest_text = std::move(text);
    return *this;
  }
  Stmt& NoClient() {
    no_client_ = true;
    return *this;
  }
  // Re-pointed on each call so that copies of a Stmt stay valid.
  StatementContext& ctx() {
    ctx_.client = no_client_ ? nullptr : &client_;
    return ctx_;
  }

 private:
  ClientInfo client_;
  StatementContext ctx_;
  bool no_client_ = false;
};

// What the tests pass as RuleSet::Rederive, counting its calls.
struct CountingRederive {
  int calls = 0;
  RuleSet::Rederive fn() {
    return [this](StatementContext& ctx) {
      ++calls;
      ctx.kind = Classify(ctx.sql);
      ctx.digest_text = ctx.sql;
    };
  }
};

inline StatementPlan Eval(const RuleSet& rules, Stmt& stmt, RuleStats* stats = nullptr,
                         const RuleSet::Rederive& rederive = nullptr) {
  StatementPlan plan;
  rules.Evaluate(stmt.ctx(), plan, stats, rederive);
  return plan;
}

inline StatementPlan Eval(const RuleSet& rules, Stmt&& stmt) { return Eval(rules, stmt); }

}  // namespace mysqlgw::rules_test

#endif  // SERVER_INTERCEPT_RULES_RULE_TEST_UTIL_H_
