#include "clients/cpp/cli/binlog_json.h"

#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "clients/cpp/cli/json_text.h"
#include "mysqlwire/binlog/decimal_binary.h"
#include "mysqlwire/binlog/event_type.h"
#include "mysqlwire/binlog/events.h"
#include "mysqlwire/binlog/format_description.h"
#include "mysqlwire/protocol/column_type.h"

namespace mysqlgw::client::cli {
namespace {

namespace binlog = ::mysqlwire::binlog;
using ::mysqlwire::ColumnType;
using ::mysqlwire::Value;

// ---------------------------------------------------------------------------
// Numbers and objects

std::string JsonUint(uint64_t v) {
  v1::Value value;
  value.set_uint64(v);
  return JsonValue(value, v1::Column());
}

std::string JsonInt(int64_t v) {
  v1::Value value;
  value.set_int64(v);
  return JsonValue(value, v1::Column());
}

// Builds {"key":value,...} in insertion order.
class JsonObject {
 public:
  JsonObject() : out_("{") {}
  JsonObject& Raw(absl::string_view key, absl::string_view json) {
    if (out_.size() > 1) out_.push_back(',');
    AppendJsonString(key, &out_);
    out_.push_back(':');
    out_.append(json.data(), json.size());
    return *this;
  }
  JsonObject& Str(absl::string_view key, absl::string_view text) {
    return Raw(key, JsonString(text));
  }
  JsonObject& Uint(absl::string_view key, uint64_t v) { return Raw(key, JsonUint(v)); }
  JsonObject& Int(absl::string_view key, int64_t v) { return Raw(key, JsonInt(v)); }
  JsonObject& Bool(absl::string_view key, bool v) { return Raw(key, v ? "true" : "false"); }
  template <typename T>
  JsonObject& OptionalUint(absl::string_view key, const std::optional<T>& v) {
    if (v.has_value()) Uint(key, static_cast<uint64_t>(*v));
    return *this;
  }
  template <typename T>
  JsonObject& OptionalInt(absl::string_view key, const std::optional<T>& v) {
    if (v.has_value()) Int(key, static_cast<int64_t>(*v));
    return *this;
  }
  std::string Finish() {
    out_.push_back('}');
    return std::move(out_);
  }

 private:
  std::string out_;
};

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(items[i], &out);
  }
  out.push_back(']');
  return out;
}

// ---------------------------------------------------------------------------
// Character sets

enum class Charset { kOther, kLatin1, kUcs2, kUtf16, kUtf16le, kUtf32 };

// Collation ids of the character sets that are not ASCII-compatible or not
// UTF-8 in their high bytes. MariaDB's NO PAD collations are the PAD SPACE
// id + 1024 (latin1_swedish_nopad_ci 1032); its UCA 14.0.0 collations
// (10.10+) take 256 ids per character set from 2048 (see
// information_schema.COLLATIONS): utf8mb3, utf8mb4, ucs2, utf16, utf32.
Charset CharsetOf(uint32_t id) {
  if (id >= 2048 && id < 2048 + 5 * 256) {
    switch ((id - 2048) / 256) {
      case 2:
        return Charset::kUcs2;
      case 3:
        return Charset::kUtf16;
      case 4:
        return Charset::kUtf32;
      default:
        return Charset::kOther;
    }
  }
  if (id >= 1024 && id < 2048) id -= 1024;
  switch (id) {
    case 5:
    case 8:
    case 15:
    case 31:
    case 47:
    case 48:
    case 49:
    case 94:
      return Charset::kLatin1;
    case 35:
    case 90:
    case 159:
      return Charset::kUcs2;
    case 54:
    case 55:
      return Charset::kUtf16;
    case 56:
    case 62:
      return Charset::kUtf16le;
    case 60:
    case 61:
      return Charset::kUtf32;
    default:
      break;
  }
  // The UCA collations (MariaDB adds croatian, myanmar and thai_520_w2 at
  // 640-642, 672-674 and 736-738).
  if ((id >= 128 && id <= 151) || (id >= 640 && id <= 642)) return Charset::kUcs2;
  if ((id >= 101 && id <= 124) || (id >= 672 && id <= 674)) return Charset::kUtf16;
  if ((id >= 160 && id <= 183) || (id >= 736 && id <= 738)) return Charset::kUtf32;
  return Charset::kOther;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += len;
  }
  return true;
}

