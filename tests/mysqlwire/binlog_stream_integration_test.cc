// The replication protocol against the sandbox MariaDB: raw events by file
// and position, by GTID state, heartbeats, and errors.
#include <zlib.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/io_context.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/binlog_stream.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "testing/sandbox.h"
#include "tests/support/run_sync.h"

namespace mysqlwire {
namespace {

namespace asio = boost::asio;
using mysqlgw::testing::RunSync;

struct RawEvent {
  uint8_t type;
  std::string bytes;
};

uint8_t TypeOf(absl::string_view event) { return static_cast<uint8_t>(event[4]); }

bool ChecksumOk(absl::string_view event) {
  if (event.size() < 23) return false;
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(event.data()), event.size() - 4);
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) {
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(event[event.size() - 4 + i])) << (8 * i);
  }
  return static_cast<uint32_t>(crc) == stored;
}

class BinlogStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = mysqlgw::testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    options_.host = (*server)->host;
    options_.port = (*server)->port;
    options_.user = (*server)->user;
    options_.password = (*server)->password;
    options_.database = (*server)->database;
    options_.ssl_mode = SslMode::kDisable;
    sql_ = Connect();
  }
  std::unique_ptr<Connection> Connect() {
    auto c = std::make_unique<Connection>(io_.get_executor());
    absl::Status s = RunSync(io_, c->Connect(options_));
    EXPECT_TRUE(s.ok()) << s;
    return c;
  }
  std::vector<std::vector<Value>> Rows(const std::string& sql) {
    auto r = RunSync(io_, sql_->Query(sql));
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    return r.ok() && !r->empty() ? (*r)[0].rows : std::vector<std::vector<Value>>{};
  }
  std::pair<std::string, uint64_t> MasterPosition() {
    auto rows = Rows("SHOW MASTER STATUS");
    EXPECT_EQ(rows.size(), 1u);
    return {rows[0][0].as_string(), rows[0][1].as_uint64()};
  }
  std::vector<RawEvent> ReadToEnd(const BinlogDumpOptions& dump) {
    auto conn = Connect();
    BinlogStream stream(*conn);
    absl::Status s = RunSync(io_, stream.Start(dump));
    EXPECT_TRUE(s.ok()) << s;
    std::vector<RawEvent> events;
    while (s.ok()) {
      auto next = RunSync(io_, stream.Next());
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok() || !next->has_value()) break;
      events.push_back({TypeOf(**next), std::string(**next)});
    }
    return events;
  }

  asio::io_context io_;
  ConnectOptions options_;
  std::unique_ptr<Connection> sql_;
};

TEST_F(BinlogStreamTest, FileAndPositionUpToNow) {
  Rows("CREATE TABLE IF NOT EXISTS bs_t (id INT PRIMARY KEY, v VARCHAR(10))");
  auto [file, pos] = MasterPosition();
  Rows("INSERT INTO bs_t VALUES (1, 'a'), (2, 'b')");
  Rows("UPDATE bs_t SET v = 'c' WHERE id = 1");
  Rows("DELETE FROM bs_t");
  BinlogDumpOptions dump;
  dump.server_id = 4001;
  dump.file = file;
  dump.position = pos;
  dump.stop_at_end = true;
  auto conn = Connect();
  std::vector<RawEvent> events;
  {
    BinlogStream stream(*conn);
    ASSERT_TRUE(RunSync(io_, stream.Start(dump)).ok());
    while (true) {
      auto next = RunSync(io_, stream.Next());
      ASSERT_TRUE(next.ok()) << next.status();
      if (!next->has_value()) break;
      events.push_back({TypeOf(**next), std::string(**next)});
    }
  }
  // The server ends a replica's connection with its dump.
  EXPECT_FALSE(conn->usable());
  ASSERT_FALSE(events.empty());
  std::map<uint8_t, int> by_type;
  for (const RawEvent& e : events) ++by_type[e.type];
  // The server opens with a fake ROTATE to the file and its FORMAT_DESCRIPTION.
  EXPECT_EQ(events[0].type, 4);
  EXPECT_EQ(by_type[15], 1);
  // Three transactions, each a GTID event, a table map and one rows event
  // (MariaDB writes v1 rows events: 23, 24, 25), closed by an XID.
  EXPECT_EQ(by_type[162], 3);
  EXPECT_EQ(by_type[19], 3);
  EXPECT_EQ(by_type[23], 1);
  EXPECT_EQ(by_type[24], 1);
  EXPECT_EQ(by_type[25], 1);
  EXPECT_EQ(by_type[16], 3);
  // ANNOTATE_ROWS carries the statement text.
  bool annotated = false;
  for (const RawEvent& e : events) {
    if (e.type == 160 && e.bytes.find("UPDATE bs_t SET v = 'c'") != std::string::npos) annotated = true;
  }
  EXPECT_TRUE(annotated);
  // Every event after the fake rotate carries a valid CRC32.
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_TRUE(ChecksumOk(events[i].bytes)) << "event " << i << " type " << int(events[i].type);
  }
}

