// Values as text, the way the mysql/mariadb command-line client shows them
// (with --binary-as-hex), so that output can be compared with it:
//
//   NULL                    NULL
//   int64, uint64           decimal digits
//   double, float           as the server prints them: the shortest text
//                           that reads back (floats: 6 significant digits),
//                           fixed notation for exponents -15..14, else
//                           "1.5e15" / "1e-16" (no '+', no leading zeros)
//   decimal, string, json   the text as is
//   bytes                   0x and upper-case hex ("0x00FF"; "0x" if empty)
//   date                    2024-01-02 (zero dates too: 0000-00-00)
//   datetime                2024-01-02 03:04:05[.ffffff]
//   time                    [-]HH:MM:SS[.ffffff], hours may exceed 24
//
// Fraction digits: FormatValue(value) shows six when the microseconds are
// not zero and none otherwise; the column overload shows the column's own
// count (DATETIME(3) always has three), as the mysql CLI does.
//
// BIT arrives as its number (uint64), so it prints as digits where the
// mysql CLI would print the raw bits.
#ifndef CLIENTS_CPP_VALUE_TEXT_H_
#define CLIENTS_CPP_VALUE_TEXT_H_

#include <string>

#include "mysqlgw/v1/value.pb.h"

namespace mysqlgw::client {

namespace v1 = ::mysqlgw::v1;

std::string FormatValue(const v1::Value& value);
std::string FormatValue(const v1::Value& value, const v1::Column& column);
// fraction_digits: 0..6, or -1 for "six if non-zero, else none".
std::string FormatValue(const v1::Value& value, int fraction_digits);

std::string FormatDouble(double value);
std::string FormatFloat(float value);

// Whether the mysql CLI right-aligns the column in its tables (numbers).
bool IsNumericColumn(const v1::Column& column);

}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_VALUE_TEXT_H_
