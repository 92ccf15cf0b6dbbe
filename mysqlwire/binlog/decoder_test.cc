#include "mysqlwire/binlog/decoder.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mysqlwire/binlog/binlog_file_reader.h"
#include "mysqlwire/binlog/checksum.h"
#include "mysqlwire/error.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "zlib.h"
#include "zstd.h"

namespace mysqlwire::binlog {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;
using std::string_literals::operator""s;

// ---------------------------------------------------------------------------
// Helpers for hand-built events

std::string Le(uint64_t v, int width) {
  std::string s;
  for (int i = 0; i < width; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string U8(uint64_t v) { return Le(v, 1); }
std::string U16(uint64_t v) { return Le(v, 2); }
std::string U32(uint64_t v) { return Le(v, 4); }
std::string U64(uint64_t v) { return Le(v, 8); }

// A raw event: header + body [+ CRC32].
std::string Raw(EventType type, const std::string& body, bool crc, uint32_t log_pos = 1000,
                uint32_t server_id = 1, uint16_t flags = 0) {
  const size_t size = 19 + body.size() + (crc ? 4 : 0);
  std::string e = U32(1700000000) + U8(static_cast<uint8_t>(type)) + U32(server_id) +
                  U32(size) + U32(log_pos) + U16(flags) + body;
  if (crc) e += U32(EventCrc32(e));
  return e;
}

// A FORMAT_DESCRIPTION event of `version` with the default post-header
// table and the given checksum algorithm (always with its footer).
std::string FdeEvent(const std::string& version, uint8_t alg) {
  std::vector<uint8_t> table = DefaultFormatDescription().post_header_lengths;
  table[14] = static_cast<uint8_t>(57 + table.size());
  std::string v = version;
  v.resize(50, '\0');
  std::string body = U16(4) + v + U32(1700000000) + U8(19) +
                     std::string(table.begin(), table.end()) + U8(alg);
  std::string e = U32(1700000000) + U8(15) + U32(1) + U32(19 + body.size() + 4) + U32(0) +
                  U16(0) + body;
  return e + U32(alg == 1 ? EventCrc32(e) : 0);
}

std::string QueryBody(const std::string& schema, const std::string& query) {
  return U32(7) + U32(0) + U8(schema.size()) + U16(0) + U16(0) + schema + "\0"s + query;
}

// TABLE_MAP of `db`.`t` (table id 5) with one INT column.
std::string TableMapBody(uint64_t id = 5) {
  return Le(id, 6) + U16(1) + U8(2) + "db\0"s + U8(1) + "t\0"s + U8(1) + "\x03"s + U8(0) +
         "\x00"s;
}
// WRITE_ROWS (v2) of one row holding `value` in that table.
std::string WriteRowsBody(uint64_t id, int32_t value) {
  return Le(id, 6) + U16(1) + U16(2) + U8(1) + "\x01"s + "\x00"s + U32(value);
}

template <typename T>
const T* As(const Event& e) {
  return std::get_if<T>(&e.body);
}

TEST(DecoderTest, VerifiesChecksumsOnceTheFormatSaysSo) {
  Decoder d;
  std::vector<Event> out;
  ASSERT_TRUE(d.Decode(FdeEvent("8.0.36", 1), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  ASSERT_NE(As<FormatDescription>(out[0]), nullptr);
  EXPECT_TRUE(d.has_format());
  EXPECT_EQ(d.format().server_version, "8.0.36");

  const std::string xid = Raw(EventType::kXid, U64(42), true);
  ASSERT_TRUE(d.Decode(xid, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  ASSERT_NE(As<XidEvent>(out[1]), nullptr);
  EXPECT_EQ(As<XidEvent>(out[1])->xid, 42u);
  EXPECT_EQ(out[1].header.type, EventType::kXid);
  EXPECT_EQ(out[1].header.log_pos, 1000u);

  // Any damaged byte is caught, and nothing is appended.
  for (size_t i = 0; i < xid.size(); ++i) {
    std::string bad = xid;
    bad[i] ^= 0x10;
    absl::Status s = d.Decode(bad, &out);
    EXPECT_TRUE(IsProtocolError(s)) << i;
  }
  std::string bad = xid;
  bad[20] ^= 1;
  EXPECT_TRUE(absl::StrContains(d.Decode(bad, &out).message(), "checksum mismatch at"));
  EXPECT_EQ(out.size(), 2u);

  // Cut anywhere, or with a byte too many: the header's size disagrees.
  for (size_t n = 0; n < xid.size(); ++n) {
    EXPECT_FALSE(d.Decode(xid.substr(0, n), &out).ok()) << n;
  }
  EXPECT_FALSE(d.Decode(xid + "x", &out).ok());
  EXPECT_EQ(out.size(), 2u);
}

TEST(DecoderTest, ChecksumOffAndPreChecksumServers) {
  Decoder d;
  std::vector<Event> out;
  ASSERT_TRUE(d.Decode(FdeEvent("8.0.36", 0), &out).ok());
  EXPECT_EQ(d.format().checksum, ChecksumAlgorithm::kOff);
  ASSERT_TRUE(d.Decode(Raw(EventType::kXid, U64(1), false), &out).ok());
  EXPECT_EQ(As<XidEvent>(out.back())->xid, 1u);
  // With a checksum nobody announced, the XID body is 4 bytes too long.
  EXPECT_FALSE(d.Decode(Raw(EventType::kXid, U64(1), true), &out).ok());

  // A 5.5 server writes no footer: read as one, the 5 extra bytes would be
  // table entries, which the table's own entry contradicts.
  Decoder old;
  EXPECT_TRUE(IsProtocolError(old.Decode(FdeEvent("5.5.62", 0), &out)));
  EXPECT_FALSE(old.has_format());
}

TEST(DecoderTest, EventsBeforeAnyFormatDescription) {
  const std::string with_crc = Raw(EventType::kRotate, U64(4) + "binlog.000007", true, 0, 1,
                                   kLogEventArtificial);
  const std::string without = Raw(EventType::kRotate, U64(4) + "binlog.000007", false, 0);
  {
    // Undecided: a matching trailing CRC32 is taken as a checksum.
    Decoder d;
    std::vector<Event> out;
    ASSERT_TRUE(d.Decode(with_crc, &out).ok());
    ASSERT_TRUE(d.Decode(without, &out).ok());
    EXPECT_EQ(As<RotateEvent>(out[0])->next_file, "binlog.000007");
    EXPECT_EQ(As<RotateEvent>(out[1])->next_file, "binlog.000007");
    EXPECT_FALSE(d.has_format());
    EXPECT_EQ(d.format().PostHeaderLength(EventType::kRotate), 8);
  }
  {
    Decoder d(DecoderOptions{ChecksumAlgorithm::kCrc32});
    std::vector<Event> out;
    ASSERT_TRUE(d.Decode(with_crc, &out).ok());
    EXPECT_FALSE(d.Decode(without, &out).ok());  // Its last 4 bytes are no CRC.
  }
  {
    Decoder d(DecoderOptions{ChecksumAlgorithm::kOff});
    std::vector<Event> out;
    ASSERT_TRUE(d.Decode(without, &out).ok());
    EXPECT_EQ(As<RotateEvent>(out[0])->next_file, "binlog.000007");
  }
}

TEST(DecoderTest, UnknownTypesAreSkippedAndCounted) {
  Decoder d;
  std::vector<Event> out;
  ASSERT_TRUE(d.Decode(FdeEvent("8.0.36", 1), &out).ok());
  ASSERT_TRUE(d.Decode(Raw(static_cast<EventType>(200), "whatever", true), &out).ok());
  ASSERT_TRUE(d.Decode(Raw(static_cast<EventType>(43), "", true), &out).ok());
  ASSERT_TRUE(d.Decode(Raw(EventType::kStop, "", true), &out).ok());
  ASSERT_TRUE(d.Decode(Raw(EventType::kRowsQuery, "\x05hello"s, true), &out).ok());
  ASSERT_EQ(out.size(), 5u);
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_TRUE(std::holds_alternative<std::monostate>(out[i].body)) << i;
  }
  EXPECT_EQ(static_cast<uint8_t>(out[1].header.type), 200);
  EXPECT_EQ(d.unknown_events(), 2u);
  EXPECT_EQ(d.skipped_events(), 2u);
  // Still checksummed.
  std::string bad = Raw(static_cast<EventType>(200), "whatever", true);
  bad[20] ^= 1;
  EXPECT_FALSE(d.Decode(bad, &out).ok());
}

TEST(DecoderTest, TableMapsFeedRowsEvents) {
  Decoder d;
  std::vector<Event> out;
  ASSERT_TRUE(d.Decode(FdeEvent("8.0.36", 1), &out).ok());
  // Rows for a table id without a TABLE_MAP.
  absl::Status s = d.Decode(Raw(EventType::kWriteRowsV2, WriteRowsBody(5, 1), true), &out);
  EXPECT_TRUE(IsProtocolError(s));
  EXPECT_TRUE(absl::StrContains(s.message(), "table id 5 without a TABLE_MAP")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "ending at log_pos 1000")) << s;

  ASSERT_TRUE(d.Decode(Raw(EventType::kTableMap, TableMapBody(), true), &out).ok());
  const TableMap* map = d.FindTable(5);
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(map->schema, "db");
  EXPECT_EQ(map->table, "t");
  EXPECT_EQ(d.FindTable(6), nullptr);
  ASSERT_TRUE(d.Decode(Raw(EventType::kWriteRowsV2, WriteRowsBody(5, 77), true), &out).ok());
  const RowsEvent* rows = As<RowsEvent>(out.back());
  ASSERT_NE(rows, nullptr);
  EXPECT_EQ(rows->table_id, 5u);
  ASSERT_EQ(rows->rows.size(), 1u);
  ASSERT_TRUE(rows->rows[0].after.has_value());

  // A new FORMAT_DESCRIPTION (next file) forgets the table ids.
  ASSERT_TRUE(d.Decode(FdeEvent("8.0.36", 1), &out).ok());
  EXPECT_EQ(d.FindTable(5), nullptr);
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

std::string PayloadBody(const std::string& inner, bool compress = true) {
  const std::string payload = compress ? Zstd(inner) : inner;
  auto field = [](uint64_t type, uint64_t value) {
    std::string v = value < 251 ? U8(value) : "\xfc"s + U16(value);
    return U8(type) + U8(v.size()) + v;
  };
  return field(2, compress ? 0 : 255) + field(3, inner.size()) + field(1, payload.size()) +
         U8(0) + payload;
}

TEST(DecoderTest, TransactionPayloadYieldsItsEvents) {
  const std::string inner = Raw(EventType::kQuery, QueryBody("db", "BEGIN"), false, 0) +
                            Raw(EventType::kTableMap, TableMapBody(), false, 0) +
                            Raw(EventType::kWriteRowsV2, WriteRowsBody(5, 9), false, 0) +
                            Raw(EventType::kXid, U64(31), false, 0);
  Decoder d;
  std::vector<Event> out;
  ASSERT_TRUE(d.Decode(FdeEvent("8.0.36", 1), &out).ok());
  ASSERT_TRUE(d.Decode(Raw(EventType::kTransactionPayload, PayloadBody(inner), true), &out).ok());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(As<QueryEvent>(out[1])->query, "BEGIN");
  EXPECT_EQ(As<TableMap>(out[2])->table, "t");
  EXPECT_EQ(As<RowsEvent>(out[3])->rows.size(), 1u);
  EXPECT_EQ(As<XidEvent>(out[4])->xid, 31u);
  EXPECT_EQ(out[4].header.type, EventType::kXid);
  EXPECT_EQ(out[4].header.log_pos, 0u);

  // Uncompressed payloads too.
  ASSERT_TRUE(
      d.Decode(Raw(EventType::kTransactionPayload, PayloadBody(inner, false), true), &out).ok());
  EXPECT_EQ(out.size(), 9u);

  // A broken inner event fails the whole payload and appends nothing.
  const std::string broken = inner.substr(0, inner.size() - 8) + U64(0).substr(0, 4);
  EXPECT_FALSE(d.Decode(Raw(EventType::kTransactionPayload, PayloadBody(broken), true), &out).ok());
  const std::string orphan_rows = Raw(EventType::kWriteRowsV2, WriteRowsBody(99, 1), false, 0);
  EXPECT_FALSE(
      d.Decode(Raw(EventType::kTransactionPayload, PayloadBody(orphan_rows), true), &out).ok());
  EXPECT_EQ(out.size(), 9u);
  // Payloads and FORMAT_DESCRIPTIONs cannot nest inside a payload.
  const std::string nested = Raw(EventType::kTransactionPayload, PayloadBody(inner), false, 0);
  EXPECT_FALSE(d.Decode(Raw(EventType::kTransactionPayload, PayloadBody(nested), true), &out).ok());
  std::string fde = FdeEvent("8.0.36", 0);
  EXPECT_FALSE(d.Decode(Raw(EventType::kTransactionPayload, PayloadBody(fde), true), &out).ok());
  EXPECT_EQ(out.size(), 9u);
}

std::string MariaRecord(const std::string& data) {
  uLongf n = compressBound(data.size());
  std::string z(n, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &n,
           reinterpret_cast<const Bytef*>(data.data()), data.size());
  z.resize(n);
  return "\x82"s + static_cast<char>(data.size() >> 8) + static_cast<char>(data.size()) + z;
}

TEST(DecoderTest, MariaDbEvents) {
  Decoder d;
  std::vector<Event> out;
  ASSERT_TRUE(d.Decode(FdeEvent("10.11.6-MariaDB-log", 1), &out).ok());
  EXPECT_TRUE(d.format().is_mariadb());
  ASSERT_TRUE(d.Decode(Raw(EventType::kMariaGtidList, U32(1) + U32(0) + U32(1) + U64(9), true),
                       &out).ok());
  ASSERT_TRUE(
      d.Decode(Raw(EventType::kMariaBinlogCheckpoint, U32(9) + "mdb.00001", true), &out).ok());
  ASSERT_TRUE(d.Decode(Raw(EventType::kMariaGtid, U64(10) + U32(0) + U8(0x0c) +
                                                      std::string(6, '\0'),
                           true, 1000, 3),
                       &out).ok());
  ASSERT_TRUE(d.Decode(Raw(EventType::kMariaAnnotateRows, "insert into t values (1)", true),
                       &out).ok());
  ASSERT_TRUE(d.Decode(Raw(EventType::kTableMap, TableMapBody(), true), &out).ok());

  // Compressed rows (v1 layout) and query.
  const std::string rows_head = Le(5, 6) + U16(1) + U8(1) + "\x01"s;
  const std::string row = "\x00"s + U32(1234);
  ASSERT_TRUE(d.Decode(Raw(EventType::kMariaWriteRowsCompressedV1,
                           rows_head + MariaRecord(row), true),
                       &out).ok());
  const std::string query(400, 'x');
  const std::string qbody = QueryBody("db", "");
  ASSERT_TRUE(d.Decode(Raw(EventType::kMariaQueryCompressed, qbody + MariaRecord(query), true),
                       &out).ok());

  ASSERT_EQ(out.size(), 8u);
  EXPECT_EQ(As<MariaGtidListEvent>(out[1])->ToString(), "0-1-9");
  EXPECT_EQ(As<BinlogCheckpointEvent>(out[2])->file, "mdb.00001");
  EXPECT_EQ(As<MariaGtidEvent>(out[3])->gtid.ToString(), "0-3-10");
  EXPECT_EQ(As<AnnotateRowsEvent>(out[4])->query, "insert into t values (1)");
  const RowsEvent* rows = As<RowsEvent>(out[6]);
  ASSERT_NE(rows, nullptr);
  EXPECT_EQ(rows->type, EventType::kWriteRowsV1);
  EXPECT_EQ(out[6].header.type, EventType::kMariaWriteRowsCompressedV1);
  EXPECT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(As<QueryEvent>(out[7])->query, query);
  EXPECT_EQ(As<QueryEvent>(out[7])->schema, "db");

  // An encrypted binlog is refused plainly.
  absl::Status s = d.Decode(Raw(EventType::kMariaStartEncryption, U8(1) + U32(1) +
                                                                      std::string(12, 'n'),
                                true),
                            &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
}

TEST(DecoderTest, Heartbeats) {
  Decoder d;
  std::vector<Event> out;
  ASSERT_TRUE(d.Decode(FdeEvent("8.0.36", 1), &out).ok());
  ASSERT_TRUE(d.Decode(Raw(EventType::kHeartbeat, "binlog.000003", true, 4567), &out).ok());
  const std::string v2 = U8(1) + U8(13) + "binlog.000003" + U8(2) + U8(3) + "\xfc\x39\x30"s +
                         U8(0);
  ASSERT_TRUE(d.Decode(Raw(EventType::kHeartbeatV2, v2, true, 0), &out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(As<HeartbeatEvent>(out[1])->log_file, "binlog.000003");
  EXPECT_EQ(As<HeartbeatEvent>(out[1])->position, 4567u);
  EXPECT_EQ(As<HeartbeatEvent>(out[2])->position, 12345u);
}

// ---------------------------------------------------------------------------
// Recorded binlogs

std::string FixtureDir() {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) return "";
  return std::filesystem::path(runfiles->Rlocation("shared_fixtures/binlog/README.md"))
      .parent_path()
      .string();
}

struct Decoded {
  std::vector<Event> events;
  uint64_t raw_events = 0;
  uint64_t unknown = 0;
  uint64_t skipped = 0;
  FormatDescription format;

  template <typename T>
  std::vector<const T*> All() const {
    std::vector<const T*> v;
    for (const Event& e : events) {
      if (const T* t = std::get_if<T>(&e.body)) v.push_back(t);
    }
    return v;
  }
  std::vector<std::string> Queries() const {
    std::vector<std::string> v;
    for (const QueryEvent* q : All<QueryEvent>()) v.push_back(q->query);
    return v;
  }
  std::vector<uint64_t> Xids() const {
    std::vector<uint64_t> v;
    for (const XidEvent* x : All<XidEvent>()) v.push_back(x->xid);
    return v;
  }
  std::vector<std::string> Gtids() const {
    std::vector<std::string> v;
    for (const GtidEvent* g : All<GtidEvent>()) v.push_back(g->Gtid());
    return v;
  }
  std::set<std::string> Tables() const {
    std::set<std::string> v;
    for (const TableMap* t : All<TableMap>()) v.insert(absl::StrCat(t->schema, ".", t->table));
    return v;
  }
  std::map<EventType, int> Types() const {
    std::map<EventType, int> m;
    for (const Event& e : events) ++m[e.header.type];
    return m;
  }
  std::vector<std::string> Rotates() const {
    std::vector<std::string> v;
    for (const RotateEvent* r : All<RotateEvent>()) {
      v.push_back(absl::StrCat(r->next_file, ":", r->position));
    }
    return v;
  }
};

// Reads and decodes a whole fixture file; any error fails the test.
Decoded DecodeFile(const std::string& path) {
  Decoded out;
  auto reader = BinlogFileReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  Decoder decoder;
  while (true) {
    auto raw = reader->Next();
    EXPECT_TRUE(raw.ok()) << raw.status();
    if (!raw.ok() || !raw->has_value()) break;
    ++out.raw_events;
    absl::Status s = decoder.Decode(**raw, &out.events);
    EXPECT_TRUE(s.ok()) << path << " at offset " << reader->position() << ": " << s;
    if (!s.ok()) break;
  }
  out.unknown = decoder.unknown_events();
  out.skipped = decoder.skipped_events();
  out.format = decoder.format();
  return out;
}

Decoded DecodeFixture(const std::string& name) {
  return DecodeFile(FixtureDir() + "/" + name);
}

using T = EventType;

// Names of the fixtures with a test of their own below.
const std::set<std::string>& CoveredFixtures() {
  static const auto* names = new std::set<std::string>{
      "binlog-invisible-columns.000001", "binlog_56_gtid_reserved_word.000001",
      "binlog_transaction_with_GTID_TAG.000001", "json-opaque.binlog",
      "json.binlog.000001", "mariadb-bin.000001", "minimal_row_metadata.000001",
      "mysql-bin.checksum-crc32", "mysql-bin.compressed", "mysql-enum-string-set.000001",
      "mysql_type_bit.000001", "time_issue.000001", "transaction_compression.000001",
      "update-full-row.binlog", "vector.binlog", "write-partial-row.binlog",
  };
  return *names;
}

TEST(DecoderFixtureTest, EveryFileDecodesWithoutError) {
  const std::string dir = FixtureDir();
  ASSERT_FALSE(dir.empty());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    SCOPED_TRACE(name);
    ++files;
    EXPECT_TRUE(CoveredFixtures().count(name)) << "add a test for fixture " << name;
    Decoded d = DecodeFile(entry.path().string());
    EXPECT_EQ(d.unknown, 0u);
    EXPECT_GT(d.events.size(), 0u);
    // The first event of every file is its FORMAT_DESCRIPTION.
    ASSERT_FALSE(d.events.empty());
    EXPECT_NE(As<FormatDescription>(d.events[0]), nullptr);
    // Every event is decoded except STOP (the only skipped type in these).
    for (const Event& e : d.events) {
      if (e.header.type == T::kStop) continue;
      EXPECT_FALSE(std::holds_alternative<std::monostate>(e.body))
          << EventTypeName(e.header.type) << " at log_pos " << e.header.log_pos;
    }
  }
  EXPECT_EQ(files, static_cast<int>(CoveredFixtures().size()));
}

TEST(DecoderFixtureTest, MySql56Gtids) {
  Decoded d = DecodeFixture("binlog_56_gtid_reserved_word.000001");
  EXPECT_EQ(d.format.server_version, "5.6.41-debug-log");
  EXPECT_EQ(d.format.checksum, ChecksumAlgorithm::kCrc32);
  ASSERT_EQ(d.All<PreviousGtidsEvent>().size(), 1u);
  EXPECT_EQ(d.All<PreviousGtidsEvent>()[0]->ToString(), "");
  std::vector<std::string> gtids;
  for (int i = 1; i <= 6; ++i) {
    gtids.push_back(absl::StrCat("11111111-1111-1111-1111-111111111111:", i));
  }
  EXPECT_EQ(d.Gtids(), gtids);
  // The 5.6 event has no logical clock or timestamps.
  for (const GtidEvent* g : d.All<GtidEvent>()) {
    EXPECT_FALSE(g->last_committed.has_value());
    EXPECT_FALSE(g->immediate_commit_timestamp.has_value());
    EXPECT_EQ(g->flags, kGtidMayHaveSbr);
  }
  EXPECT_EQ(d.Queries(), (std::vector<std::string>{
                             "CREATE TABLE t1 (a int PRIMARY KEY)",
                             "CREATE TABLE GENERATED LIKE test.t1",
                             "BEGIN",
                             "INSERT INTO GENERATED VALUES (1), (2), (3)",
                             "COMMIT",
                             "BEGIN",
                             "COMMIT",
                             "DROP TABLE `t1` /* generated by server */",
                             "DROP TABLE `GENERATED` /* generated by server */",
                         }));
  for (const QueryEvent* q : d.All<QueryEvent>()) {
    EXPECT_EQ(q->schema, "test");
    EXPECT_EQ(q->status.sql_mode, 1073741824u);  // NO_ENGINE_SUBSTITUTION
    ASSERT_TRUE(q->status.charset.has_value());
    EXPECT_EQ(q->status.charset->client, 8);  // latin1
  }
  EXPECT_EQ(d.Tables(), (std::set<std::string>{"test.GENERATED"}));
  EXPECT_EQ(d.Types()[T::kWriteRowsV2], 1);
  EXPECT_EQ(d.Types()[T::kStop], 1);
  EXPECT_EQ(d.skipped, 1u);
  EXPECT_EQ(d.events.size(), 20u);
}

TEST(DecoderFixtureTest, TaggedGtid) {
  Decoded d = DecodeFixture("binlog_transaction_with_GTID_TAG.000001");
  EXPECT_EQ(d.format.server_version, "9.6.0");
  ASSERT_EQ(d.All<PreviousGtidsEvent>().size(), 1u);
  const PreviousGtidsEvent* prev = d.All<PreviousGtidsEvent>()[0];
  EXPECT_TRUE(prev->tagged);
  EXPECT_EQ(prev->ToString(), "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2");
  ASSERT_EQ(d.All<GtidEvent>().size(), 1u);
  const GtidEvent* g = d.All<GtidEvent>()[0];
  EXPECT_EQ(g->tag, "mytag");
  EXPECT_EQ(g->gno, 3);
  EXPECT_EQ(g->Gtid(), "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3");
  EXPECT_EQ(g->transaction_length, 296u);
  EXPECT_EQ(g->immediate_server_version, 90600u);
  EXPECT_EQ(d.Queries(), (std::vector<std::string>{"BEGIN"}));
  EXPECT_EQ(d.Tables(), (std::set<std::string>{"test.orders"}));
  EXPECT_EQ(d.Xids(), (std::vector<uint64_t>{40}));
  EXPECT_EQ(d.Rotates(), (std::vector<std::string>{"binlog.000005:4"}));
  EXPECT_EQ(d.events.size(), 8u);
}

TEST(DecoderFixtureTest, MariaDb105) {
  Decoded d = DecodeFixture("mariadb-bin.000001");
  EXPECT_TRUE(d.format.is_mariadb());
  EXPECT_EQ(d.format.server_version, "10.5.15-MariaDB-1:10.5.15+maria~focal-log");
  ASSERT_EQ(d.All<MariaGtidListEvent>().size(), 1u);
  EXPECT_TRUE(d.All<MariaGtidListEvent>()[0]->gtids.empty());
  ASSERT_EQ(d.All<BinlogCheckpointEvent>().size(), 1u);
  EXPECT_EQ(d.All<BinlogCheckpointEvent>()[0]->file, "mariadb-bin.000001");
  std::vector<std::string> gtids;
  for (const MariaGtidEvent* g : d.All<MariaGtidEvent>()) {
    gtids.push_back(g->gtid.ToString());
    EXPECT_EQ(g->flags2, kMariaGtidTransactional | kMariaGtidAllowParallel);
    EXPECT_FALSE(g->standalone());
  }
  EXPECT_EQ(gtids, (std::vector<std::string>{"0-1-1", "0-1-2"}));
  for (const AnnotateRowsEvent* a : d.All<AnnotateRowsEvent>()) {
    EXPECT_EQ(a->query,
              "insert into outbox (topic, event_type, event) values ('foo', 'JSON', "
              "'{\"foo\":1}')");
  }
  EXPECT_EQ(d.All<AnnotateRowsEvent>().size(), 2u);
  EXPECT_EQ(d.Tables(), (std::set<std::string>{"toddy_test.outbox"}));
  EXPECT_EQ(d.Types()[T::kWriteRowsV1], 2);
  EXPECT_EQ(d.Xids(), (std::vector<uint64_t>{800, 820}));
  EXPECT_TRUE(d.Queries().empty());
  EXPECT_EQ(d.events.size(), 13u);
}

TEST(DecoderFixtureTest, TransactionPayloads) {
  {
    Decoded d = DecodeFixture("transaction_compression.000001");
    EXPECT_EQ(d.format.server_version, "8.0.32");
    EXPECT_EQ(d.All<PreviousGtidsEvent>()[0]->ToString(),
              "357df524-4139-11ee-9979-b033ee13919e:1");
    // FDE, PREVIOUS_GTIDS, ANONYMOUS_GTID, then the payload's four events,
    // then ROTATE: 5 raw events became 8.
    EXPECT_EQ(d.raw_events, 5u);
    ASSERT_EQ(d.events.size(), 8u);
    std::vector<EventType> types;
    for (const Event& e : d.events) types.push_back(e.header.type);
    EXPECT_EQ(types, (std::vector<EventType>{T::kFormatDescription, T::kPreviousGtids,
                                             T::kAnonymousGtid, T::kQuery, T::kTableMap,
                                             T::kWriteRowsV2, T::kXid, T::kRotate}));
    for (size_t i = 3; i <= 6; ++i) EXPECT_EQ(d.events[i].header.log_pos, 0u);
    EXPECT_EQ(d.Queries(), (std::vector<std::string>{"BEGIN"}));
    EXPECT_EQ(d.Tables(), (std::set<std::string>{"test.tb1"}));
    EXPECT_EQ(d.Xids(), (std::vector<uint64_t>{462}));
    EXPECT_EQ(d.Rotates(), (std::vector<std::string>{"binlog.000043:4"}));
    // transaction_length counts the payload event as written (with CRC).
    EXPECT_EQ(d.All<GtidEvent>()[0]->transaction_length, 77u + 157u);
  }
  {
    Decoded d = DecodeFixture("mysql-bin.compressed");
    EXPECT_EQ(d.format.server_version, "8.0.28");
    EXPECT_EQ(d.raw_events, 5u);
    std::vector<EventType> types;
    for (const Event& e : d.events) types.push_back(e.header.type);
    EXPECT_EQ(types, (std::vector<EventType>{T::kFormatDescription, T::kPreviousGtids,
                                             T::kAnonymousGtid, T::kQuery, T::kTableMap,
                                             T::kUpdateRowsV2, T::kXid, T::kRotate}));
    EXPECT_EQ(d.Tables(), (std::set<std::string>{"demo.movies"}));
    EXPECT_EQ(d.Xids(), (std::vector<uint64_t>{31}));
    EXPECT_EQ(d.Rotates(), (std::vector<std::string>{"mysql-bin.000005:4"}));
  }
}

TEST(DecoderFixtureTest, MySql57ChecksumFile) {
  Decoded d = DecodeFixture("mysql-bin.checksum-crc32");
  EXPECT_EQ(d.format.server_version, "5.7.21-log");
  EXPECT_EQ(d.All<GtidEvent>().size(), 60u);
  int64_t seq = 0;
  for (const GtidEvent* g : d.All<GtidEvent>()) {
    EXPECT_TRUE(g->anonymous);
    EXPECT_EQ(g->sequence_number, ++seq);
    EXPECT_LT(*g->last_committed, *g->sequence_number);
    // 5.7 wrote no commit timestamps yet.
    EXPECT_FALSE(g->immediate_commit_timestamp.has_value());
  }
  const std::vector<std::string> queries = d.Queries();
  EXPECT_EQ(queries.size(), 60u);
  for (const std::string& q : queries) EXPECT_EQ(q, "BEGIN");
  EXPECT_EQ(d.All<QueryEvent>()[0]->schema, "simu_file_dev");
  EXPECT_EQ(d.All<QueryEvent>()[0]->status.sql_mode, 1436549152u);
  EXPECT_EQ(d.All<QueryEvent>()[0]->status.time_zone, "SYSTEM");
  const std::vector<uint64_t> xids = d.Xids();
  ASSERT_EQ(xids.size(), 60u);
  EXPECT_EQ(xids.front(), 1012u);
  auto types = d.Types();
  EXPECT_EQ(types[T::kTableMap], 60);
  EXPECT_EQ(types[T::kWriteRowsV2], 34);
  EXPECT_EQ(types[T::kUpdateRowsV2], 20);
  EXPECT_EQ(types[T::kDeleteRowsV2], 6);
  EXPECT_TRUE(d.Tables().count("simu_file_dev.folder"));
  EXPECT_TRUE(d.Tables().count("auth.announcement_member"));
  EXPECT_EQ(d.Rotates(), (std::vector<std::string>{"mysql-bin.000002:4"}));
}

TEST(DecoderFixtureTest, MySql80GtidFiles) {
  struct Case {
    std::string file;
    std::string version;
    std::string sid;
    int gtids;
    std::string create;
    std::set<std::string> tables;
    std::vector<uint64_t> xids;
    bool stop;
  };
  for (const Case& c : std::vector<Case>{
           {"binlog-invisible-columns.000001", "8.0.26", "97c7af02-4c50-11ec-acd8-681842034964",
            5, "CREATE TABLE t1 (f1 INT UNSIGNED INVISIBLE", {"mysql.t1"}, {53, 54, 55}, true},
           {"mysql-enum-string-set.000001", "8.0.28", "93e95066-a2f4-11ec-9b69-9657f0ae95e2", 5,
            "CREATE TABLE t(f1 CHAR(128), f2 VARCHAR(300), f3 ENUM(", {"mysql.t"},
            {50, 51, 52}, false},
           {"mysql_type_bit.000001", "8.0.26", "fbda2ad0-7c46-11ec-ae30-4ef7efc81a2a", 3,
            "CREATE TABLE foo(a BIT(3), b TEXT, c BIT(8))", {"mysql.foo"}, {51}, false},
       }) {
    SCOPED_TRACE(c.file);
    Decoded d = DecodeFixture(c.file);
    EXPECT_EQ(d.format.server_version, c.version);
    std::vector<std::string> expected;
    for (int i = 1; i <= c.gtids; ++i) expected.push_back(absl::StrCat(c.sid, ":", i));
    EXPECT_EQ(d.Gtids(), expected);
    for (const GtidEvent* g : d.All<GtidEvent>()) {
      EXPECT_EQ(g->sequence_number, g->gno);
      EXPECT_TRUE(g->immediate_commit_timestamp.has_value());
      EXPECT_EQ(g->original_commit_timestamp, g->immediate_commit_timestamp);
      EXPECT_TRUE(g->transaction_length.has_value());
    }
    const std::vector<std::string> q = d.Queries();
    ASSERT_EQ(q.size(), static_cast<size_t>(c.gtids));
    // The first transaction of each is the server's ALTER USER at install.
    EXPECT_TRUE(absl::StartsWith(q[0], "ALTER USER 'root'@'localhost' IDENTIFIED WITH"));
    const QueryEvent* alter = d.All<QueryEvent>()[0];
    ASSERT_TRUE(alter->status.invoker.has_value());
    EXPECT_EQ(alter->status.invoker->user, "root");
    EXPECT_EQ(alter->status.invoker->host, "localhost");
    EXPECT_TRUE(absl::StartsWith(q[1], c.create)) << q[1];
    const QueryEvent* ddl = d.All<QueryEvent>()[1];
    EXPECT_EQ(ddl->schema, "mysql");
    EXPECT_TRUE(ddl->status.ddl_xid.has_value());  // Atomic DDL (8.0).
    ASSERT_TRUE(ddl->status.updated_db_names.has_value());
    EXPECT_EQ(*ddl->status.updated_db_names, (std::vector<std::string>{"mysql"}));
    EXPECT_EQ(ddl->status.default_collation_for_utf8mb4, 255);
    for (size_t i = 2; i < q.size(); ++i) EXPECT_EQ(q[i], "BEGIN");
    EXPECT_EQ(d.Tables(), c.tables);
    EXPECT_EQ(d.Xids(), c.xids);
    EXPECT_EQ(d.Types()[T::kStop], c.stop ? 1 : 0);
  }
}

TEST(DecoderFixtureTest, MySql80AnonymousFiles) {
  struct Case {
    std::string file;
    std::string version;
    int transactions;
    std::vector<std::string> non_begin_queries;
    std::set<std::string> tables;
    std::vector<uint64_t> xids;
    std::vector<std::string> rotates;
  };
  for (const Case& c : std::vector<Case>{
           {"json.binlog.000001", "8.0.22", 8,
            {"ALTER USER", "CREATE TABLE t(id INT PRIMARY KEY AUTO_INCREMENT,"},
            {"mysql.t"}, {47, 48, 49, 50, 51, 53}, {}},
           {"json-opaque.binlog", "9.0.1", 3,
            {"CREATE DATABASE foo", "create table test (a json)"}, {"foo.test"}, {}, {}},
           {"minimal_row_metadata.000001", "8.0.40", 1, {}, {"noria.t1"}, {1460},
            {"binlog.000021:4"}},
           {"time_issue.000001", "8.0.40", 1, {}, {"noria.t"}, {97694}, {"binlog.000005:4"}},
           {"vector.binlog", "9.0.1", 10,
            {"CREATE DATABASE dtb CHARSET utf8mb4", "CREATE TABLE foo(id SERIAL, vector_column",
             "CREATE TABLE bar(id SERIAL, vector_column", "drop database dtb",
             "CREATE DATABASE dtb CHARSET utf8mb4", "CREATE TABLE foo(id SERIAL, vector_column",
             "CREATE TABLE bar(id SERIAL, vector_column"},
            {"dtb.foo", "dtb.bar"}, {14, 35, 39}, {}},
       }) {
    SCOPED_TRACE(c.file);
    Decoded d = DecodeFixture(c.file);
    EXPECT_EQ(d.format.server_version, c.version);
    EXPECT_EQ(d.All<PreviousGtidsEvent>().size(), 1u);
    EXPECT_EQ(d.All<PreviousGtidsEvent>()[0]->ToString(), "");
    const auto gtids = d.All<GtidEvent>();
    ASSERT_EQ(gtids.size(), static_cast<size_t>(c.transactions));
    int64_t seq = 0;
    for (const GtidEvent* g : gtids) {
      EXPECT_TRUE(g->anonymous);
      EXPECT_EQ(g->sequence_number, ++seq);
      EXPECT_TRUE(g->immediate_server_version.has_value());
    }
    std::vector<std::string> others;
    for (const std::string& q : d.Queries()) {
      if (q != "BEGIN") others.push_back(q);
    }
    ASSERT_EQ(others.size(), c.non_begin_queries.size());
    for (size_t i = 0; i < others.size(); ++i) {
      EXPECT_TRUE(absl::StartsWith(others[i], c.non_begin_queries[i])) << others[i];
    }
    EXPECT_EQ(d.Tables(), c.tables);
    if (!c.xids.empty()) {
      EXPECT_EQ(d.Xids(), c.xids);
    }
    EXPECT_EQ(d.Rotates(), c.rotates);
  }
  // json-opaque: one transaction of 8 single-row inserts, not closed yet.
  Decoded opaque = DecodeFixture("json-opaque.binlog");
  EXPECT_EQ(opaque.Types()[T::kWriteRowsV2], 8);
  EXPECT_EQ(opaque.Xids().size(), 1u);
  // json.binlog: one PARTIAL_UPDATE_ROWS (JSON diffs).
  EXPECT_EQ(DecodeFixture("json.binlog.000001").Types()[T::kPartialUpdateRows], 1);
}

TEST(DecoderFixtureTest, MySql51WithoutChecksums) {
  for (const std::string& file : {"update-full-row.binlog"s, "write-partial-row.binlog"s}) {
    SCOPED_TRACE(file);
    Decoded d = DecodeFixture(file);
    EXPECT_EQ(d.format.server_version, "5.1.37-ndb-6.2.19-debug-log");
    EXPECT_EQ(d.format.checksum, ChecksumAlgorithm::kUndefined);
    EXPECT_EQ(d.Queries(), (std::vector<std::string>{"BEGIN", "COMMIT"}));
    EXPECT_EQ(d.Tables(), (std::set<std::string>{"test.ba", "mysql.ndb_apply_status"}));
    EXPECT_EQ(d.Rotates(), (std::vector<std::string>{"mysqld-bin.000002:4"}));
    EXPECT_TRUE(d.Gtids().empty());
    EXPECT_EQ(d.events.size(), 10u);
  }
  auto types = DecodeFixture("update-full-row.binlog").Types();
  EXPECT_EQ(types[T::kWriteRowsV1], 2);
  EXPECT_EQ(types[T::kUpdateRowsV1], 1);
  EXPECT_EQ(types[T::kDeleteRowsV1], 1);
}

// ---------------------------------------------------------------------------
// Damaged recorded files

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads and decodes until the first error; returns it.
absl::Status DecodeBytes(const std::string& bytes) {
  auto reader = BinlogFileReader::FromBytes("damaged", bytes);
  if (!reader.ok()) return reader.status();
  Decoder decoder;
  std::vector<Event> events;
  while (true) {
    auto raw = reader->Next();
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return absl::OkStatus();
    if (absl::Status s = decoder.Decode(**raw, &events); !s.ok()) return s;
  }
}

TEST(DecoderFixtureTest, EveryDamagedByteOfAChecksummedFileIsCaught) {
  for (const std::string& name :
       {"binlog_transaction_with_GTID_TAG.000001"s, "mariadb-bin.000001"s,
        "transaction_compression.000001"s}) {
    SCOPED_TRACE(name);
    const std::string file = ReadFile(FixtureDir() + "/" + name);
    ASSERT_TRUE(DecodeBytes(file).ok());
    for (size_t i = 0; i < file.size(); ++i) {
      std::string bad = file;
      bad[i] ^= 0x10;
      EXPECT_FALSE(DecodeBytes(bad).ok()) << "byte " << i;
    }
  }
}

TEST(DecoderFixtureTest, DamageWithoutChecksumsNeverCrashes) {
  // Without checksums a flipped byte may still decode (a different value);
  // it must never read out of bounds or abort.
  for (const std::string& name : {"update-full-row.binlog"s, "write-partial-row.binlog"s}) {
    const std::string file = ReadFile(FixtureDir() + "/" + name);
    int errors = 0;
    for (size_t i = 0; i < file.size(); ++i) {
      for (uint8_t mask : {0x01, 0x80, 0xff}) {
        std::string bad = file;
        bad[i] ^= static_cast<char>(mask);
        if (!DecodeBytes(bad).ok()) ++errors;
      }
    }
    EXPECT_GT(errors, 0) << name;
  }
}

TEST(DecoderFixtureTest, TruncatedFilesFailAtTheCut) {
  const std::string file = ReadFile(FixtureDir() + "/mariadb-bin.000001");
  // Cuts at event boundaries are clean ends; every other cut is an error.
  std::set<size_t> boundaries = {4};
  auto reader = BinlogFileReader::FromBytes("f", file);
  ASSERT_TRUE(reader.ok());
  while (reader->Next().value().has_value()) boundaries.insert(reader->position());
  for (size_t n = 4; n < file.size(); ++n) {
    EXPECT_EQ(DecodeBytes(file.substr(0, n)).ok(), boundaries.count(n) == 1) << n;
  }
}

}  // namespace
}  // namespace mysqlwire::binlog
