#include "mysqlwire/binlog/json_binary.h"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/base/casts.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {
namespace {

// Bytes from hex digits; spaces are ignored so that fields can be grouped.
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

std::string Le(uint64_t value, int width) {
  std::string bytes;
  for (int i = 0; i < width; ++i) {
    bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  return bytes;
}

// The binary of one top-level double.
std::string DoubleDoc(double value) {
  return "\x0b" + Le(absl::bit_cast<uint64_t>(value), 8);
}

// A chain of `depth` small arrays, each holding the next; the innermost is
// empty. Returned without the outermost type byte.
std::string NestedArrayBody(int depth) {
  std::string body = Hex("0000 0400");  // []
  for (int i = 1; i < depth; ++i) {
    // count 1, size, entry {array, offset 7}, then the child array.
    body = absl::StrCat(Le(1, 2), Le(7 + body.size(), 2), Hex("02 0700"), body);
  }
  return body;
}

struct Case {
  std::string name;
  std::string binary;
  std::string text;
};

void ExpectDecodes(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    absl::StatusOr<std::string> text = JsonBinaryToText(c.binary);
    ASSERT_TRUE(text.ok()) << c.name << ": " << text.status();
    EXPECT_EQ(*text, c.text) << c.name;
  }
}

void ExpectMalformed(absl::string_view name, absl::string_view binary) {
  absl::StatusOr<std::string> text = JsonBinaryToText(binary);
  ASSERT_FALSE(text.ok()) << name << " decoded as " << *text;
  EXPECT_TRUE(IsProtocolError(text.status())) << name << ": " << text.status();
}

// {"a": 1, "b": [true, null, "x"]} as MySQL lays it out: key entries, value
// entries, keys, then the values that are not inlined.
const std::string& SmallObjectDoc() {
  static const std::string* doc =
      new std::string(Hex("00"                   // small object
                          "0200 2300"            // 2 members, 35 bytes
                          "1200 0100 1300 0100"  // keys at 18 and 19, length 1
                          "05 0100"              // "a": int16 1, inlined
                          "02 1400"              // "b": small array at 20
                          "61 62"                // "a" "b"
                          "0300 0f00"            // array: 3 elements, 15 bytes
                          "04 0100 04 0000"  // true, null (inlined literals)
                          "0c 0d00"          // string at 13 of the array
                          "01 78"));         // "x"
  return *doc;
}

// {"k": [1, -70000]} in the large (4-byte offset) format, where 32-bit
// integers are inlined too.
const std::string& LargeObjectDoc() {
  static const std::string* doc =
      new std::string(Hex("01"                 // large object
                          "01000000 26000000"  // 1 member, 38 bytes
                          "13000000 0100"      // key at 19, length 1
                          "03 14000000"        // large array at 20
                          "6b"                 // "k"
                          "02000000 12000000"  // 2 elements, 18 bytes
                          "05 01000000"        // int16 1, inlined
                          "07 90eefeff"));     // int32 -70000, inlined
  return *doc;
}

TEST(JsonBinaryTest, EmptyValueIsNull) {
  EXPECT_EQ(JsonBinaryToText("").value(), "null");
}

TEST(JsonBinaryTest, Literals) {
  ExpectDecodes({
      {"null", Hex("04 00"), "null"},
      {"true", Hex("04 01"), "true"},
      {"false", Hex("04 02"), "false"},
  });
  ExpectMalformed("literal 3", Hex("04 03"));
}

TEST(JsonBinaryTest, Integers) {
  ExpectDecodes({
      {"int16 min", Hex("05 0080"), "-32768"},
      {"int16 max", Hex("05 ff7f"), "32767"},
      {"int16 -1", Hex("05 ffff"), "-1"},
      {"uint16 max", Hex("06 ffff"), "65535"},
      {"int32 min", Hex("07 00000080"), "-2147483648"},
      {"int32 70000", Hex("07 70110100"), "70000"},
      {"uint32 max", Hex("08 ffffffff"), "4294967295"},
      {"int64 min", Hex("09 0000000000000080"), "-9223372036854775808"},
      {"int64 max", Hex("09 ffffffffffffff7f"), "9223372036854775807"},
      {"uint64 max", Hex("0a ffffffffffffffff"), "18446744073709551615"},
      {"uint64 0", Hex("0a 0000000000000000"), "0"},
  });
}

// MySQL prints doubles with my_gcvt(width 34) and appends ".0" when the
// result has neither '.' nor 'e'.
TEST(JsonBinaryTest, Doubles) {
  ExpectDecodes({
      {"2.5", DoubleDoc(2.5), "2.5"},
      {"1.0", DoubleDoc(1.0), "1.0"},
      {"100.0", DoubleDoc(100.0), "100.0"},
      {"0.0", DoubleDoc(0.0), "0.0"},
      {"-0.0", DoubleDoc(-0.0), "-0.0"},
      {"-1.25", DoubleDoc(-1.25), "-1.25"},
      {"0.1", DoubleDoc(0.1), "0.1"},
      {"3.14159", DoubleDoc(3.14159), "3.14159"},
      {"1e300", DoubleDoc(1e300), "1e300"},
      {"-1e300", DoubleDoc(-1e300), "-1e300"},
      {"1.5e-20", DoubleDoc(1.5e-20), "1.5e-20"},
      // The fixed form holds decimal exponents -14..15 (decpt in my_gcvt).
      {"1e14", DoubleDoc(1e14), "100000000000000.0"},
      {"999999999999999", DoubleDoc(999999999999999.0), "999999999999999.0"},
      {"1e15", DoubleDoc(1e15), "1e15"},
      {"1e16", DoubleDoc(1e16), "1e16"},
      {"1.2345678901234567e19", DoubleDoc(12345678901234567890.0),
       "1.2345678901234567e19"},
      // More digits than the integer part: stays fixed.
      {"1234567890123456.8", DoubleDoc(1234567890123456.8),
       "1234567890123456.8"},
      {"1e-15", DoubleDoc(1e-15), "0.000000000000001"},
      {"1.5e-7", DoubleDoc(1.5e-7), "0.00000015"},
      {"1e-16", DoubleDoc(1e-16), "1e-16"},
      {"0.1 + 0.2", DoubleDoc(0.1 + 0.2), "0.30000000000000004"},
      {"DBL_MAX", DoubleDoc(DBL_MAX), "1.7976931348623157e308"},
      {"DBL_MIN", DoubleDoc(DBL_MIN), "2.2250738585072014e-308"},
      {"denormal min", DoubleDoc(5e-324), "5e-324"},
  });
  ExpectMalformed("NaN", DoubleDoc(std::numeric_limits<double>::quiet_NaN()));
  ExpectMalformed("Inf", DoubleDoc(std::numeric_limits<double>::infinity()));
}

TEST(JsonBinaryTest, Strings) {
  ExpectDecodes({
      {"empty", Hex("0c 00"), "\"\""},
      {"abc", Hex("0c 03 616263"), "\"abc\""},
      {"escapes", "\x0c\x0b\"\\\b\f\n\r\t/\x01\x1f\x7f",
       R"("\"\\\b\f\n\r\t/\u0001\u001f)"
       "\x7f\""},
      {"nul byte", std::string("\x0c\x01\x00", 3), R"("\u0000")"},
      {"utf-8 passes through", "\x0c\x0a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x99\x82!",
       "\"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x99\x82!\""},
      // 200 needs two length bytes: 0x48 | 0x80, then 1.
      {"two-byte length", Hex("0c c801") + std::string(200, 'a'),
       "\"" + std::string(200, 'a') + "\""},
  });
  ExpectMalformed("length past the end", Hex("0c 05 6162"));
  ExpectMalformed("length of six bytes", Hex("0c 8080808080 00"));
  ExpectMalformed("length above 32 bits", Hex("0c ffffffff7f"));
}

TEST(JsonBinaryTest, SmallObjectAndArray) {
  ExpectDecodes({
      {"object", SmallObjectDoc(), R"({"a": 1, "b": [true, null, "x"]})"},
      {"empty object", Hex("00 0000 0400"), "{}"},
      {"empty array", Hex("02 0000 0400"), "[]"},
      // int32 is not inlined in a small array: entry points at offset 7.
      {"int32 in small array", Hex("02 0100 0b00 07 0700 70110100"), "[70000]"},
      {"double in small array",
       absl::StrCat(Hex("02 0100 0f00 0b 0700"),
                    Le(absl::bit_cast<uint64_t>(2.5), 8)),
       "[2.5]"},
      {"int64 and uint64",
       Hex("02 0200 1a00 09 0a00 0a 1200 ffffffffffffffff 0100000000000000"),
       "[-1, 1]"},
  });
}

TEST(JsonBinaryTest, LargeFormat) {
  ExpectDecodes({{"large object", LargeObjectDoc(), R"({"k": [1, -70000]})"}});

  // A document past 64 KiB, where MySQL has to use 4-byte offsets: one
  // string of 70000 bytes (length 0xf0 0xa2 0x04) in a large array.
  const std::string payload(70000, 'z');
  const std::string doc =
      absl::StrCat(Hex("03"), Le(1, 4), Le(8 + 5 + 3 + payload.size(), 4),
                   Hex("0c 0d000000 f0a204"), payload);
  absl::StatusOr<std::string> text = JsonBinaryToText(doc);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "[\"" + payload + "\"]");
}

