#include "mysqlwire/binlog/binlog_file_reader.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/binlog/event_header.h"
#include "mysqlwire/error.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlwire::binlog {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

std::string Le(uint64_t v, int width) {
  std::string s;
  for (int i = 0; i < width; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

std::string Event(uint8_t type, const std::string& body) {
  return Le(1700000000, 4) + Le(type, 1) + Le(1, 4) + Le(19 + body.size(), 4) + Le(0, 4) +
         Le(0, 2) + body;
}

const std::string kMagic(kBinlogMagic.data(), kBinlogMagic.size());

TEST(BinlogFileReaderTest, ReadsEventsToACleanEnd) {
  const std::string a = Event(16, Le(7, 8));
  const std::string b = Event(3, "");
  auto reader = BinlogFileReader::FromBytes("mem", kMagic + a + b);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->position(), 4u);
  auto e = reader->Next();
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ(**e, a);
  EXPECT_EQ(reader->position(), 4 + a.size());
  e = reader->Next();
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ(**e, b);
  e = reader->Next();
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->has_value());
  EXPECT_EQ(reader->position(), reader->size());
  // A file with only the magic has no events.
  auto empty = BinlogFileReader::FromBytes("mem", kMagic);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->Next()->has_value());
}

TEST(BinlogFileReaderTest, RejectsFilesWithoutTheMagic) {
  EXPECT_TRUE(IsProtocolError(BinlogFileReader::FromBytes("x", "").status()));
  EXPECT_FALSE(BinlogFileReader::FromBytes("x", "\xfe" "bi").ok());
  EXPECT_FALSE(BinlogFileReader::FromBytes("x", "\xfe" "BIN" + Event(3, "")).ok());
}

TEST(BinlogFileReaderTest, TruncatedLastEventNamesFileAndOffset) {
  const std::string a = Event(16, Le(7, 8));
  const std::string b = Event(2, std::string(40, 'q'));
  const std::string file = kMagic + a + b;
  for (size_t cut = 4 + a.size() + 1; cut < file.size(); ++cut) {
    auto reader = BinlogFileReader::FromBytes("binlog.000001", file.substr(0, cut));
    ASSERT_TRUE(reader.ok());
    ASSERT_TRUE(reader->Next().ok());
    auto e = reader->Next();
    ASSERT_FALSE(e.ok()) << cut;
    EXPECT_TRUE(IsProtocolError(e.status()));
    EXPECT_NE(e.status().message().find("binlog.000001"), absl::string_view::npos);
    EXPECT_NE(e.status().message().find("offset 31"), absl::string_view::npos) << e.status();
    // The reader stays on the damaged event.
    EXPECT_EQ(reader->position(), 4 + a.size());
    EXPECT_FALSE(reader->Next().ok());
  }
}

TEST(BinlogFileReaderTest, RejectsEventSizesBelowTheHeader) {
  std::string bad = Event(3, "");
  bad[9] = 5;
  auto reader = BinlogFileReader::FromBytes("mem", kMagic + bad);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(IsProtocolError(reader->Next().status()));
}

TEST(BinlogFileReaderTest, OpenErrors) {
  EXPECT_EQ(BinlogFileReader::Open("/nonexistent/binlog.000001").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(BinlogFileReader::Open("/").ok());
}

std::string FixtureDir() {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) return "";
  return std::filesystem::path(runfiles->Rlocation("shared_fixtures/binlog/README.md"))
      .parent_path()
      .string();
}

