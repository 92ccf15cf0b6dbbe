// The connection against a scripted peer on loopback: every server message
// is chosen by the test, so malformed, truncated, stalled and hostile
// servers can be played, and the client's bytes checked.
#include "mysqlwire/connection.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/read.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/auth.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/framing.h"
#include "mysqlwire/protocol/handshake.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/row_binary.h"
#include "mysqlwire/protocol/column_definition.h"

namespace mysqlwire {
namespace {

using asio::ip::tcp;
using std::string_literals::operator""s;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

const std::string kNonce = "abcdefghij0123456789";

std::string Greeting(absl::string_view plugin = kNativePasswordPlugin,
                     uint64_t extra_caps = 0) {
  InitialHandshake hs;
  hs.server_version = "5.5.5-10.11.0-MariaDB-fake";
  hs.connection_id = 77;
  hs.auth_plugin_data = kNonce;
  hs.capabilities = kClientProtocol41 | kClientSecureConnection |
                    kClientPluginAuth | kClientPluginAuthLenencData |
                    kClientDeprecateEof | kClientMultiResults |
                    kClientMultiStatements | kClientTransactions |
                    kClientConnectWithDb | kClientConnectAttrs | extra_caps;
  hs.character_set = 45;
  hs.status_flags = kServerStatusAutocommit;
  hs.auth_plugin_name = std::string(plugin);
  return SerializeInitialHandshake(hs);
}

std::string Ok(uint16_t status = kServerStatusAutocommit) {
  OkPacket ok;
  ok.status_flags = status;
  return SerializeOkPacket(ok, 0);
}

// A peer that accepts one connection and runs a script against it.
class ScriptedServer {
 public:
  using Script = std::function<asio::awaitable<void>(ScriptedServer&)>;

  ScriptedServer(asio::io_context& io, Script script)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        socket_(io) {
    asio::co_spawn(
        io,
        [this, script = std::move(script)]() -> asio::awaitable<void> {
          auto [ec] = co_await acceptor_.async_accept(socket_, kAsTuple);
          if (ec) co_return;
          co_await script(*this);
        },
        asio::detached);
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  // Sends payload as one message with the given sequence id.
  asio::awaitable<void> Send(absl::string_view payload, uint8_t seq) {
    std::string out;
    AppendFramedMessage(payload, &seq, &out);
    co_await SendRaw(out);
  }
  asio::awaitable<void> SendRaw(absl::string_view bytes) {
    co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                               kAsTuple);
  }
  // Reads one packet (single-packet messages only) and returns its payload.
  asio::awaitable<std::string> Receive() {
    unsigned char header[4];
    auto [ec, n] = co_await asio::async_read(socket_, asio::buffer(header), kAsTuple);
    if (ec) co_return "";
    size_t length = header[0] | header[1] << 8 | header[2] << 16;
    std::string payload(length, '\0');
    if (length > 0) {
      co_await asio::async_read(socket_, asio::buffer(payload), kAsTuple);
    }
    received.push_back(payload);
    co_return payload;
  }
  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
  // Greets, takes the handshake response and accepts it.
  asio::awaitable<void> AcceptLogin() {
    co_await Send(Greeting(), 0);
    co_await Receive();
    co_await Send(Ok(), 2);
  }

  std::vector<std::string> received;

 private:
  tcp::acceptor acceptor_;
  tcp::socket socket_;
};

class ConnectionScriptTest : public ::testing::Test {
 protected:
  ConnectOptions Options(uint16_t port) {
    ConnectOptions o;
    o.host = "127.0.0.1";
    o.port = port;
    o.user = "app";
    o.password = "secret";
    o.ssl_mode = SslMode::kDisable;
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.io_timeout = std::chrono::milliseconds(2000);
    return o;
  }

  template <typename T>
  T Run(asio::awaitable<T> op) {
    std::optional<T> result;
    asio::co_spawn(io_, std::move(op), [&](std::exception_ptr e, T value) {
      if (e) std::rethrow_exception(e);
      result.emplace(std::move(value));
      io_.stop();  // The scripted peer may still be waiting; don't.
    });
    io_.run_for(std::chrono::seconds(10));
    io_.restart();
    EXPECT_TRUE(result.has_value()) << "operation did not complete: a hang";
    return result.has_value() ? *std::move(result) : T(absl::InternalError("hang"));
  }

