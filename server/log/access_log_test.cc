#include "server/log/access_log.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

AccessRecord FailedInsert() {
  AccessRecord r;
  r.time = absl::FromUnixMicros(1714564800123456);  // 2024-05-01T12:00:00.123456Z
  r.protocol = "grpc";
  r.method = "Execute";
  r.principal = "app";
  r.peer = "127.0.0.1";
  r.digest = 0x00ab00cd00ef0012;
  r.digest_text = "INSERT INTO `t` VALUES (...)";
  r.statements = 1;
  r.backend = "primary";
  r.latency_us = 850;
  r.code = absl::StatusCode::kAlreadyExists;
  r.mysql_errno = 1062;
  r.sql_state = "23000";
  r.error = "Duplicate entry 'alice-secret' for key 'PRIMARY'";
  r.params = {"'alice-secret'", "42"};
  return r;
}

google::protobuf::Struct Parse(const std::string& line) {
  google::protobuf::Struct s;
  auto status = google::protobuf::util::JsonStringToMessage(line, &s);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in: " << line;
  return s;
}

TEST(AccessLogTest, JsonLineHasEveryFieldAndNoLiteral) {
  std::string line;
  AccessLog::Append(FailedInsert(), LogFormat::kJson, /*log_parameter_values=*/false, &line);
  ASSERT_TRUE(absl::EndsWith(line, "}\n"));
  EXPECT_FALSE(absl::StrContains(line, "alice-secret")) << line;
  EXPECT_FALSE(absl::StrContains(line, "params")) << line;
  const auto s = Parse(line);
  const auto& f = s.fields();
  EXPECT_EQ(f.at("ts").string_value(), "2024-05-01T12:00:00.123456Z");
  EXPECT_EQ(f.at("level").string_value(), "info");
  EXPECT_EQ(f.at("component").string_value(), "access");
  EXPECT_EQ(f.at("msg").string_value(), "call");
  EXPECT_EQ(f.at("protocol").string_value(), "grpc");
  EXPECT_EQ(f.at("method").string_value(), "Execute");
  EXPECT_EQ(f.at("principal").string_value(), "app");
  EXPECT_EQ(f.at("peer").string_value(), "127.0.0.1");
  EXPECT_EQ(f.at("digest").string_value(), "00ab00cd00ef0012");
  EXPECT_EQ(f.at("digest_text").string_value(), "INSERT INTO `t` VALUES (...)");
  EXPECT_EQ(f.at("statements").number_value(), 1);
  EXPECT_EQ(f.at("backend").string_value(), "primary");
  EXPECT_EQ(f.at("rows").number_value(), 0);
  EXPECT_EQ(f.at("latency_us").number_value(), 850);
  EXPECT_EQ(f.at("code").string_value(), "ALREADY_EXISTS");
  EXPECT_EQ(f.at("grpc_code").number_value(), 6);
  EXPECT_EQ(f.at("mysql_errno").number_value(), 1062);
  EXPECT_EQ(f.at("sql_state").string_value(), "23000");
  EXPECT_EQ(f.at("error").string_value(), "Duplicate entry '?'");
}

TEST(AccessLogTest, ParameterValuesOnlyWhenAskedFor) {
  std::string line;
  AccessLog::Append(FailedInsert(), LogFormat::kJson, /*log_parameter_values=*/true, &line);
  const auto s = Parse(line);
  const auto& params = s.fields().at("params").list_value();
  ASSERT_EQ(params.values_size(), 2);
  EXPECT_EQ(params.values(0).string_value(), "'alice-secret'");
  EXPECT_EQ(params.values(1).string_value(), "42");
  // The operator asked for values: the error keeps its data too.
  EXPECT_EQ(s.fields().at("error").string_value(),
            "Duplicate entry 'alice-secret' for key 'PRIMARY'");
}

TEST(AccessLogTest, SuccessfulCallWithoutStatementOmitsWhatItLacks) {
  AccessRecord r;
  r.time = absl::Now();
  r.protocol = "grpc";
  r.method = "BeginTransaction";
  r.principal = "app";
  r.error = "ignored when OK";
  std::string line;
  AccessLog::Append(r, LogFormat::kJson, false, &line);
  const auto s = Parse(line);
  EXPECT_FALSE(s.fields().contains("digest"));
  EXPECT_FALSE(s.fields().contains("backend"));
  EXPECT_FALSE(s.fields().contains("mysql_errno"));
  EXPECT_FALSE(s.fields().contains("error"));
  EXPECT_EQ(s.fields().at("code").string_value(), "OK");
}

TEST(AccessLogTest, TextLineIsLogfmt) {
  AccessRecord r = FailedInsert();
  r.protocol = "mysql";
  r.method = "COM_QUERY";
  std::string line;
  AccessLog::Append(r, LogFormat::kText, false, &line);
  EXPECT_TRUE(absl::StrContains(line, " INFO mysqlgw.access: statement protocol=mysql "
                                      "method=COM_QUERY principal=app peer=127.0.0.1 "
                                      "digest=00ab00cd00ef0012 digest_text=\"INSERT INTO "))
      << line;
  EXPECT_TRUE(absl::StrContains(line, " code=ALREADY_EXISTS grpc_code=6 mysql_errno=1062 "
                                      "sql_state=23000 error=\"Duplicate entry '?'\"\n"))
      << line;
  EXPECT_FALSE(absl::StrContains(line, "alice-secret"));
}

TEST(AccessLogTest, WritesThroughTheBackgroundWriterToAFile) {
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/access.log");
  unlink(path.c_str());
  AccessLogOptions options;
  options.destination = path;
  auto log = AccessLog::Open(options);
  ASSERT_TRUE(log.ok()) << log.status();
  for (int i = 0; i < 3; ++i) {
    AccessRecord r = FailedInsert();
    r.rows = i;
    (*log)->Write(r);
  }
  (*log)->Flush();
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<std::string> lines = absl::StrSplit(ss.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Parse(lines[i]).fields().at("rows").number_value(), i);
  }
  EXPECT_EQ((*log)->dropped(), 0u);
}

}  // namespace
}  // namespace mysqlgw
