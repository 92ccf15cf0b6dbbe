#include "server/http/admin_server.h"

#include <array>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core/error.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http/error.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/write.hpp"
#include "server/http/admin_handler.h"

namespace mysqlgw::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After a response that closes the connection, what the client still sends
// is read and dropped for this long (at most kLingerBytes) before closing, so
// that the close does not become a reset that destroys the response in
// flight (e.g. the 431 to a client still sending its oversized header).
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerBytes = 1 << 20;
constexpr size_t kReadChunk = 4096;

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

}  // namespace

absl::StatusOr<HostPort> ParseHostPort(absl::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address, "\": expected host:port"));
  }
  HostPort out;
  absl::string_view host = address.substr(0, colon);
  const absl::string_view port = address.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", address, "\": unterminated [IPv6 address]"));
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", address, "\": an IPv6 address needs brackets ([::1]:9464)"));
  }
  if (port.empty() || port.size() > 5 || !absl::SimpleAtoi(port, &out.port) || out.port < 0 ||
      out.port > 65535 || port.find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address, "\": bad port \"", port, "\""));
  }
  out.host = std::string(host);
  return out;
}

struct AdminServer::Impl {
  struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
  };

  Impl(asio::io_context& io, AdminEndpoints endpoints, AdminServerOptions options)
      : strand(asio::make_strand(io)),
        acceptor(strand),
        endpoints(std::move(endpoints)),
        options(std::move(options)) {}

  // The coroutines hold `self`, so the state outlives the AdminServer until
  // they have noticed the stop.
  static asio::awaitable<void> AcceptLoop(std::shared_ptr<Impl> self);
  static asio::awaitable<void> Serve(std::shared_ptr<Impl> self,
                                     std::shared_ptr<Connection> conn);
  // On the strand (or while no thread runs the io_context).
  void CloseAll();

  asio::strand<asio::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  const AdminEndpoints endpoints;
  const AdminServerOptions options;
  // Whether the accept loop began to run on the io_context; a Stop before
  // that closes everything itself (no handler of ours runs yet) and tells
  // the loop not to begin.
  std::mutex begin_mu;
  bool accept_loop_began = false;  // Guarded by begin_mu.
  bool stopped_before_begin = false;  // Guarded by begin_mu.
  // The rest is touched on the strand only.
  bool stopped = false;
  std::set<Connection*> connections;
  std::atomic<size_t> connection_count{0};
};

asio::awaitable<void> AdminServer::Impl::AcceptLoop(std::shared_ptr<Impl> self) {
  Impl& s = *self;
  {
    std::lock_guard<std::mutex> lock(s.begin_mu);
    if (s.stopped_before_begin) co_return;
    s.accept_loop_began = true;
  }
  tcp::acceptor& acceptor = s.acceptor;
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(s.strand, kUseTuple);
    if (s.stopped) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of descriptors, or the like: retry a little later, without
      // spinning.
      asio::steady_timer pause(s.strand, std::chrono::milliseconds(100));
      co_await pause.async_wait(kUseTuple);
      if (s.stopped) co_return;
      continue;
    }
    if (s.connections.size() >= s.options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    // Responses go out whole: no Nagle delay between pipelined responses.
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto conn = std::make_shared<Connection>(std::move(socket));
    s.connections.insert(conn.get());
    s.connection_count.store(s.connections.size());
    asio::co_spawn(s.strand, Serve(self, std::move(conn)), asio::detached);
  }
}

