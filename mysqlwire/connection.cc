#include "mysqlwire/connection.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/connect.hpp"
#include "boost/asio/read.hpp"
#include "boost/asio/ssl/host_name_verification.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/auth.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/commands.h"
#include "mysqlwire/protocol/ed25519_auth.h"
#include "mysqlwire/protocol/framing.h"
#include "mysqlwire/protocol/row_binary.h"
#include "mysqlwire/protocol/row_text.h"
#include "mysqlwire/protocol/session_state.h"
#include "mysqlwire/protocol/statement.h"

namespace mysqlwire {
namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kInitialReadBuffer = 16 * 1024;
constexpr size_t kKeepReadBuffer = 1024 * 1024;

constexpr uint64_t kWantedCapabilities =
    kClientLongPassword | kClientLongFlag | kClientProtocol41 |
    kClientTransactions | kClientSecureConnection | kClientMultiResults |
    kClientPsMultiResults | kClientPluginAuth | kClientPluginAuthLenencData |
    kClientConnectAttrs | kClientDeprecateEof | kClientSessionTrack;

uint8_t FirstByte(absl::string_view payload) {
  return payload.empty() ? 0 : static_cast<uint8_t>(payload[0]);
}

absl::StatusOr<ServerError> ErrFrom(absl::string_view payload) {
  return ParseErrPacket(payload);
}

// The response to the server's auth method, for the first round.
absl::StatusOr<std::string> InitialAuthResponse(absl::string_view plugin,
                                                const ConnectOptions& options,
                                                absl::string_view nonce,
                                                bool tls) {
  if (plugin == kNativePasswordPlugin || plugin.empty()) {
    return NativePasswordScramble(options.password, nonce);
  }
  if (plugin == kCachingSha2Plugin) {
    return CachingSha2Scramble(options.password, nonce);
  }
  if (plugin == kSha256Plugin) {
    if (options.password.empty()) return std::string(1, '\0');
    if (tls) return options.password + std::string(1, '\0');
    if (!options.server_public_key_pem.empty()) {
      return RsaEncryptPassword(options.password, nonce,
                                options.server_public_key_pem);
    }
    if (options.allow_public_key_retrieval) return std::string(1, '\1');
    return absl::FailedPreconditionError(
        "sha256_password without TLS needs the server's public key "
        "(server_public_key_pem or allow_public_key_retrieval)");
  }
  if (plugin == kEd25519Plugin) {
    if (nonce.size() < 32) return ProtocolError("client_ed25519: nonce shorter than 32 bytes");
    return Ed25519Sign(options.password, nonce.substr(0, 32));
  }
  if (plugin == kClearPasswordPlugin) {
    if (!tls) {
      return absl::FailedPreconditionError(
          "refusing to send a clear-text password without TLS");
    }
    return options.password + std::string(1, '\0');
  }
  return absl::UnimplementedError(
      absl::StrCat("authentication plugin '", plugin, "' is not supported"));
}

}  // namespace

Connection::Connection(asio::any_io_executor executor)
    : executor_(executor), socket_(executor), timer_(executor) {}

Connection::~Connection() { Close(); }

bool Connection::is_connected() const { return socket_.is_open(); }

bool Connection::has_more_results() const {
  return state_ == State::kBetweenResults;
}

bool Connection::no_backslash_escapes() const {
  return (status_flags_ & kServerStatusNoBackslashEscapes) != 0;
}

void Connection::ArmTimer(std::chrono::milliseconds timeout) {
  timed_out_ = false;
  // While connecting, the connect deadline bounds every step as a whole.
  std::optional<std::chrono::steady_clock::time_point> expiry = connect_deadline_;
  if (timeout.count() > 0) {
    auto io_expiry = std::chrono::steady_clock::now() + timeout;
    if (!expiry.has_value() || io_expiry < *expiry) expiry = io_expiry;
  }
  if (!expiry.has_value()) return;
  timer_.expires_at(*expiry);
  const uint64_t generation = ++timer_generation_;
  std::weak_ptr<char> alive = alive_;
  timer_.async_wait([this, alive, generation](const boost::system::error_code& ec) {
    // Only a real expiry of the current wait touches the connection: a
    // handler queued just before a cancel runs anyway, possibly after the
    // connection is gone or during its next operation.
    if (ec || alive.expired() || generation != timer_generation_) return;
    timed_out_ = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  });
}

void Connection::DisarmTimer() {
  ++timer_generation_;
  timer_.cancel();
}

