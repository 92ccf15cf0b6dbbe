#include "server/routing/routing_config.h"

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "mysqlwire/connect_options.h"
#include "server/config/backend_options.h"

namespace mysqlgw {
namespace {

std::chrono::milliseconds ToMillis(const google::protobuf::Duration& d) {
  return std::chrono::milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
}

}  // namespace

RoutingSettings RoutingSettingsFromConfig(const v1::RoutingConfig& config) {
  RoutingSettings s;
  s.read_write_split = config.read_write_split();
  if (config.has_max_replica_lag()) {
    s.max_replica_lag = std::max(std::chrono::milliseconds::zero(),
                                 ToMillis(config.max_replica_lag()));
  }
  if (config.has_health_check_interval() &&
      ToMillis(config.health_check_interval()) > std::chrono::milliseconds::zero()) {
    s.health_check_interval = ToMillis(config.health_check_interval());
  }
  if (config.has_read_your_writes_window()) {
    s.read_your_writes_window = std::max(std::chrono::milliseconds::zero(),
                                         ToMillis(config.read_your_writes_window()));
  }
  return s;
}

std::vector<RoutingBackend> RoutingBackendsFromConfig(const v1::GatewayConfig& config) {
  std::vector<RoutingBackend> out;
  out.reserve(config.backends_size());
  for (const v1::BackendConfig& b : config.backends()) {
    out.push_back({b.name(), b.role() == v1::BACKEND_ROLE_REPLICA ? RoutingRole::kReplica
                                                                   : RoutingRole::kPrimary});
  }
  return out;
}

absl::StatusOr<std::vector<HealthCheckTarget>> HealthTargetsFromConfig(
    const v1::GatewayConfig& config) {
  std::vector<HealthCheckTarget> out;
  out.reserve(config.backends_size());
  for (const v1::BackendConfig& b : config.backends()) {
    absl::StatusOr<mysqlwire::ConnectOptions> options = BackendConnectOptions(b);
    if (!options.ok()) {
      return absl::Status(options.status().code(),
                          absl::StrCat("backend '", b.name(), "': ", options.status().message()));
    }
    out.push_back({b.name(), *std::move(options), b.role() == v1::BACKEND_ROLE_REPLICA});
  }
  return out;
}

}  // namespace mysqlgw
