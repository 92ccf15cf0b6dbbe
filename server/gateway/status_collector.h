// Gathers the /statusz snapshot (server/http/statusz.h) from the live
// gateway: configuration version, backend health, pools, open change
// streams and the busiest digests. Runs on the admin server's thread; every
// source it reads is thread-safe (atomics, short mutexes), none blocks on I/O.
#ifndef SERVER_GATEWAY_STATUS_COLLECTOR_H_
#define SERVER_GATEWAY_STATUS_COLLECTOR_H_

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/binlog/stream_registry.h"
#include "server/gateway/config_reloader.h"
#include "server/gateway/gateway.h"
#include "server/http/statusz.h"

namespace mysqlgw {

struct StatusSources {
  Gateway* gateway = nullptr;                 // Required.
  const v1::GatewayConfig* config = nullptr;  // Required: backends' names, roles, pool sizes.
  const ConfigReloader* reloader = nullptr;   // Null: version 1, no reloads.
  const StreamRegistry* streams = nullptr;    // Null: no streams listed.
  std::string version;
  std::string commit;
  absl::Time started;
  size_t top_digests = 20;
};

http::StatusSnapshot CollectStatus(const StatusSources& sources);

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_STATUS_COLLECTOR_H_