void Connection::MarkBroken() {
  state_ = State::kBroken;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

absl::Status Connection::Fail(absl::Status status) {
  MarkBroken();
  return status;
}

absl::Status Connection::IoError(const boost::system::error_code& ec,
                                 absl::string_view what) {
  if (timed_out_) {
    return Fail(absl::DeadlineExceededError(
        absl::StrCat("MySQL server did not answer in time (", what, ")")));
  }
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe) {
    return Fail(absl::UnavailableError(
        absl::StrCat("MySQL server closed the connection (", what, ")")));
  }
  if (ec == asio::error::operation_aborted && state_ == State::kClosed) {
    return absl::CancelledError("connection closed");
  }
  return Fail(absl::UnavailableError(
      absl::StrCat("MySQL connection failed (", what, "): ", ec.message())));
}

absl::Status Connection::CheckReady(absl::string_view operation) const {
  switch (state_) {
    case State::kReady:
      return absl::OkStatus();
    case State::kClosed:
      return absl::FailedPreconditionError(
          absl::StrCat(operation, ": connection is not open"));
    case State::kBroken:
      return absl::UnavailableError(
          absl::StrCat(operation, ": connection is broken"));
    case State::kReadingRows:
    case State::kBetweenResults:
      return absl::FailedPreconditionError(
          absl::StrCat(operation, ": the previous result was not fully read"));
    case State::kRawStream:
      return absl::FailedPreconditionError(
          absl::StrCat(operation, ": the connection is streaming (replication)"));
  }
  return absl::InternalError("unknown connection state");
}

asio::awaitable<absl::StatusOr<size_t>> Connection::ReadSome(char* data,
                                                             size_t size) {
  auto buffer = asio::buffer(data, size);
  std::tuple<boost::system::error_code, size_t> result =
      tls_ ? co_await tls_->async_read_some(buffer, kAsTuple)
           : co_await socket_.async_read_some(buffer, kAsTuple);
  if (std::get<0>(result)) co_return IoError(std::get<0>(result), "read");
  if (timed_out_) co_return IoError(asio::error::timed_out, "read");
  co_return std::get<1>(result);
}

