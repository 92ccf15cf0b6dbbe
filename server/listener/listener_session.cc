#include "server/listener/listener_session.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "mysqlwire/protocol/capabilities.h"
#include "server/gateway/access_logging.h"
#include "server/intercept/client_address.h"
#include "server/listener/client_charset.h"
#include "server/listener/mysql_error.h"
#include "server/sql/identifier.h"

namespace mysqlgw {
namespace asio = boost::asio;

ListenerSession::ListenerSession(const ListenerContext& context, asio::ip::tcp::socket socket,
                                 size_t shard, uint32_t connection_id)
    : context_(context),
      gateway_(*context.gateway),
      shard_(shard),
      connection_id_(connection_id),
      fd_(socket.native_handle()),
      conn_(std::move(socket)),
      idle_timer_(gateway_.loop(shard)),
      watch_timer_(gateway_.loop(shard)) {
  context_.stats->connections_open.fetch_add(1, std::memory_order_relaxed);
  context_.stats->connections_total.fetch_add(1, std::memory_order_relaxed);
}

ListenerSession::~ListenerSession() {
  context_.stats->connections_open.fetch_sub(1, std::memory_order_relaxed);
}

asio::awaitable<void> ListenerSession::Run() {
  std::shared_ptr<ListenerSession> self = shared_from_this();
  mysqlwire::ServerHandshakeOptions options = context_.handshake;
  options.connection_id = connection_id_;
  options.deadline = std::chrono::steady_clock::now() + kHandshakeTimeout;
  const ListenerAccounts* accounts = context_.accounts;
  options.lookup = [accounts](const std::string& user) { return accounts->Lookup(user); };
  absl::StatusOr<mysqlwire::ServerHandshakeResult> handshake =
      co_await conn_.Handshake(std::move(options));
  if (!handshake.ok()) {
    if (handshake.status().code() == absl::StatusCode::kPermissionDenied) {
      context_.stats->auth_failures.fetch_add(1, std::memory_order_relaxed);
    }
    conn_.Close();
    co_return;
  }
  user_ = handshake->user;
  client_collation_ = handshake->character_set;
  multi_statements_ = (handshake->client_capabilities & mysqlwire::kClientMultiStatements) != 0;
  if (absl::Status s = Begin(accounts->PrincipalOf(user_)); !s.ok()) {
    // The handshake already ended with OK: the refusal answers the first
    // command instead, in sequence, and the connection then ends.
    owed_error_ = ToMySqlError(s);
  } else {
    owed_error_ = co_await SetUpSession(handshake->database);
  }

  while (!closing_) {
    ArmIdleTimer();
    absl::StatusOr<mysqlwire::ClientCommand> command = co_await conn_.ReadCommand();
    ++idle_epoch_;
    idle_timer_.cancel();
    if (!command.ok()) break;
    busy_ = true;
    context_.stats->CountCommand(command->command_byte);
    bool keep = false;
    if (!owed_error_.has_value()) {
      keep = co_await Dispatch(*command);
    } else if (command->command() != mysqlwire::Command::kQuit) {
      const mysqlwire::ServerError error = *owed_error_;
      co_await WriteError(error);
    }
    busy_ = false;
    if (!keep) break;
  }
  // A last answer (an ERR before closing) still goes out.
  if (conn_.is_open() && !conn_.broken()) {
    absl::Status flushed = co_await conn_.Flush();
    (void)flushed;
  }
  conn_.Close();
  End();
}

void ListenerSession::CloseWhenIdle() {
  closing_ = true;
  if (!busy_) conn_.Close();
}

std::optional<mysqlwire::ServerError> ListenerSession::KillFrom(const std::string& requester,
                                                               bool admin, bool query_only) {
  if (!admin && (call_.principal == nullptr || call_.principal->name != requester)) {
    return ListenerError(kErKillDenied,
                         absl::StrCat("You are not owner of thread ", connection_id_));
  }
  if (query_only) {
    if (busy_ && control_ != nullptr && !control_->cancelled()) {
      query_killed_ = true;
      control_->CancelOnLoop(mysqlwire::ServerErrorStatus(
          mysqlwire::ServerError{kErQueryInterrupted, "70100", "Query execution was interrupted"}));
    }
    return std::nullopt;
  }
  closing_ = true;
  if (control_ != nullptr) {
    control_->CancelOnLoop(mysqlwire::ServerErrorStatus(
        mysqlwire::ServerError{kErConnectionKilled, "70100", "Connection was killed"}));
  }
  conn_.Close();
  return std::nullopt;
}

void ListenerSession::Abort() {
  closing_ = true;
  if (control_ != nullptr) {
    control_->CancelOnLoop(absl::CancelledError("the gateway is shutting down"));
  }
  conn_.Close();
}

absl::Status ListenerSession::Begin(std::shared_ptr<const Principal> principal) {
  if (principal == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("no principal for MySQL user '", user_, "'"));
  }
  call_ = CallInfo{};
  call_.principal = std::move(principal);
  call_.shard = shard_;
  call_.client.principal = call_.principal->name;
  call_.client.protocol = ClientInfo::Protocol::kMySql;
  if (absl::StatusOr<ClientAddress> address = ClientAddress::Parse(conn_.peer_host());
      address.ok()) {
    call_.client.address = *address;
  }
  session_ = std::make_unique<Session>();
  absl::Status admitted = gateway_.AdmitSession(call_);
  admitted_ = admitted.ok();
  return admitted;
}

