#include "server/config/config_loader.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kYamlPath[] = "server/config/testdata/full.yaml";
constexpr char kJsonPath[] = "server/config/testdata/full.json";

std::string ErrorOf(absl::string_view text, ConfigFormat format = ConfigFormat::kYaml) {
  absl::StatusOr<v1::GatewayConfig> config = ParseConfig(text, format, "test.yaml");
  EXPECT_FALSE(config.ok()) << text;
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(config.status().message());
}

TEST(ConfigLoaderTest, YamlAndJsonGiveTheSameConfig) {
  absl::StatusOr<v1::GatewayConfig> yaml = LoadConfigFile(kYamlPath);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  absl::StatusOr<v1::GatewayConfig> json = LoadConfigFile(kJsonPath);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*yaml, *json))
      << "YAML:\n"
      << yaml->DebugString() << "JSON:\n"
      << json->DebugString();
}

TEST(ConfigLoaderTest, FullConfigValues) {
  absl::StatusOr<v1::GatewayConfig> config = LoadConfigFile(kYamlPath);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen().address(), "0.0.0.0:50051");
  EXPECT_EQ(config->listen().max_request_bytes(), 8388608u);
  EXPECT_EQ(config->listen().tls().key_file(), "/etc/mysqlgw/server.key");
  ASSERT_EQ(config->backends_size(), 2);
  const v1::BackendConfig& primary = config->backends(0);
  EXPECT_EQ(primary.role(), v1::BACKEND_ROLE_PRIMARY);
  EXPECT_EQ(primary.pool().max_open(), 64u);
  EXPECT_EQ(primary.pool().idle_timeout().seconds(), 120);
  EXPECT_EQ(primary.pool().max_lifetime().seconds(), 3600);
  EXPECT_EQ(primary.pool().liveness_check_after().seconds(), 1);
  EXPECT_EQ(primary.pool().liveness_check_after().nanos(), 500000000);
  EXPECT_EQ(config->backends(1).role(), v1::BACKEND_ROLE_REPLICA);
  EXPECT_EQ(config->backends(1).password_env(), "REPLICA_PASSWORD");
  ASSERT_EQ(config->auth().principals_size(), 2);
  EXPECT_THAT(config->auth().principals(0).operations(),
              ::testing::ElementsAre(v1::OPERATION_READ, v1::OPERATION_WRITE, v1::OPERATION_DDL));
  EXPECT_THAT(config->auth().principals(1).operations(),
              ::testing::ElementsAre(v1::OPERATION_READ, v1::OPERATION_BINLOG));
  EXPECT_EQ(config->auth().principals(0).token_sha256_size(), 2);
  EXPECT_THAT(config->retry().transient_errnos(), ::testing::ElementsAre(1040, 1053, 1927, 1205));
  EXPECT_EQ(config->shutdown_grace_period().seconds(), 15);
  EXPECT_EQ(config->io_threads(), 4u);
}

TEST(ConfigLoaderTest, ShortEnumNamesInAnyCase) {
  for (const char* name : {"read", "READ", "Read", "OPERATION_READ", "operation_read"}) {
    absl::StatusOr<v1::GatewayConfig> config = ParseConfig(
        absl::StrCat("auth:\n  principals:\n    - name: p\n      operations: [", name, "]\n"),
        ConfigFormat::kYaml);
    ASSERT_TRUE(config.ok()) << name << ": " << config.status();
    EXPECT_EQ(config->auth().principals(0).operations(0), v1::OPERATION_READ) << name;
  }
  absl::StatusOr<v1::GatewayConfig> config = ParseConfig(
      R"({"backends": [{"role": "replica"}, {"role": "Primary"}]})", ConfigFormat::kJson);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->backends(0).role(), v1::BACKEND_ROLE_REPLICA);
  EXPECT_EQ(config->backends(1).role(), v1::BACKEND_ROLE_PRIMARY);
}