asio::awaitable<absl::Status> Connection::WriteBuffer() {
  auto buffer = asio::buffer(write_buffer_);
  std::tuple<boost::system::error_code, size_t> result =
      tls_ ? co_await asio::async_write(*tls_, buffer, kAsTuple)
           : co_await asio::async_write(socket_, buffer, kAsTuple);
  if (std::get<0>(result)) co_return IoError(std::get<0>(result), "write");
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Connection::WritePacket(absl::string_view payload) {
  write_buffer_.clear();
  AppendFramedMessage(payload, &sequence_, &write_buffer_);
  ArmTimer(io_timeout_);
  absl::Status status = co_await WriteBuffer();
  DisarmTimer();
  co_return status;
}

asio::awaitable<absl::Status> Connection::WriteCommand(absl::string_view payload) {
  sequence_ = 0;
  // A large previous message may have grown the buffer; give it back.
  if (read_start_ == read_end_ && read_buffer_.size() > kKeepReadBuffer) {
    std::string().swap(read_buffer_);
    std::string().swap(joined_);
    read_start_ = read_end_ = 0;
  }
  co_return co_await WritePacket(payload);
}

asio::awaitable<absl::StatusOr<absl::string_view>> Connection::ReadMessage() {
  while (true) {
    absl::string_view pending(read_buffer_.data() + read_start_,
                              read_end_ - read_start_);
    absl::StatusOr<Deframed> frame =
        Deframe(pending, &sequence_, max_message_size_, &joined_);
    if (!frame.ok()) co_return Fail(frame.status());
    if (frame->consumed > 0) {
      read_start_ += frame->consumed;
      co_return frame->payload;
    }
    // Need more bytes: make room at the end, moving the partial message to
    // the front first so the buffer only grows for messages that need it.
    if (read_start_ > 0) {
      std::memmove(read_buffer_.data(), read_buffer_.data() + read_start_,
                   read_end_ - read_start_);
      read_end_ -= read_start_;
      read_start_ = 0;
    }
    if (read_end_ == read_buffer_.size()) {
      read_buffer_.resize(std::max(kInitialReadBuffer, read_buffer_.size() * 2));
    }
    ArmTimer(io_timeout_);
    absl::StatusOr<size_t> n = co_await ReadSome(read_buffer_.data() + read_end_,
                                                 read_buffer_.size() - read_end_);
    DisarmTimer();
    if (!n.ok()) co_return n.status();
    read_end_ += *n;
  }
}

asio::awaitable<absl::Status> Connection::Connect(const ConnectOptions& options) {
  if (state_ != State::kClosed) {
    co_return absl::FailedPreconditionError("Connect on a used connection");
  }
  max_message_size_ = options.max_message_size;
  io_timeout_ = options.io_timeout;
  connect_deadline_ = std::chrono::steady_clock::now() + options.connect_timeout;
  absl::Cleanup end_connect = [this] { connect_deadline_.reset(); };
  ArmTimer(std::chrono::milliseconds(0));

  asio::ip::tcp::resolver resolver(executor_);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(
      options.host, std::to_string(options.port), kAsTuple);
  if (resolve_ec) {
    DisarmTimer();
    co_return absl::UnavailableError(absl::StrCat(
        "cannot resolve MySQL host '", options.host, "': ", resolve_ec.message()));
  }
  auto [connect_ec, endpoint] =
      co_await asio::async_connect(socket_, endpoints, kAsTuple);
  if (connect_ec || timed_out_) {
    DisarmTimer();
    absl::Status status = IoError(connect_ec, absl::StrCat("connect to ", options.host,
                                                           ":", options.port));
    state_ = State::kBroken;
    co_return status;
  }
  (void)endpoint;
  socket_.set_option(asio::ip::tcp::no_delay(true));

  absl::Status status = co_await Handshake(options);
  DisarmTimer();
  if (!status.ok()) {
    MarkBroken();
    co_return status;
  }
  state_ = State::kReady;
  init_statements_ = options.init_statements;
  statement_cache_capacity_ = options.statement_cache_size;
  co_return co_await RunInitStatements();
}

asio::awaitable<absl::Status> Connection::RunInitStatements() {
  for (const std::string& sql : init_statements_) {
    absl::StatusOr<std::vector<ResultSet>> r = co_await Query(sql);
    if (!r.ok()) co_return Fail(r.status());
  }
  // The baseline itself is not a change callers made.
  session_state_changed_ = false;
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Connection::StartTls(const ConnectOptions& options) {
  ssl_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  ssl_context_->set_options(asio::ssl::context::default_workarounds |
                            asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 |
                            asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
  const std::string server_name =
      options.ssl_server_name.empty() ? options.host : options.ssl_server_name;
  const bool verify = options.ssl_mode == SslMode::kVerifyCa ||
                      options.ssl_mode == SslMode::kVerifyIdentity;
  if (verify) {
    boost::system::error_code ec;
    if (options.ssl_ca_file.empty()) {
      ssl_context_->set_default_verify_paths(ec);
    } else {
      ssl_context_->load_verify_file(options.ssl_ca_file, ec);
    }
    if (ec) {
      co_return absl::InvalidArgumentError(absl::StrCat(
          "cannot load CA file '", options.ssl_ca_file, "': ", ec.message()));
    }
    ssl_context_->set_verify_mode(asio::ssl::verify_peer);
  } else {
    ssl_context_->set_verify_mode(asio::ssl::verify_none);
  }
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_,
                                                                   *ssl_context_);
  if (options.ssl_mode == SslMode::kVerifyIdentity) {
    tls_->set_verify_callback(asio::ssl::host_name_verification(server_name));
  }
  SSL_set_tlsext_host_name(tls_->native_handle(), server_name.c_str());
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, kAsTuple);
  if (ec) {
    if (timed_out_) co_return IoError(ec, "TLS handshake");
    co_return Fail(absl::UnavailableError(
        absl::StrCat("TLS handshake with the MySQL server failed: ", ec.message())));
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Connection::Handshake(const ConnectOptions& options) {
  sequence_ = 0;
  absl::StatusOr<absl::string_view> greeting = co_await ReadMessage();
  if (!greeting.ok()) co_return greeting.status();
  if (IsErrPacket(*greeting)) {
    // E.g. "Too many connections" or "Host is blocked", sent instead of a
    // greeting.
    absl::StatusOr<ServerError> err = ErrFrom(*greeting);
    if (!err.ok()) co_return err.status();
    co_return ServerErrorStatus(*err);
  }
  absl::StatusOr<InitialHandshake> hs = ParseInitialHandshake(*greeting);
  if (!hs.ok()) co_return hs.status();
  handshake_ = *std::move(hs);
  if (!(handshake_.capabilities & kClientProtocol41)) {
    co_return ProtocolError("server does not speak protocol 4.1");
  }
  status_flags_ = handshake_.status_flags;

  uint64_t wanted = kWantedCapabilities;
  if (!options.database.empty()) wanted |= kClientConnectWithDb;
  if (options.multi_statements) wanted |= kClientMultiStatements;
  capabilities_ = wanted & handshake_.capabilities & 0xffffffffull;
  // MariaDB 10.6+ can skip unchanged result metadata of prepared statements.
  if (handshake_.is_mariadb() && (handshake_.capabilities & kMariaDbClientCacheMetadata)) {
    capabilities_ |= kMariaDbClientCacheMetadata;
  }

  bool use_tls = false;
  if (options.ssl_mode != SslMode::kDisable) {
    if (handshake_.capabilities & kClientSsl) {
      use_tls = true;
    } else if (options.ssl_mode != SslMode::kPreferred) {
      co_return absl::UnavailableError(
          "TLS is required but the MySQL server does not offer it");
    }
  }
  if (use_tls) {
    capabilities_ |= kClientSsl;
    absl::Status s = co_await WritePacket(SerializeSslRequest(
        capabilities_, static_cast<uint32_t>(std::min<size_t>(
                           options.max_message_size, 0xffffffffu)),
        options.character_set));
    if (!s.ok()) co_return s;
    s = co_await StartTls(options);
    if (!s.ok()) co_return s;
  }

  std::string plugin = handshake_.auth_plugin_name.empty()
                           ? std::string(kNativePasswordPlugin)
                           : handshake_.auth_plugin_name;
  absl::StatusOr<std::string> auth =
      InitialAuthResponse(plugin, options, handshake_.auth_plugin_data, use_tls);
  if (!auth.ok()) {
    // An unknown first method is fine: the server may switch us to one we
    // know after seeing the account.
    if (auth.status().code() != absl::StatusCode::kUnimplemented) {
      co_return auth.status();
    }
    auth = std::string();
  }

  HandshakeResponse response;
  response.capabilities = capabilities_;
  response.max_packet_size =
      static_cast<uint32_t>(std::min<size_t>(options.max_message_size, 0xffffffffu));
  response.character_set = options.character_set;
  response.username = options.user;
  response.auth_response = *std::move(auth);
  response.database = options.database;
  response.auth_plugin_name = plugin;
  response.attributes = options.attributes;
  absl::Status s = co_await WritePacket(SerializeHandshakeResponse(response));
  if (!s.ok()) co_return s;
  co_return co_await Authenticate(options, plugin, handshake_.auth_plugin_data);
}

asio::awaitable<absl::Status> Connection::Authenticate(const ConnectOptions& options,
                                                       std::string plugin,
                                                       std::string nonce) {
  bool awaiting_public_key = false;
  // Each round is one server message; a well-behaved server needs at most
  // a handful, so a bound stops a malicious one from looping us forever.
  for (int round = 0; round < 8; ++round) {
    absl::StatusOr<absl::string_view> message = co_await ReadMessage();
    if (!message.ok()) co_return message.status();
    const uint8_t header = FirstByte(*message);
    if (header == kOkHeader) {
      absl::StatusOr<OkPacket> ok = ParseOkPacket(*message, capabilities_);
      if (!ok.ok()) co_return ok.status();
      auth_plugin_ = plugin;
      current_database_ = options.database;
      co_return ApplyOk(*ok);
    }
    if (header == kErrHeader) {
      absl::StatusOr<ServerError> err = ErrFrom(*message);
      if (!err.ok()) co_return err.status();
      co_return ServerErrorStatus(*err);
    }
    if (header == 0xfe) {
      absl::StatusOr<AuthSwitchRequest> sw = ParseAuthSwitchRequest(*message);
      if (!sw.ok()) co_return sw.status();
      plugin = sw->plugin_name;
      nonce = sw->plugin_data;
      absl::StatusOr<std::string> auth =
          InitialAuthResponse(plugin, options, nonce, tls_ != nullptr);
      if (!auth.ok()) co_return auth.status();
      absl::Status s = co_await WritePacket(*auth);
      if (!s.ok()) co_return s;
      continue;
    }
    if (header != kAuthMoreDataHeader) {
      co_return ProtocolError(
          absl::StrCat("unexpected packet 0x", absl::Hex(header),
                       " during authentication"));
    }
    absl::StatusOr<std::string> data = ParseAuthMoreData(*message);
    if (!data.ok()) co_return data.status();

    std::string reply;
    if (plugin == kCachingSha2Plugin && !awaiting_public_key &&
        data->size() == 1 && (*data)[0] == kCachingSha2FastAuthOk) {
      continue;  // The server's cache accepted the scramble; OK follows.
    }
    if (plugin == kCachingSha2Plugin && !awaiting_public_key &&
        data->size() == 1 && (*data)[0] == kCachingSha2PerformFullAuth) {
      if (tls_) {
        reply = options.password + std::string(1, '\0');
      } else if (!options.server_public_key_pem.empty()) {
        absl::StatusOr<std::string> enc = RsaEncryptPassword(
            options.password, nonce, options.server_public_key_pem);
        if (!enc.ok()) co_return enc.status();
        reply = *std::move(enc);
      } else if (options.allow_public_key_retrieval) {
        reply = std::string(1, kCachingSha2RequestPublicKey);
        awaiting_public_key = true;
      } else {
        co_return absl::FailedPreconditionError(
            "caching_sha2_password full authentication needs TLS or the "
            "server's RSA public key");
      }
    } else if ((plugin == kCachingSha2Plugin && awaiting_public_key) ||
               plugin == kSha256Plugin) {
      absl::StatusOr<std::string> enc =
          RsaEncryptPassword(options.password, nonce, *data);
      if (!enc.ok()) co_return enc.status();
      reply = *std::move(enc);
      awaiting_public_key = false;
    } else {
      co_return ProtocolError(
          absl::StrCat("unexpected auth data for plugin '", plugin, "'"));
    }
    absl::Status s = co_await WritePacket(reply);
    if (!s.ok()) co_return s;
  }
  co_return ProtocolError("authentication did not finish");
}

absl::Status Connection::ApplyOk(const OkPacket& ok) {
  last_ok_ = ok;
  status_flags_ = ok.status_flags;
  if ((ok.status_flags & kServerSessionStateChanged) && !ok.session_state.empty()) {
    absl::StatusOr<SessionStateChanges> changes = ParseSessionState(ok.session_state);
    if (!changes.ok()) return Fail(changes.status());
    if (changes->schema.has_value()) current_database_ = *changes->schema;
    if (changes->state_changed) session_state_changed_ = true;
  }
  return absl::OkStatus();
}

absl::Status Connection::EndResult(const OkPacket& ok) {
  current_columns_.clear();
  state_ = (ok.status_flags & kServerMoreResultsExists) ? State::kBetweenResults
                                                        : State::kReady;
  return ApplyOk(ok);
}

asio::awaitable<absl::Status> Connection::ReadEof() {
  absl::StatusOr<absl::string_view> message = co_await ReadMessage();
  if (!message.ok()) co_return message.status();
  absl::StatusOr<EofPacket> eof = ParseEofPacket(*message);
  if (!eof.ok()) co_return Fail(eof.status());
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Connection::ReadColumnDefinitions(
    uint64_t count, std::vector<ColumnDefinition>* out) {
  out->clear();
  // The count came from the peer: reserve only a sane amount up front.
  out->reserve(std::min<uint64_t>(count, 4096));
  for (uint64_t i = 0; i < count; ++i) {
    absl::StatusOr<absl::string_view> message = co_await ReadMessage();
    if (!message.ok()) co_return message.status();
    absl::StatusOr<ColumnDefinition> column = ParseColumnDefinition(*message);
    if (!column.ok()) co_return Fail(column.status());
    out->push_back(*std::move(column));
  }
  if (!(capabilities_ & kClientDeprecateEof)) co_return co_await ReadEof();
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<ResultHead>> Connection::ReadResultHead(
    RowFormat format) {
  absl::StatusOr<absl::string_view> message = co_await ReadMessage();
  if (!message.ok()) co_return message.status();
  ResultHead head;
  switch (FirstByte(*message)) {
    case kOkHeader: {
      absl::StatusOr<OkPacket> ok = ParseOkPacket(*message, capabilities_);
      if (!ok.ok()) co_return Fail(ok.status());
      if (absl::Status s = EndResult(*ok); !s.ok()) co_return s;
      head.ok = *std::move(ok);
      co_return head;
    }
    case kErrHeader: {
      absl::StatusOr<ServerError> err = ErrFrom(*message);
      if (!err.ok()) co_return Fail(err.status());
      // An error ends the whole command, including later results.
      state_ = State::kReady;
      co_return ServerErrorStatus(*err);
    }
    case kLocalInfileHeader: {
      // We never send client files: answer with an empty packet, which makes
      // the server fail the statement, and keep the connection in sync.
      absl::Status s = co_await WritePacket("");
      if (!s.ok()) co_return s;
      absl::StatusOr<absl::string_view> reply = co_await ReadMessage();
      if (!reply.ok()) co_return reply.status();
      if (IsErrPacket(*reply)) {
        state_ = State::kReady;
      } else {
        absl::StatusOr<OkPacket> ok = ParseOkPacket(*reply, capabilities_);
        if (!ok.ok()) co_return Fail(ok.status());
        if (absl::Status s = EndResult(*ok); !s.ok()) co_return s;
      }
      co_return absl::FailedPreconditionError(
          "LOAD DATA LOCAL INFILE is not supported");
    }
    default:
      break;
  }
  ColumnCountWithFlag count;
  if (capabilities_ & kMariaDbClientCacheMetadata) {
    absl::StatusOr<ColumnCountWithFlag> parsed = ParseColumnCountWithMetadataFlag(*message);
    if (!parsed.ok()) co_return Fail(parsed.status());
    count = *parsed;
  } else {
    absl::StatusOr<uint64_t> parsed = ParseColumnCount(*message);
    if (!parsed.ok()) co_return Fail(parsed.status());
    count.count = *parsed;
  }
  // Only the first result of a prepared statement's execution has cached
  // metadata (a procedure's later results are described afresh).
  const bool cacheable = format == RowFormat::kBinary && executing_ != nullptr &&
                         result_index_++ == 0;
  if (count.metadata_follows) {
    absl::Status s = co_await ReadColumnDefinitions(count.count, &head.columns);
    if (!s.ok()) co_return s;
    if (cacheable) statement_columns_[executing_->id] = head.columns;
  } else {
    if (!cacheable) {
      co_return Fail(ProtocolError("result metadata skipped where none is cached"));
    }
    auto it = statement_columns_.find(executing_->id);
    head.columns = it != statement_columns_.end() ? it->second : executing_->columns;
    if (head.columns.size() != count.count) {
      co_return Fail(ProtocolError("skipped result metadata does not match the cached columns"));
    }
    if (!(capabilities_ & kClientDeprecateEof)) {
      absl::Status s = co_await ReadEof();
      if (!s.ok()) co_return s;
    }
  }
  current_columns_ = head.columns;
  row_format_ = format;
  state_ = State::kReadingRows;
  co_return head;
}

asio::awaitable<absl::StatusOr<ResultHead>> Connection::StartQuery(
    absl::string_view sql) {
  if (absl::Status s = CheckReady("query"); !s.ok()) co_return s;
  absl::Status s = co_await WriteCommand(BuildQuery(sql));
  if (!s.ok()) co_return s;
  executing_ = nullptr;
  co_return co_await ReadResultHead(RowFormat::kText);
}

asio::awaitable<absl::StatusOr<bool>> Connection::ReadRow(std::vector<Value>* row) {
  if (state_ != State::kReadingRows) {
    co_return absl::FailedPreconditionError("no result set is being read");
  }
  absl::StatusOr<absl::string_view> message = co_await ReadMessage();
  if (!message.ok()) co_return message.status();
  if (IsErrPacket(*message)) {
    absl::StatusOr<ServerError> err = ErrFrom(*message);
    if (!err.ok()) co_return Fail(err.status());
    state_ = State::kReady;
    co_return ServerErrorStatus(*err);
  }
  if (IsEofOrOkTerminator(*message)) {
    OkPacket ok;
    if (capabilities_ & kClientDeprecateEof) {
      absl::StatusOr<OkPacket> parsed = ParseOkPacket(*message, capabilities_);
      if (!parsed.ok()) co_return Fail(parsed.status());
      ok = *std::move(parsed);
    } else {
      absl::StatusOr<EofPacket> eof = ParseEofPacket(*message);
      if (!eof.ok()) co_return Fail(eof.status());
      ok.status_flags = eof->status_flags;
      ok.warnings = eof->warnings;
    }
    if (absl::Status s = EndResult(ok); !s.ok()) co_return s;
    co_return false;
  }
  absl::Status s = row_format_ == RowFormat::kText
                       ? ParseTextRow(*message, current_columns_, row)
                       : ParseBinaryRow(*message, current_columns_, row);
  if (!s.ok()) co_return Fail(s);
  co_return true;
}

asio::awaitable<absl::StatusOr<ResultHead>> Connection::NextResult() {
  if (state_ != State::kBetweenResults) {
    co_return absl::FailedPreconditionError("no further result follows");
  }
  co_return co_await ReadResultHead(row_format_);
}

asio::awaitable<absl::Status> Connection::DrainResults() {
  std::vector<Value> row;
  while (state_ == State::kReadingRows || state_ == State::kBetweenResults) {
    if (state_ == State::kReadingRows) {
      absl::StatusOr<bool> more = co_await ReadRow(&row);
      if (!more.ok() && state_ == State::kBroken) co_return more.status();
    } else {
      absl::StatusOr<ResultHead> head = co_await NextResult();
      if (!head.ok() && state_ == State::kBroken) co_return head.status();
    }
  }
  co_return state_ == State::kReady ? absl::OkStatus()
                                    : CheckReady("drain results");
}

asio::awaitable<absl::StatusOr<std::vector<ResultSet>>> Connection::CollectResults(
    absl::StatusOr<ResultHead> head) {
  std::vector<ResultSet> results;
  while (true) {
    if (!head.ok()) co_return head.status();
    ResultSet& rs = results.emplace_back();
    rs.columns = std::move(head->columns);
    if (rs.columns.empty()) {
      rs.ok = std::move(head->ok);
    } else {
      std::vector<Value> row;
      while (true) {
        absl::StatusOr<bool> more = co_await ReadRow(&row);
        if (!more.ok()) co_return more.status();
        if (!*more) break;
        rs.rows.push_back(std::move(row));
        row.clear();
      }
      rs.ok = last_ok_;
    }
    if (!has_more_results()) break;
    head = co_await NextResult();
  }
  co_return results;
}

asio::awaitable<absl::StatusOr<std::vector<ResultSet>>> Connection::Query(
    absl::string_view sql) {
  absl::StatusOr<ResultHead> head = co_await StartQuery(sql);
  co_return co_await CollectResults(std::move(head));
}

asio::awaitable<absl::StatusOr<PreparedStatement>> Connection::Prepare(
    absl::string_view sql) {
  if (absl::Status s = CheckReady("prepare"); !s.ok()) co_return s;
  absl::Status s = co_await WriteCommand(BuildStmtPrepare(sql));
  if (!s.ok()) co_return s;
  absl::StatusOr<absl::string_view> message = co_await ReadMessage();
  if (!message.ok()) co_return message.status();
  if (IsErrPacket(*message)) {
    absl::StatusOr<ServerError> err = ErrFrom(*message);
    if (!err.ok()) co_return Fail(err.status());
    co_return ServerErrorStatus(*err);
  }
  absl::StatusOr<PrepareOk> ok = ParsePrepareOk(*message);
  if (!ok.ok()) co_return Fail(ok.status());
  PreparedStatement statement;
  statement.id = ok->statement_id;
  statement.num_params = ok->num_params;
  if (ok->num_params > 0) {
    s = co_await ReadColumnDefinitions(ok->num_params, &statement.params);
    if (!s.ok()) co_return s;
  }
  if (ok->num_columns > 0) {
    s = co_await ReadColumnDefinitions(ok->num_columns, &statement.columns);
    if (!s.ok()) co_return s;
  }
  co_return statement;
}

asio::awaitable<absl::StatusOr<ResultHead>> Connection::StartExecute(
    const PreparedStatement& statement, absl::Span<const Value> params) {
  if (absl::Status s = CheckReady("execute"); !s.ok()) co_return s;
  absl::StatusOr<std::string> request =
      BuildStmtExecute(statement.id, params, statement.num_params);
  if (!request.ok()) co_return request.status();
  absl::Status s = co_await WriteCommand(*request);
  if (!s.ok()) co_return s;
  executing_ = &statement;
  result_index_ = 0;
  absl::StatusOr<ResultHead> head = co_await ReadResultHead(RowFormat::kBinary);
  executing_ = nullptr;
  co_return head;
}

asio::awaitable<absl::StatusOr<std::vector<ResultSet>>> Connection::Execute(
    const PreparedStatement& statement, absl::Span<const Value> params) {
  absl::StatusOr<ResultHead> head = co_await StartExecute(statement, params);
  co_return co_await CollectResults(std::move(head));
}

asio::awaitable<absl::Status> Connection::CloseStatement(
    const PreparedStatement& statement) {
  if (absl::Status s = CheckReady("close statement"); !s.ok()) co_return s;
  statement_columns_.erase(statement.id);
  // COM_STMT_CLOSE has no response.
  co_return co_await WriteCommand(BuildStmtClose(statement.id));
}

asio::awaitable<absl::StatusOr<const PreparedStatement*>> Connection::PrepareCached(
    absl::string_view sql) {
  if (statement_cache_capacity_ == 0) {
    absl::StatusOr<PreparedStatement> st = co_await Prepare(sql);
    if (!st.ok()) co_return st.status();
    uncached_ = *std::move(st);
    co_return &uncached_;
  }
  if (auto it = statement_index_.find(sql); it != statement_index_.end()) {
    statement_lru_.splice(statement_lru_.begin(), statement_lru_, it->second);
    co_return &it->second->second;
  }
  while (statement_lru_.size() >= statement_cache_capacity_) {
    PreparedStatement evicted = std::move(statement_lru_.back().second);
    statement_index_.erase(statement_lru_.back().first);
    statement_lru_.pop_back();
    absl::Status s = co_await CloseStatement(evicted);
    if (!s.ok()) co_return s;
  }
  absl::StatusOr<PreparedStatement> st = co_await Prepare(sql);
  if (!st.ok()) co_return st.status();
  statement_lru_.emplace_front(std::string(sql), *std::move(st));
  statement_index_[statement_lru_.front().first] = statement_lru_.begin();
  co_return &statement_lru_.front().second;
}

void Connection::ForgetCached(absl::string_view sql) {
  auto it = statement_index_.find(sql);
  if (it == statement_index_.end()) return;
  statement_columns_.erase(it->second->second.id);
  statement_lru_.erase(it->second);
  statement_index_.erase(it);
}

asio::awaitable<absl::Status> Connection::ReadOkOrErr() {
  absl::StatusOr<absl::string_view> message = co_await ReadMessage();
  if (!message.ok()) co_return message.status();
  if (IsErrPacket(*message)) {
    absl::StatusOr<ServerError> err = ErrFrom(*message);
    if (!err.ok()) co_return Fail(err.status());
    co_return ServerErrorStatus(*err);
  }
  absl::StatusOr<OkPacket> ok = ParseOkPacket(*message, capabilities_);
  if (!ok.ok()) co_return Fail(ok.status());
  co_return ApplyOk(*ok);
}

asio::awaitable<absl::Status> Connection::ResetStatement(
    const PreparedStatement& statement) {
  if (absl::Status s = CheckReady("reset statement"); !s.ok()) co_return s;
  absl::Status s = co_await WriteCommand(BuildStmtReset(statement.id));
  if (!s.ok()) co_return s;
  co_return co_await ReadOkOrErr();
}

asio::awaitable<absl::Status> Connection::SendRawCommand(absl::string_view payload) {
  if (absl::Status s = CheckReady("raw command"); !s.ok()) co_return s;
  absl::Status s = co_await WriteCommand(payload);
  if (s.ok()) state_ = State::kRawStream;
  co_return s;
}

asio::awaitable<absl::StatusOr<absl::string_view>> Connection::ReadRawPacket() {
  if (state_ != State::kRawStream) {
    co_return absl::FailedPreconditionError("no raw command is streaming");
  }
  co_return co_await ReadMessage();
}

void Connection::EndRawStream() {
  if (state_ == State::kRawStream) state_ = State::kReady;
}

asio::awaitable<absl::Status> Connection::Ping() {
  if (absl::Status s = CheckReady("ping"); !s.ok()) co_return s;
  absl::Status s = co_await WriteCommand(BuildPing());
  if (!s.ok()) co_return s;
  co_return co_await ReadOkOrErr();
}

asio::awaitable<absl::Status> Connection::SelectDatabase(absl::string_view database) {
  if (absl::Status s = CheckReady("select database"); !s.ok()) co_return s;
  absl::Status s = co_await WriteCommand(BuildInitDb(database));
  if (!s.ok()) co_return s;
  s = co_await ReadOkOrErr();
  if (s.ok()) current_database_ = std::string(database);
  co_return s;
}

asio::awaitable<absl::Status> Connection::ResetSession() {
  if (absl::Status s = CheckReady("reset session"); !s.ok()) co_return s;
  absl::Status s = co_await WriteCommand(BuildResetConnection());
  if (!s.ok()) co_return s;
  s = co_await ReadOkOrErr();
  if (!s.ok()) co_return s;
  // The server dropped every prepared statement.
  statement_lru_.clear();
  statement_index_.clear();
  statement_columns_.clear();
  co_return co_await RunInitStatements();
}

asio::awaitable<void> Connection::Quit() {
  if (state_ == State::kReady) {
    absl::Status ignored = co_await WriteCommand(BuildQuit());
    (void)ignored;
  }
  Close();
}

void Connection::Close() {
  DisarmTimer();
  boost::system::error_code ignored;
  socket_.close(ignored);
  state_ = State::kClosed;
}

}  // namespace mysqlwire
