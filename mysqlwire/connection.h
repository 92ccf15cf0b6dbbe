// One asynchronous MySQL/MariaDB client connection on Boost.Asio.
//
// Every operation is a C++20 coroutine (asio::awaitable) that returns an
// absl::Status or absl::StatusOr: no thread blocks on I/O and nothing throws.
// A connection runs one operation at a time; callers (the pool) serialise
// use. After a transport or protocol failure the connection is marked broken
// (usable() is false) and every later operation fails fast; a server error
// (ERR packet) leaves it usable.
//
// Results can be read incrementally (StartQuery / ReadRow / NextResult) so a
// result set of any size streams with bounded memory, or all at once
// (Query / Execute).
#ifndef MYSQLWIRE_CONNECTION_H_
#define MYSQLWIRE_CONNECTION_H_

#include <chrono>
#include <list>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/asio/ssl/stream.hpp"
#include "boost/asio/steady_timer.hpp"
#include "mysqlwire/connect_options.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/handshake.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/value.h"

namespace mysqlwire {

namespace asio = boost::asio;

// One result set (or the OK of a statement without one).
struct ResultSet {
  std::vector<ColumnDefinition> columns;  // Empty for statements without rows.
  std::vector<std::vector<Value>> rows;
  OkPacket ok;  // Affected rows, insert id, status, warnings, info.
};

struct PreparedStatement {
  uint32_t id = 0;
  uint16_t num_params = 0;
  std::vector<ColumnDefinition> params;
  std::vector<ColumnDefinition> columns;
};

// The head of a result: its columns, or for a statement without rows the OK.
struct ResultHead {
  std::vector<ColumnDefinition> columns;
  OkPacket ok;  // Filled when columns is empty.
  bool has_rows() const { return !columns.empty(); }
};

class Connection {
 public:
  explicit Connection(asio::any_io_executor executor);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  asio::awaitable<absl::Status> Connect(const ConnectOptions& options);

  // Text protocol, buffered: every result set of `sql` (several for
  // multi-statements and CALL).
  asio::awaitable<absl::StatusOr<std::vector<ResultSet>>> Query(
      absl::string_view sql);

  // Text protocol, incremental. StartQuery sends the statement and returns
  // the head of the first result; ReadRow yields its rows (false after the
  // last); NextResult moves to the next result while has_more_results().
  asio::awaitable<absl::StatusOr<ResultHead>> StartQuery(absl::string_view sql);
  asio::awaitable<absl::StatusOr<bool>> ReadRow(std::vector<Value>* row);
  asio::awaitable<absl::StatusOr<ResultHead>> NextResult();
  // Reads and discards whatever is left of the current command's results.
  asio::awaitable<absl::Status> DrainResults();
  // The OK/EOF that ended the last result set (affected rows of a DML
  // inside a multi-statement, status flags, warnings).
  const OkPacket& last_ok() const { return last_ok_; }
  bool has_more_results() const;

  // Binary protocol.
  asio::awaitable<absl::StatusOr<PreparedStatement>> Prepare(absl::string_view sql);
  asio::awaitable<absl::StatusOr<ResultHead>> StartExecute(
      const PreparedStatement& statement, absl::Span<const Value> params);
  asio::awaitable<absl::StatusOr<std::vector<ResultSet>>> Execute(
      const PreparedStatement& statement, absl::Span<const Value> params);
  asio::awaitable<absl::Status> CloseStatement(const PreparedStatement& statement);
  // Prepare through the per-connection cache (options.statement_cache_size;
  // with 0 it always prepares anew and the caller owns closing). The
  // statement stays valid until the next PrepareCached, ForgetCached,
  // ResetSession or close.
  asio::awaitable<absl::StatusOr<const PreparedStatement*>> PrepareCached(
      absl::string_view sql);
  // Drops a cached statement the server no longer knows (e.g. after errno
  // 1243), without telling the server.
  void ForgetCached(absl::string_view sql);
  size_t statement_cache_capacity() const { return statement_cache_capacity_; }
  asio::awaitable<absl::Status> ResetStatement(const PreparedStatement& statement);

  // Low-level access for protocols layered on a connection (replication):
  // sends one command and then yields its response packets as they come,
  // until EndRawStream(). No other command may run meanwhile.
  asio::awaitable<absl::Status> SendRawCommand(absl::string_view payload);
  // The next packet of the raw stream; the view is valid until the next read.
  asio::awaitable<absl::StatusOr<absl::string_view>> ReadRawPacket();
  // The raw stream ended cleanly (the peer sent its last packet).
  void EndRawStream();

  asio::awaitable<absl::Status> Ping();
  asio::awaitable<absl::Status> SelectDatabase(absl::string_view database);
  // COM_RESET_CONNECTION: rolls back, drops temporary tables, user variables
  // and prepared statements, keeps the authenticated session (and the
  // current database). Then re-runs the init statements.
  asio::awaitable<absl::Status> ResetSession();
  // Sends COM_QUIT and closes; the connection is unusable afterwards.
  asio::awaitable<void> Quit();
  // Closes the socket at once (any pending operation fails).
  void Close();

