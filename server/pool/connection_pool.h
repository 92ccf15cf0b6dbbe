// The gateway's connection pool for one backend.
//
// Threading: the gateway runs one pool shard per backend per event loop, so
// a ConnectionPool and its PooledConnections are single-threaded. Every
// method (handles included) must be called on the pool's executor; there is
// no mutex. Only stats() may be read from another thread.
//
// Lifetimes: the state lives in a shared core. Handles hold it weakly, so a
// handle released after its pool is gone just closes its connection, and
// background work (session reset, min_idle fill, upkeep) keeps the core alive
// only until it notices the shutdown. Destroying the pool shuts it down.
//
//   ConnectionPool pool(io.get_executor(), "primary", options);
//   pool.Start();
//   absl::StatusOr<PooledConnection> conn = co_await pool.Acquire(deadline);
//   if (!conn.ok()) co_return conn.status();
//   auto rows = co_await (*conn)->Query("SELECT 1");
//   conn->Release();  // or let it go out of scope
#ifndef SERVER_POOL_CONNECTION_POOL_H_
#define SERVER_POOL_CONNECTION_POOL_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "boost/asio/any_io_executor.hpp"
#include "boost/asio/awaitable.hpp"
#include "mysqlwire/connection.h"
#include "server/pool/pool_options.h"

namespace mysqlgw {

namespace asio = boost::asio;

namespace pool_internal {
class PoolCore;
enum class ReturnMode { kReset, kClean, kDiscard };
}  // namespace pool_internal

// A borrowed connection (move-only). Destroying it is Release().
class PooledConnection {
 public:
  PooledConnection() = default;  // Empty.
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;
  ~PooledConnection();

  mysqlwire::Connection& operator*() const { return *conn_; }
  mysqlwire::Connection* operator->() const { return conn_.get(); }
  explicit operator bool() const { return conn_ != nullptr; }

  // Returns the connection. An unusable (broken, or mid-result) connection
  // or one past max_lifetime is discarded. Otherwise its session is reset
  // (COM_RESET_CONNECTION: rolls back, clears user variables, temporary
  // tables, prepared statements) in the background before it is lent again;
  // a failed reset discards it. No-op on an empty handle.
  void Release();
  // Returns it without the reset, for a caller that knows the session is
  // clean (an autocommit read that changed no session state). Still
  // discarded when broken or too old.
  void ReleaseClean();
  // Closes it instead of returning it (its state is in doubt).
  void Discard();

  // The server's thread id of this connection (for KILL QUERY).
  uint32_t server_connection_id() const;
  // How long the connection had sat idle before this borrow (zero when it
  // was just opened or handed over directly).
  std::chrono::steady_clock::duration idle_for() const { return idle_for_; }
  // When the connection was opened.
  std::chrono::steady_clock::time_point created() const { return created_; }

 private:
  friend class pool_internal::PoolCore;
  PooledConnection(std::weak_ptr<pool_internal::PoolCore> pool,
                   std::unique_ptr<mysqlwire::Connection> conn,
                   std::chrono::steady_clock::time_point created,
                   std::chrono::steady_clock::duration idle_for);
  void GiveBack(pool_internal::ReturnMode mode);

  std::weak_ptr<pool_internal::PoolCore> pool_;
  std::unique_ptr<mysqlwire::Connection> conn_;
  std::chrono::steady_clock::time_point created_{};
  std::chrono::steady_clock::duration idle_for_{};
};

class ConnectionPool {
 public:
  ConnectionPool(asio::any_io_executor executor, std::string name,
                 PoolOptions options);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  // Shutdown(); connections still lent are closed when released.
  ~ConnectionPool();

  // Starts background upkeep on the executor: keeps min_idle connections
  // open and closes idle ones past idle_timeout (down to min_idle) or
  // max_lifetime. Without it connections only open on demand. Idempotent.
  void Start();

  // Borrows a connection: an idle one (most recently used first, pinged
  // first if it sat idle longer than liveness_check_after or since before a
  // lent connection last came back broken, and silently replaced if that
  // fails), else a new one when fewer than max_open exist.
  // Otherwise the call queues (FIFO; a released connection goes straight to
  // the oldest waiter) until `deadline` (DEADLINE_EXCEEDED "timed out waiting
  // for a connection"); with max_waiters already queued it fails at once
  // with RESOURCE_EXHAUSTED. A connect failure (UNAVAILABLE, or a server
  // error such as PERMISSION_DENIED with the MySQL errno payload) goes to
  // this caller only; the freed slot passes to the next waiter. A connect is
  // bounded by both `deadline` and connect_timeout (running out of the
  // latter is UNAVAILABLE, of the former DEADLINE_EXCEEDED). After Shutdown():
  // UNAVAILABLE.
  asio::awaitable<absl::StatusOr<PooledConnection>> Acquire(
      std::chrono::steady_clock::time_point deadline);

  PoolStats stats() const;
  const std::string& name() const;

  // Closes idle connections, fails waiters with UNAVAILABLE, refuses new
  // Acquire calls; lent connections are closed when released. Idempotent.
  void Shutdown();

 private:
  std::shared_ptr<pool_internal::PoolCore> core_;
};

}  // namespace mysqlgw

#endif  // SERVER_POOL_CONNECTION_POOL_H_
