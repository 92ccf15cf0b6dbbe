// StreamBinlog column names when the server does not log them
// (binlog_row_metadata=MINIMAL): the real gateway binary, real gRPC, a
// private sandbox MariaDB switched to MINIMAL. Every row change is checked
// value by value against the column names of its table_schema, through
// ALTER TABLE ADD COLUMN ... AFTER, DROP COLUMN, RENAME COLUMN and RENAME
// TABLE, for a stream that follows the statements live and for streams that
// start before statements that have already run.
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlwire/binlog/binlog_file_reader.h"
#include "mysqlwire/binlog/decoder.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::Sandbox;
using testing::Sha256Hex;

constexpr char kToken[] = "schema-token-0123456789";

// A row as name -> value text, from its table_schema.
using NamedRow = std::map<std::string, std::string>;

std::string ValueText(const v1::Value& v) {
  switch (v.kind_case()) {
    case v1::Value::kInt64:
      return absl::StrCat(v.int64());
    case v1::Value::kUint64:
      return absl::StrCat(v.uint64());
    case v1::Value::kString:
      return v.string();
    case v1::Value::kBytes:
      return v.bytes();
    case v1::Value::kNull:
      return "NULL";
    default:
      return absl::StrCat("<kind ", static_cast<int>(v.kind_case()), ">");
  }
}

struct StreamedRow {
  std::string table;
  NamedRow values;
};

