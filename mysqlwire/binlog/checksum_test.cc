#include "mysqlwire/binlog/checksum.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
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

std::string Event(uint8_t type, uint16_t flags, const std::string& body) {
  return Le(1700000000, 4) + Le(type, 1) + Le(1, 4) + Le(19 + body.size() + 4, 4) +
         Le(1000, 4) + Le(flags, 2) + body;
}

std::string WithCrc(const std::string& event) {
  return event + Le(EventCrc32(event), 4);
}

TEST(ChecksumTest, IsZlibCrc32) {
  // The CRC-32 check value of the ISO-HDLC (zlib) variant.
  EXPECT_EQ(EventCrc32("123456789"), 0xcbf43926u);
  EXPECT_EQ(EventCrc32(""), 0u);
}

TEST(ChecksumTest, VerifiesAndLocatesMismatches) {
  const std::string event = WithCrc(Event(16, 0, Le(77, 8)));
  EXPECT_TRUE(VerifyCrc32(event).ok());
  for (size_t i = 0; i < event.size(); ++i) {
    std::string bad = event;
    bad[i] ^= 0x01;
    absl::Status s = VerifyCrc32(bad);
    EXPECT_TRUE(IsProtocolError(s)) << i;
  }
  std::string bad = event;
  bad[20] ^= 0x10;
  absl::Status s = VerifyCrc32(bad);
  EXPECT_NE(s.message().find("checksum mismatch at XID event with end_log_pos 1000"),
            absl::string_view::npos)
      << s;
  EXPECT_FALSE(VerifyCrc32("abc").ok());
  // A fragment shorter than a header is still checked.
  EXPECT_TRUE(VerifyCrc32(WithCrc("abcdef")).ok());
}

TEST(ChecksumTest, FormatDescriptionIsSummedWithoutTheInUseFlag) {
  // The server sums the event with the flag clear, then sets it in the file
  // while the binlog is open.
  const std::string closed = Event(15, 0, "body");
  std::string open = WithCrc(closed);
  open[17] |= kLogEventBinlogInUse;
  EXPECT_TRUE(VerifyCrc32(open).ok());
  EXPECT_EQ(EventCrc32(open.substr(0, open.size() - 4)), EventCrc32(closed));
  // Only for FORMAT_DESCRIPTION: another type with that bit is summed as is.
  std::string other = WithCrc(Event(16, 0, "body"));
  other[17] |= kLogEventBinlogInUse;
  EXPECT_FALSE(VerifyCrc32(other).ok());
}

TEST(ChecksumTest, RecordedFormatDescriptionOfAnOpenBinlog) {
  // json.binlog.000001 was copied while MySQL had it open: its
  // FORMAT_DESCRIPTION carries the in-use flag.
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  ASSERT_NE(runfiles, nullptr) << error;
  std::ifstream in(runfiles->Rlocation("shared_fixtures/binlog/json.binlog.000001"),
                   std::ios::binary);
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string file = ss.str();
  ASSERT_GT(file.size(), 125u);
  const std::string fde = file.substr(4, 121);
  EXPECT_EQ(fde[17] & kLogEventBinlogInUse, kLogEventBinlogInUse);
  EXPECT_TRUE(VerifyCrc32(fde).ok()) << VerifyCrc32(fde);
}

}  // namespace
}  // namespace mysqlwire::binlog