TEST(JsonBinaryTest, UnicodeKeysInStoredOrder) {
  // Keys "é" (2 bytes) and "日本" (6 bytes), sorted by length as MySQL
  // stores them; header 4 + 2*4 + 2*3 = 18.
  const std::string doc =
      Hex("00 0200 1a00"
          "1200 0200 1400 0600"
          "05 0100 05 0200"
          "c3a9 e697a5e69cac");
  ExpectDecodes({{"unicode keys", doc,
                  "{\"\xc3\xa9\": 1, \"\xe6\x97\xa5\xe6\x9c\xac\": 2}"}});
}

TEST(JsonBinaryTest, Decimals) {
  ExpectDecodes({
      {"123.456", Hex("0f f6 06 0603807b01c8"), "123.456"},
      {"-123.456", Hex("0f f6 06 06037f84fe37"), "-123.456"},
      {"9.00 keeps its scale", Hex("0f f6 07 0b028000000900"), "9.00"},
      {"0.05", Hex("0f f6 04 04028005"), "0.05"},
      {"20 digits", Hex("0f f6 0b 14008c149aa4350dfb38d2"),
       "12345678901234567890"},
      {"-1.0000000001", Hex("0f f6 10 1e0a7ffffffffffffffffefffffffffe"),
       "-1.0000000001"},
      {"40 digits", Hex("0f f6 15 280c7fffffff9dd2606ed2cbc10315f8a432eafff3"),
       "-98765432109876543210.123456789012"},
      {"0", Hex("0f f6 03 010080"), "0"},
      {"-5", Hex("0f f6 03 01007a"), "-5"},
      {"in an object",
       Hex("00 0100 1400 0b00 0100 0f 0c00 64 f6 06 0603807b01c8"),
       R"({"d": 123.456})"},
  });
  ExpectMalformed("too few digit bytes", Hex("0f f6 05 0603807b01"));
  ExpectMalformed("too many digit bytes", Hex("0f f6 07 0603807b01c800"));
  ExpectMalformed("precision 0", Hex("0f f6 02 0000"));
  ExpectMalformed("scale above precision", Hex("0f f6 04 01028005"));
  ExpectMalformed("precision 66", Hex("0f f6 02 4200"));
  ExpectMalformed("group of 2 digits holding 100", Hex("0f f6 03 0200e4"));
  ExpectMalformed("no precision byte", Hex("0f f6 00"));
}

