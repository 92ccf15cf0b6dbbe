#include "server/gateway/status_collector.h"

#include <unistd.h>

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/sql/digest.h"

namespace mysqlgw {

namespace {

std::string RoleName(v1::BackendRole role) {
  return role == v1::BACKEND_ROLE_REPLICA ? "replica" : "primary";
}

std::string Compiler() {
#if defined(__clang__)
  return absl::StrCat("clang ", __clang_major__, ".", __clang_minor__, ".", __clang_patchlevel__);
#elif defined(__GNUC__)
  return absl::StrCat("gcc ", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

}  // namespace

http::StatusSnapshot CollectStatus(const StatusSources& sources) {
  http::StatusSnapshot s;
  s.now = absl::Now();
  s.version = sources.version;
  s.commit = sources.commit;
  s.compiler = Compiler();
  s.pid = ::getpid();
  s.started = sources.started;

  Gateway& gateway = *sources.gateway;
  const v1::GatewayConfig& config = *sources.config;
  if (sources.reloader != nullptr) {
    ConfigReloader::Version v = sources.reloader->version();
    s.config.path = v.path;
    s.config.version = v.number;
    s.config.hash = v.hash;
    s.config.loaded_at = v.loaded_at;
    s.config.reloads_applied = v.number - 1;
    s.config.reloads_failed = v.failed;
    s.config.last_error = v.last_error;
    s.config.last_failed_at = v.last_failed_at;
  } else {
    s.config.version = 1;
    s.config.hash = ConfigReloader::ConfigHash(config);
    s.config.loaded_at = sources.started;
  }
  s.config.policy_generation = gateway.interceptor().Current()->generation();

  // Health is checked only where there are replicas to route reads to;
  // without them every backend shows as "unchecked".
  std::map<std::string, BackendHealth> health;
  for (auto& [name, h] : gateway.BackendHealthSnapshot()) health.emplace(name, std::move(h));
  std::map<std::string, uint32_t> max_open;
  for (const v1::BackendConfig& b : config.backends()) {
    http::StatusSnapshot::Backend out;
    out.name = b.name();
    out.role = RoleName(b.role());
    max_open[b.name()] = b.pool().max_open();
    if (auto it = health.find(b.name()); it != health.end()) {
      const BackendHealth& h = it->second;
      out.state = std::string(BackendStateName(h.state));
      out.read_only = h.read_only;
      if (h.lag.has_value()) out.lag_seconds = static_cast<double>(h.lag->count());
      out.problem = h.replication_problem;
      out.last_error = h.last_error;
      if (h.last_check != std::chrono::system_clock::time_point{}) {
        out.last_check = absl::FromChrono(h.last_check);
      }
    } else {
      out.state = "unchecked";
    }
    s.backends.push_back(std::move(out));
  }

  for (const auto& [name, stats] : gateway.PoolStatistics()) {
    http::StatusSnapshot::Pool p;
    p.backend = name;
    p.max_open = max_open[name];
    p.open = stats.open;
    p.idle = stats.idle;
    p.in_use = stats.in_use;
    p.waiting = stats.waiting;
    p.connects = stats.connects;
    p.connect_failures = stats.connect_failures;
    p.waits = stats.waits;
    p.wait_seconds_sum = stats.wait_seconds_sum;
    p.wait_timeouts = stats.wait_timeouts;
    s.pools.push_back(std::move(p));
  }

  if (sources.streams != nullptr) {
    for (StreamStatus& st : sources.streams->Snapshot(s.now)) {
      http::StatusSnapshot::Stream out;
      out.id = st.id;
      out.principal = std::move(st.identity.principal);
      out.peer = std::move(st.identity.peer);
      out.mode = std::move(st.identity.mode);
      out.started = st.started;
      out.file = std::move(st.file);
      out.position = st.position;
      out.gtid = std::move(st.gtid);
      out.seconds_behind = st.seconds_behind;
      out.events_sent = st.events_sent;
      out.heartbeats_sent = st.heartbeats_sent;
      out.batches_sent = st.batches_sent;
      out.bytes_sent = st.bytes_sent;
      out.last_sent = st.last_sent;
      s.streams.push_back(std::move(out));
    }
  }

  const DigestStats& digests = gateway.digest_stats();
  s.digests_tracked = digests.tracked();
  for (DigestSummary& d : digests.Top(sources.top_digests)) {
    http::StatusSnapshot::Digest out;
    out.digest = d.text == "(other)" ? std::string("-") : DigestHex(d.digest);
    out.text = std::move(d.text);
    out.calls = d.calls;
    out.errors = d.errors;
    out.rows = d.rows;
    out.total_seconds = std::chrono::duration<double>(d.total_latency).count();
    out.max_seconds = std::chrono::duration<double>(d.max_latency).count();
    s.digests.push_back(std::move(out));
  }
  return s;
}

}  // namespace mysqlgw
