#include "clients/cpp/result.h"

#include <limits>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/cpp/value_text.h"

namespace mysqlgw::client {
namespace {

template <typename T>
std::vector<T> Take(google::protobuf::RepeatedPtrField<T>* field) {
  std::vector<T> out;
  out.reserve(field->size());
  // Moving a heap-allocated message swaps its internals: no copy of the data.
  for (T& item : *field) out.push_back(std::move(item));
  return out;
}

absl::Status WrongKind(const v1::Value& value, absl::string_view wanted) {
  if (IsNull(value)) return absl::InvalidArgumentError(absl::StrCat("NULL is not ", wanted));
  return absl::InvalidArgumentError(
      absl::StrCat("a ", v1::Value::descriptor()->FindFieldByNumber(value.kind_case())->name(),
                   " value is not ", wanted));
}

}  // namespace

std::vector<std::string> ResultSet::ColumnNames() const {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const v1::Column& c : columns) names.push_back(c.name());
  return names;
}

std::optional<size_t> ResultSet::ColumnIndex(absl::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name() == name) return i;
  }
  return std::nullopt;
}

absl::StatusOr<v1::Value> ResultSet::Get(size_t row, size_t column) const {
  if (row >= rows.size()) {
    return absl::OutOfRangeError(absl::StrCat("row ", row, " of ", rows.size()));
  }
  if (column >= static_cast<size_t>(rows[row].values_size())) {
    return absl::OutOfRangeError(absl::StrCat("column ", column, " of ", rows[row].values_size()));
  }
  return rows[row].values(static_cast<int>(column));
}

absl::StatusOr<v1::Value> ResultSet::Get(size_t row, absl::string_view column) const {
  std::optional<size_t> index = ColumnIndex(column);
  if (!index.has_value()) return absl::NotFoundError(absl::StrCat("no column named ", column));
  return Get(row, *index);
}

const ResultSet& QueryResult::first() const {
  static const ResultSet* const kEmpty = new ResultSet();
  return results.empty() ? *kEmpty : results.front();
}

absl::StatusOr<v1::Value> QueryResult::Scalar() const {
  if (rows().empty()) return absl::NotFoundError("the query returned no row");
  return first().Get(0, 0);
}

QueryResult FromProto(v1::QueryResponse&& response) {
  QueryResult out;
  out.results.reserve(response.results_size());
  for (v1::ResultSet& rs : *response.mutable_results()) {
    ResultSet& set = out.results.emplace_back();
    set.columns = Take(rs.mutable_columns());
    set.rows = Take(rs.mutable_rows());
    set.outcome = std::move(*rs.mutable_outcome());
  }
  return out;
}

bool IsNull(const v1::Value& value) {
  return value.kind_case() == v1::Value::kNull || value.kind_case() == v1::Value::KIND_NOT_SET;
}

absl::StatusOr<int64_t> AsInt64(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kInt64:
      return value.int64();
    case v1::Value::kUint64:
      if (value.uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return absl::OutOfRangeError(absl::StrCat(value.uint64(), " does not fit in int64"));
      }
      return static_cast<int64_t>(value.uint64());
    default:
      return WrongKind(value, "an integer");
  }
}

absl::StatusOr<uint64_t> AsUint64(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kUint64:
      return value.uint64();
    case v1::Value::kInt64:
      if (value.int64() < 0) {
        return absl::OutOfRangeError(absl::StrCat(value.int64(), " does not fit in uint64"));
      }
      return static_cast<uint64_t>(value.int64());
    default:
      return WrongKind(value, "an integer");
  }
}

absl::StatusOr<double> AsDouble(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kDouble:
      return value.double_();
    case v1::Value::kFloat:
      return static_cast<double>(value.float_());
    case v1::Value::kInt64:
      return static_cast<double>(value.int64());
    case v1::Value::kUint64:
      return static_cast<double>(value.uint64());
    case v1::Value::kDecimal: {
      double d = 0;
      if (!absl::SimpleAtod(value.decimal(), &d)) {
        return absl::InvalidArgumentError(absl::StrCat("bad decimal ", value.decimal()));
      }
      return d;
    }
    default:
      return WrongKind(value, "a number");
  }
}

absl::StatusOr<std::string> AsString(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kString:
      return value.string();
    case v1::Value::kJson:
      return value.json();
    case v1::Value::kDecimal:
      return value.decimal();
    case v1::Value::kBytes:
      return value.bytes();
    case v1::Value::kNull:
    case v1::Value::KIND_NOT_SET:
      return WrongKind(value, "a string");
    default:
      return FormatValue(value);
  }
}

}  // namespace mysqlgw::client
