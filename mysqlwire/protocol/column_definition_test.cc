#include "mysqlwire/protocol/column_definition.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

struct DefinitionCase {
  std::string name;
  std::string bytes;  // Captured from MariaDB 10.11 unless noted.
  ColumnDefinition expected;
};

ColumnDefinition Def(std::string schema, std::string table,
                     std::string org_table, std::string name,
                     std::string org_name, uint16_t charset, uint32_t length,
                     ColumnType type, uint16_t flags, uint8_t decimals) {
  ColumnDefinition c;
  c.catalog = "def";
  c.schema = std::move(schema);
  c.table = std::move(table);
  c.org_table = std::move(org_table);
  c.name = std::move(name);
  c.org_name = std::move(org_name);
  c.character_set = charset;
  c.column_length = length;
  c.type = type;
  c.flags = flags;
  c.decimals = decimals;
  return c;
}

std::vector<DefinitionCase> Cases() {
  return {
      // SELECT 1
      {"select_1",
       "\x03\x64\x65\x66\x00\x00\x00\x01\x31\x00\x0c\x3f\x00\x01\x00\x00\x00"
       "\x03\x81\x00\x00\x00\x00"s,
       Def("", "", "", "1", "", 63, 1, ColumnType::kLong, 0x81, 0)},
      // SELECT id AS x FROM test.t AS u: id INT PRIMARY KEY.
      {"aliases",
       "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x01\x75\x01\x74\x01\x78\x02\x69"
       "\x64\x0c\x3f\x00\x0b\x00\x00\x00\x03\x03\x50\x00\x00\x00"s,
       Def("test", "u", "t", "x", "id", 63, 11, ColumnType::kLong, 0x5003, 0)},
      // SELECT NULL AS n
      {"null",
       "\x03\x64\x65\x66\x00\x00\x00\x01\x6e\x00\x0c\x3f\x00\x00\x00\x00\x00"
       "\x06\x80\x00\x00\x00\x00"s,
       Def("", "", "", "n", "", 63, 0, ColumnType::kNull, 0x80, 0)},
      // SELECT 1.5 AS d
      {"decimal_literal",
       "\x03\x64\x65\x66\x00\x00\x00\x01\x64\x00\x0c\x3f\x00\x04\x00\x00\x00"
       "\xf6\x81\x00\x01\x00\x00"s,
       Def("", "", "", "d", "", 63, 4, ColumnType::kNewDecimal, 0x81, 1)},
      // BIGINT UNSIGNED
      {"bigint_unsigned",
       "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x01\x74\x01\x74\x02\x62\x75\x02"
       "\x62\x75\x0c\x3f\x00\x14\x00\x00\x00\x08\x20\x00\x00\x00\x00"s,
       Def("test", "t", "t", "bu", "bu", 63, 20, ColumnType::kLongLong, 0x20,
           0)},
      // DATETIME(6)
      {"datetime6",
       "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x01\x74\x01\x74\x03\x64\x74\x74"
       "\x03\x64\x74\x74\x0c\x3f\x00\x1a\x00\x00\x00\x0c\x80\x00\x06\x00\x00"s,
       Def("test", "t", "t", "dtt", "dtt", 63, 26, ColumnType::kDateTime, 0x80,
           6)},
      // VARCHAR(20) in utf8mb4 (collation 45).
      {"varchar",
       "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x01\x74\x01\x74\x02\x76\x63\x02"
       "\x76\x63\x0c\x2d\x00\x50\x00\x00\x00\xfd\x00\x00\x00\x00\x00"s,
       Def("test", "t", "t", "vc", "vc", 45, 80, ColumnType::kVarString, 0, 0)},
      // JSON: MariaDB sends LONGTEXT (type BLOB) with the BINARY flag.
      {"json_mariadb",
       "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x01\x74\x01\x74\x01\x6a\x01\x6a"
       "\x0c\x2d\x00\xff\xff\xff\xff\xfc\x90\x00\x00\x00\x00"s,
       Def("test", "t", "t", "j", "j", 45, 0xffffffff, ColumnType::kBlob, 0x90,
           0)},
      // ENUM('a','b'): type STRING with the ENUM flag.
      {"enum",
       "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x01\x74\x01\x74\x01\x65\x01\x65"
       "\x0c\x2d\x00\x04\x00\x00\x00\xfe\x00\x01\x00\x00\x00"s,
       Def("test", "t", "t", "e", "e", 45, 4, ColumnType::kString, kEnumFlag,
           0)},
      // DOUBLE: decimals 31 means "not fixed".
      {"double",
       "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x01\x74\x01\x74\x01\x64\x01\x64"
       "\x0c\x3f\x00\x16\x00\x00\x00\x05\x00\x00\x1f\x00\x00"s,
       Def("test", "t", "t", "d", "d", 63, 22, ColumnType::kDouble, 0, 31)},
  };
}

