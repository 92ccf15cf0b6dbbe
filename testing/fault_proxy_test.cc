// FaultProxy over plain loopback sockets: a listening "server" socket of the
// test's own, a client connected through the proxy, and each fault checked
// from both ends.
#include "testing/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace mysqlgw::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Polls `pred` every 10 ms for up to 10 s.
template <typename Pred>
bool Eventually(Pred pred) {
  const auto end = Clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// A listening socket on 127.0.0.1 standing in for the server.
class Listener {
 public:
  Listener() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(listen(fd_.get(), 64), 0);
    socklen_t len = sizeof(a);
    getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  uint16_t port() const { return port_; }
  // Waits up to 5 s for the next connection.
  Fd Accept() {
    pollfd p{fd_.get(), POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return Fd();
    return Fd(accept(fd_.get(), nullptr, nullptr));
  }

 private:
  Fd fd_;
  uint16_t port_ = 0;
};

Fd Connect(uint16_t port) {
  Fd fd(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  EXPECT_EQ(connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << errno;
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << errno;
    off += static_cast<size_t>(n);
  }
}

struct ReadResult {
  std::string data;
  bool eof = false;
  int error = 0;  // errno of a failed recv (ECONNRESET)
};

// Reads until `want` bytes arrived, EOF, an error, or `quiet` passes with
// nothing new.
ReadResult ReadFor(int fd, size_t want, milliseconds quiet) {
  ReadResult r;
  char buf[8192];
  while (r.data.size() < want) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(quiet.count())) != 1) break;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n == 0) {
      r.eof = true;
      break;
    }
    if (n < 0) {
      r.error = errno;
      break;
    }
    r.data.append(buf, static_cast<size_t>(n));
  }
  return r;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

class FaultProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = FaultProxy::Start("127.0.0.1", listener_.port());
    ASSERT_TRUE(p.ok()) << p.status();
    proxy_ = *std::move(p);
  }
  // A client connected through the proxy and the server's end of it.
  std::pair<Fd, Fd> Pair() {
    Fd client = Connect(proxy_->port());
    Fd server = listener_.Accept();
    EXPECT_GE(server.get(), 0);
    return {std::move(client), std::move(server)};
  }

  Listener listener_;
  std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(FaultProxyTest, ForwardsBothWaysAndCountsConnections) {
  auto [client, server] = Pair();
  const std::string up = Pattern(200000);
  std::thread writer([&, fd = client.get()] { SendAll(fd, up); });
  ReadResult got = ReadFor(server.get(), up.size(), milliseconds(5000));
  writer.join();
  EXPECT_EQ(got.data, up);
  SendAll(server.get(), "pong");
  EXPECT_EQ(ReadFor(client.get(), 4, milliseconds(5000)).data, "pong");
  EXPECT_EQ(proxy_->accepted(), 1u);
  EXPECT_EQ(proxy_->active(), 1u);
  // Counted once the write completed, which may be just after the peer read.
  EXPECT_TRUE(Eventually([&] { return proxy_->bytes_to_server() == up.size(); }));
  EXPECT_TRUE(Eventually([&] { return proxy_->bytes_to_client() == 4u; }));

  // An orderly close travels through and ends the connection.
  shutdown(client.get(), SHUT_WR);
  EXPECT_TRUE(ReadFor(server.get(), 1, milliseconds(5000)).eof);
  SendAll(server.get(), "bye");  // The other direction still works.
  EXPECT_EQ(ReadFor(client.get(), 3, milliseconds(5000)).data, "bye");
  server = Fd();
  EXPECT_TRUE(ReadFor(client.get(), 1, milliseconds(5000)).eof);
  EXPECT_TRUE(Eventually([&] { return proxy_->active() == 0; }));
}

TEST_F(FaultProxyTest, LatencyDelaysEachChunk) {
  auto [client, server] = Pair();
  Faults f;
  f.server_to_client.latency = milliseconds(300);
  proxy_->SetFaults(f);
  SendAll(client.get(), "fast");
  EXPECT_EQ(ReadFor(server.get(), 4, milliseconds(5000)).data, "fast");
  const auto start = Clock::now();
  SendAll(server.get(), "slow");
  EXPECT_EQ(ReadFor(client.get(), 4, milliseconds(5000)).data, "slow");
  EXPECT_GE(Clock::now() - start, milliseconds(290));
}

TEST_F(FaultProxyTest, BandwidthLimitPacesButDeliversEverything) {
  auto [client, server] = Pair();
  Faults f;
  f.client_to_server.bytes_per_second = 200 * 1024;
  proxy_->SetFaults(f);
  const std::string data = Pattern(100 * 1024);
  const auto start = Clock::now();
  std::thread writer([&, fd = client.get()] { SendAll(fd, data); });
  ReadResult got = ReadFor(server.get(), data.size(), milliseconds(5000));
  writer.join();
  EXPECT_EQ(got.data, data);
  // 100 KiB at 200 KiB/s: about half a second (the first chunk goes at once).
  EXPECT_GE(Clock::now() - start, milliseconds(400));
}