void ListenerSession::End() {
  if (session_ != nullptr) gateway_.EndSession(*session_);
  if (admitted_) gateway_.interceptor().Current()->chain().OnDisconnect(call_.client);
  admitted_ = false;
}

std::optional<mysqlwire::ServerError> ListenerSession::CheckDatabaseAccess(
    const std::string& database) const {
  if (call_.principal != nullptr && call_.principal->AllowsDatabase(database)) return std::nullopt;
  return ListenerError(kErDbAccessDenied,
                       absl::StrCat("Access denied for user '", user_, "'@'", conn_.peer_host(),
                                    "' to database '", database, "'"));
}

asio::awaitable<std::optional<mysqlwire::ServerError>> ListenerSession::RunQuietly(
    std::string sql) {
  Statement statement;
  statement.sql = std::move(sql);
  v1::StatementOutcome outcome;
  OutcomeSink sink(&outcome);
  auto control = std::make_shared<CallControl>(gateway_.loop(shard_));
  call_.deadline = std::chrono::steady_clock::now() + kPoolWait;
  absl::Status s =
      co_await gateway_.RunSessionSetup(call_, *session_, std::move(statement), sink, *control);
  if (!s.ok()) co_return ToMySqlError(s);
  co_return std::nullopt;
}

asio::awaitable<std::optional<mysqlwire::ServerError>> ListenerSession::SetUpSession(
    const std::string& database) {
  // The client's character set, when it is not the backend connections'.
  if (std::optional<std::string> set_names = SetNamesFor(client_collation_)) {
    if (std::optional<mysqlwire::ServerError> e = co_await RunQuietly(*std::move(set_names))) {
      co_return e;
    }
  }
  if (database.empty()) co_return std::nullopt;
  if (std::optional<mysqlwire::ServerError> denied = CheckDatabaseAccess(database)) {
    co_return denied;
  }
  co_return co_await RunQuietly(absl::StrCat("USE ", QuoteIdentifier(database)));
}

