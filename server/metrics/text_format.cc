#include "server/metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace mysqlgw::metrics {
namespace {

// 2^53: every integer below it is exactly representable as a double.
constexpr double kExactIntegerLimit = 9007199254740992.0;

bool IsNameStart(char c, bool colon_allowed) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon_allowed && c == ':');
}

bool IsNameChar(char c, bool colon_allowed) {
  return IsNameStart(c, colon_allowed) || (c >= '0' && c <= '9');
}

bool IsValidName(absl::string_view name, bool colon_allowed) {
  if (name.empty() || !IsNameStart(name[0], colon_allowed)) return false;
  for (char c : name) {
    if (!IsNameChar(c, colon_allowed)) return false;
  }
  return true;
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid
// (overlong forms, surrogates and code points past U+10FFFF included).
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;  // Bounds of the second byte.
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

void AppendEscaped(std::string* out, absl::string_view text, bool escape_quote) {
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && escape_quote) {
      out->append("\\\"");
    } else {
      const size_t len = Utf8SequenceLength(text, i);
      if (len == 0) {
        out->append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        out->append(text.data() + i, len);
        i += len;
      }
      continue;
    }
    ++i;
  }
}

}  // namespace

bool IsValidMetricName(absl::string_view name) { return IsValidName(name, true); }

bool IsValidLabelName(absl::string_view name) {
  return IsValidName(name, false) && !(name.size() >= 2 && name[0] == '_' && name[1] == '_');
}

void AppendEscapedLabelValue(std::string* out, absl::string_view value) {
  AppendEscaped(out, value, /*escape_quote=*/true);
}

void AppendEscapedHelp(std::string* out, absl::string_view help) {
  AppendEscaped(out, help, /*escape_quote=*/false);
}

void AppendValue(std::string* out, double value) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[32];
    std::to_chars_result r;
    if (value == std::trunc(value) && std::fabs(value) < kExactIntegerLimit) {
      // Integers print as integers ("400000", not "4e+05"): counters read
      // better, and the text is still the exact value.
      r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value));
    } else {
      // The shortest digits that read back as `value`, printed as %g would
      // print them: 0.0005, 12.75, 1e-05, 1e+17 (and so the way Prometheus'
      // own clients print bucket bounds).
      r = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::general);
    }
    out->append(buf, r.ptr);
  }
}

std::string FormatValue(double value) {
  std::string out;
  AppendValue(&out, value);
  return out;
}

}  // namespace mysqlgw::metrics
