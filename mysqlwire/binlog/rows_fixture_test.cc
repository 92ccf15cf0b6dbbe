// Decodes every TABLE_MAP and rows event of the recorded MySQL and MariaDB
// binlogs in @shared_fixtures//:binlog, and checks the values that can be
// read back unambiguously (cross-checked with mariadb-binlog -vv where that
// tool reads the file).
#include <zstd.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "mysqlwire/binlog/json_diff.h"
#include "mysqlwire/binlog/rows_event.h"
#include "mysqlwire/binlog/table_map.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlwire::binlog {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

constexpr size_t kHeaderLen = 19;

std::string ReadFixture(const std::string& name) {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  EXPECT_NE(runfiles, nullptr) << error;
  if (runfiles == nullptr) return "";
  const std::string path =
      runfiles->Rlocation(absl::StrCat("shared_fixtures/binlog/", name));
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

uint32_t Le32(absl::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}

// What the test keeps of each rows event, in file order.
struct DecodedRows {
  std::string table;  // "schema.table"
  RowsEvent event;
};

struct DecodedFile {
  std::string server_version;
  std::vector<TableMap> table_maps;
  std::vector<DecodedRows> rows_events;
  size_t payload_events = 0;  // TRANSACTION_PAYLOAD events opened
  size_t row_count() const {
    size_t n = 0;
    for (const DecodedRows& r : rows_events) n += r.event.rows.size();
    return n;
  }
};

// A tiny binlog walker, enough for the fixtures:
//   4-byte magic \xfe bin, then events of a 19-byte header (type at offset 4,
//   event size at offset 9) and a body. The FORMAT_DESCRIPTION gives the
//   post-header length of each type and, on servers that have checksums
//   (MySQL 5.6.1+, MariaDB 5.3+), the algorithm in the byte before its own
//   4-byte CRC; with CRC32 every later event ends in 4 CRC bytes.
//   TRANSACTION_PAYLOAD (40) events hold further events (without CRCs),
//   zstd-compressed.
class Walker {
 public:
  DecodedFile Walk(absl::string_view file) {
    if (!absl::StartsWith(file, "\xfe" "bin")) {
      ADD_FAILURE() << "no binlog magic";
      return {};
    }
    Events(file.substr(4), /*in_payload=*/false);
    return std::move(out_);
  }

 private:
  static bool HasChecksumFooter(absl::string_view version) {
    std::vector<absl::string_view> parts =
        absl::StrSplit(version.substr(0, version.find('-')), '.');
    int v[3] = {0, 0, 0};
    for (size_t i = 0; i < 3 && i < parts.size(); ++i) {
      if (!absl::SimpleAtoi(parts[i], &v[i])) return false;
    }
    if (absl::StrContains(version, "MariaDB")) return v[0] > 5 || v[1] >= 3;
    return v[0] > 5 || (v[0] == 5 && (v[1] > 6 || (v[1] == 6 && v[2] >= 1)));
  }

  void Events(absl::string_view data, bool in_payload) {
    size_t pos = 0;
    while (pos < data.size()) {
      ASSERT_GE(data.size() - pos, kHeaderLen) << "partial header at " << pos;
      const uint8_t type = static_cast<uint8_t>(data[pos + 4]);
      const uint32_t size = Le32(data, pos + 9);
      ASSERT_GE(size, kHeaderLen);
      ASSERT_LE(size, data.size() - pos) << "event past the end at " << pos;
      absl::string_view body = data.substr(pos + kHeaderLen, size - kHeaderLen);
      pos += size;
      if (type == static_cast<uint8_t>(EventType::kFormatDescription)) {
        FormatDescription(body);
        continue;
      }
      if (checksum_ && !in_payload) {
        ASSERT_GE(body.size(), 4u);
        body.remove_suffix(4);
      }
      Event(static_cast<EventType>(type), body);
    }
  }

  //   int<2> binlog version, string<50> server version, int<4> timestamp,
  //   int<1> header length, post-header lengths of types 1..n,
  //   [int<1> checksum algorithm, int<4> CRC]
  void FormatDescription(absl::string_view body) {
    ASSERT_GE(body.size(), 57u);
    out_.server_version = std::string(body.substr(2, 50));
    out_.server_version.resize(out_.server_version.find('\0'));
    post_header_lengths_ = std::string(body.substr(57));
    checksum_ = false;
    if (HasChecksumFooter(out_.server_version)) {
      ASSERT_GE(post_header_lengths_.size(), 5u);
      checksum_ = post_header_lengths_[post_header_lengths_.size() - 5] == 1;
      post_header_lengths_.resize(post_header_lengths_.size() - 5);
    }
  }

  uint8_t PostHeaderLength(EventType type) {
    const size_t i = static_cast<uint8_t>(type) - 1;
    EXPECT_LT(i, post_header_lengths_.size());
    return i < post_header_lengths_.size()
               ? static_cast<uint8_t>(post_header_lengths_[i])
               : 0;
  }

  void Event(EventType type, absl::string_view body) {
    if (type == EventType::kTableMap) {
      absl::StatusOr<TableMap> map =
          ParseTableMap(body, PostHeaderLength(type));
      ASSERT_TRUE(map.ok()) << map.status();
      maps_[map->table_id] = *map;
      out_.table_maps.push_back(*std::move(map));
      return;
    }
    if (type == EventType::kTransactionPayload) {
      Payload(body);
      return;
    }
    if (!IsRowsEventType(type)) return;
    const uint8_t phl = PostHeaderLength(type);
    absl::StatusOr<uint64_t> id = RowsEventTableId(body, phl);
    ASSERT_TRUE(id.ok()) << id.status();
    auto it = maps_.find(*id);
    ASSERT_NE(it, maps_.end()) << "no TABLE_MAP for table id " << *id;
    absl::StatusOr<RowsEvent> event = ParseRowsEvent(type, body, phl, it->second);
    ASSERT_TRUE(event.ok()) << event.status();
    out_.rows_events.push_back(
        {absl::StrCat(it->second.schema, ".", it->second.table),
         *std::move(event)});
  }

  // TRANSACTION_PAYLOAD body: fields of int<lenenc> type, int<lenenc>
  // length, value (itself an int<lenenc>) until type 0 (no length), then the
  // payload. Types: 1 payload size, 2 compression (0 = zstd), 3 uncompressed
  // size.
  void Payload(absl::string_view body) {
    WireReader r(body);
    uint64_t compression = 255;
    uint64_t uncompressed_size = 0;
    for (uint64_t field = r.Lenenc(); r.ok() && field != 0; field = r.Lenenc()) {
      WireReader value(r.Bytes(r.Lenenc()));
      const uint64_t v = value.Lenenc();
      if (field == 2) compression = v;
      if (field == 3) uncompressed_size = v;
    }
    const absl::string_view payload = r.Rest();
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(compression, 0u) << "zstd expected";
    std::string events(uncompressed_size, '\0');
    const size_t n = ZSTD_decompress(events.data(), events.size(),
                                     payload.data(), payload.size());
    ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
    ASSERT_EQ(n, uncompressed_size);
    ++out_.payload_events;
    Events(events, /*in_payload=*/true);
  }

  DecodedFile out_;
  std::string post_header_lengths_;
  bool checksum_ = false;
  std::map<uint64_t, TableMap> maps_;
};

DecodedFile Decode(const std::string& name) {
  SCOPED_TRACE(name);
  return Walker().Walk(ReadFixture(name));
}

const RowImage& After(const DecodedFile& f, size_t event, size_t row = 0) {
  return *f.rows_events.at(event).event.rows.at(row).after;
}
const RowImage& Before(const DecodedFile& f, size_t event, size_t row = 0) {
  return *f.rows_events.at(event).event.rows.at(row).before;
}

DateTime Dt(uint16_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi,
            uint8_t s) {
  return DateTime{y, mo, d, h, mi, s, 0};
}

TEST(RowsFixtureTest, EveryFileDecodes) {
  // {file, TABLE_MAP events, rows events, rows}
  struct Expect {
    const char* file;
    size_t maps;
    size_t events;
    size_t rows;
  };
  const Expect kFiles[] = {
      {"binlog-invisible-columns.000001", 3, 3, 3},
      {"binlog_56_gtid_reserved_word.000001", 1, 1, 1},
      {"binlog_transaction_with_GTID_TAG.000001", 1, 1, 1},
      {"json-opaque.binlog", 8, 8, 8},
      {"json.binlog.000001", 6, 6, 18},
      {"mariadb-bin.000001", 2, 2, 2},
      {"minimal_row_metadata.000001", 1, 1, 1},
      {"mysql-bin.checksum-crc32", 60, 60, 63},
      {"mysql-bin.compressed", 1, 1, 1},
      {"mysql-enum-string-set.000001", 3, 3, 3},
      {"mysql_type_bit.000001", 1, 1, 1},
      {"time_issue.000001", 1, 1, 1},
      {"transaction_compression.000001", 1, 1, 1},
      {"update-full-row.binlog", 2, 4, 7},
      {"vector.binlog", 6, 6, 10},
      {"write-partial-row.binlog", 2, 4, 7},
  };
  for (const Expect& e : kFiles) {
    SCOPED_TRACE(e.file);
    const DecodedFile f = Decode(e.file);
    EXPECT_EQ(f.table_maps.size(), e.maps);
    EXPECT_EQ(f.rows_events.size(), e.events);
    EXPECT_EQ(f.row_count(), e.rows);
  }
}

TEST(RowsFixtureTest, EnumAndSetStrings) {
  const DecodedFile f = Decode("mysql-enum-string-set.000001");
  ASSERT_EQ(f.rows_events.size(), 3u);
  const std::string digits = "0123456789";
  std::string hundred;
  for (int i = 0; i < 10; ++i) hundred += digits;
  const RowImage& insert = After(f, 0);
  EXPECT_EQ(f.rows_events[0].event.type, EventType::kWriteRowsV2);
  EXPECT_EQ(insert.values[0], Value::String(hundred));
  EXPECT_EQ(insert.values[2], Value::String("var1"));
  EXPECT_EQ(insert.values[3], Value::String("one,three"));
  EXPECT_EQ(insert.values[4], Value::String(digits));
  EXPECT_EQ(f.rows_events[1].event.type, EventType::kUpdateRowsV2);
  EXPECT_EQ(Before(f, 1).values, insert.values);
  EXPECT_EQ(After(f, 1).values[0], Value::String("field1"));
  EXPECT_EQ(After(f, 1).values[1], Value::String("field_2"));
  EXPECT_EQ(After(f, 1).values[2], Value::String("variant2"));
  EXPECT_EQ(After(f, 1).values[3], Value::String("two,four"));
  EXPECT_EQ(f.rows_events[2].event.type, EventType::kDeleteRowsV2);
  EXPECT_EQ(Before(f, 2).values, After(f, 1).values);
  EXPECT_EQ(f.table_maps[0].column_names,
            (std::vector<std::string>{"f1", "f2", "f3", "f4", "f5"}));
}

TEST(RowsFixtureTest, BitColumns) {
  const DecodedFile f = Decode("mysql_type_bit.000001");
  ASSERT_EQ(f.rows_events.size(), 1u);
  EXPECT_EQ(After(f, 0).values,
            (std::vector<Value>{Value::Uint64(0b100), Value::String("foo"),
                                Value::Uint64(0b00100000)}));
}

TEST(RowsFixtureTest, TimeBeyond24Hours) {
  const DecodedFile f = Decode("time_issue.000001");
  ASSERT_EQ(f.rows_events.size(), 1u);
  EXPECT_EQ(f.table_maps[0].types[0], ColumnType::kTime2);
  EXPECT_EQ(After(f, 0).values[0], Value::Of(Time{true, 507, 48, 27, 0}));
}

TEST(RowsFixtureTest, MySql57DecimalTimestampBlob) {
  const DecodedFile f = Decode("mysql-bin.checksum-crc32");
  EXPECT_EQ(f.server_version, "5.7.21-log");
  // No optional metadata before MySQL 8.0: strings are bytes of unknown
  // charset, integers decode as signed.
  const RowImage& folder = After(f, 0);
  EXPECT_EQ(f.rows_events[0].table, "simu_file_dev.folder");
  EXPECT_EQ(folder.values[0], Value::Int64(12300113));
  EXPECT_EQ(folder.values[1], Value::BytesOf("test2"));
  EXPECT_EQ(folder.values[2], Value::BytesOf("/"));
  EXPECT_EQ(folder.values[4], Value::Of(Dt(2018, 5, 4, 8, 31, 59)));
  EXPECT_EQ(folder.values[11], Value::Int64(12200009));
  bool saw_decimal = false;
  bool saw_blob = false;
  bool saw_nulls = false;
  for (const DecodedRows& r : f.rows_events) {
    if (r.table == "menkor_dev.fund_account") {
      const RowImage& a = *r.event.rows[0].after;
      EXPECT_EQ(a.values[1], Value::DecimalText("0.00"));
      EXPECT_EQ(a.values[12], Value::DecimalText("0.00"));
      EXPECT_EQ(a.values[7], Value::BytesOf("CNY"));
      EXPECT_EQ(a.values[8], Value::BytesOf("yan\xe9\x97\xab\xe5\xba\x86\xe5\xba\x86"));
      saw_decimal = true;
    }
    if (r.table == "simu_affair_dev.role_operation") {
      const RowImage& a = *r.event.rows[0].after;
      EXPECT_TRUE(absl::StartsWith(a.values[3].as_bytes(), "zxff zxff "));
      EXPECT_EQ(a.values[6], Value::Of(Dt(2018, 5, 4, 11, 35, 51)));
      saw_blob = true;
    }
    if (r.table == "simu_affair_dev.role") {
      const RowImage& a = *r.event.rows[0].after;
      EXPECT_EQ(a.values[4], Value::BytesOf("yan"));
      EXPECT_EQ(a.values[14], Value::BytesOf("[]"));
      EXPECT_EQ(a.values[15], Value::Null());  // VARCHAR NULL
      EXPECT_EQ(a.values[17], Value::Null());  // TEXT NULL
      EXPECT_TRUE(a.present[17]);
      saw_nulls = true;
    }
  }
  EXPECT_TRUE(saw_decimal);
  EXPECT_TRUE(saw_blob);
  EXPECT_TRUE(saw_nulls);
}

TEST(RowsFixtureTest, FullRowImagesOfMySql51) {
  const DecodedFile f = Decode("update-full-row.binlog");
  ASSERT_EQ(f.rows_events.size(), 4u);
  // One WRITE event of ndb_apply_status, one of test.ba with four rows...
  EXPECT_EQ(f.rows_events[0].table, "mysql.ndb_apply_status");
  EXPECT_EQ(After(f, 0).values,
            (std::vector<Value>{Value::Int64(4), Value::Int64(25769803786),
                                Value::BytesOf(""), Value::Int64(0),
                                Value::Int64(0)}));
  // ... then an UPDATE and a DELETE of test.ba (rows 5 and 6 of 7).
  size_t seen = 0;
  for (const DecodedRows& r : f.rows_events) {
    for (const RowChange& c : r.event.rows) {
      ++seen;
      if (r.event.type == EventType::kUpdateRowsV1) {
        EXPECT_EQ(c.before->values,
                  (std::vector<Value>{Value::Int64(4), Value::Int64(4),
                                      Value::Int64(4)}));
        EXPECT_EQ(c.after->values,
                  (std::vector<Value>{Value::Int64(4), Value::Int64(4),
                                      Value::Int64(40)}));
      }
      if (r.event.type == EventType::kDeleteRowsV1) {
        EXPECT_EQ(c.before->present, (std::vector<bool>{true, false, false}));
        EXPECT_EQ(c.before->values[0], Value::Int64(2));
      }
    }
  }
  EXPECT_EQ(seen, 7u);
}

TEST(RowsFixtureTest, PartialRowImagesOfMySql51) {
  const DecodedFile f = Decode("write-partial-row.binlog");
  bool saw_partial = false;
  for (const DecodedRows& r : f.rows_events) {
    for (const RowChange& c : r.event.rows) {
      if (c.after.has_value() &&
          c.after->present == std::vector<bool>{true, false, true}) {
        EXPECT_EQ(c.after->values,
                  (std::vector<Value>{Value::Int64(4), Value::Null(),
                                      Value::Int64(40)}));
        saw_partial = true;
      }
    }
  }
  EXPECT_TRUE(saw_partial);
}

TEST(RowsFixtureTest, InvisibleColumns) {
  const DecodedFile f = Decode("binlog-invisible-columns.000001");
  const TableMap& map = f.table_maps[0];
  EXPECT_EQ(map.column_names, (std::vector<std::string>{"f1", "f2", "f3", "f4",
                                                        "f5", "f6"}));
  EXPECT_EQ(map.visible,
            (std::vector<bool>{false, false, true, true, true, false}));
  EXPECT_EQ(After(f, 0).values,
            (std::vector<Value>{Value::Uint64(1), Value::Uint64(2),
                                Value::Int64(-3), Value::String("4"),
                                Value::BytesOf("\x05"),
                                Value::Uint64(6000000000)}));
  EXPECT_EQ(After(f, 2).values[2], Value::Int64(-333));
}

TEST(RowsFixtureTest, MinimalMetadataHasNoNames) {
  const DecodedFile f = Decode("minimal_row_metadata.000001");
  EXPECT_FALSE(f.table_maps[0].has_names());
  const RowImage& a = After(f, 0);
  EXPECT_EQ(a.present, (std::vector<bool>{true, false, true, false, true}));
  EXPECT_EQ(a.values, (std::vector<Value>{Value::Int64(1), Value::Null(),
                                          Value::String("a"), Value::Null(),
                                          Value::Uint64(3230202323u)}));
}

TEST(RowsFixtureTest, VectorsAndPrimaryKey) {
  const DecodedFile f = Decode("vector.binlog");
  const TableMap& foo = f.table_maps[0];
  EXPECT_EQ(foo.table, "foo");
  EXPECT_EQ(foo.primary_key, (std::vector<uint32_t>{0}));
  EXPECT_EQ(foo.vector_dimensions, (std::vector<uint32_t>{0, 3}));
  // [1.1, 2.2, 3.3] and [1, -1, 0] as float32.
  EXPECT_EQ(After(f, 0, 0).values[1],
            Value::BytesOf(absl::HexStringToBytes("cdcc8c3fcdcc0c4033335340")));
  EXPECT_EQ(After(f, 0, 1).values[1],
            Value::BytesOf(absl::HexStringToBytes("0000803f000080bf00000000")));
  EXPECT_EQ(After(f, 0, 1).values[0], Value::Uint64(2));
  const RowImage& bar = After(f, 1, 1);
  EXPECT_EQ(bar.values[2], Value::String("bar"));
  EXPECT_EQ(bar.values[3].as_bytes().size(), 16u);
}

TEST(RowsFixtureTest, MariaDbFullMetadata) {
  const DecodedFile f = Decode("mariadb-bin.000001");
  EXPECT_TRUE(absl::StrContains(f.server_version, "MariaDB"));
  const TableMap& map = f.table_maps[0];
  EXPECT_EQ(map.column_names,
            (std::vector<std::string>{"id", "topic", "event_type", "event",
                                      "created"}));
  EXPECT_EQ(map.enum_values[2],
            (std::vector<std::string>{"BLOB", "JSON", "PROTOBUF"}));
  EXPECT_EQ(f.rows_events[0].event.type, EventType::kWriteRowsV1);
  EXPECT_EQ(After(f, 0).values,
            (std::vector<Value>{Value::Int64(62), Value::String("foo"),
                                Value::String("JSON"),
                                Value::BytesOf("{\"foo\":1}"),
                                Value::Of(Dt(2022, 4, 20, 22, 18, 4))}));
  EXPECT_EQ(After(f, 1).values[0], Value::Int64(63));
  EXPECT_EQ(After(f, 1).values[4], Value::Of(Dt(2022, 4, 20, 22, 19, 55)));
}

TEST(RowsFixtureTest, JsonDocumentsAndPartialUpdates) {
  const DecodedFile f = Decode("json.binlog.000001");
  ASSERT_EQ(f.rows_events.size(), 6u);
  EXPECT_EQ(After(f, 0).values,
            (std::vector<Value>{
                Value::Int64(1),
                Value::String(
                    R"({"age": 24, "data": "xxxxxxxxxx", "name": "Joe"})"),
                Value::String("Joe"), Value::Int64(24)}));
  // The full-image UPDATE, then a PARTIAL_UPDATE_ROWS of six rows under
  // binlog_row_image=MINIMAL: the before images hold only `id`, so the JSON
  // diffs stay unapplied; applied to the documents of the UPDATE they give
  // the new ages.
  const RowsEvent& update = f.rows_events[4].event;
  const RowsEvent& partial = f.rows_events[5].event;
  EXPECT_EQ(update.type, EventType::kUpdateRowsV2);
  ASSERT_EQ(partial.type, EventType::kPartialUpdateRows);
  ASSERT_EQ(partial.rows.size(), 6u);
  ASSERT_EQ(update.rows.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    const RowImage& after = *partial.rows[i].after;
    EXPECT_FALSE(after.present[1]);
    ASSERT_EQ(after.unapplied_json_diffs.size(), 1u);
    EXPECT_EQ(after.unapplied_json_diffs[0].first, 1u);
    const Value& old_doc = update.rows[i].after->values[1];
    absl::StatusOr<std::string> doc = ApplyJsonDiffs(
        old_doc.as_string(), after.unapplied_json_diffs[0].second);
    ASSERT_TRUE(doc.ok()) << doc.status();
    const int64_t age = after.values[3].as_int64();
    EXPECT_TRUE(absl::StrContains(*doc, absl::StrCat("\"age\": ", age)))
        << *doc;
  }
}

TEST(RowsFixtureTest, JsonOpaqueValues) {
  const DecodedFile f = Decode("json-opaque.binlog");
  ASSERT_EQ(f.rows_events.size(), 8u);
  EXPECT_EQ(After(f, 1).values[0], Value::String(R"({"b": "2012-03-18"})"));
  EXPECT_EQ(After(f, 4).values[0], Value::String(R"({"d": 123.456})"));
  EXPECT_EQ(After(f, 5).values[0], Value::String(R"({"e": 9.00})"));
}

TEST(RowsFixtureTest, OlderAndNewerMySql) {
  const DecodedFile f56 = Decode("binlog_56_gtid_reserved_word.000001");
  EXPECT_EQ(f56.rows_events[0].table, "test.GENERATED");
  EXPECT_EQ(After(f56, 0).values[0], Value::Int64(65));
  const DecodedFile f96 = Decode("binlog_transaction_with_GTID_TAG.000001");
  EXPECT_EQ(f96.rows_events[0].table, "test.orders");
  EXPECT_EQ(After(f96, 0).values[2], Value::DecimalText("250.00"));
}

TEST(RowsFixtureTest, RowsInsideCompressedTransactions) {
  for (const char* name :
       {"transaction_compression.000001", "mysql-bin.compressed"}) {
    SCOPED_TRACE(name);
    const DecodedFile f = Decode(name);
    EXPECT_EQ(f.payload_events, 1u);
    ASSERT_EQ(f.rows_events.size(), 1u);
    EXPECT_FALSE(f.rows_events[0].event.rows.empty());
  }
}

}  // namespace
}  // namespace mysqlwire::binlog
