#include "mysqlwire/binlog/decimal_binary.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {
namespace {

struct DecimalCase {
  int precision;
  int scale;
  std::string hex;
  std::string text;
};

// Bytes logged by MariaDB 10.11 for the values inserted (the text is what
// mariadb-binlog -vv printed for them), plus hand-made edge cases marked so.
const DecimalCase kCases[] = {
    {10, 4, "7ffff3f2b7", "-12.3400"},
    {10, 4, "8000000001", "0.0001"},
    {10, 4, "8000000000", "0.0000"},
    {65, 30,
     "7a0a1f00c4653600c4653600c4653600c4653600c4653600c4653600fc18",
     "-99999999999999999999999999999999999.999999999999999999999999999999"},
    {65, 30,
     "800000000000000000000000000000000000000000000000000000000001",
     "0.000000000000000000000000000001"},
    {5, 0, "800000", "0"},
    {5, 0, "7e7960", "-99999"},
    {18, 9, "875bcd15075bcd15", "123456789.123456789"},
    {18, 9, "44653600c4653600", "-999999999.999999999"},
    {1, 1, "89", "0.9"},
    {1, 1, "76", "-0.9"},
    {1, 1, "80", "0.0"},
    {20, 10, "7ffffffffffffffffffe", "-0.0000000001"},
    {20, 10, "810dfb38d200bc614e09", "1234567890.0123456789"},
    {65, 0, "8c149aa4350dfb38d2075bcd1500bc614e35b7bf87350e34c02f075f79",
     "12345678901234567890123456789012345678901234567890123456789012345"},
    {65, 0, "7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffe",
     "-1"},
    {38, 38, "875bcd1500bc614e35b7bf87350e34c04e",
     "0.12345678901234567890123456789012345678"},
    {38, 38, "7ffffffffffffffffffffffffffffffffe",
     "-0.00000000000000000000000000000000000001"},
    // Hand-made: leading zeros inside a full group, DECIMAL(15,2) and
    // DECIMAL(17,2) as MySQL 5.7 logged 0.00 (mysql-bin.checksum-crc32).
    {12, 2, "81000000010c", "1000000001.12"},
    {15, 2, "80000000000000", "0.00"},
    {17, 2, "8000000000000000", "0.00"},
    // A negative zero never shows its sign.
    {4, 2, "7fff", "0.00"},
};

TEST(DecimalBinaryTest, DecodesCapturedValues) {
  for (const DecimalCase& c : kCases) {
    SCOPED_TRACE(c.hex);
    const std::string bytes = absl::HexStringToBytes(c.hex);
    ASSERT_EQ(BinaryDecimalSize(c.precision, c.scale), bytes.size());
    absl::StatusOr<std::string> text =
        BinaryDecimalToText(bytes, c.precision, c.scale);
    ASSERT_TRUE(text.ok()) << text.status();
    EXPECT_EQ(*text, c.text);
  }
}

TEST(DecimalBinaryTest, Sizes) {
  EXPECT_EQ(BinaryDecimalSize(1, 0), 1u);
  EXPECT_EQ(BinaryDecimalSize(9, 0), 4u);
  EXPECT_EQ(BinaryDecimalSize(10, 0), 5u);
  EXPECT_EQ(BinaryDecimalSize(10, 4), 5u);   // 6 digits -> 3, 4 digits -> 2
  EXPECT_EQ(BinaryDecimalSize(65, 30), 30u);
  EXPECT_EQ(BinaryDecimalSize(65, 0), 29u);
  EXPECT_EQ(BinaryDecimalSize(0, 0), 0u);
  EXPECT_EQ(BinaryDecimalSize(66, 0), 0u);
  EXPECT_EQ(BinaryDecimalSize(5, 6), 0u);
  EXPECT_EQ(BinaryDecimalSize(5, -1), 0u);
}

TEST(DecimalBinaryTest, RejectsMalformed) {
  // Wrong size, both ways.
  EXPECT_TRUE(IsProtocolError(
      BinaryDecimalToText(absl::HexStringToBytes("80"), 5, 0).status()));
  EXPECT_TRUE(IsProtocolError(
      BinaryDecimalToText(absl::HexStringToBytes("80000000"), 5, 0).status()));
  // Invalid precision.
  EXPECT_TRUE(IsProtocolError(BinaryDecimalToText("", 0, 0).status()));
  // A full group of 1000000000.
  EXPECT_TRUE(IsProtocolError(
      BinaryDecimalToText(absl::HexStringToBytes("bb9aca00"), 9, 0).status()));
  // DECIMAL(1,0) holds one digit: 10 does not fit.
  EXPECT_TRUE(IsProtocolError(
      BinaryDecimalToText(absl::HexStringToBytes("8a"), 1, 0).status()));
  // Two fraction digits in one byte: 100 does not fit.
  EXPECT_TRUE(IsProtocolError(
      BinaryDecimalToText(absl::HexStringToBytes("8064"), 3, 2).status()));
}

}  // namespace
}  // namespace mysqlwire::binlog
