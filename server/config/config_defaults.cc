#include "server/config/config_defaults.h"

#include <thread>

namespace mysqlgw {
namespace {

// Duration fields are set only when absent (has_*() is false): an explicit
// "0s" is a choice.
void SetSeconds(google::protobuf::Duration* duration, int64_t seconds) {
  duration->set_seconds(seconds);
  duration->set_nanos(0);
}

}  // namespace

void ApplyPoolDefaults(v1::PoolConfig* pool) {
  // min_idle defaults to 0, which it already is.
  if (pool->max_open() == 0) pool->set_max_open(kDefaultPoolMaxOpen);
  if (pool->max_waiters() == 0) pool->set_max_waiters(kDefaultPoolMaxWaiters);
  if (!pool->has_idle_timeout()) {
    SetSeconds(pool->mutable_idle_timeout(), kDefaultPoolIdleTimeoutSeconds);
  }
  if (!pool->has_max_lifetime()) {
    SetSeconds(pool->mutable_max_lifetime(), kDefaultPoolMaxLifetimeSeconds);
  }
  if (!pool->has_liveness_check_after()) {
    SetSeconds(pool->mutable_liveness_check_after(), kDefaultPoolLivenessCheckAfterSeconds);
  }
  if (!pool->has_connect_timeout()) {
    SetSeconds(pool->mutable_connect_timeout(), kDefaultPoolConnectTimeoutSeconds);
  }
}

void ApplyDefaults(v1::GatewayConfig* config) {
  v1::ListenConfig* listen = config->mutable_listen();
  if (listen->address().empty()) listen->set_address(kDefaultListenAddress);
  if (listen->max_request_bytes() == 0) listen->set_max_request_bytes(kDefaultMaxRequestBytes);

  for (v1::BackendConfig& backend : *config->mutable_backends()) {
    if (backend.role() == v1::BACKEND_ROLE_UNSPECIFIED) {
      backend.set_role(v1::BACKEND_ROLE_PRIMARY);
    }
    ApplyPoolDefaults(backend.mutable_pool());
  }

  v1::LimitsConfig* limits = config->mutable_limits();
  if (limits->default_max_rows() == 0) limits->set_default_max_rows(kDefaultMaxRows);
  if (limits->default_max_bytes() == 0) limits->set_default_max_bytes(kDefaultMaxBytes);
  // default_statement_timeout: absent means none.
  if (limits->stream_chunk_bytes() == 0) limits->set_stream_chunk_bytes(kDefaultStreamChunkBytes);

  v1::TransactionConfig* txn = config->mutable_transactions();
  if (!txn->has_default_idle_timeout()) {
    SetSeconds(txn->mutable_default_idle_timeout(), kDefaultTxnIdleTimeoutSeconds);
  }
  if (!txn->has_max_idle_timeout()) {
    SetSeconds(txn->mutable_max_idle_timeout(), kDefaultTxnMaxIdleTimeoutSeconds);
  }
  if (!txn->has_max_lifetime()) {
    SetSeconds(txn->mutable_max_lifetime(), kDefaultTxnMaxLifetimeSeconds);
  }
  if (txn->max_open() == 0) txn->set_max_open(kDefaultTxnMaxOpen);

  v1::RetryConfig* retry = config->mutable_retry();
  if (retry->transient_errnos().empty()) {
    for (uint32_t errno_value : kDefaultTransientErrnos) retry->add_transient_errnos(errno_value);
  }
  if (retry->max_attempts() == 0) retry->set_max_attempts(kDefaultRetryMaxAttempts);

  if (!config->has_shutdown_grace_period()) {
    SetSeconds(config->mutable_shutdown_grace_period(), kDefaultShutdownGraceSeconds);
  }

  v1::ObservabilityConfig* observability = config->mutable_observability();
  if (!observability->has_slow_statement_threshold()) {
    SetSeconds(observability->mutable_slow_statement_threshold(), kDefaultSlowStatementSeconds);
  }
  if (observability->max_tracked_digests() == 0) {
    observability->set_max_tracked_digests(kDefaultMaxTrackedDigests);
  }

  v1::BinlogConfig* binlog = config->mutable_binlog();
  if (!binlog->has_reconnect_timeout()) {
    SetSeconds(binlog->mutable_reconnect_timeout(), kDefaultBinlogReconnectSeconds);
  }
  if (!binlog->has_reconnect_initial_backoff()) {
    binlog->mutable_reconnect_initial_backoff()->set_nanos(kDefaultBinlogBackoffMillis * 1000000);
  }

  if (config->io_threads() == 0) {
    unsigned cores = std::thread::hardware_concurrency();
    config->set_io_threads(cores > 0 ? cores : 1);
  }

  if (v1::MySqlListenerConfig* mysql = config->mutable_mysql_listener();
      !mysql->address().empty()) {
    if (mysql->server_version().empty()) mysql->set_server_version(kDefaultMySqlServerVersion);
    if (mysql->max_connections() == 0) mysql->set_max_connections(kDefaultMySqlMaxConnections);
    if (mysql->default_auth_plugin().empty()) {
      mysql->set_default_auth_plugin(kDefaultMySqlAuthPlugin);
    }
    if (!mysql->has_idle_timeout()) {
      SetSeconds(mysql->mutable_idle_timeout(), kDefaultMySqlIdleTimeoutSeconds);
    }
  }

  // auth: nothing to default; no principal means every call is refused
  // unless allow_anonymous names one.
}

}  // namespace mysqlgw
