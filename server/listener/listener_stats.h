// Counters of the MySQL-protocol listener, updated on the event loops and
// read by the metrics scrape (listener_metrics.h) and SHOW MYSQLGW STATUS.
#ifndef SERVER_LISTENER_LISTENER_STATS_H_
#define SERVER_LISTENER_LISTENER_STATS_H_

#include <array>
#include <atomic>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace mysqlgw {

struct ListenerStats {
  std::atomic<int64_t> connections_open{0};
  std::atomic<uint64_t> connections_total{0};
  // Refused with ERR 1040 (max_connections).
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> auth_failures{0};
  // By command byte.
  std::array<std::atomic<uint64_t>, 256> commands{};

  void CountCommand(uint8_t command) { commands[command].fetch_add(1, std::memory_order_relaxed); }
};

// "query", "stmt_execute", ... for the commands the listener knows; "" for
// any other byte (counted as "other").
absl::string_view CommandName(uint8_t command);

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_LISTENER_STATS_H_
