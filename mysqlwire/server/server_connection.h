// The server side of one MySQL-protocol connection on Boost.Asio: what a
// MySQL-protocol listener needs to talk to unmodified clients (mariadb CLI,
// libmariadb/libmysqlclient, PyMySQL, mysql2...).
//
// Every operation is a C++20 coroutine returning absl::Status(Or); nothing
// throws. One operation at a time, on the socket's executor. After a
// transport or protocol failure the connection is broken and every later
// operation fails fast; the caller closes it.
//
// Typical use:
//   ServerConnection conn(std::move(accepted_socket));
//   auto hs = co_await conn.Handshake(options);   // bounded by a deadline
//   while (true) {
//     auto cmd = co_await conn.ReadCommand();     // flushes pending output
//     switch (cmd->command()) {
//       case Command::kQuery:
//         co_await conn.BeginResultSet(columns);
//         for (...) co_await conn.WriteTextRow(row);
//         co_await conn.EndResultSet(ok);
//       ...
//     }
//   }
// Responses are buffered: writes only append to a buffer, which is sent when
// it passes kFlushThreshold (so a large result streams with bounded memory),
// on Flush(), and before ReadCommand waits for the next command. Timeouts
// after the handshake are the caller's: Cancel() or Close() interrupt any
// pending operation.
#ifndef MYSQLWIRE_SERVER_SERVER_CONNECTION_H_
#define MYSQLWIRE_SERVER_SERVER_CONNECTION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/asio/ssl/stream.hpp"
#include "boost/asio/steady_timer.hpp"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/server_auth.h"
#include "mysqlwire/value.h"

namespace mysqlwire {

namespace asio = boost::asio;

// What the server knows of an account's password. At least one hash must be
// set for the account to log in.
struct Credentials {
  // SHA1(SHA1(password)): ComputeNativePasswordHash, or
  // ParseNativePasswordHash of mysql.user's "*HEX" text.
  std::optional<std::string> native_password_hash;
  // SHA256(SHA256(password)): ComputeCachingSha2Hash. It is what lets
  // caching_sha2_password take its fast path (MySQL's in-memory cache entry);
  // without it that plugin always performs full authentication, which needs
  // TLS or an RSA key, and checks the password against the native hash.
  std::optional<std::string> caching_sha2_hash;
};

// Looks an account up by user name: its Credentials, or NOT_FOUND. Any error
// denies access (the client sees the same ERR 1045 either way). Called
// synchronously on the connection's executor, so it must answer from memory
// (or a cache), not block on I/O.
using CredentialLookup =
    std::function<absl::StatusOr<Credentials>(const std::string& user)>;

struct ServerHandshakeOptions {
  std::string server_version = "8.0.36-mysqlgw";
  uint32_t connection_id = 0;
  uint8_t character_set = 45;  // utf8mb4_general_ci, known to every client.
  uint16_t status_flags = kServerStatusAutocommit;
  // mysql_native_password or caching_sha2_password: announced in the
  // greeting and used when the client names neither.
  std::string default_auth_plugin = "mysql_native_password";
  // TLS is offered (CLIENT_SSL) when set; must outlive the connection's TLS
  // use, hence shared.
  std::shared_ptr<asio::ssl::context> tls_context;
  // Refuse clients that do not switch to TLS (ERR 3159). Needs tls_context.
  bool require_tls = false;
  // Enables caching_sha2_password full authentication over plain TCP, and
  // serving the public key to clients that ask for it.
  std::shared_ptr<const RsaPasswordKey> rsa_key;
  // Offer CLIENT_SESSION_TRACK (OK packets then carry info as lenenc and may
  // carry session state the caller puts in OkPacket::session_state).
  bool session_track = false;
  CredentialLookup lookup;
  // The whole handshake (greeting to final OK/ERR, TLS included) must be over
  // by then, or it fails with DEADLINE_EXCEEDED and the socket is closed.
  // Set it per connection: the default counts from the options' creation.
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  // Largest client message accepted (commands included).
  size_t max_message_size = 64 * 1024 * 1024;
  // Host shown in "Access denied for user 'u'@'host'"; the peer's address
  // when empty.
  std::string client_host;
};

struct ServerHandshakeResult {
  std::string user;
  std::string database;              // Empty unless CLIENT_CONNECT_WITH_DB.
  uint64_t client_capabilities = 0;  // As the client announced them.
  uint64_t capabilities = 0;         // Negotiated: what both sides use.
  uint8_t character_set = 0;
  uint32_t max_packet_size = 0;
  std::vector<std::pair<std::string, std::string>> attributes;
  bool tls = false;
  std::string auth_plugin;  // The plugin that authenticated the client.
};

// One client command. `payload` is the whole message, command byte included
// (the server_commands.h and statement.h parsers take it as is); it stays
// valid until the next ReadCommand.
struct ClientCommand {
  uint8_t command_byte = 0;
  absl::string_view payload;
  Command command() const { return static_cast<Command>(command_byte); }
  absl::string_view argument() const { return payload.substr(1); }
};

class ServerConnection {
 public:
  // Output is sent once this much is buffered.
  static constexpr size_t kFlushThreshold = 64 * 1024;

  explicit ServerConnection(asio::ip::tcp::socket socket);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // Greeting, optional TLS upgrade, HandshakeResponse, authentication (with
  // auth switch between mysql_native_password and caching_sha2_password) and
  // the final OK. On failure the client has been sent an ERR where the
  // protocol allows one: 1045/28000 for any authentication failure (unknown
  // user, wrong password, lookup error, full authentication impossible),
  // 1043/08S01 for a malformed handshake, 3159 when TLS is required. The
  // returned status then says what really happened (PERMISSION_DENIED for
  // authentication, with the ERR as a server-error payload), and the socket
  // is closed.
  asio::awaitable<absl::StatusOr<ServerHandshakeResult>> Handshake(
      ServerHandshakeOptions options);