TEST(JsonBinaryTest, Temporals) {
  ExpectDecodes({
      {"date", Hex("0f 0a 08 0000000000e48b19"), R"("2012-03-18")"},
      {"date 2024", Hex("0f 0a 08 000000000044b219"), R"("2024-01-02")"},
      {"zero date", Hex("0f 0a 08 0000000000000000"), R"("0000-00-00")"},
      {"datetime", Hex("0f 0c 08 000000adb7e48b19"),
       R"("2012-03-18 11:30:45.000000")"},
      {"datetime micros", Hex("0f 0c 08 40e201053144b219"),
       R"("2024-01-02 03:04:05.123456")"},
      {"datetime max", Hex("0f 0c 08 3f420ffb7efff37e"),
       R"("9999-12-31 23:59:59.999999")"},
      {"timestamp", Hex("0f 07 08 40e201053144b219"),
       R"("2024-01-02 03:04:05.123456")"},
      {"time over 24h", Hex("0f 0b 08 f1fb09ee77050000"),
       R"("87:31:46.654321")"},
      {"negative time", Hex("0f 0b 08 e05ef84737ffffff"),
       R"("-12:34:56.500000")"},
      {"time max", Hex("0f 0b 08 000000fb6e340000"), R"("838:59:59.000000")"},
      {"time zero", Hex("0f 0b 08 0000000000000000"), R"("00:00:00.000000")"},
  });
  ExpectMalformed("date of 7 bytes", Hex("0f 0a 07 00000000e48b19"));
  ExpectMalformed("time of 9 bytes", Hex("0f 0b 09 000000000000000000"));
  ExpectMalformed("minute 60", Hex("0f 0b 08 000000001f000000"));
  ExpectMalformed("hour 24", Hex("0f 0c 08 000000008045b219"));
  ExpectMalformed("1000000 microseconds", Hex("0f 0c 08 40420f000044b219"));
  ExpectMalformed("year 10000", Hex("0f 0a 08 000000000042f47e"));
  ExpectMalformed("negative date", Hex("0f 0a 08 00000000001c74e6"));
}