asio::awaitable<bool> ListenerSession::RunStatement(Statement statement,
                                                    ClientResultSink::RowFormat format) {
  auto control = std::make_shared<CallControl>(gateway_.loop(shard_));
  control_ = control;
  ClientResultSink sink(conn_, format);
  call_.deadline = std::chrono::steady_clock::now() + kPoolWait;
  const auto start = std::chrono::steady_clock::now();
  AccessLog* access_log = gateway_.access_log();
  CallStats stats;
  if (access_log != nullptr) {
    stats.collect_params = access_log->log_parameter_values();
    call_.stats = &stats;
  }
  WatchClient();
  absl::Status status =
      co_await gateway_.RunInSession(call_, *session_, std::move(statement), sink, *control);
  call_.stats = nullptr;
  watch_timer_.cancel();
  control_.reset();
  if (access_log != nullptr) {
    AccessRecord record = MakeAccessRecord(
        "mysql", format == ClientResultSink::RowFormat::kText ? "COM_QUERY" : "COM_STMT_EXECUTE",
        call_.principal != nullptr ? call_.principal->name : user_,
        call_.client.address.ToString(), std::move(stats), status,
        std::chrono::steady_clock::now() - start);
    if (!status.ok()) {
      // The errno the client is told (the gateway's own errors get one too).
      const mysqlwire::ServerError e = ToMySqlError(status);
      record.mysql_errno = e.code;
      record.sql_state = e.sql_state;
    }
    access_log->Write(std::move(record));
  }
  if (control->cancelled()) {
    if (!query_killed_) {
      // The client went away (or the gateway is stopping): the statement
      // was killed, and nobody is left to tell.
      co_return false;
    }
    // KILL QUERY from another connection: the client is told, and goes on.
    query_killed_ = false;
    status = control->reason();
  }
  absl::Status written = co_await sink.Finish(status);
  if (!written.ok()) co_return false;
  // As a MySQL server's client would be: its transaction or variables are
  // gone, so it must not carry on as if they were there.
  co_return !session_->state_lost();
}

mysqlwire::OkPacket ListenerSession::SessionOk() const {
  mysqlwire::OkPacket ok;
  ok.status_flags = conn_.status_flags() & ~(mysqlwire::kServerMoreResultsExists |
                                             mysqlwire::kServerSessionStateChanged);
  return ok;
}

asio::awaitable<bool> ListenerSession::WriteOk() {
  const mysqlwire::OkPacket ok = SessionOk();
  co_return (co_await conn_.WriteOk(ok)).ok();
}

asio::awaitable<bool> ListenerSession::WriteError(const mysqlwire::ServerError& error) {
  co_return (co_await conn_.WriteErr(error)).ok();
}

void ListenerSession::ArmIdleTimer() {
  if (context_.idle_timeout.count() <= 0) return;
  const uint64_t epoch = ++idle_epoch_;
  idle_timer_.expires_after(context_.idle_timeout);
  idle_timer_.async_wait(
      [weak = weak_from_this(), epoch](const boost::system::error_code& ec) {
        if (ec) return;
        std::shared_ptr<ListenerSession> self = weak.lock();
        // A command that arrived as the timer fired wins.
        if (self == nullptr || self->idle_epoch_ != epoch || self->busy_) return;
        self->closing_ = true;
        self->conn_.Close();
      });
}

void ListenerSession::WatchClient() {
  watch_timer_.expires_after(kClientCheckInterval);
  watch_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    std::shared_ptr<ListenerSession> self = weak.lock();
    if (self == nullptr || self->control_ == nullptr) return;
    if (self->ClientGone()) {
      self->control_->CancelOnLoop(absl::CancelledError("the MySQL client disconnected"));
      return;
    }
    self->WatchClient();
  });
}

bool ListenerSession::ClientGone() const {
  if (!conn_.is_open()) return true;
  // The TCP state, not a read: the client may have pipelined its next
  // command, or (TLS) sent close_notify, ahead of its FIN.
  tcp_info info{};
  socklen_t length = sizeof(info);
  if (getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return false;
  return info.tcpi_state == TCP_CLOSE_WAIT || info.tcpi_state == TCP_CLOSE ||
         info.tcpi_state == TCP_LAST_ACK;
}

}  // namespace mysqlgw
