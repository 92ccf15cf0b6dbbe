#include "mysqlwire/protocol/row_text.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {
namespace {

// MySQL and MariaDB mark FLOAT/DOUBLE columns without a declared scale with
// decimals = 31 (NOT_FIXED_DEC); 0..30 means FLOAT(M,D)/DOUBLE(M,D) and the
// server prints exactly D fraction digits.
constexpr uint8_t kNotFixedDecimals = 31;

absl::Status BadCell(const ColumnDefinition& column, absl::string_view why,
                     absl::string_view text) {
  constexpr size_t kShown = 64;
  return ProtocolError(
      absl::StrCat("column `", column.name, "` (", ColumnTypeName(column.type),
                   "): ", why, " '", absl::CHexEscape(text.substr(0, kShown)),
                   text.size() > kShown ? "...'" : "'"));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the text of one cell, for the fixed layouts of dates and
// times. Every read checks the remaining length first.
class TextCursor {
 public:
  explicit TextCursor(absl::string_view s) : s_(s) {}

  // Exactly `n` decimal digits.
  bool Digits(size_t n, uint32_t* v) {
    if (s_.size() < n) return false;
    uint32_t acc = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!IsDigit(s_[i])) return false;
      acc = acc * 10 + static_cast<uint32_t>(s_[i] - '0');
    }
    s_.remove_prefix(n);
    *v = acc;
    return true;
  }

  // 1..max_digits digits whose value fits in uint32_t.
  bool Number(size_t max_digits, uint32_t* v) {
    size_t n = 0;
    uint64_t acc = 0;
    while (n < s_.size() && IsDigit(s_[n])) {
      if (++n > max_digits) return false;
      acc = acc * 10 + static_cast<uint64_t>(s_[n - 1] - '0');
    }
    if (n == 0 || acc > std::numeric_limits<uint32_t>::max()) return false;
    s_.remove_prefix(n);
    *v = static_cast<uint32_t>(acc);
    return true;
  }

  bool Char(char c) {
    if (s_.empty() || s_[0] != c) return false;
    s_.remove_prefix(1);
    return true;
  }

  // An optional fraction of a second: nothing, or '.' and 1..6 digits, scaled
  // to microseconds (".5" is 500000).
  bool Fraction(uint32_t* micros) {
    *micros = 0;
    if (!Char('.')) return true;
    size_t n = 0;
    uint32_t acc = 0;
    while (n < s_.size() && IsDigit(s_[n])) {
      if (++n > 6) return false;
      acc = acc * 10 + static_cast<uint32_t>(s_[n - 1] - '0');
    }
    if (n == 0) return false;
    for (size_t i = n; i < 6; ++i) acc *= 10;
    s_.remove_prefix(n);
    *micros = acc;
    return true;
  }

  bool AtEnd() const { return s_.empty(); }

 private:
  absl::string_view s_;
};

// 'YYYY-MM-DD'. Zero and partly zero dates are valid values.
bool ReadDate(TextCursor* c, Date* d) {
  uint32_t y = 0, m = 0, day = 0;
  if (!c->Digits(4, &y) || !c->Char('-') || !c->Digits(2, &m) ||
      !c->Char('-') || !c->Digits(2, &day)) {
    return false;
  }
  if (m > 12 || day > 31) return false;
  *d = Date{static_cast<uint16_t>(y), static_cast<uint8_t>(m),
            static_cast<uint8_t>(day)};
  return true;
}

std::optional<Date> DateFromText(absl::string_view text) {
  TextCursor c(text);
  Date d;
  if (!ReadDate(&c, &d) || !c.AtEnd()) return std::nullopt;
  return d;
}

// 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
std::optional<DateTime> DateTimeFromText(absl::string_view text) {
  TextCursor c(text);
  Date d;
  uint32_t h = 0, mi = 0, s = 0, us = 0;
  if (!ReadDate(&c, &d) || !c.Char(' ') || !c.Digits(2, &h) || !c.Char(':') ||
      !c.Digits(2, &mi) || !c.Char(':') || !c.Digits(2, &s) ||
      !c.Fraction(&us) || !c.AtEnd()) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || s > 59) return std::nullopt;
  return DateTime{d.year,
                  d.month,
                  d.day,
                  static_cast<uint8_t>(h),
                  static_cast<uint8_t>(mi),
                  static_cast<uint8_t>(s),
                  us};
}

// '[-]H+:MM:SS[.ffffff]'. Hours are not capped at 838: the Value model keeps
// whatever the server sends.
std::optional<Time> TimeFromText(absl::string_view text) {
  TextCursor c(text);
  Time t;
  t.negative = c.Char('-');
  uint32_t mi = 0, s = 0;
  if (!c.Number(10, &t.hours) || !c.Char(':') || !c.Digits(2, &mi) ||
      !c.Char(':') || !c.Digits(2, &s) || !c.Fraction(&t.microsecond) ||
      !c.AtEnd()) {
    return std::nullopt;
  }
  if (mi > 59 || s > 59) return std::nullopt;
  t.minute = static_cast<uint8_t>(mi);
  t.second = static_cast<uint8_t>(s);
  return t;
}

