#include "server/binlog/resume_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mysqlgw {
namespace {

// Version prefixes: a later format can change everything after them.
// mgw1: a binlog position; mgw2: a position inside a snapshot.
constexpr absl::string_view kPrefix = "mgw1.";
constexpr absl::string_view kSnapshotPrefix = "mgw2.";

uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool Plain(absl::string_view s) {
  for (char c : s) {
    if (c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

std::string EncodeResumeToken(const ResumePoint& point) {
  // Fields one per line: gtid state, file, position.
  std::string fields = absl::StrCat(point.gtid_state, "\n", point.file, "\n", point.position);
  if (!point.snapshot.has_value()) {
    return absl::StrCat(kPrefix, absl::WebSafeBase64Escape(fields));
  }
  // Then: progress rows, the done tables, the remaining tables, the last
  // key. Names and the key are escaped (they may hold any byte).
  const SnapshotCursor& c = *point.snapshot;
  absl::StrAppend(&fields, "\n", c.progress_rows, "\n", c.done.size());
  for (const TableName& t : c.done) {
    absl::StrAppend(&fields, "\n", absl::WebSafeBase64Escape(t.schema), "\n",
                    absl::WebSafeBase64Escape(t.table));
  }
  absl::StrAppend(&fields, "\n", c.remaining.size());
  for (const TableName& t : c.remaining) {
    absl::StrAppend(&fields, "\n", absl::WebSafeBase64Escape(t.schema), "\n",
                    absl::WebSafeBase64Escape(t.table));
  }
  absl::StrAppend(&fields, "\n", absl::WebSafeBase64Escape(c.last_key));
  // A checksum, so that a token cut short is refused instead of read as a
  // different (valid-looking) point.
  absl::StrAppend(&fields, "\n", Fnv1a(fields));
  return absl::StrCat(kSnapshotPrefix, absl::WebSafeBase64Escape(fields));
}

namespace {

// Reads `count` (schema, table) pairs starting at fields[*i].
bool ReadTables(const std::vector<std::string>& fields, size_t* i, size_t count,
                std::vector<TableName>* out) {
  if (count > fields.size()) return false;
  for (size_t k = 0; k < count; ++k) {
    if (*i + 2 > fields.size()) return false;
    TableName t;
    if (!absl::WebSafeBase64Unescape(fields[*i], &t.schema) ||
        !absl::WebSafeBase64Unescape(fields[*i + 1], &t.table) || t.schema.empty() ||
        t.table.empty()) {
      return false;
    }
    *i += 2;
    out->push_back(std::move(t));
  }
  return true;
}

}  // namespace

absl::StatusOr<ResumePoint> DecodeResumeToken(absl::string_view token) {
  const absl::Status bad = absl::InvalidArgumentError("resume_token is not a mysqlgw resume token");
  const bool snapshot = absl::ConsumePrefix(&token, kSnapshotPrefix);
  if (!snapshot && !absl::ConsumePrefix(&token, kPrefix)) return bad;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad;
  if (snapshot) {
    const size_t last = raw.rfind('\n');
    uint64_t sum = 0;
    if (last == std::string::npos || !absl::SimpleAtoi(absl::string_view(raw).substr(last + 1), &sum) ||
        sum != Fnv1a(absl::string_view(raw).substr(0, last))) {
      return bad;
    }
    raw.resize(last);
  }
  std::vector<std::string> fields = absl::StrSplit(raw, '\n');
  if (fields.size() < 3 || (!snapshot && fields.size() != 3)) return bad;
  ResumePoint point;
  point.gtid_state = fields[0];
  point.file = fields[1];
  if (!absl::SimpleAtoi(fields[2], &point.position)) return bad;
  if (!Plain(point.gtid_state) || !Plain(point.file)) return bad;
  if (point.gtid_state.empty() && point.file.empty()) return bad;
  if (snapshot) {
    SnapshotCursor c;
    size_t i = 3;
    size_t count = 0;
    if (fields.size() < 6 || !absl::SimpleAtoi(fields[i++], &c.progress_rows) ||
        !absl::SimpleAtoi(fields[i++], &count) || !ReadTables(fields, &i, count, &c.done) ||
        i >= fields.size() || !absl::SimpleAtoi(fields[i++], &count) ||
        !ReadTables(fields, &i, count, &c.remaining) || i + 1 != fields.size() ||
        !absl::WebSafeBase64Unescape(fields[i], &c.last_key)) {
      return bad;
    }
    if (c.remaining.empty() && !c.last_key.empty()) return bad;
    point.snapshot = std::move(c);
  }
  return point;
}

}  // namespace mysqlgw