// Events per type code in each recorded file (counted independently with
// xxd/a script walking event_size, and matching mariadb-binlog where it can
// read the file).
const std::map<std::string, std::map<int, int>>& ExpectedCounts() {
  static const auto* counts = new std::map<std::string, std::map<int, int>>{
      {"binlog-invisible-columns.000001",
       {{15, 1}, {35, 1}, {33, 5}, {2, 5}, {19, 3}, {30, 2}, {16, 3}, {31, 1}, {3, 1}}},
      {"binlog_56_gtid_reserved_word.000001",
       {{15, 1}, {35, 1}, {33, 6}, {2, 9}, {19, 1}, {30, 1}, {3, 1}}},
      {"binlog_transaction_with_GTID_TAG.000001",
       {{15, 1}, {35, 1}, {42, 1}, {2, 1}, {19, 1}, {30, 1}, {16, 1}, {4, 1}}},
      {"json-opaque.binlog", {{15, 1}, {35, 1}, {34, 3}, {2, 3}, {19, 8}, {30, 8}, {16, 1}}},
      {"json.binlog.000001",
       {{15, 1}, {35, 1}, {34, 8}, {2, 8}, {19, 6}, {30, 4}, {16, 6}, {31, 1}, {39, 1}}},
      {"mariadb-bin.000001",
       {{15, 1}, {163, 1}, {161, 1}, {162, 2}, {160, 2}, {19, 2}, {23, 2}, {16, 2}}},
      {"minimal_row_metadata.000001",
       {{15, 1}, {35, 1}, {34, 1}, {2, 1}, {19, 1}, {30, 1}, {16, 1}, {4, 1}}},
      {"mysql-bin.checksum-crc32",
       {{15, 1}, {35, 1}, {34, 60}, {2, 60}, {19, 60}, {30, 34}, {16, 60}, {31, 20}, {32, 6},
        {4, 1}}},
      {"mysql-bin.compressed", {{15, 1}, {35, 1}, {34, 1}, {40, 1}, {4, 1}}},
      {"mysql-enum-string-set.000001",
       {{15, 1}, {35, 1}, {33, 5}, {2, 5}, {19, 3}, {30, 1}, {16, 3}, {31, 1}, {32, 1}}},
      {"mysql_type_bit.000001", {{15, 1}, {35, 1}, {33, 3}, {2, 3}, {19, 1}, {30, 1}, {16, 1}}},
      {"time_issue.000001",
       {{15, 1}, {35, 1}, {34, 1}, {2, 1}, {19, 1}, {30, 1}, {16, 1}, {4, 1}}},
      {"transaction_compression.000001", {{15, 1}, {35, 1}, {34, 1}, {40, 1}, {4, 1}}},
      {"update-full-row.binlog", {{15, 1}, {2, 2}, {19, 2}, {23, 2}, {24, 1}, {25, 1}, {4, 1}}},
      {"vector.binlog",
       {{15, 1}, {35, 1}, {34, 10}, {2, 10}, {19, 6}, {30, 5}, {16, 3}, {32, 1}, {3, 1}}},
      {"write-partial-row.binlog", {{15, 1}, {2, 2}, {19, 2}, {23, 3}, {25, 1}, {4, 1}}},
  };
  return *counts;
}

TEST(BinlogFileReaderTest, EveryFixtureFileReadsToItsEnd) {
  const std::string dir = FixtureDir();
  ASSERT_FALSE(dir.empty());
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    seen.insert(name);
    SCOPED_TRACE(name);
    auto reader = BinlogFileReader::Open(entry.path().string());
    ASSERT_TRUE(reader.ok()) << reader.status();
    std::map<int, int> counts;
    uint64_t previous_end = 4;
    while (true) {
      auto e = reader->Next();
      ASSERT_TRUE(e.ok()) << e.status();
      if (!e->has_value()) break;
      auto h = ParseEventHeader(**e);
      ASSERT_TRUE(h.ok()) << h.status();
      // log_pos is the file offset just past the event.
      EXPECT_EQ(h->log_pos, reader->position());
      EXPECT_EQ(previous_end + h->event_size, reader->position());
      previous_end = reader->position();
      ++counts[static_cast<int>(h->type)];
    }
    EXPECT_EQ(reader->position(), reader->size());
    auto it = ExpectedCounts().find(name);
    ASSERT_NE(it, ExpectedCounts().end()) << "no expectations for fixture " << name;
    EXPECT_EQ(counts, it->second);
  }
  EXPECT_EQ(seen.size(), ExpectedCounts().size());
}

}  // namespace
}  // namespace mysqlwire::binlog
