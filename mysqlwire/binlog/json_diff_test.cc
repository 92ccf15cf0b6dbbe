#include "mysqlwire/binlog/json_diff.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/binlog/json_binary.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlwire::binlog {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

constexpr uint8_t kReplace = 0;
constexpr uint8_t kInsert = 1;
constexpr uint8_t kRemove = 2;

std::string Hex(absl::string_view hex) {
  std::string digits;
  for (char c : hex) {
    if (c != ' ') digits.push_back(c);
  }
  std::string bytes;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    bytes.push_back(static_cast<char>(
        std::stoi(std::string(digits.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

// int<lenenc> as MySQL's net_store_length() writes it.
std::string Lenenc(uint64_t n) {
  if (n < 251) return std::string(1, static_cast<char>(n));
  std::string out;
  int width = 8;
  if (n < 0x10000) {
    out.push_back(static_cast<char>(0xfc));
    width = 2;
  } else if (n < 0x1000000) {
    out.push_back(static_cast<char>(0xfd));
    width = 3;
  } else {
    out.push_back(static_cast<char>(0xfe));
  }
  for (int i = 0; i < width; ++i) {
    out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  return out;
}

// One diff as Json_diff::write_binary() lays it out.
std::string Diff(uint8_t operation, absl::string_view path,
                 absl::string_view value = "") {
  std::string out(1, static_cast<char>(operation));
  absl::StrAppend(&out, Lenenc(path.size()), path);
  if (operation != kRemove) absl::StrAppend(&out, Lenenc(value.size()), value);
  return out;
}

// Binary JSON values for the diffs.
const std::string kInt5 = Hex("05 0500");
const std::string kTrue = Hex("04 01");
const std::string kStringY = Hex("0c 01 79");
const std::string kDecimal900 = Hex("0f f6 07 0b028000000900");
// {"n": null}
const std::string kObjectNNull = Hex("00 0100 0c00 0b00 0100 04 0000 6e");

const char kDoc[] = R"({"a": 1, "b": [true, null, "x"]})";

std::string Apply(absl::string_view before, absl::string_view diffs) {
  absl::StatusOr<std::string> after = ApplyJsonDiffs(before, diffs);
  EXPECT_TRUE(after.ok()) << after.status();
  return after.ok() ? *after : "<error>";
}

absl::StatusCode ApplyCode(absl::string_view before, absl::string_view diffs) {
  return ApplyJsonDiffs(before, diffs).status().code();
}

TEST(JsonDiffTest, ReplaceAtKeysAndIndexes) {
  EXPECT_EQ(Apply(kDoc, Diff(kReplace, "$.a", kInt5)),
            R"({"a": 5, "b": [true, null, "x"]})");
  EXPECT_EQ(Apply(kDoc, Diff(kReplace, "$.b[1]", kStringY)),
            R"({"a": 1, "b": [true, "y", "x"]})");
  EXPECT_EQ(Apply(kDoc, Diff(kReplace, "$.b[last]", kDecimal900)),
            R"({"a": 1, "b": [true, null, 9.00]})");
  EXPECT_EQ(Apply(kDoc, Diff(kReplace, "$.b[last-2]", kObjectNNull)),
            R"({"a": 1, "b": [{"n": null}, null, "x"]})");
  EXPECT_EQ(Apply(kDoc, Diff(kReplace, "$.b", kTrue)),
            R"({"a": 1, "b": true})");
}

TEST(JsonDiffTest, InsertKeysInMysqlOrder) {
  // Keys are ordered by length, then bytewise.
  const std::string before = R"({"b": 1, "aaa": 2})";
  EXPECT_EQ(Apply(before, Diff(kInsert, "$.a", kInt5)),
            R"({"a": 5, "b": 1, "aaa": 2})");
  EXPECT_EQ(Apply(before, Diff(kInsert, "$.c", kInt5)),
            R"({"b": 1, "c": 5, "aaa": 2})");
  EXPECT_EQ(Apply(before, Diff(kInsert, "$.zz", kInt5)),
            R"({"b": 1, "zz": 5, "aaa": 2})");
  EXPECT_EQ(Apply(before, Diff(kInsert, "$.abcd", kInt5)),
            R"({"b": 1, "aaa": 2, "abcd": 5})");
  // Bytes compare unsigned: "é" (c3 a9) sorts after "zz".
  EXPECT_EQ(Apply(R"({"b": 1, "zz": 2, "aaa": 3})",
                  Diff(kInsert, "$.\"\xc3\xa9\"", kInt5)),
            "{\"b\": 1, \"zz\": 2, \"\xc3\xa9\": 5, \"aaa\": 3}");
  EXPECT_EQ(Apply("{}", Diff(kInsert, "$.k", kObjectNNull)),
            R"({"k": {"n": null}})");
}

TEST(JsonDiffTest, InsertIntoArrays) {
  const std::string before = "[1, 2, 3]";
  EXPECT_EQ(Apply(before, Diff(kInsert, "$[0]", kTrue)), "[true, 1, 2, 3]");
  EXPECT_EQ(Apply(before, Diff(kInsert, "$[1]", kTrue)), "[1, true, 2, 3]");
  // At or past the end appends ($[last+1] semantics).
  EXPECT_EQ(Apply(before, Diff(kInsert, "$[3]", kTrue)), "[1, 2, 3, true]");
  EXPECT_EQ(Apply(before, Diff(kInsert, "$[100]", kTrue)), "[1, 2, 3, true]");
  // [last] names the last element, so the new one goes before it, as
  // JSON_ARRAY_INSERT('[1,2,3]', '$[last]', true) does.
  EXPECT_EQ(Apply(before, Diff(kInsert, "$[last]", kTrue)), "[1, 2, true, 3]");
  EXPECT_EQ(Apply(before, Diff(kInsert, "$[last-9]", kTrue)),
            "[true, 1, 2, 3]");
  EXPECT_EQ(Apply("[]", Diff(kInsert, "$[0]", kStringY)), R"(["y"])");
  EXPECT_EQ(Apply(kDoc, Diff(kInsert, "$.b[3]", kInt5)),
            R"({"a": 1, "b": [true, null, "x", 5]})");
}

TEST(JsonDiffTest, Remove) {
  EXPECT_EQ(Apply(kDoc, Diff(kRemove, "$.a")), R"({"b": [true, null, "x"]})");
  EXPECT_EQ(Apply(kDoc, Diff(kRemove, "$.b[0]")),
            R"({"a": 1, "b": [null, "x"]})");
  EXPECT_EQ(Apply(kDoc, Diff(kRemove, "$.b[last]")),
            R"({"a": 1, "b": [true, null]})");
  EXPECT_EQ(Apply(R"({"only": 1})", Diff(kRemove, "$.only")), "{}");
}

TEST(JsonDiffTest, PathSyntax) {
  const std::string before =
      "{\"a\": {\"b\": [{\"key with space\": 1, \"q\\\"uote\": 2, "
      "\"\xe6\x97\xa5\": 3}]}}";
  EXPECT_EQ(
      Apply(before, Diff(kReplace, R"($.a.b[0]."key with space")", kInt5)),
      "{\"a\": {\"b\": [{\"key with space\": 5, \"q\\\"uote\": 2, "
      "\"\xe6\x97\xa5\": 3}]}}");
  EXPECT_EQ(Apply(before, Diff(kReplace, R"($.a.b[0]."q\"uote")", kInt5)),
            "{\"a\": {\"b\": [{\"key with space\": 1, \"q\\\"uote\": 5, "
            "\"\xe6\x97\xa5\": 3}]}}");
  // Unicode key both unquoted and as a \u escape; whitespace between legs.
  EXPECT_EQ(Apply(before, Diff(kRemove, "$.a.b[0].\xe6\x97\xa5")),
            R"({"a": {"b": [{"key with space": 1, "q\"uote": 2}]}})");
  EXPECT_EQ(Apply(before, Diff(kRemove, R"($ .a .b[ 0 ]."\u65e5")")),
            R"({"a": {"b": [{"key with space": 1, "q\"uote": 2}]}})");
  // A 300-byte key needs a 3-byte path length (0xfc + 2 bytes).
  const std::string long_key(300, 'k');
  EXPECT_EQ(Apply("{}", Diff(kInsert, "$." + long_key, kTrue)),
            "{\"" + long_key + "\": true}");
}

