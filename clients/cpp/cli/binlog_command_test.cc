#include "clients/cpp/cli/binlog_command.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cpp/cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/binlog/binlog_file_reader.h"
#include "mysqlwire/binlog/checksum.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlgw::client::cli {
namespace {

namespace binlog = ::mysqlwire::binlog;
using ::bazel::tools::cpp::runfiles::Runfiles;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string FixtureDir() {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) return "";
  return std::filesystem::path(runfiles->Rlocation("shared_fixtures/binlog/README.md"))
      .parent_path()
      .string();
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(FixtureDir() + "/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every binlog fixture (the folder's files but its README).
std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(FixtureDir())) {
    const std::string name = entry.path().filename().string();
    if (name != "README.md") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Output {
  int code = -1;
  std::string out;
  std::string err;
};

Output Dump(const std::string& name, const std::string& bytes, const BinlogOptions& options = {}) {
  Output o;
  absl::StatusOr<binlog::BinlogFileReader> reader =
      binlog::BinlogFileReader::FromBytes(name, bytes);
  if (!reader.ok()) {
    o.err = std::string(reader.status().message());
    return o;
  }
  std::vector<binlog::BinlogFileReader> readers;
  readers.push_back(*std::move(reader));
  std::ostringstream out, err;
  o.code = DumpBinlogs(readers, options, out, err);
  o.out = out.str();
  o.err = err.str();
  return o;
}

// Offsets of the events of a binlog file (after the magic), with the end.
std::vector<size_t> EventStarts(const std::string& file) {
  std::vector<size_t> starts;
  size_t pos = 4;
  while (pos + 19 <= file.size()) {
    starts.push_back(pos);
    uint32_t size;
    std::memcpy(&size, file.data() + pos + 9, 4);  // Little-endian host.
    pos += size;
  }
  starts.push_back(pos);
  return starts;
}

// Every event of the small fixtures, about 25 of the large one (whose
// transactions repeat), so that the quadratic loops below stay quick.
size_t Stride(const std::vector<size_t>& starts) { return std::max<size_t>(1, starts.size() / 25); }

size_t Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(ParseBinlogTypesTest, NamesAsPrintedCaseInsensitive) {
  absl::StatusOr<absl::flat_hash_set<std::string>> types =
      ParseBinlogTypes("query, write_rows_v1,MARIADB_GTID");
  ASSERT_TRUE(types.ok()) << types.status();
  EXPECT_EQ(*types, (absl::flat_hash_set<std::string>{"QUERY", "WRITE_ROWS_V1", "MARIADB_GTID"}));
  EXPECT_TRUE(ParseBinlogTypes("UNKNOWN").ok());
  EXPECT_THAT(std::string(ParseBinlogTypes("QUERY,INSERT").status().message()),
              HasSubstr("unknown event type 'INSERT'"));
  EXPECT_FALSE(ParseBinlogTypes(",").ok());
}

TEST(BinlogCommandTest, EveryFixtureDecodes) {
  const std::vector<std::string> names = FixtureNames();
  ASSERT_GE(names.size(), 16u);
  for (const std::string& name : names) {
    const Output o = Dump(name, ReadFixture(name));
    EXPECT_EQ(o.code, 0) << name << ": " << o.err;
    EXPECT_EQ(o.err, "") << name;
    // One line per event (a TRANSACTION_PAYLOAD gives one per inner event).
    EXPECT_GE(Lines(o.out), EventStarts(ReadFixture(name)).size() - 1) << name;
    for (absl::string_view line : absl::StrSplit(o.out, '\n', absl::SkipEmpty())) {
      EXPECT_THAT(std::string(line), StartsWith(absl::StrCat("{\"file\":\"", name, "\",\"pos\":")));
      EXPECT_TRUE(absl::EndsWith(line, "}")) << line;
    }
  }
}

TEST(BinlogCommandTest, TypesFilter) {
  BinlogOptions options;
  options.types = {"MARIADB_GTID", "ANNOTATE_ROWS"};
  const Output o = Dump("mariadb-bin.000001", ReadFixture("mariadb-bin.000001"), options);
  EXPECT_EQ(o.code, 0) << o.err;
  std::vector<std::string> types;
  for (absl::string_view line : absl::StrSplit(o.out, '\n', absl::SkipEmpty())) {
    const size_t start = line.find("\"type\":\"") + 8;
    types.push_back(std::string(line.substr(start, line.find('"', start) - start)));
  }
  EXPECT_EQ(types, (std::vector<std::string>{"MARIADB_GTID", "ANNOTATE_ROWS", "MARIADB_GTID",
                                             "ANNOTATE_ROWS"}));
}

TEST(BinlogCommandTest, Summary) {
  BinlogOptions options;
  options.summary = true;
  Output o = Dump("mariadb-bin.000001", ReadFixture("mariadb-bin.000001"), options);
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out,
            "{\"events\":13,\"types\":{\"FORMAT_DESCRIPTION\":1,\"GTID_LIST\":1,"
            "\"BINLOG_CHECKPOINT\":1,\"MARIADB_GTID\":2,\"ANNOTATE_ROWS\":2,\"TABLE_MAP\":2,"
            "\"WRITE_ROWS_V1\":2,\"XID\":2},\"rows\":{\"insert\":2,\"update\":0,\"delete\":0}}\n");

  // With a filter, only the selected types count.
  options.types = {"UPDATE_ROWS", "DELETE_ROWS", "WRITE_ROWS"};
  o = Dump("mysql-enum-string-set.000001", ReadFixture("mysql-enum-string-set.000001"), options);
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out,
            "{\"events\":3,\"types\":{\"WRITE_ROWS\":1,\"UPDATE_ROWS\":1,\"DELETE_ROWS\":1},"
            "\"rows\":{\"insert\":1,\"update\":1,\"delete\":1}}\n");
}

