#include "clients/cpp/cli/binlog_json.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "clients/cpp/cli/json_text.h"
#include "gtest/gtest.h"
#include "mysqlwire/binlog/decoder.h"
#include "mysqlwire/binlog/event_header.h"
#include "mysqlwire/binlog/event_type.h"
#include "mysqlwire/binlog/events.h"
#include "mysqlwire/binlog/format_description.h"
#include "mysqlwire/binlog/rows_event.h"
#include "mysqlwire/binlog/table_map.h"
#include "mysqlwire/protocol/column_type.h"
#include "mysqlwire/value.h"

namespace mysqlgw::client::cli {
namespace {

namespace binlog = ::mysqlwire::binlog;
using ::mysqlwire::ColumnType;
using ::mysqlwire::Value;

constexpr uint32_t kUtf8mb4 = 45;
constexpr uint32_t kLatin1 = 8;
constexpr uint32_t kBinary = 63;

struct Col {
  std::string name;
  ColumnType type;
  uint16_t meta = 0;
  uint32_t charset = 0;
  bool is_unsigned = false;
  bool nullable = true;
};

binlog::TableMap Map(const std::vector<Col>& cols, bool names = true) {
  binlog::TableMap map;
  map.table_id = 42;
  map.schema = "db";
  map.table = "t";
  for (const Col& c : cols) {
    map.types.push_back(c.type);
    map.metadata.push_back(c.meta);
    map.nullable.push_back(c.nullable);
    map.is_unsigned.push_back(c.is_unsigned);
    map.charsets.push_back(c.charset);
    if (names) map.column_names.push_back(c.name);
  }
  const size_t n = cols.size();
  map.enum_values.assign(n, {});
  map.set_values.assign(n, {});
  map.geometry_types.assign(n, 0);
  map.visible.assign(n, true);
  map.vector_dimensions.assign(n, 0);
  return map;
}

// One column of `type`, and its value rendered.
std::string Cell(const Value& v, ColumnType type, uint16_t meta = 0, uint32_t charset = 0) {
  return BinlogCellJson(v, Map({{"c", type, meta, charset}}), 0);
}

TEST(BinlogCellJsonTest, NumbersFollowTheJsonlRules) {
  EXPECT_EQ(Cell(Value::Null(), ColumnType::kLong), "null");
  EXPECT_EQ(Cell(Value::Int64(-42), ColumnType::kLong), "-42");
  EXPECT_EQ(Cell(Value::Int64(9007199254740991), ColumnType::kLongLong), "9007199254740991");
  EXPECT_EQ(Cell(Value::Int64(9007199254740992), ColumnType::kLongLong), "\"9007199254740992\"");
  EXPECT_EQ(Cell(Value::Int64(INT64_MIN), ColumnType::kLongLong), "\"-9223372036854775808\"");
  EXPECT_EQ(Cell(Value::Uint64(UINT64_MAX), ColumnType::kLongLong), "\"18446744073709551615\"");
  EXPECT_EQ(Cell(Value::Uint64(2024), ColumnType::kYear), "2024");
  EXPECT_EQ(Cell(Value::Uint64(5), ColumnType::kBit, 0x0003), "5");
  EXPECT_EQ(Cell(Value::Double(2.5), ColumnType::kDouble, 8), "2.5");
  EXPECT_EQ(Cell(Value::Float(0.1f), ColumnType::kFloat, 4), "0.1");
  EXPECT_EQ(Cell(Value::DecimalText("-12.3400"), ColumnType::kNewDecimal, 0x0a04), "\"-12.3400\"");
}

TEST(BinlogCellJsonTest, TemporalValuesUseTheColumnsFractionDigits) {
  EXPECT_EQ(Cell(Value::Of(mysqlwire::Date{}), ColumnType::kDate), "\"0000-00-00\"");
  EXPECT_EQ(Cell(Value::Of(mysqlwire::Date{2024, 0, 0}), ColumnType::kDate), "\"2024-00-00\"");
  const mysqlwire::DateTime dt{2024, 1, 2, 3, 4, 5, 1};
  EXPECT_EQ(Cell(Value::Of(dt), ColumnType::kDateTime2, 6), "\"2024-01-02 03:04:05.000001\"");
  EXPECT_EQ(
      Cell(Value::Of(mysqlwire::DateTime{2024, 1, 2, 3, 4, 5, 120000}), ColumnType::kTimestamp2, 3),
      "\"2024-01-02 03:04:05.120\"");
  EXPECT_EQ(Cell(Value::Of(mysqlwire::DateTime{2024, 1, 2, 3, 4, 5, 0}), ColumnType::kDateTime2, 0),
            "\"2024-01-02 03:04:05\"");
  EXPECT_EQ(Cell(Value::Of(mysqlwire::DateTime{}), ColumnType::kDateTime),
            "\"0000-00-00 00:00:00\"");
  EXPECT_EQ(Cell(Value::Of(mysqlwire::Time{true, 100, 0, 0, 0}), ColumnType::kTime2, 0),
            "\"-100:00:00\"");
  EXPECT_EQ(Cell(Value::Of(mysqlwire::Time{false, 838, 59, 59, 500000}), ColumnType::kTime2, 1),
            "\"838:59:59.5\"");
  EXPECT_EQ(Cell(Value::Of(mysqlwire::Time{true, 507, 48, 27, 0}), ColumnType::kTime),
            "\"-507:48:27\"");
}

TEST(BinlogCellJsonTest, TextBytesAndCharsets) {
  EXPECT_EQ(Cell(Value::String("a\"b\n"), ColumnType::kVarChar, 80, kUtf8mb4), "\"a\\\"b\\n\"");
  EXPECT_EQ(Cell(Value::String("héllo"), ColumnType::kVarChar, 80, kUtf8mb4), "\"héllo\"");
  // latin1 (MySQL's: Windows-1252) is converted to UTF-8.
  EXPECT_EQ(Cell(Value::String("caf\xe9 \x80"), ColumnType::kString, 0xfe0a, kLatin1),
            "\"café €\"");
  EXPECT_EQ(Cell(Value::String("\x81"), ColumnType::kVarChar, 10, 1032), "\"\xc2\x81\"");
  // Text that is not valid in its character set is sent as bytes.
  EXPECT_EQ(Cell(Value::String("\xff"), ColumnType::kVarChar, 80, kUtf8mb4), "\"/w==\"");
  EXPECT_EQ(Cell(Value::BytesOf(std::string("\x00\xff", 2)), ColumnType::kVarChar, 4, kBinary),
            "\"AP8=\"");
  EXPECT_EQ(Cell(Value::BytesOf(""), ColumnType::kBlob, 2, kBinary), "\"\"");
  EXPECT_EQ(Cell(Value::String("{\"a\": 1}"), ColumnType::kJson, 4), "\"{\\\"a\\\": 1}\"");
  EXPECT_EQ(Cell(Value::String("var1"), ColumnType::kString, 0xf701, kUtf8mb4), "\"var1\"");
}

TEST(TextToUtf8Test, CharacterSets) {
  EXPECT_EQ(TextToUtf8("abc", kUtf8mb4), "abc");
  EXPECT_EQ(TextToUtf8("\xe9", kUtf8mb4), std::nullopt);
  EXPECT_EQ(TextToUtf8("\xe9", kLatin1), "é");
  EXPECT_EQ(TextToUtf8("\xe9", 47), "é");    // latin1_bin
  EXPECT_EQ(TextToUtf8("\x9f", 1071), "Ÿ");  // latin1_nopad_bin (MariaDB)
  // ucs2 and utf16 are big-endian, utf16le little-endian.
  EXPECT_EQ(TextToUtf8(std::string("\x00"
                                   "a\x00\xe9",
                                   4),
                       35),
            "aé");
  EXPECT_EQ(TextToUtf8(std::string("\xd8\x3d\xde\x00", 4), 54), "\xf0\x9f\x98\x80");
  EXPECT_EQ(TextToUtf8(std::string("\xd8\x3d\xde\x00", 4), 35), std::nullopt);  // ucs2: no pairs
  EXPECT_EQ(TextToUtf8(std::string("a\x00", 2), 56), "a");
  EXPECT_EQ(TextToUtf8(std::string("\x00\x01\xf6\x00", 4), 60), "\xf0\x9f\x98\x80");
  EXPECT_EQ(TextToUtf8(std::string("\x00\x11\x00\x00", 4), 60), std::nullopt);
  EXPECT_EQ(TextToUtf8("odd", 54), std::nullopt);
}

TEST(BinlogColumnTypeTest, Names) {
  const binlog::TableMap map = Map({
      {"a", ColumnType::kLong, 0, 0, true},
      {"b", ColumnType::kLongLong},
      {"c", ColumnType::kNewDecimal, (10 << 8) | 2},
      {"d", ColumnType::kVarChar, 80, kUtf8mb4},
      {"e", ColumnType::kVarChar, 4, kBinary},
      {"f", ColumnType::kString, 0xfe10, kUtf8mb4},
      {"g", ColumnType::kString, 0xfe04, kBinary},
      {"h", ColumnType::kBlob, 2, kBinary},
      {"i", ColumnType::kBlob, 4, kUtf8mb4},
      {"j", ColumnType::kBlob, 1, 0},
      {"k", ColumnType::kTime2, 6},
      {"l", ColumnType::kDateTime2, 0},
      {"m", ColumnType::kTimestamp2, 3},
      {"n", ColumnType::kString, 0xf701, kUtf8mb4},
      {"o", ColumnType::kString, 0xf801, kUtf8mb4},
      {"p", ColumnType::kBit, 0x0103},
      {"q", ColumnType::kJson, 4},
      {"r", ColumnType::kDate},
      {"s", ColumnType::kYear},
      // CHAR(300) in utf8mb3 bytes: 900 = 0x384; bits 8-9 XOR-ed into 0x30.
      {"t", ColumnType::kString, static_cast<uint16_t>(((0xfe ^ 0x30) << 8) | 0x84), 33},
  });
  std::vector<std::string> types;
  for (size_t i = 0; i < map.column_count(); ++i) types.push_back(BinlogColumnType(map, i));
  EXPECT_EQ(types,
            (std::vector<std::string>{
                "INT UNSIGNED", "BIGINT",    "DECIMAL(10,2)", "VARCHAR(80)", "VARBINARY(4)",
                "CHAR(16)",     "BINARY(4)", "BLOB",          "LONGTEXT",    "TINYBLOB/TINYTEXT",
                "TIME(6)",      "DATETIME",  "TIMESTAMP(3)",  "ENUM",        "SET",
                "BIT(11)",      "JSON",      "DATE",          "YEAR",        "CHAR(900)"}));
}

TEST(BinlogRowImageJsonTest, NamesOrPositionsAndAbsentColumnsOmitted) {
  const std::vector<Col> cols = {{"id", ColumnType::kLong},
                                 {"name", ColumnType::kVarChar, 80, kUtf8mb4},
                                 {"note", ColumnType::kBlob, 2, kUtf8mb4}};
  binlog::RowImage image;
  image.values = {Value::Int64(1), Value::Null(), Value::Null()};
  image.present = {true, true, false};
  EXPECT_EQ(BinlogRowImageJson(image, Map(cols)), "{\"id\":1,\"name\":null}");
  EXPECT_EQ(BinlogRowImageJson(image, Map(cols, /*names=*/false)), "{\"@1\":1,\"@2\":null}");
  EXPECT_EQ(BinlogColumnKey(Map(cols, false), 2), "@3");
}

// Events -------------------------------------------------------------------

binlog::Event MakeEvent(binlog::EventType type, uint32_t log_pos, auto body) {
  binlog::Event e;
  e.header.type = type;
  e.header.timestamp = 1700000000;
  e.header.server_id = 7;
  e.header.log_pos = log_pos;
  e.body = std::move(body);
  return e;
}

constexpr char kCommon[] = "{\"file\":\"bin.000001\",\"pos\":";

std::string Render(BinlogJsonWriter& writer, const binlog::Event& e, uint64_t end_offset = 999,
                   bool in_payload = false) {
  writer.Observe(e);
  return writer.Render(e, BinlogEventPlace{"bin.000001", end_offset, in_payload});
}

TEST(BinlogJsonWriterTest, ServerEvents) {
  BinlogJsonWriter w;
  binlog::FormatDescription fde;
  fde.server_version = "10.11.6-MariaDB-log";
  fde.checksum = binlog::ChecksumAlgorithm::kCrc32;
  fde.create_timestamp = 5;
  binlog::Event e = MakeEvent(binlog::EventType::kFormatDescription, 256, fde);
  e.header.flags = binlog::kLogEventBinlogInUse;
  EXPECT_EQ(Render(w, e),
            std::string(kCommon) +
                "256,\"type\":\"FORMAT_DESCRIPTION\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"binlog_version\":4,\"server_version\":\"10.11.6-MariaDB-log\",\"checksum\":"
                "\"CRC32\",\"create_timestamp\":5,\"in_use\":true}");

  binlog::RotateEvent rotate;
  rotate.next_file = "bin.000002";
  rotate.position = 4;
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kRotate, 0, rotate), 1234),
            std::string(kCommon) +
                "1234,\"type\":\"ROTATE\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"next_file\":\"bin.000002\",\"position\":4}");

  binlog::QueryEvent query;
  query.thread_id = 12;
  query.schema = "db";
  query.query = "INSERT INTO t VALUES ('a\tb')";
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kQuery, 400, query)),
            std::string(kCommon) +
                "400,\"type\":\"QUERY\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"thread_id\":12,\"exec_time\":0,\"error_code\":0,\"schema\":\"db\","
                "\"query\":\"INSERT INTO t VALUES ('a\\tb')\"}");

  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kXid, 431, binlog::XidEvent{UINT64_MAX})),
            std::string(kCommon) +
                "431,\"type\":\"XID\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"xid\":\"18446744073709551615\"}");

  binlog::AnnotateRowsEvent annotate;
  annotate.query = "insert into t values (1)";
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kMariaAnnotateRows, 500, annotate)),
            std::string(kCommon) +
                "500,\"type\":\"ANNOTATE_ROWS\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"query\":\"insert into t values (1)\"}");

  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kMariaBinlogCheckpoint, 330,
                                binlog::BinlogCheckpointEvent{"bin.000001"})),
            std::string(kCommon) +
                "330,\"type\":\"BINLOG_CHECKPOINT\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"checkpoint_file\":\"bin.000001\"}");
}

