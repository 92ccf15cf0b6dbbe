// ConnectionPool against a real MariaDB; see pool_test_support.h for how
// each test tells its pool's connections apart on the server.
#include "server/pool/connection_pool.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/this_coro.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "server/pool/pool_test_support.h"

namespace mysqlgw {
namespace {

using std::chrono::milliseconds;
using mysqlwire::Value;
using pool_testing::AsInt;
using pool_testing::Clock;
using pool_testing::FlakyProxy;
using pool_testing::In;
using pool_testing::Scalar;
using pool_testing::Server;
using pool_testing::Sleep;

using ConnectionPoolTest = pool_testing::PoolTest;

TEST_F(ConnectionPoolTest, ConnectsLazilyOnFirstAcquire) {
  ConnectionPool pool(io_.get_executor(), "lazy", Options());
  pool.Start();  // min_idle 0: nothing to open ahead.
  EXPECT_EQ(pool.name(), "lazy");
  Run([&]() -> asio::awaitable<void> {
    co_await Sleep(milliseconds(50));
    EXPECT_EQ(co_await ServerCount(), 0);
    EXPECT_EQ(pool.stats().open, 0u);

    auto conn = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(conn);
    EXPECT_TRUE(*conn);
    EXPECT_GT(conn->server_connection_id(), 0u);
    EXPECT_EQ(conn->idle_for(), Clock::duration::zero());
    EXPECT_EQ(co_await ServerCount(), 1);
    PoolStats s = pool.stats();
    EXPECT_EQ(s.open, 1u);
    EXPECT_EQ(s.in_use, 1u);
    EXPECT_EQ(s.idle, 0u);
    EXPECT_EQ(s.connects, 1u);
    EXPECT_EQ(s.acquired, 1u);
    EXPECT_EQ(s.waits, 0u);

    conn->Release();
    EXPECT_FALSE(*conn);
    // The reset runs in the background; then the connection is idle.
    EXPECT_TRUE(co_await AwaitTrue([&] { return pool.stats().idle == 1; }));
    s = pool.stats();
    EXPECT_EQ(s.in_use, 0u);
    EXPECT_EQ(s.open, 1u);
    EXPECT_EQ(co_await ServerCount(), 1);
  }());
}

TEST_F(ConnectionPoolTest, ReleasedConnectionIsReused) {
  ConnectionPool pool(io_.get_executor(), "reuse", Options());
  Run([&]() -> asio::awaitable<void> {
    uint32_t first_id = 0;
    {
      auto conn = co_await pool.Acquire(In(milliseconds(5000)));
      CO_ASSERT_OK(conn);
      first_id = conn->server_connection_id();
    }  // Released by the destructor.
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return pool.stats().idle == 1; }));
    co_await Sleep(milliseconds(20));
    auto again = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(again);
    EXPECT_EQ(again->server_connection_id(), first_id);
    EXPECT_GE(again->idle_for(), milliseconds(20));
    auto one = co_await Scalar(**again, "SELECT 1");
    CO_ASSERT_OK(one);
    EXPECT_EQ(AsInt(*one), 1);
    EXPECT_EQ(pool.stats().connects, 1u);
    EXPECT_EQ(pool.stats().acquired, 2u);
  }());
}

TEST_F(ConnectionPoolTest, StartKeepsMinIdleOpen) {
  PoolOptions options = Options();
  options.min_idle = 3;
  ConnectionPool pool(io_.get_executor(), "min_idle", options);
  pool.Start();
  Run([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return pool.stats().idle == 3; }));
    EXPECT_EQ(co_await AwaitServerCount(3), 3);
    EXPECT_EQ(pool.stats().connects, 3u);
    // Borrowing one leaves two spare; upkeep opens another.
    auto conn = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(conn);
    CO_ASSERT_TRUE(co_await AwaitTrue([&] {
      return pool.stats().idle == 3 && pool.stats().open == 4;
    }));
    EXPECT_EQ(co_await AwaitServerCount(4), 4);
  }());
}

