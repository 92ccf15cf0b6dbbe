#include "mysqlwire/binlog/checksum.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mysqlwire/binlog/event_header.h"
#include "mysqlwire/binlog/event_type.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "zlib.h"

namespace mysqlwire::binlog {
namespace {

constexpr size_t kTypeOffset = 4;
constexpr size_t kLogPosOffset = 13;
constexpr size_t kFlagsOffset = 17;

uLong Crc(uLong crc, absl::string_view bytes) {
  // zlib takes a uInt length; feed huge inputs in pieces.
  while (!bytes.empty()) {
    size_t n = std::min<size_t>(bytes.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
    bytes.remove_prefix(n);
  }
  return crc;
}

}  // namespace

uint32_t EventCrc32(absl::string_view event) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const bool is_fde = event.size() > kFlagsOffset &&
                      static_cast<uint8_t>(event[kTypeOffset]) ==
                          static_cast<uint8_t>(EventType::kFormatDescription) &&
                      (static_cast<uint8_t>(event[kFlagsOffset]) & kLogEventBinlogInUse) != 0;
  if (!is_fde) return static_cast<uint32_t>(Crc(crc, event));
  // The in-use flag lives in the low byte of the little-endian flags.
  std::string flags_byte(
      1, static_cast<char>(static_cast<uint8_t>(event[kFlagsOffset]) & ~kLogEventBinlogInUse));
  crc = Crc(crc, event.substr(0, kFlagsOffset));
  crc = Crc(crc, flags_byte);
  crc = Crc(crc, event.substr(kFlagsOffset + 1));
  return static_cast<uint32_t>(crc);
}

absl::Status VerifyCrc32(absl::string_view event) {
  if (event.size() < kChecksumLength) {
    return ProtocolError(
        absl::StrCat("binlog event of ", event.size(), " bytes cannot hold a checksum"));
  }
  absl::string_view covered = event.substr(0, event.size() - kChecksumLength);
  WireReader footer(event.substr(covered.size()));
  const uint32_t stored = footer.U32();
  const uint32_t computed = EventCrc32(covered);
  if (stored == computed) return absl::OkStatus();
  std::string where;
  if (event.size() >= kEventHeaderLength) {
    WireReader h(event);
    h.Skip(kTypeOffset);
    EventType type = static_cast<EventType>(h.U8());
    WireReader p(event);
    p.Skip(kLogPosOffset);
    where = absl::StrCat(EventTypeName(type), " event with end_log_pos ", p.U32());
  } else {
    where = absl::StrCat("a ", event.size(), "-byte fragment");
  }
  return ProtocolError(absl::StrFormat("checksum mismatch at %s: stored 0x%08x, computed 0x%08x",
                                       where, stored, computed));
}

}  // namespace mysqlwire::binlog
