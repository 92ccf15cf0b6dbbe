#include "mysqlwire/server/server_connection.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/auth.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/handshake.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/server_auth.h"
#include "mysqlwire/protocol/server_commands.h"
#include "mysqlwire/server/test_certs.h"
#include "mysqlwire/server/toy_server.h"

namespace mysqlwire {
namespace {

using ::mysqlwire::testing::ToyServer;
using ::mysqlwire::testing::ToyServerOptions;
using ::testing::Contains;
using ::testing::HasSubstr;
using std::string_literals::operator""s;

template <typename T>
T RunSync(asio::io_context& io, asio::awaitable<T> coroutine) {
  std::optional<T> result;
  asio::co_spawn(io, std::move(coroutine), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    result.emplace(std::move(value));
  });
  io.restart();
  io.run();
  return *std::move(result);
}

void RunSync(asio::io_context& io, asio::awaitable<void> coroutine) {
  asio::co_spawn(io, std::move(coroutine), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.restart();
  io.run();
}

std::shared_ptr<asio::ssl::context> TestTlsContext() {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->use_certificate_chain(
      asio::buffer(testing::kTestCertPem.data(), testing::kTestCertPem.size()));
  ctx->use_private_key(asio::buffer(testing::kTestKeyPem.data(), testing::kTestKeyPem.size()),
                       asio::ssl::context::pem);
  return ctx;
}

std::shared_ptr<const RsaPasswordKey> TestRsaKey() {
  auto key = RsaPasswordKey::FromPrivateKeyPem(testing::kTestKeyPem);
  EXPECT_TRUE(key.ok()) << key.status();
  return std::make_shared<const RsaPasswordKey>(*std::move(key));
}

std::unique_ptr<ToyServer> StartToy(ToyServerOptions options = {}) {
  auto server = ToyServer::Start(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

ConnectOptions ClientOptions(uint16_t port, std::string user = "u",
                             std::string password = "secret") {
  ConnectOptions o;
  o.port = port;
  o.user = std::move(user);
  o.password = std::move(password);
  o.ssl_mode = SslMode::kDisable;
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

// Connects our own client; returns the connect status.
absl::Status Connect(asio::io_context& io, Connection& conn, const ConnectOptions& o) {
  return RunSync(io, conn.Connect(o));
}

class ServerConnectionTest : public ::testing::Test {
 protected:
  asio::io_context io_;
};

TEST_F(ServerConnectionTest, NativePasswordQueryMultiResultsAndErrors) {
  auto server = StartToy();
  Connection conn(io_.get_executor());
  ConnectOptions o = ClientOptions(server->port());
  o.database = "shop";
  ASSERT_TRUE(Connect(io_, conn, o).ok());
  EXPECT_EQ(conn.auth_plugin(), "mysql_native_password");
  EXPECT_EQ(conn.server_version(), "8.0.36-mysqlgw");
  EXPECT_FALSE(conn.is_mariadb());

  auto one = RunSync(io_, conn.Query("SELECT 1"));
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->size(), 1u);
  ASSERT_EQ((*one)[0].rows.size(), 1u);
  EXPECT_EQ((*one)[0].columns[0].name, "1");
  EXPECT_EQ((*one)[0].rows[0][0], Value::Int64(1));

  auto multi = RunSync(io_, conn.Query("SELECT 'a' AS x, NULL AS y; SELECT 2"));
  ASSERT_TRUE(multi.ok()) << multi.status();
  ASSERT_EQ(multi->size(), 2u);
  EXPECT_EQ((*multi)[0].rows[0][0], Value::String("a"));
  EXPECT_TRUE((*multi)[0].rows[0][1].is_null());
  EXPECT_EQ((*multi)[1].rows[0][0], Value::Int64(2));

  auto db = RunSync(io_, conn.Query("SELECT DATABASE()"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)[0].rows[0][0], Value::String("shop"));

  auto bad = RunSync(io_, conn.Query("FROB the table"));
  ASSERT_FALSE(bad.ok());
  std::optional<ServerError> err = GetServerError(bad.status());
  ASSERT_TRUE(err.has_value()) << bad.status();
  EXPECT_EQ(err->code, 1064);
  EXPECT_EQ(err->sql_state, "42000");
  // An ERR leaves the session usable, also in the middle of a multi-statement.
  auto partial = RunSync(io_, conn.Query("SELECT 1; FROB; SELECT 2"));
  EXPECT_EQ(GetServerError(partial.status())->code, 1064);
  EXPECT_TRUE(RunSync(io_, conn.Ping()).ok());
  EXPECT_TRUE(RunSync(io_, conn.SelectDatabase("other")).ok());
  absl::Status nodb = RunSync(io_, conn.SelectDatabase("nosuchdb"));
  EXPECT_EQ(GetServerError(nodb)->code, 1049);
  RunSync(io_, conn.Quit());

  ASSERT_TRUE(server->WaitForFinishedConnections(1, absl::Seconds(5)));
  EXPECT_TRUE(server->finished_connections()[0].ok()) << server->finished_connections()[0];
  const auto log = server->command_log();
  EXPECT_THAT(log, Contains("COM_QUERY SELECT 1"));
  EXPECT_THAT(log, Contains("COM_PING"));
  EXPECT_THAT(log, Contains("COM_INIT_DB other"));
  EXPECT_THAT(log, Contains("COM_QUIT"));
  const auto sessions = server->sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].user, "u");
  EXPECT_EQ(sessions[0].database, "shop");
  EXPECT_FALSE(sessions[0].tls);
  EXPECT_TRUE(sessions[0].capabilities & kClientDeprecateEof);
  EXPECT_THAT(sessions[0].attributes,
              Contains(std::make_pair(std::string("program_name"), std::string("mysqlgw"))));
}

TEST_F(ServerConnectionTest, PreparedStatementEchoesParameters) {
  auto server = StartToy();
  Connection conn(io_.get_executor());
  ASSERT_TRUE(Connect(io_, conn, ClientOptions(server->port())).ok());
  auto st = RunSync(io_, conn.Prepare("SELECT ?"));
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->num_params, 1);
  ASSERT_EQ(st->params.size(), 1u);
  EXPECT_EQ(st->params[0].name, "?");
  EXPECT_EQ(st->columns.size(), 1u);
  for (const Value& v : {Value::String("hi"), Value::Int64(-42), Value::Null(),
                         Value::Double(2.5), Value::BytesOf("\x00\xff"s)}) {
    auto rs = RunSync(io_, conn.Execute(*st, {v}));
    ASSERT_TRUE(rs.ok()) << rs.status();
    ASSERT_EQ((*rs)[0].rows.size(), 1u);
    EXPECT_EQ((*rs)[0].rows[0][0], v);
  }
  EXPECT_TRUE(RunSync(io_, conn.ResetStatement(*st)).ok());
  EXPECT_TRUE(RunSync(io_, conn.CloseStatement(*st)).ok());
  // The server forgot it: executing again is ERR 1243.
  auto gone = RunSync(io_, conn.Execute(*st, {Value::Int64(1)}));
  EXPECT_EQ(GetServerError(gone.status())->code, 1243);
  auto bad = RunSync(io_, conn.Prepare("SELECT nothing useful"));
  EXPECT_EQ(GetServerError(bad.status())->code, 1064);
  EXPECT_THAT(server->command_log(), Contains("COM_STMT_CLOSE 1"));
}

TEST_F(ServerConnectionTest, MessagesOver16MiBSplitAndJoin) {
  auto server = StartToy();
  Connection conn(io_.get_executor());
  ASSERT_TRUE(Connect(io_, conn, ClientOptions(server->port())).ok());
  // A client message of more than one packet...
  const size_t n = 0xffffff + 1000;
  auto len = RunSync(io_, conn.Query("SELECT LENGTH('" + std::string(n, 'q') + "')"));
  ASSERT_TRUE(len.ok()) << len.status();
  EXPECT_EQ((*len)[0].rows[0][0], Value::Int64(static_cast<int64_t>(n)));
  // ...and a row of more than one packet, then the exact boundary size.
  for (size_t size : {size_t{0xffffff + 7}, size_t{0xffffff - 4}}) {
    auto big = RunSync(io_, conn.Query(absl::StrCat("SELECT REPEAT('z', ", size, ")")));
    ASSERT_TRUE(big.ok()) << big.status();
    EXPECT_EQ((*big)[0].rows[0][0].as_string().size(), size);
  }
  EXPECT_TRUE(RunSync(io_, conn.Ping()).ok());
}

TEST_F(ServerConnectionTest, CachingSha2FastPath) {
  ToyServerOptions options;
  options.handshake.default_auth_plugin = "caching_sha2_password";
  auto server = StartToy(options);
  Connection conn(io_.get_executor());
  ASSERT_TRUE(Connect(io_, conn, ClientOptions(server->port())).ok());
  EXPECT_EQ(conn.auth_plugin(), "caching_sha2_password");
  EXPECT_TRUE(RunSync(io_, conn.Ping()).ok());
  // Wrong password on the fast path: no TLS or RSA for a full round, denied.
  Connection wrong(io_.get_executor());
  absl::Status s = Connect(io_, wrong, ClientOptions(server->port(), "u", "Secret"));
  EXPECT_EQ(GetServerError(s)->code, 1045);
}

TEST_F(ServerConnectionTest, CachingSha2FullAuthOverTls) {
  ToyServerOptions options;
  options.handshake.default_auth_plugin = "caching_sha2_password";
  options.handshake.tls_context = TestTlsContext();
  auto server = StartToy(options);
  for (const char* password : {"secret", "wrong"}) {
    Connection conn(io_.get_executor());
    ConnectOptions o = ClientOptions(server->port(), "native_only", password);
    o.ssl_mode = SslMode::kRequired;
    absl::Status s = Connect(io_, conn, o);
    if (std::string(password) == "secret") {
      ASSERT_TRUE(s.ok()) << s;
      EXPECT_TRUE(conn.is_tls());
      EXPECT_EQ(conn.auth_plugin(), "caching_sha2_password");
      auto one = RunSync(io_, conn.Query("SELECT 1"));
      ASSERT_TRUE(one.ok()) << one.status();
    } else {
      EXPECT_EQ(GetServerError(s)->code, 1045) << s;
    }
  }
  ASSERT_TRUE(server->WaitForHandshakes(2, absl::Seconds(5)));
  EXPECT_TRUE(server->sessions()[0].tls);
  EXPECT_EQ(server->sessions()[0].auth_plugin, "caching_sha2_password");
  EXPECT_THAT(server->handshake_statuses()[1].message(), HasSubstr("wrong password"));
}

TEST_F(ServerConnectionTest, CachingSha2FullAuthWithRsaKeyExchange) {
  ToyServerOptions options;
  options.handshake.default_auth_plugin = "caching_sha2_password";
  options.handshake.rsa_key = TestRsaKey();
  auto server = StartToy(options);
  // The client fetches the public key (0x02), then sends the encrypted password.
  Connection fetch(io_.get_executor());
  ConnectOptions o = ClientOptions(server->port(), "native_only");
  o.allow_public_key_retrieval = true;
  ASSERT_TRUE(Connect(io_, fetch, o).ok());
  EXPECT_FALSE(fetch.is_tls());
  // A client configured with the key sends the ciphertext directly.
  Connection known(io_.get_executor());
  o.allow_public_key_retrieval = false;
  o.server_public_key_pem = options.handshake.rsa_key->public_key_pem();
  ASSERT_TRUE(Connect(io_, known, o).ok());
  o.password = "wrong";
  Connection wrong(io_.get_executor());
  EXPECT_EQ(GetServerError(Connect(io_, wrong, o))->code, 1045);
}

TEST_F(ServerConnectionTest, SwitchesPluginToWhatTheAccountCanUse) {
  // Default caching_sha2 but neither TLS nor RSA: an account with only a
  // native hash is switched to mysql_native_password.
  ToyServerOptions sha2_default;
  sha2_default.handshake.default_auth_plugin = "caching_sha2_password";
  auto server = StartToy(sha2_default);
  Connection a(io_.get_executor());
  ASSERT_TRUE(Connect(io_, a, ClientOptions(server->port(), "native_only")).ok());
  EXPECT_EQ(a.auth_plugin(), "mysql_native_password");

  // Default native, account with only a SHA-256 hash: switched to
  // caching_sha2_password, fast path.
  auto native_server = StartToy();
  Connection b(io_.get_executor());
  ASSERT_TRUE(Connect(io_, b, ClientOptions(native_server->port(), "sha2_only")).ok());
  EXPECT_EQ(b.auth_plugin(), "caching_sha2_password");
  Connection c(io_.get_executor());
  EXPECT_EQ(
      GetServerError(Connect(io_, c, ClientOptions(native_server->port(), "sha2_only", "no")))
          ->code,
      1045);
}

TEST_F(ServerConnectionTest, DenialsLookAlike) {
  auto server = StartToy();
  struct Case {
    std::string user, password, expected;
  };
  for (const Case& c : std::vector<Case>{
           {"u", "nope", "Access denied for user 'u'@'127.0.0.1' (using password: YES)"},
           {"ghost", "secret", "Access denied for user 'ghost'@'127.0.0.1' (using password: YES)"},
           {"lookup_fails", "secret",
            "Access denied for user 'lookup_fails'@'127.0.0.1' (using password: YES)"},
           {"u", "", "Access denied for user 'u'@'127.0.0.1' (using password: NO)"},
       }) {
    Connection conn(io_.get_executor());
    absl::Status s = Connect(io_, conn, ClientOptions(server->port(), c.user, c.password));
    std::optional<ServerError> err = GetServerError(s);
    ASSERT_TRUE(err.has_value()) << s;
    EXPECT_EQ(err->code, 1045);
    EXPECT_EQ(err->sql_state, "28000");
    EXPECT_EQ(err->message, c.expected);
  }
  ASSERT_TRUE(server->WaitForHandshakes(4, absl::Seconds(5)));
  // The server side keeps the real reason.
  auto statuses = server->handshake_statuses();
  EXPECT_EQ(statuses[0].code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(statuses[0].message(), HasSubstr("wrong password"));
  EXPECT_THAT(statuses[1].message(), HasSubstr("NOT_FOUND"));
  EXPECT_THAT(statuses[2].message(), HasSubstr("account store is down"));
  EXPECT_EQ(GetServerError(statuses[1])->code, 1045);
}

TEST_F(ServerConnectionTest, EmptyPasswordAccount) {
  for (const char* plugin : {"mysql_native_password", "caching_sha2_password"}) {
    ToyServerOptions options;
    options.handshake.default_auth_plugin = plugin;
    auto server = StartToy(options);
    Connection conn(io_.get_executor());
    ASSERT_TRUE(Connect(io_, conn, ClientOptions(server->port(), "nopw", "")).ok()) << plugin;
    EXPECT_TRUE(RunSync(io_, conn.Ping()).ok());
    Connection wrong(io_.get_executor());
    EXPECT_EQ(GetServerError(Connect(io_, wrong, ClientOptions(server->port(), "nopw", "x")))
                  ->code,
              1045);
  }
}

TEST_F(ServerConnectionTest, RequireTls) {
  ToyServerOptions options;
  options.handshake.tls_context = TestTlsContext();
  options.handshake.require_tls = true;
  auto server = StartToy(options);
  Connection plain(io_.get_executor());
  absl::Status s = Connect(io_, plain, ClientOptions(server->port()));
  EXPECT_EQ(GetServerError(s)->code, 3159) << s;
  Connection tls(io_.get_executor());
  ConnectOptions o = ClientOptions(server->port());
  o.ssl_mode = SslMode::kRequired;
  ASSERT_TRUE(Connect(io_, tls, o).ok());
  EXPECT_TRUE(tls.is_tls());
  auto one = RunSync(io_, tls.Query("SELECT 1"));
  ASSERT_TRUE(one.ok());
}

TEST_F(ServerConnectionTest, HandshakeOptionsAreChecked) {
  asio::ip::tcp::socket socket(io_);
  ServerConnection conn(std::move(socket));
  ServerHandshakeOptions options;
  options.default_auth_plugin = "client_ed25519";
  EXPECT_EQ(RunSync(io_, conn.Handshake(options)).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.default_auth_plugin = "mysql_native_password";
  options.require_tls = true;
  EXPECT_EQ(RunSync(io_, conn.Handshake(options)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mysqlwire
