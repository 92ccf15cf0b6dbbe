#include "server/pool/pool_test_support.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/this_coro.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"

namespace mysqlgw::pool_testing {
namespace {

using std::chrono::milliseconds;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

const testing::ServerInfo& Server() {
  static const testing::ServerInfo* info = [] {
    auto s = testing::SharedServer();
    if (!s.ok()) {
      ADD_FAILURE() << "cannot start MariaDB: " << s.status();
      std::abort();
    }
    return *s;
  }();
  return *info;
}

Clock::time_point In(milliseconds ms) { return Clock::now() + ms; }

asio::awaitable<void> Sleep(milliseconds ms) {
  asio::steady_timer timer(co_await asio::this_coro::executor, ms);
  co_await timer.async_wait(kAsTuple);
}

int64_t AsInt(const mysqlwire::Value& v) {
  switch (v.kind()) {
    case mysqlwire::Value::Kind::kInt64:
      return v.as_int64();
    case mysqlwire::Value::Kind::kUint64:
      return static_cast<int64_t>(v.as_uint64());
    case mysqlwire::Value::Kind::kString: {
      int64_t n = -1;
      return absl::SimpleAtoi(v.as_string(), &n) ? n : -1;
    }
    default:
      ADD_FAILURE() << "not an integer: " << v.DebugString();
      return -1;
  }
}

asio::awaitable<absl::StatusOr<mysqlwire::Value>> Scalar(
    mysqlwire::Connection& conn, std::string sql) {
  auto results = co_await conn.Query(sql);
  if (!results.ok()) co_return results.status();
  for (const mysqlwire::ResultSet& rs : *results) {
    if (!rs.rows.empty() && !rs.rows[0].empty()) co_return rs.rows[0][0];
  }
  co_return absl::NotFoundError(absl::StrCat("no rows from ", sql));
}

// Shared with the relay's coroutines, which may outlive the FlakyProxy.
struct FlakyProxy::State {
  State(asio::io_context& io, int refuse)
      : acceptor(io, asio::ip::tcp::endpoint(
                         asio::ip::make_address("127.0.0.1"), 0)),
        refuse(refuse) {}
  asio::ip::tcp::acceptor acceptor;
  asio::ip::tcp::endpoint target;
  int refuse;
};

namespace {

using Socket = std::shared_ptr<asio::ip::tcp::socket>;

asio::awaitable<void> Pump(Socket from, Socket to) {
  char buffer[16384];
  while (true) {
    auto [read_ec, n] =
        co_await from->async_read_some(asio::buffer(buffer), kAsTuple);
    if (read_ec) break;
    auto [write_ec, written] =
        co_await asio::async_write(*to, asio::buffer(buffer, n), kAsTuple);
    if (write_ec) break;
  }
  boost::system::error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

template <typename State>
asio::awaitable<void> AcceptLoop(std::shared_ptr<State> state) {
  while (true) {
    auto [ec, client] = co_await state->acceptor.async_accept(kAsTuple);
    if (ec) co_return;
    if (state->refuse > 0) {
      --state->refuse;
      continue;  // `client` closes here, before the server greeting.
    }
    auto in = std::make_shared<asio::ip::tcp::socket>(std::move(client));
    auto out = std::make_shared<asio::ip::tcp::socket>(in->get_executor());
    auto [connect_ec] = co_await out->async_connect(state->target, kAsTuple);
    if (connect_ec) continue;
    auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, Pump(in, out), asio::detached);
    asio::co_spawn(executor, Pump(out, in), asio::detached);
  }
}

}  // namespace

FlakyProxy::FlakyProxy(asio::io_context& io, const std::string& host,
                       uint16_t port, int refuse)
    : state_(std::make_shared<State>(io, refuse)) {
  state_->target = asio::ip::tcp::endpoint(asio::ip::make_address(host), port);
  asio::co_spawn(io, AcceptLoop(state_), asio::detached);
}

FlakyProxy::~FlakyProxy() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

uint16_t FlakyProxy::port() const {
  return state_->acceptor.local_endpoint().port();
}

void PoolTest::SetUp() {
  db_ = absl::AsciiStrToLower(absl::StrCat(
      "pool_", ::testing::UnitTest::GetInstance()->current_test_info()->name()));
  monitor_ = std::make_unique<mysqlwire::Connection>(io_.get_executor());
  absl::Status s = Run(monitor_->Connect(ConnectTo(Server().database)));
  ASSERT_TRUE(s.ok()) << s;
  auto created =
      Run(monitor_->Query(absl::StrCat("CREATE DATABASE IF NOT EXISTS ", db_)));
  ASSERT_TRUE(created.ok()) << created.status();
}

mysqlwire::ConnectOptions PoolTest::ConnectTo(const std::string& database) const {
  const testing::ServerInfo& s = Server();
  mysqlwire::ConnectOptions o;
  o.host = s.host;
  o.port = s.port;
  o.user = s.user;
  o.password = s.password;
  o.database = database;
  o.ssl_mode = mysqlwire::SslMode::kDisable;
  o.connect_timeout = milliseconds(5000);
  return o;
}

PoolOptions PoolTest::Options() const {
  PoolOptions o;
  o.connect = ConnectTo(db_);
  return o;
}

void PoolTest::Run(asio::awaitable<void> coroutine) {
  bool done = false;
  asio::co_spawn(io_, std::move(coroutine), [&](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
    done = true;
    io_.stop();
  });
  io_.restart();
  io_.run();
  EXPECT_TRUE(done);
}

asio::awaitable<int64_t> PoolTest::ServerCount() {
  auto n = co_await Scalar(
      *monitor_, absl::StrCat("SELECT COUNT(*) FROM information_schema."
                              "PROCESSLIST WHERE DB = '", db_, "'"));
  EXPECT_TRUE(n.ok()) << n.status();
  co_return n.ok() ? AsInt(*n) : -1;
}

asio::awaitable<int64_t> PoolTest::AwaitServerCount(int64_t want) {
  const Clock::time_point give_up = In(milliseconds(5000));
  int64_t n = co_await ServerCount();
  while (n != want && Clock::now() < give_up) {
    co_await Sleep(milliseconds(10));
    n = co_await ServerCount();
  }
  co_return n;
}

asio::awaitable<bool> PoolTest::AwaitTrue(std::function<bool()> done) {
  const Clock::time_point give_up = In(milliseconds(5000));
  while (!done()) {
    if (Clock::now() >= give_up) co_return false;
    co_await Sleep(milliseconds(5));
  }
  co_return true;
}

asio::awaitable<void> PoolTest::Kill(uint32_t id) {
  auto r = co_await monitor_->Query(absl::StrCat("KILL CONNECTION ", id));
  EXPECT_TRUE(r.ok()) << r.status();
}

}  // namespace mysqlgw::pool_testing