TEST(BinlogCommandTest, OpenErrorsAreUsageErrors) {
  std::ostringstream out, err;
  EXPECT_EQ(RunBinlog({}, {}, out, err), kExitUsage);
  err.str("");
  EXPECT_EQ(
      RunBinlog({FixtureDir() + "/mariadb-bin.000001", "/nonexistent/binlog.000001"}, {}, out, err),
      kExitUsage);
  EXPECT_EQ(out.str(), "");  // Checked before anything is printed.
  EXPECT_THAT(err.str(), HasSubstr("/nonexistent/binlog.000001"));
  err.str("");
  EXPECT_EQ(RunBinlog({FixtureDir() + "/README.md"}, {}, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("README.md: not a binlog file"));
  EXPECT_EQ(out.str(), "");
}

TEST(BinlogCommandTest, SeveralFilesInOrder) {
  std::ostringstream out, err;
  EXPECT_EQ(RunBinlog({FixtureDir() + "/time_issue.000001", FixtureDir() + "/mariadb-bin.000001"},
                      {}, out, err),
            kExitOk)
      << err.str();
  const std::vector<std::string> lines = absl::StrSplit(out.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 8u + 13u);
  EXPECT_THAT(lines[0],
              HasSubstr("time_issue.000001\",\"pos\":126,\"type\":\"FORMAT_DESCRIPTION\""));
  EXPECT_THAT(lines[8],
              HasSubstr("mariadb-bin.000001\",\"pos\":256,\"type\":\"FORMAT_DESCRIPTION\""));
}

// A file cut inside event k: the events before it are printed exactly as
// from the whole file, then an error naming the file and k's offset.
TEST(BinlogCommandTest, TruncatedFilesPrintWhatCameBefore) {
  for (const std::string& name : FixtureNames()) {
    const std::string file = ReadFixture(name);
    const std::vector<size_t> starts = EventStarts(file);
    for (size_t k = 0; k + 1 < starts.size(); k += Stride(starts)) {
      const Output before = Dump(name, file.substr(0, starts[k]));
      ASSERT_EQ(before.code, 0) << name << " cut at " << starts[k] << ": " << before.err;
      const size_t size = starts[k + 1] - starts[k];
      for (size_t cut : {size_t{1}, size_t{18}, size_t{19}, size - 1}) {
        if (cut == 0 || cut >= size) continue;
        const Output o = Dump(name, file.substr(0, starts[k] + cut));
        EXPECT_EQ(o.code, kExitSqlError) << name << " cut at " << starts[k] + cut;
        EXPECT_EQ(o.out, before.out) << name << " cut at " << starts[k] + cut;
        EXPECT_THAT(o.err, StartsWith(absl::StrCat("ERROR: ", name, ": ")));
        EXPECT_THAT(o.err, HasSubstr(absl::StrCat("offset ", starts[k])));
      }
    }
  }
}

TEST(BinlogCommandTest, ChecksumMismatchNamesTheEvent) {
  std::string file = ReadFixture("mariadb-bin.000001");
  const std::vector<size_t> starts = EventStarts(file);
  const size_t k = 4;  // The first ANNOTATE_ROWS, at 372.
  ASSERT_EQ(starts[k], 372u);
  file[starts[k] + 25] ^= 0x01;
  const Output o = Dump("mariadb-bin.000001", file);
  EXPECT_EQ(o.code, kExitSqlError);
  EXPECT_EQ(Lines(o.out), 4u);
  EXPECT_THAT(o.err, StartsWith("ERROR: mariadb-bin.000001: event at offset 372: "));
  EXPECT_THAT(o.err, HasSubstr("ANNOTATE_ROWS"));
}

// Damaged bytes inside events whose checksum still matches (recomputed after
// the damage), so that they reach the parsers: never a crash, exit 0 or 1,
// and the events before the damaged one print as from the whole file.
TEST(BinlogCommandTest, DamagedEventsNeverCrash) {
  for (const std::string& name : FixtureNames()) {
    const std::string file = ReadFixture(name);
    const std::vector<size_t> starts = EventStarts(file);
    const bool has_checksum =
        !absl::StartsWith(name, "update-full-row") && !absl::StartsWith(name, "write-partial-row");
    for (size_t k = 0; k + 1 < starts.size(); k += Stride(starts)) {
      const std::string before = Dump(name, file.substr(0, starts[k])).out;
      const size_t size = starts[k + 1] - starts[k];
      const size_t footer = has_checksum ? 4 : 0;
      for (size_t at : {size_t{4}, size_t{9}, size_t{19}, size_t{20}, size_t{21}, size_t{22},
                        size_t{27}, size_t{28}, size_t{30}, size / 2, size - footer - 1}) {
        if (at >= size - footer) continue;
        for (uint8_t mask : {uint8_t{0x01}, uint8_t{0xff}}) {
          std::string damaged = file.substr(0, starts[k + 1]);
          damaged[starts[k] + at] = static_cast<char>(damaged[starts[k] + at] ^ mask);
          if (has_checksum) {
            const uint32_t crc =
                binlog::EventCrc32(absl::string_view(damaged).substr(starts[k], size - footer));
            std::memcpy(&damaged[starts[k] + size - footer], &crc, 4);
          }
          const Output o = Dump(name, damaged);
          ASSERT_TRUE(o.code == kExitOk || o.code == kExitSqlError)
              << name << " byte " << starts[k] + at;
          EXPECT_THAT(o.out, StartsWith(before)) << name << " byte " << starts[k] + at;
          if (o.code != kExitOk) {
            EXPECT_THAT(o.err, StartsWith(absl::StrCat("ERROR: ", name, ": ")));
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace mysqlgw::client::cli
