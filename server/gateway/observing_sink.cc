#include "server/gateway/observing_sink.h"

#include "absl/strings/str_cat.h"
#include "mysqlwire/protocol/column_type.h"

namespace mysqlgw {

uint64_t ApproximateWireBytes(const mysqlwire::Value& value) {
  using Kind = mysqlwire::Value::Kind;
  switch (value.kind()) {
    case Kind::kNull:
      return 1;
    case Kind::kString:
      return value.as_string().size() + 1;
    case Kind::kBytes:
      return value.as_bytes().size() + 1;
    case Kind::kDecimal:
      return value.as_decimal().size() + 1;
    case Kind::kDateTime:
      return 27;
    default:
      return 9;
  }
}

absl::Status ObservingSink::BeginResult(const std::vector<mysqlwire::ColumnDefinition>& columns) {
  return inner_.BeginResult(columns);
}

absl::Status ObservingSink::AddRow(std::vector<mysqlwire::Value>& row) {
  // ER_USER_LIMIT_REACHED: a limit the operator set, as for other limits.
  if (++rows_ > max_rows_) {
    return RejectionStatus(
        absl::StatusCode::kResourceExhausted, 1226, "42000",
        absl::StrCat("result exceeds the max_rows limit set by interception (", max_rows_,
                     " rows), from a rule's max_rows or the principal's max_rows_per_result"));
  }
  for (const mysqlwire::Value& v : row) bytes_ += ApproximateWireBytes(v);
  if (bytes_ > max_bytes_) {
    return RejectionStatus(
        absl::StatusCode::kResourceExhausted, 1226, "42000",
        absl::StrCat("result exceeds the max_bytes limit set by interception (", max_bytes_,
                     " bytes), from the principal's max_bytes_per_result"));
  }
  return inner_.AddRow(row);
}

absl::Status ObservingSink::EndResult(const mysqlwire::OkPacket& ok) {
  affected_rows_ += ok.affected_rows;
  return inner_.EndResult(ok);
}

bool ObservingSink::Rewind() {
  rows_ = bytes_ = affected_rows_ = 0;
  return inner_.Rewind();
}

absl::Status WriteSyntheticResult(const SyntheticResultSet& result, ResultSink& sink) {
  std::vector<mysqlwire::ColumnDefinition> columns;
  columns.reserve(result.columns.size());
  for (const std::string& name : result.columns) {
    mysqlwire::ColumnDefinition c;
    c.catalog = "def";
    c.name = c.org_name = name;
    c.type = mysqlwire::ColumnType::kVarString;
    c.character_set = 45;  // utf8mb4_general_ci
    c.column_length = 1024;
    columns.push_back(std::move(c));
  }
  if (!columns.empty()) {
    if (absl::Status s = sink.BeginResult(columns); !s.ok()) return s;
    for (const auto& row : result.rows) {
      std::vector<mysqlwire::Value> values;
      values.reserve(columns.size());
      for (size_t i = 0; i < columns.size(); ++i) {
        if (i < row.size() && row[i].has_value()) {
          values.push_back(mysqlwire::Value::String(*row[i]));
        } else {
          values.push_back(mysqlwire::Value::Null());
        }
      }
      if (absl::Status s = sink.AddRow(values); !s.ok()) return s;
    }
  }
  mysqlwire::OkPacket ok;
  ok.affected_rows = result.affected_rows;
  ok.last_insert_id = result.last_insert_id;
  ok.info = result.info;
  return sink.EndResult(ok);
}

}  // namespace mysqlgw
