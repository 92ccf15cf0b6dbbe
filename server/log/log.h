// The gateway's log: one line per event on stderr, thread-safe (a line is
// written with one call, so lines from several threads never interleave).
//
// Two formats, chosen once at startup (ConfigureLog):
//   text  2024-05-01T12:00:00.123Z INFO mysqlgw.config: message key=value ...
//   json  {"ts":"2024-05-01T12:00:00.123456Z","level":"info","component":
//          "config","msg":"message","key":"value",...}
// Lines below the configured minimum level are dropped before any
// formatting. Every message and string field passes RedactSecrets
// (redact.h): a password, bearer token or DSN password that a caller put in
// a message by mistake is masked, whatever the format.
#ifndef SERVER_LOG_LOG_H_
#define SERVER_LOG_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mysqlgw {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

// A key/value pair attached to a line. Keys are fixed identifiers
// (snake_case, no spaces); values are text, integers, numbers or booleans.
// A field holds views: it lives only for the Log call it is passed to.
class LogField {
 public:
  enum class Kind { kString, kInt, kUint, kDouble, kBool, kRawJson };

  LogField(absl::string_view key, absl::string_view value)
      : key_(key), kind_(Kind::kString), text_(value) {}
  LogField(absl::string_view key, const char* value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, const std::string& value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, int value) : key_(key), kind_(Kind::kInt), int_(value) {}
  LogField(absl::string_view key, long value) : key_(key), kind_(Kind::kInt), int_(value) {}
  LogField(absl::string_view key, long long value)
      : key_(key), kind_(Kind::kInt), int_(value) {}
  LogField(absl::string_view key, unsigned value)
      : key_(key), kind_(Kind::kUint), uint_(value) {}
  LogField(absl::string_view key, unsigned long value)
      : key_(key), kind_(Kind::kUint), uint_(value) {}
  LogField(absl::string_view key, unsigned long long value)
      : key_(key), kind_(Kind::kUint), uint_(value) {}
  LogField(absl::string_view key, double value)
      : key_(key), kind_(Kind::kDouble), double_(value) {}
  LogField(absl::string_view key, bool value) : key_(key), kind_(Kind::kBool), bool_(value) {}

  // A value that is already valid JSON (an array, an object), written as
  // is in json format and as text in text format.
  static LogField RawJson(absl::string_view key, absl::string_view json) {
    LogField f(key, json);
    f.kind_ = Kind::kRawJson;
    return f;
  }

  absl::string_view key() const { return key_; }
  Kind kind() const { return kind_; }
  absl::string_view text() const { return text_; }
  int64_t int_value() const { return int_; }
  uint64_t uint_value() const { return uint_; }
  double double_value() const { return double_; }
  bool bool_value() const { return bool_; }

 private:
  absl::string_view key_;
  Kind kind_;
  absl::string_view text_;
  int64_t int_ = 0;
  uint64_t uint_ = 0;
  double double_ = 0;
  bool bool_ = false;
};

// Process-wide settings; call once at startup, before the threads that log
// start (reads are lock-free). Defaults: text, info.
void ConfigureLog(LogFormat format, LogLevel min_level);
LogFormat CurrentLogFormat();
// Whether a line at `level` would be written (skip building costly
// messages otherwise).
bool LogEnabled(LogLevel level);

void Log(LogLevel level, absl::string_view component, absl::string_view message);
void Log(LogLevel level, absl::string_view component, absl::string_view message,
         std::initializer_list<LogField> fields);

// One line, newline included, as Log writes it, at time `at`. For writers
// of their own (the access log); `redact`: pass message and string fields
// through RedactSecrets.
void AppendLogLine(LogFormat format, absl::Time at, LogLevel level,
                   absl::string_view component, absl::string_view message,
                   const LogField* fields, size_t field_count, bool redact, std::string* out);

// "debug", "info", "warning", "error".
absl::string_view LogLevelName(LogLevel level);

// Tests: lines go to `sink` instead of stderr (nullptr: back to stderr).
void SetLogSinkForTesting(std::function<void(absl::string_view line)> sink);

// Appends `s` as a JSON string literal (quotes included) to `out`. Bytes
// that are not valid UTF-8 are written as \ufffd so that every line stays
// valid JSON.
void AppendJsonString(absl::string_view s, std::string* out);

}  // namespace mysqlgw

#endif  // SERVER_LOG_LOG_H_