TEST(JsonBinaryTest, OtherOpaqueValuesAsBase64) {
  // 60 bytes encode to 80 base64 characters: MySQL breaks the line after 76.
  std::string blob60;
  for (int i = 0; i < 60; ++i) blob60.push_back(static_cast<char>(i));
  ExpectDecodes({
      {"varchar", Hex("0f 0f 01 55"), R"("base64:type15:VQ==")"},
      {"blob", Hex("0f fc 03 010203"), R"("base64:type252:AQID")"},
      {"bit", Hex("0f 10 02 ff00"), R"("base64:type16:/wA=")"},
      {"geometry, empty", Hex("0f ff 00"), R"("base64:type255:")"},
      {"var_string prints as a string", Hex("0f fd 03 68 22 69"), R"("h\"i")"},
      {"line break", Hex("0f fc 3c") + blob60,
       "\"base64:type252:"
       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy"
       "MzQ1Njc4"
       "\\n"
       "OTo7\""},
  });
  ExpectMalformed("opaque without type", Hex("0f"));
  ExpectMalformed("opaque data past the end", Hex("0f fc 04 010203"));
}

TEST(JsonBinaryTest, NestingLimit) {
  absl::StatusOr<std::string> ok =
      JsonBinaryToText("\x02" + NestedArrayBody(100));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, std::string(100, '[') + std::string(100, ']'));
  ExpectMalformed("101 levels", "\x02" + NestedArrayBody(101));
  ExpectMalformed("1000 levels", "\x02" + NestedArrayBody(1000));
}

