// The state machine behind ConnectionPool (private to //server/pool).
//
// Every connection the pool knows of is in exactly one place:
//   connecting_  a reserved slot: a connect in flight, or a permit granted to
//                a waiter that will connect itself;
//   idle_        established, waiting to be lent;
//   lent         held by a PooledConnection (in_use_), or granted to a
//                waiter that has not resumed yet (also in_use_);
//   in transit   established and owned by a coroutine: a liveness ping
//                before lending, or a session reset after release.
// open_ counts the established ones; open_ + connecting_ <= max_open.
//
// Invariant that keeps the queue FIFO: while anyone waits, idle_ is empty and
// every slot is taken, because whatever frees up (a reset connection, a slot)
// is granted to the oldest waiter at once; new callers queue behind them.
#ifndef SERVER_POOL_POOL_CORE_H_
#define SERVER_POOL_POOL_CORE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/asio/any_io_executor.hpp"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/steady_timer.hpp"
#include "mysqlwire/connection.h"
#include "server/pool/connection_pool.h"
#include "server/pool/pool_options.h"

namespace mysqlgw::pool_internal {

using Clock = std::chrono::steady_clock;

// A value written only on the pool's thread and read by stats() from any
// thread; a single writer needs no read-modify-write.
template <typename T>
class Published {
 public:
  T get() const { return value_.load(std::memory_order_relaxed); }
  void set(T value) { value_.store(value, std::memory_order_relaxed); }
  void add(T delta) { set(get() + delta); }
  void operator++() { add(1); }
  void operator--() { set(get() - 1); }
  operator T() const { return get(); }  // NOLINT: reads like a plain counter

 private:
  std::atomic<T> value_{};
};

// An established connection with the times the pool decides by.
struct Entry {
  std::unique_ptr<mysqlwire::Connection> conn;
  Clock::time_point created;
  Clock::time_point idle_since;
};

class PoolCore : public std::enable_shared_from_this<PoolCore> {
 public:
  PoolCore(asio::any_io_executor executor, std::string name,
           PoolOptions options);
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;
  ~PoolCore();

  // A static coroutine taking `self` by value, so that the core outlives the
  // call even if the ConnectionPool is destroyed while it is suspended.
  static asio::awaitable<absl::StatusOr<PooledConnection>> Acquire(
      std::shared_ptr<PoolCore> self, Clock::time_point deadline);
  void Start();
  void Shutdown();
  // Called by a PooledConnection giving its connection back.
  void Return(std::unique_ptr<mysqlwire::Connection> conn,
              Clock::time_point created, ReturnMode mode);

  PoolStats stats() const;
  const std::string& name() const { return name_; }

 private:
  class Waiter;
  // What a waiter is woken with: a connection, a reserved slot to connect
  // on, or a final status (shutdown).
  struct Permit {};
  using Grant = std::variant<std::monostate, Entry, Permit, absl::Status>;

  // Lends `entry` if it is young enough and, when it sat idle for long,
  // answers a ping; otherwise discards it and returns nullopt (try again).
  asio::awaitable<std::optional<absl::StatusOr<PooledConnection>>> Vet(
      Entry entry, Clock::time_point deadline);
  // Connects on a slot already counted in connecting_, releasing the slot on
  // failure.
  asio::awaitable<absl::StatusOr<PooledConnection>> ConnectReserved(
      Clock::time_point deadline);
  static asio::awaitable<void> ResetThenReturn(std::shared_ptr<PoolCore> self,
                                               Entry entry);
  static asio::awaitable<void> FillOne(std::shared_ptr<PoolCore> self);
  static asio::awaitable<void> Upkeep(std::shared_ptr<PoolCore> self);

  PooledConnection Lend(Entry entry, Clock::duration idle_for);
  // A healthy, clean connection: to the oldest waiter, else idle.
  void MakeAvailable(Entry entry);
  // Closes an established connection and passes its slot on.
  void Discard(Entry entry, Published<uint64_t>& reason);
  // Closes a connection, politely (COM_QUIT) when it is still usable.
  void Dispose(std::unique_ptr<mysqlwire::Connection> conn);
  // A slot was given up: to the oldest waiter as a permit, else (when
  // `refill`) towards min_idle.
  void SlotFreed(bool refill = true);
  void MaybeFill();
  void EvictIdle();
  Entry PopIdle();
  void PushIdle(Entry entry);
  void RecordWait(Clock::duration waited);
  Clock::duration UpkeepInterval() const;
  // Bound for the pool's own commands (ping, reset, quit).
  Clock::duration CommandTimeout() const;
  absl::Status ShutDownError() const;

  const asio::any_io_executor executor_;
  const std::string name_;
  const PoolOptions options_;
  const uint32_t max_open_;

  bool started_ = false;
  bool shutdown_ = false;
  asio::steady_timer upkeep_timer_;
  std::deque<Entry> idle_;  // Oldest idle_since at the front.
  std::list<Waiter*> waiters_;  // Oldest first; each Waiter lives in an
                                // Acquire frame and unlinks itself.
  uint32_t connecting_ = 0;
  uint32_t filling_ = 0;  // The part of connecting_ opened for min_idle.
  // When a lent connection last came back broken (the server went away, a
  // reset on the network). Connections that sat idle since before then
  // likely died the same way: they are pinged before they are lent,
  // whatever liveness_check_after says.
  Clock::time_point last_broken_{};

  Published<uint32_t> open_;
  Published<uint32_t> idle_count_;
  Published<uint32_t> in_use_;
  Published<uint32_t> waiting_;
  Published<uint64_t> connects_;
  Published<uint64_t> connect_failures_;
  Published<uint64_t> acquired_;
  Published<uint64_t> wait_timeouts_;
  Published<uint64_t> rejected_full_;
  Published<uint64_t> discarded_broken_;
  Published<uint64_t> discarded_lifetime_;
  Published<uint64_t> discarded_idle_;
  Published<uint64_t> discarded_reset_failed_;
  Published<uint64_t> discarded_ping_failed_;
  Published<double> wait_seconds_sum_;
  Published<uint64_t> waits_;
};

}  // namespace mysqlgw::pool_internal

#endif  // SERVER_POOL_POOL_CORE_H_