TEST_F(FaultProxyTest, DropBlackholesAfterTheCountAndKeepsTheConnection) {
  auto [client, server] = Pair();
  Faults f;
  f.client_to_server.action = FaultAction::kDrop;
  f.client_to_server.after_bytes = 10;
  proxy_->SetFaults(f);
  SendAll(client.get(), Pattern(100));
  ReadResult got = ReadFor(server.get(), 100, milliseconds(500));
  EXPECT_EQ(got.data, Pattern(10));
  EXPECT_FALSE(got.eof);
  EXPECT_EQ(got.error, 0);
  SendAll(client.get(), "more");
  EXPECT_EQ(ReadFor(server.get(), 1, milliseconds(300)).data, "");
  // The other direction is untouched.
  SendAll(server.get(), "back");
  EXPECT_EQ(ReadFor(client.get(), 4, milliseconds(5000)).data, "back");
  EXPECT_EQ(proxy_->active(), 1u);
  // Cleared: forwarding resumes (what was dropped stays dropped).
  proxy_->ClearFaults();
  SendAll(client.get(), "again");
  EXPECT_EQ(ReadFor(server.get(), 5, milliseconds(5000)).data, "again");
}

TEST_F(FaultProxyTest, ResetAfterTheCountSendsRstBothWays) {
  auto [client, server] = Pair();
  Faults f;
  f.server_to_client.action = FaultAction::kReset;
  f.server_to_client.after_bytes = 6;
  proxy_->SetFaults(f);
  SendAll(server.get(), "123456789");
  ReadResult at_client = ReadFor(client.get(), 100, milliseconds(5000));
  EXPECT_EQ(at_client.data, "123456");
  EXPECT_EQ(at_client.error, ECONNRESET);
  ReadResult at_server = ReadFor(server.get(), 100, milliseconds(5000));
  EXPECT_EQ(at_server.error, ECONNRESET);
  EXPECT_TRUE(Eventually([&] { return proxy_->active() == 0; }));
}

TEST_F(FaultProxyTest, ResetOfAnIdleConnectionWaitsForItsNextMessage) {
  auto [client, server] = Pair();
  SendAll(server.get(), "before");
  EXPECT_EQ(ReadFor(client.get(), 6, milliseconds(5000)).data, "before");
  Faults f;
  f.server_to_client.action = FaultAction::kReset;  // after_bytes 0
  proxy_->SetFaults(f);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(proxy_->active(), 1u);  // Bytes sent earlier do not count.
  SendAll(client.get(), "query");
  EXPECT_EQ(ReadFor(server.get(), 5, milliseconds(5000)).data, "query");
  SendAll(server.get(), "answer");
  ReadResult r = ReadFor(client.get(), 100, milliseconds(5000));
  EXPECT_EQ(r.data, "");
  EXPECT_EQ(r.error, ECONNRESET);
}

TEST_F(FaultProxyTest, StallHoldsBytesUntilClearedAndLosesNone) {
  auto [client, server] = Pair();
  Faults f;
  f.server_to_client.action = FaultAction::kStall;
  f.server_to_client.after_bytes = 1000;
  proxy_->SetFaults(f);
  const std::string data = Pattern(500000);
  std::thread writer([&, fd = server.get()] { SendAll(fd, data); });
  ReadResult first = ReadFor(client.get(), data.size(), milliseconds(500));
  EXPECT_EQ(first.data, data.substr(0, 1000));
  EXPECT_FALSE(first.eof);
  EXPECT_EQ(first.error, 0);
  // The other direction still flows.
  SendAll(client.get(), "ping");
  EXPECT_EQ(ReadFor(server.get(), 4, milliseconds(5000)).data, "ping");
  proxy_->ClearFaults();
  ReadResult rest = ReadFor(client.get(), data.size() - 1000, milliseconds(5000));
  writer.join();
  EXPECT_EQ(first.data + rest.data, data);
}

TEST_F(FaultProxyTest, HalfCloseEndsOneDirectionOnly) {
  auto [client, server] = Pair();
  Faults f;
  f.server_to_client.action = FaultAction::kHalfClose;
  f.server_to_client.after_bytes = 3;
  proxy_->SetFaults(f);
  SendAll(server.get(), "abcdef");
  ReadResult got = ReadFor(client.get(), 100, milliseconds(5000));
  EXPECT_EQ(got.data, "abc");
  EXPECT_TRUE(got.eof);
  SendAll(client.get(), "still");
  EXPECT_EQ(ReadFor(server.get(), 5, milliseconds(5000)).data, "still");
  // The client closing too ends the connection.
  client = Fd();
  EXPECT_TRUE(ReadFor(server.get(), 1, milliseconds(5000)).eof);
  EXPECT_TRUE(Eventually([&] { return proxy_->active() == 0; }));
}

