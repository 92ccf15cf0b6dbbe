#include "mysqlwire/binlog/cell.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {
namespace {

using std::string_literals::operator""s;

constexpr uint32_t kLatin1 = 8;
constexpr uint32_t kUtf8mb4 = 45;
constexpr uint32_t kBinary = 63;

struct CellCase {
  std::string name;
  ColumnType type;
  uint16_t meta;
  std::string hex;
  Value expected;
  bool is_unsigned = false;
  uint32_t charset = 0;
  std::vector<std::string> enum_values = {};
  std::vector<std::string> set_values = {};
};

TableMap OneColumn(const CellCase& c) {
  TableMap map;
  map.table_id = 7;
  map.schema = "db";
  map.table = "t";
  map.types = {c.type};
  map.metadata = {c.meta};
  map.nullable = {true};
  map.is_unsigned = {c.is_unsigned};
  map.charsets = {c.charset};
  map.column_names = {"col"};
  map.enum_values = {c.enum_values};
  map.set_values = {c.set_values};
  map.geometry_types = {0};
  map.visible = {true};
  map.vector_dimensions = {0};
  return map;
}

DateTime Dt(uint16_t y, uint8_t mo, uint8_t d, uint8_t h = 0, uint8_t mi = 0,
            uint8_t s = 0, uint32_t us = 0) {
  return DateTime{y, mo, d, h, mi, s, us};
}
Time Tm(bool negative, uint32_t h, uint8_t m, uint8_t s, uint32_t us = 0) {
  return Time{negative, h, m, s, us};
}

// STRING metadata: real type << 8 | length.
constexpr uint16_t StringMeta(ColumnType real, uint8_t length) {
  return static_cast<uint16_t>(static_cast<uint8_t>(real) << 8 | length);
}

// Unless noted, the bytes were logged by MariaDB 10.11 (binlog_row_metadata=
// FULL) or MySQL 8.0 for the values shown, as mariadb-binlog -vv prints them.
std::vector<CellCase> Cases() {
  const std::vector<std::string> abc = {"a", "b", "c"};
  const std::vector<std::string> xyz = {"x", "y", "z"};
  return {
      // Integers.
      {"tiny min", ColumnType::kTiny, 0, "80", Value::Int64(-128)},
      {"tiny max", ColumnType::kTiny, 0, "7f", Value::Int64(127)},
      {"tiny unsigned max", ColumnType::kTiny, 0, "ff", Value::Uint64(255),
       true},
      {"tiny sign unknown", ColumnType::kTiny, 0, "ff", Value::Int64(-1)},
      {"short min", ColumnType::kShort, 0, "0080", Value::Int64(-32768)},
      {"short unsigned max", ColumnType::kShort, 0, "ffff",
       Value::Uint64(65535), true},
      {"int24 min", ColumnType::kInt24, 0, "000080", Value::Int64(-8388608)},
      {"int24 max", ColumnType::kInt24, 0, "ffff7f", Value::Int64(8388607)},
      {"int24 -1", ColumnType::kInt24, 0, "ffffff", Value::Int64(-1)},
      {"int24 unsigned max", ColumnType::kInt24, 0, "ffffff",
       Value::Uint64(16777215), true},
      {"long min", ColumnType::kLong, 0, "00000080",
       Value::Int64(-2147483648LL)},
      {"long unsigned max", ColumnType::kLong, 0, "ffffffff",
       Value::Uint64(4294967295u), true},
      {"long unsigned from MySQL", ColumnType::kLong, 0, "d3f988c0",
       Value::Uint64(3230202323u), true},
      {"longlong min", ColumnType::kLongLong, 0, "0000000000000080",
       Value::Int64(std::numeric_limits<int64_t>::min())},
      {"longlong max", ColumnType::kLongLong, 0, "ffffffffffffff7f",
       Value::Int64(std::numeric_limits<int64_t>::max())},
      {"longlong unsigned max", ColumnType::kLongLong, 0, "ffffffffffffffff",
       Value::Uint64(std::numeric_limits<uint64_t>::max()), true},
      // Floating point.
      {"float", ColumnType::kFloat, 4, "0000c03f", Value::Float(1.5f)},
      {"float min", ColumnType::kFloat, 4, "9ec97fff", Value::Float(-3.4e38f)},
      {"double", ColumnType::kDouble, 8, "00000000000002c0",
       Value::Double(-2.25)},
      {"double max", ColumnType::kDouble, 8, "ffffffffffffef7f",
       Value::Double(std::numeric_limits<double>::max())},
      // YEAR.
      {"year 0000", ColumnType::kYear, 0, "00", Value::Uint64(0)},
      {"year 1901", ColumnType::kYear, 0, "01", Value::Uint64(1901)},
      {"year 2155", ColumnType::kYear, 0, "ff", Value::Uint64(2155)},
      // BIT: metadata bytes << 8 | bits.
      {"bit(1)", ColumnType::kBit, 1, "01", Value::Uint64(1)},
      {"bit(3)", ColumnType::kBit, 3, "04", Value::Uint64(4)},
      {"bit(5)", ColumnType::kBit, 5, "15", Value::Uint64(21)},
      {"bit(8)", ColumnType::kBit, 0x100, "20", Value::Uint64(32)},
      {"bit(12)", ColumnType::kBit, 0x104, "0801", Value::Uint64(2049)},
      {"bit(64) all ones", ColumnType::kBit, 0x800, "ffffffffffffffff",
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      {"bit(64) top bit", ColumnType::kBit, 0x800, "8000000000000000",
       Value::Uint64(uint64_t{1} << 63)},
      // DECIMAL: metadata precision << 8 | scale (decimal_binary_test.cc has
      // the format's own cases).
      {"decimal(10,4) negative", ColumnType::kNewDecimal, 0x0a04, "7ffff3f2b7",
       Value::DecimalText("-12.3400")},
      {"decimal(10,4) leading zeros", ColumnType::kNewDecimal, 0x0a04,
       "8000000001", Value::DecimalText("0.0001")},
      {"decimal(5,0)", ColumnType::kNewDecimal, 0x0500, "7e7960",
       Value::DecimalText("-99999")},
      {"decimal(65,30) min", ColumnType::kNewDecimal, 0x411e,
       "7a0a1f00c4653600c4653600c4653600c4653600c4653600c4653600fc18",
       Value::DecimalText("-99999999999999999999999999999999999."
                          "999999999999999999999999999999")},
      {"decimal(65,0)", ColumnType::kNewDecimal, 0x4100,
       "8c149aa4350dfb38d2075bcd1500bc614e35b7bf87350e34c02f075f79",
       Value::DecimalText(
           "12345678901234567890123456789012345678901234567890123456789012345")},
      // DATE.
      {"date", ColumnType::kDate, 0, "5dd00f", Value::Of(Date{2024, 2, 29})},
      {"date zero", ColumnType::kDate, 0, "000000", Value::Of(Date{})},
      {"date partial zero", ColumnType::kDate, 0, "00d00f",
       Value::Of(Date{2024, 0, 0})},
      // TIME (MySQL 5.5 format; MariaDB with mysql56_temporal_format=OFF).
      {"time old negative", ColumnType::kTime, 0, "590a80",
       Value::Of(Tm(true, 838, 59, 59))},
      {"time old", ColumnType::kTime, 0, "40e201", Value::Of(Tm(false, 12, 34, 56))},
      {"time old zero", ColumnType::kTime, 0, "000000", Value::Of(Time{})},
      // TIME2 by fractional digits.
      {"time2 max", ColumnType::kTime2, 0, "b46efb",
       Value::Of(Tm(false, 838, 59, 59))},
      {"time2 min", ColumnType::kTime2, 0, "4b9105",
       Value::Of(Tm(true, 838, 59, 59))},
      {"time2 beyond 24h (MySQL 8)", ColumnType::kTime2, 0, "6043e5",
       Value::Of(Tm(true, 507, 48, 27))},
      {"time2 -1h", ColumnType::kTime2, 0, "7ff000",
       Value::Of(Tm(true, 1, 0, 0))},
      {"time2 zero (hand-made)", ColumnType::kTime2, 0, "800000",
       Value::Of(Time{})},
      {"time2(1) negative", ColumnType::kTime2, 1, "4b9105a6",
       Value::Of(Tm(true, 838, 59, 58, 900000))},
      {"time2(1) -0.5", ColumnType::kTime2, 1, "7fffffce",
       Value::Of(Tm(true, 0, 0, 0, 500000))},
      {"time2(1) -1h.1", ColumnType::kTime2, 1, "7feffff6",
       Value::Of(Tm(true, 1, 0, 0, 100000))},
      {"time2(2) negative", ColumnType::kTime2, 2, "7f5d33de",
       Value::Of(Tm(true, 10, 11, 12, 340000))},
      {"time2(2) 0.01", ColumnType::kTime2, 2, "80000001",
       Value::Of(Tm(false, 0, 0, 0, 10000))},
      {"time2(3) -0.001", ColumnType::kTime2, 3, "7ffffffff6",
       Value::Of(Tm(true, 0, 0, 0, 1000))},
      {"time2(3) 0.999", ColumnType::kTime2, 3, "8000002706",
       Value::Of(Tm(false, 0, 0, 0, 999000))},
      {"time2(3) -1h.1", ColumnType::kTime2, 3, "7feffffc18",
       Value::Of(Tm(true, 1, 0, 0, 100000))},
      {"time2(4) 100h", ColumnType::kTime2, 4, "8640000001",
       Value::Of(Tm(false, 100, 0, 0, 100))},
      {"time2(4) -0.9999", ColumnType::kTime2, 4, "7fffffd8f1",
       Value::Of(Tm(true, 0, 0, 0, 999900))},
      {"time2(5) negative", ColumnType::kTime2, 5, "7ffffefffff6",
       Value::Of(Tm(true, 0, 0, 1, 10))},
      {"time2(5) max", ColumnType::kTime2, 5, "b46efb0f4236",
       Value::Of(Tm(false, 838, 59, 59, 999990))},
      {"time2(6) negative", ColumnType::kTime2, 6, "7f3747ffffff",
       Value::Of(Tm(true, 12, 34, 56, 1))},
      {"time2(6) -1us", ColumnType::kTime2, 6, "7fffffffffff",
       Value::Of(Tm(true, 0, 0, 0, 1))},
      {"time2(6) -1h.1", ColumnType::kTime2, 6, "7feffffe7960",
       Value::Of(Tm(true, 1, 0, 0, 100000))},
      // DATETIME (MySQL 5.5 format).
      {"datetime old", ColumnType::kDateTime, 0, "457c178468120000",
       Value::Of(Dt(2024, 1, 2, 3, 4, 5))},
      {"datetime old zero", ColumnType::kDateTime, 0, "0000000000000000",
       Value::Of(DateTime{})},
      // DATETIME2 by fractional digits.
      {"datetime2 max", ColumnType::kDateTime2, 0, "fef3ff7efb",
       Value::Of(Dt(9999, 12, 31, 23, 59, 59))},
      {"datetime2 zero", ColumnType::kDateTime2, 0, "8000000000",
       Value::Of(DateTime{})},
      {"datetime2 partial zero", ColumnType::kDateTime2, 0, "99b2000000",
       Value::Of(Dt(2024, 0, 0))},
      {"datetime2(1)", ColumnType::kDateTime2, 1, "99b24431053c",
       Value::Of(Dt(2024, 1, 2, 3, 4, 5, 600000))},
      {"datetime2(1) min", ColumnType::kDateTime2, 1, "8cb24200000a",
       Value::Of(Dt(1000, 1, 1, 0, 0, 0, 100000))},
      {"datetime2(2)", ColumnType::kDateTime2, 2, "99b244310543",
       Value::Of(Dt(2024, 1, 2, 3, 4, 5, 670000))},
      {"datetime2(2) zero", ColumnType::kDateTime2, 2, "800000000000",
       Value::Of(DateTime{})},
      {"datetime2(3)", ColumnType::kDateTime2, 3, "99b24431051a7c",
       Value::Of(Dt(2024, 1, 2, 3, 4, 5, 678000))},
      {"datetime2(4)", ColumnType::kDateTime2, 4, "99b24431051a85",
       Value::Of(Dt(2024, 1, 2, 3, 4, 5, 678900))},
      {"datetime2(5)", ColumnType::kDateTime2, 5, "99b24431050a5bfe",
       Value::Of(Dt(2024, 1, 2, 3, 4, 5, 678910))},
      {"datetime2(5) 10us", ColumnType::kDateTime2, 5, "8cb242000000000a",
       Value::Of(Dt(1000, 1, 1, 0, 0, 0, 10))},
      {"datetime2(6)", ColumnType::kDateTime2, 6, "99b24431050a5c00",
       Value::Of(Dt(2024, 1, 2, 3, 4, 5, 678912))},
      {"datetime2(6) 1us", ColumnType::kDateTime2, 6, "8cb2420000000001",
       Value::Of(Dt(1000, 1, 1, 0, 0, 0, 1))},
      // TIMESTAMP: seconds since the epoch, shown in UTC.
      {"timestamp old max", ColumnType::kTimestamp, 0, "ffffff7f",
       Value::Of(Dt(2038, 1, 19, 3, 14, 7))},
      {"timestamp old zero", ColumnType::kTimestamp, 0, "00000000",
       Value::Of(DateTime{})},
      {"timestamp2", ColumnType::kTimestamp2, 0, "6260869c",
       Value::Of(Dt(2022, 4, 20, 22, 18, 4))},
      {"timestamp2 max", ColumnType::kTimestamp2, 0, "7fffffff",
       Value::Of(Dt(2038, 1, 19, 3, 14, 7))},
      {"timestamp2 zero", ColumnType::kTimestamp2, 0, "00000000",
       Value::Of(DateTime{})},
      {"timestamp2(1)", ColumnType::kTimestamp2, 1, "3a7b837246",
       Value::Of(Dt(2001, 2, 3, 4, 5, 6, 700000))},
      {"timestamp2(1) epoch+1", ColumnType::kTimestamp2, 1, "0000000100",
       Value::Of(Dt(1970, 1, 1, 0, 0, 1))},
      {"timestamp2(2)", ColumnType::kTimestamp2, 2, "7fffffff63",
       Value::Of(Dt(2038, 1, 19, 3, 14, 7, 990000))},
      {"timestamp2(3)", ColumnType::kTimestamp2, 3, "00000001000a",
       Value::Of(Dt(1970, 1, 1, 0, 0, 1, 1000))},
      {"timestamp2(3) zero", ColumnType::kTimestamp2, 3, "000000000000",
       Value::Of(DateTime{})},
      {"timestamp2(4)", ColumnType::kTimestamp2, 4, "3a7b83721ed3",
       Value::Of(Dt(2001, 2, 3, 4, 5, 6, 789100))},
      {"timestamp2(5)", ColumnType::kTimestamp2, 5, "3a7b83720c0a80",
       Value::Of(Dt(2001, 2, 3, 4, 5, 6, 789120))},
      {"timestamp2(6)", ColumnType::kTimestamp2, 6, "668148c00f423f",
       Value::Of(Dt(2024, 6, 30, 12, 0, 0, 999999))},
      // ENUM and SET: STRING columns whose metadata names the real type.
      {"enum named", ColumnType::kString, StringMeta(ColumnType::kEnum, 1),
       "02", Value::String("b"), false, kUtf8mb4, abc},
      {"enum index 0 named", ColumnType::kString,
       StringMeta(ColumnType::kEnum, 1), "00", Value::String(""), false,
       kUtf8mb4, abc},
      {"enum unnamed", ColumnType::kString, StringMeta(ColumnType::kEnum, 1),
       "02", Value::Uint64(2)},
      {"enum index 0 unnamed", ColumnType::kString,
       StringMeta(ColumnType::kEnum, 1), "00", Value::Uint64(0)},
      {"enum 2 bytes unnamed", ColumnType::kString,
       StringMeta(ColumnType::kEnum, 2), "0101", Value::Uint64(257)},
      {"enum as its own type", ColumnType::kEnum,
       StringMeta(ColumnType::kEnum, 1), "03", Value::String("c"), false,
       kUtf8mb4, abc},
      {"set named", ColumnType::kString, StringMeta(ColumnType::kSet, 1), "05",
       Value::String("x,z"), false, kUtf8mb4, {}, xyz},
      {"set empty named", ColumnType::kString, StringMeta(ColumnType::kSet, 1),
       "00", Value::String(""), false, kUtf8mb4, {}, xyz},
      {"set unnamed", ColumnType::kString, StringMeta(ColumnType::kSet, 1),
       "05", Value::Uint64(5)},
      {"set 2 bytes named", ColumnType::kString,
       StringMeta(ColumnType::kSet, 2), "0101", Value::String("a1,a9"), false,
       kUtf8mb4, {}, {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"}},
      {"set 8 bytes unnamed (hand-made)", ColumnType::kString,
       StringMeta(ColumnType::kSet, 8), "ffffffffffffffff",
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      // CHAR and BINARY: trailing spaces of CHAR and trailing zeros of BINARY
      // are stripped by the server before logging; what is logged is kept.
      {"char utf8mb4", ColumnType::kString, StringMeta(ColumnType::kString, 20),
       "026162", Value::String("ab"), false, kUtf8mb4},
      {"char empty", ColumnType::kString, StringMeta(ColumnType::kString, 20),
       "00", Value::String(""), false, kUtf8mb4},
      {"char binary keeps spaces", ColumnType::kString,
       StringMeta(ColumnType::kString, 5), "0461622020",
       Value::BytesOf("ab  "), false, kBinary},
      {"binary(4) 'a\\0\\0' as logged", ColumnType::kString,
       StringMeta(ColumnType::kString, 4), "0161", Value::BytesOf("a"), false,
       kBinary},
      {"binary(4) logged zero bytes kept (hand-made)", ColumnType::kString,
       StringMeta(ColumnType::kString, 4), "03610000",
       Value::BytesOf("a\0\0"s), false, kBinary},
      {"char charset unknown", ColumnType::kString,
       StringMeta(ColumnType::kString, 20), "026162", Value::BytesOf("ab")},
      {"char(100) utf8mb4: 400 bytes, 2-byte length", ColumnType::kString,
       0xee90, "04006c6f6e67", Value::String("long"), false, kUtf8mb4},
      {"char(128) utf8mb4 (MySQL): 512 bytes", ColumnType::kString, 0xde00,
       "0300616263", Value::String("abc"), false, 255},
      // VARCHAR / VARBINARY.
      {"varchar utf8mb4", ColumnType::kVarChar, 40, "0668c3a96c6c6f",
       Value::String("h\xc3\xa9llo"), false, kUtf8mb4},
      {"varchar latin1", ColumnType::kVarChar, 3, "01e9",
       Value::String("\xe9"), false, kLatin1},
      {"varchar 2-byte length", ColumnType::kVarChar, 300, "03006162ff",
       Value::BytesOf("ab\xff"), false, kBinary},
      {"varchar empty", ColumnType::kVarChar, 1200, "0000",
       Value::String(""), false, kUtf8mb4},
      {"var_string", ColumnType::kVarString, 10, "0161", Value::String("a"),
       false, kUtf8mb4},
      // BLOB / TEXT by length-prefix width.
      {"tinytext", ColumnType::kBlob, 1, "0174", Value::String("t"), false,
       kUtf8mb4},
      {"tinyblob", ColumnType::kBlob, 1, "0200ff", Value::BytesOf("\0\xff"s),
       false, kBinary},
      {"text", ColumnType::kBlob, 2, "0300666f6f", Value::String("foo"), false,
       255},
      {"mediumtext", ColumnType::kBlob, 3, "0200006d74", Value::String("mt"),
       false, kUtf8mb4},
      {"longblob", ColumnType::kBlob, 4, "020000000102",
       Value::BytesOf("\x01\x02"), false, kBinary},
      {"blob empty", ColumnType::kBlob, 2, "0000", Value::BytesOf(""), false,
       kBinary},
      {"blob charset unknown", ColumnType::kBlob, 2, "0100ff",
       Value::BytesOf("\xff")},
      {"geometry point", ColumnType::kGeometry, 4,
       "19000000000000000101000000000000000000f03f0000000000000040",
       Value::BytesOf(absl::HexStringToBytes(
           "000000000101000000000000000000f03f0000000000000040"))},
      // JSON: the text comes from JsonBinaryToText (json_binary.h).
      {"json object", ColumnType::kJson, 4, "0d0000000001000c000b00010004000065",
       Value::String("{\"e\": null}")},
      {"json opaque date", ColumnType::kJson, 4,
       "1700000000010016000b0001000f0c00620a080000000000e48b19",
       Value::String("{\"b\": \"2012-03-18\"}")},
      {"json empty is null", ColumnType::kJson, 4, "00000000",
       Value::String("null")},
      // VECTOR (MySQL 9): the raw float32 array.
      {"vector(3)", ColumnType::kVector, 4, "0c000000cdcc8c3fcdcc0c4033335340",
       Value::BytesOf(absl::HexStringToBytes("cdcc8c3fcdcc0c4033335340"))},
  };
}

TEST(DecodeCellTest, EveryTypeAndEdge) {
  for (const CellCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    const TableMap map = OneColumn(c);
    const std::string bytes = absl::HexStringToBytes(c.hex);
    // A byte of the next cell follows: the decoder must stop before it.
    const std::string input = bytes + "\xaa";
    WireReader r(input);
    absl::StatusOr<Value> v = DecodeCell(r, map, 0);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(*v, c.expected) << v->DebugString() << " vs "
                              << c.expected.DebugString();
    EXPECT_EQ(r.remaining(), 1u);
  }
}

TEST(DecodeCellTest, EveryTruncationFailsCleanly) {
  for (const CellCase& c : Cases()) {
    const TableMap map = OneColumn(c);
    const std::string bytes = absl::HexStringToBytes(c.hex);
    for (size_t len = 0; len < bytes.size(); ++len) {
      SCOPED_TRACE(absl::StrCat(c.name, " cut at ", len));
      const std::string prefix = bytes.substr(0, len);
      WireReader r(prefix);
      absl::StatusOr<Value> v = DecodeCell(r, map, 0);
      ASSERT_FALSE(v.ok());
      EXPECT_TRUE(IsProtocolError(v.status())) << v.status();
      EXPECT_NE(v.status().message().find("`db`.`t` column 0 `col`"),
                absl::string_view::npos)
          << v.status();
    }
  }
}

struct BadCase {
  std::string name;
  ColumnType type;
  uint16_t meta;
  std::string hex;
  std::vector<std::string> enum_values = {};
  std::vector<std::string> set_values = {};
};

TEST(DecodeCellTest, RejectsValuesNoServerWrites) {
  const std::vector<std::string> abc = {"a", "b", "c"};
  const BadCase cases[] = {
      {"date month 13", ColumnType::kDate, 0, "a1d10f"},
      {"time old minute 60", ColumnType::kTime, 0, "701700"},
      {"time2 minute 63", ColumnType::kTime2, 0, "800fc0"},
      {"time2 fsp 7", ColumnType::kTime2, 7, "80000000000000"},
      {"datetime old month 13", ColumnType::kDateTime, 0, "404f8ecb68120000"},
      {"datetime old second 60", ColumnType::kDateTime, 0, "7cc3078468120000"},
      {"datetime2 hour 24", ColumnType::kDateTime2, 0, "99b2438000"},
      {"datetime2 minute 60", ColumnType::kDateTime2, 0, "99b2420f00"},
      {"datetime2 year 10000", ColumnType::kDateTime2, 0, "fef4420000"},
      {"datetime2 negative", ColumnType::kDateTime2, 0, "7fffffffff"},
      {"datetime2(2) fraction 100", ColumnType::kDateTime2, 2, "99b244310564"},
      {"timestamp2(2) fraction 100", ColumnType::kTimestamp2, 2, "0000000164"},
      {"timestamp2 fsp 9", ColumnType::kTimestamp2, 9, "00000001000000"},
      {"decimal precision 0", ColumnType::kNewDecimal, 0x0000, "80"},
      {"decimal scale above precision", ColumnType::kNewDecimal, 0x0203, "80"},
      {"decimal bad group", ColumnType::kNewDecimal, 0x0900, "bb9aca00"},
      {"bit 9 bytes", ColumnType::kBit, 0x900, "000000000000000000"},
      {"bit 8 extra bits", ColumnType::kBit, 0x008, "00"},
      {"bit of no bits", ColumnType::kBit, 0x000, "00"},
      {"enum index beyond names", ColumnType::kString,
       StringMeta(ColumnType::kEnum, 1), "04", abc},
      {"enum index of 3 bytes", ColumnType::kString,
       StringMeta(ColumnType::kEnum, 3), "010000"},
      {"set member beyond names", ColumnType::kString,
       StringMeta(ColumnType::kSet, 1), "08", {}, abc},
      {"set of 9 bytes", ColumnType::kSet, StringMeta(ColumnType::kSet, 9),
       "000000000000000000"},
      {"varchar longer than its maximum", ColumnType::kVarChar, 3,
       "0461626364"},
      {"char longer than its maximum", ColumnType::kString,
       StringMeta(ColumnType::kString, 2), "03616263"},
      {"blob prefix of 0 bytes", ColumnType::kBlob, 0, "00"},
      {"blob prefix of 5 bytes", ColumnType::kBlob, 5, "0000000000"},
      {"vector not whole floats", ColumnType::kVector, 4, "050000000102030405"},
      {"json malformed", ColumnType::kJson, 4, "01000000ff"},
      {"null type", ColumnType::kNull, 0, "00"},
      {"old decimal", ColumnType::kDecimal, 0, "00"},
      {"newdate", ColumnType::kNewDate, 0, "000000"},
      {"typed array", ColumnType::kTypedArray, 0, "00"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    CellCase cc{c.name, c.type, c.meta, c.hex, Value::Null()};
    cc.enum_values = c.enum_values;
    cc.set_values = c.set_values;
    const TableMap map = OneColumn(cc);
    const std::string bytes = absl::HexStringToBytes(c.hex);
    WireReader r(bytes);
    absl::StatusOr<Value> v = DecodeCell(r, map, 0);
    ASSERT_FALSE(v.ok()) << v->DebugString();
    EXPECT_TRUE(IsProtocolError(v.status())) << v.status();
    EXPECT_NE(v.status().message().find("`db`.`t` column 0 `col`"),
              absl::string_view::npos)
        << v.status();
  }
}

TEST(DecodeCellTest, ColumnOutOfRange) {
  CellCase c{"x", ColumnType::kTiny, 0, "01", Value::Null()};
  const TableMap map = OneColumn(c);
  const std::string bytes = "\x01";
  WireReader r(bytes);
  EXPECT_TRUE(IsProtocolError(DecodeCell(r, map, 1).status()));
}

TEST(DecodeCellTest, LabelWithoutNames) {
  CellCase c{"x", ColumnType::kLong, 0, "", Value::Null()};
  TableMap map = OneColumn(c);
  map.column_names.clear();
  WireReader r("");
  absl::Status s = DecodeCell(r, map, 0).status();
  EXPECT_NE(s.message().find("`db`.`t` column 0 (INT)"), absl::string_view::npos)
      << s;
}

}  // namespace
}  // namespace mysqlwire::binlog
