#include "clients/cpp/change_events.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mysqlgw::client {
namespace {

std::optional<absl::Time> TimeOf(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::optional<BinlogPosition> PositionOf(bool has, const v1::BinlogPosition& p) {
  if (!has) return std::nullopt;
  return BinlogPosition{p.file(), p.position()};
}

const v1::Value* ValueIn(const RowChange& change, const std::optional<RowImage>& image,
                         absl::string_view name) {
  if (!image.has_value()) return nullptr;
  std::optional<size_t> i = change.table->ColumnIndex(name);
  if (!i.has_value() || !image->Has(*i)) return nullptr;
  return &image->values[*i];
}

absl::Status ProtocolError(absl::string_view what) {
  return absl::InternalError(absl::StrCat("the gateway sent ", what));
}

absl::StatusOr<RowImage> ImageOf(const TableSchema& table, v1::RowImage& image) {
  if (static_cast<size_t>(image.values_size()) != table.columns.size()) {
    return ProtocolError(absl::StrCat("a row of ", table.schema, ".", table.table, " with ",
                                      image.values_size(), " values for ", table.columns.size(),
                                      " columns"));
  }
  RowImage out;
  out.values.reserve(image.values_size());
  for (v1::Value& v : *image.mutable_values()) out.values.push_back(std::move(v));
  out.present.assign(out.values.size(), true);
  for (uint32_t i : image.absent()) {
    if (i >= out.present.size()) {
      return ProtocolError(absl::StrCat("a row of ", table.schema, ".", table.table,
                                        " with absent column ", i, " of ",
                                        out.present.size()));
    }
    out.present[i] = false;
  }
  return out;
}

}  // namespace

absl::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kInsert:
      return "insert";
    case ChangeKind::kUpdate:
      return "update";
    case ChangeKind::kDelete:
      return "delete";
    case ChangeKind::kSnapshot:
      return "snapshot";
  }
  return "?";
}

absl::StatusOr<ChangeKind> ParseChangeKind(absl::string_view name) {
  if (name == "insert") return ChangeKind::kInsert;
  if (name == "update") return ChangeKind::kUpdate;
  if (name == "delete") return ChangeKind::kDelete;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown change kind '", name, "' (insert, update or delete)"));
}

absl::string_view SnapshotPhaseName(SnapshotPhase phase) {
  switch (phase) {
    case SnapshotPhase::kStarted:
      return "started";
    case SnapshotPhase::kTableStarted:
      return "table_started";
    case SnapshotPhase::kChunk:
      return "chunk";
    case SnapshotPhase::kTableDone:
      return "table_done";
    case SnapshotPhase::kDone:
      return "done";
  }
  return "?";
}

absl::string_view StreamStateName(StreamState state) {
  switch (state) {
    case StreamState::kReconnecting:
      return "reconnecting";
    case StreamState::kResumed:
      return "resumed";
  }
  return "?";
}

std::vector<std::string> TableSchema::ColumnNames() const {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const v1::Column& c : columns) names.push_back(c.name());
  return names;
}

std::vector<std::string> TableSchema::PrimaryKeyNames() const {
  std::vector<std::string> names;
  for (size_t i : primary_key) names.push_back(columns[i].name());
  return names;
}

std::optional<size_t> TableSchema::ColumnIndex(absl::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name() == name) return i;
  }
  return std::nullopt;
}

const v1::Value* RowChange::Before(absl::string_view name) const {
  return ValueIn(*this, before, name);
}

const v1::Value* RowChange::After(absl::string_view name) const {
  return ValueIn(*this, after, name);
}

std::vector<v1::Value> RowChange::Key() const {
  const std::optional<RowImage>& image = after.has_value() ? after : before;
  std::vector<v1::Value> key;
  for (size_t i : table->primary_key) {
    key.push_back(image.has_value() && image->Has(i) ? image->values[i] : v1::Value());
  }
  return key;
}

