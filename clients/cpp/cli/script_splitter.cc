#include "clients/cpp/cli/script_splitter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace mysqlgw::client::cli {
namespace {

bool IsWordChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;  // UTF-8 identifiers.
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// "-- " starts a comment only when a blank, a control character or the end
// follows (MySQL's rule: "1--1" is arithmetic).
bool IsDashComment(absl::string_view s, size_t i) {
  return s.substr(i, 2) == "--" &&
         (i + 2 == s.size() || static_cast<unsigned char>(s[i + 2]) <= ' ');
}

size_t EndOfLine(absl::string_view s, size_t i) {
  size_t nl = s.find('\n', i);
  return nl == absl::string_view::npos ? s.size() : nl;
}

// Whether a ';' just before s[i] ends its line: only blanks and comments
// (not /*! executable ones) follow on it. If so, returns where that line
// ends (its '\n' or the end) and adds the newlines of any /* comment */
// crossed to *line; else npos.
size_t TerminatorLineEnd(absl::string_view s, size_t i, int* line) {
  int newlines = 0;
  while (true) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    if (s.substr(i, 2) != "/*" || s.substr(i, 3) == "/*!" || s.substr(i, 4) == "/*M!") break;
    const size_t close = s.find("*/", i + 2);
    if (close == absl::string_view::npos) return absl::string_view::npos;
    newlines += static_cast<int>(std::count(s.begin() + i, s.begin() + close, '\n'));
    i = close + 2;
  }
  if (i == s.size() || s[i] == '\n' || s[i] == '#' || IsDashComment(s, i)) {
    *line += newlines;
    return EndOfLine(s, i);
  }
  return absl::string_view::npos;
}

// Compound-statement (BEGIN ... END) tracking for one statement.
class BlockDepth {
 public:
  void Word(const std::string& upper) {
    if (words_ < 8) ++words_;
    if (words_ == 1) first_ = upper;
    if (!compound_) {
      if (first_ == "CREATE" && words_ <= 6 &&
          (upper == "PROCEDURE" || upper == "FUNCTION" || upper == "TRIGGER" || upper == "EVENT" ||
           upper == "PACKAGE")) {
        compound_ = true;
      } else if (first_ == "BEGIN" && words_ == 2 && upper == "NOT") {
        compound_ = true;  // BEGIN NOT ATOMIC: the BEGIN opened a block.
        depth_ = 1;
      }
      return;
    }
    if (pending_end_) {
      pending_end_ = false;
      if (upper == "IF" || upper == "LOOP" || upper == "WHILE" || upper == "REPEAT" ||
          upper == "FOR") {
        return;  // Their openers are not counted.
      }
      Close();
      if (upper == "CASE") return;  // END CASE closes the CASE statement.
    }
    if (upper == "BEGIN" || upper == "CASE") {
      ++depth_;
    } else if (upper == "END") {
      pending_end_ = true;  // What it closes depends on the next word.
    }
  }
  // Anything that is not a word settles a pending END.
  void Other() {
    if (pending_end_) {
      pending_end_ = false;
      Close();
    }
  }
  int depth() const { return depth_; }

 private:
  void Close() { depth_ = std::max(0, depth_ - 1); }

