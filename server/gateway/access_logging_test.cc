#include "server/gateway/access_logging.h"

#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

StatementContext Context(uint64_t digest, const std::string& text) {
  StatementContext ctx;
  ctx.digest = digest;
  ctx.digest_text = text;
  return ctx;
}

ResultInfo Result(uint64_t rows, uint64_t affected, uint64_t bytes, const std::string& backend) {
  ResultInfo r;
  r.rows = rows;
  r.affected_rows = affected;
  r.bytes = bytes;
  r.backend = backend;
  return r;
}

TEST(CallStatsTest, ABatchSumsItsStatementsUnderTheFirstDigest) {
  CallStats stats;
  const std::vector<mysqlwire::Value> params = {mysqlwire::Value::String("v1"),
                                                mysqlwire::Value::Int64(7)};
  stats.AddStatement(Context(1, "INSERT ?"), Result(0, 1, 0, "primary"), params);
  stats.AddStatement(Context(2, "UPDATE ?"), Result(0, 3, 0, "replica"), {});
  EXPECT_EQ(stats.digest, 1u);
  EXPECT_EQ(stats.digest_text, "INSERT ?");
  EXPECT_EQ(stats.statements, 2u);
  EXPECT_EQ(stats.affected_rows, 4u);
  EXPECT_EQ(stats.backend, "replica");
  // Values are only kept when asked for.
  EXPECT_TRUE(stats.params.empty());

  CallStats with_values;
  with_values.collect_params = true;
  with_values.AddStatement(Context(1, "INSERT ?"), Result(0, 1, 0, "primary"), params);
  EXPECT_EQ(with_values.params, (std::vector<std::string>{"'v1'", "7"}));
}

TEST(MakeAccessRecordTest, CarriesTheStatusAndTheMySqlError) {
  CallStats stats;
  stats.AddStatement(Context(0xabc, "SELECT ?"), Result(5, 0, 120, "primary"), {});
  AccessRecord r = MakeAccessRecord(
      "grpc", RpcMethodName(RpcMethod::kQuery), "app", "10.0.0.1", stats,
      mysqlwire::ServerErrorStatus({1146, "42S02", "Table 'x' doesn't exist"}),
      std::chrono::milliseconds(3));
  EXPECT_EQ(r.method, "Query");
  EXPECT_EQ(r.principal, "app");
  EXPECT_EQ(r.peer, "10.0.0.1");
  EXPECT_EQ(r.digest, 0xabcu);
  EXPECT_EQ(r.rows, 5u);
  EXPECT_EQ(r.bytes, 120u);
  EXPECT_EQ(r.latency_us, 3000);
  EXPECT_EQ(r.mysql_errno, 1146u);
  EXPECT_EQ(r.sql_state, "42S02");
  EXPECT_NE(r.code, absl::StatusCode::kOk);

  AccessRecord ok = MakeAccessRecord("grpc", RpcMethodName(RpcMethod::kCommit), "app", "",
                                     CallStats(), absl::OkStatus(), {});
  EXPECT_EQ(ok.method, "Commit");
  EXPECT_FALSE(ok.digest.has_value());
  EXPECT_EQ(ok.mysql_errno, 0u);
  EXPECT_TRUE(ok.error.empty());
  EXPECT_EQ(RpcMethodName(RpcMethod::kStreamBinlog), "StreamBinlog");
}

TEST(ObservabilitySettingsTest, MetricsAreOnUnlessTurnedOff) {
  v1::ObservabilityConfig config;
  EXPECT_TRUE(MetricsEnabled(config));
  config.set_metrics_enabled(false);
  EXPECT_FALSE(MetricsEnabled(config));
  config.set_metrics_enabled(true);
  EXPECT_TRUE(MetricsEnabled(config));
}

TEST(ObservabilitySettingsTest, LogFormatAndLevelComeFromTheConfig) {
  v1::ObservabilityConfig config;
  config.set_log_format(v1::LOG_FORMAT_JSON);
  config.set_log_level(v1::LOG_LEVEL_WARNING);
  ConfigureLogFromConfig(config);
  EXPECT_EQ(CurrentLogFormat(), LogFormat::kJson);
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled(LogLevel::kWarning));
  ConfigureLogFromConfig(v1::ObservabilityConfig());  // Defaults: text, info.
  EXPECT_EQ(CurrentLogFormat(), LogFormat::kText);
  EXPECT_TRUE(LogEnabled(LogLevel::kInfo));
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
}

}  // namespace
}  // namespace mysqlgw
