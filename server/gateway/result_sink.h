// Where the rows of a running statement go. The executor reads results from
// the backend and hands them to a sink one at a time, so a sink decides how
// much is held in memory: BufferedSink builds a whole QueryResponse within
// max_rows / max_bytes; the streaming sink (in the gRPC layer) flushes
// chunks to the client as they fill; OutcomeSink keeps only the OK fields.
#ifndef SERVER_GATEWAY_RESULT_SINK_H_
#define SERVER_GATEWAY_RESULT_SINK_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "boost/asio/awaitable.hpp"
#include "mysqlgw/v1/gateway.pb.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/value.h"

namespace mysqlgw {

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // A new result begins; `columns` is empty for a statement without rows.
  virtual absl::Status BeginResult(const std::vector<mysqlwire::ColumnDefinition>& columns) = 0;
  // One row of the current result; the sink may take the values.
  virtual absl::Status AddRow(std::vector<mysqlwire::Value>& row) = 0;
  virtual absl::Status EndResult(const mysqlwire::OkPacket& ok) = 0;
  // Streaming sinks ask to be flushed when a chunk is full; the executor
  // stops reading from the backend until the flush completes (backpressure).
  virtual bool WantsFlush() const { return false; }
  virtual boost::asio::awaitable<absl::Status> Flush();
  // Forgets everything received so far, before a retry on another
  // connection. False when that is impossible because part of the result
  // already reached the client (a failed statement then cannot be retried
  // transparently).
  virtual bool Rewind() = 0;
};

void OutcomeToProto(const mysqlwire::OkPacket& ok, v1::StatementOutcome* out);

class BufferedSink : public ResultSink {
 public:
  BufferedSink(v1::QueryResponse* response, uint64_t max_rows, uint64_t max_bytes)
      : response_(response), max_rows_(max_rows), max_bytes_(max_bytes) {}
  absl::Status BeginResult(const std::vector<mysqlwire::ColumnDefinition>& columns) override;
  absl::Status AddRow(std::vector<mysqlwire::Value>& row) override;
  absl::Status EndResult(const mysqlwire::OkPacket& ok) override;
  bool Rewind() override;

 private:
  v1::QueryResponse* response_;
  v1::ResultSet* current_ = nullptr;
  std::vector<mysqlwire::ColumnDefinition> columns_;
  uint64_t max_rows_;
  uint64_t max_bytes_;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
};

// Keeps the outcome of the last result; rows are counted and dropped (an
// Execute of a statement that happens to return rows still succeeds).
class OutcomeSink : public ResultSink {
 public:
  explicit OutcomeSink(v1::StatementOutcome* outcome) : outcome_(outcome) {}
  absl::Status BeginResult(const std::vector<mysqlwire::ColumnDefinition>&) override {
    return absl::OkStatus();
  }
  absl::Status AddRow(std::vector<mysqlwire::Value>&) override {
    ++rows_;
    return absl::OkStatus();
  }
  absl::Status EndResult(const mysqlwire::OkPacket& ok) override {
    OutcomeToProto(ok, outcome_);
    return absl::OkStatus();
  }
  bool Rewind() override {
    outcome_->Clear();
    rows_ = 0;
    return true;
  }
  uint64_t rows() const { return rows_; }

 private:
  v1::StatementOutcome* outcome_;
  uint64_t rows_ = 0;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_RESULT_SINK_H_