// The grammar of MySQL's FLOAT/DOUBLE text: -?D+(.D+)?([eE][-+]?D+)?.
// std::from_chars alone would also take "inf", "nan", ".5" and "1.".
bool IsFloatingText(absl::string_view s) {
  size_t i = 0;
  auto digits = [&]() {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

template <typename T>
std::optional<T> NumberFromText(absl::string_view text) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!IsFloatingText(text)) return std::nullopt;
  }
  T v{};
  const char* end = text.data() + text.size();
  std::from_chars_result r = std::from_chars(text.data(), end, v);
  if (r.ec != std::errc() || r.ptr != end || text.empty()) return std::nullopt;
  return v;
}

// BIT(M) cells are the value's (M+7)/8 bytes, most significant first.
std::optional<uint64_t> BitFromBytes(absl::string_view bytes) {
  if (bytes.empty() || bytes.size() > 8) return std::nullopt;
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

std::string BitToBytes(uint64_t v, const ColumnDefinition& column) {
  size_t width = (static_cast<size_t>(column.column_length) + 7) / 8;
  if (width < 1) width = 1;
  if (width > 8) width = 8;
  while (width < 8 && (v >> (8 * width)) != 0) ++width;  // Never truncate.
  std::string out(width, '\0');
  for (size_t i = 0; i < width; ++i) {
    out[width - 1 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  return out;
}

// Fraction digits to print for a temporal value in `column`: its declared
// precision, or for expressions of unknown precision (decimals >= 31) all
// six digits when there is a fraction at all.
int FractionDigits(const ColumnDefinition& column, uint32_t micros) {
  if (column.decimals <= 6) return column.decimals;
  return micros != 0 ? 6 : 0;
}

bool HasFixedScale(const ColumnDefinition& column) {
  return (column.type == ColumnType::kFloat ||
          column.type == ColumnType::kDouble) &&
         column.decimals < kNotFixedDecimals;
}

// Re-lays the shortest scientific form from std::to_chars ("-1.25e-07") the
// way MariaDB prints it (see FormatDoubleText).
std::string LayOutScientific(absl::string_view sci) {
  size_t e = sci.find('e');
  if (e == absl::string_view::npos) return std::string(sci);  // inf, nan.
  std::string out;
  absl::string_view mantissa = sci.substr(0, e);
  if (!mantissa.empty() && mantissa[0] == '-') {
    out.push_back('-');
    mantissa.remove_prefix(1);
  }
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits.push_back(c);
  }
  absl::string_view exp_text = sci.substr(e + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  int exp = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
  if (exp >= -15 && exp <= 14) {
    if (exp >= 0) {
      size_t int_digits = static_cast<size_t>(exp) + 1;
      if (digits.size() <= int_digits) {
        out += digits;
        out.append(int_digits - digits.size(), '0');
      } else {
        out += digits.substr(0, int_digits);
        out.push_back('.');
        out += digits.substr(int_digits);
      }
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-exp - 1), '0');
      out += digits;
    }
  } else {
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    absl::StrAppend(&out, "e", exp);
  }
  return out;
}

template <typename T>
std::string FormatShortest(T v) {
  char buf[64];
  std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  return LayOutScientific(absl::string_view(buf, r.ptr - buf));
}

}  // namespace

bool IsDecimalText(absl::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == start) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == frac) return false;
  }
  return i == s.size();
}

std::string FormatDoubleText(double v) { return FormatShortest(v); }
std::string FormatFloatText(float v) { return FormatShortest(v); }

