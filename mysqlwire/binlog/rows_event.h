// Rows events: WRITE_ROWS, UPDATE_ROWS and DELETE_ROWS (v1 types 23-25, the
// pre-GA types 20-22 that share v1's layout, v2 types 30-32) and MySQL's
// PARTIAL_UPDATE_ROWS (39), decoded with the TABLE_MAP of their table id.
// MariaDB's *_ROWS_COMPRESSED events become v1/v2 bodies after
// DecompressMariaEvent (events.h) and are parsed as those types.
#ifndef MYSQLWIRE_BINLOG_ROWS_EVENT_H_
#define MYSQLWIRE_BINLOG_ROWS_EVENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/binlog/event_type.h"
#include "mysqlwire/binlog/table_map.h"
#include "mysqlwire/value.h"

namespace mysqlwire::binlog {

// Rows event flags.
inline constexpr uint16_t kRowsStmtEndFlag = 0x0001;  // Last event of the statement.
inline constexpr uint16_t kRowsNoForeignKeyChecksFlag = 0x0002;
inline constexpr uint16_t kRowsRelaxedUniqueChecksFlag = 0x0004;
inline constexpr uint16_t kRowsCompleteRowsFlag = 0x0008;

// One row image, one entry per table column. present[i] is false when the
// column is not in this image (binlog_row_image=MINIMAL or NOBLOB, or a
// partial image); values[i] is then Value::Null(), which otherwise means SQL
// NULL.
struct RowImage {
  std::vector<Value> values;
  std::vector<bool> present;
  // PARTIAL_UPDATE_ROWS after images only: JSON columns whose new value was
  // logged as a diff against a document the before image does not hold
  // (binlog_row_image=MINIMAL logs just the key columns there). Such a
  // column is not present; its raw diff (the input of ApplyJsonDiffs in
  // json_diff.h) is listed here with its column index, for a reader that can
  // fetch the old document itself. Diffs against a document the before image
  // holds are applied, and the column holds the whole new document.
  std::vector<std::pair<uint32_t, std::string>> unapplied_json_diffs;
};

// WRITE: after only. DELETE: before only. UPDATE: both.
struct RowChange {
  std::optional<RowImage> before;
  std::optional<RowImage> after;
};

struct RowsEvent {
  EventType type = EventType::kUnknown;
  uint64_t table_id = 0;
  uint16_t flags = 0;
  uint32_t column_count = 0;
  std::vector<RowChange> rows;
};

// True for the event types ParseRowsEvent accepts.
bool IsRowsEventType(EventType type);

// The table id of a rows event, to find its TABLE_MAP before parsing it.
// `post_header_len` as for ParseRowsEvent.
absl::StatusOr<uint64_t> RowsEventTableId(absl::string_view body,
                                          uint8_t post_header_len);

// Parses every row of a rows event. `body` is the event after the 19-byte
// common header, without the checksum; `post_header_len` is the format
// description's for `type`: 6 (4-byte table id, MySQL 5.1.0-5.1.3),
// 8 (v1) or 10 (v2, with the extra-data length). `map` is the TABLE_MAP of
// the event's table id: a different table id or column count is an error,
// as are truncated rows, trailing bytes that do not form a row, and cells
// that do not decode (the error names the table and column).
absl::StatusOr<RowsEvent> ParseRowsEvent(EventType type, absl::string_view body,
                                         uint8_t post_header_len,
                                         const TableMap& map);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_ROWS_EVENT_H_
