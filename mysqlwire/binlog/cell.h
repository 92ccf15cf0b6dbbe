// One cell of a row image in a rows event (WRITE/UPDATE/DELETE_ROWS): the
// binlog's own storage-like encoding of a column value, decoded by the column's
// real type and metadata from the TABLE_MAP into the lossless Value model.
#ifndef MYSQLWIRE_BINLOG_CELL_H_
#define MYSQLWIRE_BINLOG_CELL_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "mysqlwire/binlog/table_map.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/value.h"

namespace mysqlwire::binlog {

// Reads one non-NULL cell of `column` from `r` (NULLs are in the image's
// NULL bitmap and have no bytes) and advances past it. Truncated bytes, a
// metadata value no server writes, and field values out of range (month 13,
// minute 60, a DECIMAL digit group above 999999999) are protocol errors that
// name the table and column.
//
// The Value kind by real type:
//   TINYINT..BIGINT    Int64, or Uint64 when SIGNEDNESS marks the column
//                      unsigned. Without SIGNEDNESS (MINIMAL metadata before
//                      MySQL 8.0 / MariaDB 10.5, or binlog_row_metadata off)
//                      the sign is unknown and the bits are decoded as
//                      signed: an INT UNSIGNED 4294967295 arrives as -1, and
//                      the caller that knows the schema can reinterpret it.
//   YEAR               Uint64: 0 for the zero year 0000, else 1900 + byte
//                      (the way queries return YEAR, as UNSIGNED ZEROFILL).
//   FLOAT, DOUBLE      Float, Double.
//   DECIMAL            Decimal text with exactly `scale` digits: "-12.3400".
//   BIT(n)             Uint64 of the big-endian bits.
//   DATE               Date; zero dates ('0000-00-00', '2024-00-00') as stored.
//   TIME, TIME2        Time, negative and beyond 24 hours as stored.
//   DATETIME(2)        DateTime with microseconds; zero dates as stored.
//   TIMESTAMP(2)       DateTime in UTC (the binlog holds seconds since the
//                      epoch, not the session's time zone); 0 is the zero
//                      value 0000-00-00 00:00:00, as MySQL stores it.
//   ENUM               String of the value name when ENUM_STR_VALUE gave the
//                      names ('' for index 0, the invalid-value marker), else
//                      Uint64 of the 1-based index (0 for '').
//   SET                String of the member names joined by ',' in definition
//                      order when SET_STR_VALUE gave them, else Uint64 of the
//                      bitmask.
//   CHAR, VARCHAR,
//   BLOB, TEXT         String when the column's collation is known and not
//                      binary (63); Bytes when it is binary or unknown (no
//                      charset metadata: the bytes are then not known to be
//                      text). The bytes are kept exactly as logged: servers
//                      strip CHAR's trailing spaces and BINARY(n)'s trailing
//                      0x00 bytes before logging, so BINARY(4) 'a\0\0\0' arrives
//                      as 'a'; pad to the column's length if that matters.
//   GEOMETRY           Bytes: 4-byte SRID then WKB, as stored.
//   JSON               String: the JSON text MySQL prints for the binary JSON
//                      (JsonBinaryToText; an empty value is JSON null).
//   VECTOR             Bytes: the raw array of little-endian float32 values
//                      (4 * dimensions bytes), as VECTOR_TO_STRING's input.
//
// Not decodable: the old DECIMAL (type 0) and NEWDATE, which no server puts in
// a rows event, and MariaDB's pre-10.1 "hires" TIME(n)/DATETIME(n)/
// TIMESTAMP(n) with n > 0 (types TIME/DATETIME/TIMESTAMP without metadata:
// their size depends on a precision the binlog does not carry; with n = 0
// they are the classic formats and decode fine).
absl::StatusOr<Value> DecodeCell(WireReader& r, const TableMap& map,
                                 size_t column);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_CELL_H_
