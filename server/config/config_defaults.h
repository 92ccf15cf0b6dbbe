// The defaults stated in config.proto's comments, filled into a parsed
// configuration.
//
// Proto3 cannot tell an absent number from zero, so a zero count or size
// means "default" (e.g. pool.max_open: 0 becomes 32, retry.transient_errnos:
// [] becomes the default list). Durations are messages, so an explicit "0s"
// is kept. A backend without a role becomes BACKEND_ROLE_PRIMARY, as the
// proto says it is treated.
#ifndef SERVER_CONFIG_CONFIG_DEFAULTS_H_
#define SERVER_CONFIG_CONFIG_DEFAULTS_H_

#include <cstdint>

#include "mysqlgw/v1/config.pb.h"

namespace mysqlgw {

inline constexpr char kDefaultListenAddress[] = "127.0.0.1:50051";
inline constexpr uint64_t kDefaultMaxRequestBytes = uint64_t{16} << 20;

inline constexpr uint32_t kDefaultPoolMaxOpen = 32;
inline constexpr uint32_t kDefaultPoolMaxWaiters = 256;
inline constexpr int64_t kDefaultPoolIdleTimeoutSeconds = 5 * 60;
inline constexpr int64_t kDefaultPoolMaxLifetimeSeconds = 30 * 60;
inline constexpr int64_t kDefaultPoolLivenessCheckAfterSeconds = 5;
inline constexpr int64_t kDefaultPoolConnectTimeoutSeconds = 5;

inline constexpr uint64_t kDefaultMaxRows = 100000;
inline constexpr uint64_t kDefaultMaxBytes = uint64_t{64} << 20;
inline constexpr uint64_t kDefaultStreamChunkBytes = uint64_t{64} << 10;

inline constexpr int64_t kDefaultTxnIdleTimeoutSeconds = 30;
inline constexpr int64_t kDefaultTxnMaxIdleTimeoutSeconds = 5 * 60;
inline constexpr int64_t kDefaultTxnMaxLifetimeSeconds = 10 * 60;
inline constexpr uint32_t kDefaultTxnMaxOpen = 1000;

inline constexpr uint32_t kDefaultTransientErrnos[] = {1040, 1053, 1927};
inline constexpr uint32_t kDefaultRetryMaxAttempts = 2;

inline constexpr int64_t kDefaultShutdownGraceSeconds = 10;
inline constexpr int64_t kDefaultSlowStatementSeconds = 1;
inline constexpr int64_t kDefaultBinlogReconnectSeconds = 60;
inline constexpr int32_t kDefaultBinlogBackoffMillis = 100;
inline constexpr uint32_t kDefaultMaxTrackedDigests = 2000;

// The MySQL-protocol listener's, filled in only when it has an address.
inline constexpr char kDefaultMySqlServerVersion[] = "10.11.99-mysqlgw";
inline constexpr uint32_t kDefaultMySqlMaxConnections = 1000;
inline constexpr char kDefaultMySqlAuthPlugin[] = "mysql_native_password";
inline constexpr int64_t kDefaultMySqlIdleTimeoutSeconds = 8 * 3600;

// Idempotent. io_threads 0 becomes std::thread::hardware_concurrency()
// (at least 1).
void ApplyDefaults(v1::GatewayConfig* config);

// The pool defaults alone, for a backend added after ApplyDefaults.
void ApplyPoolDefaults(v1::PoolConfig* pool);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_CONFIG_DEFAULTS_H_
