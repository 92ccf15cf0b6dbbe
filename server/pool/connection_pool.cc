#include "server/pool/connection_pool.h"

#include <utility>

#include "server/pool/pool_core.h"

namespace mysqlgw {

using pool_internal::PoolCore;
using pool_internal::ReturnMode;

PooledConnection::PooledConnection(std::weak_ptr<PoolCore> pool,
                                   std::unique_ptr<mysqlwire::Connection> conn,
                                   std::chrono::steady_clock::time_point created,
                                   std::chrono::steady_clock::duration idle_for)
    : pool_(std::move(pool)),
      conn_(std::move(conn)),
      created_(created),
      idle_for_(idle_for) {}

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(std::move(other.pool_)),
      conn_(std::move(other.conn_)),
      created_(other.created_),
      idle_for_(other.idle_for_) {}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::move(other.pool_);
    conn_ = std::move(other.conn_);
    created_ = other.created_;
    idle_for_ = other.idle_for_;
  }
  return *this;
}

PooledConnection::~PooledConnection() { Release(); }

void PooledConnection::Release() { GiveBack(ReturnMode::kReset); }
void PooledConnection::ReleaseClean() { GiveBack(ReturnMode::kClean); }
void PooledConnection::Discard() { GiveBack(ReturnMode::kDiscard); }

uint32_t PooledConnection::server_connection_id() const {
  return conn_ ? conn_->connection_id() : 0;
}

void PooledConnection::GiveBack(ReturnMode mode) {
  if (conn_ == nullptr) return;
  std::unique_ptr<mysqlwire::Connection> conn = std::move(conn_);
  std::shared_ptr<PoolCore> pool = pool_.lock();
  pool_.reset();
  if (pool == nullptr) {
    conn->Close();  // The pool is gone; so is anyone to return it to.
    return;
  }
  pool->Return(std::move(conn), created_, mode);
}

ConnectionPool::ConnectionPool(asio::any_io_executor executor, std::string name,
                               PoolOptions options)
    : core_(std::make_shared<PoolCore>(std::move(executor), std::move(name),
                                       std::move(options))) {}

ConnectionPool::~ConnectionPool() { core_->Shutdown(); }

void ConnectionPool::Start() { core_->Start(); }

asio::awaitable<absl::StatusOr<PooledConnection>> ConnectionPool::Acquire(
    std::chrono::steady_clock::time_point deadline) {
  return PoolCore::Acquire(core_, deadline);
}

PoolStats ConnectionPool::stats() const { return core_->stats(); }

const std::string& ConnectionPool::name() const { return core_->name(); }

void ConnectionPool::Shutdown() { core_->Shutdown(); }

}  // namespace mysqlgw
