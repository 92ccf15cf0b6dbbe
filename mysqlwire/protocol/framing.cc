#include "mysqlwire/protocol/framing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"

namespace mysqlwire {
namespace {

uint32_t ReadLength(absl::string_view header) {
  return static_cast<uint32_t>(static_cast<uint8_t>(header[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(header[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(header[2])) << 16;
}

void AppendHeader(size_t length, uint8_t sequence, std::string* out) {
  out->push_back(static_cast<char>(length & 0xff));
  out->push_back(static_cast<char>((length >> 8) & 0xff));
  out->push_back(static_cast<char>((length >> 16) & 0xff));
  out->push_back(static_cast<char>(sequence));
}

}  // namespace

void AppendFramedMessage(absl::string_view payload, uint8_t* sequence,
                         std::string* out) {
  out->reserve(out->size() + payload.size() +
               kFrameHeaderSize * (payload.size() / kMaxPacketPayload + 1));
  while (true) {
    size_t chunk = std::min(payload.size(), kMaxPacketPayload);
    AppendHeader(chunk, (*sequence)++, out);
    out->append(payload.data(), chunk);
    payload.remove_prefix(chunk);
    // A full-size packet always needs a successor, even an empty one.
    if (chunk < kMaxPacketPayload) break;
  }
}

absl::StatusOr<Deframed> Deframe(absl::string_view input, uint8_t* sequence,
                                 size_t max_message_size, std::string* joined) {
  uint8_t seq = *sequence;
  size_t offset = 0;
  size_t total = 0;
  int packets = 0;
  // First pass: find the message boundary and validate headers without
  // copying, so the common single-packet case returns a view.
  while (true) {
    if (input.size() - offset < kFrameHeaderSize) return Deframed{};
    absl::string_view header = input.substr(offset, kFrameHeaderSize);
    uint32_t length = ReadLength(header);
    uint8_t got = static_cast<uint8_t>(header[3]);
    if (got != seq) {
      return ProtocolError(absl::StrCat("packet sequence id ", got,
                                        " where ", seq, " was expected"));
    }
    total += length;
    if (total > max_message_size) {
      return ProtocolError(absl::StrCat("message of at least ", total,
                                        " bytes exceeds the limit of ",
                                        max_message_size));
    }
    if (input.size() - offset - kFrameHeaderSize < length) return Deframed{};
    offset += kFrameHeaderSize + length;
    ++seq;
    ++packets;
    if (length < kMaxPacketPayload) break;
  }
  *sequence = seq;
  if (packets == 1) {
    return Deframed{offset, input.substr(kFrameHeaderSize, total)};
  }
  joined->clear();
  joined->reserve(total);
  size_t pos = 0;
  for (int i = 0; i < packets; ++i) {
    uint32_t length = ReadLength(input.substr(pos, kFrameHeaderSize));
    joined->append(input.data() + pos + kFrameHeaderSize, length);
    pos += kFrameHeaderSize + length;
  }
  return Deframed{offset, *joined};
}

}  // namespace mysqlwire
