// JSON string literals: one escaper for every place that writes JSON text
// (binlog JSON documents, configuration, command-line output).
#ifndef MYSQLWIRE_JSON_STRING_H_
#define MYSQLWIRE_JSON_STRING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mysqlwire {

// Appends `value` as a quoted JSON string the way MySQL prints one: the
// quote, backslash, backspace, form feed, newline, carriage return and tab
// get their two-character escapes, other bytes below 0x20 become \u00xx
// (lower-case hex), and every other byte (UTF-8 included) is copied.
void AppendJsonString(absl::string_view value, std::string* out);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_JSON_STRING_H_
