// A MySQL-protocol client's session as the gateway core sees it: who it is,
// its current database, and the backend connection it holds while its
// session state lives there (see session_effect.h for the reasons). Between
// pins, statements run on pooled connections like gRPC calls; session
// settings the client made (SET NAMES, SET sql_mode = ...) are replayed on
// each connection the session borrows.
//
// Owned by the listener's connection; used on one event loop only (the
// call's shard), one statement at a time.
#ifndef SERVER_GATEWAY_SESSION_H_
#define SERVER_GATEWAY_SESSION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mysqlgw/v1/gateway.pb.h"
#include "server/gateway/session_effect.h"
#include "server/pool/connection_pool.h"

namespace mysqlgw {

class Session {
 public:
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& database() const { return options_.database(); }
  void set_database(std::string database) { options_.set_database(std::move(database)); }
  // PinReason bits in force.
  uint32_t pins() const { return pins_; }
  bool pinned() const { return static_cast<bool>(pinned_); }
  // The backend connection that held this session's state was lost with
  // it (a transaction, variables): the client must be disconnected, as a
  // MySQL server's client would be.
  bool state_lost() const { return state_lost_; }
  const std::vector<std::string>& replayed_settings() const { return replay_; }

 private:
  friend class Gateway;
  v1::CallOptions options_;       // The database; kept for Work's pointers.
  const std::string no_transaction_;
  PooledConnection pinned_;
  size_t pinned_backend_ = 0;     // Index into the gateway's backends.
  uint32_t pins_ = 0;
  bool state_lost_ = false;
  std::vector<std::string> replay_;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_SESSION_H_