// MySQL's latin1 is Windows-1252 with the five bytes that code page leaves
// undefined mapped to the C1 controls of the same value.
constexpr uint16_t kLatin1High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

uint32_t Unit(absl::string_view s, size_t i, size_t width, bool little_endian) {
  uint32_t v = 0;
  for (size_t k = 0; k < width; ++k) {
    const uint32_t byte = static_cast<unsigned char>(s[i + (little_endian ? width - 1 - k : k)]);
    v = (v << 8) | byte;
  }
  return v;
}

std::optional<std::string> Utf16ToUtf8(absl::string_view s, bool little_endian, bool surrogates) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    uint32_t cp = Unit(s, i, 2, little_endian);
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      if (!surrogates || cp >= 0xDC00 || i + 4 > s.size()) return std::nullopt;
      const uint32_t low = Unit(s, i + 2, 2, little_endian);
      if (low < 0xDC00 || low > 0xDFFF) return std::nullopt;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    }
    AppendUtf8(cp, &out);
  }
  return out;
}

std::optional<std::string> Utf32ToUtf8(absl::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); i += 4) {
    const uint32_t cp = Unit(s, i, 4, /*little_endian=*/false);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    AppendUtf8(cp, &out);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Columns

bool IsTemporalWithFraction(ColumnType type) {
  return type == ColumnType::kTime2 || type == ColumnType::kDateTime2 ||
         type == ColumnType::kTimestamp2;
}

uint32_t CharsetOfColumn(const binlog::TableMap& map, size_t column) {
  return column < map.charsets.size() ? map.charsets[column] : 0;
}

uint16_t MetadataOf(const binlog::TableMap& map, size_t column) {
  return column < map.metadata.size() ? map.metadata[column] : 0;
}

// CHAR's length in bytes: the low byte of the metadata, plus bits 8-9 hidden
// (XOR-ed) in bits 4-5 of the high byte for lengths above 255.
uint32_t CharLength(uint16_t meta) {
  if (meta < 256) return meta;
  const uint32_t high = meta >> 8;
  return (((high & 0x30) ^ 0x30) << 4) | (meta & 0xff);
}

absl::string_view BlobName(uint16_t pack_length, bool text) {
  switch (pack_length) {
    case 1:
      return text ? "TINYTEXT" : "TINYBLOB";
    case 3:
      return text ? "MEDIUMTEXT" : "MEDIUMBLOB";
    case 4:
      return text ? "LONGTEXT" : "LONGBLOB";
    default:
      return text ? "TEXT" : "BLOB";
  }
}

std::string WithFraction(absl::string_view name, uint16_t digits) {
  return digits == 0 ? std::string(name) : absl::StrCat(name, "(", digits, ")");
}

std::string RowsKind(binlog::EventType type) {
  switch (type) {
    case binlog::EventType::kPreGaWriteRows:
    case binlog::EventType::kWriteRowsV1:
    case binlog::EventType::kWriteRowsV2:
      return "insert";
    case binlog::EventType::kPreGaDeleteRows:
    case binlog::EventType::kDeleteRowsV1:
    case binlog::EventType::kDeleteRowsV2:
      return "delete";
    default:
      return "update";
  }
}

absl::string_view ChecksumName(binlog::ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case binlog::ChecksumAlgorithm::kCrc32:
      return "CRC32";
    case binlog::ChecksumAlgorithm::kOff:
      return "OFF";
    default:
      return "NONE";
  }
}

// ---------------------------------------------------------------------------
// Per event type

void AddFields(const binlog::FormatDescription& e, const binlog::EventHeader& header,
               JsonObject& o) {
  o.Uint("binlog_version", e.binlog_version)
      .Str("server_version", e.server_version)
      .Str("checksum", ChecksumName(e.checksum))
      .Uint("create_timestamp", e.create_timestamp)
      .Bool("in_use", (header.flags & binlog::kLogEventBinlogInUse) != 0);
}

