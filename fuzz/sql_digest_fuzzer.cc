// libFuzzer target for the SQL tokenizer and statement digests. The whole
// input is SQL; every sql_mode combination is tried. Built and run by
// scripts/fuzz.
//
// Invariants checked:
//  - tokens are non-empty, inside the input, in order and non-overlapping,
//    and there are at most as many as bytes;
//  - SplitStatements returns non-empty, ordered pieces of the input;
//  - the digest is deterministic, its hash is FNV-1a 64 of its text, and its
//    text, read back by the tokenizer, holds no literal, comment or
//    executable-comment marker: nothing of a string literal survives;
//  - every table found has a non-empty name.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "server/sql/digest.h"
#include "server/sql/tokenizer.h"

namespace {

void CheckTokens(absl::string_view sql, const mysqlgw::TokenizerOptions& options) {
  mysqlgw::Tokenizer tokenizer(sql, options);
  mysqlgw::Token t;
  size_t last_end = 0;
  size_t count = 0;
  while (tokenizer.Next(t)) {
    if (t.begin < last_end || t.end <= t.begin || t.end > sql.size()) __builtin_trap();
    if (++count > sql.size()) __builtin_trap();
    if (t.kind == mysqlgw::TokenKind::kSemicolon && t.Text(sql) != ";") __builtin_trap();
    last_end = t.end;
  }
  const char* last = sql.data();
  for (absl::string_view s : mysqlgw::SplitStatements(sql, options)) {
    if (s.empty() || s.data() < last || s.data() + s.size() > sql.data() + sql.size()) {
      __builtin_trap();
    }
    last = s.data() + s.size();
  }
}

void CheckDigest(absl::string_view sql, const mysqlgw::DigestOptions& options) {
  const mysqlgw::StatementDigest d = mysqlgw::DigestStatement(sql, options);
  const mysqlgw::StatementDigest again = mysqlgw::DigestStatement(sql, options);
  if (d.text != again.text || d.hash != again.hash || d.tables != again.tables) __builtin_trap();
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : d.text) h = (h ^ c) * 0x100000001b3ull;
  if (h != d.hash || mysqlgw::DigestHex(d.hash).size() != 16) __builtin_trap();
  for (const mysqlgw::TableName& t : d.tables) {
    if (t.name.empty()) __builtin_trap();
  }

  mysqlgw::TokenizerOptions read_back;
  read_back.no_backslash_escapes = options.no_backslash_escapes;
  read_back.ansi_quotes = options.ansi_quotes;
  for (const mysqlgw::Token& t : mysqlgw::Tokenize(d.text, read_back)) {
    if (t.IsLiteral() || t.IsTrivia() || t.kind == mysqlgw::TokenKind::kInvalid) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view sql(reinterpret_cast<const char*>(data), size);
  for (int mode = 0; mode < 8; ++mode) {
    mysqlgw::TokenizerOptions options;
    options.no_backslash_escapes = (mode & 1) != 0;
    options.ansi_quotes = (mode & 2) != 0;
    options.executable_comments_are_sql = (mode & 4) != 0;
    CheckTokens(sql, options);
    if (mode < 4) {
      mysqlgw::DigestOptions digest_options;
      digest_options.no_backslash_escapes = options.no_backslash_escapes;
      digest_options.ansi_quotes = options.ansi_quotes;
      CheckDigest(sql, digest_options);
    }
  }
  return 0;
}
