#include "clients/cpp/requests.h"

#include "gtest/gtest.h"

namespace mysqlgw::client::internal {
namespace {

TEST(ToProtoDurationTest, SecondsAndNanos) {
  google::protobuf::Duration d = ToProtoDuration(absl::Milliseconds(1500));
  EXPECT_EQ(d.seconds(), 1);
  EXPECT_EQ(d.nanos(), 500000000);
  d = ToProtoDuration(absl::Nanoseconds(300));
  EXPECT_EQ(d.seconds(), 0);
  EXPECT_EQ(d.nanos(), 300);
}

TEST(ToProtoTest, CallOptions) {
  CallOptions options;
  options.database = "db";
  options.max_rows = 10;
  options.max_bytes = 20;
  options.statement_timeout = absl::Milliseconds(300);
  options.timeout = absl::Seconds(5);  // The gRPC deadline, not sent as a field.
  options.idempotent = true;
  options.parameter_mode = v1::PARAMETER_MODE_INTERPOLATED;
  v1::CallOptions p = ToProto(options);
  EXPECT_EQ(p.database(), "db");
  EXPECT_EQ(p.max_rows(), 10u);
  EXPECT_EQ(p.max_bytes(), 20u);
  EXPECT_EQ(p.timeout().nanos(), 300000000);
  EXPECT_TRUE(p.idempotent());
  EXPECT_EQ(p.parameter_mode(), v1::PARAMETER_MODE_INTERPOLATED);
  EXPECT_FALSE(ToProto(CallOptions()).has_timeout());
}

TEST(MakeRequestTest, QueryWithPositionalOrNamedParameters) {
  v1::QueryRequest q = MakeQueryRequest("tx-1", "SELECT ?, ?", {Param::Int(1), Param::Null()}, {});
  EXPECT_EQ(q.sql(), "SELECT ?, ?");
  EXPECT_EQ(q.transaction_id(), "tx-1");
  ASSERT_EQ(q.params_size(), 2);
  EXPECT_EQ(q.params(0).int64(), 1);
  EXPECT_EQ(q.params(1).kind_case(), v1::Value::kNull);
  EXPECT_TRUE(q.named_params().empty());

  v1::ExecuteRequest e = MakeExecuteRequest("", "DELETE FROM t WHERE id = :id",
                                            Params::Named({{"id", Param::Int(3)}}), {});
  EXPECT_EQ(e.params_size(), 0);
  EXPECT_EQ(e.named_params().at("id").int64(), 3);
  EXPECT_EQ(e.transaction_id(), "");
}

TEST(MakeRequestTest, Batches) {
  v1::ExecuteBatchRequest b = MakeBatchRequest("", "INSERT INTO t VALUES (?)",
                                               {{Param::Int(1)}, {Param::Int(2)}}, {}, true);
  EXPECT_EQ(b.sql(), "INSERT INTO t VALUES (?)");
  ASSERT_EQ(b.parameter_sets_size(), 2);
  EXPECT_EQ(b.parameter_sets(1).params(0).int64(), 2);
  EXPECT_TRUE(b.stop_on_error());
  EXPECT_EQ(b.statements_size(), 0);

  v1::ExecuteBatchRequest s = MakeStatementsRequest(
      "tx", {{"DELETE FROM t", {}}, {"INSERT INTO t VALUES (?)", {Param::Int(9)}}}, {}, false);
  EXPECT_EQ(s.sql(), "");
  ASSERT_EQ(s.statements_size(), 2);
  EXPECT_EQ(s.statements(1).params(0).int64(), 9);
  EXPECT_FALSE(s.stop_on_error());
  EXPECT_EQ(s.transaction_id(), "tx");
}

TEST(MakeRequestTest, Begin) {
  TransactionOptions options;
  options.isolation = v1::ISOLATION_LEVEL_SERIALIZABLE;
  options.read_only = true;
  options.database = "db";
  options.idle_timeout = absl::Seconds(30);
  v1::BeginTransactionRequest r = MakeBeginRequest(options);
  EXPECT_EQ(r.isolation(), v1::ISOLATION_LEVEL_SERIALIZABLE);
  EXPECT_TRUE(r.read_only());
  EXPECT_EQ(r.database(), "db");
  EXPECT_EQ(r.idle_timeout().seconds(), 30);
  EXPECT_FALSE(MakeBeginRequest({}).has_idle_timeout());
}

}  // namespace
}  // namespace mysqlgw::client::internal