void AddFields(const binlog::RotateEvent& e, JsonObject& o) {
  o.Str("next_file", e.next_file).Uint("position", e.position);
}

void AddFields(const binlog::QueryEvent& e, JsonObject& o) {
  o.Uint("thread_id", e.thread_id)
      .Uint("exec_time", e.exec_time)
      .Uint("error_code", e.error_code)
      .Str("schema", e.schema)
      .Str("query", e.query);
}

void AddFields(const binlog::XidEvent& e, JsonObject& o) { o.Uint("xid", e.xid); }

void AddFields(const binlog::IntvarEvent& e, JsonObject& o) {
  absl::string_view name = "INVALID";
  if (e.type == binlog::IntvarType::kLastInsertId) name = "LAST_INSERT_ID";
  if (e.type == binlog::IntvarType::kInsertId) name = "INSERT_ID";
  o.Str("intvar", name).Uint("value", e.value);
}

void AddFields(const binlog::RandEvent& e, JsonObject& o) {
  o.Uint("seed1", e.seed1).Uint("seed2", e.seed2);
}

std::string UserVarValueJson(const binlog::UserVarEvent& e) {
  if (e.is_null) return "null";
  const std::string& raw = e.value;
  switch (e.type) {
    case binlog::UserVarType::kReal:
      if (raw.size() == 8) {
        uint64_t bits = Unit(raw, 4, 4, true);
        bits = (bits << 32) | Unit(raw, 0, 4, true);
        double d;
        std::memcpy(&d, &bits, sizeof(d));
        v1::Value v;
        v.set_double_(d);
        return JsonValue(v, v1::Column());
      }
      break;
    case binlog::UserVarType::kInt:
      if (raw.size() == 8) {
        uint64_t bits = Unit(raw, 4, 4, true);
        bits = (bits << 32) | Unit(raw, 0, 4, true);
        return (e.flags & binlog::kUserVarUnsigned) != 0 ? JsonUint(bits)
                                                         : JsonInt(static_cast<int64_t>(bits));
      }
      break;
    case binlog::UserVarType::kDecimal:
      if (raw.size() >= 2) {
        absl::StatusOr<std::string> text = binlog::BinaryDecimalToText(
            absl::string_view(raw).substr(2), static_cast<unsigned char>(raw[0]),
            static_cast<unsigned char>(raw[1]));
        if (text.ok()) return JsonString(*text);
      }
      break;
    case binlog::UserVarType::kString:
      if (e.charset != mysqlwire::kBinaryCollation) {
        if (std::optional<std::string> text = TextToUtf8(raw, e.charset)) {
          return JsonString(*text);
        }
      }
      break;
    default:
      break;
  }
  return JsonString(absl::Base64Escape(raw));
}

void AddFields(const binlog::UserVarEvent& e, JsonObject& o) {
  o.Str("name", e.name).Raw("value", UserVarValueJson(e));
}

void AddFields(const binlog::GtidEvent& e, JsonObject& o) {
  o.Str("gtid", e.Gtid());
  if (!e.tag.empty()) o.Str("tag", e.tag);
  o.OptionalInt("last_committed", e.last_committed)
      .OptionalInt("sequence_number", e.sequence_number)
      .OptionalUint("immediate_commit_timestamp", e.immediate_commit_timestamp)
      .OptionalUint("original_commit_timestamp", e.original_commit_timestamp)
      .OptionalUint("transaction_length", e.transaction_length)
      .OptionalUint("immediate_server_version", e.immediate_server_version)
      .OptionalUint("original_server_version", e.original_server_version);
}

void AddFields(const binlog::PreviousGtidsEvent& e, JsonObject& o) { o.Str("set", e.ToString()); }

