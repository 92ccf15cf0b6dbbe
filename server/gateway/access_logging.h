// Observability settings put to work: the log's format and level, the
// metrics switch, and each finished call turned into its access log line
// (server/log/access_log.h) for the gRPC service, the change stream service
// and the MySQL listener.
#ifndef SERVER_GATEWAY_ACCESS_LOGGING_H_
#define SERVER_GATEWAY_ACCESS_LOGGING_H_

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/gateway/call_stats.h"
#include "server/gateway/gateway_metrics.h"
#include "server/log/access_log.h"
#include "server/metrics/registry.h"

namespace mysqlgw {

// ConfigureLog (log.h) with observability.log_format and log_level.
void ConfigureLogFromConfig(const v1::ObservabilityConfig& config);
// observability.metrics_enabled, true unless set to false.
bool MetricsEnabled(const v1::ObservabilityConfig& config);

// "Query", "StreamBinlog", ...
absl::string_view RpcMethodName(RpcMethod method);

// The record of a finished call. `status` is what the caller got: its code,
// and the MySQL errno and SQLSTATE when it carries a server error.
AccessRecord MakeAccessRecord(absl::string_view protocol, absl::string_view method,
                              std::string principal, std::string peer, CallStats stats,
                              const absl::Status& status,
                              std::chrono::steady_clock::duration latency);

// mysqlgw_access_log_dropped_total (0 while the access log is off). `log`
// may be null; it must outlive the registry's scrapes.
absl::Status RegisterAccessLogMetrics(metrics::Registry& registry, const AccessLog* log);

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_ACCESS_LOGGING_H_
