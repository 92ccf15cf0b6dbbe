// A sink in front of the call's own sink that measures what passes (rows,
// bytes, affected rows: read_query_result hooks and limits see them) and
// enforces limits a hook put on the statement (plan.max_rows, max_bytes),
// which apply on every call path, streaming included.
#ifndef SERVER_GATEWAY_OBSERVING_SINK_H_
#define SERVER_GATEWAY_OBSERVING_SINK_H_

#include <cstdint>
#include <limits>

#include "server/gateway/result_sink.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

class ObservingSink : public ResultSink {
 public:
  ObservingSink(ResultSink& inner, uint64_t max_rows, uint64_t max_bytes)
      : inner_(inner), max_rows_(max_rows), max_bytes_(max_bytes) {}

  absl::Status BeginResult(const std::vector<mysqlwire::ColumnDefinition>& columns) override;
  absl::Status AddRow(std::vector<mysqlwire::Value>& row) override;
  absl::Status EndResult(const mysqlwire::OkPacket& ok) override;
  bool WantsFlush() const override { return inner_.WantsFlush(); }
  boost::asio::awaitable<absl::Status> Flush() override { return inner_.Flush(); }
  bool Rewind() override;

  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t affected_rows() const { return affected_rows_; }

 private:
  ResultSink& inner_;
  uint64_t max_rows_;
  uint64_t max_bytes_;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
  uint64_t affected_rows_ = 0;
};

// The size a value takes on the wire in the text protocol, near enough for
// byte limits and rate limits.
uint64_t ApproximateWireBytes(const mysqlwire::Value& value);

// Feeds a hook's synthetic answer to `sink` as a result set of text
// columns, or as an OK without rows when it has no columns.
absl::Status WriteSyntheticResult(const SyntheticResultSet& result, ResultSink& sink);

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_OBSERVING_SINK_H_
