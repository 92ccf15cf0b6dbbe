#include "server/listener/client_result_sink.h"

#include <utility>

#include "mysqlwire/protocol/capabilities.h"
#include "server/gateway/observing_sink.h"
#include "server/listener/mysql_error.h"

namespace mysqlgw {
namespace asio = boost::asio;

ClientResultSink::ClientResultSink(mysqlwire::ServerConnection& conn, RowFormat format)
    : conn_(conn),
      format_(format),
      base_flags_(conn.status_flags() & ~mysqlwire::kServerMoreResultsExists) {}

absl::Status ClientResultSink::BeginResult(
    const std::vector<mysqlwire::ColumnDefinition>& columns) {
  results_ = true;
  has_columns_ = !columns.empty();
  if (has_columns_) {
    queued_bytes_ += 64 * columns.size();
    queue_.emplace_back(Begin{columns});
  }
  return absl::OkStatus();
}

absl::Status ClientResultSink::AddRow(std::vector<mysqlwire::Value>& row) {
  uint64_t bytes = 4;
  for (const mysqlwire::Value& v : row) bytes += ApproximateWireBytes(v);
  queued_bytes_ += bytes;
  queue_.emplace_back(Row{std::move(row)});
  return absl::OkStatus();
}

absl::Status ClientResultSink::EndResult(const mysqlwire::OkPacket& ok) {
  queue_.emplace_back(End{ForClient(ok), has_columns_});
  has_columns_ = false;
  queued_bytes_ += 16;
  return absl::OkStatus();
}

mysqlwire::OkPacket ClientResultSink::ForClient(const mysqlwire::OkPacket& ok) const {
  mysqlwire::OkPacket out = ok;
  out.session_state.clear();
  out.status_flags &= ~mysqlwire::kServerSessionStateChanged;
  if (ok.status_flags == 0) out.status_flags = base_flags_;
  return out;
}

asio::awaitable<absl::Status> ClientResultSink::Write(Item& item) {
  if (Begin* begin = std::get_if<Begin>(&item)) {
    co_return co_await conn_.BeginResultSet(begin->columns);
  }
  if (Row* row = std::get_if<Row>(&item)) {
    if (format_ == RowFormat::kBinary) co_return co_await conn_.WriteBinaryRow(row->values);
    co_return co_await conn_.WriteTextRow(row->values);
  }
  End& end = std::get<End>(item);
  if (end.has_columns) co_return co_await conn_.EndResultSet(end.ok);
  co_return co_await conn_.WriteOk(end.ok);
}

asio::awaitable<absl::Status> ClientResultSink::Drain() {
  absl::Status status;
  for (Item& item : queue_) {
    written_ = true;
    status = co_await Write(item);
    if (!status.ok()) break;
  }
  queue_.clear();
  queued_bytes_ = 0;
  co_return status;
}

asio::awaitable<absl::Status> ClientResultSink::Flush() {
  if (absl::Status s = co_await Drain(); !s.ok()) co_return s;
  co_return co_await conn_.Flush();
}

bool ClientResultSink::Rewind() {
  if (written_) return false;
  queue_.clear();
  queued_bytes_ = 0;
  has_columns_ = false;
  results_ = false;
  return true;
}

asio::awaitable<absl::Status> ClientResultSink::Finish(const absl::Status& status) {
  if (absl::Status s = co_await Drain(); !s.ok()) co_return s;
  if (!status.ok()) {
    const mysqlwire::ServerError error = ToMySqlError(status);
    written_ = true;
    co_return co_await conn_.WriteErr(error);
  }
  if (!results_) {
    // Every statement answers something; a gateway path that produced no
    // result still owes the client an OK.
    mysqlwire::OkPacket ok;
    ok.status_flags = base_flags_;
    written_ = true;
    co_return co_await conn_.WriteOk(ok);
  }
  co_return absl::OkStatus();
}

}  // namespace mysqlgw