// Pairs each row change with the columns of the table_schema it refers to.
std::vector<StreamedRow> NamedRows(const std::vector<v1::ChangeEvent>& events) {
  std::map<uint32_t, v1::TableSchema> schemas;
  std::vector<StreamedRow> rows;
  for (const v1::ChangeEvent& e : events) {
    if (e.has_table_schema()) schemas[e.table_schema().table_ref()] = e.table_schema();
    if (!e.has_row()) continue;
    const v1::TableSchema& s = schemas[e.row().table_ref()];
    StreamedRow r;
    r.table = s.table();
    const v1::RowImage& image = e.row().has_after() ? e.row().after() : e.row().before();
    EXPECT_EQ(image.values_size(), s.columns_size()) << s.ShortDebugString();
    for (int i = 0; i < image.values_size() && i < s.columns_size(); ++i) {
      r.values[s.columns(i).name()] = ValueText(image.values(i));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

class MinimalMetadataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto sandbox = Sandbox::Start();
    ASSERT_TRUE(sandbox.ok()) << sandbox.status();
    sandbox_ = sandbox->release();
    // Global: every session that writes from now on logs MINIMAL metadata.
    auto set = sandbox_->RootQuery(
        "SET GLOBAL binlog_row_metadata = MINIMAL; SELECT @@GLOBAL.binlog_row_metadata");
    ASSERT_TRUE(set.ok()) << set.status();
    ASSERT_EQ(absl::StripAsciiWhitespace(*set), "MINIMAL");
    const testing::ServerInfo& info = sandbox_->info();
    testing::GatewayProcessOptions options;
    options.config_yaml = absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: 1
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/mysqlgw_test?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
auth:
  principals:
    - name: cdc
      token_sha256: ["HASH"]
      databases: ["*"]
      operations: [read, write, ddl, binlog]
)",
                                              {{"USER", info.user},
                                               {"PORT", std::to_string(info.port)},
                                               {"HASH", Sha256Hex(kToken)}});
    // LIBC_FATAL_STDERR_: glibc's heap-corruption aborts go to the log we
    // print on failure, not to a terminal.
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD", info.password}, {"LIBC_FATAL_STDERR_", "1"}};
    auto gw = GatewayProcess::Start(options);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
    delete sandbox_;
    sandbox_ = nullptr;
  }

  void TearDown() override {
    if (HasFailure()) {
      std::ifstream stat(absl::StrCat("/proc/", gateway_->pid(), "/stat"));
      std::string line;
      std::getline(stat, line);
      std::cerr << "gateway process: " << line << "\ngateway log:\n" << gateway_->Log();
    }
  }

  void Sql(const std::string& sql) {
    auto r = sandbox_->RootQuery(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status();
  }
  std::string GtidState() {
    auto r = sandbox_->RootQuery("SELECT @@GLOBAL.gtid_binlog_pos");
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }
  std::shared_ptr<grpc::Channel> Channel() {
    return grpc::CreateChannel(gateway_->address(), grpc::InsecureChannelCredentials());
  }

  // Reads a stream from `gtid_state` to the end of the log as it is now.
  std::vector<v1::ChangeEvent> ReadUntilNow(const std::string& gtid_state) {
    v1::StreamBinlogRequest req;
    req.set_gtid_set(gtid_state);
    req.set_mode(v1::StreamBinlogRequest::MODE_UNTIL_NOW);
    auto stub = v1::ChangeStream::NewStub(Channel());
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    auto reader = stub->StreamBinlog(&ctx, req);
    std::vector<v1::ChangeEvent> events;
    v1::StreamBinlogResponse resp;
    while (reader->Read(&resp)) {
      for (const auto& e : resp.events()) events.push_back(e);
    }
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return events;
  }

  // Asserts that the binlog really carries no column names for `table`
  // (else this test would prove nothing about the tracker).
  void ExpectBinlogHasNoNames(const std::string& table) {
    auto status = sandbox_->RootQuery("SHOW MASTER STATUS");
    ASSERT_TRUE(status.ok()) << status.status();
    const std::string file = std::vector<std::string>(absl::StrSplit(*status, '\t'))[0];
    auto reader = mysqlwire::binlog::BinlogFileReader::Open(
        absl::StrCat(sandbox_->info().datadir, "/", file));
    ASSERT_TRUE(reader.ok()) << reader.status();
    mysqlwire::binlog::Decoder decoder;
    std::vector<mysqlwire::binlog::Event> events;
    int maps = 0;
    while (true) {
      auto raw = reader->Next();
      ASSERT_TRUE(raw.ok()) << raw.status();
      if (!raw->has_value()) break;
      events.clear();
      ASSERT_TRUE(decoder.Decode(**raw, &events).ok());
      for (const auto& e : events) {
        const auto* map = std::get_if<mysqlwire::binlog::TableMap>(&e.body);
        if (map == nullptr || map->table != table) continue;
        ++maps;
        EXPECT_FALSE(map->has_names()) << table;
      }
    }
    EXPECT_GT(maps, 0) << table;
  }

  static Sandbox* sandbox_;
  static GatewayProcess* gateway_;
};

Sandbox* MinimalMetadataTest::sandbox_ = nullptr;
GatewayProcess* MinimalMetadataTest::gateway_ = nullptr;

// The statements of every scenario, on table `t`, phase by phase, and the
// row each phase's INSERT must arrive as. Distinct values per column, so a
// name given to the wrong column cannot go unnoticed.
struct Phase {
  std::string ddl;     // Run before the insert ("" for none).
  std::string insert;
  std::string table;   // Where the row lands.
  NamedRow expected;
};

