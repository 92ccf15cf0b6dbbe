// Change streams: the gateway's StreamBinlog call (docs/cdc.md) as an
// iterator of typed events (change_events.h).
//
//   ChangesOptions options;
//   options.resume_token = LoadToken();            // empty: from now on
//   options.include_tables = {"shop.orders"};
//   absl::StatusOr<ChangeStream> stream = db.Changes(options);
//   if (!stream.ok()) return stream.status();
//   while (stream->Next()) {
//     if (const auto* row = std::get_if<RowChange>(&stream->event())) {
//       Apply(row->kind, *row->After("id"), ...);
//     } else if (std::holds_alternative<TransactionCommit>(stream->event())) {
//       StoreWithEffects(stream->last_resume_token());  // exactly once
//     }
//   }
//   return stream->status();   // OK at the end of an until_now stream
//
// Errors of the request itself (a malformed token, purged binlogs, missing
// permission) come from the gateway when the stream starts, so they end the
// first Next(), with status() mapped as every call of this library maps
// errors (errors.h: the gRPC code, the database's error as payload).
#ifndef CLIENTS_CPP_CHANGES_H_
#define CLIENTS_CPP_CHANGES_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "clients/cpp/change_events.h"

namespace mysqlgw::client {

namespace internal {
class Caller;
}  // namespace internal

// A running StreamBinlog call. Holds one response (a batch of events) at a
// time. Move-only; used from one thread, except Cancel(), which any thread
// may call while another is blocked in Next().
class ChangeStream {
 public:
  ChangeStream(ChangeStream&& other) noexcept;
  ChangeStream& operator=(ChangeStream&& other) noexcept;
  ChangeStream(const ChangeStream&) = delete;
  ChangeStream& operator=(const ChangeStream&) = delete;
  // Cancels the call if it still runs.
  ~ChangeStream();

  // Moves to the next event. False at the end: the end of an until_now
  // stream or Cancel() (status() OK), or an error (status() says which).
  bool Next();
  // The current event (after Next() returned true); may be moved from.
  const ChangeEvent& event() const;
  ChangeEvent& event();
  // OK while the stream runs and after a clean end.
  absl::Status status() const;
  bool done() const;

  // The resume token of the last TransactionCommit, or SnapshotProgress
  // with a token, that Next() delivered (empty before the first): store it
  // with the effects of the events up to it and resume from it.
  const std::string& last_resume_token() const;
  // The last StreamStatus the gateway sent (delivered or not).
  const std::optional<StreamStatus>& last_status() const;
  // Every table announced so far, by the stream's table_ref.
  const absl::flat_hash_map<uint32_t, std::shared_ptr<const TableSchema>>& tables() const;

  // Cancels the call: a Next() blocked in another thread returns false, and
  // status() stays OK. Thread-safe; idempotent; a no-op after the end.
  void Cancel();

 private:
  friend class Client;
  struct State;
  ChangeStream(std::shared_ptr<const internal::Caller> caller, const v1::StreamBinlogRequest& request,
               const ChangesOptions& options);
  std::unique_ptr<State> state_;
};

}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_CHANGES_H_