asio::awaitable<void> AdminServer::Impl::Serve(std::shared_ptr<Impl> self,
                                               std::shared_ptr<Connection> conn) {
  Impl& s = *self;
  const AdminServerOptions& options = s.options;
  beast::tcp_stream& stream = conn->stream;
  beast::flat_buffer buffer;
  bool linger = false;
  for (;;) {
    if (buffer.size() == 0) {
      // Idle: wait for the first byte of the next request.
      stream.expires_after(options.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kUseTuple);
      if (s.stopped || ec) break;
      buffer.commit(n);
    }
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    stream.expires_after(options.request_timeout);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
    if (s.stopped) break;

    Response response;
    if (!ec) {
      response = HandleAdminRequest(parser.get(), s.endpoints);
    } else if (ec == bhttp::error::header_limit) {
      response = TextResponse(bhttp::status::request_header_fields_too_large, 11,
                              "request header too large\n");
      response.keep_alive(false);
    } else if (ec == bhttp::error::body_limit) {
      response = TextResponse(bhttp::status::payload_too_large, 11, "request body too large\n");
      response.keep_alive(false);
    } else if (IsHttpParseError(ec)) {
      response = TextResponse(bhttp::status::bad_request, 11, "bad request\n");
      response.keep_alive(false);
    } else {
      break;  // Timed out, closed or reset: nobody to answer.
    }
    const bool keep_alive = response.keep_alive();
    stream.expires_after(options.write_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, response, kUseTuple);
    if (s.stopped || write_ec) break;
    if (!keep_alive) {
      linger = true;
      break;
    }
  }

  if (linger) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(kLingerTime);
    std::array<char, kReadChunk> drain;
    for (size_t total = 0; total < kLingerBytes && !s.stopped;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(drain), kUseTuple);
      if (ec) break;
      total += n;
    }
  }
  if (!s.stopped) {
    stream.close();
  }
  s.connections.erase(conn.get());
  s.connection_count.store(s.connections.size());
}

void AdminServer::Impl::CloseAll() {
  stopped = true;
  beast::error_code ignored;
  acceptor.close(ignored);
  for (Connection* conn : connections) conn->stream.close();
}

AdminServer::AdminServer(asio::io_context& io, AdminEndpoints endpoints,
                         AdminServerOptions options)
    : io_(io), impl_(std::make_shared<Impl>(io, std::move(endpoints), std::move(options))) {}

AdminServer::~AdminServer() { Stop(); }

absl::Status AdminServer::Start() {
  if (started_) return absl::FailedPreconditionError("admin server already started");
  const std::string& address = impl_->options.listen_address;
  absl::StatusOr<HostPort> host_port = ParseHostPort(address);
  if (!host_port.ok()) return host_port.status();

  beast::error_code ec;
  tcp::endpoint endpoint;
  if (host_port->host.empty()) {
    endpoint = tcp::endpoint(tcp::v4(), static_cast<unsigned short>(host_port->port));
  } else if (asio::ip::address ip = asio::ip::make_address(host_port->host, ec); !ec) {
    endpoint = tcp::endpoint(ip, static_cast<unsigned short>(host_port->port));
  } else {
    tcp::resolver resolver(io_);
    tcp::resolver::results_type results = resolver.resolve(
        host_port->host, std::to_string(host_port->port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("listen address \"", address,
                                                     "\": cannot resolve the host: ",
                                                     ec ? ec.message() : "no address"));
    }
    endpoint = results.begin()->endpoint();
  }

  tcp::acceptor& acceptor = impl_->acceptor;
  const auto fail = [&](absl::string_view what) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, ": ", what, ": ", ec.message()));
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("option");
  acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  const tcp::endpoint local = acceptor.local_endpoint(ec);
  if (ec) return fail("local address");
  port_ = local.port();
  started_ = true;
  asio::co_spawn(impl_->strand, Impl::AcceptLoop(impl_), asio::detached);
  return absl::OkStatus();
}

void AdminServer::Stop() {
  if (!started_) return;
  std::shared_ptr<Impl> impl = impl_;
  {
    std::lock_guard<std::mutex> lock(impl->begin_mu);
    if (!impl->accept_loop_began) {
      impl->stopped_before_begin = true;
      impl->CloseAll();
      return;
    }
  }
  if (impl->strand.running_in_this_thread() || io_.stopped()) {
    impl->CloseAll();
    return;
  }
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> closed = done->get_future();
  asio::post(impl->strand, [impl, done] {
    impl->CloseAll();
    done->set_value();
  });
  while (closed.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    if (io_.stopped()) {
      // Nothing runs the posted close any more: nothing else runs either.
      impl->CloseAll();
      return;
    }
  }
}

size_t AdminServer::connection_count() const { return impl_->connection_count.load(); }

}  // namespace mysqlgw::http