TEST(BinlogJsonWriterTest, Gtids) {
  BinlogJsonWriter w;
  binlog::GtidEvent gtid;
  for (size_t i = 0; i < gtid.sid.size(); ++i) gtid.sid[i] = static_cast<uint8_t>(i);
  gtid.tag = "mytag";
  gtid.gno = 3;
  gtid.last_committed = 0;
  gtid.sequence_number = 1;
  gtid.transaction_length = 296;
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kGtidTagged, 328, gtid)),
            std::string(kCommon) +
                "328,\"type\":\"GTID_TAGGED\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"gtid\":\"00010203-0405-0607-0809-0a0b0c0d0e0f:mytag:3\",\"tag\":\"mytag\","
                "\"last_committed\":0,\"sequence_number\":1,\"transaction_length\":296}");

  binlog::MariaGtidEvent maria;
  maria.gtid = {0, 1, 1};
  maria.commit_id = 9;
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kMariaGtid, 372, maria)),
            std::string(kCommon) +
                "372,\"type\":\"MARIADB_GTID\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"gtid\":\"0-1-1\",\"domain_id\":0,\"seq_no\":1,\"standalone\":false,"
                "\"commit_id\":9}");

  binlog::MariaGtidListEvent list;
  list.gtids = {{0, 1, 100}, {1, 2, 5}};
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kMariaGtidList, 285, list)),
            std::string(kCommon) +
                "285,\"type\":\"GTID_LIST\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"set\":\"0-1-100,1-2-5\"}");

  binlog::PreviousGtidsEvent previous;
  previous.entries.push_back({gtid.sid, "", {{1, 5}, {7, 7}}});
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kPreviousGtids, 197, previous)),
            std::string(kCommon) +
                "197,\"type\":\"PREVIOUS_GTIDS\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"set\":\"00010203-0405-0607-0809-0a0b0c0d0e0f:1-5:7\"}");
}

