// The generic response packets: OK, ERR and EOF.
#ifndef MYSQLWIRE_PROTOCOL_OK_ERR_H_
#define MYSQLWIRE_PROTOCOL_OK_ERR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/error.h"

namespace mysqlwire {

inline constexpr uint8_t kOkHeader = 0x00;
inline constexpr uint8_t kEofHeader = 0xfe;
inline constexpr uint8_t kErrHeader = 0xff;
inline constexpr uint8_t kLocalInfileHeader = 0xfb;

struct OkPacket {
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t status_flags = 0;
  uint16_t warnings = 0;
  std::string info;           // Human-readable, e.g. "Rows matched: 1 ...".
  std::string session_state;  // Raw session-state-change data, if any.
};

// A classic EOF packet (only without CLIENT_DEPRECATE_EOF).
struct EofPacket {
  uint16_t warnings = 0;
  uint16_t status_flags = 0;
};

// True for a payload that is an EOF packet or an OK packet sent in place of
// one (0xfe header, under 0xffffff bytes; a longer 0xfe payload is a row
// whose first cell is a lenenc integer with an 8-byte length).
inline bool IsEofOrOkTerminator(absl::string_view payload) {
  return !payload.empty() && static_cast<uint8_t>(payload[0]) == kEofHeader &&
         payload.size() < 0xffffff;
}
inline bool IsErrPacket(absl::string_view payload) {
  return !payload.empty() && static_cast<uint8_t>(payload[0]) == kErrHeader;
}

// OK packet (header 0x00, or 0xfe when it ends a result set under
// CLIENT_DEPRECATE_EOF).
//   int<1> header | int<lenenc> affected_rows | int<lenenc> last_insert_id |
//   int<2> status_flags | int<2> warnings |
//   info: string<lenenc> if CLIENT_SESSION_TRACK else string<EOF> |
//   [string<lenenc> session_state if SERVER_SESSION_STATE_CHANGED]
absl::StatusOr<OkPacket> ParseOkPacket(absl::string_view payload,
                                       uint64_t capabilities);
std::string SerializeOkPacket(const OkPacket& ok, uint64_t capabilities,
                              uint8_t header = kOkHeader);

// ERR packet:
//   int<1> 0xff | int<2> errno | [string[1] '#' | string[5] sqlstate] |
//   string<EOF> message
// A progress report (errno 0xffff, MariaDB) is not an error and is rejected
// here; callers that enable progress reporting must handle it first.
absl::StatusOr<ServerError> ParseErrPacket(absl::string_view payload);
std::string SerializeErrPacket(const ServerError& error);

// EOF packet: int<1> 0xfe | int<2> warnings | int<2> status_flags
absl::StatusOr<EofPacket> ParseEofPacket(absl::string_view payload);
std::string SerializeEofPacket(const EofPacket& eof);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_OK_ERR_H_
