#include "server/gateway/stream_chunker.h"

#include "server/convert/value_convert.h"
#include "server/gateway/result_sink.h"

namespace mysqlgw {
namespace {

// Protobuf wire format: a length-delimited field is its key
// (field_number << 3 | 2) followed by a varint length and the bytes.
void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

constexpr char kRowsField = (1 << 3) | 2;         // StreamQueryResponse.Rows.rows
constexpr char kRowsChunkField = (2 << 3) | 2;    // StreamQueryResponse.rows

}  // namespace

void StreamChunker::PushMessage(const v1::StreamQueryResponse& message) {
  std::string bytes = message.SerializeAsString();
  ready_bytes_ += bytes.size();
  ready_.push_back(std::move(bytes));
}

void StreamChunker::BeginResult(const std::vector<mysqlwire::ColumnDefinition>& columns) {
  columns_ = columns;
  rows_in_result_ = 0;
  v1::StreamQueryResponse message;
  auto* header = message.mutable_header();
  header->set_result_index(result_index_);
  for (const auto& c : columns) ColumnToProto(c, header->add_columns());
  PushMessage(message);
}

void StreamChunker::AddRow(std::vector<mysqlwire::Value>& row) {
  scratch_.Clear();
  for (size_t i = 0; i < row.size(); ++i) {
    ToProto(std::move(row[i]), columns_[i], scratch_.add_values());
  }
  const size_t size = scratch_.ByteSizeLong();
  rows_.push_back(kRowsField);
  AppendVarint(size, &rows_);
  const size_t at = rows_.size();
  rows_.resize(at + size);
  scratch_.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(rows_.data() + at));
  ++rows_in_result_;
  if (rows_.size() >= chunk_bytes_) CloseRowsChunk();
}

void StreamChunker::CloseRowsChunk() {
  if (rows_.empty()) return;
  std::string message;
  message.reserve(rows_.size() + 6);
  message.push_back(kRowsChunkField);
  AppendVarint(rows_.size(), &message);
  message.append(rows_);
  rows_.clear();
  ready_bytes_ += message.size();
  ready_.push_back(std::move(message));
}

void StreamChunker::EndResult(const mysqlwire::OkPacket& ok) {
  CloseRowsChunk();
  v1::StreamQueryResponse message;
  auto* footer = message.mutable_footer();
  footer->set_result_index(result_index_++);
  footer->set_row_count(rows_in_result_);
  OutcomeToProto(ok, footer->mutable_outcome());
  PushMessage(message);
}

std::string StreamChunker::TakeMessage() {
  std::string message = std::move(ready_.front());
  ready_.pop_front();
  ready_bytes_ -= message.size();
  return message;
}

void StreamChunker::Clear() {
  ready_.clear();
  ready_bytes_ = 0;
  rows_.clear();
  result_index_ = 0;
  rows_in_result_ = 0;
}

}  // namespace mysqlgw
