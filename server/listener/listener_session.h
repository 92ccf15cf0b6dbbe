// One MySQL client connection of the listener, from the handshake to the
// end, as one coroutine on the event loop of its shard: the gateway session
// (server/gateway/session.h) lives and runs there, like a gRPC call.
//
// Commands map onto the gateway's session API: COM_QUERY and
// COM_STMT_EXECUTE run through Gateway::RunInSession (authorization,
// interception, routing, pins), COM_STMT_PREPARE asks DescribeInSession, and
// the connection's own commands (ping, reset, change user, ...) are answered
// here. See README.md beside this file for what is and is not supported.
#ifndef SERVER_LISTENER_LISTENER_SESSION_H_
#define SERVER_LISTENER_LISTENER_SESSION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "boost/asio/awaitable.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "mysqlwire/server/server_connection.h"
#include "server/gateway/gateway.h"
#include "server/listener/admin_commands.h"
#include "server/listener/client_result_sink.h"
#include "server/listener/listener_accounts.h"
#include "server/listener/listener_stats.h"
#include "server/listener/prepared_statements.h"

namespace mysqlgw {

// The listener's connections by id, for KILL from another connection.
class SessionDirectory {
 public:
  virtual ~SessionDirectory() = default;
  // Cancels the statement connection `id` runs (query_only) or ends that
  // connection. The requester must be logged in as the same principal or
  // have the admin operation. The error to answer, if any (1094 unknown
  // id, 1095 not the owner).
  virtual boost::asio::awaitable<std::optional<mysqlwire::ServerError>> Kill(
      uint32_t id, bool query_only, const Principal& requester) = 0;
};

// What every session of one listener shares; outlives them.
struct ListenerContext {
  Gateway* gateway = nullptr;
  const ListenerAccounts* accounts = nullptr;
  // Per connection, the session adds the id, the deadline and the lookup.
  mysqlwire::ServerHandshakeOptions handshake;
  std::chrono::milliseconds idle_timeout{0};  // 0: none.
  ListenerStats* stats = nullptr;
  std::string gateway_version;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  SessionDirectory* sessions = nullptr;  // Null: KILL of another connection refused.
};

class ListenerSession : public std::enable_shared_from_this<ListenerSession> {
 public:
  // The handshake, TLS included, must be over within this.
  static constexpr std::chrono::seconds kHandshakeTimeout{10};
  // How long a statement may wait for a pooled backend connection (the
  // MySQL protocol has no per-call deadline).
  static constexpr std::chrono::seconds kPoolWait{30};
  // How often a running statement checks that its client is still there.
  static constexpr std::chrono::milliseconds kClientCheckInterval{250};

  // `socket` must belong to the loop of `shard`.
  ListenerSession(const ListenerContext& context, boost::asio::ip::tcp::socket socket,
                  size_t shard, uint32_t connection_id);
  ~ListenerSession();
  ListenerSession(const ListenerSession&) = delete;
  ListenerSession& operator=(const ListenerSession&) = delete;

  // The whole connection. Hold a shared_ptr while it runs.
  boost::asio::awaitable<void> Run();

  // Loop thread only. Ends the connection after the running command, or at
  // once when idle.
  void CloseWhenIdle();
  // Loop thread only. Cancels the running statement (KILL QUERY) and closes.
  void Abort();

  size_t shard() const { return shard_; }
  uint32_t connection_id() const { return connection_id_; }
  // Loop thread only. KILL [QUERY] from `requester` (see SessionDirectory).
  std::optional<mysqlwire::ServerError> KillFrom(const std::string& requester, bool admin,
                                                 bool query_only);

 private:
  // Returns false when the connection must end.
  boost::asio::awaitable<bool> Dispatch(const mysqlwire::ClientCommand& command);

  // Runs one statement through the gateway into the client; false when the
  // connection must end (client gone, session state lost).
  boost::asio::awaitable<bool> RunStatement(Statement statement,
                                            ClientResultSink::RowFormat format);
  // COM_QUERY, with the gateway's own SHOW MYSQLGW commands.
  boost::asio::awaitable<bool> HandleQuery(const mysqlwire::ClientCommand& command);
  boost::asio::awaitable<bool> HandleAdmin(AdminCommand command);
  boost::asio::awaitable<bool> HandleKill(KillCommand command);
  boost::asio::awaitable<bool> HandleInitDb(const mysqlwire::ClientCommand& command);
  boost::asio::awaitable<bool> HandlePrepare(const mysqlwire::ClientCommand& command);
  boost::asio::awaitable<bool> HandleExecute(const mysqlwire::ClientCommand& command);
  boost::asio::awaitable<bool> HandleStmtReset(const mysqlwire::ClientCommand& command);
  boost::asio::awaitable<bool> HandleChangeUser(const mysqlwire::ClientCommand& command);
  boost::asio::awaitable<bool> HandleResetConnection();
  boost::asio::awaitable<bool> HandleFieldList();
  boost::asio::awaitable<bool> HandleStatistics();

  // Starts a session for `principal` (hooks' OnConnect); an error refuses it.
  absl::Status Begin(std::shared_ptr<const Principal> principal);
  // Gives the gateway session back (pinned connection, settings).
  void End();
  // After login, change of user or reset: the client's character set and
  // the database it named (checked, then selected through the gateway).
  // The error, if any, is owed to the client.
  boost::asio::awaitable<std::optional<mysqlwire::ServerError>> SetUpSession(
      const std::string& database);
  // A statement of the listener's own (SET NAMES, USE of the login
  // database), its result dropped; authorized but not intercepted.
  boost::asio::awaitable<std::optional<mysqlwire::ServerError>> RunQuietly(std::string sql);
  // Access to `database` for the current principal (1044 when refused).
  std::optional<mysqlwire::ServerError> CheckDatabaseAccess(const std::string& database) const;

  boost::asio::awaitable<bool> WriteOk();
  boost::asio::awaitable<bool> WriteError(const mysqlwire::ServerError& error);
  mysqlwire::OkPacket SessionOk() const;

  void ArmIdleTimer();
  void WatchClient();
  bool ClientGone() const;

  const ListenerContext& context_;
  Gateway& gateway_;
  const size_t shard_;
  const uint32_t connection_id_;
  const int fd_;  // The TCP socket, for the disconnect check.
  mysqlwire::ServerConnection conn_;
  boost::asio::steady_timer idle_timer_;
  boost::asio::steady_timer watch_timer_;
  std::string user_;
  uint8_t client_collation_ = 0;  // From the handshake or change of user.
  // CLIENT_MULTI_STATEMENTS, or COM_SET_OPTION since: without it several
  // statements in one COM_QUERY are a syntax error, as in MySQL (clients
  // leave it off against stacked-query injection).
  bool multi_statements_ = false;
  CallInfo call_;
  std::unique_ptr<Session> session_;
  bool admitted_ = false;
  PreparedStatements statements_;
  // The running statement's control: cancelled when the client goes away.
  std::shared_ptr<CallControl> control_;
  // A database error the client could not be told during login; answers
  // its first command, then the connection ends.
  std::optional<mysqlwire::ServerError> owed_error_;
  bool busy_ = false;
  bool closing_ = false;
  // The running statement was cancelled by KILL QUERY (not by the client
  // leaving): its error is owed to the client, which stays connected.
  bool query_killed_ = false;
  // Counts waits for a command, so that an idle timer firing as a command
  // arrives does not close the connection under it.
  uint64_t idle_epoch_ = 0;
};

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_LISTENER_SESSION_H_