TEST_F(ConnectionPoolTest, MaxOpenHoldsUnderFiftyConcurrentCallers) {
  PoolOptions options = Options();
  options.max_open = 4;
  ConnectionPool pool(io_.get_executor(), "max_open", options);
  const std::string count_sql = absl::StrCat(
      "SELECT COUNT(*), SLEEP(0.005) FROM information_schema.PROCESSLIST "
      "WHERE DB = '", db_, "'");
  int done = 0;
  int succeeded = 0;
  int64_t most_seen = 0;
  std::set<uint32_t> ids;
  Run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < 50; ++i) {
      asio::co_spawn(
          executor,
          [&]() -> asio::awaitable<void> {
            auto conn = co_await pool.Acquire(In(milliseconds(20000)));
            if (conn.ok()) {
              ids.insert(conn->server_connection_id());
              auto n = co_await Scalar(**conn, count_sql);
              if (n.ok()) {
                most_seen = std::max(most_seen, AsInt(*n));
                ++succeeded;
              } else {
                ADD_FAILURE() << n.status();
              }
              conn->Release();
            } else {
              ADD_FAILURE() << conn.status();
            }
            ++done;
          },
          asio::detached);
    }
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return done == 50; }));
  }());
  EXPECT_EQ(succeeded, 50);
  EXPECT_GE(most_seen, 1);
  EXPECT_LE(most_seen, 4);  // The server never saw more than max_open.
  EXPECT_LE(ids.size(), 4u);
  PoolStats s = pool.stats();
  EXPECT_LE(s.open, 4u);
  EXPECT_EQ(s.acquired, 50u);
  EXPECT_EQ(s.connects, ids.size());
  EXPECT_GT(s.waits, 0u);
  EXPECT_GT(s.wait_seconds_sum, 0.0);
  EXPECT_EQ(s.waiting, 0u);
  EXPECT_EQ(s.wait_timeouts, 0u);
}

TEST_F(ConnectionPoolTest, WaitEndsAtTheDeadline) {
  PoolOptions options = Options();
  options.max_open = 1;
  ConnectionPool pool(io_.get_executor(), "deadline", options);
  Run([&]() -> asio::awaitable<void> {
    auto held = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(held);
    const Clock::time_point start = Clock::now();
    auto second = co_await pool.Acquire(In(milliseconds(200)));
    const Clock::duration waited = Clock::now() - start;
    EXPECT_EQ(second.status().code(), absl::StatusCode::kDeadlineExceeded)
        << second.status();
    EXPECT_EQ(second.status().message(), "timed out waiting for a connection");
    EXPECT_GE(waited, milliseconds(190));
    EXPECT_LT(waited, milliseconds(1000));
    PoolStats s = pool.stats();
    EXPECT_EQ(s.wait_timeouts, 1u);
    EXPECT_EQ(s.waits, 1u);
    EXPECT_GE(s.wait_seconds_sum, 0.19);
    EXPECT_EQ(s.waiting, 0u);  // The timed-out waiter left the queue.

    // The released connection goes idle, not to the departed waiter.
    const uint32_t id = held->server_connection_id();
    held->Release();
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return pool.stats().idle == 1; }));
    auto third = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(third);
    EXPECT_EQ(third->server_connection_id(), id);
  }());
}

TEST_F(ConnectionPoolTest, ReleasedConnectionGoesToTheOldestWaiter) {
  PoolOptions options = Options();
  options.max_open = 1;
  ConnectionPool pool(io_.get_executor(), "fifo", options);
  std::vector<int> order;
  std::vector<uint32_t> ids;
  Run([&]() -> asio::awaitable<void> {
    auto held = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(held);
    auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < 3; ++i) {
      asio::co_spawn(
          executor,
          [&, i]() -> asio::awaitable<void> {
            auto conn = co_await pool.Acquire(In(milliseconds(5000)));
            if (!conn.ok()) {
              ADD_FAILURE() << conn.status();
              co_return;
            }
            order.push_back(i);
            ids.push_back(conn->server_connection_id());
            co_await Sleep(milliseconds(10));
          },
          asio::detached);
      co_await Sleep(milliseconds(5));  // Queue them in order.
    }
    EXPECT_EQ(pool.stats().waiting, 3u);
    const uint32_t id = held->server_connection_id();
    held->Release();
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return order.size() == 3; }));
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(ids, (std::vector<uint32_t>{id, id, id}));
    EXPECT_EQ(pool.stats().connects, 1u);
    EXPECT_EQ(pool.stats().waits, 3u);
  }());
}

