// The typed value model shared by text and binary result rows, statement
// parameters and (later) binlog row images. It is lossless for every MySQL
// type: unsigned 64-bit integers stay unsigned, DECIMAL stays an exact decimal
// string, zero dates and TIME beyond 24 hours are representable, and binary
// strings are distinct from text.
#ifndef MYSQLWIRE_VALUE_H_
#define MYSQLWIRE_VALUE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/string_view.h"

namespace mysqlwire {

// DATE. All-zero fields are the zero date '0000-00-00'; partial zero dates
// ('2024-00-00') are legal in MySQL too, so no field is validated here.
struct Date {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  friend bool operator==(const Date&, const Date&) = default;
};

// DATETIME and TIMESTAMP, with microseconds.
struct DateTime {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  uint8_t hour = 0;
  uint8_t minute = 0;
  uint8_t second = 0;
  uint32_t microsecond = 0;
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// TIME: a signed duration, -838:59:59.000000 .. 838:59:59.000000 in MySQL.
struct Time {
  bool negative = false;
  uint32_t hours = 0;  // May exceed 24.
  uint8_t minute = 0;
  uint8_t second = 0;
  uint32_t microsecond = 0;
  friend bool operator==(const Time&, const Time&) = default;
};

// An exact decimal number in its canonical text form, e.g. "-12.3400".
struct Decimal {
  std::string text;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// Bytes without a character set (BINARY, VARBINARY, BLOB, GEOMETRY).
struct Bytes {
  std::string data;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

class Value {
 public:
  enum class Kind {
    kNull,
    kInt64,
    kUint64,  // Unsigned integers and BIT (as its big-endian number).
    kFloat,
    kDouble,
    kDecimal,
    kString,  // Text in the column's character set: CHAR, TEXT, ENUM, SET, JSON.
    kBytes,
    kDate,
    kDateTime,
    kTime,
  };

  Value() = default;
  static Value Null() { return Value(); }
  static Value Int64(int64_t v) { return Value(v); }
  static Value Uint64(uint64_t v) { return Value(v); }
  static Value Float(float v) { return Value(v); }
  static Value Double(double v) { return Value(v); }
  static Value DecimalText(std::string v) { return Value(Decimal{std::move(v)}); }
  static Value String(std::string v) { return Value(std::move(v)); }
  static Value BytesOf(std::string v) { return Value(Bytes{std::move(v)}); }
  static Value Of(Date v) { return Value(v); }
  static Value Of(DateTime v) { return Value(v); }
  static Value Of(Time v) { return Value(v); }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }

  // Accessors; calling the one that does not match kind() is a bug.
  int64_t as_int64() const { return std::get<int64_t>(data_); }
  uint64_t as_uint64() const { return std::get<uint64_t>(data_); }
  float as_float() const { return std::get<float>(data_); }
  double as_double() const { return std::get<double>(data_); }
  const std::string& as_decimal() const { return std::get<Decimal>(data_).text; }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const std::string& as_bytes() const { return std::get<Bytes>(data_).data; }
  const Date& as_date() const { return std::get<Date>(data_); }
  const DateTime& as_datetime() const { return std::get<DateTime>(data_); }
  const Time& as_time() const { return std::get<Time>(data_); }

  // A readable rendering for logs and tests: NULL, 42, 'text', x'00ff',
  // 2024-01-02 03:04:05.000006, -838:59:59.
  std::string DebugString() const;

  friend bool operator==(const Value&, const Value&) = default;

 private:
  template <typename T>
  explicit Value(T v) : data_(std::move(v)) {}

  // Order matches Kind.
  std::variant<std::monostate, int64_t, uint64_t, float, double, Decimal,
               std::string, Bytes, Date, DateTime, Time>
      data_;
};

// Canonical text forms, as MySQL prints them. `fraction_digits` (0..6)
// controls how many digits of microseconds are shown.
std::string FormatDate(const Date& d);
std::string FormatDateTime(const DateTime& dt, int fraction_digits);
std::string FormatTime(const Time& t, int fraction_digits);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_VALUE_H_