TEST(ColumnDefinitionTest, ParsesCapturedPackets) {
  for (const DefinitionCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<ColumnDefinition> parsed = ParseColumnDefinition(c.bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, c.expected);
  }
}

TEST(ColumnDefinitionTest, SerializesToTheCapturedBytes) {
  for (const DefinitionCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(SerializeColumnDefinition(c.expected), c.bytes);
  }
}

TEST(ColumnDefinitionTest, EveryPrefixIsAProtocolError) {
  for (const DefinitionCase& c : Cases()) {
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      absl::StatusOr<ColumnDefinition> parsed =
          ParseColumnDefinition(absl::string_view(c.bytes).substr(0, n));
      EXPECT_TRUE(IsProtocolError(parsed.status()))
          << c.name << " prefix " << n << ": " << parsed.status();
    }
  }
}

TEST(ColumnDefinitionTest, TrailingBytesThatAreNotADefaultValueAreRejected) {
  // After the filler only a lenenc default value (COM_FIELD_LIST) may follow.
  const std::string extras[] = {
      "\x01"s,          // A 1-byte string with no byte.
      "x"s,             // 0x78: a 120-byte string, truncated.
      "\xff"s,          // Not a length at all.
      "\x00\x00"s,      // An empty default, then a stray byte.
      "\xfb\x00"s,      // A NULL default, then a stray byte.
      "\x02\x34\x32!"s  // "42", then a stray byte.
  };
  for (const DefinitionCase& c : Cases()) {
    for (const std::string& extra : extras) {
      absl::StatusOr<ColumnDefinition> parsed =
          ParseColumnDefinition(c.bytes + extra);
      EXPECT_TRUE(IsProtocolError(parsed.status()))
          << c.name << " + " << absl::CEscape(extra);
    }
  }
}

TEST(ColumnDefinitionTest, AcceptsComFieldListDefaultValues) {
  // COM_FIELD_LIST "dflt" for CREATE TABLE dflt (a INT DEFAULT 42,
  // b VARCHAR(5) DEFAULT NULL).
  const std::string with_default =
      "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x04\x64\x66\x6c\x74\x04\x64\x66"
      "\x6c\x74\x01\x61\x01\x61\x0c\x3f\x00\x0b\x00\x00\x00\x03\x00\x00\x00"
      "\x00\x00\x02\x34\x32"s;
  const std::string with_null_default =
      "\x03\x64\x65\x66\x04\x74\x65\x73\x74\x04\x64\x66\x6c\x74\x04\x64\x66"
      "\x6c\x74\x01\x62\x01\x62\x0c\x2d\x00\x14\x00\x00\x00\xfd\x00\x00\x00"
      "\x00\x00\xfb"s;
  absl::StatusOr<ColumnDefinition> a = ParseColumnDefinition(with_default);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, Def("test", "dflt", "dflt", "a", "a", 63, 11, ColumnType::kLong,
                    0, 0));
  absl::StatusOr<ColumnDefinition> b = ParseColumnDefinition(with_null_default);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->type, ColumnType::kVarString);
  EXPECT_EQ(b->character_set, 45);
  // Cut anywhere inside the default value, the packet is truncated.
  for (size_t n = with_default.size() - 2; n < with_default.size(); ++n) {
    EXPECT_TRUE(IsProtocolError(
        ParseColumnDefinition(absl::string_view(with_default).substr(0, n))
            .status()))
        << n;
  }
}

