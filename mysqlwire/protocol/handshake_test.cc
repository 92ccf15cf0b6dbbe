#include "mysqlwire/protocol/handshake.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/capabilities.h"

namespace mysqlwire {
namespace {

// Captured from MariaDB 10.11.19 (Debian 12): the payload of its first packet.
const std::string kMariaDbHandshake = absl::HexStringToBytes(
    "0a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275312d6c6f"
    "6700040000002f73777c29534a5500fef7080200ff81150000000000001d0000004d632a"
    "455c233521467b592e006d7973716c5f6e61746976655f70617373776f726400");

TEST(InitialHandshakeTest, ParsesCapturedMariaDb) {
  auto hs = ParseInitialHandshake(kMariaDbHandshake);
  ASSERT_TRUE(hs.ok()) << hs.status();
  EXPECT_EQ(hs->protocol_version, 10);
  EXPECT_EQ(hs->server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_EQ(hs->connection_id, 4u);
  EXPECT_EQ(absl::BytesToHexString(hs->auth_plugin_data),
            "2f73777c29534a554d632a455c233521467b592e");
  EXPECT_EQ(hs->character_set, 8);
  EXPECT_EQ(hs->status_flags, kServerStatusAutocommit);
  EXPECT_TRUE(hs->is_mariadb());
  EXPECT_EQ(hs->capabilities & 0xffffffffull, 0x81fff7feull);
  EXPECT_EQ(hs->capabilities >> 32, 0x1dull);
  EXPECT_TRUE(hs->capabilities & kClientPluginAuth);
  EXPECT_TRUE(hs->capabilities & kClientDeprecateEof);
  EXPECT_FALSE(hs->capabilities & kClientSsl);  // Captured without TLS.
  EXPECT_EQ(hs->auth_plugin_name, "mysql_native_password");
}

TEST(InitialHandshakeTest, EveryTruncationFailsCleanly) {
  // Cuts inside the fixed part must fail; the only legal short form is a
  // pre-4.1 handshake ending right after the low capability bytes.
  for (size_t n = 0; n < kMariaDbHandshake.size(); ++n) {
    auto hs = ParseInitialHandshake(kMariaDbHandshake.substr(0, n));
    if (n == 53) {  // Right after the low capabilities (pre-4.1 layout).
      EXPECT_TRUE(hs.ok()) << n;
      continue;
    }
    if (hs.ok()) {
      // A cut inside the plugin name yields a shorter name, never garbage.
      EXPECT_TRUE(absl::string_view(kMariaDbHandshake)
                      .find(hs->auth_plugin_name) != absl::string_view::npos);
      EXPECT_GE(n, 78u) << n;
    } else {
      EXPECT_TRUE(IsProtocolError(hs.status())) << n << hs.status();
    }
  }
}

TEST(InitialHandshakeTest, RejectsOtherProtocolVersions) {
  std::string v9 = kMariaDbHandshake;
  v9[0] = 9;
  EXPECT_TRUE(IsProtocolError(ParseInitialHandshake(v9).status()));
  std::string trailing = kMariaDbHandshake + "x";
  trailing += '\0';
  EXPECT_TRUE(IsProtocolError(ParseInitialHandshake(trailing).status()));
}

TEST(InitialHandshakeTest, SerializeMatchesCapture) {
  auto hs = ParseInitialHandshake(kMariaDbHandshake);
  ASSERT_TRUE(hs.ok());
  EXPECT_EQ(absl::BytesToHexString(SerializeInitialHandshake(*hs)),
            absl::BytesToHexString(kMariaDbHandshake));
}

TEST(HandshakeResponseTest, SerializesKnownBytes) {
  HandshakeResponse r;
  r.capabilities = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                   kClientPluginAuthLenencData | kClientConnectWithDb |
                   kClientConnectAttrs | kClientLongPassword;
  r.max_packet_size = 0x01000000;
  r.character_set = 45;
  r.username = "u";
  r.auth_response = "\x01\x02";
  r.database = "db";
  r.auth_plugin_name = "p";
  r.attributes = {{"k", "v"}};
  std::string expected = absl::HexStringToBytes(
      "09823800"    // capabilities 0x00388209
      "00000001"    // max packet
      "2d"          // charset 45
      "00000000000000000000000000000000000000"  // 19 zero bytes
      "00000000"    // extended capabilities
      "7500"        // "u\0"
      "020102"      // lenenc auth response
      "646200"      // "db\0"
      "7000"        // "p\0"
      "04016b0176"  // attributes: len 4, "k", "v"
  );
  EXPECT_EQ(absl::BytesToHexString(SerializeHandshakeResponse(r)),
            absl::BytesToHexString(expected));

  auto parsed = ParseHandshakeResponse(expected);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->username, "u");
  EXPECT_EQ(parsed->auth_response, "\x01\x02");
  EXPECT_EQ(parsed->database, "db");
  EXPECT_EQ(parsed->auth_plugin_name, "p");
  ASSERT_EQ(parsed->attributes.size(), 1u);
  EXPECT_EQ(parsed->attributes[0].second, "v");
  for (size_t n = 0; n + 1 < expected.size(); ++n) {
    auto cut = ParseHandshakeResponse(expected.substr(0, n));
    // Optional trailing sections may legally be absent; everything else fails.
    if (cut.ok()) {
      EXPECT_GE(n, 40u) << n;
    } else {
      EXPECT_TRUE(IsProtocolError(cut.status())) << n;
    }
  }
  EXPECT_FALSE(ParseHandshakeResponse(expected + "z").ok());
}

TEST(SslRequestTest, IsThirtyTwoBytesWithSslFlag) {
  std::string req = SerializeSslRequest(kClientProtocol41, 1 << 24, 45);
  ASSERT_EQ(req.size(), kSslRequestSize);
  EXPECT_EQ(static_cast<uint8_t>(req[1]) & 0x08, 0x08);  // CLIENT_SSL = 0x800
}

TEST(AuthSwitchTest, ParsesAndRejectsOldPassword) {
  std::string payload = std::string("\xfe", 1) + "mysql_native_password" +
                        std::string("\0", 1) + "01234567890123456789" +
                        std::string("\0", 1);
  auto req = ParseAuthSwitchRequest(payload);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->plugin_name, "mysql_native_password");
  EXPECT_EQ(req->plugin_data, std::string("01234567890123456789\0", 21));
  EXPECT_EQ(SerializeAuthSwitchRequest(*req), payload);
  EXPECT_TRUE(IsProtocolError(ParseAuthSwitchRequest("\xfe").status()));
  EXPECT_TRUE(IsProtocolError(ParseAuthSwitchRequest("").status()));
  EXPECT_TRUE(IsProtocolError(ParseAuthSwitchRequest("\xfe" "abc").status()));
  EXPECT_TRUE(IsProtocolError(ParseAuthSwitchRequest("\x01" "abc").status()));
}

TEST(AuthMoreDataTest, Parses) {
  auto d = ParseAuthMoreData("\x01\x03");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "\x03");
  EXPECT_FALSE(ParseAuthMoreData("").ok());
  EXPECT_FALSE(ParseAuthMoreData("\x02x").ok());
}

}  // namespace
}  // namespace mysqlwire
