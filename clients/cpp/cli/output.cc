#include "clients/cpp/cli/output.h"

#include "absl/strings/str_cat.h"
#include "clients/cpp/cli/json_text.h"
#include "clients/cpp/value_text.h"

namespace mysqlgw::client::cli {
namespace {

std::string Plural(uint64_t n, absl::string_view word) {
  return absl::StrCat(n, " ", word, n == 1 ? "" : "s");
}

}  // namespace

absl::StatusOr<Format> ParseFormat(absl::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "jsonl") return Format::kJsonl;
  if (name == "tsv") return Format::kTsv;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format '", name, "' (table, jsonl or tsv)"));
}

std::string TsvEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\0':
        out.append("\\0");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\\':
        out.append("\\\\");
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

ResultPrinter::ResultPrinter(Format format, std::ostream* out, size_t table_sample_rows)
    : format_(format), out_(out), table_sample_rows_(table_sample_rows) {}

void ResultPrinter::Separate() {
  if (format_ == Format::kTable && printed_any_) *out_ << '\n';
  printed_any_ = true;
}

void ResultPrinter::BeginResult(const std::vector<v1::Column>& columns) {
  Separate();
  columns_ = columns;
  rows_ = 0;
  switch (format_) {
    case Format::kTable:
      table_.emplace(columns_, out_, table_sample_rows_);
      break;
    case Format::kTsv: {
      std::string line;
      for (size_t i = 0; i < columns_.size(); ++i) {
        if (i > 0) line.push_back('\t');
        line.append(TsvEscape(columns_[i].name()));
      }
      *out_ << line << '\n';
      break;
    }
    case Format::kJsonl:
      break;
  }
}

void ResultPrinter::Row(const v1::Row& row) {
  ++rows_;
  switch (format_) {
    case Format::kTable:
      table_->AddRow(row);
      break;
    case Format::kJsonl:
      *out_ << JsonRow(columns_, row) << '\n';
      break;
    case Format::kTsv: {
      std::string line;
      for (int i = 0; i < row.values_size(); ++i) {
        if (i > 0) line.push_back('\t');
        const v1::Column& column =
            static_cast<size_t>(i) < columns_.size() ? columns_[i] : v1::Column::default_instance();
        line.append(TsvEscape(FormatValue(row.values(i), column)));
      }
      *out_ << line << '\n';
      break;
    }
  }
}

void ResultPrinter::EndResult() {
  if (format_ != Format::kTable) return;
  table_->Finish();
  table_.reset();
  if (rows_ == 0) {
    *out_ << "Empty set\n";
  } else {
    *out_ << Plural(rows_, "row") << " in set\n";
  }
}

void ResultPrinter::Outcome(const v1::StatementOutcome& outcome) {
  Separate();
  switch (format_) {
    case Format::kTable:
      *out_ << "Query OK, " << Plural(outcome.affected_rows(), "row") << " affected";
      if (outcome.warnings() > 0) *out_ << ", " << Plural(outcome.warnings(), "warning");
      *out_ << '\n';
      if (!outcome.info().empty()) *out_ << outcome.info() << '\n';
      if (outcome.last_insert_id() != 0) {
        *out_ << "Last insert id: " << outcome.last_insert_id() << '\n';
      }
      break;
    case Format::kJsonl:
      *out_ << JsonOutcome(outcome) << '\n';
      break;
    case Format::kTsv:
      *out_ << "affected_rows\tlast_insert_id\twarnings\tinfo\n"
            << outcome.affected_rows() << '\t' << outcome.last_insert_id() << '\t'
            << outcome.warnings() << '\t' << TsvEscape(outcome.info()) << '\n';
      break;
  }
}

void ResultPrinter::TransactionControl() {
  if (format_ != Format::kTable) return;
  Separate();
  *out_ << "Query OK, 0 rows affected\n";
}

void ResultPrinter::Print(const QueryResult& result) {
  for (const ResultSet& set : result.results) {
    if (!set.has_columns()) {
      Outcome(set.outcome);
      continue;
    }
    BeginResult(set.columns);
    for (const v1::Row& row : set.rows) Row(row);
    EndResult();
  }
}

}  // namespace mysqlgw::client::cli
