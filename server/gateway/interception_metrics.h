// Metrics of the interception policy and of routing, read at scrape time
// from the policy in force and the gateway: statements by verdict, rule
// matches, allowlist outcomes, limit rejections, Lua script errors,
// backend health and replica lag, database quota usage.
//
// Counters kept by a policy (rule matches, allowlist, Lua errors) restart
// from zero when a reload builds a new one; Prometheus treats that as a
// counter reset. Limit rejections live across reloads.
#ifndef SERVER_GATEWAY_INTERCEPTION_METRICS_H_
#define SERVER_GATEWAY_INTERCEPTION_METRICS_H_

#include "absl/status/status.h"
#include "server/gateway/gateway.h"
#include "server/metrics/registry.h"

namespace mysqlgw {

// `gateway` must outlive the registry's scrapes.
absl::Status RegisterInterceptionMetrics(metrics::Registry& registry, Gateway& gateway);

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_INTERCEPTION_METRICS_H_
