#include "mysqlwire/protocol/server_commands.h"

#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/commands.h"
#include "mysqlwire/protocol/statement.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

// Every strict prefix of `payload` must fail with a protocol error.
template <typename Parse>
void ExpectPrefixesFail(const std::string& payload, Parse parse, size_t from = 0) {
  for (size_t n = from; n < payload.size(); ++n) {
    auto result = parse(payload.substr(0, n));
    EXPECT_FALSE(result.ok()) << "prefix of " << n << " bytes";
    if (!result.ok()) {
      EXPECT_TRUE(IsProtocolError(result.status())) << result.status();
    }
  }
}

TEST(ServerCommandsTest, Query) {
  auto sql = ParseQueryCommand("\x03SELECT 1"s);
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(*sql, "SELECT 1");
  EXPECT_EQ(*ParseQueryCommand(BuildQuery("")), "");
  EXPECT_TRUE(IsProtocolError(ParseQueryCommand("").status()));
  EXPECT_TRUE(IsProtocolError(ParseQueryCommand("\x02SELECT 1"s).status()));
}

TEST(ServerCommandsTest, InitDb) {
  auto db = ParseInitDb(BuildInitDb("shop"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db, "shop");
  EXPECT_TRUE(IsProtocolError(ParseInitDb("\x02"s).status()));
  EXPECT_TRUE(IsProtocolError(ParseInitDb("").status()));
  EXPECT_TRUE(IsProtocolError(ParseInitDb("\x03shop"s).status()));
}

TEST(ServerCommandsTest, FieldList) {
  auto req = ParseFieldList("\x04t1\x00" "c%"s);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->table, "t1");
  EXPECT_EQ(req->wildcard, "c%");
  req = ParseFieldList("\x04t1\x00"s);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->wildcard, "");
  // Without the NUL the table name never ends.
  EXPECT_TRUE(IsProtocolError(ParseFieldList("\x04t1"s).status()));
  ExpectPrefixesFail("\x04t1\x00"s, ParseFieldList);
}

TEST(ServerCommandsTest, StmtCloseAndReset) {
  auto id = ParseStmtIdCommand(BuildStmtClose(0x01020304), Command::kStmtClose);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 0x01020304u);
  EXPECT_EQ(*ParseStmtIdCommand("\x1a\x07\x00\x00\x00"s, Command::kStmtReset), 7u);
  // Close is not reset.
  EXPECT_TRUE(IsProtocolError(
      ParseStmtIdCommand(BuildStmtClose(7), Command::kStmtReset).status()));
  EXPECT_TRUE(IsProtocolError(
      ParseStmtIdCommand(BuildStmtClose(7) + "x", Command::kStmtClose).status()));
  EXPECT_EQ(ParseStmtIdCommand(BuildStmtClose(7), Command::kQuery).status().code(),
            absl::StatusCode::kInvalidArgument);
  ExpectPrefixesFail(BuildStmtReset(9), [](absl::string_view p) {
    return ParseStmtIdCommand(p, Command::kStmtReset);
  });
}

TEST(ServerCommandsTest, SendLongData) {
  const std::string payload = "\x18\x05\x00\x00\x00\x02\x00" "blob\x00" "data"s;
  EXPECT_EQ(BuildStmtSendLongData(5, 2, "blob\0data"s), payload);
  auto req = ParseStmtSendLongData(payload);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->statement_id, 5u);
  EXPECT_EQ(req->param_id, 2);
  EXPECT_EQ(req->data, "blob\0data"s);
  auto empty = ParseStmtSendLongData(payload.substr(0, 7));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->data, "");
  ExpectPrefixesFail(payload.substr(0, 7), ParseStmtSendLongData);
}

TEST(ServerCommandsTest, FetchSetOptionKill) {
  auto fetch = ParseStmtFetch("\x1c\x01\x00\x00\x00\x64\x00\x00\x00"s);
  ASSERT_TRUE(fetch.ok());
  EXPECT_EQ(fetch->statement_id, 1u);
  EXPECT_EQ(fetch->num_rows, 100u);
  ExpectPrefixesFail("\x1c\x01\x00\x00\x00\x64\x00\x00\x00"s, ParseStmtFetch);

  EXPECT_EQ(*ParseSetOption("\x1b\x01\x00"s), kOptionMultiStatementsOff);
  EXPECT_EQ(*ParseSetOption("\x1b\x00\x00"s), kOptionMultiStatementsOn);
  ExpectPrefixesFail("\x1b\x01\x00"s, ParseSetOption);
  EXPECT_FALSE(ParseSetOption("\x1b\x01\x00\x00"s).ok());

  EXPECT_EQ(*ParseProcessKill("\x0c\x2a\x00\x00\x00"s), 42u);
  ExpectPrefixesFail("\x0c\x2a\x00\x00\x00"s, ParseProcessKill);
}

constexpr uint64_t kCaps = kClientProtocol41 | kClientSecureConnection |
                           kClientPluginAuth | kClientConnectAttrs |
                           kClientPluginAuthLenencData;

TEST(ServerCommandsTest, ChangeUserFullForm) {
  // As libmariadb sends it: 1-byte auth length even with lenenc client data.
  const std::string payload =
      "\x11u\x00\x03\xaa\xbb\xcc" "db\x00\x2d\x00mysql_native_password\x00"
      "\x0a\x03_os\x05Linux"s;
  auto req = ParseChangeUser(payload, kCaps);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->username, "u");
  EXPECT_EQ(req->auth_response, "\xaa\xbb\xcc");
  EXPECT_EQ(req->database, "db");
  EXPECT_EQ(req->character_set, 45);
  EXPECT_EQ(req->auth_plugin_name, "mysql_native_password");
  ASSERT_EQ(req->attributes.size(), 1u);
  EXPECT_EQ(req->attributes[0].first, "_os");
  EXPECT_EQ(req->attributes[0].second, "Linux");
  EXPECT_EQ(SerializeChangeUser(*req, kCaps), payload);
  // Every cut fails except where the optional tail may stop: after the
  // schema (10), after the charset (12) and after the plugin name (34).
  for (size_t n = 0; n < payload.size(); ++n) {
    if (n == 10 || n == 12 || n == 34) {
      EXPECT_TRUE(ParseChangeUser(payload.substr(0, n), kCaps).ok()) << n;
      continue;
    }
    EXPECT_FALSE(ParseChangeUser(payload.substr(0, n), kCaps).ok()) << n;
  }
  EXPECT_FALSE(ParseChangeUser(payload + "x", kCaps).ok());
}

TEST(ServerCommandsTest, ChangeUserShortForms) {
  auto req = ParseChangeUser("\x11u\x00\x00" "db\x00"s, kCaps);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->auth_response, "");
  EXPECT_EQ(req->character_set, 0);
  // Pre-secure-connection clients send a NUL-terminated response.
  req = ParseChangeUser("\x11u\x00pw\x00\x00"s, kClientProtocol41);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->auth_response, "pw");
  EXPECT_EQ(req->database, "");
  // An auth length running past the end.
  EXPECT_TRUE(IsProtocolError(ParseChangeUser("\x11u\x00\x20\x01\x02"s, kCaps).status()));
  // Attributes whose inner lengths overrun their block.
  EXPECT_TRUE(IsProtocolError(
      ParseChangeUser("\x11u\x00\x00\x00\x2d\x00p\x00\x03\x05" "ab"s, kCaps).status()));
  EXPECT_TRUE(IsProtocolError(ParseChangeUser("\x03u\x00\x00\x00"s, kCaps).status()));
}

}  // namespace
}  // namespace mysqlwire
