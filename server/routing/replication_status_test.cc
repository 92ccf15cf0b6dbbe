#include "server/routing/replication_status.h"

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/value.h"

namespace mysqlgw {
namespace {

using mysqlwire::ResultSet;
using mysqlwire::Value;

ResultSet Result(const std::vector<std::string>& names,
                 const std::vector<std::vector<Value>>& rows) {
  ResultSet r;
  for (const std::string& n : names) {
    mysqlwire::ColumnDefinition c;
    c.name = n;
    r.columns.push_back(c);
  }
  r.rows = rows;
  return r;
}

const std::vector<std::string> kMariaDb = {
    "Connection_name", "Slave_IO_Running", "Slave_SQL_Running", "Last_IO_Error",
    "Last_SQL_Error", "Seconds_Behind_Master"};

std::vector<Value> Row(const std::string& name, const std::string& io, const std::string& sql,
                       Value lag, const std::string& io_error = "",
                       const std::string& sql_error = "") {
  return {Value::String(name), Value::String(io), Value::String(sql),
          Value::String(io_error), Value::String(sql_error), lag};
}

TEST(ReplicationStatusTest, RunningReplicaHasItsLag) {
  absl::StatusOr<ReplicationStatus> s =
      ParseReplicationStatus(Result(kMariaDb, {Row("", "Yes", "Yes", Value::Uint64(3))}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->connections, 1);
  EXPECT_EQ(s->lag, std::chrono::seconds(3));
  EXPECT_EQ(s->problem, "");
}

TEST(ReplicationStatusTest, MultiSourceTakesTheWorstLag) {
  absl::StatusOr<ReplicationStatus> s = ParseReplicationStatus(
      Result(kMariaDb, {Row("a", "Yes", "Yes", Value::Int64(2)),
                        Row("b", "Yes", "Yes", Value::Int64(40)),
                        Row("c", "Yes", "Yes", Value::String("7"))}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->connections, 3);
  EXPECT_EQ(s->lag, std::chrono::seconds(40));
}

TEST(ReplicationStatusTest, StoppedThreadOrNullLagLeavesLagUnknown) {
  absl::StatusOr<ReplicationStatus> s = ParseReplicationStatus(Result(
      kMariaDb, {Row("", "Yes", "No", Value::Null(), "", "Duplicate entry '1'")}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->lag.has_value());
  EXPECT_EQ(s->problem, "SQL thread No: Duplicate entry '1'");

  s = ParseReplicationStatus(Result(kMariaDb, {Row("", "Connecting", "Yes", Value::Null(),
                                                   "error reconnecting to master")}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->lag.has_value());
  EXPECT_EQ(s->problem, "I/O thread Connecting: error reconnecting to master");

  // Threads claim to run but the server gives no lag.
  s = ParseReplicationStatus(Result(kMariaDb, {Row("x", "Yes", "Yes", Value::Null())}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->lag.has_value());
  EXPECT_EQ(s->problem, "Seconds_Behind_Master is NULL (connection 'x')");

  // One healthy connection does not hide a broken one.
  s = ParseReplicationStatus(Result(
      kMariaDb, {Row("a", "Yes", "Yes", Value::Int64(0)), Row("b", "Yes", "No", Value::Null())}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->lag.has_value());
  EXPECT_EQ(s->problem, "SQL thread No (connection 'b')");
}

TEST(ReplicationStatusTest, NoRowsMeansNotConfigured) {
  absl::StatusOr<ReplicationStatus> s = ParseReplicationStatus(Result(kMariaDb, {}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->connections, 0);
  EXPECT_FALSE(s->lag.has_value());
  EXPECT_EQ(s->problem, "replication is not configured");
}

TEST(ReplicationStatusTest, MySqlSpellings) {
  absl::StatusOr<ReplicationStatus> s = ParseReplicationStatus(
      Result({"Channel_Name", "Replica_IO_Running", "Replica_SQL_Running",
              "Seconds_Behind_Source"},
             {{Value::String(""), Value::String("Yes"), Value::String("Yes"), Value::Int64(5)}}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->lag, std::chrono::seconds(5));
}

TEST(ReplicationStatusTest, MalformedResultsAreErrors) {
  // Each required column missing in turn.
  for (size_t drop : {1u, 2u, 5u}) {
    std::vector<std::string> names = kMariaDb;
    names.erase(names.begin() + drop);
    std::vector<Value> row = Row("", "Yes", "Yes", Value::Int64(1));
    row.erase(row.begin() + drop);
    absl::StatusOr<ReplicationStatus> s = ParseReplicationStatus(Result(names, {row}));
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << kMariaDb[drop];
  }
  // A row cut short at every length.
  std::vector<Value> full = Row("", "Yes", "Yes", Value::Int64(1));
  for (size_t n = 0; n < full.size(); ++n) {
    std::vector<Value> cut(full.begin(), full.begin() + n);
    EXPECT_EQ(ParseReplicationStatus(Result(kMariaDb, {cut})).status().code(),
              absl::StatusCode::kInvalidArgument)
        << n;
  }
  // A lag that is no number, or negative.
  for (Value lag : {Value::String("soon"), Value::Int64(-1), Value::Double(1.5),
                    Value::Uint64(~uint64_t{0})}) {
    EXPECT_EQ(ParseReplicationStatus(Result(kMariaDb, {Row("", "Yes", "Yes", lag)}))
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument)
        << lag.DebugString();
  }
}

TEST(ReplicationStatusTest, ValueConversions) {
  EXPECT_EQ(ValueAsInt(Value::Int64(-4)), -4);
  EXPECT_EQ(ValueAsInt(Value::Uint64(4)), 4);
  EXPECT_EQ(ValueAsInt(Value::String("12")), 12);
  EXPECT_EQ(ValueAsInt(Value::BytesOf("1")), 1);
  EXPECT_EQ(ValueAsInt(Value::DecimalText("3")), 3);
  EXPECT_EQ(ValueAsInt(Value::String("")), std::nullopt);
  EXPECT_EQ(ValueAsInt(Value::String("1x")), std::nullopt);
  EXPECT_EQ(ValueAsInt(Value::Null()), std::nullopt);
  EXPECT_EQ(ValueAsText(Value::Null()), std::nullopt);
  EXPECT_EQ(ValueAsText(Value::Uint64(7)), "7");
  EXPECT_EQ(ValueAsText(Value::String("Yes")), "Yes");
}

}  // namespace
}  // namespace mysqlgw
