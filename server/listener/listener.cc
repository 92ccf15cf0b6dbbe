#include "server/listener/listener.h"

#include <future>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "mysqlwire/protocol/ok_err.h"
#include "server/listener/handshake_setup.h"
#include "server/listener/mysql_error.h"

namespace mysqlgw {
namespace asio = boost::asio;
namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// After the deadline, how long cancelled statements get to be killed.
constexpr std::chrono::seconds kAbortGrace{5};

std::chrono::milliseconds ToMillis(const google::protobuf::Duration& d) {
  return std::chrono::milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
}

}  // namespace

absl::StatusOr<asio::ip::tcp::endpoint> ParseListenAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("'", address, "' is not host:port"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  uint32_t port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("'", address, "': bad port"));
  }
  boost::system::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", address, "': the host must be an IP address or localhost"));
  }
  return asio::ip::tcp::endpoint(ip, static_cast<uint16_t>(port));
}

MySqlListener::MySqlListener(Gateway& gateway, ListenerAccounts accounts)
    : gateway_(gateway), accounts_(std::move(accounts)), acceptor_(gateway.loop(0)) {}

MySqlListener::~MySqlListener() = default;

absl::StatusOr<std::unique_ptr<MySqlListener>> MySqlListener::Create(
    const v1::GatewayConfig& config, Gateway& gateway, Options options) {
  const v1::MySqlListenerConfig& section = config.mysql_listener();
  absl::StatusOr<ListenerAccounts> accounts = ListenerAccounts::Create(config.auth());
  if (!accounts.ok()) return accounts.status();
  absl::StatusOr<mysqlwire::ServerHandshakeOptions> handshake = BuildHandshakeOptions(section);
  if (!handshake.ok()) return handshake.status();
  std::unique_ptr<MySqlListener> listener(new MySqlListener(gateway, *std::move(accounts)));
  listener->address_ = section.address();
  if (section.max_connections() > 0) listener->max_connections_ = section.max_connections();
  ListenerContext& context = listener->context_;
  context.sessions = listener.get();
  context.gateway = &gateway;
  context.accounts = &listener->accounts_;
  context.handshake = *std::move(handshake);
  context.idle_timeout = ToMillis(section.idle_timeout());
  context.stats = &listener->stats_;
  context.gateway_version = std::move(options.gateway_version);
  context.started = std::chrono::steady_clock::now();
  return listener;
}

absl::Status MySqlListener::Start() {
  absl::StatusOr<asio::ip::tcp::endpoint> endpoint = ParseListenAddress(address_);
  if (!endpoint.ok()) return endpoint.status();
  boost::system::error_code ec;
  acceptor_.open(endpoint->protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(*endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("MySQL listener on ", address_, ": ", ec.message()));
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(gateway_.loop(0), Accept(), asio::detached);
  return absl::OkStatus();
}

asio::awaitable<void> MySqlListener::Accept() {
  asio::steady_timer pause(gateway_.loop(0));
  while (!stopping_) {
    absl::StatusOr<size_t> shard = gateway_.ShardFor("");
    const size_t loop = shard.ok() ? *shard : 0;
    auto [ec, socket] = co_await acceptor_.async_accept(gateway_.loop(loop), kAsTuple);
    if (ec == asio::error::operation_aborted || stopping_ || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors, mostly: let connections end before the next try.
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(kAsTuple);
      continue;
    }
    if (stats_.connections_open.load(std::memory_order_relaxed) >=
        static_cast<int64_t>(max_connections_)) {
      stats_.connections_refused.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(gateway_.loop(loop), Refuse(std::move(socket)), asio::detached);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    auto session = std::make_shared<ListenerSession>(context_, std::move(socket), loop,
                                                     next_connection_id_.fetch_add(1));
    {
      absl::MutexLock lock(&mu_);
      sessions_.emplace(session.get(), session);
    }
    asio::co_spawn(gateway_.loop(loop), Serve(this, std::move(session)), asio::detached);
  }
}

asio::awaitable<void> MySqlListener::Serve(MySqlListener* listener,
                                           std::shared_ptr<ListenerSession> session) {
  co_await session->Run();
  absl::MutexLock lock(&listener->mu_);
  listener->sessions_.erase(session.get());
}

asio::awaitable<void> MySqlListener::Refuse(asio::ip::tcp::socket socket) {
  const mysqlwire::ServerError error = ListenerError(kErTooManyConnections, "Too many connections");
  const std::string payload = mysqlwire::SerializeErrPacket(error);
  std::string packet;
  packet.push_back(static_cast<char>(payload.size() & 0xff));
  packet.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  packet.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  packet.push_back(0);  // Sequence id: the server speaks first.
  packet += payload;
  auto [ec, written] = co_await asio::async_write(socket, asio::buffer(packet), kAsTuple);
  (void)ec;
  (void)written;
  boost::system::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

asio::awaitable<std::optional<mysqlwire::ServerError>> MySqlListener::Kill(
    uint32_t id, bool query_only, const Principal& requester) {
  std::shared_ptr<ListenerSession> target;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [ptr, session] : sessions_) {
      if (session->connection_id() == id) {
        target = session;
        break;
      }
    }
  }
  if (target == nullptr) {
    co_return ListenerError(kErNoSuchThread, absl::StrCat("Unknown thread id: ", id));
  }
  // The target's state belongs to its own loop: decide and act there.
  std::string name = requester.name;
  const bool admin = requester.Allows(v1::OPERATION_ADMIN);
  // A named local moved into co_spawn, never a lambda temporary inside the
  // co_await expression: GCC 12 destroys such a temporary twice, which
  // released `target` once too often (found by valgrind, a crash once
  // freed coroutine frames were reused sooner).
  auto kill = [target, name = std::move(name), admin,
               query_only]() -> asio::awaitable<std::optional<mysqlwire::ServerError>> {
    co_return target->KillFrom(name, admin, query_only);
  };
  const size_t shard = target->shard();
  target.reset();
  std::optional<mysqlwire::ServerError> error =
      co_await asio::co_spawn(gateway_.loop(shard), std::move(kill), asio::use_awaitable);
  co_return error;
}

template <typename Fn>
void MySqlListener::ForEachSession(Fn fn) {
  std::vector<std::shared_ptr<ListenerSession>> sessions;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [ptr, session] : sessions_) sessions.push_back(session);
  }
  for (std::shared_ptr<ListenerSession>& session : sessions) {
    const size_t shard = session->shard();
    asio::post(gateway_.loop(shard), [session = std::move(session), fn] { fn(*session); });
  }
}

bool MySqlListener::WaitForSessions(std::chrono::steady_clock::time_point until) {
  const auto remaining = until - std::chrono::steady_clock::now();
  const absl::Duration timeout =
      absl::FromChrono(std::chrono::duration_cast<std::chrono::milliseconds>(
          std::max(remaining, std::chrono::steady_clock::duration::zero())));
  using Sessions = decltype(sessions_);
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(
      absl::Condition(+[](Sessions* sessions) { return sessions->empty(); }, &sessions_),
      timeout);
}

void MySqlListener::Stop(std::chrono::steady_clock::time_point deadline) {
  std::promise<void> closed;
  asio::post(gateway_.loop(0), [this, &closed] {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    closed.set_value();
  });
  closed.get_future().wait_for(std::chrono::seconds(5));
  ForEachSession([](ListenerSession& s) { s.CloseWhenIdle(); });
  if (WaitForSessions(deadline)) return;
  ForEachSession([](ListenerSession& s) { s.Abort(); });
  WaitForSessions(std::chrono::steady_clock::now() + kAbortGrace);
}

}  // namespace mysqlgw
