// Builds StreamQuery's response messages already serialized. A chunk of rows
// then costs its wire size in memory while it waits for the client; the same
// rows as protobuf objects cost several times that (a Value message per
// cell), which with many concurrent streams dominates the gateway's memory.
#ifndef SERVER_GATEWAY_STREAM_CHUNKER_H_
#define SERVER_GATEWAY_STREAM_CHUNKER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "mysqlgw/v1/gateway.pb.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/value.h"

namespace mysqlgw {

class StreamChunker {
 public:
  // Rows are cut into messages of about `chunk_bytes` serialized bytes.
  explicit StreamChunker(size_t chunk_bytes) : chunk_bytes_(chunk_bytes) {}

  void BeginResult(const std::vector<mysqlwire::ColumnDefinition>& columns);
  // Converts and appends one row; the values may be moved from.
  void AddRow(std::vector<mysqlwire::Value>& row);
  void EndResult(const mysqlwire::OkPacket& ok);

  // Complete messages (serialized StreamQueryResponse) waiting to be sent.
  bool HasMessage() const { return !ready_.empty(); }
  std::string TakeMessage();
  // Bytes held: complete messages plus the rows chunk being built.
  size_t buffered_bytes() const { return ready_bytes_ + rows_.size(); }
  void Clear();

 private:
  void CloseRowsChunk();
  void PushMessage(const v1::StreamQueryResponse& message);

  const size_t chunk_bytes_;
  std::vector<mysqlwire::ColumnDefinition> columns_;
  uint32_t result_index_ = 0;
  uint64_t rows_in_result_ = 0;
  v1::Row scratch_;    // Reused for every row's conversion.
  std::string rows_;   // Serialized `repeated Row rows` of the open chunk.
  std::deque<std::string> ready_;
  size_t ready_bytes_ = 0;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_STREAM_CHUNKER_H_
