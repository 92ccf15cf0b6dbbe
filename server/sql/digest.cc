// PLACEHOLDER until the tokenizer-based digest lands: hashes the raw text.
#include "server/sql/digest.h"

#include "absl/strings/str_format.h"

namespace mysqlgw {

StatementDigest DigestStatement(absl::string_view sql, const DigestOptions&) {
  StatementDigest d;
  d.text = std::string(sql);
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : sql) h = (h ^ c) * 0x100000001b3ull;
  d.hash = h;
  return d;
}

std::string DigestHex(uint64_t hash) { return absl::StrFormat("%016x", hash); }

}  // namespace mysqlgw