TEST_F(FaultProxyTest, RefuseNewClosesAtOnceAndSparesOpenConnections) {
  auto [client, server] = Pair();
  Faults f;
  f.refuse_new = true;
  proxy_->SetFaults(f);
  Fd refused = Connect(proxy_->port());
  ReadResult r = ReadFor(refused.get(), 1, milliseconds(5000));
  EXPECT_TRUE(r.eof || r.error == ECONNRESET);
  EXPECT_TRUE(Eventually([&] { return proxy_->refused() == 1; }));
  EXPECT_EQ(proxy_->accepted(), 2u);
  SendAll(client.get(), "x");
  EXPECT_EQ(ReadFor(server.get(), 1, milliseconds(5000)).data, "x");
  proxy_->ClearFaults();
  auto [c2, s2] = Pair();
  SendAll(c2.get(), "y");
  EXPECT_EQ(ReadFor(s2.get(), 1, milliseconds(5000)).data, "y");
}

TEST_F(FaultProxyTest, ScopeNewConnectionsLeavesOpenOnesAlone) {
  auto [old_client, old_server] = Pair();
  Faults f;
  f.client_to_server.action = FaultAction::kDrop;
  proxy_->SetFaults(f, FaultScope::kNewConnections);
  SendAll(old_client.get(), "old");
  EXPECT_EQ(ReadFor(old_server.get(), 3, milliseconds(5000)).data, "old");
  auto [new_client, new_server] = Pair();
  SendAll(new_client.get(), "new");
  EXPECT_EQ(ReadFor(new_server.get(), 3, milliseconds(300)).data, "");
}

TEST_F(FaultProxyTest, ResetAllResetsEveryOpenConnection) {
  std::vector<std::pair<Fd, Fd>> pairs;
  for (int i = 0; i < 5; ++i) pairs.push_back(Pair());
  EXPECT_TRUE(Eventually([&] { return proxy_->active() == 5; }));
  proxy_->ResetAll();
  EXPECT_EQ(proxy_->active(), 0u);
  for (auto& [client, server] : pairs) {
    EXPECT_EQ(ReadFor(client.get(), 1, milliseconds(5000)).error, ECONNRESET);
    EXPECT_EQ(ReadFor(server.get(), 1, milliseconds(5000)).error, ECONNRESET);
  }
  // New connections work as before.
  auto [c, s] = Pair();
  SendAll(c.get(), "z");
  EXPECT_EQ(ReadFor(s.get(), 1, milliseconds(5000)).data, "z");
}

TEST(FaultProxyStandaloneTest, UnreachableTargetClosesTheClient) {
  int port = 0;
  {
    Listener gone;  // Bound then closed: nothing listens there now.
    port = gone.port();
  }
  auto proxy = FaultProxy::Start("127.0.0.1", static_cast<uint16_t>(port));
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  Fd client = Connect((*proxy)->port());
  ReadResult r = ReadFor(client.get(), 1, milliseconds(5000));
  EXPECT_TRUE(r.eof || r.error == ECONNRESET);
  EXPECT_TRUE(Eventually([&] { return (*proxy)->active() == 0; }));
}

// Faults changed from several threads while data flows, then the proxy is
// destroyed with connections open (and one stalled): no hang, no leak.
TEST(FaultProxyStandaloneTest, ConcurrentChangesAndShutdownWithOpenConnections) {
  Listener listener;
  auto proxy = FaultProxy::Start("127.0.0.1", listener.port());
  ASSERT_TRUE(proxy.ok());
  std::vector<std::pair<Fd, Fd>> pairs;
  for (int i = 0; i < 4; ++i) {
    Fd c = Connect((*proxy)->port());
    Fd s = listener.Accept();
    pairs.emplace_back(std::move(c), std::move(s));
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> changers;
  for (int t = 0; t < 3; ++t) {
    changers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        Faults f;
        f.client_to_server.latency = milliseconds((i + t) % 3);
        f.server_to_client.bytes_per_second = (i % 2) ? 0 : 10 * 1024 * 1024;
        (*proxy)->SetFaults(f, (i % 2) ? FaultScope::kAllConnections
                                       : FaultScope::kNewConnections);
        (void)(*proxy)->active();
      }
    });
  }
  for (auto& [c, s] : pairs) {
    SendAll(c.get(), Pattern(20000));
    EXPECT_EQ(ReadFor(s.get(), 20000, milliseconds(5000)).data, Pattern(20000));
  }
  stop = true;
  for (auto& t : changers) t.join();
  Faults stall;
  stall.server_to_client.action = FaultAction::kStall;
  (*proxy)->SetFaults(stall);
  SendAll(pairs[0].second.get(), "held");
  const auto start = Clock::now();
  proxy->reset();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  // Every client sees its connection end.
  for (auto& [c, s] : pairs) {
    ReadResult r = ReadFor(c.get(), 100, milliseconds(5000));
    EXPECT_TRUE(r.eof || r.error == ECONNRESET);
  }
}

}  // namespace
}  // namespace mysqlgw::testing
