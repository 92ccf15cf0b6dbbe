// The stateful binlog decoder: turns raw events (from a binlog file or a
// replication stream) into typed events. It keeps what later events need:
// the FORMAT_DESCRIPTION in force (header and post-header lengths, checksum
// algorithm) and the TABLE_MAP of every table id seen.
#ifndef MYSQLWIRE_BINLOG_DECODER_H_
#define MYSQLWIRE_BINLOG_DECODER_H_

#include <cstdint>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/binlog/event_header.h"
#include "mysqlwire/binlog/events.h"
#include "mysqlwire/binlog/format_description.h"
#include "mysqlwire/binlog/rows_event.h"
#include "mysqlwire/binlog/table_map.h"

namespace mysqlwire::binlog {

struct Event {
  EventHeader header;
  // std::monostate: an event that is skipped, either of a type this decoder
  // does not know (counted by unknown_events()) or of a known type it does
  // not decode (STOP, IGNORABLE, ROWS_QUERY, INCIDENT, the LOAD DATA family,
  // TRANSACTION_CONTEXT, VIEW_CHANGE, XA_PREPARE; skipped_events()).
  // QUERY_COMPRESSED decodes to a QueryEvent and MariaDB's compressed rows
  // events to a RowsEvent of the equivalent type; header.type keeps the
  // type on the wire.
  std::variant<std::monostate, FormatDescription, RotateEvent, QueryEvent, XidEvent, IntvarEvent,
               RandEvent, UserVarEvent, GtidEvent, PreviousGtidsEvent, MariaGtidEvent,
               MariaGtidListEvent, BinlogCheckpointEvent, AnnotateRowsEvent, HeartbeatEvent,
               TableMap, RowsEvent>
      body;
};

struct DecoderOptions {
  // Whether events that arrive before any FORMAT_DESCRIPTION end with a
  // CRC32: a replica that set @master_binlog_checksum knows (the artificial
  // ROTATE that starts a dump is written with the primary's algorithm).
  // kUndefined: take a trailing 4 bytes as a checksum exactly when they are
  // the CRC32 of the rest (a false match has odds of 2^-32).
  ChecksumAlgorithm checksum_before_format = ChecksumAlgorithm::kUndefined;
};

class Decoder {
 public:
  Decoder() = default;
  explicit Decoder(DecoderOptions options) : options_(options) {}

  // Decodes one raw event: the 19-byte header, the body and, if the
  // FORMAT_DESCRIPTION in force says so, the CRC32, which is verified.
  // Appends one Event, or for a TRANSACTION_PAYLOAD one per event inside it
  // (each with its own header; those carry no checksum and log_pos 0).
  // Nothing is appended when an error is returned. Errors are protocol
  // errors for malformed input (bad checksum, truncated or inconsistent
  // event, a rows event whose TABLE_MAP was not seen), Unimplemented for an
  // encrypted binlog. An unknown event type is not an error.
  absl::Status Decode(absl::string_view raw, std::vector<Event>* out);

  uint64_t unknown_events() const { return unknown_events_; }
  uint64_t skipped_events() const { return skipped_events_; }
  // DefaultFormatDescription() until a FORMAT_DESCRIPTION is decoded.
  const FormatDescription& format() const { return format_; }
  bool has_format() const { return has_format_; }
  // The TABLE_MAP last seen for `id`, or null.
  const TableMap* FindTable(uint64_t id) const;

 private:
  absl::Status DecodeOne(absl::string_view raw, bool in_payload, std::vector<Event>* out);
  absl::Status DecodeRows(const EventHeader& header, EventType type, absl::string_view body,
                          uint8_t post_header_len, Event* event);
  absl::Status DecodePayload(absl::string_view body, std::vector<Event>* out);

  DecoderOptions options_;
  FormatDescription format_ = DefaultFormatDescription();
  bool has_format_ = false;
  absl::flat_hash_map<uint64_t, TableMap> tables_;
  uint64_t unknown_events_ = 0;
  uint64_t skipped_events_ = 0;
};

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_DECODER_H_
