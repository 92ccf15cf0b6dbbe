#include "server/gateway/call_stats.h"

namespace mysqlgw {

void CallStats::AddStatement(const StatementContext& ctx, const ResultInfo& result,
                             const std::vector<mysqlwire::Value>& statement_params) {
  if (!digest.has_value()) {
    digest = ctx.digest;
    digest_text = ctx.digest_text;
    if (collect_params) {
      for (const mysqlwire::Value& v : statement_params) params.push_back(v.DebugString());
    }
  }
  ++statements;
  if (!result.backend.empty()) backend = result.backend;
  rows += result.rows;
  affected_rows += result.affected_rows;
  bytes += result.bytes;
}

}  // namespace mysqlgw