TEST(JsonDiffTest, SeveralDiffsApplyInOrder) {
  const std::string diffs =
      Diff(kReplace, "$.a", kInt5) + Diff(kInsert, "$.c", kObjectNNull) +
      Diff(kInsert, "$.c.m", kTrue) + Diff(kRemove, "$.b[1]") +
      Diff(kInsert, "$.b[9]", kDecimal900);
  EXPECT_EQ(Apply(kDoc, diffs),
            R"({"a": 5, "b": [true, "x", 9.00], "c": {"m": true, "n": null}})");
  EXPECT_EQ(Apply(kDoc, ""), kDoc);
}

TEST(JsonDiffTest, BeforeTextIsCanonicalized) {
  EXPECT_EQ(Apply(" { \"a\" :1 ,\"b\":[ 1.0e3 , -0.5 ] } ", ""),
            R"({"a": 1, "b": [1.0e3, -0.5]})");
  EXPECT_EQ(Apply(R"(["\u0041\/\ud83d\ude42\u001f\u00e9"])", ""),
            "[\"A/\xf0\x9f\x99\x82\\u001f\xc3\xa9\"]");
  EXPECT_EQ(Apply("\"scalar\"", ""), "\"scalar\"");
}

TEST(JsonDiffTest, DiffsThatDoNotFitAreRejected) {
  const auto kRejected = absl::StatusCode::kFailedPrecondition;
  EXPECT_EQ(ApplyCode(kDoc, Diff(kReplace, "$.missing", kInt5)), kRejected);
  EXPECT_EQ(ApplyCode(kDoc, Diff(kReplace, "$.b[3]", kInt5)), kRejected);
  EXPECT_EQ(ApplyCode(kDoc, Diff(kReplace, "$.b[last-3]", kInt5)), kRejected);
  EXPECT_EQ(ApplyCode(kDoc, Diff(kReplace, "$[0]", kInt5)), kRejected)
      << "no auto-wrapping of the object";
  EXPECT_EQ(ApplyCode(kDoc, Diff(kReplace, "$.a.b", kInt5)), kRejected);
  EXPECT_EQ(ApplyCode(kDoc, Diff(kInsert, "$.a", kInt5)), kRejected)
      << "key exists";
  EXPECT_EQ(ApplyCode(kDoc, Diff(kInsert, "$.x.y", kInt5)), kRejected);
  EXPECT_EQ(ApplyCode(kDoc, Diff(kInsert, "$.b.k", kInt5)), kRejected)
      << "member into an array";
  EXPECT_EQ(ApplyCode(kDoc, Diff(kInsert, "$[0]", kInt5)), kRejected)
      << "index into an object";
  EXPECT_EQ(ApplyCode(kDoc, Diff(kRemove, "$.missing")), kRejected);
  EXPECT_EQ(ApplyCode(kDoc, Diff(kRemove, "$.b[3]")), kRejected);
  EXPECT_EQ(ApplyCode(kDoc, Diff(kRemove, "$.a[0]")), kRejected);
  for (uint8_t op : {kReplace, kInsert, kRemove}) {
    EXPECT_EQ(ApplyCode(kDoc, Diff(op, "$", kInt5)), kRejected)
        << "root, operation " << static_cast<int>(op);
  }
  // A diff can make the document deeper than MySQL allows.
  std::string deep = Hex("0000 0400");
  for (int i = 1; i < 100; ++i) {
    std::string wrapped;
    wrapped.push_back(1);
    wrapped.push_back(0);
    wrapped.push_back(static_cast<char>((7 + deep.size()) & 0xff));
    wrapped.push_back(static_cast<char>((7 + deep.size()) >> 8));
    wrapped += Hex("02 0700") + deep;
    deep = wrapped;
  }
  ASSERT_TRUE(JsonBinaryToText("\x02" + deep).ok());
  EXPECT_EQ(ApplyCode("{}", Diff(kInsert, "$.k", "\x02" + deep)), kRejected);
}

