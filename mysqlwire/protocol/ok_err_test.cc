#include "mysqlwire/protocol/ok_err.h"

#include <string>

#include "absl/strings/escaping.h"
#include "mysqlwire/protocol/capabilities.h"
#include "gtest/gtest.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

TEST(OkPacketTest, ParsesInsertResult) {
  // INSERT of 3 rows, last id 0x1234, autocommit, 1 warning,
  // "Records: 3  Duplicates: 0  Warnings: 1" as string<EOF>.
  std::string info = "Records: 3  Duplicates: 0  Warnings: 1";
  std::string payload = "\x00\x03\xfc\x34\x12\x02\x00\x01\x00"s + info;
  auto ok = ParseOkPacket(payload, kClientProtocol41);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->affected_rows, 3u);
  EXPECT_EQ(ok->last_insert_id, 0x1234u);
  EXPECT_EQ(ok->status_flags, kServerStatusAutocommit);
  EXPECT_EQ(ok->warnings, 1);
  EXPECT_EQ(ok->info, info);
  // Written the way MariaDB writes it and client libraries read it: with a
  // length prefix; read back either way.
  const std::string written = SerializeOkPacket(*ok, kClientProtocol41);
  EXPECT_EQ(written, "\x00\x03\xfc\x34\x12\x02\x00\x01\x00"s +
                         static_cast<char>(info.size()) + info);
  auto again = ParseOkPacket(written, kClientProtocol41);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->info, info);
  // A prefix that does not span the rest is just text.
  EXPECT_EQ(
      ParseOkPacket("\x00\x00\x00\x02\x00\x00\x00\x05" "abc"s, kClientProtocol41)
          ->info,
      "\x05" "abc");
  for (size_t n = 0; n < 7; ++n) {
    EXPECT_FALSE(ParseOkPacket(payload.substr(0, n), kClientProtocol41).ok())
        << n;
  }
}

TEST(OkPacketTest, SessionTrackLayout) {
  std::string payload = "\xfe\x00\x00\x22\x40\x00\x00\x02hi\x03xyz"s;
  auto ok = ParseOkPacket(payload, kClientProtocol41 | kClientSessionTrack);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status_flags, 0x4022);
  EXPECT_EQ(ok->info, "hi");
  EXPECT_EQ(ok->session_state, "xyz");
  EXPECT_FALSE(
      ParseOkPacket(payload + "!", kClientProtocol41 | kClientSessionTrack)
          .ok());
  for (size_t n = 8; n < payload.size(); ++n) {
    if (n == 7)
      continue;
    EXPECT_FALSE(ParseOkPacket(payload.substr(0, n),
                               kClientProtocol41 | kClientSessionTrack)
                     .ok())
        << n;
  }
}

TEST(OkPacketTest, RejectsWrongHeader) {
  EXPECT_TRUE(IsProtocolError(
      ParseOkPacket("\x01\x00\x00\x02\x00\x00\x00"s, kClientProtocol41)
          .status()));
}

TEST(ErrPacketTest, ParsesDuplicateKey) {
  std::string payload =
      "\xff\x26\x04#23000Duplicate entry '1' for key 'PRIMARY'"s;
  auto err = ParseErrPacket(payload);
  ASSERT_TRUE(err.ok()) << err.status();
  EXPECT_EQ(err->code, 1062);
  EXPECT_EQ(err->sql_state, "23000");
  EXPECT_EQ(err->message, "Duplicate entry '1' for key 'PRIMARY'");
  EXPECT_EQ(SerializeErrPacket(*err), payload);
  for (size_t n = 0; n < 3; ++n)
    EXPECT_FALSE(ParseErrPacket(payload.substr(0, n)).ok());
  for (size_t n = 4; n < 9; ++n)
    EXPECT_FALSE(ParseErrPacket(payload.substr(0, n)).ok()) << n;

  absl::Status s = ServerErrorStatus(*err);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  auto back = GetServerError(s);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->code, 1062);
  EXPECT_EQ(back->sql_state, "23000");
  EXPECT_EQ(back->message, err->message);
}

TEST(ErrPacketTest, WithoutSqlStateAndProgress) {
  auto err = ParseErrPacket("\xff\x10\x04Too many connections"s);
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 1040);
  EXPECT_EQ(err->sql_state, "HY000");
  EXPECT_EQ(err->message, "Too many connections");
  EXPECT_FALSE(ParseErrPacket("\xff\xff\xff\x01"s).ok());
  EXPECT_FALSE(ParseErrPacket("\x00\x10\x04"s).ok());
}

TEST(EofPacketTest, ParsesStrictly) {
  std::string payload = "\xfe\x01\x00\x0a\x00"s;
  auto eof = ParseEofPacket(payload);
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(eof->warnings, 1);
  EXPECT_EQ(eof->status_flags,
            kServerMoreResultsExists | kServerStatusAutocommit);
  EXPECT_EQ(SerializeEofPacket(*eof), payload);
  for (size_t n = 0; n < payload.size(); ++n)
    EXPECT_FALSE(ParseEofPacket(payload.substr(0, n)).ok());
  EXPECT_FALSE(ParseEofPacket(payload + "x").ok());
  EXPECT_TRUE(IsEofOrOkTerminator(payload));
  EXPECT_FALSE(IsEofOrOkTerminator(""));
}

} // namespace
} // namespace mysqlwire
