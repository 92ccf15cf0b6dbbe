// A tiny MySQL-protocol server built on ServerConnection, for tests: it
// listens on 127.0.0.1 (any free port), runs on its own thread, and answers a
// fixed repertoire so real clients can be pointed at it:
//   SELECT <integer>                    one LONGLONG column named as written
//   SELECT 'a' AS x, NULL AS y          a string and a NULL
//   SELECT REPEAT('c', n)               one LONGTEXT cell of n bytes
//   SELECT LENGTH('...')                the literal's byte length
//   SELECT DATABASE() / SELECT USER()   the session's schema / user@host
//   select @@version_comment limit 1    what the mariadb CLI asks
//   SET ..., DO ...                     OK
//   anything else                       ERR 1064 (42000)
// Several statements separated by ';' give several results (an error stops
// the rest, as in MySQL). Prepared statements: "SELECT ?, ?..." echoes its
// parameters as one binary row. COM_PING, COM_INIT_DB ('nosuchdb' fails with
// 1049), COM_QUIT, COM_CHANGE_USER, COM_RESET_CONNECTION, COM_SET_OPTION,
// COM_STMT_CLOSE / RESET / SEND_LONG_DATA are handled; other commands get
// ERR 1047.
#ifndef MYSQLWIRE_SERVER_TOY_SERVER_H_
#define MYSQLWIRE_SERVER_TOY_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "mysqlwire/server/server_connection.h"

namespace mysqlwire::testing {

// Accounts of the toy server, all with password "secret" unless noted:
//   u            both hashes
//   native_only  mysql_native_password hash only
//   sha2_only    caching_sha2_password hash only
//   nopw         the empty password (both hashes)
//   lookup_fails the lookup itself errors (UNAVAILABLE)
Credentials ToyAccount(absl::string_view password, bool native, bool sha2);
absl::StatusOr<Credentials> ToyLookup(const std::string& user);

struct ToyServerOptions {
  // `lookup` defaults to ToyLookup; `deadline` is replaced per connection by
  // now + handshake_timeout.
  ServerHandshakeOptions handshake;
  std::chrono::milliseconds handshake_timeout{5000};
};

class ToyServer {
 public:
  static absl::StatusOr<std::unique_ptr<ToyServer>> Start(ToyServerOptions options);
  ~ToyServer();

  uint16_t port() const { return port_; }

  // The outcome of each finished handshake (and COM_CHANGE_USER), in order.
  std::vector<absl::Status> handshake_statuses() const;
  // Waits until at least `n` handshakes have finished.
  bool WaitForHandshakes(size_t n, absl::Duration timeout) const;
  // The identities of successful handshakes, in order.
  std::vector<ServerHandshakeResult> sessions() const;
  // One line per command handled, e.g. "COM_PING", "COM_INIT_DB shop",
  // "COM_QUERY SELECT 1", "COM_STMT_CLOSE 1".
  std::vector<std::string> command_log() const;
  // Connections whose command loop has ended, and how.
  std::vector<absl::Status> finished_connections() const;
  bool WaitForFinishedConnections(size_t n, absl::Duration timeout) const;

 private:
  explicit ToyServer(ToyServerOptions options);
  boost::asio::awaitable<void> Accept();
  boost::asio::awaitable<void> Serve(boost::asio::ip::tcp::socket socket, uint32_t id);

  void RecordHandshake(absl::Status status, const ServerHandshakeResult* result);
  void Log(std::string line);

  ToyServerOptions options_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::vector<absl::Status> handshakes_ ABSL_GUARDED_BY(mu_);
  std::vector<ServerHandshakeResult> sessions_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> log_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Status> finished_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mysqlwire::testing

#endif  // MYSQLWIRE_SERVER_TOY_SERVER_H_
