// JSON for `mysqlgw-cli binlog`: one object per decoded binlog event
// (mysqlwire/binlog/decoder.h), on one line.
//
// Every object starts with the common fields
//   "file"       the binlog file as named on the command line
//   "pos"        the event's end position: the header's log_pos, or, when
//                that is 0 (events inside a TRANSACTION_PAYLOAD, artificial
//                events), the offset in the file just past the raw event
//   "type"       EventTypeName of the type on the wire ("WRITE_ROWS_V1",
//                "QUERY_COMPRESSED", "MARIADB_GTID", ...)
//   "server_id", "timestamp" (seconds since the epoch)
// and, for events that came out of a TRANSACTION_PAYLOAD, "in_payload":true.
// Then the fields of the type:
//   FORMAT_DESCRIPTION   binlog_version, server_version, checksum ("CRC32",
//                        "OFF", or "NONE" for servers without checksums),
//                        create_timestamp, in_use (the server had not closed
//                        the file)
//   ROTATE               next_file, position
//   QUERY(_COMPRESSED)   thread_id, exec_time, error_code, schema, query
//   XID                  xid
//   INTVAR               intvar ("LAST_INSERT_ID", "INSERT_ID"), value
//   RAND                 seed1, seed2
//   USER_VAR             name, value (null, a string, a number, or a decimal
//                        as a string; a binary string as base64)
//   GTID, ANONYMOUS_GTID, GTID_TAGGED
//                        gtid ("uuid:gno", "uuid:tag:gno", "ANONYMOUS"), tag
//                        (tagged only), last_committed, sequence_number,
//                        immediate_commit_timestamp, original_commit_timestamp,
//                        transaction_length, immediate_server_version,
//                        original_server_version (those the event has)
//   PREVIOUS_GTIDS       set ("uuid:1-5:7,uuid2:1-3")
//   MARIADB_GTID         gtid ("domain-server-seq"), domain_id, seq_no,
//                        standalone, commit_id (group commit), xid (XA)
//   GTID_LIST            set ("0-1-100,1-2-5")
//   BINLOG_CHECKPOINT    checkpoint_file
//   ANNOTATE_ROWS        query
//   HEARTBEAT(_V2)       log_file, position
//   TABLE_MAP            table_id, schema, table, columns: [{"name" (when the
//                        event carries names), "type" ("INT UNSIGNED",
//                        "DECIMAL(8,2)", "VARCHAR(80)" in bytes, "TIME(6)",
//                        "ENUM", ...), "nullable", "collation_id" (when known),
//                        "values" (ENUM/SET members, when known), "visible"
//                        (false only)}], primary_key (column keys, when known)
//   rows events          kind ("insert", "update", "delete"), table_id,
//                        schema, table, rows: [{"before": {...}, "after":
//                        {...}}] (inserts have only "after", deletes only
//                        "before"); a PARTIAL_UPDATE_ROWS row whose JSON diff
//                        could not be applied adds "json_diffs":
//                        {"column": base64 of the raw diff}
//   skipped and unknown  skipped: true (and type_code for a type this decoder
//                        does not know)
//
// Row images map column keys to values. A key is the column's name when the
// TABLE_MAP carries names (binlog_row_metadata=FULL), else "@1", "@2", ...
// as mariadb-binlog prints them. Columns absent from an image (MINIMAL and
// NOBLOB row images) are omitted; SQL NULL is null. Values follow the rules
// of `--format=jsonl` (json_text.h): integers beyond 2^53 - 1 as strings,
// decimals as strings, binary strings base64, dates and times as strings
// with the column's fraction digits ("2024-01-02 03:04:05.000001",
// "-100:00:00"). Specific to the binlog: TIMESTAMP is in UTC (the binlog
// holds seconds since the epoch); ENUM and SET are their member names when
// the TABLE_MAP carries them, else the index / bitmask as a number; text is
// converted to UTF-8 from latin1, ucs2, utf16, utf16le and utf32 columns,
// kept when it is valid UTF-8 otherwise, and written as base64 bytes when it
// is not (as the gateway does); a column whose character set the TABLE_MAP
// does not give is bytes.
#ifndef CLIENTS_CPP_CLI_BINLOG_JSON_H_
#define CLIENTS_CPP_CLI_BINLOG_JSON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/value.pb.h"
#include "mysqlwire/binlog/decoder.h"
#include "mysqlwire/binlog/rows_event.h"
#include "mysqlwire/binlog/table_map.h"
#include "mysqlwire/value.h"

namespace mysqlgw::client::cli {

// Where an event was found, for the common fields.
struct BinlogEventPlace {
  absl::string_view file;
  uint64_t end_offset = 0;  // Offset just past the raw event in the file.
  bool in_payload = false;  // Came out of a TRANSACTION_PAYLOAD.
};

// Renders events in order. It keeps the TABLE_MAP of every table id seen
// (forgotten at each FORMAT_DESCRIPTION, as the decoder does), so Observe
// must see every event, also those that are not printed.
class BinlogJsonWriter {
 public:
  void Observe(const mysqlwire::binlog::Event& event);
  // The event's JSON object, without a newline. Call after Observe(event).
  std::string Render(const mysqlwire::binlog::Event& event, const BinlogEventPlace& place) const;

 private:
  absl::flat_hash_map<uint64_t, mysqlwire::binlog::TableMap> tables_;
};

// The pieces, exposed for tests.

// "INT UNSIGNED", "DECIMAL(8,2)", "VARCHAR(80)", "TIME(6)", "ENUM", ...
std::string BinlogColumnType(const mysqlwire::binlog::TableMap& map, size_t column);
// The key of a column in row images: its name, or "@N" (1-based).
std::string BinlogColumnKey(const mysqlwire::binlog::TableMap& map, size_t column);
// The cell as json_text.h's JsonValue renders the same value in a result.
std::string BinlogCellJson(const mysqlwire::Value& value, const mysqlwire::binlog::TableMap& map,
                           size_t column);
// {"key":value,...} of the columns present in the image.
std::string BinlogRowImageJson(const mysqlwire::binlog::RowImage& image,
                               const mysqlwire::binlog::TableMap& map);
// Text in the character set of `collation_id` as UTF-8; nullopt when it is
// not valid text of that set (or not valid UTF-8, for the character sets
// that are not converted).
std::optional<std::string> TextToUtf8(absl::string_view text, uint32_t collation_id);
// The mysqlwire value as the gateway would send it (for JsonValue).
v1::Value BinlogValueToProto(const mysqlwire::Value& value, const mysqlwire::binlog::TableMap& map,
                             size_t column);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_BINLOG_JSON_H_
