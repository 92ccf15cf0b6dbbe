// Test support for the pool: a fixture against the real MariaDB (a private
// sandbox, or the server named by MYSQLGW_TEST_DSN) and a flaky TCP relay.
//
// Each test's pool connects with its own default database (pool_<test
// name>), so the server's process list (WHERE DB = ...) shows exactly that
// pool's connections; a separate monitor connection inspects and kills them.
#ifndef SERVER_POOL_POOL_TEST_SUPPORT_H_
#define SERVER_POOL_POOL_TEST_SUPPORT_H_

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/value.h"
#include "server/pool/pool_options.h"
#include "testing/sandbox.h"

namespace mysqlgw::pool_testing {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

// ASSERT_* `return`, which a coroutine cannot: these record and co_return.
#define CO_ASSERT_TRUE(cond)            \
  do {                                  \
    if (!(cond)) {                      \
      ADD_FAILURE() << "false: " #cond; \
      co_return;                        \
    }                                   \
  } while (0)
#define CO_ASSERT_OK(status_or)                                  \
  do {                                                           \
    if (!(status_or).ok()) {                                     \
      ADD_FAILURE() << #status_or << ": "                        \
                    << ::mysqlgw::pool_testing::StatusOf(status_or); \
      co_return;                                                 \
    }                                                            \
  } while (0)

// The server for this test binary; aborts the binary if it cannot start.
const testing::ServerInfo& Server();

Clock::time_point In(std::chrono::milliseconds ms);
asio::awaitable<void> Sleep(std::chrono::milliseconds ms);

// An integer cell, whichever way the server typed it.
int64_t AsInt(const mysqlwire::Value& v);

// The first cell of the first result with rows.
asio::awaitable<absl::StatusOr<mysqlwire::Value>> Scalar(
    mysqlwire::Connection& conn, std::string sql);

// A TCP relay to host:port on 127.0.0.1:port() that closes the first
// `refuse` connections at once, so that one connect fails and the next one
// succeeds.
class FlakyProxy {
 public:
  FlakyProxy(asio::io_context& io, const std::string& host, uint16_t port,
             int refuse);
  ~FlakyProxy();
  uint16_t port() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override;

  mysqlwire::ConnectOptions ConnectTo(const std::string& database) const;
  // Options for this test's pool (its own default database).
  PoolOptions Options() const;

  // Runs `coroutine` on io_ until it finishes; the pool's background work is
  // left pending (the next Run continues it).
  template <typename T>
  T Run(asio::awaitable<T> coroutine) {
    std::optional<T> result;
    asio::co_spawn(io_, std::move(coroutine),
                   [&](std::exception_ptr e, T value) {
                     if (e) std::rethrow_exception(e);
                     result.emplace(std::move(value));
                     io_.stop();
                   });
    io_.restart();
    io_.run();
    return *std::move(result);
  }
  void Run(asio::awaitable<void> coroutine);

  // This test's pool connections, as the server sees them.
  asio::awaitable<int64_t> ServerCount();
  // Polls until ServerCount() is `want` (closing is asynchronous on the
  // server) or 5 s pass; returns the last count.
  asio::awaitable<int64_t> AwaitServerCount(int64_t want);
  // Polls `done` (background work such as a session reset) for up to 5 s.
  static asio::awaitable<bool> AwaitTrue(std::function<bool()> done);
  // KILL CONNECTION from the monitor.
  asio::awaitable<void> Kill(uint32_t id);

  asio::io_context io_;
  std::string db_;
  std::unique_ptr<mysqlwire::Connection> monitor_;
};

}  // namespace mysqlgw::pool_testing

#endif  // SERVER_POOL_POOL_TEST_SUPPORT_H_
