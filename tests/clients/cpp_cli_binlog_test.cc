// `mysqlgw-cli binlog` end to end on the recorded binlogs of
// @shared_fixtures//:binlog: the real binary as a subprocess on every file,
// each output line parsed as JSON, and values spot-checked.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "testing/subprocess.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlgw::client {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;
using ::mysqlgw::testing::CommandResult;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Rlocation(const std::string& path) {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  return runfiles == nullptr ? "" : runfiles->Rlocation(path);
}

std::string Cli() { return Rlocation("mysqlgw/clients/cpp/mysqlgw-cli"); }

std::string FixtureDir() {
  return std::filesystem::path(Rlocation("shared_fixtures/binlog/README.md"))
      .parent_path()
      .string();
}

CommandResult RunCli(std::vector<std::string> args) {
  args.insert(args.begin(), Cli());
  mysqlgw::testing::CommandOptions options;
  options.timeout = absl::Seconds(60);
  absl::StatusOr<CommandResult> r = mysqlgw::testing::RunProcess(args, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : CommandResult{};
}

std::vector<std::string> Lines(const std::string& out) {
  return absl::StrSplit(out, '\n', absl::SkipEmpty());
}

// The lines of one file's events, with the leading {"file":"PATH", cut so
// that expectations read {"pos":...}.
std::vector<std::string> Events(const std::string& out, const std::string& path) {
  std::vector<std::string> events;
  const std::string prefix = absl::StrCat("{\"file\":\"", path, "\",");
  for (const std::string& line : Lines(out)) {
    EXPECT_THAT(line, StartsWith(prefix));
    events.push_back("{" + line.substr(std::min(prefix.size(), line.size())));
  }
  return events;
}

// The event lines that contain `needle`.
std::vector<std::string> With(const std::vector<std::string>& events, absl::string_view needle) {
  std::vector<std::string> out;
  for (const std::string& e : events) {
    if (e.find(std::string(needle)) != std::string::npos) out.push_back(e);
  }
  return out;
}

// What each recorded binlog must print: whole event lines (after "file"),
// exactly. Files added to the folder later are decoded and parsed too.
// clang-format off
const std::map<std::string, std::vector<std::string>>& Expected() {
  static const auto* expected = new std::map<std::string, std::vector<std::string>>{
      {"mariadb-bin.000001",
       {
           R"({"pos":372,"type":"MARIADB_GTID","server_id":1,"timestamp":1650493084,"gtid":"0-1-1","domain_id":0,"seq_no":1,"standalone":false})",
           R"j({"pos":476,"type":"ANNOTATE_ROWS","server_id":1,"timestamp":1650493084,"query":"insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{\"foo\":1}')"})j",
           R"({"pos":285,"type":"GTID_LIST","server_id":1,"timestamp":1650493071,"set":""})",
           R"({"pos":330,"type":"BINLOG_CHECKPOINT","server_id":1,"timestamp":1650493071,"checkpoint_file":"mariadb-bin.000001"})",
           R"({"pos":671,"type":"WRITE_ROWS_V1","server_id":1,"timestamp":1650493084,"kind":"insert","table_id":38,"schema":"toddy_test","table":"outbox","rows":[{"after":{"id":62,"topic":"foo","event_type":"JSON","event":"eyJmb28iOjF9","created":"2022-04-20 22:18:04"}}]})",
           R"({"pos":702,"type":"XID","server_id":1,"timestamp":1650493084,"xid":800})",
       }},
      {"mysql-enum-string-set.000001",
       {
           R"j({"pos":1077,"type":"TABLE_MAP","server_id":1,"timestamp":1647193281,"table_id":124,"schema":"mysql","table":"t","columns":[{"name":"f1","type":"CHAR(512)","nullable":true,"collation_id":255},{"name":"f2","type":"VARCHAR(1200)","nullable":true,"collation_id":255},{"name":"f3","type":"ENUM","nullable":true,"collation_id":255,"values":["var1","variant2","foo"]},{"name":"f4","type":"SET","nullable":true,"collation_id":255,"values":["one","two","three","four"]},{"name":"f5","type":"TEXT","nullable":true,"collation_id":255}]})j",
       }},
      {"time_issue.000001",
       {
           R"({"pos":397,"type":"WRITE_ROWS","server_id":1,"timestamp":1746458055,"kind":"insert","table_id":1580,"schema":"noria","table":"t","rows":[{"after":{"@1":"-507:48:27"}}]})",
           R"({"pos":472,"type":"ROTATE","server_id":1,"timestamp":1746458070,"next_file":"binlog.000005","position":4})",
       }},
      {"binlog_transaction_with_GTID_TAG.000001",
       {
           R"({"pos":245,"type":"PREVIOUS_GTIDS","server_id":1,"timestamp":1770368667,"set":"55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2"})",
           R"({"pos":328,"type":"GTID_TAGGED","server_id":1,"timestamp":1770368687,"gtid":"55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3","tag":"mytag","last_committed":0,"sequence_number":1,"immediate_commit_timestamp":1770368687207196,"original_commit_timestamp":1770368687207196,"transaction_length":296,"immediate_server_version":90600,"original_server_version":90600})",
           R"({"pos":510,"type":"WRITE_ROWS","server_id":1,"timestamp":1770368687,"kind":"insert","table_id":90,"schema":"test","table":"orders","rows":[{"after":{"@1":3,"@2":100,"@3":"250.00"}}]})",
       }},
      {"transaction_compression.000001",
       {
           R"({"pos":431,"type":"TABLE_MAP","server_id":1,"timestamp":1695159109,"in_payload":true,"table_id":88,"schema":"test","table":"tb1","columns":[{"type":"INT","nullable":true}]})",
           R"({"pos":431,"type":"WRITE_ROWS","server_id":1,"timestamp":1695159109,"in_payload":true,"kind":"insert","table_id":88,"schema":"test","table":"tb1","rows":[{"after":{"@1":1}}]})",
           R"({"pos":431,"type":"XID","server_id":1,"timestamp":1695159109,"in_payload":true,"xid":462})",
       }},
      {"mysql_type_bit.000001",
       {
           R"({"pos":970,"type":"WRITE_ROWS","server_id":1,"timestamp":1642940552,"kind":"insert","table_id":124,"schema":"mysql","table":"foo","rows":[{"after":{"a":4,"b":"foo","c":32}}]})",
       }},
      {"minimal_row_metadata.000001",
       {
           // MINIMAL row image: absent columns are left out; SIGNEDNESS still
           // makes @5 unsigned.
           R"({"pos":420,"type":"WRITE_ROWS","server_id":1,"timestamp":1744984258,"kind":"insert","table_id":111,"schema":"noria","table":"t1","rows":[{"after":{"@1":1,"@3":"a","@5":3230202323}}]})",
       }},
      {"binlog-invisible-columns.000001",
       {
           R"({"pos":1089,"type":"WRITE_ROWS","server_id":1,"timestamp":1637667166,"kind":"insert","table_id":124,"schema":"mysql","table":"t1","rows":[{"after":{"f1":1,"f2":2,"f3":-3,"f4":"4","f5":"BQ==","f6":6000000000}}]})",
           R"({"pos":1810,"type":"STOP","server_id":1,"timestamp":1637667274,"skipped":true})",
       }},
      {"vector.binlog",
       {
           R"j({"pos":1085,"type":"TABLE_MAP","server_id":1,"timestamp":1723018995,"table_id":85,"schema":"dtb","table":"foo","columns":[{"name":"id","type":"BIGINT UNSIGNED","nullable":false},{"name":"vector_column","type":"VECTOR(3)","nullable":false,"collation_id":63}],"primary_key":["id"]})j",
           // [1.1, 2.2, 3.3] and [1, -1, 0] as little-endian float32.
           R"({"pos":1170,"type":"WRITE_ROWS","server_id":1,"timestamp":1723018995,"kind":"insert","table_id":85,"schema":"dtb","table":"foo","rows":[{"after":{"id":1,"vector_column":"zcyMP83MDEAzM1NA"}},{"after":{"id":2,"vector_column":"AACAPwAAgL8AAAAA"}}]})",
       }},
      {"json-opaque.binlog",
       {
           R"({"pos":1143,"type":"WRITE_ROWS","server_id":1,"timestamp":1727774378,"kind":"insert","table_id":90,"schema":"foo","table":"test","rows":[{"after":{"a":"{\"c\": \"87:31:46.654321\"}"}}]})",
       }},
      {"json.binlog.000001",
       {
           R"({"pos":1164,"type":"WRITE_ROWS","server_id":1,"timestamp":1615797802,"kind":"insert","table_id":119,"schema":"mysql","table":"t","rows":[{"after":{"@1":1,"@2":"{\"age\": 24, \"data\": \"xxxxxxxxxx\", \"name\": \"Joe\"}","@3":"Joe","@4":24}}]})",
       }},
      {"write-partial-row.binlog",
       {
           R"({"pos":106,"type":"FORMAT_DESCRIPTION","server_id":1,"timestamp":1253873519,"binlog_version":4,"server_version":"5.1.37-ndb-6.2.19-debug-log","checksum":"NONE","create_timestamp":1253873519,"in_use":false})",
           R"({"pos":453,"type":"WRITE_ROWS_V1","server_id":1,"timestamp":1253873520,"kind":"insert","table_id":46,"schema":"test","table":"ba","rows":[{"after":{"@1":4,"@3":40}}]})",
       }},
      {"update-full-row.binlog",
       {
           R"({"pos":471,"type":"UPDATE_ROWS_V1","server_id":4,"timestamp":1253873520,"kind":"update","table_id":26,"schema":"test","table":"ba","rows":[{"before":{"@1":4,"@2":4,"@3":4},"after":{"@1":4,"@2":4,"@3":40}}]})",
       }},
      {"mysql-bin.checksum-crc32",
       {
           // MySQL 5.7 writes no charsets: strings are bytes (base64).
           R"({"pos":486,"type":"WRITE_ROWS","server_id":1,"timestamp":1525422719,"kind":"insert","table_id":215,"schema":"simu_file_dev","table":"folder","rows":[{"after":{"@1":12300113,"@2":"dGVzdDI=","@3":"Lw==","@4":116103,"@5":"2018-05-04 08:31:59","@6":906703,"@7":0,"@8":0,"@9":0,"@10":"2018-05-04 08:31:59","@11":0,"@12":12200009}}]})",
       }},
      {"binlog_56_gtid_reserved_word.000001",
       {
           R"({"pos":993,"type":"WRITE_ROWS","server_id":1,"timestamp":1527182772,"kind":"insert","table_id":75,"schema":"test","table":"GENERATED","rows":[{"after":{"@1":65}}]})",
       }},
      {"mysql-bin.compressed", {}},
  };
  return *expected;
}
// clang-format on

