#include "server/http/admin_server.h"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/beast/http/field.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/http/test_client.h"
#include "server/metrics/registry.h"

namespace mysqlgw::http {
namespace {

namespace bhttp = boost::beast::http;
using ::testing::HasSubstr;
using testing::ClientResponse;
using testing::Fetch;
using testing::TestConnection;

constexpr char kHost[] = "127.0.0.1";

// An io_context run by its own thread, like one of the gateway's loops.
class IoThread {
 public:
  IoThread() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

class AdminServerTest : public ::testing::Test {
 protected:
  AdminServerTest() {
    requests_ = &(*registry_.AddCounter("test_requests_total", "Requests.", {"code"}))
                     ->WithLabels({"OK"});
    requests_->Increment(5);
  }

  // Starts a server with these options (listen_address defaults to port 0).
  void StartServer(AdminServerOptions options = {}) {
    server_ = std::make_unique<AdminServer>(
        io_.io(),
        AdminEndpoints{.registry = &registry_, .ready = [this] { return ready_.load(); }},
        std::move(options));
    absl::Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_GT(server_->port(), 0);
  }

  std::unique_ptr<TestConnection> Connect() {
    absl::StatusOr<std::unique_ptr<TestConnection>> c =
        TestConnection::Connect(kHost, server_->port());
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  static std::string Get(absl::string_view target, absl::string_view extra_headers = "") {
    return absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: localhost\r\n", extra_headers,
                        "\r\n");
  }

  // Waits until the server counts `n` open connections.
  bool WaitForConnections(size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (server_->connection_count() != n) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  IoThread io_;  // Declared first: destroyed after the server.
  metrics::Registry registry_;
  metrics::Counter* requests_;
  std::atomic<bool> ready_{true};
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, ServesMetricsHealthAndReadiness) {
  StartServer();
  absl::StatusOr<ClientResponse> metrics = Fetch(kHost, server_->port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->result_int(), 200);
  EXPECT_EQ((*metrics)[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics->body(),
            "# HELP test_requests_total Requests.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{code=\"OK\"} 5\n");

  // Each scrape sees the current values.
  requests_->Increment();
  metrics = Fetch(kHost, server_->port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(metrics->body(), HasSubstr("test_requests_total{code=\"OK\"} 6\n"));

  absl::StatusOr<ClientResponse> health = Fetch(kHost, server_->port(), "/healthz");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->result_int(), 200);
  EXPECT_EQ(health->body(), "ok");

  absl::StatusOr<ClientResponse> ready = Fetch(kHost, server_->port(), "/readyz");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->result_int(), 200);
  ready_ = false;
  ready = Fetch(kHost, server_->port(), "/readyz");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->result_int(), 503);
  EXPECT_EQ(Fetch(kHost, server_->port(), "/healthz")->result_int(), 200);
}

TEST_F(AdminServerTest, NotFoundAndMethodNotAllowed) {
  StartServer();
  absl::StatusOr<ClientResponse> r = Fetch(kHost, server_->port(), "/nope");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_int(), 404);
  r = Fetch(kHost, server_->port(), "/metrics", "POST");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_int(), 405);
  EXPECT_EQ((*r)[bhttp::field::allow], "GET, HEAD");
  r = Fetch(kHost, server_->port(), "/healthz", "DELETE");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_int(), 405);
}

TEST_F(AdminServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  std::unique_ptr<TestConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c->Send(Get(i % 2 == 0 ? "/metrics" : "/healthz")).ok());
    absl::StatusOr<ClientResponse> r = c->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->result_int(), 200);
    EXPECT_TRUE(r->keep_alive());
  }
  // HEAD: the length of the body, but no body; the connection stays usable.
  ASSERT_TRUE(c->Send("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  absl::StatusOr<ClientResponse> head = c->ReadResponse(absl::Seconds(10), /*head=*/true);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->result_int(), 200);
  EXPECT_EQ((*head)[bhttp::field::content_length], std::to_string(registry_.Render().size()));
  EXPECT_EQ(head->body(), "");
  // Pipelined: two requests in one write, two responses in order.
  ASSERT_TRUE(c->Send(Get("/healthz") + Get("/nope")).ok());
  absl::StatusOr<ClientResponse> first = c->ReadResponse();
  absl::StatusOr<ClientResponse> second = c->ReadResponse();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->result_int(), 200);
  EXPECT_EQ(second->result_int(), 404);
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(AdminServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  std::unique_ptr<TestConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(Get("/healthz", "Connection: close\r\n")).ok());
  absl::StatusOr<ClientResponse> r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->keep_alive());
  absl::StatusOr<std::string> rest = c->ReadUntilClosed(absl::Seconds(5));
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, "");

  // HTTP/1.0 closes by default.
  c = Connect();
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.0\r\n\r\n").ok());
  r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version(), 10u);
  EXPECT_TRUE(c->ReadUntilClosed(absl::Seconds(5)).ok());
}

