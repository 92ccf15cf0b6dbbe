#include "clients/cpp/result.h"

#include <string>

#include "clients/cpp/params.h"
#include "gtest/gtest.h"

namespace mysqlgw::client {
namespace {

v1::QueryResponse Response() {
  v1::QueryResponse r;
  v1::ResultSet* rs = r.add_results();
  rs->add_columns()->set_name("id");
  rs->add_columns()->set_name("name");
  v1::Row* row = rs->add_rows();
  *row->add_values() = Param::Int(7);
  *row->add_values() = Param::String("seven");
  rs->mutable_outcome()->set_warnings(1);
  r.add_results()->mutable_outcome()->set_affected_rows(2);
  return r;
}

TEST(QueryResultTest, FromProtoAndAccessors) {
  QueryResult result = FromProto(Response());
  ASSERT_EQ(result.results.size(), 2u);
  EXPECT_EQ(result.columns().size(), 2u);
  EXPECT_EQ(result.rows().size(), 1u);
  EXPECT_EQ(result.outcome().warnings(), 1u);
  EXPECT_EQ(result.Scalar()->int64(), 7);
  EXPECT_FALSE(result.results[1].has_columns());
  EXPECT_EQ(result.results[1].outcome.affected_rows(), 2u);

  const ResultSet& set = result.first();
  EXPECT_EQ(set.ColumnNames(), (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(set.ColumnIndex("name"), 1u);
  EXPECT_FALSE(set.ColumnIndex("Name").has_value());
  EXPECT_EQ(set.Get(0, "name")->string(), "seven");
  EXPECT_EQ(set.Get(0, 1)->string(), "seven");
  EXPECT_EQ(set.Get(1, 0).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(set.Get(0, 2).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(set.Get(0, "nope").status().code(), absl::StatusCode::kNotFound);
}

TEST(QueryResultTest, EmptyResults) {
  QueryResult none;
  EXPECT_TRUE(none.rows().empty());
  EXPECT_TRUE(none.columns().empty());
  EXPECT_EQ(none.Scalar().status().code(), absl::StatusCode::kNotFound);
}

TEST(TypedReadTest, Integers) {
  EXPECT_EQ(*AsInt64(Param::Int(-1)), -1);
  EXPECT_EQ(*AsInt64(Param::Uint(5)), 5);
  EXPECT_EQ(AsInt64(Param::Uint(UINT64_MAX)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(*AsUint64(Param::Uint(UINT64_MAX)), UINT64_MAX);
  EXPECT_EQ(*AsUint64(Param::Int(3)), 3u);
  EXPECT_EQ(AsUint64(Param::Int(-3)).status().code(), absl::StatusCode::kOutOfRange);
  absl::Status null = AsInt64(Param::Null()).status();
  EXPECT_EQ(null.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(null.message(), "NULL is not an integer");
  EXPECT_EQ(AsInt64(Param::String("1")).status().message(), "a string value is not an integer");
}

TEST(TypedReadTest, DoublesAndStrings) {
  EXPECT_EQ(*AsDouble(Param::Double(2.5)), 2.5);
  EXPECT_EQ(*AsDouble(Param::Float(0.5f)), 0.5);
  EXPECT_EQ(*AsDouble(Param::Decimal("-1.25")), -1.25);
  EXPECT_EQ(*AsDouble(Param::Int(4)), 4.0);
  EXPECT_FALSE(AsDouble(Param::String("x")).ok());
  EXPECT_EQ(*AsString(Param::String("s")), "s");
  EXPECT_EQ(*AsString(Param::Decimal("1.50")), "1.50");
  EXPECT_EQ(*AsString(Param::Json("{}")), "{}");
  EXPECT_EQ(*AsString(Param::Bytes(std::string("\0", 1))), std::string("\0", 1));
  EXPECT_EQ(*AsString(Param::Date(2024, 1, 2)), "2024-01-02");
  EXPECT_EQ(*AsString(Param::Int(5)), "5");
  EXPECT_FALSE(AsString(Param::Null()).ok());
  EXPECT_TRUE(IsNull(Param::Null()));
  EXPECT_TRUE(IsNull(v1::Value()));
  EXPECT_FALSE(IsNull(Param::Int(0)));
}

}  // namespace
}  // namespace mysqlgw::client