  // Idle and healthy: a command may be sent.
  bool usable() const { return state_ == State::kReady; }
  // Bytes already received and not yet consumed: more of the peer's
  // messages can be read without waiting.
  bool has_buffered_input() const { return read_end_ > read_start_; }
  // A command's results are still being read.
  bool in_result() const {
    return state_ == State::kReadingRows || state_ == State::kBetweenResults;
  }
  bool is_connected() const;
  uint32_t connection_id() const { return handshake_.connection_id; }
  const std::string& server_version() const { return handshake_.server_version; }
  bool is_mariadb() const { return handshake_.is_mariadb(); }
  bool is_tls() const { return tls_ != nullptr; }
  uint64_t capabilities() const { return capabilities_; }
  // Latest server status flags (in transaction, autocommit, ...).
  uint16_t status_flags() const { return status_flags_; }
  bool no_backslash_escapes() const;
  // The default database as the server last reported it (session tracking
  // follows USE statements too); empty when none is selected.
  const std::string& current_database() const { return current_database_; }
  // Whether session state (user variables, temporary tables, session
  // variables...) changed since connect or the last ResetSession, as far as
  // the server reports it (session_track_state_change).
  bool session_state_changed() const { return session_state_changed_; }
  // The authentication plugin that finally accepted us.
  const std::string& auth_plugin() const { return auth_plugin_; }

 private:
  enum class State {
    kClosed,
    kReady,         // Idle, a command may be sent.
    kReadingRows,   // A result set's rows are being read.
    kBetweenResults,  // A result ended, more results follow.
    kRawStream,     // A raw command's response stream is being read.
    kBroken,
  };
  enum class RowFormat { kText, kBinary };

  asio::awaitable<absl::Status> Handshake(const ConnectOptions& options);
  asio::awaitable<absl::Status> Authenticate(const ConnectOptions& options,
                                             std::string plugin,
                                             std::string nonce);
  asio::awaitable<absl::Status> StartTls(const ConnectOptions& options);
  asio::awaitable<absl::Status> RunInitStatements();

  // Sends one command (sequence id restarts at 0).
  asio::awaitable<absl::Status> WriteCommand(absl::string_view payload);
  // Continues the current exchange's sequence.
  asio::awaitable<absl::Status> WritePacket(absl::string_view payload);
  // Next whole message; the view is valid until the next read.
  asio::awaitable<absl::StatusOr<absl::string_view>> ReadMessage();
  asio::awaitable<absl::Status> ReadOkOrErr();
  asio::awaitable<absl::StatusOr<ResultHead>> ReadResultHead(RowFormat format);
  asio::awaitable<absl::StatusOr<std::vector<ResultSet>>> CollectResults(
      absl::StatusOr<ResultHead> head);
  // Reads `count` column definitions plus the EOF that follows them on
  // servers without CLIENT_DEPRECATE_EOF.
  asio::awaitable<absl::Status> ReadColumnDefinitions(
      uint64_t count, std::vector<ColumnDefinition>* out);
  asio::awaitable<absl::Status> ReadEof();
  // Records an OK packet: status flags and tracked session state.
  absl::Status ApplyOk(const OkPacket& ok);
  absl::Status EndResult(const OkPacket& ok);
  // Marks the connection broken (and closes the socket).
  void MarkBroken();
  // MarkBroken, passing the status through.
  absl::Status Fail(absl::Status status);
  absl::Status CheckReady(absl::string_view operation) const;

  asio::awaitable<absl::Status> WriteBuffer();
  asio::awaitable<absl::StatusOr<size_t>> ReadSome(char* data, size_t size);
  absl::Status IoError(const boost::system::error_code& ec, absl::string_view what);

  // Arms the I/O timer for `timeout` (zero: none), capped by the connect
  // deadline while connecting.
  void ArmTimer(std::chrono::milliseconds timeout);
  void DisarmTimer();

  asio::any_io_executor executor_;
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::context> ssl_context_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  asio::steady_timer timer_;
  bool timed_out_ = false;
  // An expiry handler already queued when the timer is cancelled still
  // runs: it must find out that its wait is over (a later ArmTimer or
  // DisarmTimer moved the generation on) or that the connection is gone.
  uint64_t timer_generation_ = 0;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  std::optional<std::chrono::steady_clock::time_point> connect_deadline_;
  std::chrono::milliseconds io_timeout_{0};
  size_t max_message_size_ = 0;

  State state_ = State::kClosed;
  RowFormat row_format_ = RowFormat::kText;
  std::vector<ColumnDefinition> current_columns_;
  InitialHandshake handshake_;
  uint64_t capabilities_ = 0;
  uint16_t status_flags_ = 0;
  OkPacket last_ok_;
  std::string auth_plugin_;
  std::string current_database_;
  std::vector<std::string> init_statements_;
  size_t statement_cache_capacity_ = 0;
  // Most recently used first.
  std::list<std::pair<std::string, PreparedStatement>> statement_lru_;
  absl::flat_hash_map<std::string,
                      std::list<std::pair<std::string, PreparedStatement>>::iterator>
      statement_index_;
  PreparedStatement uncached_;
  // MARIADB_CLIENT_CACHE_METADATA: the server skips a prepared statement's
  // result metadata when unchanged since it last sent it, so the latest copy
  // per statement id lives here.
  absl::flat_hash_map<uint32_t, std::vector<ColumnDefinition>> statement_columns_;
  // The statement whose execution is being read, and which result of it.
  const PreparedStatement* executing_ = nullptr;
  int result_index_ = 0;
  bool session_state_changed_ = false;

  uint8_t sequence_ = 0;
  std::string read_buffer_;
  size_t read_start_ = 0;
  size_t read_end_ = 0;
  std::string joined_;
  std::string write_buffer_;
};

}  // namespace mysqlwire

#endif  // MYSQLWIRE_CONNECTION_H_
