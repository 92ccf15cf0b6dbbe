// Runs one Statement on a borrowed backend connection and feeds its results
// to a ResultSink. Owns the two hard parts of running SQL for a remote
// caller: stopping the work on the server when the caller goes away
// (cancellation, deadline, statement timeout: KILL QUERY from a separate
// connection), and telling the caller whether the connection's state is
// still known (if not, it must be discarded, not pooled).
#ifndef SERVER_GATEWAY_STATEMENT_EXECUTOR_H_
#define SERVER_GATEWAY_STATEMENT_EXECUTOR_H_

#include <chrono>

#include "absl/status/status.h"
#include "boost/asio/awaitable.hpp"
#include "mysqlwire/connect_options.h"
#include "mysqlwire/connection.h"
#include "server/gateway/call_control.h"
#include "server/gateway/result_sink.h"
#include "server/gateway/statement.h"

namespace mysqlgw {

struct ExecutionReport {
  // The connection may hold unread results or a killed statement: discard it.
  bool state_in_doubt = false;
  bool killed = false;
};

class StatementExecutor {
 public:
  // `kill_options` reach the same server as the statements (KILL QUERY must
  // run on the server that runs the statement).
  explicit StatementExecutor(mysqlwire::ConnectOptions kill_options)
      : kill_options_(std::move(kill_options)) {}

  boost::asio::awaitable<absl::Status> Run(mysqlwire::Connection& conn,
                                           const Statement& statement, ResultSink& sink,
                                           CallControl& call,
                                           std::chrono::milliseconds timeout,
                                           ExecutionReport* report);

  // Runs SQL without parameters and discards rows (transaction control).
  boost::asio::awaitable<absl::Status> RunSimple(mysqlwire::Connection& conn,
                                                 std::string sql, CallControl& call,
                                                 ExecutionReport* report);

 private:
  boost::asio::awaitable<absl::Status> RunInner(mysqlwire::Connection& conn,
                                                const Statement& statement,
                                                ResultSink& sink);
  boost::asio::awaitable<void> KillQuery(uint32_t connection_id);

  mysqlwire::ConnectOptions kill_options_;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_STATEMENT_EXECUTOR_H_
