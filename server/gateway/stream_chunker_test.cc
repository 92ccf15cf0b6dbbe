#include "server/gateway/stream_chunker.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

mysqlwire::ColumnDefinition Column(const std::string& name, mysqlwire::ColumnType type) {
  mysqlwire::ColumnDefinition c;
  c.name = name;
  c.type = type;
  c.character_set = 45;
  return c;
}

TEST(StreamChunkerTest, MessagesParseBackAndChunksStayNearTheLimit) {
  StreamChunker chunker(1000);
  std::vector<mysqlwire::ColumnDefinition> columns = {
      Column("id", mysqlwire::ColumnType::kLongLong), Column("s", mysqlwire::ColumnType::kVarString)};
  chunker.BeginResult(columns);
  for (int i = 0; i < 100; ++i) {
    std::vector<mysqlwire::Value> row = {mysqlwire::Value::Int64(i),
                                         mysqlwire::Value::String(std::string(40, 'a' + i % 26))};
    chunker.AddRow(row);
  }
  mysqlwire::OkPacket ok;
  ok.warnings = 2;
  chunker.EndResult(ok);

  std::vector<v1::StreamQueryResponse> messages;
  while (chunker.HasMessage()) {
    std::string bytes = chunker.TakeMessage();
    EXPECT_LT(bytes.size(), 1000u + 100u);  // One row at most past the limit.
    v1::StreamQueryResponse m;
    ASSERT_TRUE(m.ParseFromString(bytes));
    messages.push_back(m);
  }
  ASSERT_GE(messages.size(), 5u);
  ASSERT_TRUE(messages.front().has_header());
  EXPECT_EQ(messages.front().header().columns(1).name(), "s");
  ASSERT_TRUE(messages.back().has_footer());
  EXPECT_EQ(messages.back().footer().row_count(), 100u);
  EXPECT_EQ(messages.back().footer().outcome().warnings(), 2u);
  int64_t next = 0;
  for (size_t i = 1; i + 1 < messages.size(); ++i) {
    ASSERT_TRUE(messages[i].has_rows());
    for (const auto& row : messages[i].rows().rows()) {
      EXPECT_EQ(row.values(0).int64(), next);
      EXPECT_EQ(row.values(1).string(), std::string(40, 'a' + next % 26));
      ++next;
    }
  }
  EXPECT_EQ(next, 100);
  EXPECT_EQ(chunker.buffered_bytes(), 0u);
}

TEST(StreamChunkerTest, EmptyResultAndMultipleResults) {
  StreamChunker chunker(1 << 16);
  chunker.BeginResult({});
  chunker.EndResult(mysqlwire::OkPacket{});
  chunker.BeginResult({Column("x", mysqlwire::ColumnType::kLong)});
  std::vector<mysqlwire::Value> row = {mysqlwire::Value::Int64(7)};
  chunker.AddRow(row);
  chunker.EndResult(mysqlwire::OkPacket{});
  std::vector<v1::StreamQueryResponse> messages;
  while (chunker.HasMessage()) {
    v1::StreamQueryResponse m;
    ASSERT_TRUE(m.ParseFromString(chunker.TakeMessage()));
    messages.push_back(m);
  }
  ASSERT_EQ(messages.size(), 5u);  // header, footer, header, rows, footer
  EXPECT_EQ(messages[1].footer().result_index(), 0u);
  EXPECT_EQ(messages[2].header().result_index(), 1u);
  EXPECT_EQ(messages[3].rows().rows(0).values(0).int64(), 7);
  EXPECT_EQ(messages[4].footer().row_count(), 1u);
}

}  // namespace
}  // namespace mysqlgw
