// The declarative rules as a Hook in the interception chain. Later rules
// see a rewritten statement's new kind, digest and tables.
#ifndef SERVER_INTERCEPT_RULES_RULES_HOOK_H_
#define SERVER_INTERCEPT_RULES_RULES_HOOK_H_

#include <memory>
#include <utility>

#include "absl/strings/string_view.h"
#include "server/intercept/hook.h"
#include "server/intercept/hook_chain.h"
#include "server/intercept/rules/rule_set.h"

namespace mysqlgw {

class RulesHook : public Hook {
 public:
  explicit RulesHook(std::shared_ptr<const RuleSet> rules,
                     RuleSet::Rederive rederive = DeriveStatementFields)
      : rules_(std::move(rules)), stats_(*rules_), rederive_(std::move(rederive)) {}

  absl::string_view name() const override { return "rules"; }
  void ReadQuery(StatementContext& ctx, StatementPlan& plan) override {
    rules_->Evaluate(ctx, plan, &stats_, rederive_);
  }

  const RuleSet& rules() const { return *rules_; }
  const RuleStats& stats() const { return stats_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
  RuleStats stats_;
  RuleSet::Rederive rederive_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_RULES_RULES_HOOK_H_