std::vector<Phase> Phases(const std::string& t) {
  return {
      {"", absl::StrCat("INSERT INTO ", t, " VALUES (1, 'one', 10)"), t,
       {{"id", "1"}, {"a", "one"}, {"b", "10"}}},
      {absl::StrCat("ALTER TABLE ", t, " ADD COLUMN c BIGINT AFTER id"),
       absl::StrCat("INSERT INTO ", t, " (id, c, a, b) VALUES (2, 200, 'two', 20)"), t,
       {{"id", "2"}, {"c", "200"}, {"a", "two"}, {"b", "20"}}},
      {absl::StrCat("ALTER TABLE ", t, " DROP COLUMN a"),
       absl::StrCat("INSERT INTO ", t, " (id, c, b) VALUES (3, 300, 30)"), t,
       {{"id", "3"}, {"c", "300"}, {"b", "30"}}},
      {absl::StrCat("ALTER TABLE ", t, " RENAME COLUMN b TO b2"),
       absl::StrCat("INSERT INTO ", t, " (id, c, b2) VALUES (4, 400, 40)"), t,
       {{"id", "4"}, {"c", "400"}, {"b2", "40"}}},
      {absl::StrCat("ALTER TABLE ", t, " ADD COLUMN f VARCHAR(5) FIRST, ADD COLUMN g INT AFTER c"),
       absl::StrCat("INSERT INTO ", t, " (f, id, c, g, b2) VALUES ('five', 5, 500, 55, 50)"), t,
       {{"f", "five"}, {"id", "5"}, {"c", "500"}, {"g", "55"}, {"b2", "50"}}},
      {absl::StrCat("RENAME TABLE ", t, " TO ", t, "_r"),
       absl::StrCat("INSERT INTO ", t, "_r (f, id, c, g, b2) VALUES ('six', 6, 600, 66, 60)"),
       t + "_r",
       {{"f", "six"}, {"id", "6"}, {"c", "600"}, {"g", "66"}, {"b2", "60"}}},
  };
}

std::string CreateTable(const std::string& t) {
  return absl::StrCat("DROP TABLE IF EXISTS ", t, ", ", t, "_r; CREATE TABLE ", t,
                      " (id INT PRIMARY KEY, a VARCHAR(10), b INT)");
}

// A stream following live: the table is loaded from information_schema at
// its first row, then every DDL is followed.
TEST_F(MinimalMetadataTest, FollowingStreamNamesEveryPhase) {
  const std::string t = "live_t";
  Sql(CreateTable(t));

  auto stub = v1::ChangeStream::NewStub(Channel());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(180));
  v1::StreamBinlogRequest req;
  req.set_now(true);
  req.mutable_heartbeat_interval()->set_nanos(200 * 1000 * 1000);
  auto reader = stub->StreamBinlog(&ctx, req);

  std::mutex mu;
  std::condition_variable cv;
  std::vector<v1::ChangeEvent> events;
  int heartbeats = 0, rows = 0;
  std::thread read_thread([&] {
    v1::StreamBinlogResponse resp;
    while (reader->Read(&resp)) {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& e : resp.events()) {
        heartbeats += e.has_heartbeat();
        rows += e.has_row();
        events.push_back(e);
      }
      cv.notify_all();
    }
  });
  const std::vector<Phase> phases = Phases(t);
  // Runs the phases; returns early (and the stream is still cancelled and
  // joined) when a row does not arrive.
  [&] {
    {
      // The stream is in place once it beats.
      std::unique_lock<std::mutex> lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return heartbeats > 0; }));
    }
    // Each phase once the previous row has arrived: a stream that follows
    // live. (A stream that falls behind the DDL is the other tests' case.)
    for (size_t i = 0; i < phases.size(); ++i) {
      if (!phases[i].ddl.empty()) Sql(phases[i].ddl);
      Sql(phases[i].insert);
      std::unique_lock<std::mutex> lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(90),
                              [&] { return rows >= static_cast<int>(i + 1); }))
          << "phase " << i;
    }
  }();
  ctx.TryCancel();
  read_thread.join();
  reader->Finish();
  ASSERT_FALSE(HasFatalFailure());

  std::vector<StreamedRow> got = NamedRows(events);
  ASSERT_EQ(got.size(), phases.size());
  for (size_t i = 0; i < phases.size(); ++i) {
    EXPECT_EQ(got[i].table, phases[i].table) << "phase " << i;
    EXPECT_EQ(got[i].values, phases[i].expected) << "phase " << i;
  }
  // The primary key, which MINIMAL does not log either, comes from the
  // definition.
  for (const auto& e : events) {
    if (e.has_table_schema() && e.table_schema().table() == t) {
      ASSERT_GE(e.table_schema().primary_key_size(), 1);
      const uint32_t pk = e.table_schema().primary_key(0);
      ASSERT_LT(static_cast<int>(pk), e.table_schema().columns_size());
      EXPECT_EQ(e.table_schema().columns(pk).name(), "id");
    }
  }
  ExpectBinlogHasNoNames(t);
}

