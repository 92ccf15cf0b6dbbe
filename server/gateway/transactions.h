// Open transactions of one event-loop shard. Each holds its pooled
// connection until Commit, Rollback, or expiry (idle timeout or maximum
// lifetime), when the registry rolls it back and frees the connection.
//
// Ids are "tx-<shard>-<128 random bits>": the shard tells any thread which
// loop to run a call on, and the random part makes ids unguessable. A
// transaction is also bound to the principal that began it; to anyone else
// it does not exist.
#ifndef SERVER_GATEWAY_TRANSACTIONS_H_
#define SERVER_GATEWAY_TRANSACTIONS_H_

#include <chrono>
#include <functional>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/any_io_executor.hpp"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/steady_timer.hpp"
#include "server/pool/connection_pool.h"

namespace mysqlgw {

struct TransactionLimits {
  std::chrono::milliseconds default_idle_timeout{30000};
  std::chrono::milliseconds max_idle_timeout{300000};
  std::chrono::milliseconds max_lifetime{600000};
  size_t max_open = 1000;
};

struct Transaction {
  std::string id;
  std::string principal;
  PooledConnection connection;
  std::chrono::steady_clock::time_point created;
  std::chrono::steady_clock::time_point last_used;
  std::chrono::milliseconds idle_timeout{0};
  bool busy = false;
};

class TransactionRegistry {
 public:
  TransactionRegistry(boost::asio::any_io_executor executor, size_t shard,
                      TransactionLimits limits);
  ~TransactionRegistry();

  // Starts the expiry sweep.
  void Start();
  // Called with the principal whenever a transaction leaves the registry
  // (ended, expired, lost, shut down): per-principal limits count them.
  void set_on_end(std::function<void(const std::string& principal)> on_end) {
    on_end_ = std::move(on_end);
  }

  // Whether another transaction may begin (max_open).
  absl::Status CheckCapacity() const;
  // Takes ownership of a connection on which a transaction was started.
  std::string Add(std::string principal, PooledConnection connection,
                  std::chrono::milliseconds requested_idle_timeout);

  // Borrows a transaction for one call; Return() it afterwards.
  // NOT_FOUND: unknown id (or another principal's); ABORTED: it expired or
  // its connection was lost and it was rolled back; FAILED_PRECONDITION:
  // another call is using it right now.
  absl::StatusOr<Transaction*> Use(absl::string_view id, absl::string_view principal);
  // Ends a call's use. A transaction whose connection broke is dropped and
  // remembered as aborted.
  void Return(Transaction* tx);
  // Removes a (borrowed) transaction to end it; the caller commits or rolls
  // back on the returned connection and releases it.
  PooledConnection Remove(Transaction* tx);

  // Rolls back every open transaction (shutdown).
  boost::asio::awaitable<void> RollbackAll();

  size_t open() const { return open_.size(); }

  static std::optional<size_t> ShardOf(absl::string_view id);

 private:
  boost::asio::awaitable<void> Sweep();
  boost::asio::awaitable<void> Expire(std::string id, std::string reason);
  void RememberEnded(const std::string& id, std::string reason);

  boost::asio::any_io_executor executor_;
  size_t shard_;
  TransactionLimits limits_;
  absl::flat_hash_map<std::string, std::unique_ptr<Transaction>> open_;
  // Recently ended ids with why, so a late call gets a precise error.
  absl::flat_hash_map<std::string, std::string> ended_;
  std::deque<std::string> ended_order_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  boost::asio::steady_timer sweep_timer_;
  std::function<void(const std::string&)> on_end_;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_TRANSACTIONS_H_