TEST(JsonBinaryTest, SharedSubvaluesCannotBlowUpTheOutput) {
  // Every level is an array of two entries pointing at one shared child,
  // so 60 levels would print 2^60 leaves.
  std::string body = Hex("0000 0400");
  for (int i = 0; i < 60; ++i) {
    body = absl::StrCat(Le(2, 2), Le(10 + body.size(), 2),
                        Hex("02 0a00 02 0a00"), body);
  }
  const absl::Time start = absl::Now();
  ExpectMalformed("shared children", "\x02" + body);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(JsonBinaryTest, EveryTruncationIsAnError) {
  const std::vector<Case> docs = {
      {"small object", SmallObjectDoc(), ""},
      {"large object", LargeObjectDoc(), ""},
      {"string", Hex("0c 03 616263"), ""},
      {"int64", Hex("09 0000000000000080"), ""},
      {"double", DoubleDoc(2.5), ""},
      {"decimal", Hex("0f f6 06 0603807b01c8"), ""},
      {"datetime", Hex("0f 0c 08 000000adb7e48b19"), ""},
      {"blob", Hex("0f fc 03 010203"), ""},
      {"nested", "\x02" + NestedArrayBody(5), ""},
  };
  for (const Case& doc : docs) {
    ASSERT_TRUE(JsonBinaryToText(doc.binary).ok()) << doc.name;
    // Length 0 is the JSON null MySQL stores for missing values.
    for (size_t n = 1; n < doc.binary.size(); ++n) {
      ExpectMalformed(absl::StrCat(doc.name, " cut to ", n),
                      doc.binary.substr(0, n));
    }
  }
}

TEST(JsonBinaryTest, OffsetsOutsideTheContainer) {
  ExpectMalformed("size beyond the data", Hex("02 0000 0500"));
  ExpectMalformed("entries beyond the size",
                  Hex("02 0200 0700 04 0100 04 0100"));
  ExpectMalformed("value offset equal to the size",
                  Hex("02 0100 0900 0c 0900 01 78"));
  ExpectMalformed("value offset beyond the size",
                  Hex("02 0100 0900 0c 4000 01 78"));
  ExpectMalformed("value offset into the header (self reference)",
                  Hex("02 0100 0700 02 0000"));
  ExpectMalformed("string running past its container",
                  Hex("02 0100 0900 0c 0700 05 78") + "yyyy");
  ExpectMalformed("key offset beyond the size",
                  Hex("00 0100 0c00 ff00 0100 04 0100 61"));
  ExpectMalformed("key offset into the header",
                  Hex("00 0100 0c00 0000 0100 04 0100 61"));
  ExpectMalformed("key length beyond the size",
                  Hex("00 0100 0c00 0b00 0200 04 0100 61"));
  ExpectMalformed("count beyond the size",
                  Hex("00 ffff 0c00 0b00 0100 04 0100 61"));
  ExpectMalformed("unknown value type", Hex("0d 00"));
  ExpectMalformed("unknown type in an entry", Hex("02 0100 0800 0d 0700 00"));
  ExpectMalformed("unknown literal in an entry", Hex("02 0100 0700 04 0900"));
}

TEST(JsonBinaryTest, TrailingBytesAreIgnored) {
  // MySQL reads a value by its own length; a row never has bytes after it,
  // but nothing depends on it either.
  EXPECT_EQ(JsonBinaryToText(Hex("04 01 ff")).value(), "true");
  EXPECT_EQ(JsonBinaryToText(Hex("02 0000 0400 ffff")).value(), "[]");
}

TEST(JsonBinaryTest, AppendJsonStringAndDouble) {
  std::string out;
  AppendJsonString("a\"b", &out);
  absl::StrAppend(&out, kJsonElementSeparator);
  AppendJsonDouble(-2.0, &out);
  absl::StrAppend(&out, kJsonKeySeparator);
  EXPECT_EQ(out, R"("a\"b", -2.0: )");
}

}  // namespace
}  // namespace mysqlwire::binlog
