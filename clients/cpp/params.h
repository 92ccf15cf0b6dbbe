// Statement parameters: factories for v1::Value and the positional or named
// set a call sends.
//
//   db.Query("SELECT * FROM t WHERE id = ? AND day = ?",
//            {Param::Int(7), Param::Date(2024, 1, 2)});
//   db.Query("SELECT * FROM t WHERE id = :id", Params::Named({{"id", Param::Int(7)}}));
//
// The factories only fill in the oneof: validation (decimal syntax, date
// ranges, UTF-8) is the gateway's, which fails the call with
// INVALID_ARGUMENT, so the rules live in one place.
#ifndef CLIENTS_CPP_PARAMS_H_
#define CLIENTS_CPP_PARAMS_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mysqlgw/v1/value.pb.h"

namespace mysqlgw::client {

namespace v1 = ::mysqlgw::v1;

class Param {
 public:
  static v1::Value Null();
  static v1::Value Int(int64_t value);
  static v1::Value Uint(uint64_t value);
  static v1::Value Double(double value);
  static v1::Value Float(float value);
  // Exact decimal text, "[+-]digits[.digits]": never goes through a double.
  static v1::Value Decimal(absl::string_view text);
  // UTF-8 text. Binary data belongs in Bytes (the gateway refuses a string
  // that is not valid UTF-8).
  static v1::Value String(absl::string_view text);
  static v1::Value Bytes(absl::string_view bytes);
  // Zero and partial dates (month or day 0) are valid MySQL values.
  static v1::Value Date(uint32_t year, uint32_t month, uint32_t day);
  static v1::Value DateTime(uint32_t year, uint32_t month, uint32_t day, uint32_t hour = 0,
                            uint32_t minute = 0, uint32_t second = 0, uint32_t microsecond = 0);
  // TIME is a signed duration that may exceed 24 hours ("-100:00:00").
  static v1::Value Time(uint32_t hours, uint32_t minute, uint32_t second, uint32_t microsecond = 0,
                        bool negative = false);
  // Truncated to whole microseconds (TIME's resolution).
  static v1::Value Time(absl::Duration duration);
  // A JSON document's text (sent as a string; the server validates it when
  // it is stored in a JSON column).
  static v1::Value Json(absl::string_view document);
};

// The parameters of one statement: positional for `?` placeholders, or named
// for `:name` placeholders (a request carries one kind, not both).
struct Params {
  Params() = default;
  Params(std::initializer_list<v1::Value> values) : positional(values) {}
  Params(std::vector<v1::Value> values)
      : positional(std::move(values)) {}  // NOLINT: implicit on purpose

  // Keys are the names without the leading ':'.
  static Params Named(std::initializer_list<std::pair<const std::string, v1::Value>> values);

  bool empty() const { return positional.empty() && named.empty(); }

  std::vector<v1::Value> positional;
  std::map<std::string, v1::Value> named;
};

}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_PARAMS_H_