TEST_F(ConnectionPoolTest, FullQueueIsRefusedAtOnce) {
  PoolOptions options = Options();
  options.max_open = 1;
  options.max_waiters = 2;
  ConnectionPool pool(io_.get_executor(), "full", options);
  int waiters_served = 0;
  Run([&]() -> asio::awaitable<void> {
    auto held = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(held);
    auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < 2; ++i) {
      asio::co_spawn(
          executor,
          [&]() -> asio::awaitable<void> {
            auto conn = co_await pool.Acquire(In(milliseconds(5000)));
            EXPECT_TRUE(conn.ok()) << conn.status();
            if (conn.ok()) ++waiters_served;
          },
          asio::detached);
    }
    co_await Sleep(milliseconds(20));
    EXPECT_EQ(pool.stats().waiting, 2u);
    const Clock::time_point start = Clock::now();
    auto refused = co_await pool.Acquire(In(milliseconds(5000)));
    EXPECT_LT(Clock::now() - start, milliseconds(250));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted)
        << refused.status();
    EXPECT_EQ(pool.stats().rejected_full, 1u);
    held->Release();
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return waiters_served == 2; }));
  }());
}

TEST_F(ConnectionPoolTest, ReleaseResetsTheSession) {
  PoolOptions options = Options();
  options.max_open = 1;  // The next borrower gets the same connection.
  ConnectionPool pool(io_.get_executor(), "reset", options);
  Run([&]() -> asio::awaitable<void> {
    auto setup = co_await monitor_->Query(absl::StrCat(
        "CREATE TABLE IF NOT EXISTS ", db_, ".t (id INT PRIMARY KEY) "
        "ENGINE=InnoDB; DELETE FROM ", db_, ".t"));
    CO_ASSERT_OK(setup);
    uint32_t id = 0;
    mysqlwire::PreparedStatement statement;
    {
      auto conn = co_await pool.Acquire(In(milliseconds(5000)));
      CO_ASSERT_OK(conn);
      id = conn->server_connection_id();
      for (const char* sql :
           {"SET @x = 1", "CREATE TEMPORARY TABLE tmp (a INT)", "BEGIN",
            "INSERT INTO t VALUES (1)"}) {
        auto r = co_await (*conn)->Query(sql);
        CO_ASSERT_OK(r);
      }
      auto prepared = co_await (*conn)->Prepare("SELECT 1");
      CO_ASSERT_OK(prepared);
      statement = *prepared;
      conn->Release();
    }
    auto conn = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(conn);
    EXPECT_EQ(conn->server_connection_id(), id);
    auto x = co_await Scalar(**conn, "SELECT @x");
    CO_ASSERT_OK(x);
    EXPECT_TRUE(x->is_null()) << x->DebugString();
    auto rows = co_await Scalar(**conn, "SELECT COUNT(*) FROM t");
    CO_ASSERT_OK(rows);
    EXPECT_EQ(AsInt(*rows), 0);  // The open transaction was rolled back.
    auto tmp = co_await (*conn)->Query("SELECT * FROM tmp");
    EXPECT_EQ(mysqlwire::GetServerError(tmp.status()).value_or(
                  mysqlwire::ServerError{}).code, 1146) << tmp.status();
    auto executed = co_await (*conn)->Execute(statement, {});
    EXPECT_EQ(mysqlwire::GetServerError(executed.status()).value_or(
                  mysqlwire::ServerError{}).code, 1243) << executed.status();
    // The reset keeps the pool's default database.
    auto database = co_await Scalar(**conn, "SELECT DATABASE()");
    CO_ASSERT_OK(database);
    EXPECT_EQ(*database, Value::String(db_));
    EXPECT_EQ(pool.stats().discarded_reset_failed, 0u);
  }());
}

TEST_F(ConnectionPoolTest, ReleaseCleanSkipsTheReset) {
  ConnectionPool pool(io_.get_executor(), "clean", Options());
  Run([&]() -> asio::awaitable<void> {
    uint32_t id = 0;
    {
      auto conn = co_await pool.Acquire(In(milliseconds(5000)));
      CO_ASSERT_OK(conn);
      id = conn->server_connection_id();
      auto r = co_await (*conn)->Query("SET @x = 7");
      CO_ASSERT_OK(r);
      conn->ReleaseClean();
    }
    EXPECT_EQ(pool.stats().idle, 1u);  // At once: no reset round trip.
    auto conn = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(conn);
    EXPECT_EQ(conn->server_connection_id(), id);
    auto x = co_await Scalar(**conn, "SELECT @x");
    CO_ASSERT_OK(x);
    EXPECT_EQ(AsInt(*x), 7);
  }());
}

