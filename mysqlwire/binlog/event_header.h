// The common header that starts every binlog event (binlog format v4, used by
// every MySQL since 5.0 and every MariaDB).
#ifndef MYSQLWIRE_BINLOG_EVENT_HEADER_H_
#define MYSQLWIRE_BINLOG_EVENT_HEADER_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/binlog/event_type.h"

namespace mysqlwire::binlog {

inline constexpr size_t kEventHeaderLength = 19;

// Header flags (LOG_EVENT_*_F) the decoder looks at.
// Set in the FORMAT_DESCRIPTION event of a binlog file the server has not
// closed yet; the server clears it in place on close, which is why checksums
// are computed as if it were clear (see checksum.h).
inline constexpr uint16_t kLogEventBinlogInUse = 0x0001;
// Events the server made up for a replica (the fake ROTATE of a dump).
inline constexpr uint16_t kLogEventArtificial = 0x0020;
// An event a reader that does not know its type may skip.
inline constexpr uint16_t kLogEventIgnorable = 0x0080;

struct EventHeader {
  uint32_t timestamp = 0;  // Seconds since the epoch, when the statement began.
  EventType type = EventType::kUnknown;
  uint32_t server_id = 0;   // The server that first wrote the event.
  uint32_t event_size = 0;  // Header + body + checksum.
  uint32_t log_pos = 0;     // Offset just past this event in the source file.
  uint16_t flags = 0;
};

// Reads the common header:
//
//   offset size field
//   0      4    timestamp
//   4      1    type code
//   5      4    server_id
//   9      4    event_size (header + body + checksum)
//   13     4    log_pos (end of this event in the source binlog; 0 when the
//               event was made up or sits inside a TRANSACTION_PAYLOAD)
//   17     2    flags
//
// `event` is either exactly the 19 header bytes (then only event_size >= 19
// is checked, for a reader that has not read the rest yet) or a whole event,
// whose length must then equal event_size.
absl::StatusOr<EventHeader> ParseEventHeader(absl::string_view event);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_EVENT_HEADER_H_
