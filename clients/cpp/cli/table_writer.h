// Tables as the mysql/mariadb CLI draws them (`mysql -t`), byte for byte:
//
//   +----+-------+
//   | id | name  |
//   +----+-------+
//   |  1 | héllo |
//   +----+-------+
//
// Its rules, kept here so that output compares equal to it: a column is as
// wide as its longest name or value counted in bytes, and at least 4 ("NULL")
// when nullable; cells are padded by display cells (East Asian wide
// characters take two), so multi-byte text is aligned but may leave extra
// room, exactly as mysql does. Numeric columns (IsNumericColumn) are
// right-aligned. Values are rendered by FormatValue (bytes as 0x hex, as with
// --binary-as-hex); newlines and tabs inside values are printed as they are.
#ifndef CLIENTS_CPP_CLI_TABLE_WRITER_H_
#define CLIENTS_CPP_CLI_TABLE_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mysqlgw/v1/value.pb.h"

namespace mysqlgw::client::cli {

// Terminal cells of UTF-8 text: 2 for East Asian wide and full-width
// characters (the ranges of UTR #11 that mysql counts), 1 otherwise.
size_t DisplayCells(absl::string_view utf8);

class TableWriter {
 public:
  // Rows are held back until `sample_rows` of them have arrived (or Finish)
  // to size the columns. Later rows are printed as they come, so memory
  // stays bounded when streaming; a later cell wider than its column pushes
  // the rest of its line right. SIZE_MAX: size by every row (buffered).
  TableWriter(std::vector<v1::Column> columns, std::ostream* out,
              size_t sample_rows = std::numeric_limits<size_t>::max());

  void AddRow(const v1::Row& row);
  // Prints what is held and the bottom border. With no row, prints nothing
  // (mysql prints only "Empty set" then).
  void Finish();
  uint64_t rows() const { return rows_; }

 private:
  void Flush();
  void PrintBorder();
  void PrintCells(const std::vector<std::string>& cells, bool header);

  std::vector<v1::Column> columns_;
  std::ostream* out_;
  size_t sample_rows_;
  std::vector<size_t> widths_;
  std::vector<std::vector<std::string>> held_;
  bool flushed_ = false;
  uint64_t rows_ = 0;
};

// The whole table as a string (for buffered results and tests).
std::string FormatTable(const std::vector<v1::Column>& columns, const std::vector<v1::Row>& rows);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_TABLE_WRITER_H_
