#include "mysqlwire/server/server_connection.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/read.hpp"
#include "boost/asio/ssl/error.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "mysqlwire/protocol/auth.h"
#include "mysqlwire/protocol/framing.h"
#include "mysqlwire/protocol/handshake.h"
#include "mysqlwire/protocol/prepare_response.h"
#include "mysqlwire/protocol/row_binary.h"
#include "mysqlwire/protocol/row_text.h"
#include "mysqlwire/protocol/server_commands.h"

namespace mysqlwire {
namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kInitialReadBuffer = 16 * 1024;
constexpr size_t kKeepBuffer = 1024 * 1024;
// A HandshakeResponse is user, auth data, schema and attributes: MySQL caps
// the attributes at 64 KiB, so anything much larger is not a client.
constexpr size_t kMaxHandshakePacket = 128 * 1024;

// What the server side offers; CLIENT_SSL and CLIENT_SESSION_TRACK are added
// by option. Not offered: compression, LOCAL INFILE, query attributes,
// optional metadata and MariaDB's extensions (we present as MySQL: with
// CLIENT_LONG_PASSWORD set, clients send no extended capabilities), and
// CLIENT_FOUND_ROWS: a gateway's backend connections are shared, so the
// affected-row count is always the changed rows.
constexpr uint64_t kServerCapabilities =
    kClientLongPassword | kClientLongFlag |
    kClientConnectWithDb | kClientNoSchema | kClientOdbc | kClientIgnoreSpace |
    kClientProtocol41 | kClientInteractive | kClientIgnoreSigpipe |
    kClientTransactions | kClientSecureConnection | kClientMultiStatements |
    kClientMultiResults | kClientPsMultiResults | kClientPluginAuth |
    kClientConnectAttrs | kClientPluginAuthLenencData | kClientDeprecateEof;

// Server error numbers sent during the connection phase.
constexpr uint16_t kErAccessDenied = 1045;
constexpr uint16_t kErHandshake = 1043;
constexpr uint16_t kErSecureTransportRequired = 3159;

const ServerError& BadHandshake() {
  static const ServerError* const kError =
      new ServerError{kErHandshake, "08S01", "Bad handshake"};
  return *kError;
}

std::string AuthMoreDataByte(char b) { return SerializeAuthMoreData(absl::string_view(&b, 1)); }

}  // namespace

ServerConnection::ServerConnection(asio::ip::tcp::socket socket)
    : socket_(std::move(socket)), timer_(socket_.get_executor()) {
  boost::system::error_code ec;
  // Responses are flushed explicitly, in whole batches: Nagle would only add
  // latency to the last packet of each.
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  asio::ip::tcp::endpoint peer = socket_.remote_endpoint(ec);
  if (!ec) peer_host_ = peer.address().to_string();
}

ServerConnection::~ServerConnection() {
  alive_.reset();
  Close();
}

bool ServerConnection::is_open() const { return socket_.is_open(); }

void ServerConnection::Cancel() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

void ServerConnection::Close() {
  timer_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  broken_ = true;
}

absl::Status ServerConnection::Fail(absl::Status status) {
  broken_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  return status;
}

absl::Status ServerConnection::CheckUsable() const {
  if (broken_) return absl::UnavailableError("MySQL client connection is closed or broken");
  return absl::OkStatus();
}

absl::Status ServerConnection::IoError(const boost::system::error_code& ec,
                                       absl::string_view what) {
  if (timed_out_) {
    return Fail(absl::DeadlineExceededError(
        absl::StrCat("MySQL client did not finish the handshake in time (", what, ")")));
  }
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated) {
    return Fail(absl::UnavailableError(
        absl::StrCat("MySQL client closed the connection (", what, ")")));
  }
  if (ec == asio::error::operation_aborted) {
    return Fail(absl::CancelledError(absl::StrCat("MySQL client ", what, " cancelled")));
  }
  return Fail(absl::UnavailableError(
      absl::StrCat("MySQL client connection failed (", what, "): ", ec.message())));
}

asio::awaitable<absl::StatusOr<size_t>> ServerConnection::ReadSome(char* data,
                                                                   size_t size) {
  auto buffer = asio::buffer(data, size);
  std::tuple<boost::system::error_code, size_t> result =
      tls_ ? co_await tls_->async_read_some(buffer, kAsTuple)
           : co_await socket_.async_read_some(buffer, kAsTuple);
  if (std::get<0>(result)) co_return IoError(std::get<0>(result), "read");
  co_return std::get<1>(result);
}

