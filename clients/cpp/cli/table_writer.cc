#include "clients/cpp/cli/table_writer.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "clients/cpp/value_text.h"

namespace mysqlgw::client::cli {
namespace {

bool IsWide(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
         (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

}  // namespace

size_t DisplayCells(absl::string_view s) {
  size_t cells = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c >= 0x80 && c < 0xC0) len = 1;  // A stray continuation byte.
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    cells += IsWide(cp) ? 2 : 1;
    i += len;
  }
  return cells;
}

TableWriter::TableWriter(std::vector<v1::Column> columns, std::ostream* out, size_t sample_rows)
    : columns_(std::move(columns)), out_(out), sample_rows_(sample_rows) {
  widths_.resize(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    widths_[i] = columns_[i].name().size();
    if (widths_[i] < 4 && columns_[i].nullable()) widths_[i] = 4;
  }
}

void TableWriter::AddRow(const v1::Row& row) {
  std::vector<std::string> cells(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (static_cast<int>(i) < row.values_size()) {
      cells[i] = FormatValue(row.values(static_cast<int>(i)), columns_[i]);
    }
  }
  ++rows_;
  if (flushed_) {
    PrintCells(cells, /*header=*/false);
    return;
  }
  for (size_t i = 0; i < cells.size(); ++i) widths_[i] = std::max(widths_[i], cells[i].size());
  held_.push_back(std::move(cells));
  if (held_.size() >= sample_rows_) Flush();
}

void TableWriter::Flush() {
  flushed_ = true;
  std::vector<std::string> names;
  for (const v1::Column& c : columns_) names.push_back(c.name());
  PrintBorder();
  PrintCells(names, /*header=*/true);
  PrintBorder();
  for (const auto& cells : held_) PrintCells(cells, /*header=*/false);
  held_.clear();
  held_.shrink_to_fit();
}

void TableWriter::Finish() {
  if (rows_ == 0) return;
  if (!flushed_) Flush();
  PrintBorder();
}

void TableWriter::PrintBorder() {
  std::string line = "+";
  for (size_t w : widths_) line.append(w + 2, '-').push_back('+');
  *out_ << line << '\n';
}

void TableWriter::PrintCells(const std::vector<std::string>& cells, bool header) {
  std::string line = "|";
  for (size_t i = 0; i < cells.size(); ++i) {
    const size_t cells_used = DisplayCells(cells[i]);
    const size_t pad = widths_[i] > cells_used ? widths_[i] - cells_used : 0;
    line.push_back(' ');
    if (!header && IsNumericColumn(columns_[i])) {
      line.append(pad, ' ').append(cells[i]);
    } else {
      line.append(cells[i]).append(pad, ' ');
    }
    line.append(" |");
  }
  *out_ << line << '\n';
}

std::string FormatTable(const std::vector<v1::Column>& columns, const std::vector<v1::Row>& rows) {
  std::ostringstream out;
  TableWriter writer(columns, &out);
  for (const v1::Row& row : rows) writer.AddRow(row);
  writer.Finish();
  return out.str();
}

}  // namespace mysqlgw::client::cli