TEST(CliBinlogTest, EveryRecordedBinlog) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(FixtureDir())) {
    if (entry.path().filename() != "README.md") names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  ASSERT_GE(names.size(), Expected().size());
  for (const auto& [name, lines] : Expected()) {
    EXPECT_TRUE(std::binary_search(names.begin(), names.end(), name)) << name << " is gone";
  }
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::string path = FixtureDir() + "/" + name;
    const CommandResult r = RunCli({"binlog", path});
    EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
    EXPECT_EQ(r.stderr_data, "");
    const std::vector<std::string> events = Events(r.stdout_data, path);
    ASSERT_FALSE(events.empty());
    EXPECT_THAT(events[0], HasSubstr("\"type\":\"FORMAT_DESCRIPTION\""));
    for (const std::string& line : Lines(r.stdout_data)) {
      google::protobuf::Struct parsed;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &parsed).ok())
          << line;
    }
    auto it = Expected().find(name);
    if (it == Expected().end()) continue;
    for (const std::string& want : it->second) {
      EXPECT_THAT(events, ::testing::Contains(want));
    }
  }
}

TEST(CliBinlogTest, EnumAndSetNames) {
  const std::string path = FixtureDir() + "/mysql-enum-string-set.000001";
  const CommandResult r = RunCli({"binlog", "--types=UPDATE_ROWS", path});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  const std::vector<std::string> events = Events(r.stdout_data, path);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(events[0], HasSubstr(R"("f3":"var1","f4":"one,three")"));
  EXPECT_THAT(
      events[0],
      HasSubstr(R"("after":{"f1":"field1","f2":"field_2","f3":"variant2","f4":"two,four")"));
}

