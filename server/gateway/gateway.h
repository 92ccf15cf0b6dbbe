// The gateway's core, independent of gRPC: authorises each call, picks its
// connection (a transaction's, or one borrowed from the backend's pool on
// the call's event loop), runs the statement and retries where that is
// safe. The gRPC service (grpc_service.h) is a thin adapter over it.
//
// Threading: every coroutine here runs on the event loop of the call's
// shard (see EventLoops); Gateway::ShardFor says which.
#ifndef SERVER_GATEWAY_GATEWAY_H_
#define SERVER_GATEWAY_GATEWAY_H_

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/steady_timer.hpp"
#include "mysqlgw/v1/config.pb.h"
#include "mysqlgw/v1/gateway.pb.h"
#include "server/auth/principal.h"
#include "server/gateway/call_control.h"
#include "server/gateway/call_stats.h"
#include "server/gateway/event_loops.h"
#include "server/gateway/result_sink.h"
#include "server/gateway/session.h"
#include "server/gateway/statement_analysis.h"
#include "server/gateway/session_effect.h"
#include "server/gateway/statement_executor.h"
#include "server/gateway/transactions.h"
#include "server/intercept/digest_stats.h"
#include "server/intercept/hook.h"
#include "server/intercept/interceptor.h"
#include "server/log/access_log.h"
#include "server/pool/connection_pool.h"
#include "server/routing/backend_health.h"
#include "server/routing/read_your_writes.h"
#include "server/routing/replica_selector.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {

struct CallInfo {
  std::shared_ptr<const Principal> principal;
  size_t shard = 0;
  // The caller's deadline (gRPC); max() when none.
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::time_point::max();
  // For interception hooks: principal name, address, protocol.
  ClientInfo client;
  // Filled with what the call's statements did when the call is access
  // logged; null otherwise.
  CallStats* stats = nullptr;
};

class Gateway {
 public:
  // Builds pools (one shard per event loop and backend) from a validated
  // config with defaults applied.
  // `extra_hooks`: operators' own C++ hooks, run after the built-in
  // interception hooks on every statement.
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(
      const v1::GatewayConfig& config, EventLoops& loops,
      std::vector<std::shared_ptr<Hook>> extra_hooks = {});
  ~Gateway();

  // Starts pool upkeep and transaction expiry on every loop.
  void Start();

  // The shard a call runs on: its transaction's, else the next in turn.
  absl::StatusOr<size_t> ShardFor(absl::string_view transaction_id);
  boost::asio::io_context& loop(size_t shard) { return loops_.loop(shard); }
  const v1::LimitsConfig& limits() const { return config_.limits(); }
  // Rules, limits and scripts in force; Reload() swaps them.
  Interceptor& interceptor() { return *interceptor_; }
  // Statistics by statement digest (GET /digests), and the slow log.
  const DigestStats& digest_stats() const { return *digest_stats_; }
  // The access log (observability.access_log); null when off.
  AccessLog* access_log() const { return access_log_.get(); }

  // Query and StreamQuery: the sink decides buffering.
  boost::asio::awaitable<absl::Status> Query(const CallInfo& call,
                                             const v1::QueryRequest& request,
                                             ResultSink& sink, CallControl& control);
  boost::asio::awaitable<absl::Status> Execute(const CallInfo& call,
                                               const v1::ExecuteRequest& request,
                                               v1::ExecuteResponse* response,
                                               CallControl& control);
  boost::asio::awaitable<absl::Status> ExecuteBatch(const CallInfo& call,
                                                    const v1::ExecuteBatchRequest& request,
                                                    v1::ExecuteBatchResponse* response,
                                                    CallControl& control);
  boost::asio::awaitable<absl::Status> BeginTransaction(
      const CallInfo& call, const v1::BeginTransactionRequest& request,
      v1::BeginTransactionResponse* response, CallControl& control);
  boost::asio::awaitable<absl::Status> EndTransaction(const CallInfo& call,
                                                      const std::string& transaction_id,
                                                      bool commit, CallControl& control);

  // Rolls back open transactions and shuts the pools of one shard.
  boost::asio::awaitable<void> ShutdownShard(size_t shard);