asio::awaitable<absl::Status> ServerConnection::Flush() {
  if (absl::Status s = CheckUsable(); !s.ok()) co_return s;
  if (write_buffer_.empty()) co_return absl::OkStatus();
  auto buffer = asio::buffer(write_buffer_);
  std::tuple<boost::system::error_code, size_t> result =
      tls_ ? co_await asio::async_write(*tls_, buffer, kAsTuple)
           : co_await asio::async_write(socket_, buffer, kAsTuple);
  if (std::get<0>(result)) co_return IoError(std::get<0>(result), "write");
  write_buffer_.clear();
  // One huge result must not pin its buffer for the connection's lifetime.
  if (write_buffer_.capacity() > kKeepBuffer) std::string().swap(write_buffer_);
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> ServerConnection::Append(absl::string_view payload) {
  if (absl::Status s = CheckUsable(); !s.ok()) co_return s;
  AppendFramedMessage(payload, &sequence_, &write_buffer_);
  if (write_buffer_.size() >= kFlushThreshold) co_return co_await Flush();
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> ServerConnection::WritePacket(absl::string_view payload) {
  co_return co_await Append(payload);
}

asio::awaitable<absl::StatusOr<absl::string_view>> ServerConnection::ReadMessage() {
  if (absl::Status s = CheckUsable(); !s.ok()) co_return s;
  while (true) {
    absl::string_view pending(read_buffer_.data() + read_start_,
                              read_end_ - read_start_);
    absl::StatusOr<Deframed> frame =
        Deframe(pending, &sequence_, options_.max_message_size, &joined_);
    if (!frame.ok()) co_return Fail(frame.status());
    if (frame->consumed > 0) {
      read_start_ += frame->consumed;
      co_return frame->payload;
    }
    if (read_start_ > 0) {
      std::memmove(read_buffer_.data(), read_buffer_.data() + read_start_,
                   read_end_ - read_start_);
      read_end_ -= read_start_;
      read_start_ = 0;
    }
    if (read_end_ == read_buffer_.size()) {
      read_buffer_.resize(std::max(kInitialReadBuffer, read_buffer_.size() * 2));
    }
    absl::StatusOr<size_t> n = co_await ReadSome(read_buffer_.data() + read_end_,
                                                 read_buffer_.size() - read_end_);
    if (!n.ok()) co_return n.status();
    read_end_ += *n;
  }
}

asio::awaitable<absl::StatusOr<std::string>> ServerConnection::ReadFirstPacket() {
  unsigned char header[kFrameHeaderSize];
  auto [ec, n] = co_await asio::async_read(socket_, asio::buffer(header), kAsTuple);
  if (ec) co_return IoError(ec, "read handshake response");
  (void)n;
  const size_t length = header[0] | header[1] << 8 | header[2] << 16;
  // Not Fail(): the caller still answers these with ERR "Bad handshake".
  if (header[3] != sequence_) {
    co_return ProtocolError(absl::StrCat("handshake response with sequence id ",
                                         header[3], " where ", sequence_,
                                         " was expected"));
  }
  if (length > kMaxHandshakePacket) {
    co_return ProtocolError(absl::StrCat("handshake response of ", length, " bytes"));
  }
  std::string payload(length, '\0');
  auto [ec2, n2] = co_await asio::async_read(socket_, asio::buffer(payload), kAsTuple);
  if (ec2) co_return IoError(ec2, "read handshake response");
  (void)n2;
  ++sequence_;
  co_return payload;
}

asio::awaitable<void> ServerConnection::SendErrQuietly(const ServerError& error) {
  if (broken_) co_return;
  AppendFramedMessage(SerializeErrPacket(error), &sequence_, &write_buffer_);
  absl::Status ignored = co_await Flush();
  (void)ignored;
}

asio::awaitable<absl::Status> ServerConnection::StartTls() {
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_,
                                                                   *tls_context_);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, kAsTuple);
  if (ec) {
    if (timed_out_) co_return IoError(ec, "TLS handshake");
    co_return Fail(absl::UnavailableError(
        absl::StrCat("TLS handshake with the MySQL client failed: ", ec.message())));
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<ServerHandshakeResult>> ServerConnection::Handshake(
    ServerHandshakeOptions options) {
  if (options.default_auth_plugin != kNativePasswordPlugin &&
      options.default_auth_plugin != kCachingSha2Plugin) {
    co_return absl::InvalidArgumentError(absl::StrCat(
        "unsupported default auth plugin '", options.default_auth_plugin, "'"));
  }
  if (options.require_tls && !options.tls_context) {
    co_return absl::InvalidArgumentError("require_tls without a TLS context");
  }
  if (authenticated_ || broken_) {
    co_return absl::FailedPreconditionError("Handshake on a used connection");
  }
  options_ = std::move(options);
  tls_context_ = options_.tls_context;
  status_flags_ = options_.status_flags;

  timed_out_ = false;
  timer_.expires_at(options_.deadline);
  std::weak_ptr<char> alive = alive_;
  timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    timed_out_ = true;
    // Closing (not just cancelling) also fails an operation that starts
    // after this point.
    boost::system::error_code ignored;
    socket_.close(ignored);
  });

  ServerHandshakeResult result;
  absl::Status status = co_await RunHandshake(&result);
  timer_.cancel();
  if (!status.ok()) {
    // The ERR, if any, is out; the connection is over.
    Close();
    co_return status;
  }
  authenticated_ = true;
  co_return result;
}

