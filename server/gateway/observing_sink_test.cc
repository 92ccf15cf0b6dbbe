#include "server/gateway/observing_sink.h"

#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

TEST(ObservingSinkTest, CountsAndPassesThrough) {
  v1::QueryResponse response;
  BufferedSink inner(&response, 100, 1 << 20);
  ObservingSink sink(inner, 10, 1000);
  SyntheticResultSet result;
  result.columns = {"a", "b"};
  result.rows = {{"x", std::nullopt}, {"yy"}};
  result.info = "synthetic";
  ASSERT_TRUE(WriteSyntheticResult(result, sink).ok());
  EXPECT_EQ(sink.rows(), 2u);
  EXPECT_EQ(sink.bytes(), 2u + 1u + 3u + 1u);
  ASSERT_EQ(response.results_size(), 1);
  const v1::ResultSet& rs = response.results(0);
  ASSERT_EQ(rs.columns_size(), 2);
  EXPECT_EQ(rs.columns(1).name(), "b");
  ASSERT_EQ(rs.rows_size(), 2);
  EXPECT_EQ(rs.rows(0).values(0).string(), "x");
  EXPECT_TRUE(rs.rows(0).values(1).has_null());
  EXPECT_TRUE(rs.rows(1).values(1).has_null());  // Missing means NULL.
  EXPECT_EQ(rs.outcome().info(), "synthetic");
}

TEST(ObservingSinkTest, OkWithoutColumns) {
  v1::ExecuteResponse response;
  OutcomeSink inner(response.mutable_outcome());
  ObservingSink sink(inner, 10, 1000);
  SyntheticResultSet result;
  result.affected_rows = 3;
  result.last_insert_id = 42;
  ASSERT_TRUE(WriteSyntheticResult(result, sink).ok());
  EXPECT_EQ(response.outcome().affected_rows(), 3u);
  EXPECT_EQ(response.outcome().last_insert_id(), 42u);
  EXPECT_EQ(sink.affected_rows(), 3u);
}

TEST(ObservingSinkTest, EnforcesRowAndByteLimits) {
  v1::QueryResponse response;
  BufferedSink inner(&response, 100, 1 << 20);
  SyntheticResultSet result;
  result.columns = {"a"};
  result.rows = {{"1"}, {"2"}, {"3"}};
  ObservingSink rows_limited(inner, 2, 1000);
  absl::Status s = WriteSyntheticResult(result, rows_limited);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("max_rows"), std::string::npos);
  auto error = mysqlwire::GetServerError(s);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 1226);
  EXPECT_EQ(error->sql_state, "42000");
  ASSERT_TRUE(rows_limited.Rewind());
  EXPECT_EQ(rows_limited.rows(), 0u);

  result.rows = {{std::string(100, 'x')}};
  ObservingSink bytes_limited(inner, 10, 50);
  s = WriteSyntheticResult(result, bytes_limited);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("max_bytes"), std::string::npos);
}

}  // namespace
}  // namespace mysqlgw
