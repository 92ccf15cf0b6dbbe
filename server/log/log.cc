#include "server/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "server/log/redact.h"

namespace mysqlgw {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
std::atomic<LogLevel> g_min_level{LogLevel::kInfo};

absl::Mutex g_sink_mu;
std::function<void(absl::string_view)>* g_sink ABSL_GUARDED_BY(g_sink_mu) = nullptr;
std::atomic<bool> g_has_sink{false};

absl::string_view UpperLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

void AppendDouble(double d, std::string* out) {
  // JSON has no NaN or infinity.
  if (!std::isfinite(d)) {
    absl::StrAppend(out, "null");
    return;
  }
  absl::StrAppend(out, d);
}

// logfmt: bare when the text is a plain token, else a JSON-escaped string.
void AppendTextValue(absl::string_view s, std::string* out) {
  bool bare = !s.empty();
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '=' || c == '\\') {
      bare = false;
      break;
    }
  }
  if (bare) {
    absl::StrAppend(out, s);
  } else {
    AppendJsonString(s, out);
  }
}

void AppendField(LogFormat format, const LogField& f, bool redact, std::string* out) {
  if (format == LogFormat::kJson) {
    out->push_back(',');
    AppendJsonString(f.key(), out);
    out->push_back(':');
  } else {
    out->push_back(' ');
    absl::StrAppend(out, f.key());
    out->push_back('=');
  }
  switch (f.kind()) {
    case LogField::Kind::kString: {
      const std::string redacted = redact ? RedactSecrets(f.text()) : std::string();
      const absl::string_view text = redact ? absl::string_view(redacted) : f.text();
      if (format == LogFormat::kJson) {
        AppendJsonString(text, out);
      } else {
        AppendTextValue(text, out);
      }
      break;
    }
    case LogField::Kind::kRawJson:
      if (format == LogFormat::kJson) {
        absl::StrAppend(out, f.text());
      } else {
        AppendTextValue(f.text(), out);
      }
      break;
    case LogField::Kind::kInt:
      absl::StrAppend(out, f.int_value());
      break;
    case LogField::Kind::kUint:
      absl::StrAppend(out, f.uint_value());
      break;
    case LogField::Kind::kDouble:
      AppendDouble(f.double_value(), out);
      break;
    case LogField::Kind::kBool:
      absl::StrAppend(out, f.bool_value() ? "true" : "false");
      break;
  }
}

void Emit(const std::string& line) {
  if (g_has_sink.load(std::memory_order_acquire)) {
    absl::MutexLock lock(&g_sink_mu);
    if (g_sink != nullptr) {
      (*g_sink)(line);
      return;
    }
  }
  // One write(2) per line, bypassing stdio (whose unbuffered stderr may
  // split a line into several writes): lines of this and other threads,
  // the access log's writer on stderr included, never interleave.
  absl::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

void LogImpl(LogLevel level, absl::string_view component, absl::string_view message,
             const LogField* fields, size_t count) {
  if (!LogEnabled(level)) return;
  std::string line;
  AppendLogLine(g_format.load(std::memory_order_relaxed), absl::Now(), level, component, message,
                fields, count, /*redact=*/true, &line);
  Emit(line);
}

}  // namespace

void ConfigureLog(LogFormat format, LogLevel min_level) {
  g_format.store(format, std::memory_order_relaxed);
  g_min_level.store(min_level, std::memory_order_relaxed);
}

LogFormat CurrentLogFormat() { return g_format.load(std::memory_order_relaxed); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= static_cast<int>(g_min_level.load(std::memory_order_relaxed));
}

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void Log(LogLevel level, absl::string_view component, absl::string_view message) {
  LogImpl(level, component, message, nullptr, 0);
}

void Log(LogLevel level, absl::string_view component, absl::string_view message,
         std::initializer_list<LogField> fields) {
  LogImpl(level, component, message, fields.begin(), fields.size());
}

void AppendLogLine(LogFormat format, absl::Time at, LogLevel level,
                   absl::string_view component, absl::string_view message,
                   const LogField* fields, size_t field_count, bool redact, std::string* out) {
  const std::string redacted = redact ? RedactSecrets(message) : std::string();
  const absl::string_view msg = redact ? absl::string_view(redacted) : message;
  if (format == LogFormat::kJson) {
    absl::StrAppend(out, "{\"ts\":\"");
    out->append(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", at, absl::UTCTimeZone()));
    absl::StrAppend(out, "\",\"level\":\"");
    absl::StrAppend(out, LogLevelName(level));
    absl::StrAppend(out, "\",\"component\":");
    AppendJsonString(component, out);
    absl::StrAppend(out, ",\"msg\":");
    AppendJsonString(msg, out);
    for (size_t i = 0; i < field_count; ++i) AppendField(format, fields[i], redact, out);
    absl::StrAppend(out, "}\n");
    return;
  }
  absl::StrAppend(out, absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", at, absl::UTCTimeZone()), " ",
                  UpperLevelName(level), " mysqlgw.", component, ": ", msg);
  for (size_t i = 0; i < field_count; ++i) AppendField(format, fields[i], redact, out);
  out->push_back('\n');
}

void SetLogSinkForTesting(std::function<void(absl::string_view line)> sink) {
  absl::MutexLock lock(&g_sink_mu);
  delete g_sink;
  g_sink = sink ? new std::function<void(absl::string_view)>(std::move(sink)) : nullptr;
  g_has_sink.store(g_sink != nullptr, std::memory_order_release);
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (c == '\n') {
      absl::StrAppend(out, "\\n");
      ++i;
    } else if (c == '\r') {
      absl::StrAppend(out, "\\r");
      ++i;
    } else if (c == '\t') {
      absl::StrAppend(out, "\\t");
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      absl::StrAppend(out, absl::StrFormat("\\u%04x", c));
      ++i;
    } else {
      const size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        absl::StrAppend(out, "\\ufffd");
        ++i;
      } else {
        out->append(s.data() + i, n);
        i += n;
      }
    }
  }
  out->push_back('"');
}

}  // namespace mysqlgw
