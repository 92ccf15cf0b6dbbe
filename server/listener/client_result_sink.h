// A statement's results on their way to a MySQL client: the ResultSink the
// listener hands to Gateway::RunInSession. Column definitions pass through
// from the backend; rows are written as text (COM_QUERY) or binary
// (COM_STMT_EXECUTE) rows, whatever protocol the backend used, since the
// sink receives typed values.
//
// The sink interface is synchronous but writing to the client awaits the
// socket, so results are queued and written on Flush: the executor flushes
// when WantsFlush says the queue passed kFlushBytes, so at most about that
// much of a result is held. Nothing reaches the client before the first
// Flush, so until then a retry may Rewind; afterwards it cannot.
#ifndef SERVER_LISTENER_CLIENT_RESULT_SINK_H_
#define SERVER_LISTENER_CLIENT_RESULT_SINK_H_

#include <cstdint>
#include <variant>
#include <vector>

#include "mysqlwire/server/server_connection.h"
#include "server/gateway/result_sink.h"

namespace mysqlgw {

class ClientResultSink : public ResultSink {
 public:
  enum class RowFormat { kText, kBinary };
  static constexpr uint64_t kFlushBytes = mysqlwire::ServerConnection::kFlushThreshold;

  ClientResultSink(mysqlwire::ServerConnection& conn, RowFormat format);

  absl::Status BeginResult(const std::vector<mysqlwire::ColumnDefinition>& columns) override;
  absl::Status AddRow(std::vector<mysqlwire::Value>& row) override;
  absl::Status EndResult(const mysqlwire::OkPacket& ok) override;
  bool WantsFlush() const override { return queued_bytes_ >= kFlushBytes; }
  boost::asio::awaitable<absl::Status> Flush() override;
  bool Rewind() override;

  // Ends the command: writes what is still queued, then an ERR for a failed
  // `status` (in place of the rest of a result, or after the results that
  // succeeded). Returns the client connection's status, not `status`.
  boost::asio::awaitable<absl::Status> Finish(const absl::Status& status);

  // Whether anything reached the client connection.
  bool written() const { return written_; }

 private:
  struct Begin {
    std::vector<mysqlwire::ColumnDefinition> columns;
  };
  struct Row {
    std::vector<mysqlwire::Value> values;
  };
  struct End {
    mysqlwire::OkPacket ok;
    bool has_columns = false;
  };
  using Item = std::variant<Begin, Row, End>;

  // Writes the queue to the connection's buffer.
  boost::asio::awaitable<absl::Status> Drain();
  boost::asio::awaitable<absl::Status> Write(Item& item);
  // What the client may be told: no session-state data (never negotiated),
  // and the session's flags when a synthetic result carries none.
  mysqlwire::OkPacket ForClient(const mysqlwire::OkPacket& ok) const;

  mysqlwire::ServerConnection& conn_;
  const RowFormat format_;
  const uint16_t base_flags_;
  std::vector<Item> queue_;
  uint64_t queued_bytes_ = 0;
  bool has_columns_ = false;  // The result being queued has columns.
  bool results_ = false;    // Some result was queued.
  bool written_ = false;
};

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_CLIENT_RESULT_SINK_H_