namespace internal {

absl::StatusOr<v1::StreamBinlogRequest> MakeStreamBinlogRequest(const ChangesOptions& o) {
  v1::StreamBinlogRequest req;
  std::vector<absl::string_view> starts;
  if (!o.resume_token.empty()) {
    starts.push_back("resume_token");
    req.set_resume_token(o.resume_token);
  }
  if (!o.gtid_set.empty()) {
    starts.push_back("gtid_set");
    req.set_gtid_set(o.gtid_set);
  }
  if (o.position.has_value()) {
    starts.push_back("position");
    req.mutable_position()->set_file(o.position->file);
    req.mutable_position()->set_position(o.position->position);
  }
  if (o.earliest) {
    starts.push_back("earliest");
    req.set_earliest(true);
  }
  if (o.snapshot_all && !o.snapshot_tables.empty()) {
    return absl::InvalidArgumentError("give snapshot_tables or snapshot_all, not both");
  }
  if (o.snapshot_all || !o.snapshot_tables.empty()) {
    starts.push_back("snapshot");
    v1::SnapshotOptions* snapshot = req.mutable_snapshot();
    for (const std::string& t : o.snapshot_tables) snapshot->add_tables(t);
    snapshot->set_progress_rows(o.progress_rows);
  } else if (o.progress_rows != 0) {
    return absl::InvalidArgumentError("progress_rows applies only to a snapshot start");
  }
  if (starts.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("give at most one starting point, not ", absl::StrJoin(starts, ", ")));
  }
  if (starts.empty()) req.set_now(true);
  req.set_mode(o.until_now ? v1::StreamBinlogRequest::MODE_UNTIL_NOW
                           : v1::StreamBinlogRequest::MODE_FOLLOW);
  v1::BinlogFilter* filter = req.mutable_filter();
  for (const std::string& t : o.include_tables) filter->add_include_tables(t);
  for (const std::string& t : o.exclude_tables) filter->add_exclude_tables(t);
  for (ChangeKind k : o.kinds) {
    switch (k) {
      case ChangeKind::kInsert:
        filter->add_kinds(v1::CHANGE_KIND_INSERT);
        break;
      case ChangeKind::kUpdate:
        filter->add_kinds(v1::CHANGE_KIND_UPDATE);
        break;
      case ChangeKind::kDelete:
        filter->add_kinds(v1::CHANGE_KIND_DELETE);
        break;
      case ChangeKind::kSnapshot:
        return absl::InvalidArgumentError(
            "kinds selects inserts, updates and deletes; snapshot rows come with a snapshot "
            "start");
    }
  }
  filter->set_include_ddl(o.include_ddl);
  req.set_omit_before_images(o.omit_before_images);
  req.set_max_batch_events(o.max_batch_events);
  req.set_max_batch_bytes(o.max_batch_bytes);
  if (o.heartbeat_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("heartbeat_interval must not be negative");
  }
  if (o.heartbeat_interval > absl::ZeroDuration()) {
    const int64_t nanos = absl::ToInt64Nanoseconds(o.heartbeat_interval);
    req.mutable_heartbeat_interval()->set_seconds(nanos / 1000000000);
    req.mutable_heartbeat_interval()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  }
  return req;
}

