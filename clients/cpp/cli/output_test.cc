#include "clients/cpp/cli/output.h"

#include <sstream>
#include <string>
#include <vector>

#include "clients/cpp/params.h"
#include "gtest/gtest.h"

namespace mysqlgw::client::cli {
namespace {

QueryResult TwoResults() {
  QueryResult result;
  ResultSet& rows = result.results.emplace_back();
  v1::Column id, name;
  id.set_name("id");
  id.set_type(v1::COLUMN_TYPE_LONG);
  name.set_name("name");
  name.set_type(v1::COLUMN_TYPE_VAR_STRING);
  name.set_nullable(true);
  rows.columns = {id, name};
  v1::Row r1, r2;
  *r1.add_values() = Param::Int(1);
  *r1.add_values() = Param::String("a\tb");
  *r2.add_values() = Param::Int(2);
  *r2.add_values() = Param::Null();
  rows.rows = {r1, r2};
  ResultSet& ok = result.results.emplace_back();
  ok.outcome.set_affected_rows(1);
  ok.outcome.set_last_insert_id(5);
  ok.outcome.set_warnings(2);
  return result;
}

std::string Print(Format format, const QueryResult& result) {
  std::ostringstream out;
  ResultPrinter(format, &out).Print(result);
  return out.str();
}

TEST(ParseFormatTest, Names) {
  EXPECT_EQ(*ParseFormat("table"), Format::kTable);
  EXPECT_EQ(*ParseFormat("jsonl"), Format::kJsonl);
  EXPECT_EQ(*ParseFormat("tsv"), Format::kTsv);
  EXPECT_FALSE(ParseFormat("json").ok());
}

TEST(TsvEscapeTest, LikeMysqlBatch) {
  EXPECT_EQ(TsvEscape(std::string("a\tb\nc\\d\0e\r", 10)), "a\\tb\\nc\\\\d\\0e\r");
}

TEST(ResultPrinterTest, Table) {
  EXPECT_EQ(Print(Format::kTable, TwoResults()),
            "+----+------+\n"
            "| id | name |\n"
            "+----+------+\n"
            "|  1 | a\tb  |\n"
            "|  2 | NULL |\n"
            "+----+------+\n"
            "2 rows in set\n"
            "\n"
            "Query OK, 1 row affected, 2 warnings\n"
            "Last insert id: 5\n");
}

TEST(ResultPrinterTest, Jsonl) {
  EXPECT_EQ(Print(Format::kJsonl, TwoResults()),
            "{\"id\":1,\"name\":\"a\\tb\"}\n"
            "{\"id\":2,\"name\":null}\n"
            "{\"affected_rows\":1,\"last_insert_id\":5,\"warnings\":2,\"info\":\"\"}\n");
}

TEST(ResultPrinterTest, Tsv) {
  EXPECT_EQ(Print(Format::kTsv, TwoResults()),
            "id\tname\n"
            "1\ta\\tb\n"
            "2\tNULL\n"
            "affected_rows\tlast_insert_id\twarnings\tinfo\n"
            "1\t5\t2\t\n");
}

TEST(ResultPrinterTest, EmptySetAndInfoAndTransactionControl) {
  QueryResult result;
  ResultSet& empty = result.results.emplace_back();
  empty.columns.emplace_back().set_name("x");
  ResultSet& insert = result.results.emplace_back();
  insert.outcome.set_affected_rows(3);
  insert.outcome.set_info("Records: 3  Duplicates: 0  Warnings: 0");
  std::ostringstream out;
  ResultPrinter printer(Format::kTable, &out);
  printer.TransactionControl();
  printer.Print(result);
  EXPECT_EQ(out.str(),
            "Query OK, 0 rows affected\n"
            "\n"
            "Empty set\n"
            "\n"
            "Query OK, 3 rows affected\n"
            "Records: 3  Duplicates: 0  Warnings: 0\n");

  std::ostringstream jsonl;
  ResultPrinter(Format::kJsonl, &jsonl).TransactionControl();
  EXPECT_EQ(jsonl.str(), "");
}

}  // namespace
}  // namespace mysqlgw::client::cli
