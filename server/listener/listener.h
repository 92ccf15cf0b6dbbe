// The MySQL-protocol listener: unmodified MySQL clients (mariadb CLI,
// libmariadb, PyMySQL, mysql2...) log in with a principal's MySQL password
// and get what gRPC callers get: the same principals and permissions,
// interception rules and limits, pools and metrics.
//
// Accepts on event loop 0 and hands each connection to a loop in turn; its
// session (listener_session.h) runs entirely there, as a gRPC call runs on
// its shard. At most max_connections are open; one more is answered with
// ERR 1040 and closed.
//
//   auto listener = MySqlListener::Create(config, gateway, {"0.1.0"});
//   listener->Start();            // binds config.mysql_listener().address()
//   ...
//   listener->Stop(deadline);     // before Gateway::ShutdownShard
#ifndef SERVER_LISTENER_LISTENER_H_
#define SERVER_LISTENER_LISTENER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "mysqlgw/v1/config.pb.h"
#include "server/config/config_defaults.h"
#include "server/gateway/gateway.h"
#include "server/listener/listener_accounts.h"
#include "server/listener/listener_session.h"
#include "server/listener/listener_stats.h"

namespace mysqlgw {

class MySqlListener : public SessionDirectory {
 public:
  struct Options {
    std::string gateway_version;  // SHOW MYSQLGW STATUS.
  };

  // From a validated config with defaults applied; reads the TLS and RSA
  // files. The gateway and its loops must outlive the listener.
  static absl::StatusOr<std::unique_ptr<MySqlListener>> Create(const v1::GatewayConfig& config,
                                                               Gateway& gateway, Options options);
  ~MySqlListener() override;
  MySqlListener(const MySqlListener&) = delete;
  MySqlListener& operator=(const MySqlListener&) = delete;

  // Binds the address (port 0: any free port) and accepts on loop 0, which
  // must be running (or be run later).
  absl::Status Start();
  uint16_t port() const { return port_; }

  // From a thread that is not an event loop, while the loops run. Stops
  // accepting and closes idle connections at once and busy ones after their
  // command; at `deadline` cancels the statements still running (KILL
  // QUERY) and closes their connections. Returns once every session has
  // given its backend connection back (or a few seconds past the deadline).
  void Stop(std::chrono::steady_clock::time_point deadline);

  // SessionDirectory: KILL from one listener connection to another.
  boost::asio::awaitable<std::optional<mysqlwire::ServerError>> Kill(
      uint32_t id, bool query_only, const Principal& requester) override;

  const ListenerStats& stats() const { return stats_; }
  Gateway& gateway() { return gateway_; }
  size_t accounts() const { return accounts_.size(); }

 private:
  MySqlListener(Gateway& gateway, ListenerAccounts accounts);

  boost::asio::awaitable<void> Accept();
  static boost::asio::awaitable<void> Serve(MySqlListener* listener,
                                            std::shared_ptr<ListenerSession> session);
  // Too many connections: ERR 1040 as the first packet, then close.
  static boost::asio::awaitable<void> Refuse(boost::asio::ip::tcp::socket socket);
  // Runs `fn(session)` on each live session's loop.
  template <typename Fn>
  void ForEachSession(Fn fn);
  bool WaitForSessions(std::chrono::steady_clock::time_point until);

  Gateway& gateway_;
  ListenerAccounts accounts_;
  ListenerStats stats_;
  ListenerContext context_;
  std::string address_;
  uint32_t max_connections_ = kDefaultMySqlMaxConnections;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<uint32_t> next_connection_id_{1};
  bool stopping_ = false;  // Loop 0.

  absl::Mutex mu_;
  absl::flat_hash_map<ListenerSession*, std::shared_ptr<ListenerSession>> sessions_
      ABSL_GUARDED_BY(mu_);
};

// "host:port", "[v6]:port"; the host must be an IP address or "localhost".
absl::StatusOr<boost::asio::ip::tcp::endpoint> ParseListenAddress(const std::string& address);

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_LISTENER_H_
