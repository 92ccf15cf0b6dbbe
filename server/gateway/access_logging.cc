#include "server/gateway/access_logging.h"

#include <optional>
#include <utility>

#include "absl/time/clock.h"
#include "mysqlwire/error.h"

namespace mysqlgw {

void ConfigureLogFromConfig(const v1::ObservabilityConfig& config) {
  LogLevel level = LogLevel::kInfo;
  switch (config.log_level()) {
    case v1::LOG_LEVEL_DEBUG:
      level = LogLevel::kDebug;
      break;
    case v1::LOG_LEVEL_WARNING:
      level = LogLevel::kWarning;
      break;
    case v1::LOG_LEVEL_ERROR:
      level = LogLevel::kError;
      break;
    default:
      break;
  }
  ConfigureLog(config.log_format() == v1::LOG_FORMAT_JSON ? LogFormat::kJson : LogFormat::kText,
               level);
}

bool MetricsEnabled(const v1::ObservabilityConfig& config) {
  return !config.has_metrics_enabled() || config.metrics_enabled();
}

absl::string_view RpcMethodName(RpcMethod method) {
  static constexpr absl::string_view kNames[kRpcMethodCount] = {
      "Query", "StreamQuery", "Execute", "ExecuteBatch", "BeginTransaction",
      "Commit", "Rollback", "StreamBinlog"};
  const int i = static_cast<int>(method);
  return i >= 0 && i < kRpcMethodCount ? kNames[i] : "unknown";
}

AccessRecord MakeAccessRecord(absl::string_view protocol, absl::string_view method,
                              std::string principal, std::string peer, CallStats stats,
                              const absl::Status& status,
                              std::chrono::steady_clock::duration latency) {
  AccessRecord r;
  r.time = absl::Now();
  r.protocol = protocol;
  r.method = method;
  r.principal = std::move(principal);
  r.peer = std::move(peer);
  r.digest = stats.digest;
  r.digest_text = std::move(stats.digest_text);
  r.statements = stats.statements;
  r.backend = std::move(stats.backend);
  r.rows = stats.rows;
  r.affected_rows = stats.affected_rows;
  r.bytes = stats.bytes;
  r.params = std::move(stats.params);
  r.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  r.code = status.code();
  if (!status.ok()) {
    r.error = std::string(status.message());
    if (std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(status)) {
      r.mysql_errno = e->code;
      r.sql_state = e->sql_state;
    }
  }
  return r;
}

absl::Status RegisterAccessLogMetrics(metrics::Registry& registry, const AccessLog* log) {
  return registry.AddCallbackCounter(
      "mysqlgw_access_log_dropped_total",
      "Access log lines dropped because the writer fell behind (disk too slow).",
      [log] { return log != nullptr ? static_cast<double>(log->dropped()) : 0.0; });
}

}  // namespace mysqlgw
