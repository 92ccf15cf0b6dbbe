// Runs hooks in order through the lifecycle of one statement. The chain is
// immutable once built: a reload builds a new chain and calls in flight
// finish on the one they started with.
//
// Pairing: ReadQueryResult is called for exactly the hooks whose ReadQuery
// ran, whatever happened after (a later hook rejected, the backend failed,
// the call was cancelled). Hooks that take something in ReadQuery (a
// concurrency slot) rely on it to give it back.
#ifndef SERVER_INTERCEPT_HOOK_CHAIN_H_
#define SERVER_INTERCEPT_HOOK_CHAIN_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

// Fills the fields of `ctx` derived from ctx.sql: kind, digest, tables.
void DeriveStatementFields(StatementContext& ctx);
// The same without the kind, for a caller that classified the text already.
void DeriveDigestFields(StatementContext& ctx);

class HookChain {
 public:
  HookChain() = default;
  explicit HookChain(std::vector<std::shared_ptr<Hook>> hooks) : hooks_(std::move(hooks)) {}

  bool empty() const { return hooks_.empty(); }
  const std::vector<std::shared_ptr<Hook>>& hooks() const { return hooks_; }

  // The first refusal wins; later hooks are not asked.
  absl::Status OnConnect(const ClientInfo& client) const;
  void OnDisconnect(const ClientInfo& client) const;

  // Runs read_query until the plan is decided. Derives ctx's fields first,
  // and again after any hook that changed ctx.sql. Returns how many hooks
  // ran, for ReadQueryResult.
  size_t ReadQuery(StatementContext& ctx, StatementPlan& plan) const;

  // Runs read_query_result for the first `ran` hooks; the first non-OK
  // status a hook returns is the result.
  absl::Status ReadQueryResult(size_t ran, const StatementContext& ctx,
                               const StatementPlan& plan, const ResultInfo& result) const;

 private:
  std::vector<std::shared_ptr<Hook>> hooks_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_HOOK_CHAIN_H_
