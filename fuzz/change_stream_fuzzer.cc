// libFuzzer target for what a change stream reads from outside the binlog's
// byte format: resume tokens from subscribers (server/binlog/resume_token.h,
// versions mgw1 and mgw2), DDL statements from QUERY events
// (server/binlog/ddl_parser.h), and the snapshot catch-up rule over row
// changes and keys (server/binlog/snapshot_keys.h: CatchUpFilter, KeyComparable,
// CompareKeys, KeyParameters, CopyStatement) on arbitrary v1 messages.
//
// Input: the LAST byte (FuzzedDataProvider takes integers from the end)
// selects the mode, bits 0-2:
//   0     the rest is a resume token as a subscriber sends it;
//   1     the rest is the body of an mgw2 token: the target adds the checksum
//         and the base64, so that the fields behind them get fuzzed;
//   2     the same for an mgw1 token;
//   3     DDL: bits 3-4 ANSI_QUOTES and NO_BACKSLASH_ESCAPES; a default
//         schema (random-length string), then the statement;
//   4-7   snapshot: tables done and remaining, a last key (bytes parsed as a
//         v1::Row), three keys, key column names, then row changes, each a
//         primary key (column indexes), a table and a v1::RowChange's bytes.
// Random-length strings end at a backslash followed by another byte (two
// backslashes are one backslash).
//
// Invariants: a decoded token encodes to one that decodes to the same
// point, and every cursor the gateway could hold encodes and decodes back;
// ParseDdl is deterministic, types come out lower case, and every table an
// understood statement names is in `touched`; CompareKeys is a total
// preorder (reflexive, antisymmetric, transitive); KeyParameters and
// CopyStatement agree on the number of placeholders, and CopyStatement's
// quoted names read back as the names given; Admit passes every change of a
// copied table untouched, none of an unknown table, rewrites only updates
// (to a delete without its after image or an insert without its before
// image), and changes nothing it refuses.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/message_differencer.h"
#include "mysqlgw/v1/binlog.pb.h"
#include "mysqlgw/v1/value.pb.h"
#include "server/binlog/ddl_parser.h"
#include "server/binlog/resume_token.h"
#include "server/binlog/snapshot_keys.h"
#include "server/sql/tokenizer.h"

namespace {

using google::protobuf::util::MessageDifferencer;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "change_stream_fuzzer invariant broken: %s\n", what);
  std::abort();
}
void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

// The token's checksum (resume_token.cc): FNV-1a 64 over the fields.
uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool SameTables(const std::vector<mysqlgw::TableName>& a, const std::vector<mysqlgw::TableName>& b) {
  return a == b;
}

bool SamePoint(const mysqlgw::ResumePoint& a, const mysqlgw::ResumePoint& b) {
  if (a.gtid_state != b.gtid_state || a.file != b.file || a.position != b.position ||
      a.snapshot.has_value() != b.snapshot.has_value()) {
    return false;
  }
  if (!a.snapshot.has_value()) return true;
  const mysqlgw::SnapshotCursor& x = *a.snapshot;
  const mysqlgw::SnapshotCursor& y = *b.snapshot;
  return SameTables(x.done, y.done) && SameTables(x.remaining, y.remaining) &&
         x.last_key == y.last_key && x.progress_rows == y.progress_rows;
}

void CheckCovers(const mysqlgw::SnapshotCursor& cursor) {
  mysqlgw::CatchUpFilter filter(cursor);
  for (const auto* list : {&cursor.done, &cursor.remaining}) {
    for (const mysqlgw::TableName& t : *list) {
      Check(filter.Covers(t.schema, t.table), "CatchUpFilter does not cover a cursor's table");
    }
  }
}

void CheckToken(const std::string& token) {
  absl::StatusOr<mysqlgw::ResumePoint> point = mysqlgw::DecodeResumeToken(token);
  if (!point.ok()) return;
  const std::string again = mysqlgw::EncodeResumeToken(*point);
  absl::StatusOr<mysqlgw::ResumePoint> decoded = mysqlgw::DecodeResumeToken(again);
  Check(decoded.ok(), "EncodeResumeToken(DecodeResumeToken(t)) does not decode");
  Check(SamePoint(*point, *decoded), "a re-encoded token decodes to another point");
  Check(mysqlgw::EncodeResumeToken(*decoded) == again, "EncodeResumeToken is not canonical");
  if (point->snapshot.has_value()) CheckCovers(*point->snapshot);
}