TEST_F(ConnectionPoolTest, BrokenConnectionIsDiscarded) {
  ConnectionPool pool(io_.get_executor(), "broken", Options());
  Run([&]() -> asio::awaitable<void> {
    auto conn = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(conn);
    const uint32_t id = conn->server_connection_id();
    co_await Kill(id);
    auto r = co_await (*conn)->Query("SELECT 1");
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE((*conn)->usable());
    conn->Release();
    PoolStats s = pool.stats();
    EXPECT_EQ(s.discarded_broken, 1u);
    EXPECT_EQ(s.open, 0u);
    EXPECT_EQ(s.idle, 0u);
    auto fresh = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(fresh);
    EXPECT_NE(fresh->server_connection_id(), id);
    auto one = co_await Scalar(**fresh, "SELECT 1");
    EXPECT_TRUE(one.ok()) << one.status();
  }());
}

TEST_F(ConnectionPoolTest, ConnectionKilledWhileLentFailsItsReset) {
  ConnectionPool pool(io_.get_executor(), "reset_failed", Options());
  Run([&]() -> asio::awaitable<void> {
    auto conn = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(conn);
    const uint32_t id = conn->server_connection_id();
    co_await Kill(id);
    EXPECT_EQ(co_await AwaitServerCount(0), 0);
    EXPECT_TRUE((*conn)->usable());  // The client has not noticed yet.
    conn->Release();
    CO_ASSERT_TRUE(co_await AwaitTrue(
        [&] { return pool.stats().discarded_reset_failed == 1; }));
    EXPECT_EQ(pool.stats().open, 0u);
    auto fresh = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(fresh);
    EXPECT_NE(fresh->server_connection_id(), id);
    auto one = co_await Scalar(**fresh, "SELECT 1");
    EXPECT_TRUE(one.ok()) << one.status();
  }());
}

TEST_F(ConnectionPoolTest, DeadIdleConnectionIsReplacedAfterPing) {
  PoolOptions options = Options();
  options.liveness_check_after = milliseconds(0);
  ConnectionPool pool(io_.get_executor(), "liveness", options);
  Run([&]() -> asio::awaitable<void> {
    uint32_t id = 0;
    {
      auto conn = co_await pool.Acquire(In(milliseconds(5000)));
      CO_ASSERT_OK(conn);
      id = conn->server_connection_id();
    }
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return pool.stats().idle == 1; }));
    co_await Kill(id);
    EXPECT_EQ(co_await AwaitServerCount(0), 0);
    auto conn = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(conn);
    EXPECT_NE(conn->server_connection_id(), id);
    auto one = co_await Scalar(**conn, "SELECT 1");
    EXPECT_TRUE(one.ok()) << one.status();
    PoolStats s = pool.stats();
    EXPECT_EQ(s.discarded_ping_failed, 1u);
    EXPECT_EQ(s.connects, 2u);
    EXPECT_EQ(s.open, 1u);
  }());
}

TEST_F(ConnectionPoolTest, IdleTimeoutClosesConnectionsBeyondMinIdle) {
  PoolOptions options = Options();
  options.min_idle = 1;
  options.idle_timeout = milliseconds(200);
  ConnectionPool pool(io_.get_executor(), "idle_timeout", options);
  pool.Start();
  Run([&]() -> asio::awaitable<void> {
    std::vector<PooledConnection> held;
    for (int i = 0; i < 3; ++i) {
      auto conn = co_await pool.Acquire(In(milliseconds(5000)));
      CO_ASSERT_OK(conn);
      held.push_back(*std::move(conn));
    }
    held.clear();  // Releases all three.
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return pool.stats().idle >= 3; }));
    CO_ASSERT_TRUE(co_await AwaitTrue([&] {
      return pool.stats().open == 1 && pool.stats().idle == 1;
    }));
    EXPECT_GE(pool.stats().discarded_idle, 2u);
    EXPECT_EQ(co_await AwaitServerCount(1), 1);
    // The last one stays (min_idle), even well past idle_timeout.
    co_await Sleep(milliseconds(400));
    EXPECT_EQ(pool.stats().open, 1u);
    EXPECT_EQ(pool.stats().idle, 1u);
  }());
}

