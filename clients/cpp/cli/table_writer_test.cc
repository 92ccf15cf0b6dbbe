#include "clients/cpp/cli/table_writer.h"

#include <sstream>
#include <string>
#include <vector>

#include "clients/cpp/params.h"
#include "gtest/gtest.h"

namespace mysqlgw::client::cli {
namespace {

v1::Column Col(const std::string& name, v1::ColumnType type, bool nullable = false) {
  v1::Column c;
  c.set_name(name);
  c.set_type(type);
  c.set_nullable(nullable);
  return c;
}

v1::Row RowOf(std::vector<v1::Value> values) {
  v1::Row row;
  for (auto& v : values) *row.add_values() = v;
  return row;
}

TEST(DisplayCellsTest, WideCharactersTakeTwo) {
  EXPECT_EQ(DisplayCells(""), 0u);
  EXPECT_EQ(DisplayCells("abc"), 3u);
  EXPECT_EQ(DisplayCells("héllo"), 5u);
  EXPECT_EQ(DisplayCells("日本"), 4u);
  EXPECT_EQ(DisplayCells("한"), 2u);
  EXPECT_EQ(DisplayCells("ＡＢ"), 4u);  // Full-width forms.
}

// Expected outputs are what `mariadb -t --binary-as-hex` prints for the same
// result (checked against MariaDB 10.11).
TEST(FormatTableTest, LikeTheMysqlClient) {
  std::vector<v1::Column> columns = {
      Col("id", v1::COLUMN_TYPE_LONG), Col("name", v1::COLUMN_TYPE_VAR_STRING, true),
      Col("amount", v1::COLUMN_TYPE_NEWDECIMAL, true), Col("b", v1::COLUMN_TYPE_BLOB, true)};
  std::vector<v1::Row> rows = {
      RowOf({Param::Int(1), Param::String("héllo"), Param::Decimal("12.50"),
             Param::Bytes(std::string("\x00\xff", 2))}),
      RowOf({Param::Int(100), Param::Null(), Param::Null(), Param::Null()})};
  EXPECT_EQ(FormatTable(columns, rows),
            "+-----+--------+--------+--------+\n"
            "| id  | name   | amount | b      |\n"
            "+-----+--------+--------+--------+\n"
            "|   1 | héllo  |  12.50 | 0x00FF |\n"
            "| 100 | NULL   |   NULL | NULL   |\n"
            "+-----+--------+--------+--------+\n");
}

TEST(FormatTableTest, WidthsCountBytesAndPaddingCountsCells) {
  std::vector<v1::Column> columns = {Col("s", v1::COLUMN_TYPE_VAR_STRING),
                                     Col("nämé", v1::COLUMN_TYPE_VAR_STRING)};
  std::vector<v1::Row> rows = {RowOf({Param::String("héllo"), Param::String("é")}),
                               RowOf({Param::String("日本"), Param::String("ab")})};
  EXPECT_EQ(FormatTable(columns, rows),
            "+--------+--------+\n"
            "| s      | nämé   |\n"
            "+--------+--------+\n"
            "| héllo  | é      |\n"
            "| 日本   | ab     |\n"
            "+--------+--------+\n");
}

TEST(FormatTableTest, NullableColumnsFitNullAndHeadersAreLeftAligned) {
  std::vector<v1::Column> columns = {Col("n", v1::COLUMN_TYPE_NULL, true),
                                     Col("i", v1::COLUMN_TYPE_LONGLONG),
                                     Col("t", v1::COLUMN_TYPE_TIME)};
  v1::Column dt = Col("d", v1::COLUMN_TYPE_DATETIME, true);
  dt.set_decimals(3);
  columns.push_back(dt);
  std::vector<v1::Row> rows = {RowOf({Param::Null(), Param::Int(1), Param::Time(100, 0, 0, 0, true),
                                      Param::DateTime(2024, 1, 2, 3, 4, 5, 500000)})};
  EXPECT_EQ(FormatTable(columns, rows),
            "+------+---+------------+-------------------------+\n"
            "| n    | i | t          | d                       |\n"
            "+------+---+------------+-------------------------+\n"
            "| NULL | 1 | -100:00:00 | 2024-01-02 03:04:05.500 |\n"
            "+------+---+------------+-------------------------+\n");
}

TEST(FormatTableTest, NoRowsPrintsNothing) {
  EXPECT_EQ(FormatTable({Col("a", v1::COLUMN_TYPE_LONG)}, {}), "");
}

TEST(TableWriterTest, StreamingSizesColumnsByTheSample) {
  std::ostringstream out;
  TableWriter writer({Col("v", v1::COLUMN_TYPE_VAR_STRING)}, &out, /*sample_rows=*/2);
  writer.AddRow(RowOf({Param::String("ab")}));
  EXPECT_EQ(out.str(), "");  // Held until the sample is complete.
  writer.AddRow(RowOf({Param::String("abc")}));
  EXPECT_EQ(out.str(),
            "+-----+\n"
            "| v   |\n"
            "+-----+\n"
            "| ab  |\n"
            "| abc |\n");
  writer.AddRow(RowOf({Param::String("longer")}));  // Spills over.
  writer.Finish();
  EXPECT_EQ(out.str(),
            "+-----+\n"
            "| v   |\n"
            "+-----+\n"
            "| ab  |\n"
            "| abc |\n"
            "| longer |\n"
            "+-----+\n");
  EXPECT_EQ(writer.rows(), 3u);
}

}  // namespace
}  // namespace mysqlgw::client::cli
