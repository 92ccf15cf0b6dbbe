#include "server/gateway/result_sink.h"

#include "absl/strings/str_cat.h"
#include "server/convert/value_convert.h"

namespace mysqlgw {

boost::asio::awaitable<absl::Status> ResultSink::Flush() { co_return absl::OkStatus(); }

void OutcomeToProto(const mysqlwire::OkPacket& ok, v1::StatementOutcome* out) {
  out->set_affected_rows(ok.affected_rows);
  out->set_last_insert_id(ok.last_insert_id);
  out->set_warnings(ok.warnings);
  out->set_server_status(ok.status_flags);
  out->set_info(ok.info);
}

absl::Status BufferedSink::BeginResult(
    const std::vector<mysqlwire::ColumnDefinition>& columns) {
  current_ = response_->add_results();
  columns_ = columns;
  for (const auto& c : columns) ColumnToProto(c, current_->add_columns());
  return absl::OkStatus();
}

absl::Status BufferedSink::AddRow(std::vector<mysqlwire::Value>& row) {
  if (++rows_ > max_rows_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "result exceeds max_rows (", max_rows_,
        "); raise the limit or use StreamQuery"));
  }
  v1::Row* out = current_->add_rows();
  for (size_t i = 0; i < row.size(); ++i) {
    ToProto(std::move(row[i]), columns_[i], out->add_values());
  }
  bytes_ += out->ByteSizeLong();
  if (bytes_ > max_bytes_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "result exceeds max_bytes (", max_bytes_,
        "); raise the limit or use StreamQuery"));
  }
  return absl::OkStatus();
}

bool BufferedSink::Rewind() {
  response_->Clear();
  current_ = nullptr;
  rows_ = bytes_ = 0;
  return true;
}

absl::Status BufferedSink::EndResult(const mysqlwire::OkPacket& ok) {
  if (current_ == nullptr) current_ = response_->add_results();
  OutcomeToProto(ok, current_->mutable_outcome());
  current_ = nullptr;
  return absl::OkStatus();
}

}  // namespace mysqlgw