// Text cell -> Value, by ValueKindOf(column):
//   kInt64 / kUint64  decimal digits with an optional '-' (signed only)
//   BIT               1..8 raw bytes, big-endian
//   kFloat / kDouble  -D+[.D+][e[-+]D+], read with std::from_chars so the
//                     value is the one nearest to the server's text
//   kDecimal          -D+[.D+], kept as text
//   kDate             YYYY-MM-DD
//   kDateTime         YYYY-MM-DD HH:MM:SS[.F{1,6}]
//   kTime             [-]H+:MM:SS[.F{1,6}]
//   kString / kBytes  the cell's bytes
absl::StatusOr<Value> ValueFromText(absl::string_view text,
                                    const ColumnDefinition& column) {
  std::optional<Value::Kind> kind = ValueKindOf(column);
  if (!kind.has_value()) return BadCell(column, "unsupported type", text);
  if (column.type == ColumnType::kBit) {
    std::optional<uint64_t> v = BitFromBytes(text);
    if (!v.has_value()) return BadCell(column, "BIT needs 1..8 bytes", text);
    return Value::Uint64(*v);
  }
  switch (*kind) {
    case Value::Kind::kNull:
      return BadCell(column, "non-NULL cell in a NULL column", text);
    case Value::Kind::kInt64: {
      std::optional<int64_t> v = NumberFromText<int64_t>(text);
      if (!v.has_value()) return BadCell(column, "invalid integer", text);
      return Value::Int64(*v);
    }
    case Value::Kind::kUint64: {
      std::optional<uint64_t> v = NumberFromText<uint64_t>(text);
      if (!v.has_value()) return BadCell(column, "invalid unsigned", text);
      return Value::Uint64(*v);
    }
    case Value::Kind::kFloat: {
      std::optional<float> v = NumberFromText<float>(text);
      if (!v.has_value()) return BadCell(column, "invalid FLOAT", text);
      return Value::Float(*v);
    }
    case Value::Kind::kDouble: {
      std::optional<double> v = NumberFromText<double>(text);
      if (!v.has_value()) return BadCell(column, "invalid DOUBLE", text);
      return Value::Double(*v);
    }
    case Value::Kind::kDecimal:
      if (!IsDecimalText(text)) return BadCell(column, "invalid DECIMAL", text);
      return Value::DecimalText(std::string(text));
    case Value::Kind::kString:
      return Value::String(std::string(text));
    case Value::Kind::kBytes:
      return Value::BytesOf(std::string(text));
    case Value::Kind::kDate: {
      std::optional<Date> v = DateFromText(text);
      if (!v.has_value()) return BadCell(column, "invalid DATE", text);
      return Value::Of(*v);
    }
    case Value::Kind::kDateTime: {
      std::optional<DateTime> v = DateTimeFromText(text);
      if (!v.has_value()) return BadCell(column, "invalid DATETIME", text);
      return Value::Of(*v);
    }
    case Value::Kind::kTime: {
      std::optional<Time> v = TimeFromText(text);
      if (!v.has_value()) return BadCell(column, "invalid TIME", text);
      return Value::Of(*v);
    }
  }
  return BadCell(column, "unsupported type", text);
}

std::string ValueToText(const Value& value, const ColumnDefinition& column) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      return "";
    case Value::Kind::kInt64:
      return absl::StrCat(value.as_int64());
    case Value::Kind::kUint64:
      if (column.type == ColumnType::kBit) {
        return BitToBytes(value.as_uint64(), column);
      }
      return absl::StrCat(value.as_uint64());
    case Value::Kind::kFloat:
      if (HasFixedScale(column)) {
        return absl::StrFormat("%.*f", column.decimals,
                               static_cast<double>(value.as_float()));
      }
      return FormatFloatText(value.as_float());
    case Value::Kind::kDouble:
      if (HasFixedScale(column)) {
        return absl::StrFormat("%.*f", column.decimals, value.as_double());
      }
      return FormatDoubleText(value.as_double());
    case Value::Kind::kDecimal:
      return value.as_decimal();
    case Value::Kind::kString:
      return value.as_string();
    case Value::Kind::kBytes:
      return value.as_bytes();
    case Value::Kind::kDate:
      return FormatDate(value.as_date());
    case Value::Kind::kDateTime:
      return FormatDateTime(
          value.as_datetime(),
          FractionDigits(column, value.as_datetime().microsecond));
    case Value::Kind::kTime:
      return FormatTime(value.as_time(),
                        FractionDigits(column, value.as_time().microsecond));
  }
  return "";
}

// Protocol::ResultsetRow (text):
//   for each column:
//     0xfb                 NULL
//     string<lenenc>       the value's text
absl::Status ParseTextRow(absl::string_view payload,
                          absl::Span<const ColumnDefinition> columns,
                          std::vector<Value>* out) {
  out->clear();
  WireReader r(payload);
  std::vector<Value> row;
  row.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    std::optional<uint64_t> length = r.LenencOrNull();
    if (r.ok() && !length.has_value()) {
      row.push_back(Value::Null());
      continue;
    }
    absl::string_view cell = r.Bytes(static_cast<size_t>(length.value_or(0)));
    if (!r.ok()) return r.Status(absl::StrCat("text row column ", i));
    absl::StatusOr<Value> v = ValueFromText(cell, columns[i]);
    if (!v.ok()) return v.status();
    row.push_back(*std::move(v));
  }
  if (absl::Status s = r.StatusAtEnd("text row"); !s.ok()) return s;
  *out = std::move(row);
  return absl::OkStatus();
}

std::string SerializeTextRow(absl::Span<const Value> row,
                             absl::Span<const ColumnDefinition> columns) {
  const ColumnDefinition unknown_column;  // Only if the precondition fails.
  std::string out;
  WireWriter w(&out);
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i].is_null()) {
      w.U8(0xfb);
      continue;
    }
    const ColumnDefinition& column =
        i < columns.size() ? columns[i] : unknown_column;
    w.LenencString(ValueToText(row[i], column));
  }
  return out;
}

}  // namespace mysqlwire
