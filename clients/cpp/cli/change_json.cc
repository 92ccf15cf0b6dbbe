#include "clients/cpp/cli/change_json.h"

#include <optional>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cpp/cli/json_text.h"

namespace mysqlgw::client::cli {
namespace {

// Appends ,"key": (the key is one of ours, never needing escapes).
void Key(absl::string_view key, std::string* out) { absl::StrAppend(out, ",\"", key, "\":"); }

void StringField(absl::string_view key, absl::string_view value, std::string* out,
                 bool omit_empty = true) {
  if (omit_empty && value.empty()) return;
  Key(key, out);
  AppendJsonString(value, out);
}

void TimeField(const std::optional<absl::Time>& t, std::string* out) {
  if (!t.has_value()) return;
  // Seconds unless the gateway sent a fraction (the binlog has seconds).
  const char* format = absl::ToUnixNanos(*t) % 1000000000 == 0 ? "%Y-%m-%dT%H:%M:%SZ"
                                                                : "%Y-%m-%dT%H:%M:%E*SZ";
  StringField("timestamp", absl::FormatTime(format, *t, absl::UTCTimeZone()), out);
}

void PositionField(const std::optional<BinlogPosition>& p, std::string* out) {
  if (!p.has_value()) return;
  Key("position", out);
  out->append("{\"file\":");
  AppendJsonString(p->file, out);
  absl::StrAppend(out, ",\"position\":", p->position, "}");
}

void ImageField(absl::string_view key, const TableSchema& table,
                const std::optional<RowImage>& image, std::string* out) {
  if (!image.has_value()) return;
  Key(key, out);
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < image->values.size() && i < table.columns.size(); ++i) {
    if (!image->Has(i)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(table.columns[i].name(), out);
    out->push_back(':');
    out->append(JsonValue(image->values[i], table.columns[i]));
  }
  out->push_back('}');
}

struct Renderer {
  std::string* out;

  void operator()(const TransactionBegin& b) const {
    out->append("{\"type\":\"begin\"");
    StringField("gtid", b.gtid, out);
    TimeField(b.timestamp, out);
  }
  void operator()(const RowChange& r) const {
    absl::StrAppend(out, "{\"type\":\"row\",\"kind\":\"", ChangeKindName(r.kind), "\"");
    StringField("schema", r.schema_name(), out, /*omit_empty=*/false);
    StringField("table", r.table_name(), out, /*omit_empty=*/false);
    ImageField("before", *r.table, r.before, out);
    ImageField("after", *r.table, r.after, out);
  }
  void operator()(const Ddl& d) const {
    out->append("{\"type\":\"ddl\"");
    StringField("schema", d.schema, out, /*omit_empty=*/false);
    StringField("statement", d.statement, out, /*omit_empty=*/false);
  }
  void operator()(const TransactionCommit& c) const {
    out->append("{\"type\":\"commit\"");
    StringField("gtid", c.gtid, out);
    TimeField(c.timestamp, out);
    PositionField(c.position, out);
    StringField("resume_token", c.resume_token, out);
  }
  void operator()(const Heartbeat& h) const {
    out->append("{\"type\":\"heartbeat\"");
    PositionField(h.position, out);
    if (h.lag.has_value()) absl::StrAppend(out, ",\"lag_ms\":", absl::ToInt64Milliseconds(*h.lag));
  }
  void operator()(const SnapshotProgress& p) const {
    absl::StrAppend(out, "{\"type\":\"snapshot\",\"phase\":\"", SnapshotPhaseName(p.phase), "\"");
    StringField("schema", p.schema, out);
    StringField("table", p.table, out);
    if (p.phase != SnapshotPhase::kStarted && p.phase != SnapshotPhase::kDone) {
      absl::StrAppend(out, ",\"rows\":", p.rows);
    }
    PositionField(p.position, out);
    StringField("gtid_state", p.gtid_state, out);
    StringField("resume_token", p.resume_token, out);
    if (p.restarted) out->append(",\"restarted\":true");
  }
  void operator()(const StreamStatus& s) const {
    absl::StrAppend(out, "{\"type\":\"status\",\"state\":\"", StreamStateName(s.state), "\"");
    StringField("message", s.message, out);
    absl::StrAppend(out, ",\"attempt\":", s.attempt);
    PositionField(s.position, out);
  }
};

}  // namespace

std::string ChangeEventJson(const ChangeEvent& event) {
  std::string out;
  std::visit(Renderer{&out}, event);
  out.push_back('}');
  return out;
}

}  // namespace mysqlgw::client::cli
