// What the statements of one call did, for its access log line: the
// gateway fills it in as statements finish (Gateway::RunIntercepted), the
// call's owner (gRPC reactor, listener session) writes the line at the end.
// Only calls that are logged carry one (CallInfo::stats is null otherwise),
// so the hot path pays nothing when the access log is off.
#ifndef SERVER_GATEWAY_CALL_STATS_H_
#define SERVER_GATEWAY_CALL_STATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mysqlwire/value.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

struct CallStats {
  // The first statement's digest; a batch of several digests is logged
  // under its first.
  std::optional<uint64_t> digest;
  std::string digest_text;
  uint32_t statements = 0;
  std::string backend;  // Where the last statement ran.
  uint64_t rows = 0;
  uint64_t affected_rows = 0;
  uint64_t bytes = 0;
  // With log_parameter_values only: the first statement's parameters.
  bool collect_params = false;
  std::vector<std::string> params;

  // One statement's outcome. `ctx` as the hooks left it (digest of the
  // text that ran); `params` those the statement was sent with.
  void AddStatement(const StatementContext& ctx, const ResultInfo& result,
                    const std::vector<mysqlwire::Value>& statement_params);
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_CALL_STATS_H_