  // ---- MySQL-protocol sessions (the listener) ----
  // Whether the hooks admit a client that just authenticated.
  absl::Status AdmitSession(const CallInfo& call);
  // Runs one statement of `session` (COM_QUERY text, or a prepared
  // statement's SQL with its parameters) through interception, routing and
  // the session's pinned or a pooled connection; updates the session's pins,
  // database and replayed settings.
  boost::asio::awaitable<absl::Status> RunInSession(const CallInfo& call, Session& session,
                                                    Statement statement, ResultSink& sink,
                                                    CallControl& control);
  // The same for a statement the listener sends on its client's behalf
  // (SET NAMES for the client's character set, USE of the login database):
  // authorized, but not passed to the interception hooks, so that rules,
  // limits and allowlists see only what clients send.
  boost::asio::awaitable<absl::Status> RunSessionSetup(const CallInfo& call, Session& session,
                                                       Statement statement, ResultSink& sink,
                                                       CallControl& control);
  // What COM_STMT_PREPARE answers: parameters and columns, from the
  // backend (the statement is not executed).
  struct StatementDescription {
    std::vector<mysqlwire::ColumnDefinition> params;
    std::vector<mysqlwire::ColumnDefinition> columns;
  };
  boost::asio::awaitable<absl::StatusOr<StatementDescription>> DescribeInSession(
      const CallInfo& call, Session& session, const std::string& sql);
  // Gives back the session's pinned connection (its state is reset) and
  // forgets its settings: COM_RESET_CONNECTION, COM_CHANGE_USER, the end of
  // the client's connection.
  void EndSession(Session& session);
  // Pins taken, by PinReason bit index; sessions holding a connection now.
  uint64_t session_pins(int reason_bit) const { return pins_taken_[reason_bit].load(); }
  int64_t pinned_sessions() const { return pinned_sessions_.load(); }

  // How to reach the primary (for connections outside the pools, such as
  // replication streams).
  const mysqlwire::ConnectOptions& PrimaryConnectOptions() const {
    return backends_.front()->connect;
  }

  // Statements through the interception chain, by final verdict.
  uint64_t verdicts(StatementPlan::Verdict v) const {
    return verdicts_[static_cast<size_t>(v)].load(std::memory_order_relaxed);
  }
  // Reads a replica was wanted for but the primary served (none fit).
  uint64_t replica_fallbacks() const { return replica_fallbacks_.load(); }
  // Health of each backend as last checked; empty without replicas.
  std::vector<std::pair<std::string, BackendHealth>> BackendHealthSnapshot() const;

  // Pool statistics per backend, summed over shards (for health/metrics).
  std::vector<std::pair<std::string, PoolStats>> PoolStatistics() const;

 private:
  struct Backend {
    std::string name;
    v1::BackendRole role = v1::BACKEND_ROLE_PRIMARY;
    std::string default_database;
    mysqlwire::ConnectOptions connect;
    std::unique_ptr<StatementExecutor> executor;
    std::vector<std::unique_ptr<ConnectionPool>> shards;
  };
  struct Shard {
    std::unique_ptr<TransactionRegistry> transactions;
  };
  // A statement bound for one connection, with what is needed to run it.
  struct Work {
    const CallInfo* call;
    const v1::CallOptions* options;
    const std::string* transaction_id;
    Statement statement;
    StatementKind kind = StatementKind::kOther;
    bool read_only = false;
    // Interception: the policy of the call, the statement as hooks see it,
    // and what they decided.
    const Policy* policy = nullptr;
    StatementContext context;
    std::optional<std::chrono::milliseconds> timeout;
    Backend* backend = nullptr;  // Null: the primary.
    size_t selector_index = 0;   // With a selector: the backend's index in it.
    Session* session = nullptr;  // A MySQL-protocol session's statement.
    // Of statement.sql as it runs (after any rewrite). Null for statements
    // the gateway issues itself.
    std::shared_ptr<const StatementAnalysis> analysis;
  };

  Gateway(const v1::GatewayConfig& config, EventLoops& loops);
  absl::Status CreateRouting(const v1::GatewayConfig& config);

