// GET /statusz: one page that says what the gateway is and what it is doing
// now (build, uptime, configuration version, backends, pools, open change
// streams, the busiest statement digests), in HTML for people and in JSON
// for scripts.
//
// The snapshot is plain data gathered from the live components elsewhere
// (server/gateway/status_collector.h); this file only renders it, so the
// rendering is testable without a gateway. Every string that comes from
// configuration, SQL or peers is escaped (HTML and JSON alike); the HTML
// page is self-contained (inline style, no script, no external asset).
#ifndef SERVER_HTTP_STATUSZ_H_
#define SERVER_HTTP_STATUSZ_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/http/admin_endpoints.h"

namespace mysqlgw::http {

struct StatusSnapshot {
  absl::Time now;

  // Build and process.
  std::string version;
  std::string commit;  // Empty when the build was not stamped.
  std::string compiler;
  int64_t pid = 0;
  absl::Time started;

  struct Config {
    std::string path;         // Empty: built from flags alone.
    uint64_t version = 0;     // 1 as started, +1 for each reload applied.
    std::string hash;         // Of the configuration in force (sha256, hex prefix).
    absl::Time loaded_at;     // When the configuration in force was loaded.
    uint64_t reloads_applied = 0;
    uint64_t reloads_failed = 0;
    std::string last_error;   // Of the last rejected reload; empty if none.
    absl::Time last_failed_at = absl::InfinitePast();
    uint64_t policy_generation = 0;
  } config;

  struct Backend {
    std::string name;
    std::string role;          // "primary", "replica".
    std::string state;         // "up", "down", "unknown", or "unchecked".
    std::optional<bool> read_only;
    std::optional<double> lag_seconds;
    std::string problem;       // Why the lag is unknown.
    std::string last_error;    // Of the last failed check.
    absl::Time last_check = absl::InfinitePast();
  };
  std::vector<Backend> backends;

  struct Pool {
    std::string backend;
    uint32_t max_open = 0;  // Over all event loops; 0: unknown.
    uint32_t open = 0;
    uint32_t idle = 0;
    uint32_t in_use = 0;
    uint32_t waiting = 0;
    uint64_t connects = 0;
    uint64_t connect_failures = 0;
    uint64_t waits = 0;  // Acquires that queued.
    double wait_seconds_sum = 0;
    uint64_t wait_timeouts = 0;
  };
  std::vector<Pool> pools;

  struct Stream {
    uint64_t id = 0;
    std::string principal;
    std::string peer;
    std::string mode;
    absl::Time started;
    std::string file;  // Empty: nothing sent yet.
    uint64_t position = 0;
    std::string gtid;
    std::optional<double> seconds_behind;
    uint64_t events_sent = 0;
    uint64_t heartbeats_sent = 0;
    uint64_t batches_sent = 0;
    uint64_t bytes_sent = 0;
    absl::Time last_sent = absl::InfinitePast();
  };
  std::vector<Stream> streams;

  struct Digest {
    std::string digest;  // Hex; "-" for the overflow entry.
    std::string text;
    uint64_t calls = 0;
    uint64_t errors = 0;
    uint64_t rows = 0;
    double total_seconds = 0;
    double max_seconds = 0;
  };
  std::vector<Digest> digests;  // Most total time first.
  size_t digests_tracked = 0;
};

std::string RenderStatuszHtml(const StatusSnapshot& s);
std::string RenderStatuszJson(const StatusSnapshot& s);

// JSON for "?format=json" or an Accept header naming application/json
// (and not preferring text/html); HTML otherwise ("?format=html" forces it).
bool WantsJson(const PageRequest& request);

// The /statusz page: the snapshot in the format the request asks for.
PageResponse ServeStatusz(const PageRequest& request, const StatusSnapshot& s);

// Text made safe inside HTML elements and attribute values.
std::string HtmlEscape(absl::string_view text);

// "3d 4h", "2h 5m", "4m 10s", "12s".
std::string FormatUptime(absl::Duration d);

}  // namespace mysqlgw::http

#endif  // SERVER_HTTP_STATUSZ_H_