asio::awaitable<absl::Status> ServerConnection::RunHandshake(
    ServerHandshakeResult* result) {
  nonce_ = GenerateNonce();
  uint64_t offered = kServerCapabilities;
  if (tls_context_) offered |= kClientSsl;
  if (options_.session_track) offered |= kClientSessionTrack;

  InitialHandshake hs;
  hs.server_version = options_.server_version;
  hs.connection_id = options_.connection_id;
  hs.auth_plugin_data = nonce_;
  hs.capabilities = offered;
  hs.character_set = options_.character_set;
  hs.status_flags = options_.status_flags;
  hs.auth_plugin_name = options_.default_auth_plugin;
  sequence_ = 0;
  if (absl::Status s = co_await Append(SerializeInitialHandshake(hs)); !s.ok()) co_return s;
  if (absl::Status s = co_await Flush(); !s.ok()) co_return s;

  absl::StatusOr<std::string> first = co_await ReadFirstPacket();
  if (!first.ok()) {
    if (IsProtocolError(first.status())) co_await SendErrQuietly(BadHandshake());
    co_return first.status();
  }
  std::string response_payload = *std::move(first);
  if (response_payload.size() == kSslRequestSize) {
    const uint32_t caps = static_cast<uint8_t>(response_payload[0]) |
                          static_cast<uint8_t>(response_payload[1]) << 8 |
                          static_cast<uint8_t>(response_payload[2]) << 16 |
                          static_cast<uint32_t>(static_cast<uint8_t>(response_payload[3])) << 24;
    if (caps & kClientSsl) {
      if (!tls_context_) {
        co_await SendErrQuietly(BadHandshake());
        co_return ProtocolError("client asked for TLS, which is not offered");
      }
      if (absl::Status s = co_await StartTls(); !s.ok()) co_return s;
      absl::StatusOr<absl::string_view> message = co_await ReadMessage();
      if (!message.ok()) co_return message.status();
      response_payload = std::string(*message);
    }
  }
  if (options_.require_tls && !tls_) {
    const ServerError error{kErSecureTransportRequired, "HY000",
                            "Connections using insecure transport are prohibited while "
                            "--require_secure_transport=ON."};
    co_await SendErrQuietly(error);
    co_return absl::PermissionDeniedError("MySQL client did not use TLS, which is required");
  }
  absl::StatusOr<HandshakeResponse> response = ParseHandshakeResponse(response_payload);
  if (response.ok() && (response->capabilities & kClientSsl) && !tls_) {
    response = ProtocolError("handshake response claims TLS without an SSL request");
  }
  if (!response.ok()) {
    co_await SendErrQuietly(BadHandshake());
    co_return response.status();
  }

  capabilities_ = offered & response->capabilities;
  result->user = response->username;
  result->database = (capabilities_ & kClientConnectWithDb) ? response->database : "";
  result->client_capabilities = response->capabilities;
  result->capabilities = capabilities_;
  result->character_set = response->character_set;
  result->max_packet_size = response->max_packet_size;
  result->attributes = std::move(response->attributes);
  result->tls = tls_ != nullptr;

  std::string plugin = (capabilities_ & kClientPluginAuth)
                           ? response->auth_plugin_name
                           : std::string(kNativePasswordPlugin);
  co_return co_await Authenticate(response->username, std::move(plugin),
                                  std::move(response->auth_response),
                                  &result->auth_plugin);
}

