#include "mysqlwire/protocol/escaping.h"

#include <cmath>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "mysqlwire/protocol/row_text.h"
#include "mysqlwire/protocol/sql_spans.h"

namespace mysqlwire {
namespace {

constexpr size_t kNpos = absl::string_view::npos;

// Characters that may continue a token next to a literal: identifier
// characters (bytes >= 0x80 included, as MySQL allows them in identifiers)
// and quotes.
bool MergesWithLiteral(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '$' || u >= 0x80 ||
         c == '\'' || c == '"' || c == '`';
}

absl::Status CheckDate(uint32_t month, uint32_t day, const Value& v) {
  if (month > 12 || day > 31) {
    return absl::InvalidArgumentError(
        absl::StrCat("date field out of range: ", v.DebugString()));
  }
  return absl::OkStatus();
}

absl::Status CheckClock(uint32_t minute, uint32_t second, uint32_t micros,
                        const Value& v) {
  if (minute > 59 || second > 59 || micros > 999999) {
    return absl::InvalidArgumentError(
        absl::StrCat("time field out of range: ", v.DebugString()));
  }
  return absl::OkStatus();
}

// A DOUBLE literal: MySQL reads digits without an exponent as DECIMAL.
absl::StatusOr<std::string> DoubleLiteral(double d) {
  if (!std::isfinite(d)) {
    return absl::InvalidArgumentError("MySQL has no NaN or infinity");
  }
  std::string text = FormatDoubleText(d);
  if (text.find('e') == std::string::npos) text += "e0";
  return text;
}

std::string Quoted(std::string s) { return absl::StrCat("'", s, "'"); }

}  // namespace

std::string EscapeStringLiteral(absl::string_view s,
                                bool no_backslash_escapes) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  for (char c : s) {
    if (no_backslash_escapes) {
      if (c == '\'') out.push_back('\'');
      out.push_back(c);
      continue;
    }
    switch (c) {
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::string HexLiteral(absl::string_view data) {
  return absl::StrCat("x'", absl::BytesToHexString(data), "'");
}

absl::StatusOr<std::string> ValueToSqlLiteral(const Value& v,
                                              bool no_backslash_escapes) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return std::string("NULL");
    case Value::Kind::kInt64:
      return absl::StrCat(v.as_int64());
    case Value::Kind::kUint64:
      return absl::StrCat(v.as_uint64());
    case Value::Kind::kFloat:
      return DoubleLiteral(static_cast<double>(v.as_float()));
    case Value::Kind::kDouble:
      return DoubleLiteral(v.as_double());
    case Value::Kind::kDecimal:
      if (!IsDecimalText(v.as_decimal())) {
        return absl::InvalidArgumentError(
            absl::StrCat("not a decimal number: ", v.DebugString()));
      }
      return v.as_decimal();
    case Value::Kind::kString:
      return EscapeStringLiteral(v.as_string(), no_backslash_escapes);
    case Value::Kind::kBytes:
      return HexLiteral(v.as_bytes());
    case Value::Kind::kDate: {
      const Date& d = v.as_date();
      if (absl::Status s = CheckDate(d.month, d.day, v); !s.ok()) return s;
      return Quoted(FormatDate(d));
    }
    case Value::Kind::kDateTime: {
      const DateTime& dt = v.as_datetime();
      if (absl::Status s = CheckDate(dt.month, dt.day, v); !s.ok()) return s;
      if (absl::Status s = CheckClock(dt.minute, dt.second, dt.microsecond, v);
          !s.ok()) {
        return s;
      }
      if (dt.hour > 23) {
        return absl::InvalidArgumentError(
            absl::StrCat("time field out of range: ", v.DebugString()));
      }
      return Quoted(FormatDateTime(dt, dt.microsecond != 0 ? 6 : 0));
    }
    case Value::Kind::kTime: {
      const Time& t = v.as_time();
      if (absl::Status s = CheckClock(t.minute, t.second, t.microsecond, v);
          !s.ok()) {
        return s;
      }
      return Quoted(FormatTime(t, t.microsecond != 0 ? 6 : 0));
    }
  }
  return absl::InvalidArgumentError("unknown value kind");
}

absl::StatusOr<std::string> InterpolatePlaceholders(
    absl::string_view sql, absl::Span<const Value> params,
    bool no_backslash_escapes) {
  std::string out;
  out.reserve(sql.size() + 16 * params.size());
  size_t placeholders = 0;
  bool in_executable = false;  // Inside /*! ... */ or /*M! ... */.
  size_t i = 0;
  // Copies sql[i, end) and moves past it.
  auto copy_to = [&](size_t end) {
    out.append(sql.data() + i, end - i);
    i = end;
  };
  while (i < sql.size()) {
    const char c = sql[i];

    if (c == '\'' || c == '"' || c == '`') {
      const bool backslash = c != '`' && !no_backslash_escapes;
      const size_t end = EndOfQuoted(sql, i, backslash);
      if (end == kNpos) {
        return absl::InvalidArgumentError(
            absl::StrCat("unterminated ", std::string(1, c), " at offset ", i));
      }
      if (c == '"' && backslash && EndOfQuoted(sql, i, false) != end) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"...\" with a backslash at offset ", i,
                         " ends elsewhere under ANSI_QUOTES; use '...'"));
      }
      if (in_executable && sql.substr(i, end - i).find("*/") != kNpos) {
        return absl::InvalidArgumentError(absl::StrCat(
            "\"*/\" inside quotes within an executable comment at offset ", i));
      }
      copy_to(end);
      continue;
    }

    absl::StatusOr<CommentSpan> comment = ScanComment(sql, i, in_executable);
    if (!comment.ok()) return comment.status();
    if (comment->kind != CommentKind::kNone) {
      if (comment->kind == CommentKind::kExecutableOpen) in_executable = true;
      if (comment->kind == CommentKind::kExecutableClose) in_executable = false;
      copy_to(comment->end);
      continue;
    }

    if (c != '?') {
      out.push_back(c);
      ++i;
      continue;
    }

    ++placeholders;
    ++i;
    if (placeholders > params.size()) continue;  // Reported after the scan.
    absl::StatusOr<std::string> literal =
        ValueToSqlLiteral(params[placeholders - 1], no_backslash_escapes);
    if (!literal.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parameter ", placeholders, ": ", literal.status().message()));
    }
    if (in_executable && literal->find("*/") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parameter ", placeholders,
          " contains \"*/\" and sits inside an executable comment"));
    }
    if (!out.empty() && MergesWithLiteral(out.back())) out.push_back(' ');
    out += *literal;
    if (i < sql.size() && MergesWithLiteral(sql[i])) out.push_back(' ');
  }
  if (in_executable) {
    return absl::InvalidArgumentError("unterminated executable comment");
  }
  if (placeholders != params.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("statement has ", placeholders, " placeholders, got ",
                     params.size(), " parameters"));
  }
  return out;
}

}  // namespace mysqlwire
