#include "server/sql/digest.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/sql/digest_keywords.h"
#include "server/sql/digest_tables.h"
#include "server/sql/tokenizer.h"

namespace mysqlgw {
namespace {

using digest_internal::Keyword;
using digest_internal::Kw;
using digest_internal::LookupKeyword;
using digest_internal::TableFinder;

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

bool IsPunct(const Token& t, absl::string_view sql, char c) {
  return t.kind == TokenKind::kOperator && t.end - t.begin == 1 && sql[t.begin] == c;
}

bool IsSign(const Token& t, absl::string_view sql) {
  return IsPunct(t, sql, '-') || IsPunct(t, sql, '+');
}

const Keyword* KeywordOf(const Token& t, absl::string_view sql) {
  return t.kind == TokenKind::kWord ? LookupKeyword(t.Text(sql)) : nullptr;
}

// What the last piece of digest text means for the next one.
struct Prev {
  bool start = true;            // Nothing written for this statement yet.
  bool no_space_after = false;  // '(' '.' and the user@host '@'.
  bool glue_paren = false;      // A name or function: "f(" not "f (".
  bool sign_is_unary = true;    // A '-' next is a sign, not a subtraction.
  bool string_literal = false;  // 'a' 'b' is one literal.
  bool at_sign = false;         // The user@host '@': "@ @x" must stay apart.
};

class DigestWriter {
 public:
  DigestWriter(absl::string_view sql, const DigestOptions& options, StatementDigest& digest)
      : sql_(sql),
        tokenizer_(sql, {options.no_backslash_escapes, options.ansi_quotes, true}),
        out_(digest.text),
        tables_(sql, digest.tables) {}

  void Run() {
    Token t;
    Token last;
    last.end = static_cast<size_t>(-1);
    while (tokenizer_.NextSignificant(t)) {
      if (t.kind == TokenKind::kSemicolon) {
        tables_.EndStatement();
        prev_ = Prev();
        last = t;
        continue;
      }
      // After a qualifier dot a word is a name even if spelled like a
      // keyword (t.status, db.select).
      const bool qualified = IsPunct(last, sql_, '.') && last.end == t.begin;
      const Keyword* kw = qualified ? nullptr : KeywordOf(t, sql_);
      last = t;
      tables_.OnToken(t, kw);
      Write(t, kw);
    }
    tables_.EndStatement();
  }

 private:
  // Starts a piece: the statement separator or the space before it.
  void Begin(bool glue_left) {
    if (prev_.start) {
      if (!out_.empty()) out_.append("; ");
    } else if (!glue_left && !prev_.no_space_after) {
      out_.push_back(' ');
    }
  }

  void WritePiece(absl::string_view piece, bool glue_left, Prev next) {
    Begin(glue_left);
    out_.append(piece.data(), piece.size());
    next.start = false;
    prev_ = next;
  }

  void WriteValue() {
    Prev next;
    next.sign_is_unary = false;
    WritePiece("?", false, next);
  }

  void WriteIdentifier(const Token& t) {
    Begin(false);
    const absl::string_view text = t.Text(sql_);
    out_.push_back('`');
    if (t.kind == TokenKind::kWord) {
      out_.append(text.data(), text.size());
    } else {
      absl::string_view content = text.substr(1);
      if (!t.unterminated) content.remove_suffix(1);
      if (text[0] == '`') {
        out_.append(content.data(), content.size());
      } else {  // ANSI "a""b" is `a"b`.
        for (size_t i = 0; i < content.size(); ++i) {
          const char c = content[i];
          if (c == '"' && i + 1 < content.size() && content[i + 1] == '"') ++i;
          if (c == '`') out_.push_back('`');
          out_.push_back(c);
        }
      }
    }
    out_.push_back('`');
    Prev next;
    next.start = false;
    next.glue_paren = true;
    next.sign_is_unary = false;
    prev_ = next;
  }

  // The tokens from `from` (just after an opening '(') up to its closing
  // ')' are all values (literals, placeholders, signs, NULL, TRUE, FALSE,
  // DEFAULT, commas, nested parentheses). Leaves `from` after the ')'.
  bool SkipValueGroup(Tokenizer& from) const {
    int depth = 1;
    Token t;
    while (from.NextSignificant(t)) {
      if (t.IsLiteral() || t.kind == TokenKind::kPlaceholder || IsSign(t, sql_) ||
          IsPunct(t, sql_, ',')) {
        continue;
      }
      if (IsPunct(t, sql_, '(')) {
        ++depth;
        continue;
      }
      if (IsPunct(t, sql_, ')')) {
        if (--depth == 0) return true;
        continue;
      }
      const Keyword* kw = KeywordOf(t, sql_);
      if (kw != nullptr && (kw->id == Kw::kNull || kw->id == Kw::kTrue ||
                            kw->id == Kw::kFalse || kw->id == Kw::kDefault)) {
        continue;
      }
      return false;
    }
    return false;
  }