TEST(ColumnDefinitionTest, FixedBlockMustBeTwelveBytes) {
  // Same as SELECT 1 with the block length changed.
  std::string bytes = Cases()[0].bytes;
  const size_t at = bytes.find('\x0c');
  ASSERT_NE(at, std::string::npos);
  for (char length : {'\x0b', '\x0d', '\x00', '\xfb'}) {
    std::string changed = bytes;
    changed[at] = length;
    EXPECT_TRUE(IsProtocolError(ParseColumnDefinition(changed).status()))
        << int{length};
  }
}

TEST(ColumnDefinitionTest, UnknownTypeCodesAreRejected) {
  std::string bytes = Cases()[0].bytes;
  const size_t type_at = bytes.size() - 6;  // type, flags<2>, dec, filler<2>
  ASSERT_EQ(bytes[type_at], '\x03');
  for (int code : {0x15, 0x20, 0x80, 0xf0, 0xf4}) {
    std::string changed = bytes;
    changed[type_at] = static_cast<char>(code);
    EXPECT_TRUE(IsProtocolError(ParseColumnDefinition(changed).status()))
        << code;
    EXPECT_FALSE(IsKnownColumnType(static_cast<uint8_t>(code)));
  }
  for (int code : {0x00, 0x13, 0x14, 0xf2, 0xf5, 0xff}) {
    EXPECT_TRUE(IsKnownColumnType(static_cast<uint8_t>(code))) << code;
  }
}

TEST(ColumnDefinitionTest, NullMarkerIsNotAString) {
  // 0xfb in place of the catalog length.
  EXPECT_TRUE(IsProtocolError(
      ParseColumnDefinition("\xfb\x00\x00\x00\x01\x31\x00\x0c"s).status()));
}

TEST(ColumnDefinitionTest, LongStringsUseWiderLengths) {
  ColumnDefinition c = Def("s", "t", "t", std::string(300, 'n'), "o", 33,
                           0xfffffffe, ColumnType::kGeometry, 0xffff, 0xff);
  const std::string bytes = SerializeColumnDefinition(c);
  // def, s, t, t, then 0xfc 0x2c 0x01 and 300 bytes of name.
  EXPECT_EQ(bytes.substr(0, 10), "\x03\x64\x65\x66\x01s\x01t\x01t"s);
  EXPECT_EQ(bytes.substr(10, 3), "\xfc\x2c\x01"s);
  EXPECT_EQ(bytes.substr(313),
            "\x01o\x0c\x21\x00\xfe\xff\xff\xff\xff\xff\xff\xff\x00\x00"s);
  absl::StatusOr<ColumnDefinition> parsed = ParseColumnDefinition(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, c);
}

TEST(ColumnDefinitionTest, Accessors) {
  ColumnDefinition c;
  c.flags = kUnsignedFlag | kNotNullFlag;
  c.character_set = 63;
  EXPECT_TRUE(c.is_unsigned());
  EXPECT_TRUE(c.is_not_null());
  EXPECT_TRUE(c.is_binary());
  c.flags = kBinaryFlag;  // The flag alone does not make it binary.
  c.character_set = 45;
  EXPECT_FALSE(c.is_unsigned());
  EXPECT_FALSE(c.is_not_null());
  EXPECT_FALSE(c.is_binary());
}

struct CountCase {
  std::string bytes;
  uint64_t count;
};

TEST(ColumnCountTest, ParsesLenencCounts) {
  const CountCase cases[] = {
      {"\x01"s, 1},   // SELECT 1
      {"\x18"s, 24},  // SELECT * FROM a 24-column table
      {"\xfa"s, 250},
      {"\xfc\xfb\x00"s, 251},
      {"\xfc\x00\x10"s, 4096},
      {"\xfd\x00\x00\x01"s, 65536},
  };
  for (const CountCase& c : cases) {
    absl::StatusOr<uint64_t> count = ParseColumnCount(c.bytes);
    ASSERT_TRUE(count.ok()) << count.status();
    EXPECT_EQ(*count, c.count);
    EXPECT_EQ(SerializeColumnCount(c.count), c.bytes);
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      EXPECT_TRUE(IsProtocolError(
          ParseColumnCount(absl::string_view(c.bytes).substr(0, n)).status()));
    }
    // A metadata-follows byte (not negotiated) or any other extra byte.
    EXPECT_TRUE(IsProtocolError(ParseColumnCount(c.bytes + "\x01"s).status()));
    EXPECT_TRUE(IsProtocolError(ParseColumnCount(c.bytes + "\x00"s).status()));
  }
}