TEST_F(ConnectionPoolTest, MaxLifetimeRetiresConnections) {
  PoolOptions options = Options();
  options.max_lifetime = milliseconds(300);
  ConnectionPool pool(io_.get_executor(), "lifetime", options);
  Run([&]() -> asio::awaitable<void> {
    auto conn = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(conn);
    const uint32_t id = conn->server_connection_id();
    co_await Sleep(milliseconds(350));
    conn->Release();  // Too old: closed, not reset.
    EXPECT_EQ(pool.stats().discarded_lifetime, 1u);
    EXPECT_EQ(pool.stats().open, 0u);
    auto fresh = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(fresh);
    EXPECT_NE(fresh->server_connection_id(), id);
    EXPECT_EQ(co_await AwaitServerCount(1), 1);
  }());
}

TEST_F(ConnectionPoolTest, MaxLifetimeRecyclesIdleConnections) {
  PoolOptions options = Options();
  options.min_idle = 1;
  options.max_lifetime = milliseconds(200);
  ConnectionPool pool(io_.get_executor(), "idle_lifetime", options);
  pool.Start();
  Run([&]() -> asio::awaitable<void> {
    // Upkeep closes the aged idle connection and opens a replacement.
    CO_ASSERT_TRUE(co_await AwaitTrue([&] {
      return pool.stats().discarded_lifetime >= 1 && pool.stats().idle == 1;
    }));
    EXPECT_GE(pool.stats().connects, 2u);
    EXPECT_EQ(co_await AwaitServerCount(1), 1);
  }());
}

TEST_F(ConnectionPoolTest, WrongPasswordIsPermissionDenied) {
  PoolOptions options = Options();
  options.connect.password = "definitely-wrong";
  options.max_open = 1;
  ConnectionPool pool(io_.get_executor(), "bad_password", options);
  Run([&]() -> asio::awaitable<void> {
    for (uint64_t attempt = 1; attempt <= 2; ++attempt) {
      // The failed attempt gave its slot back: the second fails the same way
      // instead of waiting for max_open.
      auto conn = co_await pool.Acquire(In(milliseconds(5000)));
      EXPECT_EQ(conn.status().code(), absl::StatusCode::kPermissionDenied)
          << conn.status();
      auto error = mysqlwire::GetServerError(conn.status());
      CO_ASSERT_TRUE(error.has_value());
      EXPECT_EQ(error->code, 1045);
      PoolStats s = pool.stats();
      EXPECT_EQ(s.connect_failures, attempt);
      EXPECT_EQ(s.open, 0u);
      EXPECT_EQ(s.in_use, 0u);
    }
  }());
}

TEST_F(ConnectionPoolTest, ConnectFailureReachesOnlyItsCaller) {
  FlakyProxy proxy(io_, Server().host, Server().port, /*refuse=*/1);
  PoolOptions options = Options();
  options.connect.host = "127.0.0.1";
  options.connect.port = proxy.port();
  options.max_open = 1;
  ConnectionPool pool(io_.get_executor(), "flaky", options);
  std::optional<absl::StatusOr<PooledConnection>> first, second;
  Run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    // The first caller connects (and is refused); the second, finding the
    // only slot taken, queues and then gets the slot.
    asio::co_spawn(
        executor,
        [&]() -> asio::awaitable<void> {
          first = co_await pool.Acquire(In(milliseconds(5000)));
        },
        asio::detached);
    asio::co_spawn(
        executor,
        [&]() -> asio::awaitable<void> {
          second = co_await pool.Acquire(In(milliseconds(5000)));
        },
        asio::detached);
    CO_ASSERT_TRUE(co_await AwaitTrue(
        [&] { return first.has_value() && second.has_value(); }));
    EXPECT_EQ(first->status().code(), absl::StatusCode::kUnavailable)
        << first->status();
    CO_ASSERT_OK(*second);
    auto one = co_await Scalar(***second, "SELECT 1");
    EXPECT_TRUE(one.ok()) << one.status();
    EXPECT_EQ(pool.stats().connect_failures, 1u);
    EXPECT_EQ(pool.stats().connects, 1u);
    EXPECT_EQ(pool.stats().waits, 1u);
    second->value().Release();
  }());
}