  // IN (?, ?) after IN; (?, ?), (?, ?) after VALUES. On success the
  // tokenizer has moved past the list.
  bool CollapseList(bool rows) {
    Tokenizer ahead = tokenizer_;
    Token t;
    if (!ahead.NextSignificant(t) || !IsPunct(t, sql_, '(') || !SkipValueGroup(ahead)) {
      return false;
    }
    while (rows) {
      Tokenizer more = ahead;
      if (!more.NextSignificant(t) || !IsPunct(t, sql_, ',')) break;
      if (!more.NextSignificant(t) || !IsPunct(t, sql_, '(') || !SkipValueGroup(more)) break;
      ahead = more;
    }
    tokenizer_ = ahead;
    return true;
  }

  // A '+' or '-' sign before a number belongs to the literal.
  bool SignOfLiteral() const {
    Tokenizer ahead = tokenizer_;
    Token t;
    while (ahead.NextSignificant(t)) {
      if (IsSign(t, sql_)) continue;
      return t.kind == TokenKind::kNumber || t.kind == TokenKind::kHexNumber ||
             t.kind == TokenKind::kBitNumber || t.kind == TokenKind::kPlaceholder;
    }
    return false;
  }

  void WriteKeyword(const Keyword& kw) {
    Prev next;
    next.glue_paren = kw.Has(digest_internal::kFunction);
    next.sign_is_unary = kw.Has(digest_internal::kReserved) && !kw.Has(digest_internal::kValue);
    WritePiece(kw.text, false, next);
    const bool in = kw.id == Kw::kIn;
    if (in || kw.id == Kw::kValues || kw.id == Kw::kValue) {
      if (CollapseList(!in)) {
        Prev after;
        after.sign_is_unary = false;
        WritePiece("(...)", false, after);
      }
    }
  }

  void WriteOperator(const Token& t) {
    const absl::string_view text = t.Text(sql_);
    Prev next;
    if (text.size() == 1) {
      switch (text[0]) {
        case '(':
          next.no_space_after = true;
          WritePiece(text, prev_.glue_paren, next);
          return;
        case ')':
          next.sign_is_unary = false;
          WritePiece(text, true, next);
          return;
        case ',':
          WritePiece(text, true, next);
          return;
        case '.':
          next.no_space_after = true;
          next.sign_is_unary = false;
          WritePiece(text, true, next);
          return;
        case '@':  // 'user'@'host'
          next.no_space_after = true;
          next.at_sign = true;
          WritePiece(text, true, next);
          return;
        case '-':
        case '+':
          if (prev_.sign_is_unary && SignOfLiteral()) return;
          break;
        default:
          break;
      }
    }
    WritePiece(text, false, next);
  }

  void Write(const Token& t, const Keyword* kw) {
    switch (t.kind) {
      case TokenKind::kWord:
        if (kw != nullptr) {
          WriteKeyword(*kw);
        } else {
          WriteIdentifier(t);
        }
        return;
      case TokenKind::kQuotedIdentifier:
        WriteIdentifier(t);
        return;
      case TokenKind::kString:
        if (prev_.string_literal) return;
        WriteValue();
        prev_.string_literal = true;
        return;
      case TokenKind::kNumber:
      case TokenKind::kHexNumber:
      case TokenKind::kBitNumber:
      case TokenKind::kPlaceholder:
        WriteValue();
        return;
      case TokenKind::kUserVariable:
      case TokenKind::kSystemVariable: {
        if (prev_.at_sign) prev_.no_space_after = false;
        Prev next;
        next.sign_is_unary = false;
        WritePiece(t.Text(sql_), false, next);
        return;
      }
      case TokenKind::kOperator:
        WriteOperator(t);
        return;
      case TokenKind::kInvalid: {
        static constexpr char kHex[] = "0123456789abcdef";
        const unsigned char c = sql_[t.begin];
        const char escaped[] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
        WritePiece(absl::string_view(escaped, 4), false, Prev());
        return;
      }
      case TokenKind::kSemicolon:
      case TokenKind::kComment:
      case TokenKind::kExecutableCommentBegin:
      case TokenKind::kExecutableCommentEnd:
        return;
    }
  }

  absl::string_view sql_;
  Tokenizer tokenizer_;
  std::string& out_;
  TableFinder tables_;
  Prev prev_;
};

}  // namespace

StatementDigest DigestStatement(absl::string_view sql, const DigestOptions& options) {
  StatementDigest digest;
  // Backquotes make names longer; collapsed lists make the text shorter.
  digest.text.reserve(sql.size() + sql.size() / 4 + 32);
  DigestWriter(sql, options, digest).Run();
  uint64_t h = kFnvOffset;
  for (unsigned char c : digest.text) h = (h ^ c) * kFnvPrime;
  digest.hash = h;
  return digest;
}

std::string DigestHex(uint64_t hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[hash & 15];
    hash >>= 4;
  }
  return out;
}

std::optional<uint64_t> ParseDigestHex(absl::string_view text) {
  if (text.size() != 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

}  // namespace mysqlgw
