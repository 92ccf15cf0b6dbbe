#include "clients/cpp/cli/json_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cpp/value_text.h"

namespace mysqlgw::client::cli {
namespace {

constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t Utf8Length(absl::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return 0;
  }
  return len;
}

std::string JsonNumber(double value) {
  if (std::isnan(value)) return "\"NaN\"";
  if (std::isinf(value)) return value < 0 ? "\"-Infinity\"" : "\"Infinity\"";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

std::string JsonNumber(float value) {
  if (!std::isfinite(value)) return JsonNumber(static_cast<double>(value));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t len = Utf8Length(text, i);
      if (len == 0) {
        out->append("\\ufffd");
        ++i;
      } else {
        out->append(text.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

std::string JsonString(absl::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

std::string JsonValue(const v1::Value& value, const v1::Column& column) {
  switch (value.kind_case()) {
    case v1::Value::kNull:
    case v1::Value::KIND_NOT_SET:
      return "null";
    case v1::Value::kInt64: {
      const int64_t v = value.int64();
      const uint64_t magnitude = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : v;
      return magnitude <= kMaxSafeInteger ? absl::StrCat(v) : absl::StrCat("\"", v, "\"");
    }
    case v1::Value::kUint64: {
      const uint64_t v = value.uint64();
      return v <= kMaxSafeInteger ? absl::StrCat(v) : absl::StrCat("\"", v, "\"");
    }
    case v1::Value::kDouble:
      return JsonNumber(value.double_());
    case v1::Value::kFloat:
      return JsonNumber(value.float_());
    case v1::Value::kDecimal:
      return JsonString(value.decimal());
    case v1::Value::kString:
      return JsonString(value.string());
    case v1::Value::kJson:
      return JsonString(value.json());
    case v1::Value::kBytes:
      return JsonString(absl::Base64Escape(value.bytes()));
    case v1::Value::kDate:
    case v1::Value::kDatetime:
    case v1::Value::kTime:
      return JsonString(FormatValue(value, column));
  }
  return "null";
}

std::string JsonRow(const std::vector<v1::Column>& columns, const v1::Row& row) {
  std::string out = "{";
  for (int i = 0; i < row.values_size(); ++i) {
    if (i > 0) out.push_back(',');
    static const v1::Column* const kNoColumn = new v1::Column();
    const v1::Column& column = static_cast<size_t>(i) < columns.size() ? columns[i] : *kNoColumn;
    AppendJsonString(column.name(), &out);
    out.push_back(':');
    out.append(JsonValue(row.values(i), column));
  }
  out.push_back('}');
  return out;
}

std::string JsonOutcome(const v1::StatementOutcome& outcome) {
  v1::Value affected, insert_id;
  affected.set_uint64(outcome.affected_rows());
  insert_id.set_uint64(outcome.last_insert_id());
  const v1::Column none;
  return absl::StrCat("{\"affected_rows\":", JsonValue(affected, none),
                      ",\"last_insert_id\":", JsonValue(insert_id, none),
                      ",\"warnings\":", outcome.warnings(),
                      ",\"info\":", JsonString(outcome.info()), "}");
}

}  // namespace mysqlgw::client::cli