TEST(CliBinlogTest, CompressedTransactionHoldsItsRows) {
  const std::string path = FixtureDir() + "/mysql-bin.compressed";
  const CommandResult r = RunCli({"binlog", path});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  const std::vector<std::string> rows = With(Events(r.stdout_data, path), "\"UPDATE_ROWS\"");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(
      rows[0],
      HasSubstr(
          R"("in_payload":true,"kind":"update","table_id":84,"schema":"demo","table":"movies")"));
  EXPECT_THAT(rows[0],
              HasSubstr(R"("before":{"@1":1,"@2":"Once Upon a Time in the West","@3":1968)"));
}

TEST(CliBinlogTest, PartialJsonUpdateKeepsTheDiff) {
  const std::string path = FixtureDir() + "/json.binlog.000001";
  const CommandResult r = RunCli({"binlog", "--types=partial_update_rows", path});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  const std::vector<std::string> events = Events(r.stdout_data, path);
  ASSERT_EQ(events.size(), 1u);
  // binlog_row_image=MINIMAL: the before image holds only the key, so the
  // JSON diff ($.age := 26) cannot be applied and is passed on raw.
  EXPECT_THAT(
      events[0],
      HasSubstr(
          R"({"before":{"@1":1},"after":{"@3":"Joe","@4":26},"json_diffs":{"@2":"AAUkLmFnZQMFGgA="}})"));
}