  // Answers a COM_CHANGE_USER (`payload` as ReadCommand returned it):
  // authenticates the new user with the Handshake's options and nonce and
  // sends OK, or ERR 1045 (the connection stays usable; the caller should
  // then treat it as unauthenticated). Returns the new identity.
  asio::awaitable<absl::StatusOr<ServerHandshakeResult>> ChangeUser(
      absl::string_view payload);

  // Flushes pending output, then waits for the next command; sequence ids
  // restart. UNAVAILABLE when the client disconnected.
  asio::awaitable<absl::StatusOr<ClientCommand>> ReadCommand();

  // Responses to the current command. `ok.status_flags` should carry the
  // session's status (autocommit, in transaction) and, between the results of
  // a multi-statement, kServerMoreResultsExists.
  asio::awaitable<absl::Status> WriteOk(const OkPacket& ok);
  asio::awaitable<absl::Status> WriteErr(const ServerError& error);

  // A result set: the column count and definitions (plus EOF without
  // CLIENT_DEPRECATE_EOF), rows, then the terminator: an OK with the 0xFE
  // header under CLIENT_DEPRECATE_EOF, else an EOF with ok's warnings and
  // status flags. A row of the wrong width, or a binary row whose values do
  // not fit their columns, is INVALID_ARGUMENT and nothing is written (the
  // caller may still end the result with WriteErr).
  asio::awaitable<absl::Status> BeginResultSet(
      absl::Span<const ColumnDefinition> columns);
  asio::awaitable<absl::Status> WriteTextRow(absl::Span<const Value> row);
  asio::awaitable<absl::Status> WriteBinaryRow(absl::Span<const Value> row);
  // A row already encoded (e.g. relayed from a backend) for the current
  // result set.
  asio::awaitable<absl::Status> WriteRawRow(absl::string_view payload);
  asio::awaitable<absl::Status> EndResultSet(const OkPacket& ok);

  // COM_STMT_PREPARE_OK and the parameter and column definitions.
  asio::awaitable<absl::Status> WritePrepareOk(
      uint32_t statement_id, absl::Span<const ColumnDefinition> params,
      absl::Span<const ColumnDefinition> columns, uint16_t warnings = 0);

  // Any other packet of the current exchange (framed, next sequence id).
  asio::awaitable<absl::Status> WritePacket(absl::string_view payload);
  // Sends everything buffered.
  asio::awaitable<absl::Status> Flush();

  // Aborts the pending operation (it fails; the connection is then broken).
  void Cancel();
  // Closes the socket; pending output is dropped.
  void Close();

  bool is_open() const;
  bool is_tls() const { return tls_ != nullptr; }
  bool broken() const { return broken_; }
  // Negotiated capabilities (valid after Handshake).
  uint64_t capabilities() const { return capabilities_; }
  bool deprecate_eof() const { return (capabilities_ & kClientDeprecateEof) != 0; }
  // Latest status flags sent in an OK/EOF (initially the handshake's).
  uint16_t status_flags() const { return status_flags_; }
  // The peer's address, or empty if the socket has none.
  const std::string& peer_host() const { return peer_host_; }
  size_t buffered_output() const { return write_buffer_.size(); }

 private:
  // Authenticates `user`, whose client used `client_plugin` with `response`
  // against nonce_; sends the final OK or ERR. Shared by the handshake and
  // COM_CHANGE_USER.
  asio::awaitable<absl::Status> Authenticate(const std::string& user,
                                             std::string client_plugin,
                                             std::string response,
                                             std::string* plugin_used);
  asio::awaitable<absl::StatusOr<bool>> CachingSha2Exchange(
      const Credentials& credentials, const std::string& response,
      bool switched, std::string* detail);
  asio::awaitable<absl::Status> DenyAccess(const std::string& user,
                                           bool used_password,
                                           absl::string_view detail);
  asio::awaitable<absl::Status> RunHandshake(ServerHandshakeResult* result);
  asio::awaitable<absl::Status> StartTls();

  // Reads exactly one packet without reading past it: before TLS starts, the
  // bytes after the SSL request belong to the TLS handshake.
  asio::awaitable<absl::StatusOr<std::string>> ReadFirstPacket();
  // Next whole message; the view is valid until the next read.
  asio::awaitable<absl::StatusOr<absl::string_view>> ReadMessage();
  // Appends a framed message and flushes past the threshold.
  asio::awaitable<absl::Status> Append(absl::string_view payload);
  // Best-effort ERR during the handshake, for a client about to be dropped.
  asio::awaitable<void> SendErrQuietly(const ServerError& error);

  asio::awaitable<absl::StatusOr<size_t>> ReadSome(char* data, size_t size);
  absl::Status IoError(const boost::system::error_code& ec, absl::string_view what);
  absl::Status Fail(absl::Status status);
  absl::Status CheckUsable() const;

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  bool timed_out_ = false;
  // Lets a timer handler that runs after destruction notice it.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  std::shared_ptr<asio::ssl::context> tls_context_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  ServerHandshakeOptions options_;
  std::string peer_host_;
  std::string nonce_;
  uint64_t capabilities_ = 0;
  uint16_t status_flags_ = 0;
  bool broken_ = false;
  bool authenticated_ = false;

  std::vector<ColumnDefinition> columns_;
  bool in_result_set_ = false;

  uint8_t sequence_ = 0;
  std::string read_buffer_;
  size_t read_start_ = 0;
  size_t read_end_ = 0;
  std::string joined_;
  std::string write_buffer_;
};

}  // namespace mysqlwire

#endif  // MYSQLWIRE_SERVER_SERVER_CONNECTION_H_
