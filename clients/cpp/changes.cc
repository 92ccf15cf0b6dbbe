#include "clients/cpp/changes.h"

#include <atomic>
#include <utility>

#include "clients/cpp/caller.h"
#include "clients/cpp/errors.h"
#include "grpcpp/client_context.h"

namespace mysqlgw::client {

struct ChangeStream::State {
  ~State() {
    if (!done) {
      // The sync API wants Finish() before the reader goes; cancelling
      // first makes the gateway stop reading the binlog for nobody.
      context.TryCancel();
      End(absl::OkStatus());
    }
  }

  // Reads the next response; false (and done) at the end of the call.
  bool ReadBatch() {
    if (reader->Read(&batch)) {
      pos = 0;
      return true;
    }
    const grpc::Status s = reader->Finish();
    done = true;
    // After Cancel() the call ends with CANCELLED (or whatever raced with
    // it): the caller asked for the end, so it is not an error.
    status = cancelled.load() ? absl::OkStatus() : FromGrpcStatus(s);
    return false;
  }

  // Ends a call that is still running (with `why` as the stream's status).
  void End(absl::Status why) {
    v1::StreamBinlogResponse rest;
    while (reader->Read(&rest)) {
    }
    (void)reader->Finish();
    done = true;
    status = std::move(why);
  }

  std::shared_ptr<const internal::Caller> caller;
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::StreamBinlogResponse>> reader;
  v1::StreamBinlogResponse batch;
  int pos = 0;
  internal::ChangeEventConverter converter;
  ChangeEvent event;
  absl::Status status;
  bool done = false;
  std::atomic<bool> cancelled{false};
  std::string last_token;
  std::optional<StreamStatus> last_status;
  std::function<void(const StreamStatus&)> on_status;
  bool status_events = false;
};

ChangeStream::ChangeStream(std::shared_ptr<const internal::Caller> caller,
                           const v1::StreamBinlogRequest& request, const ChangesOptions& options)
    : state_(std::make_unique<State>()) {
  state_->caller = std::move(caller);
  state_->on_status = options.on_status;
  state_->status_events = options.status_events;
  state_->reader = state_->caller->StreamBinlog(&state_->context, request, options.timeout);
}

ChangeStream::ChangeStream(ChangeStream&& other) noexcept = default;
ChangeStream& ChangeStream::operator=(ChangeStream&& other) noexcept = default;
ChangeStream::~ChangeStream() = default;

bool ChangeStream::Next() {
  if (state_ == nullptr || state_->done) return false;
  State& s = *state_;
  for (;;) {
    while (s.pos >= s.batch.events_size()) {
      if (!s.ReadBatch()) return false;
    }
    absl::StatusOr<std::optional<ChangeEvent>> converted =
        s.converter.Convert(*s.batch.mutable_events(s.pos++));
    if (!converted.ok()) {
      s.context.TryCancel();
      s.End(converted.status());
      return false;
    }
    if (!converted->has_value()) continue;
    ChangeEvent& out = **converted;
    if (const auto* commit = std::get_if<TransactionCommit>(&out)) {
      s.last_token = commit->resume_token;
    } else if (const auto* progress = std::get_if<SnapshotProgress>(&out)) {
      // CHUNK, TABLE_DONE and DONE mark a point to resume from, like a
      // commit; a CHUNK of a table without a key has no token.
      if (!progress->resume_token.empty()) s.last_token = progress->resume_token;
    } else if (const auto* status = std::get_if<StreamStatus>(&out)) {
      s.last_status = *status;
      if (s.on_status) s.on_status(*status);
      if (!s.status_events) continue;
    }
    s.event = std::move(out);
    return true;
  }
}

const ChangeEvent& ChangeStream::event() const { return state_->event; }
ChangeEvent& ChangeStream::event() { return state_->event; }

absl::Status ChangeStream::status() const {
  if (state_ == nullptr) return absl::FailedPreconditionError("the change stream was moved from");
  return state_->status;
}

bool ChangeStream::done() const { return state_ == nullptr || state_->done; }

const std::string& ChangeStream::last_resume_token() const { return state_->last_token; }

const std::optional<StreamStatus>& ChangeStream::last_status() const {
  return state_->last_status;
}

const absl::flat_hash_map<uint32_t, std::shared_ptr<const TableSchema>>& ChangeStream::tables()
    const {
  return state_->converter.tables();
}

void ChangeStream::Cancel() {
  if (state_ == nullptr) return;
  state_->cancelled.store(true);
  state_->context.TryCancel();
}

}  // namespace mysqlgw::client
