// The binary DECIMAL format that DECIMAL columns have in row-based binlog
// events (and in InnoDB rows): fixed-size, big-endian, byte-comparable.
#ifndef MYSQLWIRE_BINLOG_DECIMAL_BINARY_H_
#define MYSQLWIRE_BINLOG_DECIMAL_BINARY_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire::binlog {

// Bytes a DECIMAL(precision, scale) value occupies, or 0 when precision and
// scale are not a valid pair (precision 1..65, scale <= precision).
size_t BinaryDecimalSize(int precision, int scale);

// Decodes exactly BinaryDecimalSize(precision, scale) bytes to the exact
// decimal text MySQL shows: a '-' for negative values, the integer part
// without leading zeros ("0" if none), and exactly `scale` fraction digits,
// e.g. "-12.3400", "0.5", "42". Zero never carries a sign. A wrong size, a
// 9-digit group above 999999999 or a partial group with too many digits is a
// protocol error.
absl::StatusOr<std::string> BinaryDecimalToText(absl::string_view bytes,
                                                int precision, int scale);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_DECIMAL_BINARY_H_
