#include "server/pool/pool_core.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "server/pool/deadline_guard.h"

namespace mysqlgw::pool_internal {
namespace {

using std::chrono::milliseconds;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// A zero limit disables the check.
bool Exceeds(Clock::duration elapsed, milliseconds limit) {
  return limit.count() > 0 && elapsed >= limit;
}

absl::Status TimedOut() {
  return absl::DeadlineExceededError("timed out waiting for a connection");
}

asio::awaitable<void> QuitAndClose(std::unique_ptr<mysqlwire::Connection> conn,
                                   Clock::duration bound) {
  absl::Status ignored =
      co_await WithDeadline(*conn, QuitCommand(*conn), Clock::now() + bound);
  (void)ignored;  // The connection is closed either way.
}

}  // namespace

// One queued Acquire. It lives in the Acquire coroutine's frame; the queue
// holds a pointer, removed whichever way the wait ends (grant, deadline,
// cancellation, or the frame being destroyed unresumed).
class PoolCore::Waiter {
 public:
  Waiter(PoolCore& pool, Clock::time_point deadline)
      : pool_(pool), timer_(pool.executor_, deadline) {
    position_ = pool_.waiters_.insert(pool_.waiters_.end(), this);
    pool_.waiting_.set(static_cast<uint32_t>(pool_.waiters_.size()));
  }
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  ~Waiter() {
    Unlink();
    // Granted but never resumed (its io_context was torn down): give the
    // grant back instead of leaking it.
    if (Entry* entry = std::get_if<Entry>(&grant_)) {
      pool_.MakeAvailable(std::move(*entry));
    } else if (std::holds_alternative<Permit>(grant_)) {
      --pool_.connecting_;
      pool_.SlotFreed();
    }
  }

  // Ends on a grant (the timer is cancelled), at the deadline, or when the
  // awaiting coroutine is cancelled.
  asio::awaitable<boost::system::error_code> Wait() {
    auto [ec] = co_await timer_.async_wait(kAsTuple);
    co_return ec;
  }

  // The timer may already have expired with its completion queued; the
  // waiter still takes the grant when it resumes, so nothing is lost.
  void Give(Grant grant) {
    grant_ = std::move(grant);
    Unlink();
    timer_.cancel();
  }

  Grant Take() {
    Unlink();
    return std::exchange(grant_, std::monostate{});
  }

 private:
  void Unlink() {
    if (!linked_) return;
    pool_.waiters_.erase(position_);
    linked_ = false;
    pool_.waiting_.set(static_cast<uint32_t>(pool_.waiters_.size()));
  }