TEST_F(BinlogStreamTest, MariaDbGtidState) {
  Rows("CREATE TABLE IF NOT EXISTS bs_g (id INT PRIMARY KEY)");
  auto state = Rows("SELECT @@gtid_binlog_pos");
  ASSERT_EQ(state.size(), 1u);
  const std::string gtid_state = state[0][0].as_string();
  Rows("INSERT INTO bs_g VALUES (1)");
  Rows("INSERT INTO bs_g VALUES (2)");
  BinlogDumpOptions dump;
  dump.server_id = 4002;
  dump.mariadb_gtid_state = gtid_state;
  dump.stop_at_end = true;
  std::vector<RawEvent> events = ReadToEnd(dump);
  int gtids = 0, writes = 0;
  for (const RawEvent& e : events) {
    gtids += e.type == 162;
    writes += e.type == 23;
  }
  // Exactly the two transactions after the state, nothing before.
  EXPECT_EQ(gtids, 2);
  EXPECT_EQ(writes, 2);
}

TEST_F(BinlogStreamTest, HeartbeatsWhileIdle) {
  auto conn = Connect();
  BinlogStream stream(*conn);
  auto [file, pos] = MasterPosition();
  BinlogDumpOptions dump;
  dump.server_id = 4003;
  dump.file = file;
  dump.position = pos;
  dump.heartbeat_period = std::chrono::milliseconds(200);
  ASSERT_TRUE(RunSync(io_, stream.Start(dump)).ok());
  auto start = std::chrono::steady_clock::now();
  bool heartbeat = false;
  for (int i = 0; i < 20 && !heartbeat; ++i) {
    auto next = RunSync(io_, stream.Next());
    ASSERT_TRUE(next.ok()) << next.status();
    ASSERT_TRUE(next->has_value());
    heartbeat = TypeOf(**next) == 27;
  }
  EXPECT_TRUE(heartbeat);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(BinlogStreamTest, UnknownFileIsServerError1236) {
  auto conn = Connect();
  BinlogStream stream(*conn);
  BinlogDumpOptions dump;
  dump.server_id = 4004;
  dump.file = "mysql-bin.999999";
  dump.position = 4;
  ASSERT_TRUE(RunSync(io_, stream.Start(dump)).ok());
  auto next = RunSync(io_, stream.Next());
  ASSERT_FALSE(next.ok());
  auto err = GetServerError(next.status());
  ASSERT_TRUE(err.has_value()) << next.status();
  EXPECT_EQ(err->code, 1236);
  // The server drops a replica whose dump failed; so do we.
  EXPECT_FALSE(conn->usable());
}

TEST_F(BinlogStreamTest, ZeroServerIdIsRefused) {
  auto conn = Connect();
  BinlogStream stream(*conn);
  BinlogDumpOptions dump;
  EXPECT_EQ(RunSync(io_, stream.Start(dump)).code(), absl::StatusCode::kInvalidArgument);
  dump.server_id = 5;
  dump.mariadb_gtid_state = "0-1-1'; DROP TABLE x; --";
  EXPECT_EQ(RunSync(io_, stream.Start(dump)).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mysqlwire