TEST_F(AdminServerTest, OversizedHeaderIsRejected) {
  StartServer({.max_header_bytes = 1024});
  std::unique_ptr<TestConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(
      c->Send(Get("/metrics", absl::StrCat("X-Big: ", std::string(64 * 1024, 'a'), "\r\n")))
          .ok());
  absl::StatusOr<ClientResponse> r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_int(), 431);
  EXPECT_FALSE(r->keep_alive());
  EXPECT_TRUE(c->ReadUntilClosed(absl::Seconds(5)).ok());
  // A header just under the limit is fine.
  absl::StatusOr<ClientResponse> ok = Fetch(kHost, server_->port(), "/healthz");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->result_int(), 200);
}

TEST_F(AdminServerTest, OversizedBodyIsRejected) {
  StartServer({.max_body_bytes = 100});
  // Announced too large: refused before the body is read.
  std::unique_ptr<TestConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
                  .ok());
  absl::StatusOr<ClientResponse> r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_int(), 413);
  EXPECT_TRUE(c->ReadUntilClosed(absl::Seconds(5)).ok());
  // Chunked past the limit.
  c = Connect();
  ASSERT_TRUE(c->Send(absl::StrCat("POST /metrics HTTP/1.1\r\nHost: x\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n200\r\n",
                                   std::string(0x200, 'b'), "\r\n0\r\n\r\n"))
                  .ok());
  r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_int(), 413);
}

TEST_F(AdminServerTest, MalformedRequestGets400) {
  StartServer();
  std::unique_ptr<TestConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("GET /metrics HTTP/9.9 garbage\r\n\r\n").ok());
  absl::StatusOr<ClientResponse> r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_TRUE(c->ReadUntilClosed(absl::Seconds(5)).ok());
}

TEST_F(AdminServerTest, SlowClientIsDisconnected) {
  StartServer({.idle_timeout = std::chrono::milliseconds(5000),
               .request_timeout = std::chrono::milliseconds(300)});
  // Half a request, then silence.
  std::unique_ptr<TestConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  const absl::Time start = absl::Now();
  ASSERT_TRUE(c->Send("GET /metrics HTTP/1.1\r\nHost: x\r\n").ok());
  absl::StatusOr<std::string> rest = c->ReadUntilClosed(absl::Seconds(5));
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, "");  // No response: just closed.
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));

  // Dribbling one byte every 50 ms keeps the connection busy but does not
  // extend the deadline of the request.
  c = Connect();
  const absl::Time dribble_start = absl::Now();
  const std::string request = Get("/metrics", std::string(200, ' ') + "X: y\r\n");
  size_t sent = 0;
  for (; sent < request.size(); ++sent) {
    if (!c->Send(request.substr(sent, 1)).ok()) break;
    absl::SleepFor(absl::Milliseconds(50));
    if (absl::Now() - dribble_start > absl::Seconds(5)) break;
  }
  EXPECT_LT(sent, request.size());
  EXPECT_LT(absl::Now() - dribble_start, absl::Seconds(3));
  EXPECT_TRUE(WaitForConnections(0));
}

TEST_F(AdminServerTest, IdleKeepAliveConnectionIsClosed) {
  StartServer({.idle_timeout = std::chrono::milliseconds(300)});
  std::unique_ptr<TestConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(Get("/healthz")).ok());
  ASSERT_TRUE(c->ReadResponse().ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> rest = c->ReadUntilClosed(absl::Seconds(5));
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  // A connection that never sends anything too.
  c = Connect();
  EXPECT_TRUE(c->ReadUntilClosed(absl::Seconds(5)).ok());
}

