#include "mysqlwire/protocol/framing.h"

#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

TEST(FramingTest, SmallMessage) {
  std::string out;
  uint8_t seq = 0;
  AppendFramedMessage("\x03SELECT 1"s, &seq, &out);
  EXPECT_EQ(out, "\x09\x00\x00\x00\x03SELECT 1"s);
  EXPECT_EQ(seq, 1);

  uint8_t rseq = 0;
  std::string joined;
  auto d = Deframe(out, &rseq, 1 << 30, &joined);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->consumed, out.size());
  EXPECT_EQ(d->payload, "\x03SELECT 1"s);
  EXPECT_EQ(rseq, 1);
}

TEST(FramingTest, EveryPrefixNeedsMore) {
  std::string out;
  uint8_t seq = 7;
  AppendFramedMessage("hello", &seq, &out);
  for (size_t n = 0; n < out.size(); ++n) {
    uint8_t rseq = 7;
    std::string joined;
    auto d = Deframe(out.substr(0, n), &rseq, 1 << 30, &joined);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->consumed, 0u);
    EXPECT_EQ(rseq, 7);
  }
}

TEST(FramingTest, WrongSequenceIsProtocolError) {
  std::string joined;
  uint8_t seq = 1;
  auto d = Deframe("\x01\x00\x00\x05x"s, &seq, 1 << 30, &joined);
  EXPECT_TRUE(IsProtocolError(d.status()));
}

TEST(FramingTest, EmptyPayloadIsAMessage) {
  std::string joined;
  uint8_t seq = 0;
  auto d = Deframe("\x00\x00\x00\x00"s, &seq, 1 << 30, &joined);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->consumed, 4u);
  EXPECT_TRUE(d->payload.empty());
}

class LargeFramingTest : public ::testing::TestWithParam<size_t> {};

TEST_P(LargeFramingTest, SplitsAndJoins) {
  const size_t size = GetParam();
  std::string payload(size, '\0');
  for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 31 + 7);
  std::string out;
  uint8_t seq = 250;  // Wraps past 255.
  AppendFramedMessage(payload, &seq, &out);
  const size_t packets = size / kMaxPacketPayload + 1;
  EXPECT_EQ(out.size(), size + 4 * packets);
  EXPECT_EQ(seq, static_cast<uint8_t>(250 + packets));

  // The header of the last packet carries the remainder (0 when exact).
  size_t last = out.size() - (size % kMaxPacketPayload) - 4;
  EXPECT_EQ(static_cast<uint8_t>(out[last]), (size % kMaxPacketPayload) & 0xff);

  uint8_t rseq = 250;
  std::string joined;
  auto d = Deframe(out, &rseq, 1 << 30, &joined);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->consumed, out.size());
  EXPECT_EQ(d->payload.size(), size);
  EXPECT_TRUE(d->payload == payload);
  EXPECT_EQ(rseq, seq);

  // Missing the final packet: more input needed, nothing consumed.
  rseq = 250;
  auto partial = Deframe(absl::string_view(out).substr(0, out.size() - 1), &rseq,
                         1 << 30, &joined);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->consumed, 0u);

  // Over the limit: rejected before buffering the whole message.
  rseq = 250;
  EXPECT_TRUE(IsProtocolError(Deframe(out, &rseq, size - 1, &joined).status()));
}

INSTANTIATE_TEST_SUITE_P(Sizes, LargeFramingTest,
                         ::testing::Values(kMaxPacketPayload - 1, kMaxPacketPayload,
                                           kMaxPacketPayload + 1,
                                           2 * kMaxPacketPayload));

}  // namespace
}  // namespace mysqlwire
