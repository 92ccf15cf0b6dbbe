// FORMAT_DESCRIPTION_EVENT: the first event of every binlog file (after the
// magic), describing how the events after it are laid out: the common header
// length, each type's post-header length, and whether events carry a CRC32.
#ifndef MYSQLWIRE_BINLOG_FORMAT_DESCRIPTION_H_
#define MYSQLWIRE_BINLOG_FORMAT_DESCRIPTION_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/binlog/event_type.h"

namespace mysqlwire::binlog {

enum class ChecksumAlgorithm : uint8_t {
  kOff = 0,
  kCrc32 = 1,
  // The server predates checksums (MySQL < 5.6.1, MariaDB < 5.3), or, for
  // the decoder before any FORMAT_DESCRIPTION, not known yet.
  kUndefined = 255,
};

struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;  // e.g. "8.0.32", "10.5.15-MariaDB-log".
  uint32_t create_timestamp = 0;
  uint8_t header_length = 19;  // Common header length of later events.
  // post_header_lengths[i] is the post-header length of event type i + 1.
  std::vector<uint8_t> post_header_lengths;
  ChecksumAlgorithm checksum = ChecksumAlgorithm::kUndefined;

  bool is_mariadb() const;
  // Events after this one end with a 4-byte CRC32.
  bool has_checksum() const { return checksum == ChecksumAlgorithm::kCrc32; }
  // 0 for a type beyond the table (a type this server does not know).
  uint8_t PostHeaderLength(EventType type) const;
  // True if the table has an entry for `type`.
  bool KnowsType(EventType type) const;
  // {major, minor, patch} from the leading "X.Y.Z" of server_version;
  // {0, 0, 0} if it does not start that way.
  std::array<int, 3> VersionSplit() const;
};

// Whether a FORMAT_DESCRIPTION written by `server_version` ends with the
// checksum-algorithm byte and the 4-byte checksum: MySQL 5.6.1+ and MariaDB
// 5.3+ always write both (the checksum is only meaningful when the
// algorithm is CRC32).
bool FormatDescriptionHasChecksumFooter(absl::string_view server_version);

// Parses the event body (everything after the 19-byte common header,
// including the footer):
//
//   offset  size  field
//   0       2     binlog_version (4)
//   2       50    server_version, NUL-padded
//   52      4     create_timestamp
//   56      1     header_length (19)
//   57      n     post-header length of types 1..n
//   57+n    1     checksum algorithm  } only if the server version has
//   58+n    4     CRC32               } checksums (see above)
//
// n is whatever is left. The table's own FORMAT_DESCRIPTION entry (type 15)
// must equal 57 + n: servers always write it so, and checking it catches a
// truncated event or a footer misjudged from an odd version string.
absl::StatusOr<FormatDescription> ParseFormatDescription(absl::string_view body);

// The layout assumed before any FORMAT_DESCRIPTION was seen (for example the
// artificial ROTATE a primary sends first in a dump): binlog v4, 19-byte
// headers, the post-header lengths of MySQL 8.0 and MariaDB 10.x (which agree
// on every type both have), checksum kUndefined.
FormatDescription DefaultFormatDescription();

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_FORMAT_DESCRIPTION_H_
