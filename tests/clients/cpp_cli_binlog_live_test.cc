// `mysqlgw-cli binlog` on a binlog a real MariaDB just wrote: rows of every
// kind of value are inserted, updated and deleted in a private sandbox (its
// binlog is local, in ServerInfo.datadir, so this test always starts its own
// rather than use MYSQLGW_TEST_DSN), the binlog is rotated so that the file
// is complete, and the tool's JSON must hold the values exactly.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlgw::client {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;
using ::mysqlgw::testing::CommandResult;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Cli() {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  return runfiles == nullptr ? "" : runfiles->Rlocation("mysqlgw/clients/cpp/mysqlgw-cli");
}

constexpr char kWrites[] = R"sql(
SET NAMES utf8mb4;
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
CREATE TABLE binlog_cli (
  id INT PRIMARY KEY,
  d DATE, t TIME(6), t0 TIME, dt DATETIME(6), ts TIMESTAMP(3) NULL,
  amount DECIMAL(30,10), big BIGINT UNSIGNED, neg BIGINT,
  bin BINARY(4), blb BLOB, txt VARCHAR(20), lat VARCHAR(20) CHARACTER SET latin1,
  e ENUM('small','large'), s SET('a','b','c'), j JSON, y YEAR, bits BIT(12),
  f FLOAT, dbl DOUBLE
);
INSERT INTO binlog_cli VALUES
  (1, '0000-00-00', '-838:59:59.000000', '-100:00:00', '2024-01-02 03:04:05.000001',
   '2024-01-02 03:04:05.123', '-12345678901234567890.0123456789', 18446744073709551615,
   -9223372036854775808, x'00ff00ab', x'000102ff', 'héllo "q"\n', 'café €', 'large', 'c,a',
   '{"k": [1, 2]}', 2024, b'101000000001', 1.5, 0.1),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL);
UPDATE binlog_cli SET amount = 1.5, t0 = '25:30:00' WHERE id = 1;
DELETE FROM binlog_cli WHERE id = 2;
FLUSH BINARY LOGS;
)sql";

// Row 1 as inserted, in column order.
constexpr char kRow1[] =
    R"({"id":1,"d":"0000-00-00","t":"-838:59:59.000000","t0":"-100:00:00",)"
    R"("dt":"2024-01-02 03:04:05.000001","ts":"2024-01-02 03:04:05.123",)"
    R"("amount":"-12345678901234567890.0123456789","big":"18446744073709551615",)"
    R"("neg":"-9223372036854775808","bin":"AP8Aqw==","blb":"AAEC/w==",)"
    R"("txt":"héllo \"q\"\n","lat":"café €","e":"large","s":"a,c","j":"{\"k\": [1, 2]}",)"
    R"("y":2024,"bits":2561,"f":1.5,"dbl":0.1})";
constexpr char kRow1Updated[] =
    R"({"id":1,"d":"0000-00-00","t":"-838:59:59.000000","t0":"25:30:00",)"
    R"("dt":"2024-01-02 03:04:05.000001","ts":"2024-01-02 03:04:05.123",)"
    R"("amount":"1.5000000000","big":"18446744073709551615",)"
    R"("neg":"-9223372036854775808","bin":"AP8Aqw==","blb":"AAEC/w==",)"
    R"("txt":"héllo \"q\"\n","lat":"café €","e":"large","s":"a,c","j":"{\"k\": [1, 2]}",)"
    R"("y":2024,"bits":2561,"f":1.5,"dbl":0.1})";
constexpr char kRow2[] =
    R"({"id":2,"d":null,"t":null,"t0":null,"dt":null,"ts":null,"amount":null,"big":null,)"
    R"("neg":null,"bin":null,"blb":null,"txt":null,"lat":null,"e":null,"s":null,"j":null,)"
    R"("y":null,"bits":null,"f":null,"dbl":null})";

class CliBinlogLiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<mysqlgw::testing::Sandbox>> sandbox =
        mysqlgw::testing::Sandbox::Start();
    ASSERT_TRUE(sandbox.ok()) << sandbox.status();  // Fail, never skip.
    sandbox_ = sandbox->release();
    absl::StatusOr<std::string> done = sandbox_->RootQuery(kWrites);
    ASSERT_TRUE(done.ok()) << done.status();
    binlog_ = new std::string(sandbox_->info().datadir + "/mysql-bin.000001");
  }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
    delete binlog_;
  }

  static CommandResult RunCli(std::vector<std::string> args) {
    args.insert(args.begin(), Cli());
    mysqlgw::testing::CommandOptions options;
    options.timeout = absl::Seconds(60);
    absl::StatusOr<CommandResult> r = mysqlgw::testing::RunProcess(args, options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  // The event lines of mysql-bin.000001 whose type is `type`, from
  // {"pos": on (the file name is checked and cut).
  static std::vector<std::string> EventsOf(const std::string& out, absl::string_view type) {
    std::vector<std::string> events;
    const std::string prefix = absl::StrCat("{\"file\":\"", *binlog_, "\",");
    for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
      EXPECT_THAT(std::string(line), StartsWith(prefix));
      google::protobuf::Struct parsed;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &parsed).ok())
          << line;
      if (absl::StrContains(line, absl::StrCat("\"type\":\"", type, "\""))) {
        events.push_back(absl::StrCat("{", line.substr(prefix.size())));
      }
    }
    return events;
  }

  static mysqlgw::testing::Sandbox* sandbox_;
  static std::string* binlog_;
};

mysqlgw::testing::Sandbox* CliBinlogLiveTest::sandbox_ = nullptr;
std::string* CliBinlogLiveTest::binlog_ = nullptr;

TEST_F(CliBinlogLiveTest, RowsHoldTheValuesExactly) {
  const CommandResult r = RunCli({"binlog", *binlog_});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stderr_data, "");

  // MariaDB writes v1 rows events.
  const std::vector<std::string> inserts = EventsOf(r.stdout_data, "WRITE_ROWS_V1");
  ASSERT_EQ(inserts.size(), 1u) << r.stdout_data;
  EXPECT_THAT(inserts[0], HasSubstr(R"("kind":"insert","table_id":)"));
  EXPECT_THAT(inserts[0], HasSubstr(absl::StrCat(
                              R"("schema":"mysqlgw_test","table":"binlog_cli","rows":[{"after":)",
                              kRow1, R"(},{"after":)", kRow2, "}]}")));

  const std::vector<std::string> updates = EventsOf(r.stdout_data, "UPDATE_ROWS_V1");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_THAT(updates[0], HasSubstr(R"("kind":"update",)"));
  EXPECT_THAT(updates[0], HasSubstr(absl::StrCat(R"("rows":[{"before":)", kRow1, R"(,"after":)",
                                                 kRow1Updated, "}]}")));

  const std::vector<std::string> deletes = EventsOf(r.stdout_data, "DELETE_ROWS_V1");
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_THAT(deletes[0], HasSubstr(R"("kind":"delete",)"));
  EXPECT_THAT(deletes[0], HasSubstr(absl::StrCat(R"("rows":[{"before":)", kRow2, "}]}")));
}