TEST_F(ConnectionPoolTest, ShutdownFailsWaitersAndRefusesAcquire) {
  PoolOptions options = Options();
  options.max_open = 1;
  ConnectionPool pool(io_.get_executor(), "shutdown", options);
  std::optional<absl::Status> waiter;
  Run([&]() -> asio::awaitable<void> {
    auto held = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(held);
    asio::co_spawn(
        co_await asio::this_coro::executor,
        [&]() -> asio::awaitable<void> {
          waiter = (co_await pool.Acquire(In(milliseconds(5000)))).status();
        },
        asio::detached);
    co_await Sleep(milliseconds(20));
    EXPECT_EQ(pool.stats().waiting, 1u);
    const Clock::time_point start = Clock::now();
    pool.Shutdown();
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return waiter.has_value(); }));
    EXPECT_LT(Clock::now() - start, milliseconds(500));
    EXPECT_EQ(waiter->code(), absl::StatusCode::kUnavailable) << *waiter;
    auto refused = co_await pool.Acquire(In(milliseconds(5000)));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
    // A lent connection keeps working until it is released, then closes.
    auto one = co_await Scalar(**held, "SELECT 1");
    EXPECT_TRUE(one.ok()) << one.status();
    held->Release();
    EXPECT_EQ(pool.stats().open, 0u);
    EXPECT_EQ(co_await AwaitServerCount(0), 0);
  }());
}

TEST_F(ConnectionPoolTest, ShutdownClosesIdleConnections) {
  PoolOptions options = Options();
  options.min_idle = 2;
  ConnectionPool pool(io_.get_executor(), "shutdown_idle", options);
  pool.Start();
  Run([&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return pool.stats().idle == 2; }));
    EXPECT_EQ(co_await AwaitServerCount(2), 2);
    pool.Shutdown();
    EXPECT_EQ(pool.stats().open, 0u);
    EXPECT_EQ(pool.stats().idle, 0u);
    EXPECT_EQ(co_await AwaitServerCount(0), 0);
  }());
  // Upkeep has ended: the loop runs out of work.
  io_.restart();
  io_.run_for(std::chrono::seconds(2));
  EXPECT_TRUE(io_.stopped());
}

TEST_F(ConnectionPoolTest, HandlesMayOutliveThePool) {
  PoolOptions options = Options();
  options.max_open = 2;
  auto pool = std::make_unique<ConnectionPool>(io_.get_executor(), "gone", options);
  pool->Start();
  PooledConnection a, b;
  Run([&]() -> asio::awaitable<void> {
    auto first = co_await pool->Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(first);
    auto second = co_await pool->Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(second);
    a = *std::move(first);
    b = *std::move(second);
  }());
  ASSERT_TRUE(a && b);
  pool.reset();
  // The upkeep coroutine still holds the pool's state: released into a pool
  // that is shut down, the connection is closed.
  a.Release();
  Run([&]() -> asio::awaitable<void> {
    // Now upkeep has seen the shutdown and the state is gone.
    auto one = co_await Scalar(*b, "SELECT 1");
    EXPECT_TRUE(one.ok()) << one.status();
    b.Release();
    EXPECT_FALSE(b);
    EXPECT_EQ(co_await AwaitServerCount(0), 0);
  }());
}

TEST_F(ConnectionPoolTest, HandOffRacingTheDeadlineLeaksNothing) {
  PoolOptions options = Options();
  options.max_open = 1;
  ConnectionPool pool(io_.get_executor(), "race", options);
  std::optional<absl::Status> waiter;
  Run([&]() -> asio::awaitable<void> {
    auto held = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(held);
    const uint32_t id = held->server_connection_id();
    asio::co_spawn(
        co_await asio::this_coro::executor,
        [&]() -> asio::awaitable<void> {
          auto conn = co_await pool.Acquire(In(milliseconds(50)));
          waiter = conn.status();
        },
        asio::detached);
    co_await Sleep(milliseconds(10));
    CO_ASSERT_TRUE(pool.stats().waiting == 1);
    // Block the loop past the waiter's deadline, then hand it the connection
    // before its timer's completion has run.
    std::this_thread::sleep_for(milliseconds(100));
    held->ReleaseClean();
    CO_ASSERT_TRUE(co_await AwaitTrue([&] { return waiter.has_value(); }));
    // The grant wins over the expired timer; a waiter that had already left
    // the queue would not have been offered it.
    EXPECT_TRUE(waiter->ok()) << *waiter;
    // Whichever way it ended, the connection is back and nobody is queued.
    CO_ASSERT_TRUE(co_await AwaitTrue([&] {
      PoolStats s = pool.stats();
      return s.idle == 1 && s.in_use == 0 && s.waiting == 0;
    }));
    EXPECT_EQ(pool.stats().open, 1u);
    auto again = co_await pool.Acquire(In(milliseconds(5000)));
    CO_ASSERT_OK(again);
    EXPECT_EQ(again->server_connection_id(), id);
  }());
}

}  // namespace
}  // namespace mysqlgw