  PoolCore& pool_;
  asio::steady_timer timer_;
  std::list<Waiter*>::iterator position_;
  bool linked_ = true;
  Grant grant_;
};

PoolCore::PoolCore(asio::any_io_executor executor, std::string name,
                   PoolOptions options)
    : executor_(std::move(executor)),
      name_(std::move(name)),
      options_(std::move(options)),
      max_open_(std::max<uint32_t>(options_.max_open, 1)),
      upkeep_timer_(executor_) {}

PoolCore::~PoolCore() = default;

void PoolCore::Start() {
  if (started_ || shutdown_) return;
  started_ = true;
  asio::co_spawn(executor_, Upkeep(shared_from_this()), asio::detached);
}

void PoolCore::Shutdown() {
  if (shutdown_) return;
  shutdown_ = true;
  upkeep_timer_.cancel();
  while (!idle_.empty()) {
    Entry entry = PopIdle();
    --open_;
    Dispose(std::move(entry.conn));
  }
  while (!waiters_.empty()) waiters_.front()->Give(ShutDownError());
}

asio::awaitable<absl::StatusOr<PooledConnection>> PoolCore::Acquire(
    std::shared_ptr<PoolCore> self, Clock::time_point deadline) {
  PoolCore& pool = *self;
  while (true) {
    if (pool.shutdown_) co_return pool.ShutDownError();
    if (Clock::now() >= deadline) co_return TimedOut();
    // Skipped while others wait, so that nobody overtakes them.
    if (pool.waiters_.empty()) {
      if (!pool.idle_.empty()) {
        std::optional<absl::StatusOr<PooledConnection>> lent =
            co_await pool.Vet(pool.PopIdle(), deadline);
        if (lent.has_value()) co_return *std::move(lent);
        continue;
      }
      if (pool.open_ + pool.connecting_ < pool.max_open_) {
        ++pool.connecting_;
        co_return co_await pool.ConnectReserved(deadline);
      }
    }
    if (pool.waiters_.size() >= pool.options_.max_waiters) {
      ++pool.rejected_full_;
      co_return absl::ResourceExhaustedError(absl::StrCat(
          "connection pool '", pool.name_, "': all ", pool.max_open_,
          " connections are in use and ", pool.options_.max_waiters,
          " callers are already waiting"));
    }
    boost::system::error_code ec;
    Grant grant;
    {
      Waiter waiter(pool, deadline);
      const Clock::time_point start = Clock::now();
      ec = co_await waiter.Wait();
      pool.RecordWait(Clock::now() - start);
      grant = waiter.Take();
    }
    if (Entry* entry = std::get_if<Entry>(&grant)) {
      co_return pool.Lend(std::move(*entry), Clock::duration::zero());
    }
    if (std::holds_alternative<Permit>(grant)) {
      co_return co_await pool.ConnectReserved(deadline);
    }
    if (absl::Status* status = std::get_if<absl::Status>(&grant)) {
      co_return std::move(*status);
    }
    if (ec == asio::error::operation_aborted) {
      co_return absl::CancelledError("waiting for a connection was cancelled");
    }
    ++pool.wait_timeouts_;
    co_return TimedOut();
  }
}

asio::awaitable<std::optional<absl::StatusOr<PooledConnection>>> PoolCore::Vet(
    Entry entry, Clock::time_point deadline) {
  using Result = std::optional<absl::StatusOr<PooledConnection>>;
  const Clock::time_point now = Clock::now();
  if (Exceeds(now - entry.created, options_.max_lifetime)) {
    Discard(std::move(entry), discarded_lifetime_);
    co_return Result();
  }
  const Clock::duration idle_for = now - entry.idle_since;
  if (idle_for > options_.liveness_check_after || entry.idle_since < last_broken_) {
    absl::Status alive = co_await WithDeadline(
        *entry.conn, entry.conn->Ping(),
        std::min(deadline, now + CommandTimeout()));
    if (shutdown_) {
      --open_;
      Dispose(std::move(entry.conn));
      co_return Result(ShutDownError());
    }
    if (!alive.ok()) {
      ++discarded_ping_failed_;
      --open_;
      Dispose(std::move(entry.conn));
      if (idle_.empty()) {
        // Replace it on the same slot: callers that queued during the ping
        // came after this one.
        ++connecting_;
        co_return Result(co_await ConnectReserved(deadline));
      }
      SlotFreed();
      co_return Result();
    }
  }
  co_return Result(Lend(std::move(entry), idle_for));
}

asio::awaitable<absl::StatusOr<PooledConnection>> PoolCore::ConnectReserved(
    Clock::time_point deadline) {
  const Clock::time_point now = Clock::now();
  if (now >= deadline) {
    --connecting_;
    SlotFreed();
    co_return TimedOut();
  }
  mysqlwire::ConnectOptions connect = options_.connect;
  connect.connect_timeout = std::min(
      connect.connect_timeout, std::chrono::ceil<milliseconds>(deadline - now));
  auto conn = std::make_unique<mysqlwire::Connection>(executor_);
  absl::Status status = co_await conn->Connect(connect);
  --connecting_;
  if (!status.ok()) {
    ++connect_failures_;
    SlotFreed();
    if (status.code() == absl::StatusCode::kDeadlineExceeded && Clock::now() < deadline) {
      // connect_timeout ran out, not the caller's deadline: the server is
      // unreachable (UNAVAILABLE, which a caller may retry), not the call
      // out of time.
      co_return absl::UnavailableError(absl::StrCat(
          "could not connect to backend '", name_, "' within its connect timeout of ",
          connect.connect_timeout.count(), " ms: ", status.message()));
    }
    co_return status;
  }
  ++connects_;
  ++open_;
  if (shutdown_) {
    --open_;
    Dispose(std::move(conn));
    co_return ShutDownError();
  }
  const Clock::time_point opened = Clock::now();
  co_return Lend(Entry{std::move(conn), opened, opened},
                 Clock::duration::zero());
}

void PoolCore::Return(std::unique_ptr<mysqlwire::Connection> conn,
                      Clock::time_point created, ReturnMode mode) {
  --in_use_;
  const Clock::time_point now = Clock::now();
  Entry entry{std::move(conn), created, now};
  if (shutdown_) {
    --open_;
    Dispose(std::move(entry.conn));
    return;
  }
  if (!entry.conn->is_connected()) last_broken_ = now;  // Lost, not just mid-result.
  if (mode == ReturnMode::kDiscard || !entry.conn->usable()) {
    Discard(std::move(entry), discarded_broken_);
    return;
  }
  if (Exceeds(now - created, options_.max_lifetime)) {
    Discard(std::move(entry), discarded_lifetime_);
    return;
  }
  if (mode == ReturnMode::kClean) {
    MakeAvailable(std::move(entry));
    return;
  }
  asio::co_spawn(executor_, ResetThenReturn(shared_from_this(), std::move(entry)),
                 asio::detached);
}

asio::awaitable<void> PoolCore::ResetThenReturn(std::shared_ptr<PoolCore> self,
                                                Entry entry) {
  PoolCore& pool = *self;
  absl::Status reset = co_await WithDeadline(
      *entry.conn, entry.conn->ResetSession(), Clock::now() + pool.CommandTimeout());
  if (!reset.ok()) {
    pool.Discard(std::move(entry), pool.discarded_reset_failed_);
    co_return;
  }
  pool.MakeAvailable(std::move(entry));
}

asio::awaitable<void> PoolCore::FillOne(std::shared_ptr<PoolCore> self) {
  PoolCore& pool = *self;
  auto conn = std::make_unique<mysqlwire::Connection>(pool.executor_);
  absl::Status status = co_await conn->Connect(pool.options_.connect);
  --pool.connecting_;
  --pool.filling_;
  if (!status.ok()) {
    ++pool.connect_failures_;
    // No immediate retry against a failing server: the next upkeep tick
    // tries again.
    pool.SlotFreed(/*refill=*/false);
    co_return;
  }
  ++pool.connects_;
  ++pool.open_;
  const Clock::time_point opened = Clock::now();
  pool.MakeAvailable(Entry{std::move(conn), opened, opened});
}

asio::awaitable<void> PoolCore::Upkeep(std::shared_ptr<PoolCore> self) {
  PoolCore& pool = *self;
  while (!pool.shutdown_) {
    pool.EvictIdle();
    pool.MaybeFill();
    pool.upkeep_timer_.expires_after(pool.UpkeepInterval());
    auto [ec] = co_await pool.upkeep_timer_.async_wait(kAsTuple);
    (void)ec;  // Cancelled by Shutdown(), which the loop condition sees.
  }
}

PooledConnection PoolCore::Lend(Entry entry, Clock::duration idle_for) {
  ++in_use_;
  ++acquired_;
  MaybeFill();  // Keep min_idle spare now, not at the next upkeep tick.
  return PooledConnection(weak_from_this(), std::move(entry.conn),
                          entry.created, idle_for);
}

void PoolCore::MakeAvailable(Entry entry) {
  if (shutdown_) {
    --open_;
    Dispose(std::move(entry.conn));
    return;
  }
  entry.idle_since = Clock::now();
  if (!waiters_.empty()) {
    waiters_.front()->Give(std::move(entry));
    return;
  }
  PushIdle(std::move(entry));
}

void PoolCore::Discard(Entry entry, Published<uint64_t>& reason) {
  ++reason;
  --open_;
  Dispose(std::move(entry.conn));
  SlotFreed();
}

void PoolCore::Dispose(std::unique_ptr<mysqlwire::Connection> conn) {
  if (!conn->usable()) {
    conn->Close();  // A broken peer is owed no goodbye.
    return;
  }
  // COM_QUIT spares the server an "aborted connection" warning.
  asio::co_spawn(executor_, QuitAndClose(std::move(conn), CommandTimeout()),
                 asio::detached);
}

void PoolCore::SlotFreed(bool refill) {
  if (shutdown_) return;
  if (!waiters_.empty() && open_ + connecting_ < max_open_) {
    ++connecting_;
    waiters_.front()->Give(Permit{});
    return;
  }
  if (refill) MaybeFill();
}

void PoolCore::MaybeFill() {
  if (!started_ || shutdown_ || !waiters_.empty()) return;
  // Counted before spawning: co_spawn may run a connect inline up to its
  // first suspension, and a connect failing before that must not make this
  // loop go round again.
  uint32_t count = 0;
  while (idle_.size() + filling_ < options_.min_idle &&
         open_ + connecting_ < max_open_) {
    ++connecting_;
    ++filling_;
    ++count;
  }
  for (uint32_t i = 0; i < count; ++i) {
    asio::co_spawn(executor_, FillOne(shared_from_this()), asio::detached);
  }
}

void PoolCore::EvictIdle() {
  const Clock::time_point now = Clock::now();
  // Collected first: discarding may start new connects, which must not see
  // idle_ half-updated.
  std::vector<Entry> too_old;
  std::vector<Entry> unused;
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (Exceeds(now - it->created, options_.max_lifetime)) {
      too_old.push_back(std::move(*it));
      it = idle_.erase(it);
    } else {
      ++it;
    }
  }
  while (idle_.size() > options_.min_idle &&
         Exceeds(now - idle_.front().idle_since, options_.idle_timeout)) {
    unused.push_back(std::move(idle_.front()));
    idle_.pop_front();
  }
  idle_count_.set(static_cast<uint32_t>(idle_.size()));
  for (Entry& entry : too_old) Discard(std::move(entry), discarded_lifetime_);
  for (Entry& entry : unused) Discard(std::move(entry), discarded_idle_);
}