  asio::io_context io_;
};

TEST_F(ConnectionScriptTest, LoginSendsExpectedResponse) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.AcceptLogin();
  });
  Connection c(io_.get_executor());
  ConnectOptions o = Options(server.port());
  o.database = "shop";
  ASSERT_TRUE(Run(c.Connect(o)).ok());
  EXPECT_EQ(c.connection_id(), 77u);
  ASSERT_EQ(server.received.size(), 1u);
  auto resp = ParseHandshakeResponse(server.received[0]);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->username, "app");
  EXPECT_EQ(resp->database, "shop");
  EXPECT_EQ(resp->auth_plugin_name, "mysql_native_password");
  EXPECT_EQ(resp->auth_response, NativePasswordScramble("secret", kNonce));
  EXPECT_EQ(resp->character_set, 45);
  EXPECT_TRUE(resp->capabilities & kClientDeprecateEof);
  EXPECT_FALSE(resp->capabilities & kClientSsl);
}

TEST_F(ConnectionScriptTest, ErrorInsteadOfGreeting) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send("\xff\x10\x04Too many connections"s, 0);
    s.Close();
  });
  Connection c(io_.get_executor());
  absl::Status st = Run(c.Connect(Options(server.port())));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(GetServerError(st)->code, 1040);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(c.usable());
}

TEST_F(ConnectionScriptTest, EveryTruncatedGreetingFailsWithoutHanging) {
  const std::string greeting = Greeting();
  // Representative cut points (every one would take too long with a socket
  // each; the parser itself is tested at every prefix).
  for (size_t cut : {size_t{0}, size_t{1}, size_t{5}, size_t{20}, size_t{45},
                     greeting.size() - 3}) {
    asio::io_context io;
    ScriptedServer server(io, [&](ScriptedServer& s) -> asio::awaitable<void> {
      std::string framed;
      uint8_t seq = 0;
      AppendFramedMessage(greeting, &seq, &framed);
      co_await s.SendRaw(absl::string_view(framed).substr(0, cut + 4));
      s.Close();
    });
    Connection c(io.get_executor());
    std::optional<absl::Status> st;
    asio::co_spawn(io, c.Connect(Options(server.port())),
                   [&](std::exception_ptr, absl::Status s) { st = s; });
    io.run_for(std::chrono::seconds(5));
    ASSERT_TRUE(st.has_value()) << "hang at cut " << cut;
    EXPECT_FALSE(st->ok()) << cut;
    EXPECT_TRUE(st->code() == absl::StatusCode::kUnavailable || IsProtocolError(*st))
        << cut << ": " << *st;
  }
}

TEST_F(ConnectionScriptTest, StalledServerTimesOut) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(8));
    co_await t.async_wait(kAsTuple);
    (void)s;
  });
  Connection c(io_.get_executor());
  ConnectOptions o = Options(server.port());
  o.connect_timeout = std::chrono::milliseconds(300);
  o.io_timeout = std::chrono::milliseconds(5000);  // The connect deadline wins.
  auto start = std::chrono::steady_clock::now();
  absl::Status st = Run(c.Connect(o));
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST_F(ConnectionScriptTest, WrongSequenceIdIsProtocolError) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(), 0);
    co_await s.Receive();
    co_await s.Send(Ok(), 5);  // Should be 2.
  });
  Connection c(io_.get_executor());
  absl::Status st = Run(c.Connect(Options(server.port())));
  EXPECT_TRUE(IsProtocolError(st)) << st;
  EXPECT_FALSE(c.usable());
}

TEST_F(ConnectionScriptTest, TruncatedColumnDefinitionBreaksConnection) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.AcceptLogin();
    co_await s.Receive();                   // COM_QUERY
    co_await s.Send("\x01"s, 1);            // one column
    co_await s.Send("\x03" "def\x00"s, 2);  // cut short
  });
  Connection c(io_.get_executor());
  ASSERT_TRUE(Run(c.Connect(Options(server.port()))).ok());
  auto r = Run(c.Query("SELECT 1"));
  EXPECT_TRUE(IsProtocolError(r.status())) << r.status();
  EXPECT_FALSE(c.usable());
  // Fails fast afterwards, without touching the socket.
  EXPECT_EQ(Run(c.Query("SELECT 1")).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ConnectionScriptTest, HugeColumnCountDoesNotAllocate) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.AcceptLogin();
    co_await s.Receive();
    co_await s.Send("\xfe\xff\xff\xff\xff\xff\xff\xff\x7f"s, 1);
    s.Close();
  });
  Connection c(io_.get_executor());
  ASSERT_TRUE(Run(c.Connect(Options(server.port()))).ok());
  auto r = Run(c.Query("SELECT 1"));
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(c.usable());
}