bool Lower(absl::string_view s) { return absl::AsciiStrToLower(s) == s; }

bool Touched(const mysqlgw::DdlStatement& d, const mysqlgw::QualifiedName& name) {
  for (const mysqlgw::QualifiedName& t : d.touched) {
    if (t == name) return true;
  }
  return false;
}

bool SameDdl(const mysqlgw::DdlStatement& a, const mysqlgw::DdlStatement& b) {
  if (a.kind != b.kind || a.understood != b.understood || !(a.table == b.table) ||
      a.touched.size() != b.touched.size() || a.columns.size() != b.columns.size() ||
      a.actions.size() != b.actions.size() || a.primary_key != b.primary_key ||
      a.renames.size() != b.renames.size() || a.schema != b.schema) {
    return false;
  }
  for (size_t i = 0; i < a.touched.size(); ++i) {
    if (!(a.touched[i] == b.touched[i])) return false;
  }
  for (size_t i = 0; i < a.columns.size(); ++i) {
    if (a.columns[i].name != b.columns[i].name || a.columns[i].type != b.columns[i].type) {
      return false;
    }
  }
  return true;
}

void CheckDdl(uint8_t mode, FuzzedDataProvider& in) {
  uint64_t sql_mode = 0;
  if (mode & 0x08) sql_mode |= uint64_t{1} << 2;   // ANSI_QUOTES
  if (mode & 0x10) sql_mode |= uint64_t{1} << 21;  // NO_BACKSLASH_ESCAPES
  const mysqlgw::DdlParseOptions options = mysqlgw::DdlOptionsFromSqlMode(sql_mode);
  Check(options.ansi_quotes == ((mode & 0x08) != 0) &&
            options.no_backslash_escapes == ((mode & 0x10) != 0),
        "DdlOptionsFromSqlMode");
  const std::string schema = in.ConsumeRandomLengthString(64);
  const std::string sql = in.ConsumeRemainingBytesAsString();
  const mysqlgw::DdlStatement d = mysqlgw::ParseDdl(schema, sql, options);
  Check(SameDdl(d, mysqlgw::ParseDdl(schema, sql, options)), "ParseDdl is not deterministic");

  using Kind = mysqlgw::DdlStatement::Kind;
  if (d.kind == Kind::kNotTableDdl) {
    Check(d.touched.empty(), "a statement that is no table DDL touches tables");
  }
  for (const mysqlgw::ColumnSpec& c : d.columns) {
    Check(Lower(c.type), "a column type is not lower case");
  }
  for (const mysqlgw::AlterAction& a : d.actions) {
    Check(Lower(a.spec.type), "an ALTER column type is not lower case");
  }
  if (!d.understood) return;
  switch (d.kind) {
    case Kind::kCreateTable:
    case Kind::kAlterTable:
      Check(Touched(d, d.table), "CREATE/ALTER TABLE: its table is not in touched");
      for (const mysqlgw::AlterAction& a : d.actions) {
        if (a.kind == mysqlgw::AlterAction::Kind::kRenameTable) {
          Check(Touched(d, a.new_name), "ALTER TABLE RENAME: the new name is not in touched");
        }
      }
      break;
    case Kind::kRenameTables:
      Check(!d.renames.empty(), "RENAME TABLE understood without renames");
      for (const auto& [from, to] : d.renames) {
        Check(Touched(d, from) && Touched(d, to), "RENAME TABLE: a name is not in touched");
      }
      break;
    case Kind::kDropTables:
      Check(!d.touched.empty(), "DROP TABLE understood without tables");
      break;
    default:
      break;
  }
}

// Names for tables: short, so that changes hit them often.
mysqlgw::TableName ReadTable(FuzzedDataProvider& in) {
  mysqlgw::TableName t;
  t.schema = in.ConsumeRandomLengthString(12);
  t.table = in.ConsumeRandomLengthString(12);
  return t;
}

std::vector<mysqlgw::TableName> ReadTables(FuzzedDataProvider& in) {
  std::vector<mysqlgw::TableName> out(in.ConsumeIntegralInRange<size_t>(0, 3));
  for (auto& t : out) t = ReadTable(in);
  return out;
}