asio::awaitable<absl::Status> ServerConnection::DenyAccess(const std::string& user,
                                                           bool used_password,
                                                           absl::string_view detail) {
  const std::string& host = options_.client_host.empty() ? peer_host_ : options_.client_host;
  ServerError error{kErAccessDenied, "28000",
                    absl::StrCat("Access denied for user '", user, "'@'", host,
                                 "' (using password: ", used_password ? "YES" : "NO", ")")};
  if (!broken_) {
    absl::Status s = co_await Append(SerializeErrPacket(error));
    if (s.ok()) s = co_await Flush();
    (void)s;  // The denial is what the caller needs to hear about.
  }
  absl::Status status(absl::StatusCode::kPermissionDenied,
                      absl::StrCat(error.message, ": ", detail));
  ServerErrorStatus(error).ForEachPayload(
      [&status](absl::string_view url, const absl::Cord& payload) {
        status.SetPayload(url, payload);
      });
  co_return status;
}

asio::awaitable<absl::Status> ServerConnection::Authenticate(
    const std::string& user, std::string client_plugin, std::string response,
    std::string* plugin_used) {
  if (client_plugin.empty()) client_plugin = std::string(kNativePasswordPlugin);
  absl::StatusOr<Credentials> credentials =
      options_.lookup ? options_.lookup(user)
                      : absl::NotFoundError("no credential lookup configured");
  if (!credentials.ok()) {
    const std::string detail = absl::StrCat("account lookup: ", credentials.status().ToString());
    co_return co_await DenyAccess(user, !response.empty(), detail);
  }
  const bool has_native = credentials->native_password_hash.has_value();
  const bool has_sha2 = credentials->caching_sha2_hash.has_value();
  if (!has_native && !has_sha2) {
    co_return co_await DenyAccess(user, !response.empty(), "account has no password hash");
  }
  // caching_sha2_password can always check a password against the native
  // hash through full authentication, provided the password can travel.
  const bool sha2_usable = has_sha2 || tls_ != nullptr || options_.rsa_key != nullptr;

  // Keep the client's plugin when the account can be checked with it, as
  // MySQL does; otherwise switch to one that can.
  std::string plugin;
  if (client_plugin == kNativePasswordPlugin && has_native) {
    plugin = client_plugin;
  } else if (client_plugin == kCachingSha2Plugin && sha2_usable) {
    plugin = client_plugin;
  } else if (options_.default_auth_plugin == kCachingSha2Plugin && sha2_usable) {
    plugin = std::string(kCachingSha2Plugin);
  } else if (has_native) {
    plugin = std::string(kNativePasswordPlugin);
  } else {
    plugin = std::string(kCachingSha2Plugin);
  }

  // A client whose plugin is not the greeting's may answer without any
  // scramble (libmariadb does) and wait to be switched to its own plugin,
  // as MySQL does; the switch hands it that plugin's data.
  const bool client_waits = plugin == client_plugin &&
                            client_plugin != options_.default_auth_plugin && response.empty();
  const bool switched = plugin != client_plugin || client_waits;
  if (switched) {
    if (!(capabilities_ & kClientPluginAuth)) {
      co_return co_await DenyAccess(user, !response.empty(),
                                    "client cannot switch authentication plugins");
    }
    // The same nonce as in the greeting, as MySQL does: COM_CHANGE_USER
    // responses are computed from the greeting's nonce whatever happened
    // since.
    // Built before the co_await: GCC 12 destroys brace-initialised
    // temporaries inside co_await expressions twice.
    const AuthSwitchRequest request{plugin, nonce_ + '\0'};
    const std::string packet = SerializeAuthSwitchRequest(request);
    absl::Status s = co_await Append(packet);
    if (s.ok()) s = co_await Flush();
    if (!s.ok()) co_return s;
    absl::StatusOr<absl::string_view> reply = co_await ReadMessage();
    if (!reply.ok()) co_return reply.status();
    response = std::string(*reply);
  }
  *plugin_used = plugin;

  bool accepted = false;
  std::string detail = "wrong password";
  if (plugin == kNativePasswordPlugin) {
    accepted = VerifyNativePassword(*credentials->native_password_hash, nonce_, response);
  } else {
    absl::StatusOr<bool> r = co_await CachingSha2Exchange(*credentials, response, switched,
                                                          &detail);
    if (!r.ok()) co_return r.status();
    accepted = *r;
  }
  if (!accepted) co_return co_await DenyAccess(user, !response.empty(), detail);

  OkPacket ok;
  ok.status_flags = status_flags_;
  absl::Status s = co_await Append(SerializeOkPacket(ok, capabilities_));
  if (s.ok()) s = co_await Flush();
  co_return s;
}

