// ClientResultSink between a real ServerConnection and mysqlwire's own
// client over loopback TCP: what a MySQL client receives for each sequence
// of sink calls the gateway's executor makes.
#include "server/listener/client_result_sink.h"

#include <functional>
#include <optional>
#include <thread>

#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/server_auth.h"

namespace mysqlgw {
namespace {

namespace asio = boost::asio;
using mysqlwire::ColumnDefinition;
using mysqlwire::ColumnType;
using mysqlwire::Value;

using Answer = std::function<asio::awaitable<void>(mysqlwire::ServerConnection&)>;

std::vector<ColumnDefinition> Columns() {
  ColumnDefinition id;
  id.catalog = "def";
  id.name = "id";
  id.type = ColumnType::kLongLong;
  id.character_set = mysqlwire::kBinaryCollation;
  id.column_length = 20;
  ColumnDefinition name = id;
  name.name = "name";
  name.type = ColumnType::kVarString;
  name.character_set = 45;
  name.column_length = 80;
  return {id, name};
}

std::vector<Value> Row(int64_t id, std::string name) {
  return {Value::Int64(id), Value::String(std::move(name))};
}

// One server connection on its own thread; each client command is answered
// by `answer`, which drives a ClientResultSink.
class SinkTest : public ::testing::Test {
 protected:
  void Serve(Answer answer) {
    acceptor_.emplace(server_io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(
        server_io_,
        [this, answer]() -> asio::awaitable<void> {
          asio::ip::tcp::socket socket = co_await acceptor_->async_accept(asio::use_awaitable);
          mysqlwire::ServerConnection conn(std::move(socket));
          mysqlwire::ServerHandshakeOptions options;
          options.lookup = [](const std::string&) -> absl::StatusOr<mysqlwire::Credentials> {
            mysqlwire::Credentials c;
            c.native_password_hash = mysqlwire::ComputeNativePasswordHash("pw");
            return c;
          };
          if (!(co_await conn.Handshake(std::move(options))).ok()) co_return;
          while (true) {
            absl::StatusOr<mysqlwire::ClientCommand> command = co_await conn.ReadCommand();
            if (!command.ok() || command->command() == mysqlwire::Command::kQuit) break;
            co_await answer(conn);
          }
        },
        asio::detached);
    thread_ = std::thread([this] { server_io_.run(); });
    mysqlwire::ConnectOptions o;
    o.port = port_;
    o.user = "u";
    o.password = "pw";
    o.ssl_mode = mysqlwire::SslMode::kDisable;
    absl::Status connected = RunClient(client_.Connect(o));
    ASSERT_TRUE(connected.ok()) << connected;
  }

  template <typename T>
  T RunClient(asio::awaitable<T> op) {
    std::optional<T> result;
    asio::co_spawn(client_io_, std::move(op), [&](std::exception_ptr, T value) {
      result.emplace(std::move(value));
    });
    client_io_.restart();
    client_io_.run();
    return *std::move(result);
  }

  absl::StatusOr<std::vector<mysqlwire::ResultSet>> Query(const std::string& sql) {
    return RunClient(client_.Query(sql));
  }

  void TearDown() override {
    server_io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  asio::io_context server_io_;
  asio::io_context client_io_;
  std::optional<asio::ip::tcp::acceptor> acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
  mysqlwire::Connection client_{client_io_.get_executor()};
};

TEST_F(SinkTest, RowsAndMultiResultsReachTheClient) {
  std::atomic<bool> rewound_after_flush{true};
  Serve([&](mysqlwire::ServerConnection& conn) -> asio::awaitable<void> {
    ClientResultSink sink(conn, ClientResultSink::RowFormat::kText);
    (void)sink.BeginResult(Columns());
    std::vector<Value> r1 = Row(1, "one");
    std::vector<Value> r2 = Row(2, "two");
    (void)sink.AddRow(r1);
    (void)co_await sink.Flush();
    // Part of the result is with the client: no transparent retry now.
    rewound_after_flush = sink.Rewind();
    (void)sink.AddRow(r2);
    mysqlwire::OkPacket first;
    first.status_flags = mysqlwire::kServerStatusAutocommit | mysqlwire::kServerMoreResultsExists |
                         mysqlwire::kServerSessionStateChanged;
    first.session_state = "junk the client never negotiated";
    (void)sink.EndResult(first);
    (void)sink.BeginResult({});
    mysqlwire::OkPacket second;
    second.affected_rows = 7;
    second.last_insert_id = 42;
    second.status_flags = mysqlwire::kServerStatusAutocommit;
    (void)sink.EndResult(second);
    (void)co_await sink.Finish(absl::OkStatus());
  });
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> results = Query("anything");
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 2u);
  const mysqlwire::ResultSet& rows = (*results)[0];
  ASSERT_EQ(rows.columns.size(), 2u);
  EXPECT_EQ(rows.columns[1].name, "name");
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[0][0], Value::Int64(1));
  EXPECT_EQ(rows.rows[1][1], Value::String("two"));
  EXPECT_EQ((*results)[1].ok.affected_rows, 7u);
  EXPECT_EQ((*results)[1].ok.last_insert_id, 42u);
  EXPECT_FALSE(rewound_after_flush);
}

TEST_F(SinkTest, ErrorAfterPartOfAResultIsAnErrPacket) {
  Serve([&](mysqlwire::ServerConnection& conn) -> asio::awaitable<void> {
    ClientResultSink sink(conn, ClientResultSink::RowFormat::kText);
    (void)sink.BeginResult(Columns());
    std::vector<Value> r1 = Row(1, "one");
    (void)sink.AddRow(r1);
    (void)co_await sink.Flush();
    const mysqlwire::ServerError killed{1317, "70100", "Query execution was interrupted"};
    (void)co_await sink.Finish(mysqlwire::ServerErrorStatus(killed));
  });
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> results = Query("x");
  ASSERT_FALSE(results.ok());
  std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(results.status());
  ASSERT_TRUE(e.has_value()) << results.status();
  EXPECT_EQ(e->code, 1317);
  EXPECT_EQ(e->message, "Query execution was interrupted");
  // The connection is still in step: the next command works.
  results = Query("y");
  EXPECT_FALSE(results.ok());
  EXPECT_EQ(mysqlwire::GetServerError(results.status())->code, 1317);
}

TEST_F(SinkTest, RewindBeforeAnythingWasSentStartsOver) {
  std::atomic<bool> rewound{false};
  Serve([&](mysqlwire::ServerConnection& conn) -> asio::awaitable<void> {
    ClientResultSink sink(conn, ClientResultSink::RowFormat::kText);
    (void)sink.BeginResult(Columns());
    std::vector<Value> stale = Row(99, "from a connection that broke");
    (void)sink.AddRow(stale);
    rewound = sink.Rewind();
    (void)sink.BeginResult(Columns());
    std::vector<Value> fresh = Row(1, "retry");
    (void)sink.AddRow(fresh);
    mysqlwire::OkPacket ok;
    ok.status_flags = mysqlwire::kServerStatusAutocommit;
    (void)sink.EndResult(ok);
    (void)co_await sink.Finish(absl::OkStatus());
  });
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> results = Query("x");
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_TRUE(rewound);
  ASSERT_EQ(results->size(), 1u);
  ASSERT_EQ((*results)[0].rows.size(), 1u);
  EXPECT_EQ((*results)[0].rows[0][1], Value::String("retry"));
}

TEST_F(SinkTest, GatewayErrorsWithoutPayloadGetAnErrno) {
  Serve([&](mysqlwire::ServerConnection& conn) -> asio::awaitable<void> {
    ClientResultSink sink(conn, ClientResultSink::RowFormat::kText);
    (void)co_await sink.Finish(
        absl::PermissionDeniedError("principal 'ro' may not perform write on database 'shop'"));
  });
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> results = Query("INSERT");
  ASSERT_FALSE(results.ok());
  std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(results.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, 1142);
  EXPECT_EQ(e->sql_state, "42000");
  EXPECT_EQ(e->message, "principal 'ro' may not perform write on database 'shop'");
}

TEST_F(SinkTest, NoResultStillAnswersOk) {
  Serve([&](mysqlwire::ServerConnection& conn) -> asio::awaitable<void> {
    ClientResultSink sink(conn, ClientResultSink::RowFormat::kText);
    (void)co_await sink.Finish(absl::OkStatus());
  });
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> results = Query("DO 1");
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 1u);
  EXPECT_TRUE((*results)[0].columns.empty());
}

TEST_F(SinkTest, LargeResultsAskToBeFlushedAndStream) {
  std::atomic<int> flushes{0};
  Serve([&](mysqlwire::ServerConnection& conn) -> asio::awaitable<void> {
    ClientResultSink sink(conn, ClientResultSink::RowFormat::kText);
    (void)sink.BeginResult(Columns());
    const std::string big(1000, 'x');
    for (int i = 0; i < 1000; ++i) {
      std::vector<Value> row = Row(i, big);
      (void)sink.AddRow(row);
      if (sink.WantsFlush()) {
        ++flushes;
        (void)co_await sink.Flush();
        if (sink.WantsFlush()) co_return;  // A flush must empty the queue.
      }
    }
    mysqlwire::OkPacket ok;
    (void)sink.EndResult(ok);
    (void)co_await sink.Finish(absl::OkStatus());
  });
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> results = Query("big");
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ((*results)[0].rows.size(), 1000u);
  EXPECT_EQ((*results)[0].rows[999][0], Value::Int64(999));
  // About 1 MB in 64 KiB chunks: never the whole result at once.
  EXPECT_GE(flushes.load(), 10);
  EXPECT_LE(flushes.load(), 20);
}

}  // namespace
}  // namespace mysqlgw