mysqlgw::v1::Row ReadRow(FuzzedDataProvider& in) {
  mysqlgw::v1::Row row;
  (void)row.ParseFromString(in.ConsumeRandomLengthString(256));
  return row;
}

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

void CheckKeys(const mysqlgw::v1::Row& a, const mysqlgw::v1::Row& b, const mysqlgw::v1::Row& c) {
  for (const auto* k : {&a, &b, &c}) {
    Check(mysqlgw::CompareKeys(*k, *k) == 0, "CompareKeys(k, k) != 0");
    if (mysqlgw::KeyComparable(*k)) Check(k->values_size() > 0, "an empty key is comparable");
  }
  const int ab = mysqlgw::CompareKeys(a, b);
  const int bc = mysqlgw::CompareKeys(b, c);
  const int ac = mysqlgw::CompareKeys(a, c);
  Check(ab >= -1 && ab <= 1, "CompareKeys is not -1, 0 or 1");
  Check(Sign(mysqlgw::CompareKeys(b, a)) == -ab, "CompareKeys is not antisymmetric");
  if (ab <= 0 && bc <= 0) Check(ac <= 0, "CompareKeys is not transitive (<=)");
  if (ab < 0 && bc <= 0) Check(ac < 0, "CompareKeys is not transitive (<)");
  if (ab == 0 && bc == 0) Check(ac == 0, "CompareKeys equality is not transitive");
}

// CopyStatement's SQL, read back with the gateway's tokenizer.
void CheckCopyStatement(const mysqlgw::TableName& table, const std::vector<std::string>& columns,
                        const mysqlgw::v1::Row& key) {
  for (bool after_key : {false, true}) {
    const std::string sql = mysqlgw::CopyStatement(table, columns, after_key);
    size_t placeholders = 0;
    std::vector<std::string> names;
    for (const mysqlgw::Token& t : mysqlgw::Tokenize(sql)) {
      Check(!t.unterminated && t.kind != mysqlgw::TokenKind::kInvalid,
            "CopyStatement: a token is unterminated or invalid");
      if (t.kind == mysqlgw::TokenKind::kPlaceholder) ++placeholders;
      if (t.kind == mysqlgw::TokenKind::kQuotedIdentifier) {
        absl::string_view text = t.Text(sql);
        std::string name;
        for (size_t i = 1; i + 1 < text.size(); ++i) {
          name += text[i];
          if (text[i] == '`') ++i;  // `` is one backquote.
        }
        names.push_back(std::move(name));
      }
    }
    const size_t n = columns.size();
    const size_t expected_placeholders = after_key ? n * (n + 1) / 2 : 0;
    Check(placeholders == expected_placeholders, "CopyStatement: placeholder count");
    Check(names.size() >= 2 && names[0] == table.schema && names[1] == table.table,
          "CopyStatement: the table's quoted name does not read back");
    // Every later name is a key column.
    for (size_t i = 2; i < names.size(); ++i) {
      bool found = false;
      for (const std::string& c : columns) found = found || c == names[i];
      Check(found, "CopyStatement: a quoted name is no key column");
    }
  }
  absl::StatusOr<std::vector<mysqlwire::Value>> params = mysqlgw::KeyParameters(key);
  if (params.ok()) {
    const size_t n = static_cast<size_t>(key.values_size());
    Check(params->size() == n * (n + 1) / 2, "KeyParameters: count");
  }
}

bool Contains(const std::vector<mysqlgw::TableName>& list, const mysqlgw::TableName& t) {
  for (const mysqlgw::TableName& x : list) {
    if (x == t) return true;
  }
  return false;
}