// A stream started before the CREATE TABLE, read after everything ran:
// information_schema already shows the final table, but the stream learns
// each phase's definition from the DDL it reads.
TEST_F(MinimalMetadataTest, StreamFromBeforeCreateFollowsDdl) {
  const std::string t = "replay_t";
  Sql(absl::StrCat("DROP TABLE IF EXISTS ", t, ", ", t, "_r"));
  const std::string start = GtidState();
  Sql(absl::StrCat("CREATE TABLE ", t, " (id INT PRIMARY KEY, a VARCHAR(10), b INT)"));
  const std::vector<Phase> phases = Phases(t);
  for (const Phase& p : phases) {
    if (!p.ddl.empty()) Sql(p.ddl);
    Sql(p.insert);
  }
  std::vector<StreamedRow> got = NamedRows(ReadUntilNow(start));
  ASSERT_EQ(got.size(), phases.size());
  for (size_t i = 0; i < phases.size(); ++i) {
    EXPECT_EQ(got[i].table, phases[i].table) << "phase " << i;
    EXPECT_EQ(got[i].values, phases[i].expected) << "phase " << i;
  }
  ExpectBinlogHasNoNames(t);
}

// A stream started after the CREATE but before the ALTERs, read after they
// all ran: the stream never sees the CREATE, and information_schema shows
// the final table (id, c, b2), which has as many columns, of the same
// types, as the first rows' (id, a, b) and the third's (id, c, b): naming
// by the current definition would give them wrong names. The look-ahead
// finds the DDL still ahead of the stream, so rows before the last DDL
// come unnamed ("@1"...), never under wrong names; rows after it are
// named.
TEST_F(MinimalMetadataTest, StreamFromAfterCreateWithholdsUntilDefinitionHolds) {
  const std::string t = "late_t";
  Sql(CreateTable(t));
  const std::string start = GtidState();
  // Only the three-column phases, so the final definition has the same
  // column count as the first rows.
  std::vector<Phase> phases = Phases(t);
  phases.resize(4);
  for (const Phase& p : phases) {
    if (!p.ddl.empty()) Sql(p.ddl);
    Sql(p.insert);
  }
  // One more row after the last DDL.
  Sql(absl::StrCat("INSERT INTO ", t, " (id, c, b2) VALUES (7, 700, 70)"));

  std::vector<StreamedRow> got = NamedRows(ReadUntilNow(start));
  ASSERT_EQ(got.size(), phases.size() + 1);
  const std::vector<NamedRow> unnamed = {
      {{"@1", "1"}, {"@2", "one"}, {"@3", "10"}},
      {{"@1", "2"}, {"@2", "200"}, {"@3", "two"}, {"@4", "20"}},
      {{"@1", "3"}, {"@2", "300"}, {"@3", "30"}},
  };
  for (size_t i = 0; i < unnamed.size(); ++i) {
    EXPECT_EQ(got[i].values, unnamed[i]) << "phase " << i;
  }
  // From the last DDL on (RENAME COLUMN b TO b2), the loaded definition holds.
  EXPECT_EQ(got[3].values, phases[3].expected);
  EXPECT_EQ(got[4].values, (NamedRow{{"id", "7"}, {"c", "700"}, {"b2", "70"}}));

  // Started after the last DDL: named from the first row.
  const std::string late_start = GtidState();
  Sql(absl::StrCat("INSERT INTO ", t, " (id, c, b2) VALUES (8, 800, 80)"));
  got = NamedRows(ReadUntilNow(late_start));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].values, (NamedRow{{"id", "8"}, {"c", "800"}, {"b2", "80"}}));
}

}  // namespace
}  // namespace mysqlgw
