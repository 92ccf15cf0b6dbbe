// Binary protocol result rows (Protocol::BinaryResultsetRow, sent for
// COM_STMT_EXECUTE) and the per-value binary codec that COM_STMT_EXECUTE
// parameters share.
#ifndef MYSQLWIRE_PROTOCOL_ROW_BINARY_H_
#define MYSQLWIRE_PROTOCOL_ROW_BINARY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/protocol/wire_writer.h"
#include "mysqlwire/value.h"

namespace mysqlwire {

// Parses one binary row: a 0x00 header, a NULL bitmap whose bits start at
// offset 2, then each non-NULL value in its column type's binary form (see
// ReadBinaryValue). The caller has already told the row apart from EOF/OK/ERR
// packets. On success `out` holds one Value per column; on failure it is
// empty.
absl::Status ParseBinaryRow(absl::string_view payload,
                            absl::Span<const ColumnDefinition> columns,
                            std::vector<Value>* out);

// Encodes a binary row as a server sends it. Each non-NULL value must be of a
// kind WriteBinaryValue accepts for its column; otherwise the result is an
// InvalidArgument error (a row that does not match its columns cannot be put
// on the wire without desynchronizing the client). Requires
// row.size() == columns.size().
absl::StatusOr<std::string> SerializeBinaryRow(
    absl::Span<const Value> row, absl::Span<const ColumnDefinition> columns);

// Reads one non-NULL value of `column`'s type and converts it to the kind
// ValueKindOf(column) names. Truncated or malformed bytes, and values no
// server produces (month 13, BIT wider than 8 bytes), are protocol errors
// naming the column.
absl::StatusOr<Value> ReadBinaryValue(WireReader* reader,
                                      const ColumnDefinition& column);

// Appends the binary form of a non-NULL `value` in `column`'s type. Accepted
// kinds: the one ValueKindOf(column) names, plus Int64/Uint64 for any integer
// or BIT column when the number fits the wire width and signedness, Float for
// DOUBLE, Date for DATETIME, and String/Bytes for any string column. Anything
// else, out-of-range fields (minute 60) and invalid DECIMAL text are
// InvalidArgument; nothing is appended then.
absl::Status WriteBinaryValue(const Value& value,
                              const ColumnDefinition& column,
                              WireWriter* writer);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_ROW_BINARY_H_
