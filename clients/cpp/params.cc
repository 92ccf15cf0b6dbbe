#include "clients/cpp/params.h"

namespace mysqlgw::client {

v1::Value Param::Null() {
  v1::Value v;
  v.set_null(google::protobuf::NULL_VALUE);
  return v;
}

v1::Value Param::Int(int64_t value) {
  v1::Value v;
  v.set_int64(value);
  return v;
}

v1::Value Param::Uint(uint64_t value) {
  v1::Value v;
  v.set_uint64(value);
  return v;
}

v1::Value Param::Double(double value) {
  v1::Value v;
  v.set_double_(value);
  return v;
}

v1::Value Param::Float(float value) {
  v1::Value v;
  v.set_float_(value);
  return v;
}

v1::Value Param::Decimal(absl::string_view text) {
  v1::Value v;
  v.set_decimal(std::string(text));
  return v;
}

v1::Value Param::String(absl::string_view text) {
  v1::Value v;
  v.set_string(std::string(text));
  return v;
}

v1::Value Param::Bytes(absl::string_view bytes) {
  v1::Value v;
  v.set_bytes(std::string(bytes));
  return v;
}

v1::Value Param::Date(uint32_t year, uint32_t month, uint32_t day) {
  v1::Value v;
  v1::Date* d = v.mutable_date();
  d->set_year(year);
  d->set_month(month);
  d->set_day(day);
  return v;
}

v1::Value Param::DateTime(uint32_t year, uint32_t month, uint32_t day, uint32_t hour,
                          uint32_t minute, uint32_t second, uint32_t microsecond) {
  v1::Value v;
  v1::DateTime* d = v.mutable_datetime();
  d->set_year(year);
  d->set_month(month);
  d->set_day(day);
  d->set_hour(hour);
  d->set_minute(minute);
  d->set_second(second);
  d->set_microsecond(microsecond);
  return v;
}

v1::Value Param::Time(uint32_t hours, uint32_t minute, uint32_t second, uint32_t microsecond,
                      bool negative) {
  v1::Value v;
  v1::Time* t = v.mutable_time();
  // "-00:00:00" is not a distinct MySQL value.
  t->set_negative(negative && (hours | minute | second | microsecond) != 0);
  t->set_hours(hours);
  t->set_minute(minute);
  t->set_second(second);
  t->set_microsecond(microsecond);
  return v;
}

v1::Value Param::Time(absl::Duration duration) {
  const bool negative = duration < absl::ZeroDuration();
  // Whole microseconds; the magnitude of any TIME fits easily in int64.
  int64_t us = absl::ToInt64Microseconds(negative ? -duration : duration);
  const uint32_t micro = static_cast<uint32_t>(us % 1000000);
  int64_t s = us / 1000000;
  const uint32_t second = static_cast<uint32_t>(s % 60);
  const uint32_t minute = static_cast<uint32_t>((s / 60) % 60);
  const uint32_t hours = static_cast<uint32_t>(s / 3600);
  return Time(hours, minute, second, micro, negative);
}

v1::Value Param::Json(absl::string_view document) {
  v1::Value v;
  v.set_json(std::string(document));
  return v;
}

Params Params::Named(std::initializer_list<std::pair<const std::string, v1::Value>> values) {
  Params p;
  p.named = std::map<std::string, v1::Value>(values);
  return p;
}

}  // namespace mysqlgw::client
