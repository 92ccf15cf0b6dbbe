#include "server/binlog/snapshot_keys.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/sql/identifier.h"
#include "server/convert/value_convert.h"

namespace mysqlgw {

namespace {

bool SameTable(const TableName& t, const std::string& schema, const std::string& table) {
  return t.schema == schema && t.table == table;
}

// The key of a row image: its primary key columns' values.
bool KeyOf(const v1::RowImage& image, const google::protobuf::RepeatedField<uint32_t>& primary_key,
           v1::Row* key) {
  if (image.values_size() == 0 || primary_key.empty()) return false;
  for (uint32_t i : primary_key) {
    if (static_cast<int>(i) >= image.values_size()) return false;
    for (uint32_t a : image.absent()) {
      if (a == i) return false;
    }
    *key->add_values() = image.values(static_cast<int>(i));
  }
  return true;
}

}  // namespace

std::string CopyStatement(const TableName& table, const std::vector<std::string>& key_columns,
                          bool after_key) {
  std::vector<std::string> quoted;
  for (const std::string& c : key_columns) quoted.push_back(QuoteIdentifier(c));
  std::string sql = absl::StrCat("SELECT * FROM ", QuoteIdentifier(table.schema), ".",
                                 QuoteIdentifier(table.table));
  if (after_key && !quoted.empty()) {
    // (a > ?) OR (a = ? AND b > ?) OR ...: the expanded form of
    // (a, b) > (?, ?), which every server version can serve from the key.
    std::vector<std::string> terms;
    for (size_t i = 0; i < quoted.size(); ++i) {
      std::vector<std::string> parts;
      for (size_t j = 0; j < i; ++j) parts.push_back(absl::StrCat(quoted[j], " = ?"));
      parts.push_back(absl::StrCat(quoted[i], " > ?"));
      terms.push_back(absl::StrCat("(", absl::StrJoin(parts, " AND "), ")"));
    }
    absl::StrAppend(&sql, " WHERE ", absl::StrJoin(terms, " OR "));
  }
  if (!quoted.empty()) absl::StrAppend(&sql, " ORDER BY ", absl::StrJoin(quoted, ", "));
  return sql;
}

absl::StatusOr<std::vector<mysqlwire::Value>> KeyParameters(const v1::Row& key) {
  std::vector<mysqlwire::Value> values;
  for (const v1::Value& v : key.values()) {
    absl::StatusOr<mysqlwire::Value> converted = FromProto(v);
    if (!converted.ok()) return converted.status();
    values.push_back(*std::move(converted));
  }
  // Term i of CopyStatement's condition uses values 0..i.
  std::vector<mysqlwire::Value> params;
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j <= i; ++j) params.push_back(values[j]);
  }
  return params;
}

bool KeyComparable(const v1::Row& key) {
  if (key.values_size() == 0) return false;
  return std::all_of(key.values().begin(), key.values().end(), [](const v1::Value& v) {
    return v.kind_case() == v1::Value::kInt64 || v.kind_case() == v1::Value::kUint64 ||
           v.kind_case() == v1::Value::kBytes;
  });
}

int CompareKeys(const v1::Row& a, const v1::Row& b) {
  const int n = std::min(a.values_size(), b.values_size());
  for (int i = 0; i < n; ++i) {
    const v1::Value& x = a.values(i);
    const v1::Value& y = b.values(i);
    int c = 0;
    if (x.kind_case() == v1::Value::kInt64 && y.kind_case() == v1::Value::kInt64) {
      c = x.int64() < y.int64() ? -1 : (x.int64() > y.int64() ? 1 : 0);
    } else if (x.kind_case() == v1::Value::kUint64 && y.kind_case() == v1::Value::kUint64) {
      c = x.uint64() < y.uint64() ? -1 : (x.uint64() > y.uint64() ? 1 : 0);
    } else if (x.kind_case() == v1::Value::kBytes && y.kind_case() == v1::Value::kBytes) {
      c = x.bytes().compare(y.bytes());
      c = c < 0 ? -1 : (c > 0 ? 1 : 0);
    } else {
      // Mixed kinds within one column (a signed value that does not fit,
      // or a NULL): order by kind so the comparison stays total.
      c = x.kind_case() < y.kind_case() ? -1 : (x.kind_case() > y.kind_case() ? 1 : 0);
    }
    if (c != 0) return c;
  }
  return a.values_size() < b.values_size() ? -1 : (a.values_size() > b.values_size() ? 1 : 0);
}

CatchUpFilter::CatchUpFilter(const SnapshotCursor& cursor)
    : done_(cursor.done), remaining_(cursor.remaining) {
  partial_ = !remaining_.empty() && !cursor.last_key.empty() &&
             key_.ParseFromString(cursor.last_key) && KeyComparable(key_);
}

bool CatchUpFilter::Covers(const std::string& schema, const std::string& table) const {
  auto match = [&](const TableName& t) { return SameTable(t, schema, table); };
  return std::any_of(done_.begin(), done_.end(), match) ||
         std::any_of(remaining_.begin(), remaining_.end(), match);
}

absl::StatusOr<bool> CatchUpFilter::Admit(const std::string& schema, const std::string& table,
                                          const google::protobuf::RepeatedField<uint32_t>& primary_key,
                                          v1::RowChange* change) const {
  for (const TableName& t : done_) {
    if (SameTable(t, schema, table)) return true;
  }
  if (!partial_ || !SameTable(remaining_[0], schema, table)) return false;
  if (primary_key.size() != key_.values_size()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot resume the snapshot of ", schema, ".", table,
        ": the binlog does not name its primary key columns (binlog_row_metadata=FULL is "
        "needed to resume a table's copy; start a new snapshot instead)"));
  }
  v1::Row before_key, after_key;
  const bool has_before = change->has_before() && KeyOf(change->before(), primary_key, &before_key);
  const bool has_after = change->has_after() && KeyOf(change->after(), primary_key, &after_key);
  const bool before_in = has_before && CompareKeys(before_key, key_) <= 0;
  const bool after_in = has_after && CompareKeys(after_key, key_) <= 0;
  switch (change->kind()) {
    case v1::CHANGE_KIND_INSERT:
      return after_in;
    case v1::CHANGE_KIND_DELETE:
      return before_in;
    case v1::CHANGE_KIND_UPDATE:
      if (!has_before) return after_in;  // Before-images omitted: the key did not move.
      if (before_in && after_in) return true;
      if (before_in) {  // The row leaves the delivered range.
        change->set_kind(v1::CHANGE_KIND_DELETE);
        change->clear_after();
        return true;
      }
      if (after_in) {  // The row enters it.
        change->set_kind(v1::CHANGE_KIND_INSERT);
        change->clear_before();
        return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace mysqlgw
