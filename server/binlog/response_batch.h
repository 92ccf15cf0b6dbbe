// The StreamBinlog response being filled, and its hand-over to the
// subscriber. It lives on an arena: its thousands of small messages are
// freed at once after it is sent, not one by one.
#ifndef SERVER_BINLOG_RESPONSE_BATCH_H_
#define SERVER_BINLOG_RESPONSE_BATCH_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "boost/asio/awaitable.hpp"
#include "google/protobuf/arena.h"
#include "mysqlgw/v1/binlog.pb.h"
#include "server/binlog/batch_progress.h"
#include "server/binlog/stream_registry.h"

namespace mysqlgw {

class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  // Sends one serialized StreamBinlogResponse; completes when the transport
  // has taken it.
  virtual boost::asio::awaitable<absl::Status> Write(const std::string& response) = 0;
};

class ResponseBatch {
 public:
  ResponseBatch() { Renew(); }
  v1::StreamBinlogResponse& message() { return *message_; }
  int events() const { return message_->events_size(); }
  uint64_t bytes() const { return bytes_; }
  // Accounts for the events added since index `first`.
  void Account(int first) {
    for (int i = first; i < message_->events_size(); ++i) {
      bytes_ += message_->events(i).ByteSizeLong();
    }
  }
  // Binlog bytes read from the server for the events in this batch.
  void AddBinlogBytes(uint64_t n) { binlog_bytes_ += n; }
  // Where to report each batch sent (/statusz); may be null.
  void set_progress(StreamHandle* progress) { progress_ = progress; }
  boost::asio::awaitable<absl::Status> Flush(ChangeSink& sink) {
    if (message_->events_size() == 0) co_return absl::OkStatus();
    serialized_.clear();
    message_->SerializeToString(&serialized_);
    StreamProgress progress;
    if (progress_ != nullptr) {
      progress = SummarizeBatch(*message_, serialized_.size());
      progress.binlog_bytes = binlog_bytes_;
    }
    binlog_bytes_ = 0;
    Renew();
    absl::Status s = co_await sink.Write(serialized_);
    if (s.ok() && progress_ != nullptr) progress_->Sent(progress);
    co_return s;
  }

 private:
  void Renew() {
    arena_.Reset();
    message_ = google::protobuf::Arena::CreateMessage<v1::StreamBinlogResponse>(&arena_);
    bytes_ = 0;
  }

  google::protobuf::Arena arena_;
  v1::StreamBinlogResponse* message_ = nullptr;
  uint64_t bytes_ = 0;
  uint64_t binlog_bytes_ = 0;
  std::string serialized_;
  StreamHandle* progress_ = nullptr;
};

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_RESPONSE_BATCH_H_