TEST(JsonDiffTest, MalformedDiffsAreProtocolErrors) {
  for (absl::string_view path :
       {"", "a", "$.", "$[", "$[x]", "$[*]", "$.*", "$**.a", "$[1 to 2]",
        "$.a]", "$.1a", "$.a-b", "$.\"open", "$[last-]", "$[99999999999]",
        "$[-1]", "$.\"\\x\"", "$.\"\\ud800\""}) {
    absl::StatusOr<std::string> after =
        ApplyJsonDiffs(kDoc, Diff(kRemove, path));
    EXPECT_TRUE(IsProtocolError(after.status()))
        << "path '" << path << "': " << after.status();
  }
  const std::vector<std::pair<std::string, std::string>> bad_lists = {
      {"operation 3", Hex("03 03 242e61")},
      {"path length past the end", Hex("02 09 242e61")},
      {"NULL marker as a length", Hex("02 fb")},
      {"0xff as a length", Hex("02 ff")},
      {"value missing", Hex("00 03 242e61")},
      {"empty value", Hex("00 03 242e61 00")},
      {"value not binary JSON", Hex("00 03 242e61 02 0d00")},
      {"value truncated", Hex("00 03 242e61 02 0500")},
  };
  for (const auto& [name, diffs] : bad_lists) {
    absl::StatusOr<std::string> after = ApplyJsonDiffs(kDoc, diffs);
    EXPECT_TRUE(IsProtocolError(after.status()))
        << name << ": " << after.status();
  }
}

