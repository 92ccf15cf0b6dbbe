#include "server/auth/token_hash.h"

#include <string>

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

TEST(TokenHashTest, KnownDigests) {
  // printf %s "" | sha256sum ; printf %s abc | sha256sum
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), kSha256Bytes);
}

TEST(TokenHashTest, ParseHex) {
  std::string hex = Sha256Hex("token");
  std::optional<std::string> digest = ParseSha256Hex(hex);
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(*digest, Sha256("token"));
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(ParseSha256Hex(hex), Sha256("token"));
  EXPECT_FALSE(ParseSha256Hex(hex.substr(1)).has_value());
  EXPECT_FALSE(ParseSha256Hex(std::string(64, 'z')).has_value());
  EXPECT_FALSE(ParseSha256Hex("").has_value());
}

TEST(TokenHashTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals(Sha256("a"), Sha256("a")));
  EXPECT_FALSE(ConstantTimeEquals(Sha256("a"), Sha256("b")));
  std::string x = Sha256("a");
  std::string y = x;
  y.back() ^= 1;  // Differs only in the last byte.
  EXPECT_FALSE(ConstantTimeEquals(x, y));
  EXPECT_FALSE(ConstantTimeEquals(x, x.substr(0, 31)));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace mysqlgw