  int words_ = 0;
  std::string first_;
  bool compound_ = false;
  bool pending_end_ = false;
  int depth_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<ScriptStatement>> SplitScript(absl::string_view s) {
  std::vector<ScriptStatement> out;
  const size_t n = s.size();
  size_t i = 0;
  int line = 1;
  size_t start = absl::string_view::npos;  // First character of the statement.
  int start_line = 0;
  BlockDepth block;

  auto mark = [&](size_t pos) {
    if (start == absl::string_view::npos) {
      start = pos;
      start_line = line;
    }
  };
  auto finish = [&](size_t end) {
    if (start != absl::string_view::npos) {
      out.push_back({std::string(absl::StripTrailingAsciiWhitespace(s.substr(start, end - start))),
                     start_line});
    }
    start = absl::string_view::npos;
    block = BlockDepth();
  };

  while (i < n) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (IsBlank(c)) {
      ++i;
    } else if (c == '#' || IsDashComment(s, i)) {
      i = EndOfLine(s, i);
    } else if (s.substr(i, 2) == "/*") {
      const bool executable = s.substr(i, 3) == "/*!" || s.substr(i, 4) == "/*M!";
      if (executable) {
        block.Other();
        mark(i);
      }
      const size_t close = s.find("*/", i + 2);
      if (close == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("line ", line, ": unterminated /* comment"));
      }
      line += static_cast<int>(std::count(s.begin() + i, s.begin() + close, '\n'));
      i = close + 2;
    } else if (c == '\'' || c == '"' || c == '`') {
      block.Other();
      mark(i);
      const int quote_line = line;
      size_t j = i + 1;
      for (; j < n; ++j) {
        if (s[j] == '\n') ++line;
        if (s[j] == '\\' && c != '`' && j + 1 < n) {
          if (s[j + 1] == '\n') ++line;
          ++j;
        } else if (s[j] == c) {
          break;  // A doubled quote reopens at once as the next token.
        }
      }
      if (j >= n) {
        return absl::InvalidArgumentError(absl::StrCat("line ", quote_line, ": unterminated ",
                                                       c == '`' ? "identifier" : "string",
                                                       " (opened by ", std::string(1, c), ")"));
      }
      i = j + 1;
    } else if (c == ';') {
      block.Other();
      const size_t line_end =
          block.depth() == 0 ? TerminatorLineEnd(s, i + 1, &line) : absl::string_view::npos;
      if (line_end != absl::string_view::npos) {
        finish(i);
        i = line_end;  // A comment after the ';' belongs to no statement.
      } else {
        ++i;  // Part of the statement (or an empty one, ignored).
      }
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < n && IsWordChar(s[j])) ++j;
      std::string upper = absl::AsciiStrToUpper(s.substr(i, j - i));
      if (start == absl::string_view::npos && upper == "DELIMITER") {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", line,
            ": DELIMITER is a mysql CLI command, not SQL; it is not needed here (a ';' "
            "inside BEGIN ... END of a stored program does not end the statement)"));
      }
      mark(i);
      block.Word(upper);
      i = j;
    } else {
      block.Other();
      mark(i);
      ++i;
    }
  }
  finish(n);
  return out;
}

TransactionControl ClassifyTransactionControl(absl::string_view sql) {
  std::vector<std::string> words;
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++i;
    } else if (c == '#' || IsDashComment(sql, i)) {
      i = EndOfLine(sql, i);
    } else if (sql.substr(i, 2) == "/*" && sql.substr(i, 3) != "/*!") {
      const size_t close = sql.find("*/", i + 2);
      i = close == absl::string_view::npos ? n : close + 2;
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < n && IsWordChar(sql[j])) ++j;
      words.push_back(absl::AsciiStrToUpper(sql.substr(i, j - i)));
      i = j;
    } else {
      return {};  // Punctuation: not a bare transaction statement.
    }
  }
  const size_t count = words.size();
  if (count == 0) return {};
  const bool work = count == 2 && words[1] == "WORK";
  if (words[0] == "BEGIN" && (count == 1 || work)) return {TransactionControl::kBegin, false};
  if (words[0] == "COMMIT" && (count == 1 || work)) return {TransactionControl::kCommit, false};
  if (words[0] == "ROLLBACK" && (count == 1 || work)) {
    return {TransactionControl::kRollback, false};
  }
  if (count >= 2 && words[0] == "START" && words[1] == "TRANSACTION") {
    TransactionControl control{TransactionControl::kBegin, false};
    for (size_t k = 2; k + 1 < count; ++k) {
      if (words[k] == "READ" && words[k + 1] == "ONLY") control.read_only = true;
    }
    return control;
  }
  return {};
}

}  // namespace mysqlgw::client::cli