TEST_F(ConnectionScriptTest, ServerClosesMidPacket) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.AcceptLogin();
    co_await s.Receive();
    co_await s.SendRaw("\xff\xff\xff\x01partial"s);  // Announces 16 MB.
    s.Close();
  });
  Connection c(io_.get_executor());
  ASSERT_TRUE(Run(c.Connect(Options(server.port()))).ok());
  auto r = Run(c.Query("SELECT 1"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
}

TEST_F(ConnectionScriptTest, MessageOverLimitIsRejected) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.AcceptLogin();
    co_await s.Receive();
    co_await s.SendRaw("\x00\x10\x00\x01"s);  // 4 KiB announced.
  });
  Connection c(io_.get_executor());
  ConnectOptions o = Options(server.port());
  o.max_message_size = 1024;
  ASSERT_TRUE(Run(c.Connect(o)).ok());
  auto r = Run(c.Query("SELECT 1"));
  EXPECT_TRUE(IsProtocolError(r.status())) << r.status();
}

TEST_F(ConnectionScriptTest, UnknownAuthSwitchIsUnimplemented) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(), 0);
    co_await s.Receive();
    co_await s.Send("\xfe" "dialog\x00xyz\x00"s, 2);
  });
  Connection c(io_.get_executor());
  absl::Status st = Run(c.Connect(Options(server.port())));
  EXPECT_EQ(st.code(), absl::StatusCode::kUnimplemented) << st;
}

TEST_F(ConnectionScriptTest, AuthSwitchToNativeUsesNewNonce) {
  const std::string nonce2 = "ZYXWVUTSRQ9876543210";
  ScriptedServer server(io_, [&](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(kCachingSha2Plugin), 0);
    co_await s.Receive();
    co_await s.Send("\xfe" "mysql_native_password\x00"s + nonce2 + "\x00"s, 2);
    co_await s.Receive();
    co_await s.Send(Ok(), 4);
  });
  Connection c(io_.get_executor());
  ASSERT_TRUE(Run(c.Connect(Options(server.port()))).ok());
  ASSERT_EQ(server.received.size(), 2u);
  auto resp = ParseHandshakeResponse(server.received[0]);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->auth_response, CachingSha2Scramble("secret", kNonce));
  EXPECT_EQ(server.received[1], NativePasswordScramble("secret", nonce2));
  EXPECT_EQ(server.received[1].size(), 20u);
  EXPECT_EQ(c.auth_plugin(), "mysql_native_password");
}

TEST_F(ConnectionScriptTest, CachingSha2FastPath) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(kCachingSha2Plugin), 0);
    co_await s.Receive();
    co_await s.Send("\x01\x03"s, 2);
    co_await s.Send(Ok(), 3);
  });
  Connection c(io_.get_executor());
  ASSERT_TRUE(Run(c.Connect(Options(server.port()))).ok());
  EXPECT_EQ(c.auth_plugin(), "caching_sha2_password");
}

// Full authentication without TLS: the client asks for the server's RSA key
// and sends the password encrypted under it; the scripted server decrypts
// it and checks the password, as a real server does.
TEST_F(ConnectionScriptTest, CachingSha2FullAuthWithPublicKeyRetrieval) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048),
                                                          &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key.get());
  char* pem_data = nullptr;
  long pem_len = BIO_get_mem_data(bio.get(), &pem_data);
  const std::string pem(pem_data, pem_len);
  std::string decrypted;

  ScriptedServer server(io_, [&](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(kCachingSha2Plugin), 0);
    co_await s.Receive();
    co_await s.Send("\x01\x04"s, 2);  // Perform full authentication.
    std::string request = co_await s.Receive();
    EXPECT_EQ(request, "\x02");  // Public key request.
    co_await s.Send("\x01"s + pem, 4);
    std::string cipher = co_await s.Receive();
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new(key.get(), nullptr), &EVP_PKEY_CTX_free);
    EVP_PKEY_decrypt_init(ctx.get());
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING);
    size_t len = 512;
    std::string plain(len, '\0');
    if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()),
                         &len, reinterpret_cast<const unsigned char*>(cipher.data()),
                         cipher.size()) > 0) {
      plain.resize(len);
      for (size_t i = 0; i < plain.size(); ++i) plain[i] ^= kNonce[i % kNonce.size()];
      decrypted = plain;
    }
    co_await s.Send(Ok(), 6);
  });
  Connection c(io_.get_executor());
  ConnectOptions o = Options(server.port());
  o.allow_public_key_retrieval = true;
  ASSERT_TRUE(Run(c.Connect(o)).ok());
  EXPECT_EQ(decrypted, std::string("secret\0", 7));
}