TEST(ColumnCountTest, RejectsWhatIsNotACount) {
  for (const std::string& bytes :
       {""s, "\x00"s, "\xfb"s, "\xff"s, "\xfe\x00\x00\x02\x00"s}) {
    EXPECT_TRUE(IsProtocolError(ParseColumnCount(bytes).status()))
        << absl::CEscape(bytes);
  }
}

TEST(ValueKindOfTest, FollowsTypeFlagsAndCharset) {
  struct KindCase {
    ColumnType type;
    uint16_t flags;
    uint16_t charset;
    std::optional<Value::Kind> kind;
  };
  using K = Value::Kind;
  const KindCase cases[] = {
      {ColumnType::kTiny, 0, 63, K::kInt64},
      {ColumnType::kTiny, kUnsignedFlag, 63, K::kUint64},
      {ColumnType::kInt24, 0, 63, K::kInt64},
      {ColumnType::kLongLong, kUnsignedFlag, 63, K::kUint64},
      {ColumnType::kYear, kUnsignedFlag | kZerofillFlag, 63, K::kUint64},
      {ColumnType::kYear, 0, 63, K::kInt64},
      {ColumnType::kBit, kUnsignedFlag, 63, K::kUint64},
      {ColumnType::kBit, 0, 63, K::kUint64},
      {ColumnType::kFloat, 0, 63, K::kFloat},
      {ColumnType::kDouble, 0, 63, K::kDouble},
      {ColumnType::kDecimal, 0, 63, K::kDecimal},
      {ColumnType::kNewDecimal, 0, 63, K::kDecimal},
      {ColumnType::kDate, 0, 63, K::kDate},
      {ColumnType::kNewDate, 0, 63, K::kDate},
      {ColumnType::kDateTime, 0, 63, K::kDateTime},
      {ColumnType::kTimestamp, 0, 63, K::kDateTime},
      {ColumnType::kTime, 0, 63, K::kTime},
      {ColumnType::kJson, kBinaryFlag, 63, K::kString},
      {ColumnType::kGeometry, 0, 45, K::kBytes},
      {ColumnType::kBlob, kBlobFlag, 45, K::kString},  // TEXT
      {ColumnType::kBlob, kBlobFlag | kBinaryFlag, 63, K::kBytes},
      {ColumnType::kBlob, kBlobFlag | kBinaryFlag, 45, K::kString},  // JSON
      {ColumnType::kString, kEnumFlag, 45, K::kString},
      {ColumnType::kString, kSetFlag, 45, K::kString},
      {ColumnType::kString, kBinaryFlag, 63, K::kBytes},  // BINARY(n)
      {ColumnType::kVarString, 0, 33, K::kString},
      {ColumnType::kVarString, kBinaryFlag, 63, K::kBytes},
      {ColumnType::kNull, 0, 63, K::kNull},
      {ColumnType::kTypedArray, 0, 63, std::nullopt},
  };
  for (const KindCase& c : cases) {
    ColumnDefinition column;
    column.type = c.type;
    column.flags = c.flags;
    column.character_set = c.charset;
    EXPECT_EQ(ValueKindOf(column), c.kind)
        << ColumnTypeName(c.type) << " flags " << c.flags << " charset "
        << c.charset;
  }
}

TEST(ColumnCountWithFlagTest, ParsesBothFlagsAndRejectsTheRest) {
  auto with = ParseColumnCountWithMetadataFlag(std::string("\x03\x01", 2));
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(with->count, 3u);
  EXPECT_TRUE(with->metadata_follows);
  auto without = ParseColumnCountWithMetadataFlag(std::string("\xfc\x2c\x01\x00", 4));
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(without->count, 300u);
  EXPECT_FALSE(without->metadata_follows);
  for (const std::string& bad :
       {std::string(), std::string("\x03", 1), std::string("\x03\x02", 2),
        std::string("\x03\x01\x00", 3), std::string("\x00\x01", 2),
        std::string("\xfc\x2c", 2)}) {
    EXPECT_TRUE(IsProtocolError(ParseColumnCountWithMetadataFlag(bad).status()));
  }
}

}  // namespace
}  // namespace mysqlwire