void AddFields(const binlog::MariaGtidEvent& e, JsonObject& o) {
  o.Str("gtid", e.gtid.ToString())
      .Uint("domain_id", e.gtid.domain_id)
      .Uint("seq_no", e.gtid.seq_no)
      .Bool("standalone", e.standalone())
      .OptionalUint("commit_id", e.commit_id);
  if (e.xid.has_value()) {
    o.Raw("xid", JsonObject()
                     .Int("format_id", e.xid->format_id)
                     .Str("gtrid", absl::Base64Escape(e.xid->gtrid))
                     .Str("bqual", absl::Base64Escape(e.xid->bqual))
                     .Finish());
  }
}

void AddFields(const binlog::MariaGtidListEvent& e, JsonObject& o) { o.Str("set", e.ToString()); }

void AddFields(const binlog::BinlogCheckpointEvent& e, JsonObject& o) {
  o.Str("checkpoint_file", e.file);
}

void AddFields(const binlog::AnnotateRowsEvent& e, JsonObject& o) { o.Str("query", e.query); }

void AddFields(const binlog::HeartbeatEvent& e, JsonObject& o) {
  o.Str("log_file", e.log_file).Uint("position", e.position);
}

void AddFields(const binlog::TableMap& map, JsonObject& o) {
  std::string columns = "[";
  for (size_t i = 0; i < map.column_count(); ++i) {
    if (i > 0) columns.push_back(',');
    JsonObject c;
    if (map.has_names() && i < map.column_names.size()) c.Str("name", map.column_names[i]);
    c.Str("type", BinlogColumnType(map, i));
    c.Bool("nullable", i < map.nullable.size() && map.nullable[i]);
    if (const uint32_t collation = CharsetOfColumn(map, i); collation != 0) {
      c.Uint("collation_id", collation);
    }
    const ColumnType type = map.RealType(i);
    if (type == ColumnType::kEnum && i < map.enum_values.size() && !map.enum_values[i].empty()) {
      c.Raw("values", JsonStringArray(map.enum_values[i]));
    }
    if (type == ColumnType::kSet && i < map.set_values.size() && !map.set_values[i].empty()) {
      c.Raw("values", JsonStringArray(map.set_values[i]));
    }
    if (i < map.visible.size() && !map.visible[i]) c.Bool("visible", false);
    columns.append(c.Finish());
  }
  columns.push_back(']');
  o.Uint("table_id", map.table_id).Str("schema", map.schema).Str("table", map.table);
  o.Raw("columns", columns);
  if (!map.primary_key.empty()) {
    std::vector<std::string> keys;
    for (uint32_t index : map.primary_key) keys.push_back(BinlogColumnKey(map, index));
    o.Raw("primary_key", JsonStringArray(keys));
  }
}

void AddFields(const binlog::RowsEvent& e, const binlog::TableMap* map, JsonObject& o) {
  o.Str("kind", RowsKind(e.type)).Uint("table_id", e.table_id);
  if (map == nullptr) {
    // Cannot happen for events from the decoder, which refuses rows events
    // without their TABLE_MAP; say so rather than invent names.
    o.Raw("rows", "null");
    return;
  }
  o.Str("schema", map->schema).Str("table", map->table);
  std::string rows = "[";
  for (size_t r = 0; r < e.rows.size(); ++r) {
    if (r > 0) rows.push_back(',');
    const binlog::RowChange& change = e.rows[r];
    JsonObject row;
    if (change.before.has_value()) row.Raw("before", BinlogRowImageJson(*change.before, *map));
    if (change.after.has_value()) {
      row.Raw("after", BinlogRowImageJson(*change.after, *map));
      if (!change.after->unapplied_json_diffs.empty()) {
        JsonObject diffs;
        for (const auto& [column, diff] : change.after->unapplied_json_diffs) {
          diffs.Str(BinlogColumnKey(*map, column), absl::Base64Escape(diff));
        }
        row.Raw("json_diffs", diffs.Finish());
      }
    }
    rows.append(row.Finish());
  }
  rows.push_back(']');
  o.Raw("rows", rows);
}

}  // namespace

