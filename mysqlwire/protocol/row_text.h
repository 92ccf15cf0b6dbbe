// Text protocol result rows (Protocol::ResultsetRow after COM_QUERY) and the
// conversions between MySQL's text rendering of a value and the Value model.
#ifndef MYSQLWIRE_PROTOCOL_ROW_TEXT_H_
#define MYSQLWIRE_PROTOCOL_ROW_TEXT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/value.h"

namespace mysqlwire {

// Parses one text row: a string<lenenc> per column, or 0xfb for NULL. The
// caller has already told the row apart from EOF/OK/ERR packets. Every cell
// is converted by ValueFromText; the row must end exactly after the last
// cell. On success `out` holds one Value per column; on failure it is empty.
absl::Status ParseTextRow(absl::string_view payload,
                          absl::Span<const ColumnDefinition> columns,
                          std::vector<Value>* out);

// Encodes a text row as a server sends it. `columns` supplies what the text
// depends on: fraction digits of DATETIME/TIME and of FLOAT(M,D)/DOUBLE(M,D),
// and the width of BIT values (sent as raw big-endian bytes). Requires
// row.size() == columns.size() (values past the end of `columns` are
// rendered as if for a default column). Values are rendered by kind, so a
// value of an unexpected kind still produces a well-formed row.
std::string SerializeTextRow(absl::Span<const Value> row,
                             absl::Span<const ColumnDefinition> columns);

// Converts the text of one non-NULL cell to the Value its column type calls
// for (see the table in row_text.cc). Text that does not parse for the type
// is a protocol error naming the column.
absl::StatusOr<Value> ValueFromText(absl::string_view text,
                                    const ColumnDefinition& column);

// The text of one non-NULL value in a column, as MySQL prints it.
std::string ValueToText(const Value& value, const ColumnDefinition& column);

// True for an exact decimal number as MySQL prints DECIMAL: an optional '-',
// one or more digits, and optionally '.' followed by one or more digits.
bool IsDecimalText(absl::string_view text);

// Shortest text that reads back as exactly `v`, laid out as MariaDB 10.11
// prints DOUBLE columns: positional notation for decimal exponents -15..14
// ("100000000000000", "0.000000000000001"), otherwise "1e15",
// "2.2250738585072014e-308". -0.0 prints as "-0" so that it round-trips.
std::string FormatDoubleText(double v);
// The same for FLOAT, with the shortest digits that read back as the float.
// MariaDB prints FLOAT with 6 significant digits; every such text reads back
// as a float whose shortest form is that text again, so server text
// round-trips, while floats from elsewhere keep all the digits they need.
std::string FormatFloatText(float v);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_ROW_TEXT_H_
