#include "server/gateway/transactions.h"

#include <openssl/rand.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/use_awaitable.hpp"

namespace mysqlgw {
namespace asio = boost::asio;

namespace {
constexpr size_t kRememberEnded = 10000;
constexpr auto kSweepInterval = std::chrono::milliseconds(200);

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return absl::BytesToHexString(raw);
}
}  // namespace

TransactionRegistry::TransactionRegistry(asio::any_io_executor executor, size_t shard,
                                         TransactionLimits limits)
    : executor_(executor), shard_(shard), limits_(limits), sweep_timer_(executor) {}

TransactionRegistry::~TransactionRegistry() {
  *alive_ = false;
  sweep_timer_.cancel();
}

void TransactionRegistry::Start() {
  asio::co_spawn(executor_, Sweep(), asio::detached);
}

std::optional<size_t> TransactionRegistry::ShardOf(absl::string_view id) {
  std::vector<absl::string_view> parts = absl::StrSplit(id, '-');
  size_t shard = 0;
  if (parts.size() != 3 || parts[0] != "tx" || parts[2].size() != 32 ||
      !absl::SimpleAtoi(parts[1], &shard)) {
    return std::nullopt;
  }
  return shard;
}

absl::Status TransactionRegistry::CheckCapacity() const {
  if (open_.size() >= limits_.max_open) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many open transactions (", limits_.max_open, " on this event loop)"));
  }
  return absl::OkStatus();
}

std::string TransactionRegistry::Add(std::string principal, PooledConnection connection,
                                     std::chrono::milliseconds requested_idle_timeout) {
  auto tx = std::make_unique<Transaction>();
  tx->id = absl::StrCat("tx-", shard_, "-", RandomHex(16));
  tx->principal = std::move(principal);
  tx->connection = std::move(connection);
  tx->created = tx->last_used = std::chrono::steady_clock::now();
  std::chrono::milliseconds idle = requested_idle_timeout.count() > 0
                                       ? requested_idle_timeout
                                       : limits_.default_idle_timeout;
  tx->idle_timeout = std::min(idle, limits_.max_idle_timeout);
  std::string id = tx->id;
  open_.emplace(id, std::move(tx));
  return id;
}

absl::StatusOr<Transaction*> TransactionRegistry::Use(absl::string_view id,
                                                      absl::string_view principal) {
  auto it = open_.find(id);
  if (it == open_.end() || it->second->principal != principal) {
    auto ended = ended_.find(id);
    if (ended != ended_.end()) {
      return absl::AbortedError(absl::StrCat("transaction ", id, " ", ended->second));
    }
    return absl::NotFoundError(absl::StrCat("unknown transaction id '", id, "'"));
  }
  Transaction* tx = it->second.get();
  if (tx->busy) {
    return absl::FailedPreconditionError(
        "the transaction is in use by another call; calls in one transaction "
        "must not overlap");
  }
  tx->busy = true;
  return tx;
}

void TransactionRegistry::Return(Transaction* tx) {
  tx->busy = false;
  tx->last_used = std::chrono::steady_clock::now();
  if (!tx->connection || !tx->connection->usable()) {
    std::string id = tx->id;
    PooledConnection dead = Remove(tx);
    dead.Discard();
    RememberEnded(id, "was rolled back: its database connection was lost");
  }
}

PooledConnection TransactionRegistry::Remove(Transaction* tx) {
  auto it = open_.find(tx->id);
  PooledConnection conn = std::move(it->second->connection);
  if (on_end_) on_end_(it->second->principal);
  open_.erase(it);
  return conn;
}

void TransactionRegistry::RememberEnded(const std::string& id, std::string reason) {
  if (ended_.size() >= kRememberEnded && !ended_order_.empty()) {
    ended_.erase(ended_order_.front());
    ended_order_.pop_front();
  }
  ended_[id] = std::move(reason);
  ended_order_.push_back(id);
}

asio::awaitable<void> TransactionRegistry::Expire(std::string id, std::string reason) {
  auto it = open_.find(id);
  if (it == open_.end() || it->second->busy) co_return;
  Transaction* tx = it->second.get();
  tx->busy = true;  // Nobody may use it while it is rolled back.
  PooledConnection conn = std::move(tx->connection);
  if (on_end_) on_end_(tx->principal);
  open_.erase(it);
  RememberEnded(id, reason);
  if (conn && conn->usable()) {
    auto r = co_await conn->Query("ROLLBACK");
    if (!r.ok()) {
      conn.Discard();
      co_return;
    }
  }
  conn.Release();
}

asio::awaitable<void> TransactionRegistry::Sweep() {
  std::shared_ptr<bool> alive = alive_;
  while (*alive) {
    sweep_timer_.expires_after(kSweepInterval);
    auto [ec] = co_await sweep_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || !*alive) co_return;
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, std::string>> due;
    for (const auto& [id, tx] : open_) {
      if (tx->busy) continue;
      if (now - tx->last_used > tx->idle_timeout) {
        due.emplace_back(id, absl::StrCat("expired after ", tx->idle_timeout.count(),
                                          " ms idle and was rolled back"));
      } else if (now - tx->created > limits_.max_lifetime) {
        due.emplace_back(id, absl::StrCat("exceeded its maximum lifetime of ",
                                          limits_.max_lifetime.count(),
                                          " ms and was rolled back"));
      }
    }
    for (auto& [id, reason] : due) co_await Expire(id, std::move(reason));
  }
}

asio::awaitable<void> TransactionRegistry::RollbackAll() {
  std::vector<std::string> ids;
  for (const auto& [id, tx] : open_) ids.push_back(id);
  for (const std::string& id : ids) {
    co_await Expire(id, "was rolled back: the gateway shut down");
  }
}

}  // namespace mysqlgw