TEST(ConfigLoaderTest, UnknownEnumValueListsTheChoices) {
  std::string error = ErrorOf("backends:\n  - role: leader\n");
  EXPECT_THAT(error, HasSubstr("test.yaml:2:11: backends[0].role: unknown BackendRole 'leader'"));
  EXPECT_THAT(error, HasSubstr("primary, replica"));
  EXPECT_THAT(ErrorOf("auth: {principals: [{operations: [reed]}]}"),
              HasSubstr("auth.principals[0].operations[0]: unknown Operation 'reed'"));
}

TEST(ConfigLoaderTest, UnknownFieldsAreErrors) {
  EXPECT_THAT(ErrorOf("listn:\n  address: x\n"),
              HasSubstr("test.yaml:1:1: unknown field 'listn' (did you mean 'listen'?)"));
  EXPECT_THAT(ErrorOf("backends:\n  - name: a\n    pasword_file: /x\n"),
              HasSubstr("test.yaml:3:5: backends[0]: unknown field 'pasword_file' "
                        "(did you mean 'password_file'?)"));
  // A security setting misspelt beyond recognition: still an error.
  EXPECT_THAT(ErrorOf("auth:\n  anonymous: true\n"), HasSubstr("auth: unknown field 'anonymous'"));
  EXPECT_THAT(ErrorOf(R"({"listen": {"adress": "x"}})", ConfigFormat::kJson),
              HasSubstr("test.yaml:1:13: listen: unknown field 'adress'"));
  // A field the proto has only under another message.
  EXPECT_THAT(ErrorOf("listen:\n  max_open: 3\n"), HasSubstr("unknown field 'max_open'"));
}

TEST(ConfigLoaderTest, SameFieldTwiceIsAnError) {
  EXPECT_THAT(ErrorOf("backends:\n  - pool: {max_open: 1, maxOpen: 2}\n"),
              HasSubstr("'maxOpen' and 'max_open' are the same field"));
  EXPECT_THAT(ErrorOf("io_threads: 1\nio_threads: 2\n"), HasSubstr("duplicate key 'io_threads'"));
}

TEST(ConfigLoaderTest, ShapeErrorsNameTheField) {
  EXPECT_THAT(ErrorOf("backends:\n  name: a\n"), HasSubstr("backends: expected a list"));
  EXPECT_THAT(ErrorOf("listen: 5\n"), HasSubstr("listen: expected a mapping"));
  EXPECT_THAT(ErrorOf("shutdown_grace_period: 10\n"),
              HasSubstr("shutdown_grace_period: a duration is a string"));
  EXPECT_THAT(ErrorOf("shutdown_grace_period: 10 minutes\n"),
              HasSubstr("invalid duration '10 minutes'"));
  EXPECT_THAT(ErrorOf("[1, 2]\n"), HasSubstr("expected a mapping of GatewayConfig fields"));
}

TEST(ConfigLoaderTest, ScalarTypesAreRespected) {
  // `yes` is a string in YAML 1.2, and a boolean field refuses it.
  EXPECT_THAT(ErrorOf("auth:\n  allow_anonymous: yes\n"),
              HasSubstr("test.yaml:2:20: auth.allow_anonymous: expected true or false"));
  EXPECT_THAT(ErrorOf("auth:\n  allow_anonymous: 'true'\n"), HasSubstr("expected true or false"));
  EXPECT_THAT(ErrorOf(R"({"auth": {"allowAnonymous": "true"}})", ConfigFormat::kJson),
              HasSubstr("expected true or false"));
  EXPECT_THAT(ErrorOf("io_threads: many\n"),
              HasSubstr("test.yaml:1:13: io_threads: expected an integer from 0 to 4294967295"));
  EXPECT_THAT(ErrorOf("io_threads: -1\n"), HasSubstr("io_threads: expected an integer"));
  EXPECT_THAT(ErrorOf("listen: {max_request_bytes: 1.5}\n"),
              HasSubstr("listen.max_request_bytes: expected an integer from 0 to "
                        "18446744073709551615"));
  EXPECT_THAT(ErrorOf("backends: [{pool: {max_open: 99999999999}}]\n"),
              HasSubstr("backends[0].pool.max_open: expected an integer"));
  EXPECT_THAT(ErrorOf("retry: {transient_errnos: [1040, hunter2]}\n"),
              AllOf(HasSubstr("retry.transient_errnos[1]: expected an integer"),
                    Not(HasSubstr("hunter2"))));
  // Proto3 JSON takes integers as strings too.
  absl::StatusOr<v1::GatewayConfig> quoted = ParseConfig("io_threads: '6'", ConfigFormat::kYaml);
  ASSERT_TRUE(quoted.ok()) << quoted.status();
  EXPECT_EQ(quoted->io_threads(), 6u);
  // A plain number for a string field is its text, leading zeros and all.
  absl::StatusOr<v1::GatewayConfig> config =
      ParseConfig("backends:\n  - name: 007\n    password_env: 123\n", ConfigFormat::kYaml);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->backends(0).name(), "007");
  EXPECT_EQ(config->backends(0).password_env(), "123");
}