TEST(JsonDiffTest, EveryTruncationIsAnErrorOrAShorterList) {
  const std::vector<std::string> diffs = {Diff(kReplace, "$.a", kInt5),
                                          Diff(kRemove, "$.b[1]"),
                                          Diff(kInsert, "$.c", kObjectNNull)};
  std::string all;
  std::vector<size_t> boundaries = {0};
  for (const std::string& d : diffs) {
    all += d;
    boundaries.push_back(all.size());
  }
  ASSERT_TRUE(ApplyJsonDiffs(kDoc, all).ok());
  for (size_t n = 0; n < all.size(); ++n) {
    absl::StatusOr<std::string> after = ApplyJsonDiffs(kDoc, all.substr(0, n));
    const bool boundary =
        std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
    if (boundary) {
      EXPECT_TRUE(after.ok()) << n << ": " << after.status();
    } else {
      EXPECT_TRUE(IsProtocolError(after.status()))
          << "cut to " << n << ": " << after.status();
    }
  }
}

TEST(JsonDiffTest, BadBeforeTextIsInvalidArgument) {
  std::string too_deep = std::string(101, '[') + std::string(101, ']');
  for (absl::string_view before : std::initializer_list<absl::string_view>{
           "", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "tru", "01", "1.", "-",
           "1e", "\"\\x\"", "\"\x01\"", "\"open", "[1] 2", "{1: 2}",
           "\"\\ud800\"", "\"\\udc00\"", absl::string_view(too_deep)}) {
    EXPECT_EQ(ApplyCode(before, ""), absl::StatusCode::kInvalidArgument)
        << "'" << before << "'";
  }
  const std::string deepest = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(Apply(deepest, ""), deepest);
}

// --- Fixtures: JSON columns in binlogs recorded by MySQL. ---
//
// A private walker that decodes just enough of the events to find the JSON
// cells: the table map (column types and metadata) and v2 rows events with
// the column types these two files use (INT, VARCHAR, JSON).

enum : uint8_t {
  kFormatDescriptionEvent = 15,
  kTableMapEvent = 19,
  kWriteRowsEvent = 30,
  kUpdateRowsEvent = 31,
  kDeleteRowsEvent = 32,
  kPartialUpdateRowsEvent = 39,
};
enum : uint8_t { kTypeLong = 3, kTypeVarchar = 15, kTypeJson = 245 };

struct Column {
  uint8_t type = 0;
  uint16_t meta = 0;
};