TEST(CliBinlogTest, SummaryOfSeveralFiles) {
  const CommandResult r = RunCli({"binlog", "--summary", FixtureDir() + "/mariadb-bin.000001",
                                  FixtureDir() + "/time_issue.000001"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "{\"events\":21,\"types\":{\"FORMAT_DESCRIPTION\":2,\"GTID_LIST\":1,"
            "\"BINLOG_CHECKPOINT\":1,\"MARIADB_GTID\":2,\"ANNOTATE_ROWS\":2,\"TABLE_MAP\":3,"
            "\"WRITE_ROWS_V1\":2,\"XID\":3,\"PREVIOUS_GTIDS\":1,\"ANONYMOUS_GTID\":1,\"QUERY\":1,"
            "\"WRITE_ROWS\":1,\"ROTATE\":1},\"rows\":{\"insert\":3,\"update\":0,\"delete\":0}}\n");
}

TEST(CliBinlogTest, Errors) {
  // Not a binlog, a missing file, an unknown type: usage errors (2), before
  // any output.
  CommandResult r =
      RunCli({"binlog", FixtureDir() + "/mariadb-bin.000001", FixtureDir() + "/README.md"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_THAT(r.stderr_data, HasSubstr("README.md: not a binlog file"));
  r = RunCli({"binlog", "/nonexistent/mysql-bin.000001"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_data, HasSubstr("/nonexistent/mysql-bin.000001"));
  r = RunCli({"binlog", "--types=QUERY,NOPE", FixtureDir() + "/mariadb-bin.000001"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_data, HasSubstr("unknown event type 'NOPE'"));
  r = RunCli({"binlog"});
  EXPECT_EQ(r.exit_code, 2);

  // A truncated copy: the events before the cut, then the error (1).
  const std::string source = FixtureDir() + "/mariadb-bin.000001";
  const std::string cut = absl::StrCat(std::getenv("TEST_TMPDIR"), "/cut.000001");
  std::filesystem::copy_file(source, cut, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(cut, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  std::filesystem::resize_file(cut, 700);  // Inside the XID event at 671..702.
  r = RunCli({"binlog", cut});
  EXPECT_EQ(r.exit_code, 1);
  const std::vector<std::string> events = Events(r.stdout_data, cut);
  ASSERT_EQ(events.size(), 7u);
  EXPECT_THAT(events.back(), StartsWith(R"({"pos":671,"type":"WRITE_ROWS_V1")"));
  EXPECT_THAT(r.stderr_data, StartsWith(absl::StrCat("ERROR: ", cut, ": ")));
  EXPECT_THAT(r.stderr_data, HasSubstr("offset 671"));
}

}  // namespace
}  // namespace mysqlgw::client