TEST(ConfigLoaderTest, Durations) {
  struct Case {
    const char* text;
    int64_t seconds;
    int32_t nanos;
  };
  for (const Case& c : {Case{"30s", 30, 0}, Case{"1.5s", 1, 500000000}, Case{"500ms", 0, 500000000},
                        Case{"2m", 120, 0}, Case{"1h30m", 5400, 0}, Case{"0s", 0, 0},
                        Case{"-1.5s", -1, -500000000}}) {
    absl::StatusOr<v1::GatewayConfig> config =
        ParseConfig(absl::StrCat("shutdown_grace_period: ", c.text), ConfigFormat::kYaml);
    ASSERT_TRUE(config.ok()) << c.text << ": " << config.status();
    EXPECT_TRUE(config->has_shutdown_grace_period());
    EXPECT_EQ(config->shutdown_grace_period().seconds(), c.seconds) << c.text;
    EXPECT_EQ(config->shutdown_grace_period().nanos(), c.nanos) << c.text;
  }
}

TEST(ConfigLoaderTest, FormatDetection) {
  absl::StatusOr<v1::GatewayConfig> json = ParseConfig("  {\"ioThreads\": 3}", ConfigFormat::kAuto);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->io_threads(), 3u);
  absl::StatusOr<v1::GatewayConfig> yaml = ParseConfig("ioThreads: 3", ConfigFormat::kAuto);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_EQ(yaml->io_threads(), 3u);
  // A JSON file is parsed strictly as JSON.
  EXPECT_THAT(ErrorOf("ioThreads: 3", ConfigFormat::kJson), HasSubstr("test.yaml:1:1:"));
}

TEST(ConfigLoaderTest, EmptyDocumentIsAnEmptyConfig) {
  absl::StatusOr<v1::GatewayConfig> config = ParseConfig("# nothing yet\n", ConfigFormat::kYaml);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ByteSizeLong(), 0u);
}

TEST(ConfigLoaderTest, MissingFileNamesThePath) {
  absl::StatusOr<v1::GatewayConfig> config = LoadConfigFile("/nonexistent/gw.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("/nonexistent/gw.yaml"));
}

TEST(ConfigLoaderTest, SyntaxErrorsNameFileAndLine) {
  EXPECT_THAT(ErrorOf("listen:\n  address: [\n"), HasSubstr("test.yaml:"));
  EXPECT_THAT(ErrorOf("{\"listen\": }", ConfigFormat::kJson),
              HasSubstr("test.yaml:1:12: expected a JSON value"));
}

TEST(ConfigLoaderTest, ValuesAreNotEchoedForUnknownFields) {
  // A secret pasted under a wrong key must not end up in the logs.
  std::string error = ErrorOf("backends:\n  - password: hunter2secret\n");
  EXPECT_THAT(error, HasSubstr("unknown field 'password'"));
  EXPECT_THAT(error, Not(HasSubstr("hunter2secret")));
}

}  // namespace
}  // namespace mysqlgw
