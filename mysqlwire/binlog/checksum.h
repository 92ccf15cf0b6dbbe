// The CRC32 footer that servers append to every binlog event when
// binlog_checksum=CRC32 (MySQL 5.6.1+, MariaDB 5.3+).
#ifndef MYSQLWIRE_BINLOG_CHECKSUM_H_
#define MYSQLWIRE_BINLOG_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mysqlwire::binlog {

inline constexpr size_t kChecksumLength = 4;

// The checksum a server writes for `event_without_checksum` (header + body):
// zlib's CRC32, with one twist: a FORMAT_DESCRIPTION event is summed as if
// its LOG_EVENT_BINLOG_IN_USE_F flag were clear, because the server clears
// that flag in the file when it closes the binlog without rewriting the
// checksum. Accepts any input, including one shorter than a header.
uint32_t EventCrc32(absl::string_view event_without_checksum);

// Checks the footer of a whole event:
//
//   [0, n-4)  header + body, summed as EventCrc32 does
//   [n-4, n)  int<4> CRC32, little-endian
//
// A mismatch is a protocol error "checksum mismatch at ..." naming the
// event's type and end_log_pos when the header is there.
absl::Status VerifyCrc32(absl::string_view event_with_checksum);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_CHECKSUM_H_