std::optional<std::string> TextToUtf8(absl::string_view text, uint32_t collation_id) {
  switch (CharsetOf(collation_id)) {
    case Charset::kLatin1: {
      std::string out;
      out.reserve(text.size());
      for (unsigned char c : text) {
        AppendUtf8(c >= 0x80 && c < 0xA0 ? kLatin1High[c - 0x80] : c, &out);
      }
      return out;
    }
    case Charset::kUcs2:
      return Utf16ToUtf8(text, /*little_endian=*/false, /*surrogates=*/false);
    case Charset::kUtf16:
      return Utf16ToUtf8(text, /*little_endian=*/false, /*surrogates=*/true);
    case Charset::kUtf16le:
      return Utf16ToUtf8(text, /*little_endian=*/true, /*surrogates=*/true);
    case Charset::kUtf32:
      return Utf32ToUtf8(text);
    case Charset::kOther:
      break;
  }
  if (!IsValidUtf8(text)) return std::nullopt;
  return std::string(text);
}

std::string BinlogColumnType(const binlog::TableMap& map, size_t column) {
  if (column >= map.column_count()) return "UNKNOWN";
  const ColumnType type = map.RealType(column);
  const uint16_t meta = MetadataOf(map, column);
  const uint32_t collation = CharsetOfColumn(map, column);
  const bool binary = collation == mysqlwire::kBinaryCollation;
  const bool is_unsigned = column < map.is_unsigned.size() && map.is_unsigned[column];
  const char* const sign = is_unsigned ? " UNSIGNED" : "";
  switch (type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      return absl::StrCat(mysqlwire::ColumnTypeName(type), sign);
    case ColumnType::kNewDecimal:
      return absl::StrCat("DECIMAL(", meta >> 8, ",", meta & 0xff, ")", sign);
    case ColumnType::kDate:
    case ColumnType::kNewDate:
      return "DATE";
    case ColumnType::kTime2:
      return WithFraction("TIME", meta);
    case ColumnType::kDateTime2:
      return WithFraction("DATETIME", meta);
    case ColumnType::kTimestamp2:
      return WithFraction("TIMESTAMP", meta);
    case ColumnType::kBit:
      return absl::StrCat("BIT(", (meta >> 8) * 8 + (meta & 0xff), ")");
    case ColumnType::kVarChar:
    case ColumnType::kVarString:
      return absl::StrCat(binary ? "VARBINARY(" : "VARCHAR(", meta, ")");
    case ColumnType::kString:
      return absl::StrCat(binary ? "BINARY(" : "CHAR(", CharLength(meta), ")");
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
      if (collation == 0) return absl::StrCat(BlobName(meta, false), "/", BlobName(meta, true));
      return std::string(BlobName(meta, !binary));
    case ColumnType::kVector: {
      const uint32_t dims =
          column < map.vector_dimensions.size() ? map.vector_dimensions[column] : 0;
      return dims == 0 ? "VECTOR" : absl::StrCat("VECTOR(", dims, ")");
    }
    default:
      return std::string(mysqlwire::ColumnTypeName(type));
  }
}

std::string BinlogColumnKey(const binlog::TableMap& map, size_t column) {
  if (map.has_names() && column < map.column_names.size()) return map.column_names[column];
  return absl::StrCat("@", column + 1);
}