void CheckSnapshot(FuzzedDataProvider& in) {
  mysqlgw::SnapshotCursor cursor;
  cursor.done = ReadTables(in);
  cursor.remaining = ReadTables(in);
  cursor.last_key = in.ConsumeRandomLengthString(256);
  cursor.progress_rows = in.ConsumeIntegral<uint32_t>();

  // Every cursor the gateway can hold goes through a token unchanged.
  bool encodable = cursor.remaining.size() > 0 || cursor.last_key.empty();
  for (const auto* list : {&cursor.done, &cursor.remaining}) {
    for (const mysqlgw::TableName& t : *list) encodable = encodable && !t.schema.empty() && !t.table.empty();
  }
  if (encodable) {
    mysqlgw::ResumePoint point;
    point.file = "mysql-bin.000001";
    point.position = 4;
    point.snapshot = cursor;
    absl::StatusOr<mysqlgw::ResumePoint> decoded =
        mysqlgw::DecodeResumeToken(mysqlgw::EncodeResumeToken(point));
    Check(decoded.ok() && SamePoint(point, *decoded), "a snapshot cursor's token does not decode back");
  }
  CheckCovers(cursor);

  const mysqlgw::v1::Row a = ReadRow(in);
  const mysqlgw::v1::Row b = ReadRow(in);
  const mysqlgw::v1::Row c = ReadRow(in);
  CheckKeys(a, b, c);
  std::vector<std::string> columns(in.ConsumeIntegralInRange<size_t>(0, 4));
  for (auto& col : columns) col = in.ConsumeRandomLengthString(12);
  CheckCopyStatement(cursor.remaining.empty() ? ReadTable(in) : cursor.remaining[0], columns, a);

  const mysqlgw::CatchUpFilter filter(cursor);
  std::vector<mysqlgw::TableName> tables = cursor.done;
  tables.insert(tables.end(), cursor.remaining.begin(), cursor.remaining.end());
  tables.push_back({"other", "table"});
  for (int n = 0; n < 64 && in.remaining_bytes() > 0; ++n) {
    google::protobuf::RepeatedField<uint32_t> primary_key;
    for (size_t k = in.ConsumeIntegralInRange<size_t>(0, 3); k > 0; --k) {
      primary_key.Add(in.ConsumeIntegralInRange<uint32_t>(0, 7));
    }
    const mysqlgw::TableName& t = tables[in.ConsumeIntegralInRange<size_t>(0, tables.size() - 1)];
    mysqlgw::v1::RowChange change;
    if (!change.ParseFromString(in.ConsumeRandomLengthString(512))) continue;
    const mysqlgw::v1::RowChange original = change;
    absl::StatusOr<bool> admitted = filter.Admit(t.schema, t.table, primary_key, &change);
    if (Contains(cursor.done, t)) {
      Check(admitted.ok() && *admitted, "a change of a copied table is not admitted");
    }
    if (!filter.Covers(t.schema, t.table)) {
      Check(admitted.ok() && !*admitted, "a change of a table outside the snapshot is admitted");
    }
    if (!admitted.ok() || !*admitted || MessageDifferencer::Equals(change, original)) {
      Check(MessageDifferencer::Equals(change, original), "a refused change was modified");
      continue;
    }
    Check(original.kind() == mysqlgw::v1::CHANGE_KIND_UPDATE, "Admit rewrote a change that is no update");
    if (change.kind() == mysqlgw::v1::CHANGE_KIND_DELETE) {
      Check(!change.has_after() && change.has_before(), "an update turned delete keeps its after image");
    } else {
      Check(change.kind() == mysqlgw::v1::CHANGE_KIND_INSERT && !change.has_before() &&
                change.has_after(),
            "an update is rewritten to something other than a delete or an insert");
    }
  }
}

}  // namespace

// Protobuf logs every string field with invalid UTF-8 it parses; the
// inputs are full of them.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 64 * 1024) return 0;
  FuzzedDataProvider in(data, size);
  const uint8_t mode = in.ConsumeIntegral<uint8_t>();
  switch (mode & 7) {
    case 0:
      CheckToken(in.ConsumeRemainingBytesAsString());
      break;
    case 1: {
      const std::string body = in.ConsumeRemainingBytesAsString();
      CheckToken(absl::StrCat("mgw2.", absl::WebSafeBase64Escape(
                                           absl::StrCat(body, "\n", Fnv1a(body)))));
      break;
    }
    case 2:
      CheckToken(absl::StrCat("mgw1.", absl::WebSafeBase64Escape(in.ConsumeRemainingBytesAsString())));
      break;
    case 3:
      CheckDdl(mode, in);
      break;
    default:
      CheckSnapshot(in);
      break;
  }
  return 0;
}
