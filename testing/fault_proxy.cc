#include "testing/fault_proxy.h"

#include <algorithm>
#include <future>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"

namespace mysqlgw::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kChunk = 16 * 1024;

enum Direction { kToServer = 0, kToClient = 1 };

}  // namespace

class FaultProxy::Impl {
 public:
  class Session;

  Impl(FaultProxy& owner, tcp::endpoint target)
      : owner_(owner), acceptor_(io_), target_(std::move(target)), work_(io_.get_executor()) {}

  absl::Status Listen() {
    boost::system::error_code ec;
    tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(local.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(local, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return absl::InternalError(absl::StrCat("fault proxy: listen: ", ec.message()));
    owner_.port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
    return absl::OkStatus();
  }

  // Closes everything and waits until every coroutine has ended.
  void Stop() {
    if (!thread_.joinable()) return;  // Never started.
    RunOnLoop([this] {
      stopping_ = true;
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      CloseAll(/*reset=*/false);
    });
    work_.reset();
    thread_.join();
  }

  // Runs `fn` on the proxy's thread and returns once it ran.
  template <typename Fn>
  void RunOnLoop(Fn fn) {
    std::promise<void> done;
    asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  void SetFaults(const Faults& faults, FaultScope scope);
  void CloseAll(bool reset);

 private:
  friend class Session;
  asio::awaitable<void> Accept();

  FaultProxy& owner_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::endpoint target_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  // Loop thread only from here on.
  bool stopping_ = false;
  Faults defaults_;
  absl::flat_hash_set<std::shared_ptr<Session>> sessions_;
};

// One proxied connection: two pumps (client->server, server->client) that
// share the faults and the close.
class FaultProxy::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& proxy, tcp::socket client, const Faults& faults)
      : proxy_(proxy),
        client_(std::move(client)),
        server_(proxy.io_),
        changed_(proxy.io_, asio::steady_timer::time_point::max()),
        sleep_{asio::steady_timer(proxy.io_), asio::steady_timer(proxy.io_)},
        faults_(faults) {}

  asio::awaitable<void> Run() {
    auto self = shared_from_this();
    auto [ec] = co_await server_.async_connect(proxy_.target_, kAsTuple);
    if (closed_) co_return;
    if (ec) {
      Close(/*reset=*/false);
      co_return;
    }
    boost::system::error_code ignored;
    client_.set_option(tcp::no_delay(true), ignored);
    server_.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(proxy_.io_, Pump(kToServer), asio::detached);
    asio::co_spawn(proxy_.io_, Pump(kToClient), asio::detached);
  }

  void SetFaults(const Faults& faults) {
    faults_ = faults;
    since_[0] = since_[1] = 0;
    ++generation_;
    // Wakes pumps waiting in a stall; the timer keeps its far expiry, so
    // later waits block again.
    changed_.cancel();
  }

  // Closes both sockets; with `reset`, each peer gets an RST instead of FIN.
  void Close(bool reset) {
    if (closed_) return;
    closed_ = true;
    for (tcp::socket* s : {&client_, &server_}) {
      boost::system::error_code ignored;
      if (reset && s->is_open()) s->set_option(asio::socket_base::linger(true, 0), ignored);
      s->close(ignored);
    }
    changed_.cancel();
    sleep_[0].cancel();
    sleep_[1].cancel();
    proxy_.owner_.active_.fetch_sub(1);
    proxy_.sessions_.erase(shared_from_this());
  }

 private:
  const DirectionFaults& FaultsOf(Direction d) const {
    return d == kToServer ? faults_.client_to_server : faults_.server_to_client;
  }

  asio::awaitable<void> Sleep(Direction d, std::chrono::nanoseconds how_long) {
    sleep_[d].expires_after(how_long);
    auto [ec] = co_await sleep_[d].async_wait(kAsTuple);
    (void)ec;  // Cancelled by Close(), which the caller checks.
  }

  asio::awaitable<void> Pump(Direction d) {
    auto self = shared_from_this();
    tcp::socket& src = d == kToServer ? client_ : server_;
    tcp::socket& dst = d == kToServer ? server_ : client_;
    std::atomic<uint64_t>& total =
        d == kToServer ? proxy_.owner_.bytes_to_server_ : proxy_.owner_.bytes_to_client_;
    std::vector<char> buffer(kChunk);
    size_t begin = 0, end = 0;  // Bytes read and not yet forwarded.
    while (!closed_) {
      const DirectionFaults f = FaultsOf(d);
      const bool reached = f.action != FaultAction::kNone && since_[d] >= f.after_bytes;
      if (reached && f.action == FaultAction::kStall) {
        auto [ec] = co_await changed_.async_wait(kAsTuple);
        (void)ec;  // Woken by a change of faults or by Close().
        continue;
      }
      if (begin == end) {
        size_t want = kChunk;
        // Small reads under a bandwidth limit, so the pacing stays smooth.
        if (f.bytes_per_second > 0) {
          want = std::clamp<size_t>(f.bytes_per_second / 20, 1, kChunk);
        }
        auto [ec, n] = co_await src.async_read_some(asio::buffer(buffer.data(), want), kAsTuple);
        if (closed_) break;
        if (ec == asio::error::eof) {
          // An orderly close: pass it on, the other direction may go on.
          boost::system::error_code ignored;
          dst.shutdown(tcp::socket::shutdown_send, ignored);
          Finished(d);
          break;
        }
        if (ec) {
          Close(/*reset=*/true);  // Pass a reset on as a reset.
          break;
        }
        begin = 0;
        end = n;
        continue;  // The faults may have changed while reading.
      }
      // Bytes beyond the count are here: the action fires on them.
      if (reached && f.action == FaultAction::kDrop) {
        begin = end = 0;  // Blackholed.
        continue;
      }
      if (reached && f.action == FaultAction::kReset) {
        Close(/*reset=*/true);
        break;
      }
      if (reached && f.action == FaultAction::kHalfClose) {
        boost::system::error_code ignored;
        dst.shutdown(tcp::socket::shutdown_send, ignored);
        // This direction is over for good; nothing more is read from src.
        Finished(d);
        break;
      }
      size_t n = end - begin;
      if (f.action != FaultAction::kNone) n = std::min<uint64_t>(n, f.after_bytes - since_[d]);
      if (f.latency.count() > 0) {
        co_await Sleep(d, f.latency);
        if (closed_) break;
      }
      const uint64_t generation = generation_;
      auto [ec, written] =
          co_await asio::async_write(dst, asio::buffer(buffer.data() + begin, n), kAsTuple);
      if (closed_) break;
      if (ec) {
        Close(/*reset=*/true);
        break;
      }
      begin += written;
      // Bytes sent under faults that were replaced meanwhile do not count
      // towards the new ones.
      if (generation == generation_) since_[d] += written;
      total.fetch_add(written);
      if (f.bytes_per_second > 0) {
        co_await Sleep(d, std::chrono::nanoseconds(written * 1000000000ull / f.bytes_per_second));
      }
    }
  }

  // Both directions ended in order: the connection is over.
  void Finished(Direction d) {
    done_[d] = true;
    if (done_[0] && done_[1]) Close(/*reset=*/false);
  }

  Impl& proxy_;
  tcp::socket client_;
  tcp::socket server_;
  asio::steady_timer changed_;
  asio::steady_timer sleep_[2];
  Faults faults_;
  uint64_t since_[2] = {0, 0};
  uint64_t generation_ = 0;  // Bumped by each SetFaults.
  bool done_[2] = {false, false};
  bool closed_ = false;
};

asio::awaitable<void> FaultProxy::Impl::Accept() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
    if (stopping_) break;
    if (ec) {
      if (ec == asio::error::operation_aborted) break;
      continue;  // e.g. EMFILE: try again.
    }
    owner_.accepted_.fetch_add(1);
    if (defaults_.refuse_new) {
      owner_.refused_.fetch_add(1);
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto session = std::make_shared<Session>(*this, std::move(socket), defaults_);
    owner_.active_.fetch_add(1);
    sessions_.insert(session);
    asio::co_spawn(io_, session->Run(), asio::detached);
  }
}

