// The listener's metrics on the gateway's registry (read at scrape time):
//   mysqlgw_listener_connections_open            gauge
//   mysqlgw_listener_connections_total           counter (accepted)
//   mysqlgw_listener_connections_refused_total   counter (max_connections)
//   mysqlgw_listener_auth_failures_total         counter
//   mysqlgw_listener_commands_total{command}     counter
//   mysqlgw_listener_session_pins_total{reason}  counter (pins taken)
//   mysqlgw_listener_pinned_sessions             gauge (holding a connection)
#ifndef SERVER_LISTENER_LISTENER_METRICS_H_
#define SERVER_LISTENER_LISTENER_METRICS_H_

#include "absl/status/status.h"
#include "server/listener/listener.h"
#include "server/metrics/registry.h"

namespace mysqlgw {

// `listener` must outlive the registry's scrapes.
absl::Status RegisterListenerMetrics(metrics::Registry& registry, MySqlListener& listener);

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_LISTENER_METRICS_H_