TEST_F(AdminServerTest, ConnectionLimit) {
  StartServer({.max_connections = 2});
  std::unique_ptr<TestConnection> a = Connect();
  std::unique_ptr<TestConnection> b = Connect();
  ASSERT_TRUE(WaitForConnections(2));
  std::unique_ptr<TestConnection> c = Connect();  // Accepted by the kernel, closed by us.
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->ReadUntilClosed(absl::Seconds(5)).ok());
  // The first two still work; once one leaves, a new one is served.
  ASSERT_TRUE(a->Send(Get("/healthz")).ok());
  EXPECT_EQ(a->ReadResponse()->result_int(), 200);
  b.reset();
  ASSERT_TRUE(WaitForConnections(1));
  absl::StatusOr<ClientResponse> r = Fetch(kHost, server_->port(), "/healthz");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_int(), 200);
}

TEST_F(AdminServerTest, StopClosesEverything) {
  StartServer();
  std::unique_ptr<TestConnection> idle = Connect();
  ASSERT_NE(idle, nullptr);
  ASSERT_TRUE(idle->Send(Get("/healthz")).ok());
  ASSERT_TRUE(idle->ReadResponse().ok());
  const int port = server_->port();
  server_->Stop();
  EXPECT_TRUE(idle->ReadUntilClosed(absl::Seconds(5)).ok());
  EXPECT_FALSE(TestConnection::Connect(kHost, port, absl::Seconds(2)).ok());
  server_->Stop();  // Idempotent.
  EXPECT_TRUE(WaitForConnections(0));
}

TEST_F(AdminServerTest, DestroyWithOpenConnections) {
  StartServer();
  std::vector<std::unique_ptr<TestConnection>> conns;
  for (int i = 0; i < 3; ++i) conns.push_back(Connect());
  ASSERT_TRUE(conns[0]->Send("GET /metrics HTTP/1.1\r\n").ok());  // Mid-request.
  ASSERT_TRUE(WaitForConnections(3));
  server_.reset();
  for (auto& c : conns) EXPECT_TRUE(c->ReadUntilClosed(absl::Seconds(5)).ok());
}

TEST_F(AdminServerTest, StopWhileTheIoContextIsStopped) {
  boost::asio::io_context io;
  AdminServer server(io, AdminEndpoints{.registry = &registry_});
  ASSERT_TRUE(server.Start().ok());
  io.run_for(std::chrono::milliseconds(10));
  io.stop();
  server.Stop();  // Does not wait for a loop that nobody runs.
}

TEST_F(AdminServerTest, StopBeforeTheIoContextEverRan) {
  boost::asio::io_context io;  // Not stopped, and nobody runs it.
  {
    AdminServer server(io, AdminEndpoints{.registry = &registry_});
    ASSERT_TRUE(server.Start().ok());
  }  // Does not hang.
  io.run_for(std::chrono::milliseconds(10));  // The accept loop sees the stop.
  {
    AdminServer never_started(io, {});
  }
}

TEST(AdminServerAddressTest, ListenAddresses) {
  IoThread io;
  {
    AdminServer server(io.io(), {}, {.listen_address = "localhost:0"});
    ASSERT_TRUE(server.Start().ok());
    absl::StatusOr<ClientResponse> r = Fetch("localhost", server.port(), "/healthz");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->result_int(), 200);
    EXPECT_EQ(Fetch("localhost", server.port(), "/metrics")->result_int(), 404);  // No registry.
    EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);

    // The same port again: in use.
    AdminServer twice(io.io(), {},
                      {.listen_address = absl::StrCat("127.0.0.1:", server.port())});
    absl::Status s = twice.Start();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  }
  {
    AdminServer v6(io.io(), {}, {.listen_address = "[::1]:0"});
    if (absl::Status s = v6.Start(); s.ok()) {
      absl::StatusOr<ClientResponse> r = Fetch("::1", v6.port(), "/healthz");
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->result_int(), 200);
    } else {
      GTEST_LOG_(INFO) << "no IPv6 loopback here: " << s;
    }
  }
  for (const char* bad : {"nocolon", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536",
                          "127.0.0.1:-1", "::1:80", "[::1:80", "no.such.host.invalid:0"}) {
    AdminServer server(io.io(), {}, {.listen_address = bad});
    EXPECT_EQ(server.Start().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseHostPortTest, Forms) {
  absl::StatusOr<HostPort> hp = ParseHostPort("0.0.0.0:9464");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "0.0.0.0");
  EXPECT_EQ(hp->port, 9464);
  hp = ParseHostPort("[::]:80");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::");
  hp = ParseHostPort(":0");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "");
  EXPECT_EQ(hp->port, 0);
  EXPECT_FALSE(ParseHostPort("host:+80").ok());
  EXPECT_FALSE(ParseHostPort("host:123456").ok());
}

}  // namespace
}  // namespace mysqlgw::http
