// Conversions between the public API's values (mysqlgw.v1.Value, Row,
// Column; see proto/mysqlgw/v1/value.proto for the contract) and mysqlwire's
// lossless Value model.
//
// Parameters (FromProto) are validated here, before any connection is used,
// so that a bad value fails the call with INVALID_ARGUMENT instead of a
// server error or a silently altered value. Results (ToProto) are never
// rejected: a value the contract cannot carry as text travels as bytes.
#ifndef SERVER_CONVERT_VALUE_CONVERT_H_
#define SERVER_CONVERT_VALUE_CONVERT_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/value.pb.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/value.h"

namespace mysqlgw {

// A query parameter as mysqlwire binds it:
//   null                  Null
//   int64, uint64         Int64, Uint64
//   double, float         Double, Float; NaN and infinity are refused (MySQL
//                         stores neither)
//   decimal               Decimal: [+-]digits[.digits] ("+" is dropped, as
//                         mysqlwire's encoders accept only "-")
//   string                String; must be valid UTF-8 (the session is utf8mb4)
//   json                  String (the server parses it; only UTF-8 is checked)
//   bytes                 Bytes
//   date                  Date: year <= 9999, month <= 12, day <= 31
//   datetime              DateTime: as date, hour <= 23, minute and second
//                         <= 59, microsecond <= 999999
//   time                  Time: hours <= 838, minute and second <= 59,
//                         microsecond <= 999999, at most 838:59:59 in size
// Zero and partial dates (month or day 0) are accepted: MySQL has them.
//
// InvalidArgument otherwise, and for a Value with no kind set. The message
// describes the value but does not say which parameter it is: the caller
// prefixes that ("parameter 2: string is not valid UTF-8 ...").
absl::StatusOr<mysqlwire::Value> FromProto(const mysqlgw::v1::Value& v);

// A result cell of `column` (the column decides only whether text is JSON):
//   Null, Int64, Uint64, Float, Double, Decimal, Bytes, Date, DateTime, Time
//                         the matching field
//   String                `json` if the column's type is JSON, else `string`;
//                         `bytes` instead whenever the text is not valid
//                         UTF-8, since a proto3 string field must be (a
//                         client's parser would reject the whole message)
// JSON detection relies on the type code MySQL sends (245). MariaDB stores
// JSON as LONGTEXT and reports it as a BLOB-typed text column, with nothing
// in the metadata to tell it apart, so MariaDB's JSON arrives as `string`.
//
// Setting a oneof member replaces whatever `out` held, so a reused message
// needs no Clear().
void ToProto(const mysqlwire::Value& v, const mysqlwire::ColumnDefinition& column,
             mysqlgw::v1::Value* out);
// The same, moving text and bytes into `out` instead of copying them: rows
// are converted once and then dropped, so the hot path should not copy every
// cell. `v` is left valid but with unspecified contents.
void ToProto(mysqlwire::Value&& v, const mysqlwire::ColumnDefinition& column,
             mysqlgw::v1::Value* out);

// Column metadata, with `type_name` a readable SQL type:
//   integers    TINYINT, SMALLINT, MEDIUMINT, INT, BIGINT [+ " UNSIGNED"]
//   YEAR        YEAR (MySQL flags it UNSIGNED; the name does not say so)
//   FLOAT, DOUBLE [+ " UNSIGNED"]
//   DECIMAL     DECIMAL(p,s) [+ " UNSIGNED"]: p and s recovered from the
//               display length (see PrecisionOf in the .cc), "DECIMAL" when
//               the server reports no fixed scale
//   DATE; DATETIME, TIMESTAMP, TIME with "(n)" for n fraction digits
//   CHAR / BINARY, VARCHAR / VARBINARY by character set (63 is binary)
//   ENUM, SET   also when sent as a CHAR column with the ENUM/SET flag
//   TINYTEXT..LONGTEXT / TINYBLOB..LONGBLOB: MySQL sends all four sizes as
//               type BLOB, so the size comes from the display length
//   JSON, GEOMETRY, VECTOR, NULL, BIT(n)
// `binary` is true when the column's values arrive as `bytes` (binary
// character set and a string, GEOMETRY or VECTOR type). It is not the raw
// character set test: MySQL sends numeric, temporal and JSON columns with
// character set 63 too, and their values are not bytes. `collation_id`
// carries the raw id for clients that need it.
void ColumnToProto(const mysqlwire::ColumnDefinition& c,
                   mysqlgw::v1::Column* out);

// What `row` adds to a serialized message that holds it in a repeated field
// (Row's ByteSizeLong plus its tag and length prefix), for enforcing
// max_bytes. Exact rather than estimated: ByteSizeLong is one pass over the
// cells without allocating, cheap next to the conversion that built them,
// and an estimate from mysqlwire values would drift from what the client
// really receives (varints, zigzag, per-field tags).
size_t ApproximateSize(const mysqlgw::v1::Row& row);

// Strict UTF-8 as utf8mb4 stores it: shortest forms only, no surrogates,
// nothing above U+10FFFF.
bool IsValidUtf8(absl::string_view s);

}  // namespace mysqlgw

#endif  // SERVER_CONVERT_VALUE_CONVERT_H_