TEST_F(ConnectionScriptTest, CachingSha2FullAuthRefusedWithoutKeyOrTls) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(kCachingSha2Plugin), 0);
    co_await s.Receive();
    co_await s.Send("\x01\x04"s, 2);
    co_await s.Receive();
  });
  Connection c(io_.get_executor());
  absl::Status st = Run(c.Connect(Options(server.port())));
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  // The password was never sent in any form the peer could read.
  for (const std::string& r : server.received) {
    EXPECT_EQ(r.find("secret"), std::string::npos);
  }
}

TEST_F(ConnectionScriptTest, TlsRequiredButNotOffered) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(), 0);
    co_await s.Receive();
  });
  Connection c(io_.get_executor());
  ConnectOptions o = Options(server.port());
  o.ssl_mode = SslMode::kRequired;
  absl::Status st = Run(c.Connect(o));
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_TRUE(server.received.empty());  // Nothing sent in clear.
}

// MariaDB's MARIADB_CLIENT_CACHE_METADATA: the second execution of a
// prepared statement arrives without column definitions and is decoded with
// the ones cached from the first.
TEST_F(ConnectionScriptTest, SkippedResultMetadataUsesTheCachedColumns) {
  ColumnDefinition column;
  column.catalog = "def";
  column.name = "n";
  column.type = ColumnType::kLongLong;
  column.character_set = 63;
  column.flags = kNotNullFlag;
  const std::string column_packet = SerializeColumnDefinition(column);
  auto row = [&](int64_t v) {
    return *SerializeBinaryRow({Value::Int64(v)}, {column});
  };
  const std::string end = SerializeOkPacket(OkPacket{}, kClientProtocol41, 0xfe);
  ScriptedServer server(io_, [&](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(kNativePasswordPlugin, kMariaDbClientCacheMetadata), 0);
    co_await s.Receive();
    co_await s.Send(Ok(), 2);
    co_await s.Receive();  // COM_STMT_PREPARE
    co_await s.Send("\x00\x07\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"s, 1);
    co_await s.Send(column_packet, 2);
    co_await s.Receive();  // first COM_STMT_EXECUTE: metadata follows
    co_await s.Send("\x01\x01"s, 1);
    co_await s.Send(column_packet, 2);
    co_await s.Send(row(41), 3);
    co_await s.Send(end, 4);
    co_await s.Receive();  // second: metadata skipped
    co_await s.Send("\x01\x00"s, 1);
    co_await s.Send(row(42), 2);
    co_await s.Send(end, 3);
  });
  Connection c(io_.get_executor());
  ASSERT_TRUE(Run(c.Connect(Options(server.port()))).ok());
  auto response = ParseHandshakeResponse(server.received[0]);
  ASSERT_TRUE(response.ok());
  EXPECT_TRUE(response->capabilities & kMariaDbClientCacheMetadata);
  auto st = Run(c.Prepare("SELECT n FROM t"));
  ASSERT_TRUE(st.ok()) << st.status();
  for (int64_t want : {41, 42}) {
    auto r = Run(c.Execute(*st, {}));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ((*r)[0].columns.size(), 1u);
    EXPECT_EQ((*r)[0].columns[0].name, "n");
    ASSERT_EQ((*r)[0].rows.size(), 1u);
    EXPECT_EQ((*r)[0].rows[0][0], Value::Int64(want));
  }
  EXPECT_TRUE(c.usable());
}

TEST_F(ConnectionScriptTest, SkippedMetadataForATextQueryIsAProtocolError) {
  ScriptedServer server(io_, [&](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.Send(Greeting(kNativePasswordPlugin, kMariaDbClientCacheMetadata), 0);
    co_await s.Receive();
    co_await s.Send(Ok(), 2);
    co_await s.Receive();
    co_await s.Send("\x01\x00"s, 1);
  });
  Connection c(io_.get_executor());
  ASSERT_TRUE(Run(c.Connect(Options(server.port()))).ok());
  auto r = Run(c.Query("SELECT 1"));
  EXPECT_TRUE(IsProtocolError(r.status())) << r.status();
}

TEST_F(ConnectionScriptTest, LocalInfileRequestIsRefused) {
  ScriptedServer server(io_, [](ScriptedServer& s) -> asio::awaitable<void> {
    co_await s.AcceptLogin();
    co_await s.Receive();
    co_await s.Send("\xfb/etc/passwd"s, 1);
    std::string empty = co_await s.Receive();
    EXPECT_TRUE(empty.empty());
    co_await s.Send("\xff\x00\x05#HY000Aborted"s, 3);
  });
  Connection c(io_.get_executor());
  ASSERT_TRUE(Run(c.Connect(Options(server.port()))).ok());
  auto r = Run(c.Query("LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(c.usable());
}

}  // namespace
}  // namespace mysqlwire
