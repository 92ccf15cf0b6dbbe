// Buffered query results and typed reads of values.
#ifndef CLIENTS_CPP_RESULT_H_
#define CLIENTS_CPP_RESULT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw::client {

namespace v1 = ::mysqlgw::v1;

// One result of a statement. A statement without rows (INSERT, SET, ...)
// has a result with no columns; its effect is in `outcome`.
struct ResultSet {
  std::vector<v1::Column> columns;
  std::vector<v1::Row> rows;
  v1::StatementOutcome outcome;

  bool has_columns() const { return !columns.empty(); }
  std::vector<std::string> ColumnNames() const;
  // The first column named `name` (exactly, as selected), or nullopt.
  std::optional<size_t> ColumnIndex(absl::string_view name) const;
  // Bounds-checked cell access: OutOfRange for a row or column index past
  // the end, NotFound for an unknown column name.
  absl::StatusOr<v1::Value> Get(size_t row, size_t column) const;
  absl::StatusOr<v1::Value> Get(size_t row, absl::string_view column) const;
};

// Every result of a Query, in order (several for a multi-statement text or
// a CALL). Most statements have exactly one; the accessors below read the
// first, and treat "no result" as an empty one.
struct QueryResult {
  std::vector<ResultSet> results;

  const ResultSet& first() const;
  const std::vector<v1::Column>& columns() const { return first().columns; }
  const std::vector<v1::Row>& rows() const { return first().rows; }
  const v1::StatementOutcome& outcome() const { return first().outcome; }
  // The first column of the first row; NotFound when there is no row.
  absl::StatusOr<v1::Value> Scalar() const;
};

// Takes the response apart (moving rows, not copying them).
QueryResult FromProto(v1::QueryResponse&& response);

// Typed reads. Each fails with InvalidArgument for NULL and for a kind that
// does not convert, and OutOfRange when the number does not fit.
bool IsNull(const v1::Value& value);
// int64, or a uint64 up to INT64_MAX.
absl::StatusOr<int64_t> AsInt64(const v1::Value& value);
// uint64, or a non-negative int64.
absl::StatusOr<uint64_t> AsUint64(const v1::Value& value);
// double, float, int64, uint64, or decimal text (rounded to the nearest
// double: use the text itself where exactness matters).
absl::StatusOr<double> AsDouble(const v1::Value& value);
// string, json and decimal text and the raw bytes of `bytes` as they are;
// other kinds as FormatValue renders them.
absl::StatusOr<std::string> AsString(const v1::Value& value);

}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_RESULT_H_
