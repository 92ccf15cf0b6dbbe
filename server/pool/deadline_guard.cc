#include "server/pool/deadline_guard.h"

#include <memory>
#include <utility>

#include "boost/asio/steady_timer.hpp"
#include "boost/asio/this_coro.hpp"

namespace mysqlgw::pool_internal {

asio::awaitable<absl::Status> WithDeadline(
    mysqlwire::Connection& conn, asio::awaitable<absl::Status> command,
    std::chrono::steady_clock::time_point deadline) {
  // Shared with the timer's handler, which can run after this frame is gone
  // (an expiry already queued when the command finished): it must then
  // leave the connection alone.
  auto finished = std::make_shared<bool>(false);
  asio::steady_timer guard(co_await asio::this_coro::executor, deadline);
  guard.async_wait([finished, &conn](const boost::system::error_code& ec) {
    if (!ec && !*finished) conn.Close();
  });
  absl::Status status = co_await std::move(command);
  *finished = true;
  guard.cancel();
  co_return status;
}

asio::awaitable<absl::Status> QuitCommand(mysqlwire::Connection& conn) {
  co_await conn.Quit();
  co_return absl::OkStatus();
}

}  // namespace mysqlgw::pool_internal