// One row image: the cell bytes of each column present (nullopt for NULL).
struct Image {
  std::map<int, std::optional<std::string>> cells;
  uint64_t value_options = 0;  // partial updates: after image only
  std::string partial_bits;    // partial updates: one bit per JSON column
};

struct Row {
  uint8_t event_type = 0;
  std::optional<Image> before;  // UPDATE / PARTIAL_UPDATE
  Image after;                  // WRITE, or the after image of an update
};

std::string ReadFixture(absl::string_view name) {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) {
    ADD_FAILURE() << "runfiles: " << error;
    return "";
  }
  const std::string path =
      runfiles->Rlocation(absl::StrCat("shared_fixtures/binlog/", name));
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_TRUE(in.good() || in.eof()) << "cannot read " << path;
  return contents.str();
}

absl::Status ReadImage(WireReader& reader, const std::vector<Column>& columns,
                       absl::string_view present, bool partial_after,
                       Image* image) {
  std::vector<int> indexes;
  for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
    if (static_cast<uint8_t>(present[i / 8]) & (1 << (i % 8))) {
      indexes.push_back(i);
    }
  }
  if (partial_after) {
    image->value_options = reader.Lenenc();
    if (image->value_options & 1) {  // PARTIAL_JSON_UPDATES
      // One bit per JSON column; counted over the after image here, which
      // in these files holds the table's only JSON column either way.
      int json_columns = 0;
      for (int i : indexes) json_columns += columns[i].type == kTypeJson;
      image->partial_bits = std::string(reader.Bytes((json_columns + 7) / 8));
    }
  }
  const absl::string_view nulls = reader.Bytes((indexes.size() + 7) / 8);
  if (!reader.ok()) return reader.Status("row image header");
  for (size_t k = 0; k < indexes.size(); ++k) {
    const int i = indexes[k];
    if (static_cast<uint8_t>(nulls[k / 8]) & (1 << (k % 8))) {
      image->cells[i] = std::nullopt;
      continue;
    }
    switch (columns[i].type) {
      case kTypeLong:
        image->cells[i] = std::string(reader.Bytes(4));
        break;
      case kTypeVarchar: {
        const size_t length =
            columns[i].meta > 255 ? reader.U16() : reader.U8();
        image->cells[i] = std::string(reader.Bytes(length));
        break;
      }
      case kTypeJson:
        image->cells[i] =
            std::string(reader.Bytes(reader.FixedInt(columns[i].meta)));
        break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("walker: column type ", int{columns[i].type}));
    }
  }
  return reader.Status("row image");
}

