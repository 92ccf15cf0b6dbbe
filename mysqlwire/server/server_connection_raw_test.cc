// ServerConnection driven byte by byte from a raw socket: malformed and
// truncated handshakes, sequence ids, classic EOF, COM_CHANGE_USER, and the
// write buffering.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/auth.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/framing.h"
#include "mysqlwire/protocol/handshake.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/server_commands.h"
#include "mysqlwire/server/server_connection.h"
#include "mysqlwire/server/toy_server.h"

namespace mysqlwire {
namespace {

using ::mysqlwire::testing::ToyServer;
using ::mysqlwire::testing::ToyServerOptions;
using std::string_literals::operator""s;

struct Packet {
  uint8_t seq = 0;
  std::string payload;
};

// A blocking client socket with a receive timeout, so a server that hangs
// fails the test instead of hanging it.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }

  void Send(absl::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  void SendPacket(absl::string_view payload, uint8_t seq) {
    std::string framed;
    AppendFramedMessage(payload, &seq, &framed);
    Send(framed);
  }

  // UNAVAILABLE on EOF, DEADLINE_EXCEEDED when nothing came for 5 s.
  absl::StatusOr<Packet> ReadPacket() {
    std::string header;
    if (absl::Status s = ReadExactly(kFrameHeaderSize, &header); !s.ok()) return s;
    const size_t length = static_cast<uint8_t>(header[0]) |
                          static_cast<uint8_t>(header[1]) << 8 |
                          static_cast<uint8_t>(header[2]) << 16;
    Packet p;
    p.seq = static_cast<uint8_t>(header[3]);
    if (absl::Status s = ReadExactly(length, &p.payload); !s.ok()) return s;
    return p;
  }

  // Reads until the server closes; true if it did before the timeout.
  bool ServerClosed() {
    char buf[4096];
    while (true) {
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  absl::Status ReadExactly(size_t n, std::string* out) {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = recv(fd_, out->data() + got, n - got, 0);
      if (r == 0) return absl::UnavailableError("server closed");
      if (r < 0) {
        return errno == EAGAIN ? absl::DeadlineExceededError("read timeout")
                               : absl::UnavailableError("recv failed");
      }
      got += static_cast<size_t>(r);
    }
    return absl::OkStatus();
  }

  int fd_ = -1;
  bool connected_ = false;
};

constexpr uint64_t kBaseCaps = kClientLongPassword | kClientProtocol41 |
                               kClientSecureConnection | kClientPluginAuth |
                               kClientPluginAuthLenencData | kClientTransactions;

HandshakeResponse Response(const InitialHandshake& hs, const std::string& user,
                           const std::string& password, uint64_t caps) {
  HandshakeResponse r;
  r.capabilities = caps;
  r.max_packet_size = 1 << 24;
  r.character_set = 45;
  r.username = user;
  r.auth_response = NativePasswordScramble(password, hs.auth_plugin_data);
  r.auth_plugin_name = "mysql_native_password";
  return r;
}

// Reads the greeting, logs in with mysql_native_password, expects the OK.
absl::StatusOr<InitialHandshake> Login(RawClient& client, const std::string& user,
                                       const std::string& password, uint64_t caps) {
  absl::StatusOr<Packet> greeting = client.ReadPacket();
  if (!greeting.ok()) return greeting.status();
  absl::StatusOr<InitialHandshake> hs = ParseInitialHandshake(greeting->payload);
  if (!hs.ok()) return hs.status();
  client.SendPacket(SerializeHandshakeResponse(Response(*hs, user, password, caps)), 1);
  absl::StatusOr<Packet> ok = client.ReadPacket();
  if (!ok.ok()) return ok.status();
  if (ok->seq != 2 || ok->payload.empty() || ok->payload[0] != 0) {
    return absl::InternalError(absl::StrCat("login reply seq ", ok->seq, ": ",
                                            absl::CEscape(ok->payload)));
  }
  return hs;
}

uint16_t ErrCode(const Packet& p) {
  absl::StatusOr<ServerError> err = ParseErrPacket(p.payload);
  return err.ok() ? err->code : 0;
}

std::unique_ptr<ToyServer> StartToy(std::chrono::milliseconds handshake_timeout =
                                        std::chrono::milliseconds(3000)) {
  ToyServerOptions options;
  options.handshake_timeout = handshake_timeout;
  auto server = ToyServer::Start(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

TEST(ServerHandshakeRawTest, GarbageGetsBadHandshakeAndClose) {
  auto server = StartToy();
  RawClient client(server->port());
  ASSERT_TRUE(client.ReadPacket().ok());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  absl::StatusOr<Packet> reply = client.ReadPacket();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(ErrCode(*reply), 1043);
  EXPECT_TRUE(client.ServerClosed());
  ASSERT_TRUE(server->WaitForHandshakes(1, absl::Seconds(5)));
  EXPECT_TRUE(IsProtocolError(server->handshake_statuses()[0]));
}

TEST(ServerHandshakeRawTest, SilentOrStalledClientHitsTheDeadline) {
  auto server = StartToy(std::chrono::milliseconds(300));
  const absl::Time start = absl::Now();
  RawClient silent(server->port());
  RawClient stalled(server->port());
  ASSERT_TRUE(silent.ReadPacket().ok());
  ASSERT_TRUE(stalled.ReadPacket().ok());
  // A header announcing 40 bytes, and only 10 of them.
  stalled.Send("\x28\x00\x00\x01"s + std::string(10, 'x'));
  EXPECT_TRUE(silent.ServerClosed());
  EXPECT_TRUE(stalled.ServerClosed());
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  ASSERT_TRUE(server->WaitForHandshakes(2, absl::Seconds(5)));
  for (const absl::Status& s : server->handshake_statuses()) {
    EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  }
}

TEST(ServerHandshakeRawTest, MalformedFirstPackets) {
  auto server = StartToy();
  const std::string ssl_request = SerializeSslRequest(kBaseCaps, 1 << 24, 45);
  // PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH, no SSL.
  const std::string plain_caps = "\x00\x82\x08\x00"s;
  struct Case {
    const char* name;
    std::string packet;  // Framed.
  };
  std::vector<Case> cases = {
      {"ssl request without TLS offered", "\x20\x00\x00\x01"s + ssl_request},
      {"sequence id 0", "\x22\x00\x00\x00"s + std::string(0x22, 'a')},
      {"oversized", "\xff\xff\xff\x01"s},
      {"pre-4.1 client", "\x22\x00\x00\x01"s + std::string(0x22, '\0')},
      {"no NUL after user",
       "\x24\x00\x00\x01"s + plain_caps + std::string(28, '\0') + "user"},
  };
  for (const Case& c : cases) {
    RawClient client(server->port());
    ASSERT_TRUE(client.ReadPacket().ok()) << c.name;
    client.Send(c.packet);
    absl::StatusOr<Packet> reply = client.ReadPacket();
    ASSERT_TRUE(reply.ok()) << c.name << ": " << reply.status();
    EXPECT_EQ(ErrCode(*reply), 1043) << c.name;
    EXPECT_TRUE(client.ServerClosed()) << c.name;
  }
}

TEST(ServerHandshakeRawTest, EveryTruncationOfAResponseIsAnsweredCleanly) {
  auto server = StartToy();
  HandshakeResponse r;
  r.capabilities = kBaseCaps | kClientConnectWithDb | kClientConnectAttrs;
  r.username = "u";
  r.auth_response = std::string(20, 'x');
  r.database = "db";
  r.auth_plugin_name = "mysql_native_password";
  r.attributes = {{"_client_name", "raw"}};
  const std::string full = SerializeHandshakeResponse(r);
  int errors = 0;
  for (size_t n = 0; n < full.size(); ++n) {
    RawClient client(server->port());
    ASSERT_TRUE(client.ReadPacket().ok());
    client.SendPacket(full.substr(0, n), 1);
    absl::StatusOr<Packet> reply = client.ReadPacket();
    ASSERT_TRUE(reply.ok()) << n << ": " << reply.status();
    // A cut that still parses (the optional tail dropped) reaches
    // authentication, which the wrong scramble fails: ERR either way.
    EXPECT_TRUE(IsErrPacket(reply->payload)) << n;
    const uint16_t code = ErrCode(*reply);
    EXPECT_TRUE(code == 1043 || code == 1045) << n << ": " << code;
    errors += code == 1043;
    EXPECT_TRUE(client.ServerClosed()) << n;
  }
  EXPECT_GT(errors, 30);
}

TEST(ServerCommandRawTest, ClassicEofAndDeprecateEofLayouts) {
  auto server = StartToy();
  {
    RawClient client(server->port());
    ASSERT_TRUE(Login(client, "u", "secret", kBaseCaps).ok());
    client.SendPacket("\x03SELECT 1"s, 0);
    const std::vector<std::string> expected = {
        "\x01"s, "", "\xfe\x00\x00\x02\x00"s, "\x01" "1"s, "\xfe\x00\x00\x02\x00"s};
    for (size_t i = 0; i < expected.size(); ++i) {
      absl::StatusOr<Packet> p = client.ReadPacket();
      ASSERT_TRUE(p.ok()) << p.status();
      EXPECT_EQ(p->seq, i + 1);
      if (i != 1) {
        EXPECT_EQ(p->payload, expected[i]) << i;
      }
    }
  }
  {
    RawClient client(server->port());
    ASSERT_TRUE(Login(client, "u", "secret", kBaseCaps | kClientDeprecateEof).ok());
    client.SendPacket("\x03SELECT 1"s, 0);
    const std::vector<std::string> expected = {
        "\x01"s, "", "\x01" "1"s, "\xfe\x00\x00\x02\x00\x00\x00"s};
    for (size_t i = 0; i < expected.size(); ++i) {
      absl::StatusOr<Packet> p = client.ReadPacket();
      ASSERT_TRUE(p.ok()) << p.status();
      EXPECT_EQ(p->seq, i + 1);
      if (i != 1) {
        EXPECT_EQ(p->payload, expected[i]) << i;
      }
    }
    // COM_QUIT: the server closes without answering.
    client.SendPacket("\x01"s, 0);
    EXPECT_TRUE(client.ServerClosed());
  }
}

TEST(ServerCommandRawTest, OutOfSequenceOrEmptyCommandDropsTheClient) {
  auto server = StartToy();
  RawClient late(server->port());
  ASSERT_TRUE(Login(late, "u", "secret", kBaseCaps).ok());
  late.SendPacket("\x0e"s, 3);
  EXPECT_TRUE(late.ServerClosed());
  RawClient empty(server->port());
  ASSERT_TRUE(Login(empty, "u", "secret", kBaseCaps).ok());
  empty.SendPacket("", 0);
  EXPECT_TRUE(empty.ServerClosed());
  ASSERT_TRUE(server->WaitForFinishedConnections(2, absl::Seconds(5)));
  for (const absl::Status& s : server->finished_connections()) {
    EXPECT_TRUE(IsProtocolError(s)) << s;
  }
}

TEST(ServerCommandRawTest, ChangeUserReauthenticates) {
  auto server = StartToy();
  RawClient client(server->port());
  absl::StatusOr<InitialHandshake> hs = Login(client, "u", "secret", kBaseCaps);
  ASSERT_TRUE(hs.ok()) << hs.status();

  // To a native account, scrambled with the greeting's nonce: OK at once.
  ChangeUserRequest change;
  change.username = "native_only";
  change.auth_response = NativePasswordScramble("secret", hs->auth_plugin_data);
  change.database = "db2";
  change.character_set = 45;
  change.auth_plugin_name = "mysql_native_password";
  client.SendPacket(SerializeChangeUser(change, kBaseCaps), 0);
  absl::StatusOr<Packet> reply = client.ReadPacket();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->seq, 1);
  EXPECT_EQ(reply->payload[0], '\0') << absl::CEscape(reply->payload);

  // To an account with only a SHA-256 hash: switched to caching_sha2.
  change.username = "sha2_only";
  client.SendPacket(SerializeChangeUser(change, kBaseCaps), 0);
  reply = client.ReadPacket();
  ASSERT_TRUE(reply.ok());
  absl::StatusOr<AuthSwitchRequest> sw = ParseAuthSwitchRequest(reply->payload);
  ASSERT_TRUE(sw.ok()) << sw.status();
  EXPECT_EQ(sw->plugin_name, "caching_sha2_password");
  EXPECT_EQ(sw->plugin_data, hs->auth_plugin_data + '\0');
  client.SendPacket(CachingSha2Scramble("secret", sw->plugin_data), 2);
  reply = client.ReadPacket();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->payload, "\x01\x03"s);
  reply = client.ReadPacket();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->seq, 4);
  EXPECT_EQ(reply->payload[0], '\0');

  // A wrong password: ERR 1045.
  change.username = "u";
  change.auth_response = NativePasswordScramble("wrong", hs->auth_plugin_data);
  client.SendPacket(SerializeChangeUser(change, kBaseCaps), 0);
  reply = client.ReadPacket();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(ErrCode(*reply), 1045);

  ASSERT_TRUE(server->WaitForHandshakes(4, absl::Seconds(5)));
  auto sessions = server->sessions();
  ASSERT_EQ(sessions.size(), 3u);
  EXPECT_EQ(sessions[1].user, "native_only");
  EXPECT_EQ(sessions[1].database, "db2");
  EXPECT_EQ(sessions[2].user, "sha2_only");
  EXPECT_EQ(sessions[2].auth_plugin, "caching_sha2_password");
}

// A server coroutine on its own thread, for tests of the write API itself.
class DirectServer {
 public:
  using Body = std::function<asio::awaitable<void>(ServerConnection&)>;
  explicit DirectServer(Body body)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), body_(std::move(body)) {
    asio::co_spawn(io_, Run(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~DirectServer() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> Run() {
    asio::ip::tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
    ServerConnection conn(std::move(socket));
    ServerHandshakeOptions options;
    options.lookup = testing::ToyLookup;
    auto hs = co_await conn.Handshake(options);
    if (hs.ok()) co_await body_(conn);
    conn.Close();
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  Body body_;
  std::thread thread_;
};

ColumnDefinition IntColumn() {
  ColumnDefinition c;
  c.catalog = "def";
  c.name = "n";
  c.type = ColumnType::kLongLong;
  c.character_set = kBinaryCollation;
  return c;
}

TEST(ServerWriteTest, BuffersRowsAndFlushesPastTheThreshold) {
  constexpr int kRows = 20000;
  size_t max_buffered = 0;
  int flushes_seen = 0;
  absl::Status misuse_before, misuse_width, misuse_binary, misuse_empty;
  DirectServer server([&](ServerConnection& conn) -> asio::awaitable<void> {
    auto cmd = co_await conn.ReadCommand();
    if (!cmd.ok()) co_return;
    const std::vector<Value> one = {Value::Int64(1)};
    misuse_before = co_await conn.WriteTextRow(one);
    const absl::Span<const ColumnDefinition> none;
    misuse_empty = co_await conn.BeginResultSet(none);
    const std::vector<ColumnDefinition> columns = {IntColumn()};
    if (!(co_await conn.BeginResultSet(columns)).ok()) co_return;
    const std::vector<Value> two = {Value::Int64(1), Value::Int64(2)};
    misuse_width = co_await conn.WriteTextRow(two);
    const std::vector<Value> text = {Value::String("not a number")};
    misuse_binary = co_await conn.WriteBinaryRow(text);
    size_t previous = conn.buffered_output();
    for (int i = 0; i < kRows; ++i) {
      const std::vector<Value> row = {Value::Int64(i)};
      if (!(co_await conn.WriteTextRow(row)).ok()) co_return;
      max_buffered = std::max(max_buffered, conn.buffered_output());
      if (conn.buffered_output() < previous) ++flushes_seen;
      previous = conn.buffered_output();
    }
    OkPacket ok;
    if (!(co_await conn.EndResultSet(ok)).ok()) co_return;
    // Flushes the tail, then sees the close.
    absl::StatusOr<ClientCommand> ignored = co_await conn.ReadCommand();
    (void)ignored;
  });
  RawClient client(server.port());
  ASSERT_TRUE(Login(client, "u", "secret", kBaseCaps | kClientDeprecateEof).ok());
  client.SendPacket("\x03SELECT n"s, 0);
  int rows = 0;
  for (int packet = 0;; ++packet) {
    absl::StatusOr<Packet> p = client.ReadPacket();
    ASSERT_TRUE(p.ok()) << p.status() << " after " << rows << " rows";
    // Sequence ids keep counting (mod 256) across the whole result.
    ASSERT_EQ(p->seq, static_cast<uint8_t>(packet + 1));
    if (packet < 2) continue;  // Column count and definition.
    if (IsEofOrOkTerminator(p->payload)) break;
    const std::string digits = std::to_string(rows);
    ASSERT_EQ(p->payload, std::string(1, static_cast<char>(digits.size())) + digits);
    ++rows;
  }
  EXPECT_EQ(rows, kRows);
  // Rows are ~8 bytes framed: 20000 of them need a few flushes, never a
  // buffer much beyond the threshold.
  EXPECT_GE(flushes_seen, 2);
  EXPECT_LT(max_buffered, ServerConnection::kFlushThreshold + 64);
  EXPECT_EQ(misuse_before.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(misuse_empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(misuse_width.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(misuse_binary.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mysqlwire