asio::awaitable<absl::StatusOr<bool>> ServerConnection::CachingSha2Exchange(
    const Credentials& credentials, const std::string& response, bool switched,
    std::string* detail) {
  const std::optional<std::string>& sha2 = credentials.caching_sha2_hash;
  const std::optional<std::string>& native = credentials.native_password_hash;
  if (response.empty()) {
    // An empty password is settled at once: MySQL sends no AuthMoreData, and
    // PyMySQL would answer one with a stray packet.
    co_return (sha2 && VerifyCachingSha2Scramble(*sha2, nonce_, "")) ||
        (native && VerifyNativePassword(*native, nonce_, ""));
  }
  if (sha2 && (VerifyCachingSha2Scramble(*sha2, nonce_, response) ||
               (switched && VerifyCachingSha2Scramble(*sha2, nonce_ + '\0', response)))) {
    const std::string packet = AuthMoreDataByte(kCachingSha2FastAuthOk);
    absl::Status s = co_await Append(packet);
    if (!s.ok()) co_return s;
    co_return true;
  }
  // No usable cache entry, or a wrong scramble: full authentication, as MySQL
  // does. It needs the password itself, over TLS or RSA-encrypted.
  if (!tls_ && !options_.rsa_key) {
    *detail = "caching_sha2_password full authentication needs TLS or an RSA key";
    co_return false;
  }
  const std::string full_auth = AuthMoreDataByte(kCachingSha2PerformFullAuth);
  absl::Status s = co_await Append(full_auth);
  if (s.ok()) s = co_await Flush();
  if (!s.ok()) co_return s;
  absl::StatusOr<absl::string_view> reply = co_await ReadMessage();
  if (!reply.ok()) co_return reply.status();
  std::string data(*reply);
  if (data.size() == 1 && data[0] == kCachingSha2RequestPublicKey) {
    if (!options_.rsa_key) {
      *detail = "client asked for the RSA public key and none is configured";
      co_return false;
    }
    const std::string key_packet = SerializeAuthMoreData(options_.rsa_key->public_key_pem());
    s = co_await Append(key_packet);
    if (s.ok()) s = co_await Flush();
    if (!s.ok()) co_return s;
    reply = co_await ReadMessage();
    if (!reply.ok()) co_return reply.status();
    data = std::string(*reply);
  }
  // Over plain TCP only the RSA form is accepted: a clear password there
  // would already have been exposed, but accepting it would invite it.
  absl::StatusOr<std::string> password = tls_ ? ParseClearTextPassword(data)
                                              : options_.rsa_key->DecryptPassword(data, nonce_);
  if (!password.ok()) {
    *detail = std::string(password.status().message());
    co_return false;
  }
  co_return (sha2 && VerifyPasswordAgainstCachingSha2Hash(*sha2, *password)) ||
      (native && VerifyPasswordAgainstNativeHash(*native, *password));
}

asio::awaitable<absl::StatusOr<ServerHandshakeResult>> ServerConnection::ChangeUser(
    absl::string_view payload) {
  if (!authenticated_) {
    co_return absl::FailedPreconditionError("ChangeUser before a successful Handshake");
  }
  if (absl::Status s = CheckUsable(); !s.ok()) co_return s;
  absl::StatusOr<ChangeUserRequest> request = ParseChangeUser(payload, capabilities_);
  if (!request.ok()) {
    co_await SendErrQuietly(BadHandshake());
    co_return Fail(request.status());
  }
  ServerHandshakeResult result;
  result.user = request->username;
  result.database = request->database;
  result.client_capabilities = capabilities_;
  result.capabilities = capabilities_;
  result.character_set = static_cast<uint8_t>(request->character_set);
  result.attributes = std::move(request->attributes);
  result.tls = tls_ != nullptr;
  absl::Status s = co_await Authenticate(request->username,
                                         std::move(request->auth_plugin_name),
                                         std::move(request->auth_response),
                                         &result.auth_plugin);
  if (!s.ok()) co_return s;
  co_return result;
}

