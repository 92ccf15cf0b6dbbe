// Runs one coroutine to completion on a private io_context, for tests.
#ifndef TESTS_SUPPORT_RUN_SYNC_H_
#define TESTS_SUPPORT_RUN_SYNC_H_

#include <exception>
#include <optional>
#include <utility>

#include "boost/asio/awaitable.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"

namespace mysqlgw::testing {

template <typename T>
T RunSync(boost::asio::io_context& io, boost::asio::awaitable<T> coroutine) {
  std::optional<T> result;
  boost::asio::co_spawn(io, std::move(coroutine),
                        [&](std::exception_ptr e, T value) {
                          if (e) std::rethrow_exception(e);
                          result.emplace(std::move(value));
                        });
  io.restart();
  io.run();
  return *std::move(result);
}

inline void RunSync(boost::asio::io_context& io,
                    boost::asio::awaitable<void> coroutine) {
  boost::asio::co_spawn(io, std::move(coroutine), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.restart();
  io.run();
}

}  // namespace mysqlgw::testing

#endif  // TESTS_SUPPORT_RUN_SYNC_H_