  // Checks a statement already built (SQL and converted parameters).
  absl::StatusOr<Work> PrepareBuilt(const CallInfo& call, const Policy& policy,
                                    Statement statement, const v1::CallOptions& options,
                                    const std::string& transaction_id);
  absl::StatusOr<Work> Prepare(const CallInfo& call, const Policy& policy,
                               const std::string& sql,
                               const google::protobuf::RepeatedPtrField<v1::Value>& params,
                               const google::protobuf::Map<std::string, v1::Value>& named,
                               const v1::CallOptions& options,
                               const std::string& transaction_id);
  // Passes `work` through the interception hooks, then runs it (or answers
  // or rejects it as they decided) and reports the outcome back to them.
  boost::asio::awaitable<absl::Status> RunIntercepted(Work& work, ResultSink& sink,
                                                      CallControl& control);
  // Applies what hooks decided for a statement that goes to a backend:
  // re-checks a rewritten statement, picks the backend, sets limits.
  absl::Status ApplyPlan(const StatementPlan& plan, Work& work);
  // Refuses a caller the hooks do not admit (client address, ...).
  absl::Status Admit(const CallInfo& call, const Policy& policy) const;
  // Runs `work` on its transaction's connection or a pooled one, with
  // transparent retry on a fresh connection where safe.
  boost::asio::awaitable<absl::Status> Run(const Work& work, ResultSink& sink,
                                           CallControl& control);
  boost::asio::awaitable<absl::Status> RunOnce(const Work& work, ResultSink& sink,
                                               CallControl& control, bool* retryable);
  boost::asio::awaitable<absl::Status> RunOnceInSession(const Work& work, ResultSink& sink,
                                                        CallControl& control, bool* retryable);
  // After a session's statement: its pins, and where its connection goes.
  void SettleSession(Session& session, const Work& work, PooledConnection conn,
                     size_t backend_index, bool from_pool, const absl::Status& status,
                     bool state_in_doubt);
  size_t BackendIndex(const Backend& backend) const;
  std::chrono::milliseconds StatementTimeout(const v1::CallOptions& options) const;
  std::chrono::milliseconds TimeoutFor(const Work& work) const;
  bool IsTransient(const absl::Status& status) const;
  static absl::Status BackendUnavailable(const std::string& backend, const absl::Status& s);
  Backend& Primary() { return *backends_.front(); }
  // Where a statement the hooks left at `target` runs (read/write split,
  // health, lag, read-your-writes).
  absl::Status Route(RouteTarget target, Work& work);
  // Applies routing settings of a reloaded policy.
  void ApplyRoutingSettings(const Policy& policy);
  // Measures the databases with size quotas, periodically, on loop 0.
  boost::asio::awaitable<void> MeasureQuotas();
  boost::asio::awaitable<absl::Status> MeasureQuotasOnce(DatabaseQuota& quota);

  v1::GatewayConfig config_;
  EventLoops& loops_;
  std::vector<std::unique_ptr<Backend>> backends_;
  std::vector<Shard> shards_;
  absl::flat_hash_set<uint32_t> transient_errnos_;
  std::unique_ptr<Interceptor> interceptor_;
  std::shared_ptr<DigestStats> digest_stats_;
  // Read/write splitting; the selector exists only with replicas.
  std::unique_ptr<HealthChecker> health_;
  std::unique_ptr<ReplicaSelector> selector_;
  std::vector<Backend*> selector_backends_;  // By selector index.
  std::unique_ptr<ReadYourWrites> read_your_writes_;
  std::atomic<uint64_t> routing_generation_{0};
  std::atomic<uint64_t> replica_fallbacks_{0};
  std::array<std::atomic<uint64_t>, 3> verdicts_{};
  std::array<std::atomic<uint64_t>, kPinReasonCount> pins_taken_{};
  std::atomic<int64_t> pinned_sessions_{0};
  boost::asio::steady_timer quota_timer_;
  bool stopping_ = false;  // Loop 0 only.
  std::unique_ptr<AccessLog> access_log_;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_GATEWAY_H_