Entry PoolCore::PopIdle() {
  // Most recently used first: the rest age towards idle_timeout, so the pool
  // shrinks back after a burst.
  Entry entry = std::move(idle_.back());
  idle_.pop_back();
  idle_count_.set(static_cast<uint32_t>(idle_.size()));
  return entry;
}

void PoolCore::PushIdle(Entry entry) {
  idle_.push_back(std::move(entry));
  idle_count_.set(static_cast<uint32_t>(idle_.size()));
}

void PoolCore::RecordWait(Clock::duration waited) {
  wait_seconds_sum_.add(std::chrono::duration<double>(waited).count());
  ++waits_;
}

Clock::duration PoolCore::UpkeepInterval() const {
  // Often enough that a connection outlives its limits by at most a quarter
  // of the shortest one; at most once a second.
  milliseconds interval{1000};
  for (milliseconds limit : {options_.idle_timeout, options_.max_lifetime}) {
    if (limit.count() > 0) interval = std::min(interval, limit / 4);
  }
  return std::max(interval, milliseconds(10));
}

Clock::duration PoolCore::CommandTimeout() const {
  const milliseconds timeout = options_.connect.connect_timeout;
  return timeout.count() > 0 ? timeout : milliseconds(10000);
}

absl::Status PoolCore::ShutDownError() const {
  return absl::UnavailableError(
      absl::StrCat("connection pool '", name_, "' is shut down"));
}

PoolStats PoolCore::stats() const {
  PoolStats s;
  s.open = open_;
  s.idle = idle_count_;
  s.in_use = in_use_;
  s.waiting = waiting_;
  s.connects = connects_;
  s.connect_failures = connect_failures_;
  s.acquired = acquired_;
  s.wait_timeouts = wait_timeouts_;
  s.rejected_full = rejected_full_;
  s.discarded_broken = discarded_broken_;
  s.discarded_lifetime = discarded_lifetime_;
  s.discarded_idle = discarded_idle_;
  s.discarded_reset_failed = discarded_reset_failed_;
  s.discarded_ping_failed = discarded_ping_failed_;
  s.wait_seconds_sum = wait_seconds_sum_;
  s.waits = waits_;
  return s;
}

}  // namespace mysqlgw::pool_internal
