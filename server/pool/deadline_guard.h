// Bounds one command on a connection by a deadline.
#ifndef SERVER_POOL_DEADLINE_GUARD_H_
#define SERVER_POOL_DEADLINE_GUARD_H_

#include <chrono>

#include "absl/status/status.h"
#include "boost/asio/awaitable.hpp"
#include "mysqlwire/connection.h"

namespace mysqlgw::pool_internal {

namespace asio = boost::asio;

// Awaits `command` (an operation of `conn`), closing `conn` if it has not
// finished by `deadline`, so that it fails instead of waiting forever on a
// peer that went silent (the connection's io_timeout may be zero). A command
// cut short this way leaves `conn` closed, hence not usable(): the pool's
// commands (ping, reset, quit) discard their connection on any failure.
asio::awaitable<absl::Status> WithDeadline(
    mysqlwire::Connection& conn, asio::awaitable<absl::Status> command,
    std::chrono::steady_clock::time_point deadline);

// COM_QUIT as a status-returning command, for WithDeadline.
asio::awaitable<absl::Status> QuitCommand(mysqlwire::Connection& conn);

}  // namespace mysqlgw::pool_internal

#endif  // SERVER_POOL_DEADLINE_GUARD_H_