TEST(BinlogJsonWriterTest, SkippedAndUnknownEvents) {
  BinlogJsonWriter w;
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kStop, 3466, std::monostate())),
            std::string(kCommon) +
                "3466,\"type\":\"STOP\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"skipped\":true}");
  EXPECT_EQ(Render(w, MakeEvent(static_cast<binlog::EventType>(200), 10, std::monostate())),
            std::string(kCommon) +
                "10,\"type\":\"UNKNOWN\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"type_code\":200,\"skipped\":true}");
}

TEST(BinlogJsonWriterTest, TableMapAndRows) {
  BinlogJsonWriter w;
  binlog::TableMap map = Map({
      {"id", ColumnType::kLongLong, 0, 0, true, false},
      {"state", ColumnType::kString, 0xf701, kUtf8mb4},
      {"at", ColumnType::kDateTime2, 6},
  });
  map.enum_values[1] = {"new", "done"};
  map.primary_key = {0};
  map.visible[2] = false;
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kTableMap, 612, map)),
            std::string(kCommon) +
                "612,\"type\":\"TABLE_MAP\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"table_id\":42,\"schema\":\"db\",\"table\":\"t\",\"columns\":["
                "{\"name\":\"id\",\"type\":\"BIGINT UNSIGNED\",\"nullable\":false},"
                "{\"name\":\"state\",\"type\":\"ENUM\",\"nullable\":true,\"collation_id\":45,"
                "\"values\":[\"new\",\"done\"]},"
                "{\"name\":\"at\",\"type\":\"DATETIME(6)\",\"nullable\":true,\"visible\":false}],"
                "\"primary_key\":[\"id\"]}");

  auto image = [](Value id, Value state, Value at) {
    binlog::RowImage i;
    i.values = {std::move(id), std::move(state), std::move(at)};
    i.present = {true, true, true};
    return i;
  };
  const mysqlwire::DateTime at{2024, 1, 2, 3, 4, 5, 1};
  binlog::RowsEvent update;
  update.type = binlog::EventType::kUpdateRowsV1;
  update.table_id = 42;
  update.rows.push_back({image(Value::Uint64(UINT64_MAX), Value::String("new"), Value::Null()),
                         image(Value::Uint64(UINT64_MAX), Value::String("done"), Value::Of(at))});
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kUpdateRowsV1, 0, update), 700, true),
            std::string(kCommon) +
                "700,\"type\":\"UPDATE_ROWS_V1\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"in_payload\":true,\"kind\":\"update\",\"table_id\":42,\"schema\":\"db\","
                "\"table\":\"t\",\"rows\":[{\"before\":{\"id\":\"18446744073709551615\","
                "\"state\":\"new\",\"at\":null},\"after\":{\"id\":\"18446744073709551615\","
                "\"state\":\"done\",\"at\":\"2024-01-02 03:04:05.000001\"}}]}");

  binlog::RowsEvent insert;
  insert.type = binlog::EventType::kWriteRowsV2;
  insert.table_id = 42;
  insert.rows.push_back({std::nullopt, image(Value::Uint64(1), Value::String(""), Value::Null())});
  insert.rows.back().after->present[2] = false;
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kMariaWriteRowsCompressed, 800, insert)),
            std::string(kCommon) +
                "800,\"type\":\"WRITE_ROWS_COMPRESSED\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"kind\":\"insert\",\"table_id\":42,\"schema\":\"db\",\"table\":\"t\","
                "\"rows\":[{\"after\":{\"id\":1,\"state\":\"\"}}]}");

  binlog::RowsEvent del;
  del.type = binlog::EventType::kDeleteRowsV2;
  del.table_id = 42;
  del.rows.push_back({image(Value::Uint64(2), Value::Null(), Value::Null()), std::nullopt});
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kDeleteRowsV2, 900, del)),
            std::string(kCommon) +
                "900,\"type\":\"DELETE_ROWS\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"kind\":\"delete\",\"table_id\":42,\"schema\":\"db\",\"table\":\"t\","
                "\"rows\":[{\"before\":{\"id\":2,\"state\":null,\"at\":null}}]}");

  // A partial JSON update whose diff could not be applied.
  binlog::RowsEvent partial;
  partial.type = binlog::EventType::kPartialUpdateRows;
  partial.table_id = 42;
  binlog::RowImage before = image(Value::Uint64(3), Value::Null(), Value::Null());
  before.present = {true, false, false};
  binlog::RowImage after = before;
  after.unapplied_json_diffs.emplace_back(1, std::string("\x00\x01", 2));
  partial.rows.push_back({before, after});
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kPartialUpdateRows, 950, partial)),
            std::string(kCommon) +
                "950,\"type\":\"PARTIAL_UPDATE_ROWS\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"kind\":\"update\",\"table_id\":42,\"schema\":\"db\",\"table\":\"t\","
                "\"rows\":[{\"before\":{\"id\":3},\"after\":{\"id\":3},"
                "\"json_diffs\":{\"state\":\"AAE=\"}}]}");
}