void FaultProxy::Impl::SetFaults(const Faults& faults, FaultScope scope) {
  RunOnLoop([&] {
    defaults_ = faults;
    if (scope == FaultScope::kAllConnections) {
      for (const auto& session : sessions_) session->SetFaults(faults);
    }
  });
}

void FaultProxy::Impl::CloseAll(bool reset) {
  // Close() removes the session from the set.
  std::vector<std::shared_ptr<Session>> all(sessions_.begin(), sessions_.end());
  for (const auto& session : all) session->Close(reset);
}

absl::StatusOr<std::unique_ptr<FaultProxy>> FaultProxy::Start(std::string target_host,
                                                             uint16_t target_port) {
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(target_host, ec);
  if (ec) {
    asio::io_context resolver_io;
    tcp::resolver resolver(resolver_io);
    auto results = resolver.resolve(target_host, std::to_string(target_port), ec);
    if (ec || results.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("fault proxy: cannot resolve ", target_host, ": ", ec.message()));
    }
    address = results.begin()->endpoint().address();
  }
  std::unique_ptr<FaultProxy> proxy(new FaultProxy());
  proxy->impl_ = std::make_unique<Impl>(*proxy, tcp::endpoint(address, target_port));
  if (absl::Status s = proxy->impl_->Listen(); !s.ok()) return s;
  return proxy;
}

FaultProxy::~FaultProxy() {
  if (impl_ != nullptr) impl_->Stop();
}

void FaultProxy::SetFaults(const Faults& faults, FaultScope scope) {
  impl_->SetFaults(faults, scope);
}

void FaultProxy::ResetAll() {
  impl_->RunOnLoop([this] { impl_->CloseAll(/*reset=*/true); });
}

}  // namespace mysqlgw::testing
