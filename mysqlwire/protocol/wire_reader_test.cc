#include "mysqlwire/protocol/wire_reader.h"

#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

TEST(WireReaderTest, FixedIntegersAreLittleEndian) {
  WireReader r("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"s);
  EXPECT_EQ(r.U8(), 0x01);
  EXPECT_EQ(r.U16(), 0x0302);
  EXPECT_EQ(r.U24(), 0x060504u);
  EXPECT_EQ(r.U32(), 0x0a090807u);
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(r.StatusAtEnd("t").ok());
}

struct LenencCase {
  std::string bytes;
  uint64_t value;
};

TEST(WireReaderTest, LenencIntegers) {
  const LenencCase cases[] = {
      {"\x00"s, 0},
      {"\xfa"s, 250},
      {"\xfc\xfb\x00"s, 251},
      {"\xfc\xff\xff"s, 0xffff},
      {"\xfd\x00\x00\x01"s, 0x10000},
      {"\xfe\x01\x02\x03\x04\x05\x06\x07\x08"s, 0x0807060504030201ull},
  };
  for (const auto& c : cases) {
    WireReader r(c.bytes);
    EXPECT_EQ(r.Lenenc(), c.value);
    EXPECT_TRUE(r.StatusAtEnd("lenenc").ok());
    // Every strict prefix is truncated and must fail without reading past it.
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      WireReader cut(absl::string_view(c.bytes).substr(0, n));
      cut.Lenenc();
      EXPECT_FALSE(cut.ok()) << "prefix " << n;
      EXPECT_TRUE(IsProtocolError(cut.Status("lenenc")));
    }
    // Encoding produces the same bytes back.
    std::string out;
    WireWriter(&out).Lenenc(c.value);
    EXPECT_EQ(out, c.bytes);
  }
}

TEST(WireReaderTest, NullMarkerOnlyWhereAllowed) {
  WireReader a("\xfb"s);
  EXPECT_EQ(a.LenencOrNull(), std::nullopt);
  EXPECT_TRUE(a.ok());
  WireReader b("\xfb"s);
  b.Lenenc();
  EXPECT_FALSE(b.ok());
  WireReader c("\xff"s);
  c.LenencOrNull();
  EXPECT_FALSE(c.ok());
}

TEST(WireReaderTest, StringsAndStickyFailure) {
  WireReader r("\x03" "abcdef\0xyz"s);
  EXPECT_EQ(r.LenencString(), "abc");
  EXPECT_EQ(r.NulString(), "def");
  EXPECT_EQ(r.Rest(), "xyz");
  EXPECT_TRUE(r.StatusAtEnd("s").ok());

  WireReader bad("\x05" "ab"s);
  EXPECT_EQ(bad.LenencString(), "");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.U8(), 0);  // Sticky: later reads fail too.
  EXPECT_EQ(bad.remaining(), 0u);

  WireReader no_nul("abc"s);
  no_nul.NulString();
  EXPECT_FALSE(no_nul.ok());
}

TEST(WireReaderTest, TrailingBytesAreReported) {
  WireReader r("\x01\x02"s);
  r.U8();
  EXPECT_TRUE(r.Status("x").ok());
  absl::Status s = r.StatusAtEnd("x");
  EXPECT_TRUE(IsProtocolError(s));
  EXPECT_NE(s.message().find("trailing"), std::string::npos);
}

TEST(WireReaderTest, HugeLenencLengthDoesNotOverflow) {
  WireReader r("\xfe\xff\xff\xff\xff\xff\xff\xff\xff" "ab"s);
  EXPECT_EQ(r.LenencString(), "");
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace mysqlwire
