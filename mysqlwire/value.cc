#include "mysqlwire/value.h"

#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mysqlwire {
namespace {

std::string Fraction(uint32_t micros, int digits) {
  if (digits <= 0) return "";
  if (digits > 6) digits = 6;
  std::string six = absl::StrFormat("%06u", micros % 1000000);
  return absl::StrCat(".", six.substr(0, digits));
}

}  // namespace

std::string FormatDate(const Date& d) {
  return absl::StrFormat("%04u-%02u-%02u", d.year, d.month, d.day);
}

std::string FormatDateTime(const DateTime& dt, int fraction_digits) {
  return absl::StrCat(absl::StrFormat("%04u-%02u-%02u %02u:%02u:%02u", dt.year,
                                      dt.month, dt.day, dt.hour, dt.minute,
                                      dt.second),
                      Fraction(dt.microsecond, fraction_digits));
}

std::string FormatTime(const Time& t, int fraction_digits) {
  return absl::StrCat(t.negative ? "-" : "",
                      absl::StrFormat("%02u:%02u:%02u", t.hours, t.minute, t.second),
                      Fraction(t.microsecond, fraction_digits));
}

std::string Value::DebugString() const {
  switch (kind()) {
    case Kind::kNull:
      return "NULL";
    case Kind::kInt64:
      return absl::StrCat(as_int64());
    case Kind::kUint64:
      return absl::StrCat(as_uint64(), "u");
    case Kind::kFloat:
      return absl::StrCat(as_float(), "f");
    case Kind::kDouble:
      return absl::StrCat(as_double());
    case Kind::kDecimal:
      return absl::StrCat("decimal:", as_decimal());
    case Kind::kString:
      return absl::StrCat("'", absl::CHexEscape(as_string()), "'");
    case Kind::kBytes:
      return absl::StrCat("x'", absl::BytesToHexString(as_bytes()), "'");
    case Kind::kDate:
      return FormatDate(as_date());
    case Kind::kDateTime:
      return FormatDateTime(as_datetime(), 6);
    case Kind::kTime:
      return FormatTime(as_time(), 6);
  }
  return "?";
}

}  // namespace mysqlwire