TEST(BinlogJsonWriterTest, FormatDescriptionForgetsTables) {
  BinlogJsonWriter w;
  binlog::TableMap map = Map({{"id", ColumnType::kLong}});
  Render(w, MakeEvent(binlog::EventType::kTableMap, 100, map));
  Render(w, MakeEvent(binlog::EventType::kFormatDescription, 200, binlog::FormatDescription()));
  binlog::RowsEvent insert;
  insert.type = binlog::EventType::kWriteRowsV2;
  insert.table_id = 42;
  EXPECT_EQ(Render(w, MakeEvent(binlog::EventType::kWriteRowsV2, 300, insert)),
            std::string(kCommon) +
                "300,\"type\":\"WRITE_ROWS\",\"server_id\":7,\"timestamp\":1700000000,"
                "\"kind\":\"insert\",\"table_id\":42,\"rows\":null}");
}

TEST(BinlogJsonWriterTest, UserVarsIntvarRand) {
  BinlogJsonWriter w;
  auto var = [&](binlog::UserVarType type, std::string raw, uint32_t charset = 0, uint8_t flags = 0,
                 bool is_null = false) {
    binlog::UserVarEvent e;
    e.name = "v";
    e.type = type;
    e.value = std::move(raw);
    e.charset = charset;
    e.flags = flags;
    e.is_null = is_null;
    const std::string json = Render(w, MakeEvent(binlog::EventType::kUserVar, 1, e));
    return json.substr(json.find("\"name\""));
  };
  EXPECT_EQ(var(binlog::UserVarType::kString, "", 0, 0, true), "\"name\":\"v\",\"value\":null}");
  EXPECT_EQ(var(binlog::UserVarType::kString, "caf\xe9", kLatin1),
            "\"name\":\"v\",\"value\":\"café\"}");
  EXPECT_EQ(var(binlog::UserVarType::kString, "ab", kBinary), "\"name\":\"v\",\"value\":\"YWI=\"}");
  EXPECT_EQ(var(binlog::UserVarType::kInt, std::string("\xfe\xff\xff\xff\xff\xff\xff\xff", 8)),
            "\"name\":\"v\",\"value\":-2}");
  EXPECT_EQ(var(binlog::UserVarType::kInt, std::string(8, '\xff'), 0, binlog::kUserVarUnsigned),
            "\"name\":\"v\",\"value\":\"18446744073709551615\"}");
  EXPECT_EQ(var(binlog::UserVarType::kReal, std::string("\x00\x00\x00\x00\x00\x00\x04\x40", 8)),
            "\"name\":\"v\",\"value\":2.5}");
  // DECIMAL(4,2) 12.34: precision, scale, then the binary decimal.
  EXPECT_EQ(var(binlog::UserVarType::kDecimal, std::string("\x04\x02\x8c\x22", 4)),
            "\"name\":\"v\",\"value\":\"12.34\"}");

  binlog::IntvarEvent intvar{binlog::IntvarType::kInsertId, 10};
  const std::string i = Render(w, MakeEvent(binlog::EventType::kIntvar, 1, intvar));
  EXPECT_NE(i.find("\"intvar\":\"INSERT_ID\",\"value\":10}"), std::string::npos) << i;
  const std::string r = Render(w, MakeEvent(binlog::EventType::kRand, 1, binlog::RandEvent{1, 2}));
  EXPECT_NE(r.find("\"seed1\":1,\"seed2\":2}"), std::string::npos) << r;
}

}  // namespace
}  // namespace mysqlgw::client::cli
