#include "mysqlwire/binlog/event_header.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {
namespace {

std::string Le(uint64_t v, int width) {
  std::string s;
  for (int i = 0; i < width; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

std::string Header(uint8_t type, uint32_t size, uint32_t log_pos, uint16_t flags) {
  return Le(1700000000, 4) + Le(type, 1) + Le(42, 4) + Le(size, 4) + Le(log_pos, 4) +
         Le(flags, 2);
}

TEST(EventHeaderTest, ParsesTheNineteenBytes) {
  auto h = ParseEventHeader(Header(2, 100, 1234, kLogEventIgnorable));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->timestamp, 1700000000u);
  EXPECT_EQ(h->type, EventType::kQuery);
  EXPECT_EQ(h->server_id, 42u);
  EXPECT_EQ(h->event_size, 100u);
  EXPECT_EQ(h->log_pos, 1234u);
  EXPECT_EQ(h->flags, kLogEventIgnorable);
}

TEST(EventHeaderTest, WholeEventMustMatchEventSize) {
  std::string event = Header(16, 31, 0, 0) + std::string(12, 'x');
  ASSERT_TRUE(ParseEventHeader(event).ok());
  EXPECT_TRUE(IsProtocolError(ParseEventHeader(event + "y").status()));
  EXPECT_FALSE(ParseEventHeader(event.substr(0, 30)).ok());
  // A 19-byte event (a STOP without checksum) is whole and header at once.
  EXPECT_TRUE(ParseEventHeader(Header(3, 19, 0, 0)).ok());
}

TEST(EventHeaderTest, RejectsShortSizesAndTruncation) {
  EXPECT_FALSE(ParseEventHeader(Header(2, 18, 0, 0)).ok());
  EXPECT_FALSE(ParseEventHeader(Header(2, 0, 0, 0)).ok());
  const std::string h = Header(2, 100, 0, 0);
  for (size_t n = 0; n < h.size(); ++n) {
    EXPECT_TRUE(IsProtocolError(ParseEventHeader(h.substr(0, n)).status())) << n;
  }
}

TEST(EventHeaderTest, UnknownTypesPassThrough) {
  auto h = ParseEventHeader(Header(250, 19, 0, 0));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(static_cast<uint8_t>(h->type), 250);
}

}  // namespace
}  // namespace mysqlwire::binlog