v1::Value BinlogValueToProto(const Value& value, const binlog::TableMap& map, size_t column) {
  v1::Value out;
  switch (value.kind()) {
    case Value::Kind::kNull:
      out.set_null(google::protobuf::NULL_VALUE);
      break;
    case Value::Kind::kInt64:
      out.set_int64(value.as_int64());
      break;
    case Value::Kind::kUint64:
      out.set_uint64(value.as_uint64());
      break;
    case Value::Kind::kFloat:
      out.set_float_(value.as_float());
      break;
    case Value::Kind::kDouble:
      out.set_double_(value.as_double());
      break;
    case Value::Kind::kDecimal:
      out.set_decimal(value.as_decimal());
      break;
    case Value::Kind::kString: {
      const bool json = column < map.column_count() && map.RealType(column) == ColumnType::kJson;
      // JSON text is UTF-8 whatever the column says (MySQL's binary JSON
      // holds utf8mb4 strings).
      std::optional<std::string> text =
          json ? (IsValidUtf8(value.as_string()) ? std::optional<std::string>(value.as_string())
                                                 : std::nullopt)
               : TextToUtf8(value.as_string(), CharsetOfColumn(map, column));
      if (!text.has_value()) {
        out.set_bytes(value.as_string());
      } else if (json) {
        out.set_json(*std::move(text));
      } else {
        out.set_string(*std::move(text));
      }
      break;
    }
    case Value::Kind::kBytes:
      out.set_bytes(value.as_bytes());
      break;
    case Value::Kind::kDate: {
      const mysqlwire::Date& d = value.as_date();
      v1::Date* date = out.mutable_date();
      date->set_year(d.year);
      date->set_month(d.month);
      date->set_day(d.day);
      break;
    }
    case Value::Kind::kDateTime: {
      const mysqlwire::DateTime& d = value.as_datetime();
      v1::DateTime* dt = out.mutable_datetime();
      dt->set_year(d.year);
      dt->set_month(d.month);
      dt->set_day(d.day);
      dt->set_hour(d.hour);
      dt->set_minute(d.minute);
      dt->set_second(d.second);
      dt->set_microsecond(d.microsecond);
      break;
    }
    case Value::Kind::kTime: {
      const mysqlwire::Time& t = value.as_time();
      v1::Time* time = out.mutable_time();
      time->set_negative(t.negative);
      time->set_hours(t.hours);
      time->set_minute(t.minute);
      time->set_second(t.second);
      time->set_microsecond(t.microsecond);
      break;
    }
  }
  return out;
}

std::string BinlogCellJson(const Value& value, const binlog::TableMap& map, size_t column) {
  // The column as a result set would describe it, for the fraction digits
  // of temporal values (the only thing JsonValue takes from it).
  v1::Column described;
  if (column < map.column_count() && IsTemporalWithFraction(map.RealType(column))) {
    described.set_decimals(MetadataOf(map, column));
  }
  return JsonValue(BinlogValueToProto(value, map, column), described);
}

std::string BinlogRowImageJson(const binlog::RowImage& image, const binlog::TableMap& map) {
  JsonObject o;
  for (size_t i = 0; i < image.values.size(); ++i) {
    if (i < image.present.size() && !image.present[i]) continue;
    o.Raw(BinlogColumnKey(map, i), BinlogCellJson(image.values[i], map, i));
  }
  return o.Finish();
}

void BinlogJsonWriter::Observe(const binlog::Event& event) {
  if (std::holds_alternative<binlog::FormatDescription>(event.body)) {
    tables_.clear();
  } else if (const auto* map = std::get_if<binlog::TableMap>(&event.body)) {
    tables_[map->table_id] = *map;
  }
}

std::string BinlogJsonWriter::Render(const binlog::Event& event,
                                     const BinlogEventPlace& place) const {
  const binlog::EventHeader& header = event.header;
  JsonObject o;
  o.Str("file", place.file)
      .Uint("pos", header.log_pos != 0 ? header.log_pos : place.end_offset)
      .Str("type", binlog::EventTypeName(header.type))
      .Uint("server_id", header.server_id)
      .Uint("timestamp", header.timestamp);
  if (place.in_payload) o.Bool("in_payload", true);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          if (binlog::EventTypeName(header.type) == "UNKNOWN") {
            o.Uint("type_code", static_cast<uint8_t>(header.type));
          }
          o.Bool("skipped", true);
        } else if constexpr (std::is_same_v<T, binlog::FormatDescription>) {
          AddFields(body, header, o);
        } else if constexpr (std::is_same_v<T, binlog::RowsEvent>) {
          auto it = tables_.find(body.table_id);
          AddFields(body, it == tables_.end() ? nullptr : &it->second, o);
        } else {
          AddFields(body, o);
        }
      },
      event.body);
  return o.Finish();
}

}  // namespace mysqlgw::client::cli
