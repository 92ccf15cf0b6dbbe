// RoutingConfig (proto/mysqlgw/v1/interception.proto) and the backends list
// turned into what server/routing works with, defaults applied.
#ifndef SERVER_ROUTING_ROUTING_CONFIG_H_
#define SERVER_ROUTING_ROUTING_CONFIG_H_

#include <chrono>
#include <vector>

#include "absl/status/statusor.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/routing/backend_health.h"
#include "server/routing/replica_selector.h"

namespace mysqlgw {

inline constexpr std::chrono::milliseconds kDefaultMaxReplicaLag{10000};
inline constexpr std::chrono::milliseconds kDefaultHealthCheckInterval{1000};

struct RoutingSettings {
  bool read_write_split = false;
  std::chrono::milliseconds max_replica_lag = kDefaultMaxReplicaLag;
  std::chrono::milliseconds health_check_interval = kDefaultHealthCheckInterval;
  std::chrono::milliseconds read_your_writes_window{0};  // 0: off.
};

// Unset durations take the defaults; an explicit "0s" max_replica_lag is
// kept (only replicas fully caught up serve reads), an explicit "0s"
// interval is not (checks need a pace) and becomes the default.
RoutingSettings RoutingSettingsFromConfig(const v1::RoutingConfig& config);

// Roles: REPLICA as replica, PRIMARY and UNSPECIFIED as primary.
std::vector<RoutingBackend> RoutingBackendsFromConfig(const v1::GatewayConfig& config);

// One target per backend, connecting as the backend's pool does
// (BackendConnectOptions: password file or environment, TLS). Fails on the
// first backend whose options cannot be built.
absl::StatusOr<std::vector<HealthCheckTarget>> HealthTargetsFromConfig(
    const v1::GatewayConfig& config);

}  // namespace mysqlgw

#endif  // SERVER_ROUTING_ROUTING_CONFIG_H_