absl::StatusOr<std::optional<ChangeEvent>> ChangeEventConverter::Convert(v1::ChangeEvent& event) {
  switch (event.event_case()) {
    case v1::ChangeEvent::kTableSchema: {
      v1::TableSchema& t = *event.mutable_table_schema();
      auto table = std::make_shared<TableSchema>();
      table->table_ref = t.table_ref();
      table->schema = t.schema();
      table->table = t.table();
      table->columns.assign(t.columns().begin(), t.columns().end());
      for (uint32_t i : t.primary_key()) {
        if (i >= table->columns.size()) {
          return ProtocolError(absl::StrCat("table ", t.schema(), ".", t.table(),
                                            " with primary key column ", i, " of ",
                                            table->columns.size()));
        }
        table->primary_key.push_back(i);
      }
      // A later announcement of the same ref (the definition changed)
      // replaces it; rows delivered before keep the schema they had.
      tables_[t.table_ref()] = std::move(table);
      return std::nullopt;
    }
    case v1::ChangeEvent::kRow: {
      v1::RowChange& r = *event.mutable_row();
      auto it = tables_.find(r.table_ref());
      if (it == tables_.end()) {
        return ProtocolError(
            absl::StrCat("a row change of table_ref ", r.table_ref(), " before its table schema"));
      }
      RowChange change;
      change.table = it->second;
      switch (r.kind()) {
        case v1::CHANGE_KIND_INSERT:
          change.kind = ChangeKind::kInsert;
          break;
        case v1::CHANGE_KIND_UPDATE:
          change.kind = ChangeKind::kUpdate;
          break;
        case v1::CHANGE_KIND_DELETE:
          change.kind = ChangeKind::kDelete;
          break;
        case v1::CHANGE_KIND_SNAPSHOT:
          change.kind = ChangeKind::kSnapshot;
          break;
        default:
          return ProtocolError(absl::StrCat("a row change of kind ", r.kind()));
      }
      if (r.has_before()) {
        absl::StatusOr<RowImage> image = ImageOf(*change.table, *r.mutable_before());
        if (!image.ok()) return image.status();
        change.before = *std::move(image);
      }
      if (r.has_after()) {
        absl::StatusOr<RowImage> image = ImageOf(*change.table, *r.mutable_after());
        if (!image.ok()) return image.status();
        change.after = *std::move(image);
      }
      return ChangeEvent(std::move(change));
    }
    case v1::ChangeEvent::kBegin: {
      const v1::TransactionBegin& b = event.begin();
      return ChangeEvent(TransactionBegin{b.gtid(), TimeOf(b.has_timestamp(), b.timestamp())});
    }
    case v1::ChangeEvent::kCommit: {
      v1::TransactionCommit& c = *event.mutable_commit();
      TransactionCommit out;
      out.gtid = c.gtid();
      out.timestamp = TimeOf(c.has_timestamp(), c.timestamp());
      out.resume_token = std::move(*c.mutable_resume_token());
      out.position = PositionOf(c.has_position(), c.position());
      return ChangeEvent(std::move(out));
    }
    case v1::ChangeEvent::kDdl:
      return ChangeEvent(Ddl{event.ddl().schema(), event.ddl().statement()});
    case v1::ChangeEvent::kHeartbeat: {
      const v1::Heartbeat& h = event.heartbeat();
      Heartbeat out;
      out.position = PositionOf(h.has_position(), h.position());
      if (h.has_lag()) {
        out.lag = absl::Seconds(h.lag().seconds()) + absl::Nanoseconds(h.lag().nanos());
      }
      return ChangeEvent(std::move(out));
    }
    case v1::ChangeEvent::kSnapshot: {
      v1::SnapshotProgress& p = *event.mutable_snapshot();
      SnapshotProgress out;
      switch (p.phase()) {
        case v1::SnapshotProgress::PHASE_STARTED:
          out.phase = SnapshotPhase::kStarted;
          break;
        case v1::SnapshotProgress::PHASE_TABLE_STARTED:
          out.phase = SnapshotPhase::kTableStarted;
          break;
        case v1::SnapshotProgress::PHASE_CHUNK:
          out.phase = SnapshotPhase::kChunk;
          break;
        case v1::SnapshotProgress::PHASE_TABLE_DONE:
          out.phase = SnapshotPhase::kTableDone;
          break;
        case v1::SnapshotProgress::PHASE_DONE:
          out.phase = SnapshotPhase::kDone;
          break;
        default:
          return std::nullopt;  // A phase newer than this client.
      }
      out.schema = p.schema();
      out.table = p.table();
      out.rows = p.rows();
      out.position = PositionOf(p.has_position(), p.position());
      out.gtid_state = p.gtid_state();
      out.resume_token = std::move(*p.mutable_resume_token());
      out.restarted = p.restarted();
      return ChangeEvent(std::move(out));
    }
    case v1::ChangeEvent::kStatus: {
      const v1::StreamStatus& s = event.status();
      StreamStatus out;
      switch (s.state()) {
        case v1::StreamStatus::STATE_RECONNECTING:
          out.state = StreamState::kReconnecting;
          break;
        case v1::StreamStatus::STATE_RESUMED:
          out.state = StreamState::kResumed;
          break;
        default:
          return std::nullopt;
      }
      out.message = s.message();
      out.attempt = s.attempt();
      out.position = PositionOf(s.has_position(), s.position());
      return ChangeEvent(std::move(out));
    }
    case v1::ChangeEvent::EVENT_NOT_SET:
      break;
  }
  // An event kind newer than this client: skipped.
  return std::nullopt;
}

}  // namespace internal
}  // namespace mysqlgw::client
