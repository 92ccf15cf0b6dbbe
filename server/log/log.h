// The gateway's log: one line per event on stderr, timestamped, thread-safe
// (a line is written with one call, so lines from several threads never
// interleave).
#ifndef SERVER_LOG_LOG_H_
#define SERVER_LOG_LOG_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mysqlgw {

enum class LogLevel { kInfo, kWarning, kError };

void Log(LogLevel level, absl::string_view component, absl::string_view message);

// Appends `s` as a JSON string literal (quotes included) to `out`. Bytes
// that are not valid UTF-8 are written as \ufffd so that every line stays
// valid JSON.
void AppendJsonString(absl::string_view s, std::string* out);

}  // namespace mysqlgw

#endif  // SERVER_LOG_LOG_H_
