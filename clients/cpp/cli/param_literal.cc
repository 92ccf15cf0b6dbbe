#include "clients/cpp/cli/param_literal.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/cpp/params.h"

namespace mysqlgw::client::cli {
namespace {

absl::Status Bad(absl::string_view arg, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("parameter '", arg, "': ", why));
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Exactly `width` digits (or at least 1 when width is 0) within [0, max].
bool Number(absl::string_view s, size_t width, uint32_t max, uint32_t* out) {
  if (!AllDigits(s) || (width > 0 && s.size() != width)) return false;
  return absl::SimpleAtoi(s, out) && *out <= max;
}

// ".ffffff": 1 to 6 digits, scaled to microseconds.
bool Fraction(absl::string_view s, uint32_t* micro) {
  *micro = 0;
  if (s.empty()) return true;
  if (s[0] != '.' || s.size() < 2 || s.size() > 7 || !AllDigits(s.substr(1))) return false;
  std::string digits(s.substr(1));
  digits.resize(6, '0');
  return absl::SimpleAtoi(digits, micro);
}

bool ParseDate(absl::string_view s, uint32_t* y, uint32_t* m, uint32_t* d) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && Number(s.substr(0, 4), 4, 9999, y) &&
         Number(s.substr(5, 2), 2, 12, m) && Number(s.substr(8, 2), 2, 31, d);
}

// HH:MM:SS[.ffffff] with hours up to max_hours (any number of digits).
bool ParseClock(absl::string_view s, uint32_t max_hours, uint32_t* h, uint32_t* mi, uint32_t* sec,
                uint32_t* micro) {
  const size_t c1 = s.find(':');
  if (c1 == absl::string_view::npos || s.size() < c1 + 6 || s[c1 + 3] != ':') return false;
  return Number(s.substr(0, c1), 0, max_hours, h) && Number(s.substr(c1 + 1, 2), 2, 59, mi) &&
         Number(s.substr(c1 + 4, 2), 2, 59, sec) && Fraction(s.substr(c1 + 6), micro);
}

// absl's parsers skip surrounding whitespace; a typed literal may not have any.
bool Trimmed(absl::string_view s) { return absl::StripAsciiWhitespace(s) == s; }

bool ValidDecimal(absl::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  const size_t dot = s.find('.');
  if (dot == absl::string_view::npos) return AllDigits(s);
  return AllDigits(s.substr(0, dot)) && AllDigits(s.substr(dot + 1));
}

}  // namespace

absl::StatusOr<v1::Value> ParseParamLiteral(absl::string_view arg) {
  if (arg == "null" || arg == "NULL") return Param::Null();
  const size_t colon = arg.find(':');
  if (colon == absl::string_view::npos) return Param::String(arg);
  const absl::string_view type = arg.substr(0, colon);
  const absl::string_view text = arg.substr(colon + 1);

  if (type == "str" || type == "string") return Param::String(text);
  if (type == "int") {
    int64_t v = 0;
    if (!Trimmed(text) || !absl::SimpleAtoi(text, &v)) {
      return Bad(arg, "not a 64-bit signed integer");
    }
    return Param::Int(v);
  }
  if (type == "uint") {
    uint64_t v = 0;
    if (!AllDigits(text) || !absl::SimpleAtoi(text, &v)) {
      return Bad(arg, "not a 64-bit unsigned integer");
    }
    return Param::Uint(v);
  }
  if (type == "dbl" || type == "double" || type == "float") {
    double v = 0;
    if (!Trimmed(text) || !absl::SimpleAtod(text, &v) || !std::isfinite(v)) {
      return Bad(arg, "not a finite number");
    }
    return type == "float" ? Param::Float(static_cast<float>(v)) : Param::Double(v);
  }
  if (type == "dec" || type == "decimal") {
    if (!ValidDecimal(text)) return Bad(arg, "not a decimal ([+-]digits[.digits])");
    return Param::Decimal(text);
  }
  if (type == "hex") {
    absl::string_view hex = text;
    if (absl::StartsWith(hex, "0x") || absl::StartsWith(hex, "0X")) hex.remove_prefix(2);
    if (hex.size() % 2 != 0) return Bad(arg, "odd number of hex digits");
    for (char c : hex) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return Bad(arg, "not hex");
    }
    return Param::Bytes(absl::HexStringToBytes(hex));
  }
  if (type == "b64") {
    std::string bytes;
    if (!absl::Base64Unescape(text, &bytes)) return Bad(arg, "not base64");
    return Param::Bytes(bytes);
  }
  if (type == "date") {
    uint32_t y, m, d;
    if (!ParseDate(text, &y, &m, &d)) return Bad(arg, "not a date YYYY-MM-DD");
    return Param::Date(y, m, d);
  }
  if (type == "datetime") {
    uint32_t y, m, d, h = 0, mi = 0, s = 0, us = 0;
    const bool ok = text.size() >= 10 && ParseDate(text.substr(0, 10), &y, &m, &d) &&
                    (text.size() == 10 ||
                     ((text[10] == ' ' || text[10] == 'T') && text.size() > 11 &&
                      ParseClock(text.substr(11), 23, &h, &mi, &s, &us) && text[13] == ':'));
    if (!ok) return Bad(arg, "not a datetime YYYY-MM-DD HH:MM:SS[.ffffff]");
    return Param::DateTime(y, m, d, h, mi, s, us);
  }
  if (type == "time") {
    absl::string_view t = text;
    const bool negative = absl::ConsumePrefix(&t, "-");
    uint32_t h, mi, s, us;
    if (!ParseClock(t, 838, &h, &mi, &s, &us)) {
      return Bad(arg, "not a time [-]HHH:MM:SS[.ffffff] (hours up to 838)");
    }
    return Param::Time(h, mi, s, us, negative);
  }
  if (type == "json") return Param::Json(text);
  return Param::String(arg);  // Not a type: the colon is part of the text.
}

}  // namespace mysqlgw::client::cli
