#include "mysqlwire/binlog/format_description.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {
namespace {

std::string Le(uint64_t v, int width) {
  std::string s;
  for (int i = 0; i < width; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

// A body with `entries` post-header lengths (all 7, except the table's own
// FORMAT_DESCRIPTION entry) and, when `footer` is set, an algorithm byte and
// a 4-byte checksum.
std::string Body(const std::string& version, size_t entries, int footer = -1) {
  std::string v = version;
  v.resize(50, '\0');
  std::string table(entries, '\x07');
  table[14] = static_cast<char>(57 + entries);
  std::string body = Le(4, 2) + v + Le(1700000000, 4) + Le(19, 1) + table;
  if (footer >= 0) body += Le(footer, 1) + Le(0xdeadbeef, 4);
  return body;
}

// Recorded bodies (after the common header).
// mysql-bin.compressed, MySQL 8.0.28, CRC32.
const char kMySql8028[] =
    "0400382e302e3238000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000013000d0008000000000400040000006200041a08"
    "000000080808020000000a0a0a2a2a001234000a280001b3f1c6bc";
// update-full-row.binlog, MySQL 5.1.37, no checksum footer.
const char kMySql5137[] =
    "0400352e312e33372d6e64622d362e322e31392d64656275672d6c6f67000000000000000000"
    "00000000000000000000000000007097bc4a13380d0008001200040404041200005300041a08"
    "00000008080802";

TEST(FormatDescriptionTest, RecordedMySql8) {
  auto fde = ParseFormatDescription(absl::HexStringToBytes(kMySql8028));
  ASSERT_TRUE(fde.ok()) << fde.status();
  EXPECT_EQ(fde->binlog_version, 4);
  EXPECT_EQ(fde->server_version, "8.0.28");
  EXPECT_EQ(fde->header_length, 19);
  EXPECT_EQ(fde->checksum, ChecksumAlgorithm::kCrc32);
  EXPECT_TRUE(fde->has_checksum());
  EXPECT_FALSE(fde->is_mariadb());
  EXPECT_EQ(fde->post_header_lengths.size(), 41u);
  EXPECT_EQ(fde->PostHeaderLength(EventType::kQuery), 13);
  EXPECT_EQ(fde->PostHeaderLength(EventType::kRotate), 8);
  EXPECT_EQ(fde->PostHeaderLength(EventType::kTableMap), 8);
  EXPECT_EQ(fde->PostHeaderLength(EventType::kWriteRowsV2), 10);
  EXPECT_EQ(fde->PostHeaderLength(EventType::kGtid), 42);
  EXPECT_EQ(fde->PostHeaderLength(EventType::kTransactionPayload), 40);
  EXPECT_EQ(fde->PostHeaderLength(EventType::kHeartbeatV2), 0);
  EXPECT_TRUE(fde->KnowsType(EventType::kHeartbeatV2));
  EXPECT_FALSE(fde->KnowsType(EventType::kGtidTagged));
  EXPECT_EQ(fde->PostHeaderLength(EventType::kMariaGtid), 0);
  EXPECT_EQ(fde->VersionSplit(), (std::array<int, 3>{8, 0, 28}));
}

TEST(FormatDescriptionTest, RecordedMySql51WithoutFooter) {
  auto fde = ParseFormatDescription(absl::HexStringToBytes(kMySql5137));
  ASSERT_TRUE(fde.ok()) << fde.status();
  EXPECT_EQ(fde->server_version, "5.1.37-ndb-6.2.19-debug-log");
  EXPECT_EQ(fde->checksum, ChecksumAlgorithm::kUndefined);
  EXPECT_FALSE(fde->has_checksum());
  EXPECT_EQ(fde->post_header_lengths.size(), 26u);
  EXPECT_EQ(fde->PostHeaderLength(EventType::kWriteRowsV1), 8);
}

TEST(FormatDescriptionTest, FooterDependsOnTheServerVersion) {
  EXPECT_FALSE(FormatDescriptionHasChecksumFooter("5.6.0"));
  EXPECT_TRUE(FormatDescriptionHasChecksumFooter("5.6.1"));
  EXPECT_TRUE(FormatDescriptionHasChecksumFooter("5.6.41-debug-log"));
  EXPECT_TRUE(FormatDescriptionHasChecksumFooter("9.6.0"));
  EXPECT_FALSE(FormatDescriptionHasChecksumFooter("5.5.62-log"));
  EXPECT_FALSE(FormatDescriptionHasChecksumFooter("5.2.14-MariaDB"));
  EXPECT_TRUE(FormatDescriptionHasChecksumFooter("5.3.0-MariaDB"));
  EXPECT_TRUE(FormatDescriptionHasChecksumFooter("5.5.68-MariaDB"));
  EXPECT_TRUE(FormatDescriptionHasChecksumFooter("10.5.15-MariaDB-1:10.5.15+maria~focal-log"));
  EXPECT_FALSE(FormatDescriptionHasChecksumFooter("garbage"));

  auto old = ParseFormatDescription(Body("5.5.62-log", 27));
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->checksum, ChecksumAlgorithm::kUndefined);
  auto off = ParseFormatDescription(Body("5.6.1", 35, 0));
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->checksum, ChecksumAlgorithm::kOff);
  EXPECT_EQ(off->post_header_lengths.size(), 35u);
  auto maria = ParseFormatDescription(Body("10.11.6-MariaDB-log", 171, 1));
  ASSERT_TRUE(maria.ok()) << maria.status();
  EXPECT_TRUE(maria->is_mariadb());
  EXPECT_EQ(maria->checksum, ChecksumAlgorithm::kCrc32);
  // The same body read with the wrong assumption about the footer fails the
  // table-size check instead of yielding wrong lengths.
  EXPECT_FALSE(ParseFormatDescription(Body("5.6.0", 35, 1)).ok());
  EXPECT_FALSE(ParseFormatDescription(Body("5.6.1", 35)).ok());
}

TEST(FormatDescriptionTest, RejectsTruncationTrailingBytesAndOddValues) {
  for (const std::string& body :
       {absl::HexStringToBytes(kMySql8028), absl::HexStringToBytes(kMySql5137)}) {
    for (size_t n = 0; n < body.size(); ++n) {
      EXPECT_TRUE(IsProtocolError(ParseFormatDescription(body.substr(0, n)).status())) << n;
    }
    EXPECT_FALSE(ParseFormatDescription(body + "x").ok());
  }
  EXPECT_FALSE(ParseFormatDescription(Body("8.0.30", 41, 2)).ok());  // algorithm 2
  std::string v3 = Body("8.0.30", 41, 1);
  v3[0] = 3;
  EXPECT_FALSE(ParseFormatDescription(v3).ok());
  std::string short_header = Body("8.0.30", 41, 1);
  short_header[56] = 13;
  EXPECT_FALSE(ParseFormatDescription(short_header).ok());
  EXPECT_FALSE(ParseFormatDescription(Body("8.0.30", 14, 1).substr(0, 57 + 14 + 5)).ok());
}

TEST(FormatDescriptionTest, VersionSplit) {
  FormatDescription fde;
  auto split = [&fde](const std::string& v) {
    fde.server_version = v;
    return fde.VersionSplit();
  };
  EXPECT_EQ(split("5.6.41-debug-log"), (std::array<int, 3>{5, 6, 41}));
  EXPECT_EQ(split("10.5.15-MariaDB-1:10.5.15+maria~focal-log"),
            (std::array<int, 3>{10, 5, 15}));
  EXPECT_EQ(split("5.6"), (std::array<int, 3>{5, 6, 0}));
  EXPECT_EQ(split("5.6-log"), (std::array<int, 3>{5, 6, 0}));
  EXPECT_EQ(split("5"), (std::array<int, 3>{0, 0, 0}));
  EXPECT_EQ(split("256.0.0"), (std::array<int, 3>{0, 0, 0}));
  EXPECT_EQ(split("5.6.99999999999"), (std::array<int, 3>{0, 0, 0}));
  EXPECT_EQ(split(""), (std::array<int, 3>{0, 0, 0}));
}

TEST(FormatDescriptionTest, Default) {
  FormatDescription fde = DefaultFormatDescription();
  EXPECT_EQ(fde.binlog_version, 4);
  EXPECT_EQ(fde.header_length, 19);
  EXPECT_EQ(fde.checksum, ChecksumAlgorithm::kUndefined);
  EXPECT_EQ(fde.PostHeaderLength(EventType::kQuery), 13);
  EXPECT_EQ(fde.PostHeaderLength(EventType::kRotate), 8);
  EXPECT_EQ(fde.PostHeaderLength(EventType::kGtid), 42);
  EXPECT_EQ(fde.PostHeaderLength(EventType::kMariaGtid), 19);
  EXPECT_EQ(fde.PostHeaderLength(EventType::kMariaGtidList), 4);
  EXPECT_EQ(fde.PostHeaderLength(EventType::kMariaQueryCompressed), 13);
  EXPECT_EQ(fde.PostHeaderLength(EventType::kMariaDeleteRowsCompressed), 10);
  EXPECT_EQ(fde.PostHeaderLength(EventType::kUnknown), 0);
  EXPECT_TRUE(fde.KnowsType(EventType::kMariaDeleteRowsCompressed));
  EXPECT_FALSE(fde.KnowsType(static_cast<EventType>(172)));
  EXPECT_EQ(fde.PostHeaderLength(static_cast<EventType>(172)), 0);
  // Consistent with what the parser demands of a real one.
  EXPECT_EQ(fde.PostHeaderLength(EventType::kFormatDescription),
            57 + fde.post_header_lengths.size());
}

}  // namespace
}  // namespace mysqlwire::binlog