asio::awaitable<absl::StatusOr<ClientCommand>> ServerConnection::ReadCommand() {
  if (!authenticated_) {
    co_return absl::FailedPreconditionError("ReadCommand before a successful Handshake");
  }
  if (absl::Status s = co_await Flush(); !s.ok()) co_return s;
  in_result_set_ = false;
  columns_.clear();
  sequence_ = 0;
  // A large previous command may have grown the buffers; give them back.
  if (read_start_ == read_end_ && read_buffer_.size() > kKeepBuffer) {
    std::string().swap(read_buffer_);
    std::string().swap(joined_);
    read_start_ = read_end_ = 0;
  }
  absl::StatusOr<absl::string_view> message = co_await ReadMessage();
  if (!message.ok()) co_return message.status();
  if (message->empty()) co_return Fail(ProtocolError("empty command packet"));
  co_return ClientCommand{static_cast<uint8_t>((*message)[0]), *message};
}

asio::awaitable<absl::Status> ServerConnection::WriteOk(const OkPacket& ok) {
  status_flags_ = ok.status_flags;
  in_result_set_ = false;
  co_return co_await Append(SerializeOkPacket(ok, capabilities_));
}

asio::awaitable<absl::Status> ServerConnection::WriteErr(const ServerError& error) {
  in_result_set_ = false;
  co_return co_await Append(SerializeErrPacket(error));
}

asio::awaitable<absl::Status> ServerConnection::BeginResultSet(
    absl::Span<const ColumnDefinition> columns) {
  if (columns.empty()) {
    co_return absl::InvalidArgumentError(
        "a result set needs at least one column (send an OK instead)");
  }
  if (in_result_set_) {
    co_return absl::FailedPreconditionError("the previous result set was not ended");
  }
  columns_.assign(columns.begin(), columns.end());
  absl::Status s = co_await Append(SerializeColumnCount(columns.size()));
  for (const ColumnDefinition& c : columns_) {
    if (!s.ok()) co_return s;
    s = co_await Append(SerializeColumnDefinition(c));
  }
  if (s.ok() && !deprecate_eof()) {
    const EofPacket eof{0, status_flags_};
    const std::string packet = SerializeEofPacket(eof);
    s = co_await Append(packet);
  }
  if (s.ok()) in_result_set_ = true;
  co_return s;
}

asio::awaitable<absl::Status> ServerConnection::WriteTextRow(absl::Span<const Value> row) {
  if (!in_result_set_) co_return absl::FailedPreconditionError("no result set is open");
  if (row.size() != columns_.size()) {
    co_return absl::InvalidArgumentError(absl::StrCat(
        "row of ", row.size(), " values for ", columns_.size(), " columns"));
  }
  co_return co_await Append(SerializeTextRow(row, columns_));
}

asio::awaitable<absl::Status> ServerConnection::WriteBinaryRow(absl::Span<const Value> row) {
  if (!in_result_set_) co_return absl::FailedPreconditionError("no result set is open");
  if (row.size() != columns_.size()) {
    co_return absl::InvalidArgumentError(absl::StrCat(
        "row of ", row.size(), " values for ", columns_.size(), " columns"));
  }
  absl::StatusOr<std::string> payload = SerializeBinaryRow(row, columns_);
  if (!payload.ok()) co_return payload.status();
  co_return co_await Append(*payload);
}

asio::awaitable<absl::Status> ServerConnection::WriteRawRow(absl::string_view payload) {
  if (!in_result_set_) co_return absl::FailedPreconditionError("no result set is open");
  co_return co_await Append(payload);
}

asio::awaitable<absl::Status> ServerConnection::EndResultSet(const OkPacket& ok) {
  if (!in_result_set_) co_return absl::FailedPreconditionError("no result set is open");
  in_result_set_ = false;
  status_flags_ = ok.status_flags;
  if (deprecate_eof()) {
    co_return co_await Append(SerializeOkPacket(ok, capabilities_, kEofHeader));
  }
  const EofPacket eof{ok.warnings, ok.status_flags};
  const std::string packet = SerializeEofPacket(eof);
  co_return co_await Append(packet);
}

asio::awaitable<absl::Status> ServerConnection::WritePrepareOk(
    uint32_t statement_id, absl::Span<const ColumnDefinition> params,
    absl::Span<const ColumnDefinition> columns, uint16_t warnings) {
  absl::StatusOr<std::vector<std::string>> packets = SerializePrepareResponse(
      statement_id, params, columns, warnings, status_flags_, capabilities_);
  if (!packets.ok()) co_return packets.status();
  for (const std::string& packet : *packets) {
    if (absl::Status s = co_await Append(packet); !s.ok()) co_return s;
  }
  co_return absl::OkStatus();
}

}  // namespace mysqlwire
