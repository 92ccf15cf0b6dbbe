#include "server/routing/backend_health.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "server/routing/replication_status.h"

namespace mysqlgw {
namespace {

namespace asio = boost::asio;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr uint16_t kErrParse = 1064;

// HealthSummary in one word, so routing reads it without a lock:
// bits 0-1 state, 2-3 read_only (0 unknown, 1 off, 2 on), bit 4 lag known,
// bits 32-63 lag in seconds (saturated).
uint64_t Pack(const HealthSummary& s) {
  uint64_t word = static_cast<uint64_t>(s.state);
  if (s.read_only.has_value()) word |= (*s.read_only ? 2u : 1u) << 2;
  if (s.lag.has_value()) {
    const int64_t seconds = std::clamp<int64_t>(s.lag->count(), 0, UINT32_MAX);
    word |= uint64_t{1} << 4;
    word |= static_cast<uint64_t>(seconds) << 32;
  }
  return word;
}

HealthSummary Unpack(uint64_t word) {
  HealthSummary s;
  s.state = static_cast<BackendState>(word & 3);
  switch ((word >> 2) & 3) {
    case 1: s.read_only = false; break;
    case 2: s.read_only = true; break;
    default: break;
  }
  if ((word >> 4) & 1) s.lag = std::chrono::seconds(word >> 32);
  return s;
}

void LogToStderr(absl::string_view line) {
  std::fprintf(stderr, "%s INFO mysqlgw: %s\n",
               absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()).c_str(),
               std::string(line).c_str());
}

std::string DescribeUp(const BackendHealth& h) {
  std::string out = absl::StrCat("read_only=", h.read_only.value_or(false) ? 1 : 0);
  if (h.is_replica) {
    if (h.lag.has_value()) {
      absl::StrAppend(&out, ", lag ", h.lag->count(), "s");
    } else {
      absl::StrAppend(&out, ", replication: ", h.replication_problem);
    }
  }
  return out;
}

struct CheckResult {
  absl::Status status;
  bool read_only = false;
  std::optional<std::chrono::seconds> lag;
  std::string problem;
};

}  // namespace

absl::string_view BackendStateName(BackendState state) {
  switch (state) {
    case BackendState::kUnknown: return "unknown";
    case BackendState::kUp: return "up";
    case BackendState::kDown: return "down";
  }
  return "unknown";
}

class HealthChecker::Core : public std::enable_shared_from_this<Core> {
 public:
  struct Backend {
    Backend(asio::any_io_executor executor, HealthCheckTarget t)
        : target(std::move(t)), timer(executor) {}
    HealthCheckTarget target;
    mysqlwire::ConnectOptions connect_options;
    // Touched only on the executor.
    std::unique_ptr<mysqlwire::Connection> conn;
    asio::steady_timer timer;
    std::atomic<uint64_t> packed{Pack(HealthSummary{})};
    BackendHealth health;  // Guarded by Core::mu.
  };

  Core(asio::any_io_executor executor, std::vector<HealthCheckTarget> targets,
       HealthCheckOptions options)
      : executor_(std::move(executor)), options_(std::move(options)) {
    if (!options_.log) options_.log = LogToStderr;
    if (options_.interval <= std::chrono::milliseconds::zero()) {
      options_.interval = std::chrono::milliseconds(1000);
    }
    options_.max_backoff = std::max(options_.max_backoff, options_.interval);
    for (HealthCheckTarget& t : targets) {
      auto b = std::make_unique<Backend>(executor_, std::move(t));
      b->connect_options = b->target.options;
      b->connect_options.connect_timeout = options_.timeout;
      b->connect_options.io_timeout = options_.timeout;
      b->connect_options.statement_cache_size = 0;
      for (auto& [key, value] : b->connect_options.attributes) {
        if (key == "program_name") value = "mysqlgw health check";
      }
      b->health.is_replica = b->target.is_replica;
      index_.emplace(b->target.name, backends_.size());
      backends_.push_back(std::move(b));
    }
  }

