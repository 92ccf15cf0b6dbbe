#include "clients/cpp/value_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mysqlgw::client {
namespace {

// `sci` is "d[.ddd]e[+-]XX" from std::to_chars in scientific form; rewritten
// the way MariaDB's my_gcvt prints (checked against the server's own text).
std::string FromScientific(std::string_view sci) {
  std::string out;
  if (!sci.empty() && sci.front() == '-') {
    out = "-";
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  (void)absl::SimpleAtoi(absl::string_view(exp_text.data(), exp_text.size()), &exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits == "0") return "0";  // Also -0: the server prints 0.

  if (exponent < -15 || exponent > 14) {
    out.push_back(digits[0]);
    if (digits.size() > 1) absl::StrAppend(&out, ".", digits.substr(1));
    absl::StrAppend(&out, "e", exponent);
    return out;
  }
  if (exponent < 0) {
    absl::StrAppend(&out, "0.", std::string(-exponent - 1, '0'), digits);
    return out;
  }
  const size_t int_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_digits) {
    absl::StrAppend(&out, digits, std::string(int_digits - digits.size(), '0'));
  } else {
    absl::StrAppend(&out, digits.substr(0, int_digits), ".", digits.substr(int_digits));
  }
  return out;
}

std::string NonFinite(double value) {
  if (std::isnan(value)) return "nan";
  return value < 0 ? "-inf" : "inf";
}

std::string Fraction(uint32_t microsecond, int digits) {
  if (digits < 0) digits = microsecond == 0 ? 0 : 6;
  if (digits == 0) return "";
  std::string six = absl::StrFormat("%06u", microsecond % 1000000);
  return absl::StrCat(".", six.substr(0, static_cast<size_t>(digits)));
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = "0x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace

std::string FormatDouble(double value) {
  if (!std::isfinite(value)) return NonFinite(value);
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  return FromScientific(std::string_view(buf, end - buf));
}

std::string FormatFloat(float value) {
  if (!std::isfinite(value)) return NonFinite(value);
  char buf[64];
  // MariaDB shows FLOAT with 6 significant digits (FLT_DIG).
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific, 5);
  return FromScientific(std::string_view(buf, end - buf));
}

std::string FormatValue(const v1::Value& value, int fraction_digits) {
  switch (value.kind_case()) {
    case v1::Value::kNull:
    case v1::Value::KIND_NOT_SET:
      return "NULL";
    case v1::Value::kInt64:
      return absl::StrCat(value.int64());
    case v1::Value::kUint64:
      return absl::StrCat(value.uint64());
    case v1::Value::kDouble:
      return FormatDouble(value.double_());
    case v1::Value::kFloat:
      return FormatFloat(value.float_());
    case v1::Value::kDecimal:
      return value.decimal();
    case v1::Value::kString:
      return value.string();
    case v1::Value::kJson:
      return value.json();
    case v1::Value::kBytes:
      return Hex(value.bytes());
    case v1::Value::kDate: {
      const v1::Date& d = value.date();
      return absl::StrFormat("%04u-%02u-%02u", d.year(), d.month(), d.day());
    }
    case v1::Value::kDatetime: {
      const v1::DateTime& d = value.datetime();
      return absl::StrCat(absl::StrFormat("%04u-%02u-%02u %02u:%02u:%02u", d.year(), d.month(),
                                          d.day(), d.hour(), d.minute(), d.second()),
                          Fraction(d.microsecond(), fraction_digits));
    }
    case v1::Value::kTime: {
      const v1::Time& t = value.time();
      return absl::StrCat(t.negative() ? "-" : "",
                          absl::StrFormat("%02u:%02u:%02u", t.hours(), t.minute(), t.second()),
                          Fraction(t.microsecond(), fraction_digits));
    }
  }
  return "NULL";
}

std::string FormatValue(const v1::Value& value) { return FormatValue(value, -1); }

std::string FormatValue(const v1::Value& value, const v1::Column& column) {
  // Time columns carry 0..6; other columns say 31 ("not fixed") or a scale.
  int digits = column.decimals() <= 6 ? static_cast<int>(column.decimals()) : -1;
  return FormatValue(value, digits);
}

bool IsNumericColumn(const v1::Column& column) {
  // The mysql CLI's IS_NUM(): every type code up to INT24 except TIMESTAMP
  // (NULL included), YEAR and NEWDECIMAL.
  const int t = column.type();
  return (t <= v1::COLUMN_TYPE_INT24 && t != v1::COLUMN_TYPE_TIMESTAMP) ||
         t == v1::COLUMN_TYPE_YEAR || t == v1::COLUMN_TYPE_NEWDECIMAL;
}

}  // namespace mysqlgw::client
