// Packet framing: every message travels as one or more packets of
//   int<3> payload_length | int<1> sequence_id | payload
// A message of 0xffffff bytes or more is split into 0xffffff-byte packets
// followed by a shorter one (possibly empty). Sequence ids increase by one
// per packet (mod 256) within a command exchange and must be checked: a
// mismatch means the stream is desynchronised and the connection is dead.
#ifndef MYSQLWIRE_PROTOCOL_FRAMING_H_
#define MYSQLWIRE_PROTOCOL_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

inline constexpr size_t kFrameHeaderSize = 4;
inline constexpr size_t kMaxPacketPayload = 0xffffff;

// Appends `payload` framed as one message to `out`, starting at `*sequence`
// and leaving it at the next expected sequence id.
void AppendFramedMessage(absl::string_view payload, uint8_t* sequence,
                         std::string* out);

struct Deframed {
  // Bytes of the input that make up the message; 0 means more input is
  // needed (nothing was consumed and the sequence id is unchanged).
  size_t consumed = 0;
  // The message payload: a view into the input when it was one packet,
  // otherwise into `joined`. Valid while both are.
  absl::string_view payload;
};

// Extracts the first complete message from `input`. `*sequence` is the id
// expected for its first packet and is advanced past its last. Fails on a
// sequence mismatch or when the message would exceed `max_message_size`.
absl::StatusOr<Deframed> Deframe(absl::string_view input, uint8_t* sequence,
                                 size_t max_message_size, std::string* joined);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_FRAMING_H_