  void Start() {
    if (started_.exchange(true)) return;
    for (auto& b : backends_) {
      asio::co_spawn(executor_, Run(shared_from_this(), b.get()), asio::detached);
    }
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      if (stopped_.exchange(true)) return;
    }
    asio::post(executor_, [self = shared_from_this()] {
      for (auto& b : self->backends_) {
        b->timer.cancel();
        if (b->conn != nullptr) b->conn->Close();
      }
    });
  }

  const Backend* Find(absl::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : backends_[it->second].get();
  }

  BackendHealth HealthOf(const Backend& b) const {
    absl::MutexLock lock(&mu_);
    return b.health;
  }

  std::vector<std::pair<std::string, BackendHealth>> All() const {
    absl::MutexLock lock(&mu_);
    std::vector<std::pair<std::string, BackendHealth>> out;
    out.reserve(backends_.size());
    for (const auto& b : backends_) out.emplace_back(b->target.name, b->health);
    return out;
  }

 private:
  static asio::awaitable<void> Run(std::shared_ptr<Core> self, Backend* b) {
    while (!self->stopped_) {
      CheckResult result = co_await self->Check(*b);
      if (self->stopped_) break;
      const uint32_t failures = self->Record(*b, result);
      b->timer.expires_after(self->Delay(failures));
      co_await b->timer.async_wait(kAsTuple);
    }
    if (b->conn != nullptr) b->conn->Close();
    b->conn.reset();
  }

  std::chrono::milliseconds Delay(uint32_t failures) const {
    if (failures == 0) return options_.interval;
    std::chrono::milliseconds delay = options_.interval;
    for (uint32_t i = 1; i < failures && delay < options_.max_backoff; ++i) delay *= 2;
    return std::min(delay, options_.max_backoff);
  }

  asio::awaitable<CheckResult> Check(Backend& b) {
    const bool reused = b.conn != nullptr && b.conn->usable();
    CheckResult result = co_await CheckOn(b, reused);
    // A kept connection may have died with a server restart since the last
    // check; only a fresh connection failing says the backend is down.
    if (!result.status.ok() && reused && b.conn == nullptr && !stopped_) {
      result = co_await CheckOn(b, /*reuse=*/false);
    }
    co_return result;
  }

  // Drops the connection when it can no longer be used (transport or
  // protocol failure); a server error leaves it open.
  void DropIfBroken(Backend& b) {
    if (b.conn != nullptr && !b.conn->usable()) {
      b.conn->Close();
      b.conn.reset();
    }
  }

  asio::awaitable<CheckResult> CheckOn(Backend& b, bool reuse) {
    CheckResult result;
    if (!reuse) {
      if (b.conn != nullptr) b.conn->Close();
      b.conn = std::make_unique<mysqlwire::Connection>(executor_);
      absl::Status connected = co_await b.conn->Connect(b.connect_options);
      if (!connected.ok()) {
        b.conn.reset();
        result.status = connected;
        co_return result;
      }
    }
    absl::StatusOr<std::vector<mysqlwire::ResultSet>> ro =
        co_await b.conn->Query("SELECT @@read_only");
    if (!ro.ok()) {
      DropIfBroken(b);
      result.status = ro.status();
      co_return result;
    }
    std::optional<int64_t> flag;
    if (!ro->empty() && (*ro)[0].rows.size() == 1 && (*ro)[0].rows[0].size() == 1) {
      flag = ValueAsInt((*ro)[0].rows[0][0]);
    }
    if (!flag.has_value()) {
      result.status = absl::InternalError("SELECT @@read_only returned no number");
      co_return result;
    }
    result.read_only = *flag != 0;
    if (!b.target.is_replica) co_return result;

    const bool mariadb = b.conn->is_mariadb();
    absl::StatusOr<std::vector<mysqlwire::ResultSet>> st =
        co_await b.conn->Query(mariadb ? "SHOW ALL SLAVES STATUS" : "SHOW REPLICA STATUS");
    if (!mariadb && !st.ok()) {
      // MySQL before 8.0.22 knows only the old spelling.
      std::optional<mysqlwire::ServerError> error = mysqlwire::GetServerError(st.status());
      if (error && error->code == kErrParse && b.conn->usable()) {
        st = co_await b.conn->Query("SHOW SLAVE STATUS");
      }
    }
    if (!st.ok()) {
      if (b.conn == nullptr || !b.conn->usable()) {
        DropIfBroken(b);
        result.status = st.status();
        co_return result;
      }
      // Reachable, but the lag is unknown (e.g. no SLAVE MONITOR privilege).
      result.problem = absl::StrCat("cannot read replication status: ", st.status().message());
      co_return result;
    }
    absl::StatusOr<ReplicationStatus> parsed =
        st->empty() ? absl::StatusOr<ReplicationStatus>(
                          absl::InvalidArgumentError("no result"))
                    : ParseReplicationStatus((*st)[0]);
    if (!parsed.ok()) {
      result.problem = absl::StrCat("cannot read replication status: ", parsed.status().message());
      co_return result;
    }
    result.lag = parsed->lag;
    result.problem = parsed->problem;
    co_return result;
  }

  // Returns the backend's consecutive failures.
  uint32_t Record(Backend& b, const CheckResult& result) {
    absl::MutexLock lock(&mu_);
    if (stopped_) return 0;
    BackendHealth& h = b.health;
    const BackendHealth before = h;
    ++h.checks;
    h.last_check = std::chrono::system_clock::now();
    if (result.status.ok()) {
      h.state = BackendState::kUp;
      h.read_only = result.read_only;
      h.lag = result.lag;
      h.replication_problem = result.problem;
      h.last_error.clear();
      h.consecutive_failures = 0;
    } else {
      h.state = BackendState::kDown;
      h.lag.reset();
      h.last_error = std::string(result.status.message());
      if (h.last_error.empty()) h.last_error = result.status.ToString();
      ++h.consecutive_failures;
    }
    b.packed.store(Pack(h.summary()), std::memory_order_release);

    const std::string& name = b.target.name;
    if (h.state != before.state) {
      if (h.state == BackendState::kUp) {
        options_.log(absl::StrCat("backend '", name, "' is up (", DescribeUp(h), ")"));
      } else {
        options_.log(absl::StrCat("backend '", name, "' is down: ", h.last_error));
      }
    } else if (h.state == BackendState::kUp) {
      if (h.read_only != before.read_only) {
        options_.log(absl::StrCat("backend '", name, "' read_only is now ",
                                  h.read_only.value_or(false) ? 1 : 0));
      }
      if (h.is_replica && h.replication_problem != before.replication_problem) {
        if (h.replication_problem.empty()) {
          options_.log(absl::StrCat("backend '", name, "' replication runs again (lag ",
                                    h.lag.value_or(std::chrono::seconds(0)).count(), "s)"));
        } else {
          options_.log(absl::StrCat("backend '", name,
                                    "' replication: ", h.replication_problem));
        }
      }
    }
    return h.consecutive_failures;
  }

  asio::any_io_executor executor_;
  HealthCheckOptions options_;
  std::vector<std::unique_ptr<Backend>> backends_;
  absl::flat_hash_map<std::string, size_t> index_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  // Guards every Backend::health, and orders log lines before Stop().
  mutable absl::Mutex mu_;
};

HealthChecker::HealthChecker(asio::any_io_executor executor,
                             std::vector<HealthCheckTarget> targets,
                             HealthCheckOptions options)
    : core_(std::make_shared<Core>(std::move(executor), std::move(targets),
                                   std::move(options))) {}

HealthChecker::~HealthChecker() { Stop(); }

void HealthChecker::Start() { core_->Start(); }

void HealthChecker::Stop() { core_->Stop(); }

std::optional<HealthSummary> HealthChecker::Summary(absl::string_view backend) const {
  const Core::Backend* b = core_->Find(backend);
  if (b == nullptr) return std::nullopt;
  return Unpack(b->packed.load(std::memory_order_acquire));
}

std::optional<BackendHealth> HealthChecker::Snapshot(absl::string_view backend) const {
  const Core::Backend* b = core_->Find(backend);
  if (b == nullptr) return std::nullopt;
  return core_->HealthOf(*b);
}

std::vector<std::pair<std::string, BackendHealth>> HealthChecker::SnapshotAll() const {
  return core_->All();
}

}  // namespace mysqlgw
