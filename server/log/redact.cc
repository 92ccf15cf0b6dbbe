#include "server/log/redact.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mysqlgw {
namespace {

bool IsWordChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

bool IsQuote(char c) { return c == '\'' || c == '"' || c == '`'; }

// Whether `text` can hold anything RedactSecrets masks: most log lines
// cannot, and skip the scan.
bool MayHoldSecret(absl::string_view text) {
  static constexpr std::array<absl::string_view, 7> kTriggers = {
      "bearer", "://", "pass", "pwd", "secret", "token", "identified"};
  const std::string lower = absl::AsciiStrToLower(text);
  for (absl::string_view t : kTriggers) {
    if (absl::StrContains(lower, t)) return true;
  }
  return false;
}

// The word ending at the end of `out`, skipping trailing spaces and one
// closing quote ("password": ...), lower-cased.
std::string KeyBefore(const std::string& out) {
  size_t end = out.size();
  while (end > 0 && (out[end - 1] == ' ' || out[end - 1] == '\t')) --end;
  if (end > 0 && IsQuote(out[end - 1])) --end;
  size_t begin = end;
  while (begin > 0 && IsWordChar(out[begin - 1])) --begin;
  return absl::AsciiStrToLower(absl::string_view(out).substr(begin, end - begin));
}

bool IsSecretKey(absl::string_view key) {
  for (absl::string_view suffix : {"password", "passwd", "pwd", "secret", "token", "passphrase"}) {
    if (absl::EndsWith(key, suffix)) return true;
  }
  return false;
}

// Whether the word `word` (any case) starts at text[i] and is a whole word.
bool WordAt(absl::string_view text, size_t i, absl::string_view word) {
  if (i > 0 && IsWordChar(text[i - 1])) return false;
  if (text.size() - i < word.size()) return false;
  if (!absl::EqualsIgnoreCase(text.substr(i, word.size()), word)) return false;
  return i + word.size() == text.size() || !IsWordChar(text[i + word.size()]);
}

}  // namespace

std::string RedactSecrets(absl::string_view text) {
  if (!MayHoldSecret(text)) return std::string(text);
  std::string out;
  out.reserve(text.size());
  // After IDENTIFIED (or PASSWORD(), quoted strings are credentials up to
  // the end of the statement.
  bool mask_quoted = false;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (WordAt(text, i, "bearer") && i + 6 < text.size() &&
        (text[i + 6] == ' ' || text[i + 6] == '\t')) {
      absl::StrAppend(&out, text.substr(i, 6));
      i += 6;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) out.push_back(text[i++]);
      const size_t start = i;
      while (i < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[i])) &&
             text[i] != '"' && text[i] != '\'' && text[i] != ',') {
        ++i;
      }
      if (i > start) absl::StrAppend(&out, kRedacted);
      continue;
    }
    if (text.substr(i, 3) == "://") {
      absl::StrAppend(&out, "://");
      i += 3;
      size_t j = i;
      while (j < text.size() && text[j] != '@' && text[j] != '/' && text[j] != '?' &&
             text[j] != '#' && !IsQuote(text[j]) &&
             !absl::ascii_isspace(static_cast<unsigned char>(text[j]))) {
        ++j;
      }
      if (j < text.size() && text[j] == '@') {
        const absl::string_view userinfo = text.substr(i, j - i);
        const size_t colon = userinfo.find(':');
        if (colon != absl::string_view::npos) {
          absl::StrAppend(&out, userinfo.substr(0, colon + 1));
          absl::StrAppend(&out, kRedacted);
          out.push_back('@');
          i = j + 1;
        }
      }
      continue;
    }
    if (WordAt(text, i, "identified")) mask_quoted = true;
    if (WordAt(text, i, "password")) {
      size_t j = i + 8;
      while (j < text.size() && text[j] == ' ') ++j;
      if (j < text.size() && text[j] == '(') mask_quoted = true;
    }
    if (c == ';') mask_quoted = false;
    if (mask_quoted && (c == '\'' || c == '"')) {
      const size_t close = text.find(c, i + 1);
      out.push_back(c);
      absl::StrAppend(&out, kRedacted);
      if (close == absl::string_view::npos) return out;
      out.push_back(c);
      i = close + 1;
      continue;
    }
    if ((c == '=' || c == ':') && IsSecretKey(KeyBefore(out))) {
      out.push_back(c);
      ++i;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) out.push_back(text[i++]);
      if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
        const char q = text[i];
        const size_t close = text.find(q, i + 1);
        out.push_back(q);
        absl::StrAppend(&out, kRedacted);
        if (close == absl::string_view::npos) return out;
        out.push_back(q);
        i = close + 1;
        continue;
      }
      size_t end = i;
      while (end < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[end])) &&
             text[end] != '&' && text[end] != ',' && text[end] != ';' && text[end] != ')' &&
             text[end] != '}' && text[end] != ']') {
        ++end;
      }
      const absl::string_view value = text.substr(i, end - i);
      // MySQL's "(using password: YES)" says whether one was sent, no more.
      if (value.empty() || value == "YES" || value == "NO") continue;
      absl::StrAppend(&out, kRedacted);
      i = end;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string RedactErrorMessage(absl::string_view message) {
  std::string s = RedactSecrets(message);
  const size_t first = s.find_first_of("'\"");
  if (first == std::string::npos) return s;
  const size_t last = s.find_last_of("'\"");
  std::string out = s.substr(0, first + 1);
  out.push_back('?');
  if (last > first) absl::StrAppend(&out, s.substr(last));
  return out;
}

}  // namespace mysqlgw
