#include "server/intercept/hook_chain.h"

#include <string>

namespace mysqlgw {

void DeriveStatementFields(StatementContext& ctx) {
  ctx.kind = Classify(ctx.sql);
  DeriveDigestFields(ctx);
}

void DeriveDigestFields(StatementContext& ctx) {
  StatementDigest d = DigestStatement(ctx.sql);
  ctx.digest = d.hash;
  ctx.digest_text = std::move(d.text);
  ctx.tables = std::move(d.tables);
  ctx.derived = true;
}

absl::Status HookChain::OnConnect(const ClientInfo& client) const {
  for (const auto& hook : hooks_) {
    if (absl::Status s = hook->OnConnect(client); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void HookChain::OnDisconnect(const ClientInfo& client) const {
  for (const auto& hook : hooks_) hook->OnDisconnect(client);
}

size_t HookChain::ReadQuery(StatementContext& ctx, StatementPlan& plan) const {
  if (hooks_.empty()) return 0;
  if (!ctx.derived) DeriveStatementFields(ctx);
  // The text each hook saw, to notice a rewrite without trusting hooks to
  // report it.
  std::string seen = ctx.sql;
  size_t ran = 0;
  for (const auto& hook : hooks_) {
    hook->ReadQuery(ctx, plan);
    ++ran;
    if (plan.decided()) break;
    if (ctx.sql != seen) {
      DeriveStatementFields(ctx);
      seen = ctx.sql;
    }
  }
  return ran;
}

absl::Status HookChain::ReadQueryResult(size_t ran, const StatementContext& ctx,
                                        const StatementPlan& plan,
                                        const ResultInfo& result) const {
  absl::Status first;
  for (size_t i = 0; i < ran && i < hooks_.size(); ++i) {
    absl::Status s = hooks_[i]->ReadQueryResult(ctx, plan, result);
    if (first.ok() && !s.ok()) first = std::move(s);
  }
  return first;
}

}  // namespace mysqlgw
