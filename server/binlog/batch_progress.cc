#include "server/binlog/batch_progress.h"

namespace mysqlgw {

StreamProgress SummarizeBatch(const v1::StreamBinlogResponse& batch, uint64_t serialized_bytes) {
  StreamProgress p;
  p.bytes = serialized_bytes;
  auto take_position = [&p](const v1::BinlogPosition& pos) {
    if (pos.file().empty()) return;
    p.file = pos.file();
    p.position = pos.position();
  };
  for (const v1::ChangeEvent& e : batch.events()) {
    switch (e.event_case()) {
      case v1::ChangeEvent::kHeartbeat:
        ++p.heartbeats;
        p.caught_up = true;
        take_position(e.heartbeat().position());
        break;
      case v1::ChangeEvent::kStatus:
        take_position(e.status().position());
        break;
      case v1::ChangeEvent::kCommit:
        ++p.events;
        take_position(e.commit().position());
        if (!e.commit().gtid().empty()) p.gtid = e.commit().gtid();
        if (e.commit().timestamp().seconds() > 0) {
          p.last_event_timestamp = static_cast<uint32_t>(e.commit().timestamp().seconds());
        }
        break;
      case v1::ChangeEvent::kBegin:
        ++p.events;
        if (e.begin().timestamp().seconds() > 0) {
          p.last_event_timestamp = static_cast<uint32_t>(e.begin().timestamp().seconds());
        }
        break;
      case v1::ChangeEvent::EVENT_NOT_SET:
        break;
      case v1::ChangeEvent::kRow: {
        ++p.events;
        const int kind = e.row().kind();
        if (kind >= 0 && kind < static_cast<int>(p.rows.size())) ++p.rows[kind];
        break;
      }
      default:  // Schemas, DDL, snapshot progress.
        ++p.events;
        break;
    }
  }
  return p;
}

}  // namespace mysqlgw