TEST_F(CliBinlogLiveTest, TableMapAndServerEvents) {
  const CommandResult r = RunCli({"binlog", *binlog_});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;

  const std::vector<std::string> maps = EventsOf(r.stdout_data, "TABLE_MAP");
  ASSERT_EQ(maps.size(), 3u);
  for (
      const char* column : {
          R"({"name":"id","type":"INT","nullable":false})",
          R"j({"name":"t","type":"TIME(6)","nullable":true})j",
          R"j({"name":"ts","type":"TIMESTAMP(3)","nullable":true})j",
          R"j({"name":"amount","type":"DECIMAL(30,10)","nullable":true})j",
          R"({"name":"big","type":"BIGINT UNSIGNED","nullable":true})",
          R"j({"name":"bin","type":"BINARY(4)","nullable":true,"collation_id":63})j",
          R"({"name":"blb","type":"BLOB","nullable":true,"collation_id":63})",
          R"j({"name":"txt","type":"VARCHAR(80)","nullable":true,"collation_id":45})j",
          R"j({"name":"lat","type":"VARCHAR(20)","nullable":true,"collation_id":8})j",
          R"({"name":"e","type":"ENUM","nullable":true,"collation_id":45,"values":["small","large"]})",
          R"({"name":"s","type":"SET","nullable":true,"collation_id":45,"values":["a","b","c"]})",
          R"j({"name":"bits","type":"BIT(12)","nullable":true})j",
      }) {
    EXPECT_THAT(maps[0], HasSubstr(column));
  }
  EXPECT_THAT(maps[0], HasSubstr(R"("primary_key":["id"])"));

  const std::vector<std::string> fde = EventsOf(r.stdout_data, "FORMAT_DESCRIPTION");
  ASSERT_EQ(fde.size(), 1u);
  EXPECT_THAT(fde[0], HasSubstr(R"("checksum":"CRC32")"));
  EXPECT_THAT(fde[0], HasSubstr("-MariaDB"));
  EXPECT_THAT(fde[0], HasSubstr(R"("in_use":false})"));  // Closed by FLUSH BINARY LOGS.

  // The statement as the client sent it (newlines escaped).
  const std::vector<std::string> queries = EventsOf(r.stdout_data, "QUERY");
  bool create_seen = false;
  for (const std::string& q : queries) {
    create_seen =
        create_seen ||
        absl::StrContains(
            q,
            R"j("schema":"mysqlgw_test","query":"CREATE TABLE binlog_cli (\n  id INT PRIMARY KEY,\n  d DATE, t TIME(6),)j");
  }
  EXPECT_TRUE(create_seen) << r.stdout_data;

  const std::vector<std::string> annotations = EventsOf(r.stdout_data, "ANNOTATE_ROWS");
  ASSERT_EQ(annotations.size(), 3u);
  EXPECT_THAT(
      annotations[1],
      HasSubstr(R"("query":"UPDATE binlog_cli SET amount = 1.5, t0 = '25:30:00' WHERE id = 1"})"));

  const std::vector<std::string> gtids = EventsOf(r.stdout_data, "MARIADB_GTID");
  ASSERT_EQ(gtids.size(), 4u);  // CREATE, INSERT, UPDATE, DELETE.
  EXPECT_THAT(gtids[0], HasSubstr(R"("gtid":"0-1-1","domain_id":0,"seq_no":1,"standalone":true)"));
  EXPECT_THAT(gtids[3], HasSubstr(R"("gtid":"0-1-4",)"));

  const std::vector<std::string> rotates = EventsOf(r.stdout_data, "ROTATE");
  ASSERT_EQ(rotates.size(), 1u);
  EXPECT_THAT(rotates[0], HasSubstr(R"("next_file":"mysql-bin.000002","position":4})"));
}

TEST_F(CliBinlogLiveTest, TypesAndSummary) {
  CommandResult r = RunCli({"binlog", "--types=DELETE_ROWS_V1,XID", *binlog_});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(EventsOf(r.stdout_data, "DELETE_ROWS_V1").size(), 1u);
  EXPECT_EQ(EventsOf(r.stdout_data, "XID").size(), 3u);
  EXPECT_EQ(EventsOf(r.stdout_data, "TABLE_MAP").size(), 0u);

  r = RunCli({"binlog", "--summary", *binlog_});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_THAT(r.stdout_data, HasSubstr(R"("WRITE_ROWS_V1":1,)"));
  EXPECT_THAT(r.stdout_data, HasSubstr(R"("rows":{"insert":2,"update":1,"delete":1}})"));
}

// MariaDB's SIGNEDNESS metadata has a bit for every YEAR column too
// (always set), MySQL's does not. A decoder that skipped YEAR would shift
// the bits of every later numeric column: TINYINT -1 would arrive as 255 and
// INT UNSIGNED 4294967295 as -1.
TEST_F(CliBinlogLiveTest, YearColumnDoesNotShiftSignedness) {
  absl::StatusOr<std::string> done = sandbox_->RootQuery(
      "CREATE TABLE binlog_year (y YEAR, tu TINYINT UNSIGNED, ts TINYINT, iu INT UNSIGNED);"
      "INSERT INTO binlog_year VALUES (2024, 255, -1, 4294967295);"
      "FLUSH BINARY LOGS;");
  ASSERT_TRUE(done.ok()) << done.status();
  const CommandResult r =
      RunCli({"binlog", "--types=WRITE_ROWS_V1", sandbox_->info().datadir + "/mysql-bin.000002"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_THAT(r.stdout_data,
              HasSubstr(R"("rows":[{"after":{"y":2024,"tu":255,"ts":-1,"iu":4294967295}}]})"));
}

}  // namespace
}  // namespace mysqlgw::client
