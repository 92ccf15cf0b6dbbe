// A small synchronous C++ client for the mysqlgw gateway (SQL over gRPC; the
// API is proto/mysqlgw/v1/gateway.proto).
//
//   absl::StatusOr<Client> db = Client::Connect("127.0.0.1:50051", {.token = token});
//   if (!db.ok()) return db.status();
//   absl::StatusOr<QueryResult> r = db->Query("SELECT id, name FROM t WHERE id > ?",
//                                             {Param::Int(10)});
//   for (const v1::Row& row : r->rows()) std::cout << FormatValue(row.values(1)) << "\n";
//
// Every method returns absl::Status/StatusOr: the gRPC code and message, with
// the database's errno, SQLSTATE and message attached when it produced the
// error (errors.h: MySqlErrorOf). Nothing throws.
//
// A Client is cheap to move and safe to use from many threads at once (one
// gRPC channel, which multiplexes calls). A Transaction is for one thread at
// a time: its calls run one after another on one pinned connection.
#ifndef CLIENTS_CPP_CLIENT_H_
#define CLIENTS_CPP_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cpp/caller.h"
#include "clients/cpp/change_events.h"
#include "clients/cpp/changes.h"
#include "clients/cpp/errors.h"
#include "clients/cpp/options.h"
#include "clients/cpp/params.h"
#include "clients/cpp/requests.h"
#include "clients/cpp/result.h"
#include "clients/cpp/value_text.h"
#include "grpcpp/channel.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw::client {

class Transaction;

class Client {
 public:
  // Opens a channel to `target` ("host:port", or any gRPC target such as
  // "dns:///gw.example:443"). InvalidArgument for unreadable TLS files;
  // Unavailable if the channel is not ready within options.connect_timeout.
  static absl::StatusOr<Client> Connect(absl::string_view target, ClientOptions options = {});
  // Over a channel built elsewhere (custom credentials or arguments); does
  // not wait for it.
  static Client FromChannel(std::shared_ptr<grpc::Channel> channel, ClientOptions options);

  // Runs one statement (or a multi-statement text, or a CALL) and returns
  // every result, buffered: bounded by max_rows / max_bytes, beyond which it
  // fails with RESOURCE_EXHAUSTED. Use Stream for large results.
  absl::StatusOr<QueryResult> Query(absl::string_view sql, const Params& params = {},
                                    const CallOptions& options = {}) const;

  // Runs a query and hands each row to `on_row` as it arrives; nothing is
  // buffered beyond one chunk. For each result: `on_header` with its columns
  // (not for statements without rows), its rows, then `on_footer` with its
  // outcome and row count. A non-OK status from `on_row` cancels the call
  // (the gateway kills the statement) and is returned as is.
  absl::Status Stream(absl::string_view sql, const Params& params, const CallOptions& options,
                      RowCallback on_row, HeaderCallback on_header = nullptr,
                      FooterCallback on_footer = nullptr) const;

  // A statement without rows (DML, DDL): affected rows, last insert id, ...
  absl::StatusOr<v1::StatementOutcome> Execute(absl::string_view sql, const Params& params = {},
                                               const CallOptions& options = {}) const;

  // One statement, once per parameter set; one result per set (an outcome,
  // the item's MySqlError, or skipped after an earlier failure when
  // stop_on_error). The status is not OK only when the whole call failed;
  // see BatchItemStatus for the items.
  absl::StatusOr<std::vector<v1::BatchItemResult>> ExecuteBatch(
      absl::string_view sql, const std::vector<Params>& param_sets, const CallOptions& options = {},
      bool stop_on_error = true) const;
  // Several statements, one result each, as ExecuteBatch.
  absl::StatusOr<std::vector<v1::BatchItemResult>> ExecuteStatements(
      const std::vector<Statement>& statements, const CallOptions& options = {},
      bool stop_on_error = true) const;

  // Starts a transaction pinned to one pooled connection. The returned
  // Transaction rolls it back when destroyed unless Commit succeeded.
  absl::StatusOr<Transaction> Begin(v1::IsolationLevel isolation = v1::ISOLATION_LEVEL_UNSPECIFIED,
                                    bool read_only = false) const;
  absl::StatusOr<Transaction> Begin(const TransactionOptions& options) const;

  // Starts a change stream (changes.h; the principal needs the `binlog`
  // operation). InvalidArgument for contradictory options; errors of the
  // gateway (a bad token, purged binlogs, permissions) end the first Next().
  absl::StatusOr<ChangeStream> Changes(const ChangesOptions& options = {}) const;

 private:
  explicit Client(std::shared_ptr<const internal::Caller> caller) : caller_(std::move(caller)) {}
  std::shared_ptr<const internal::Caller> caller_;
};

// A transaction on the gateway. Move-only; the calls are those of Client,
// run inside the transaction. Keeps the client's channel alive.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back if still active. Best effort, and bounded: at most the
  // client's default timeout, or 10 s if that is longer or infinite, and
  // the gateway rolls back an abandoned transaction after its idle timeout
  // anyway. Call Rollback() to see the outcome.
  ~Transaction();

  const std::string& id() const { return id_; }
  // True until Commit or Rollback succeeds.
  bool active() const { return active_; }

  absl::StatusOr<QueryResult> Query(absl::string_view sql, const Params& params = {},
                                    const CallOptions& options = {}) const;
  absl::Status Stream(absl::string_view sql, const Params& params, const CallOptions& options,
                      RowCallback on_row, HeaderCallback on_header = nullptr,
                      FooterCallback on_footer = nullptr) const;
  absl::StatusOr<v1::StatementOutcome> Execute(absl::string_view sql, const Params& params = {},
                                               const CallOptions& options = {}) const;
  absl::StatusOr<std::vector<v1::BatchItemResult>> ExecuteBatch(
      absl::string_view sql, const std::vector<Params>& param_sets, const CallOptions& options = {},
      bool stop_on_error = true) const;
  absl::StatusOr<std::vector<v1::BatchItemResult>> ExecuteStatements(
      const std::vector<Statement>& statements, const CallOptions& options = {},
      bool stop_on_error = true) const;

  // Ends the transaction. After a failure the transaction stays active, so
  // the destructor still tries to roll it back (if the gateway already
  // ended it, that fails harmlessly with NOT_FOUND). FailedPrecondition if
  // it already ended.
  absl::Status Commit(absl::Duration timeout = absl::ZeroDuration());
  absl::Status Rollback(absl::Duration timeout = absl::ZeroDuration());

 private:
  friend class Client;
  Transaction(std::shared_ptr<const internal::Caller> caller, std::string id)
      : caller_(std::move(caller)), id_(std::move(id)), active_(true) {}
  absl::Status End(bool commit, absl::Duration timeout);

  std::shared_ptr<const internal::Caller> caller_;
  std::string id_;
  bool active_ = false;
};

}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_CLIENT_H_
