#include "mysqlwire/protocol/prepare_response.h"

#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/statement.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

ColumnDefinition Column(absl::string_view name, ColumnType type) {
  ColumnDefinition c;
  c.catalog = "def";
  c.name = std::string(name);
  c.type = type;
  c.character_set = kBinaryCollation;
  return c;
}

TEST(PrepareOkTest, Layout) {
  PrepareOk ok{0x01020304, 2, 1, 3};
  const std::string bytes = SerializePrepareOk(ok);
  EXPECT_EQ(bytes, "\x00\x04\x03\x02\x01\x02\x00\x01\x00\x00\x03\x00"s);
  auto parsed = ParsePrepareOk(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, ok);
}

TEST(PrepareResponseTest, ClassicEofAfterEachGroup) {
  const ColumnDefinition param = UntypedParameter();
  const ColumnDefinition col = Column("?", ColumnType::kLongLong);
  auto packets = SerializePrepareResponse(7, {param}, {col}, 0, kServerStatusAutocommit,
                                          kClientProtocol41);
  ASSERT_TRUE(packets.ok()) << packets.status();
  ASSERT_EQ(packets->size(), 5u);
  EXPECT_EQ((*packets)[0], "\x00\x07\x00\x00\x00\x01\x00\x01\x00\x00\x00\x00"s);
  EXPECT_EQ((*packets)[1], SerializeColumnDefinition(param));
  EXPECT_EQ((*packets)[2], "\xfe\x00\x00\x02\x00"s);
  EXPECT_EQ((*packets)[3], SerializeColumnDefinition(col));
  EXPECT_EQ((*packets)[4], "\xfe\x00\x00\x02\x00"s);
  // The parameter announces itself the way MySQL does: "?", VAR_STRING, binary.
  auto p = ParseColumnDefinition((*packets)[1]);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "?");
  EXPECT_EQ(p->type, ColumnType::kVarString);
  EXPECT_EQ(p->character_set, kBinaryCollation);
}

TEST(PrepareResponseTest, DeprecateEofAndEmptyGroups) {
  auto packets = SerializePrepareResponse(
      1, {}, {Column("a", ColumnType::kLong), Column("b", ColumnType::kLong)}, 0, 0,
      kClientProtocol41 | kClientDeprecateEof);
  ASSERT_TRUE(packets.ok());
  ASSERT_EQ(packets->size(), 3u);
  for (size_t i = 1; i < packets->size(); ++i) {
    EXPECT_FALSE(IsEofOrOkTerminator((*packets)[i])) << i;
  }
  // No parameters and no columns (e.g. "DO 1"): just the OK, no EOF.
  packets = SerializePrepareResponse(2, {}, {}, 0, 0, kClientProtocol41);
  ASSERT_TRUE(packets.ok());
  EXPECT_EQ(packets->size(), 1u);
}

TEST(PrepareResponseTest, RejectsTooManyParameters) {
  std::vector<ColumnDefinition> params(65536, UntypedParameter());
  EXPECT_EQ(SerializePrepareResponse(1, params, {}, 0, 0, kClientProtocol41).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mysqlwire
