// Printing results for mysqlgw-cli in its three formats.
//
//   table   mysql -t style tables (table_writer.h), then "N rows in set" /
//           "Empty set"; a statement without rows prints "Query OK, N rows
//           affected[, W warnings]", its info line if any ("Records: 3
//           Duplicates: 0  Warnings: 0") and "Last insert id: N" if not 0.
//           Results are separated by a blank line.
//   jsonl   one JSON object per row (json_text.h); a statement without rows
//           prints {"affected_rows":..,"last_insert_id":..,"warnings":..,
//           "info":".."}.
//   tsv     a header line of column names, then one line per row, values
//           tab-separated and escaped as mysql --batch does (\0 \t \n \\;
//           NULL as NULL); a statement without rows prints the header
//           "affected_rows\tlast_insert_id\twarnings\tinfo" and one line.
// No format prints timings, so output is reproducible.
#ifndef CLIENTS_CPP_CLI_OUTPUT_H_
#define CLIENTS_CPP_CLI_OUTPUT_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cpp/cli/table_writer.h"
#include "clients/cpp/result.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw::client::cli {

enum class Format { kTable, kJsonl, kTsv };
absl::StatusOr<Format> ParseFormat(absl::string_view name);

// mysql --batch escaping of one value's text.
std::string TsvEscape(absl::string_view text);

class ResultPrinter {
 public:
  // table_sample_rows: see TableWriter (bounded for streams).
  ResultPrinter(Format format, std::ostream* out,
                size_t table_sample_rows = std::numeric_limits<size_t>::max());

  // A result with columns: BeginResult, Row..., EndResult.
  void BeginResult(const std::vector<v1::Column>& columns);
  void Row(const v1::Row& row);
  void EndResult();
  // A statement without rows.
  void Outcome(const v1::StatementOutcome& outcome);
  // A BEGIN / COMMIT / ROLLBACK of a script: "Query OK, 0 rows affected" in
  // table format (as mysql prints), nothing in the others.
  void TransactionControl();
  // Every result of a buffered query.
  void Print(const QueryResult& result);

 private:
  void Separate();

  Format format_;
  std::ostream* out_;
  size_t table_sample_rows_;
  bool printed_any_ = false;
  std::vector<v1::Column> columns_;
  std::optional<TableWriter> table_;
  uint64_t rows_ = 0;
};

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_OUTPUT_H_
