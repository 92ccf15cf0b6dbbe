#include "mysqlwire/binlog/event_header.h"

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"

namespace mysqlwire::binlog {

absl::StatusOr<EventHeader> ParseEventHeader(absl::string_view event) {
  WireReader r(event);
  EventHeader h;
  h.timestamp = r.U32();
  h.type = static_cast<EventType>(r.U8());
  h.server_id = r.U32();
  h.event_size = r.U32();
  h.log_pos = r.U32();
  h.flags = r.U16();
  if (absl::Status s = r.Status("binlog event header"); !s.ok()) return s;
  if (h.event_size < kEventHeaderLength) {
    return ProtocolError(absl::StrCat("binlog event header: event_size ", h.event_size,
                                      " is below the ", kEventHeaderLength, "-byte header"));
  }
  if (event.size() > kEventHeaderLength && h.event_size != event.size()) {
    return ProtocolError(absl::StrCat("binlog event header: event_size ", h.event_size, " but the ",
                                      EventTypeName(h.type), " event has ", event.size(),
                                      " bytes"));
  }
  return h;
}

}  // namespace mysqlwire::binlog