absl::StatusOr<std::vector<Row>> ReadRows(absl::string_view file) {
  WireReader magic(file);
  if (magic.Bytes(4) != absl::string_view("\xfe"
                                          "bin",
                                          4)) {
    return absl::InvalidArgumentError("not a binlog");
  }
  std::vector<Row> rows;
  std::vector<Column> columns;
  size_t checksum_size = 0;
  size_t pos = 4;
  while (pos < file.size()) {
    WireReader header(file.substr(pos));
    header.Skip(4);  // timestamp
    const uint8_t type = header.U8();
    header.Skip(4);  // server id
    const uint32_t event_size = header.U32();
    if (!header.ok() || event_size < 19 || event_size > file.size() - pos) {
      return absl::InvalidArgumentError(absl::StrCat("bad event at ", pos));
    }
    const absl::string_view event = file.substr(pos, event_size);
    pos += event_size;
    if (type == kFormatDescriptionEvent) {
      // The checksum algorithm is the byte before the FDE's own checksum.
      checksum_size = event[event.size() - 5] == 1 ? 4 : 0;
      continue;
    }
    WireReader body(event.substr(19, event.size() - 19 - checksum_size));
    if (type == kTableMapEvent) {
      body.Skip(6 + 2);          // table id, flags
      body.Skip(body.U8() + 1);  // schema name and NUL
      body.Skip(body.U8() + 1);  // table name and NUL
      const absl::string_view types = body.Bytes(body.Lenenc());
      WireReader meta(body.Bytes(body.Lenenc()));
      if (!body.ok()) return body.Status("table map");
      columns.clear();
      for (char t : types) {
        Column column;
        column.type = static_cast<uint8_t>(t);
        switch (column.type) {
          case kTypeLong:
            break;
          case kTypeVarchar:
            column.meta = meta.U16();
            break;
          case kTypeJson:
            column.meta = meta.U8();  // bytes of the length prefix
            break;
          default:
            return absl::UnimplementedError(
                absl::StrCat("walker: column type ", int{column.type}));
        }
        columns.push_back(column);
      }
      if (!meta.ok()) return meta.Status("table map metadata");
      continue;
    }
    if (type != kWriteRowsEvent && type != kUpdateRowsEvent &&
        type != kDeleteRowsEvent && type != kPartialUpdateRowsEvent) {
      continue;
    }
    const bool two_images =
        type == kUpdateRowsEvent || type == kPartialUpdateRowsEvent;
    body.Skip(6 + 2);           // table id, flags
    body.Skip(body.U16() - 2);  // extra data, its length included
    const uint64_t column_count = body.Lenenc();
    if (column_count != columns.size()) {
      return absl::InvalidArgumentError("rows event without its table map");
    }
    const size_t bitmap_size = (column_count + 7) / 8;
    const absl::string_view present = body.Bytes(bitmap_size);
    const absl::string_view present_after =
        two_images ? body.Bytes(bitmap_size) : present;
    if (!body.ok()) return body.Status("rows event header");
    while (!body.empty()) {
      Row row;
      row.event_type = type;
      if (two_images) {
        row.before.emplace();
        if (absl::Status s =
                ReadImage(body, columns, present, false, &*row.before);
            !s.ok()) {
          return s;
        }
      }
      if (absl::Status s =
              ReadImage(body, columns, present_after,
                        type == kPartialUpdateRowsEvent, &row.after);
          !s.ok()) {
        return s;
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

int32_t IntCell(const Image& image, int column) {
  WireReader reader(image.cells.at(column).value());
  return static_cast<int32_t>(reader.U32());
}

std::string JsonCell(const Image& image, int column) {
  absl::StatusOr<std::string> text =
      JsonBinaryToText(image.cells.at(column).value());
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "<error>";
}

// json.binlog.000001 (MySQL 8.0.22):
//   CREATE TABLE t(id INT PRIMARY KEY AUTO_INCREMENT, json_col JSON,
//                  name VARCHAR(100) AS (json_col->>'$.name'),
//                  age INT AS (json_col->'$.age'))
// then inserts, a full UPDATE and a partial (JSON diff) UPDATE of `age`.
// The generated columns are logged with every row, which gives an
// independent check of the decoded documents.
TEST(JsonFixtureTest, JsonColumnsAndPartialUpdate) {
  const std::string file = ReadFixture("json.binlog.000001");
  absl::StatusOr<std::vector<Row>> rows = ReadRows(file);
  ASSERT_TRUE(rows.ok()) << rows.status();

  auto doc = [](int age, absl::string_view data, absl::string_view name) {
    return absl::StrCat(R"({"age": )", age, R"(, "data": ")", data,
                        R"(", "name": ")", name, "\"}");
  };
  const std::string x(10, 'x'), y(10, 'y'), z(10, 'z');
  // Rows 1-3 and 4-6 were inserted with the same three documents.
  const std::map<int, std::string> inserted = {
      {1, doc(24, x, "Joe")}, {2, doc(32, y, "Sue")}, {3, doc(40, z, "Pete")},
      {4, doc(24, x, "Joe")}, {5, doc(32, y, "Sue")}, {6, doc(40, z, "Pete")}};
  const std::map<int, std::string> updated = {
      {1, doc(25, x, "Joe")}, {2, doc(33, y, "Sue")}, {3, doc(41, z, "Pete")},
      {4, doc(25, x, "Joe")}, {5, doc(33, y, "Sue")}, {6, doc(41, z, "Pete")}};
  const std::map<int, std::string> partially_updated = {
      {1, doc(26, x, "Joe")}, {2, doc(34, y, "Sue")}, {3, doc(42, z, "Pete")},
      {4, doc(26, x, "Joe")}, {5, doc(34, y, "Sue")}, {6, doc(42, z, "Pete")}};

  // The document each row holds, as a reader of the stream would track it.
  std::map<int, std::string> current;
  int writes = 0, updates = 0, partials = 0;
  for (const Row& row : *rows) {
    const Image& after = row.after;
    switch (row.event_type) {
      case kWriteRowsEvent: {
        const int id = IntCell(after, 0);
        const std::string text = JsonCell(after, 1);
        EXPECT_EQ(text, inserted.at(id)) << "id " << id;
        // name = json_col->>'$.name', age = json_col->'$.age'
        EXPECT_EQ(text, doc(IntCell(after, 3),
                            id % 3 == 1   ? x
                            : id % 3 == 2 ? y
                                          : z,
                            after.cells.at(2).value()));
        current[id] = text;
        ++writes;
        break;
      }
      case kUpdateRowsEvent: {
        const int id = IntCell(*row.before, 0);
        EXPECT_EQ(IntCell(after, 0), id);
        EXPECT_EQ(JsonCell(*row.before, 1), current.at(id)) << "id " << id;
        const std::string text = JsonCell(after, 1);
        EXPECT_EQ(text, updated.at(id)) << "id " << id;
        EXPECT_THAT(text, ::testing::HasSubstr(
                              absl::StrCat("\"age\": ", IntCell(after, 3))));
        current[id] = text;
        ++updates;
        break;
      }
      case kPartialUpdateRowsEvent: {
        // binlog_row_image=MINIMAL: the before image is the key alone.
        ASSERT_EQ(row.before->cells.size(), 1u);
        const int id = IntCell(*row.before, 0);
        ASSERT_EQ(after.value_options, 1u);
        ASSERT_EQ(after.partial_bits, std::string(1, '\x01'));
        const std::string& diffs = after.cells.at(1).value();
        if (id == 1) {
          // REPLACE, "$.age", int16 26.
          EXPECT_EQ(diffs, Hex("00 05 242e616765 03 05 1a00"));
        }
        absl::StatusOr<std::string> text =
            ApplyJsonDiffs(current.at(id), diffs);
        ASSERT_TRUE(text.ok()) << text.status();
        EXPECT_EQ(*text, partially_updated.at(id)) << "id " << id;
        EXPECT_THAT(*text, ::testing::HasSubstr(
                               absl::StrCat("\"age\": ", IntCell(after, 3))));
        current[id] = *text;
        ++partials;
        break;
      }
      default:
        ADD_FAILURE() << "unexpected rows event " << int{row.event_type};
    }
  }
  EXPECT_EQ(writes, 6);
  EXPECT_EQ(updates, 6);
  EXPECT_EQ(partials, 6);
}

// json-opaque.binlog (MySQL 9.0.1): `create table test (a json)` and one
// row per insert, mostly opaque values (values read from the bytes: the
// VARCHAR 0x55, DATE, DATETIME and TIME packed integers, DECIMAL(6,3) and
// DECIMAL(11,2)).
TEST(JsonFixtureTest, OpaqueValues) {
  const std::string file = ReadFixture("json-opaque.binlog");
  absl::StatusOr<std::vector<Row>> rows = ReadRows(file);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const std::vector<std::string> expected = {
      R"({"a": "base64:type15:VQ=="})",
      R"({"b": "2012-03-18"})",
      R"({"c": "2012-03-18 11:30:45.000000"})",
      R"({"c": "87:31:46.654321"})",
      R"({"d": 123.456})",
      R"({"e": 9.00})",
      R"({"e": [0, 1, true, false]})",
      R"({"e": null})",
  };
  std::vector<std::string> decoded;
  for (const Row& row : *rows) {
    EXPECT_EQ(row.event_type, kWriteRowsEvent);
    decoded.push_back(JsonCell(row.after, 0));
  }
  EXPECT_EQ(decoded, expected);
}

}  // namespace
}  // namespace mysqlwire::binlog
