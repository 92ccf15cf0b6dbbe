#include "mysqlwire/binlog/decoder.h"

#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "mysqlwire/binlog/checksum.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {
namespace {

// Adds where the failing event was to a parser's error, keeping its code
// and payloads (a protocol error stays one).
absl::Status InEvent(const absl::Status& status, const EventHeader& header) {
  absl::Status out(status.code(),
                   absl::StrCat(status.message(), " (in the ", EventTypeName(header.type),
                                " event ending at log_pos ", header.log_pos, ")"));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

// Assigns a parser's result to the event body, or returns its error.
template <typename T>
absl::Status Assign(absl::StatusOr<T> parsed, Event* event) {
  if (!parsed.ok()) return parsed.status();
  event->body = *std::move(parsed);
  return absl::OkStatus();
}

bool IsMariaCompressedRows(EventType type) {
  const uint8_t code = static_cast<uint8_t>(type);
  return code >= static_cast<uint8_t>(EventType::kMariaWriteRowsCompressedV1) &&
         code <= static_cast<uint8_t>(EventType::kMariaDeleteRowsCompressed);
}

}  // namespace

const TableMap* Decoder::FindTable(uint64_t id) const {
  auto it = tables_.find(id);
  return it == tables_.end() ? nullptr : &it->second;
}

absl::Status Decoder::Decode(absl::string_view raw, std::vector<Event>* out) {
  std::vector<Event> decoded;
  absl::Status status = DecodeOne(raw, /*in_payload=*/false, &decoded);
  if (!status.ok()) return status;
  for (Event& e : decoded) out->push_back(std::move(e));
  return absl::OkStatus();
}

absl::Status Decoder::DecodeOne(absl::string_view raw, bool in_payload, std::vector<Event>* out) {
  absl::StatusOr<EventHeader> parsed_header = ParseEventHeader(raw);
  if (!parsed_header.ok()) return parsed_header.status();
  const EventHeader& header = *parsed_header;
  Event event;
  event.header = header;

  if (header.type == EventType::kFormatDescription) {
    if (in_payload) {
      return ProtocolError("FORMAT_DESCRIPTION event inside a TRANSACTION_PAYLOAD");
    }
    // Its header is frozen at 19 bytes: a reader meets it before knowing
    // any other length.
    absl::StatusOr<FormatDescription> fde = ParseFormatDescription(raw.substr(kEventHeaderLength));
    if (!fde.ok()) return InEvent(fde.status(), header);
    if (fde->has_checksum()) {
      if (absl::Status s = VerifyCrc32(raw); !s.ok()) return s;
    }
    format_ = *fde;
    has_format_ = true;
    // A new FORMAT_DESCRIPTION starts a new binlog file (or a restarted
    // server): table ids of the previous one mean nothing here.
    tables_.clear();
    event.body = *std::move(fde);
    out->push_back(std::move(event));
    return absl::OkStatus();
  }

  // Strip and check the checksum footer.
  bool has_checksum = false;
  if (in_payload) {
    has_checksum = false;
  } else if (has_format_) {
    has_checksum = format_.has_checksum();
  } else {
    switch (options_.checksum_before_format) {
      case ChecksumAlgorithm::kCrc32:
        has_checksum = true;
        break;
      case ChecksumAlgorithm::kOff:
        has_checksum = false;
        break;
      case ChecksumAlgorithm::kUndefined:
        has_checksum = raw.size() >= kEventHeaderLength + kChecksumLength && VerifyCrc32(raw).ok();
        break;
    }
  }
  // ROTATE shares the FORMAT_DESCRIPTION's frozen header; the rest use the
  // announced common header length.
  const size_t header_length =
      header.type == EventType::kRotate ? kEventHeaderLength : format_.header_length;
  const size_t footer = has_checksum ? kChecksumLength : 0;
  if (raw.size() < header_length + footer) {
    return ProtocolError(absl::StrCat(EventTypeName(header.type), " event of ", raw.size(),
                                      " bytes is shorter than its header",
                                      has_checksum ? " and checksum" : ""));
  }
  if (has_checksum) {
    if (absl::Status s = VerifyCrc32(raw); !s.ok()) return s;
  }
  const absl::string_view body = raw.substr(header_length, raw.size() - header_length - footer);
  const uint8_t phl = format_.PostHeaderLength(header.type);

  absl::Status status;
  switch (header.type) {
    case EventType::kQuery:
      status = Assign(ParseQueryEvent(body, format_), &event);
      break;
    case EventType::kMariaQueryCompressed: {
      absl::StatusOr<DecompressedEvent> d = DecompressMariaEvent(header.type, body, format_);
      status = d.ok() ? Assign(ParseQueryEvent(d->body, d->post_header_len), &event) : d.status();
      break;
    }
    case EventType::kRotate:
      status = Assign(ParseRotateEvent(body, format_), &event);
      break;
    case EventType::kXid:
      status = Assign(ParseXidEvent(body, format_), &event);
      break;
    case EventType::kIntvar:
      status = Assign(ParseIntvarEvent(body, format_), &event);
      break;
    case EventType::kRand:
      status = Assign(ParseRandEvent(body, format_), &event);
      break;
    case EventType::kUserVar:
      status = Assign(ParseUserVarEvent(body, format_), &event);
      break;
    case EventType::kGtid:
    case EventType::kAnonymousGtid:
      status = Assign(ParseGtidEvent(header.type, body, format_), &event);
      break;
    case EventType::kGtidTagged:
      status = Assign(ParseTaggedGtidEvent(body, format_), &event);
      break;
    case EventType::kPreviousGtids:
      status = Assign(ParsePreviousGtidsEvent(body, format_), &event);
      break;
    case EventType::kMariaGtid:
      status = Assign(ParseMariaGtidEvent(body, format_, header.server_id), &event);
      break;
    case EventType::kMariaGtidList:
      status = Assign(ParseMariaGtidListEvent(body, format_), &event);
      break;
    case EventType::kMariaBinlogCheckpoint:
      status = Assign(ParseBinlogCheckpointEvent(body, format_), &event);
      break;
    case EventType::kMariaAnnotateRows:
      status = Assign(ParseAnnotateRowsEvent(body, format_), &event);
      break;
    case EventType::kHeartbeat:
    case EventType::kHeartbeatV2:
      status = Assign(ParseHeartbeatEvent(header.type, body, format_, header.log_pos), &event);
      break;
    case EventType::kTableMap: {
      const ServerFlavor flavor = !has_format_           ? ServerFlavor::kUnknown
                                  : format_.is_mariadb() ? ServerFlavor::kMariaDb
                                                         : ServerFlavor::kMySql;
      absl::StatusOr<TableMap> map = ParseTableMap(body, phl, flavor);
      if (!map.ok()) {
        status = map.status();
        break;
      }
      // A later TABLE_MAP for the same id replaces the earlier one (the
      // server reuses ids once a table's definition is evicted).
      tables_[map->table_id] = *map;
      event.body = *std::move(map);
      break;
    }
    case EventType::kTransactionPayload:
      if (in_payload) {
        status = ProtocolError("TRANSACTION_PAYLOAD event inside another one");
        break;
      }
      status = DecodePayload(body, out);
      if (status.ok()) return absl::OkStatus();
      break;
    case EventType::kMariaStartEncryption:
      // Every later event of the file is encrypted with a key this reader
      // does not have (a primary decrypts before sending to replicas).
      return absl::UnimplementedError(
          absl::StrCat("encrypted binlog (START_ENCRYPTION event ending at log_pos ",
                       header.log_pos, ") is not supported"));
    case EventType::kStartV3:
    case EventType::kStop:
    case EventType::kLoad:
    case EventType::kSlave:
    case EventType::kCreateFile:
    case EventType::kAppendBlock:
    case EventType::kExecLoad:
    case EventType::kDeleteFile:
    case EventType::kNewLoad:
    case EventType::kBeginLoadQuery:
    case EventType::kExecuteLoadQuery:
    case EventType::kIncident:
    case EventType::kIgnorable:
    case EventType::kRowsQuery:
    case EventType::kTransactionContext:
    case EventType::kViewChange:
    case EventType::kXaPrepare:
      ++skipped_events_;
      break;
    default:
      if (IsRowsEventType(header.type)) {
        status = DecodeRows(header, header.type, body, phl, &event);
      } else if (IsMariaCompressedRows(header.type)) {
        absl::StatusOr<DecompressedEvent> d = DecompressMariaEvent(header.type, body, format_);
        status =
            d.ok() ? DecodeRows(header, d->type, d->body, d->post_header_len, &event) : d.status();
      } else {
        // A type newer than this code (or garbage that still framed and
        // checksummed correctly): skipped, as servers skip ignorable ones.
        ++unknown_events_;
      }
      break;
  }
  if (!status.ok()) return InEvent(status, header);
  out->push_back(std::move(event));
  return absl::OkStatus();
}

absl::Status Decoder::DecodeRows(const EventHeader& header, EventType type, absl::string_view body,
                                 uint8_t post_header_len, Event* event) {
  absl::StatusOr<uint64_t> id = RowsEventTableId(body, post_header_len);
  if (!id.ok()) return id.status();
  const TableMap* map = FindTable(*id);
  if (map == nullptr) {
    return ProtocolError(absl::StrCat(EventTypeName(header.type), " event for table id ", *id,
                                      " without a TABLE_MAP before it"));
  }
  return Assign(ParseRowsEvent(type, body, post_header_len, *map), event);
}

absl::Status Decoder::DecodePayload(absl::string_view body, std::vector<Event>* out) {
  absl::StatusOr<TransactionPayloadEvent> payload = ParseTransactionPayloadEvent(body, format_);
  if (!payload.ok()) return payload.status();
  absl::StatusOr<std::string> inner = DecompressPayload(*payload);
  if (!inner.ok()) return inner.status();
  absl::StatusOr<std::vector<absl::string_view>> events = SplitPayloadEvents(*inner);
  if (!events.ok()) return events.status();
  for (absl::string_view e : *events) {
    if (absl::Status s = DecodeOne(e, /*in_payload=*/true, out); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace mysqlwire::binlog
