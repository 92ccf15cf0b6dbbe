#include "clients/cpp/change_events.h"

#include <string>
#include <variant>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace mysqlgw::client {
namespace {

using internal::ChangeEventConverter;
using internal::MakeStreamBinlogRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::ChangeEvent Parse(const std::string& text) {
  v1::ChangeEvent event;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &event)) << text;
  return event;
}

constexpr char kItemsSchema[] = R"pb(
  table_schema {
    table_ref: 7
    schema: "shop"
    table: "items"
    columns { name: "id" type_name: "INT" }
    columns { name: "name" type_name: "VARCHAR(20)" }
    columns { name: "amount" type_name: "DECIMAL(8,2)" }
    primary_key: 0
  })pb";

// --- The request -----------------------------------------------------------

TEST(MakeStreamBinlogRequest, DefaultFollowsFromNow) {
  absl::StatusOr<v1::StreamBinlogRequest> r = MakeStreamBinlogRequest({});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->start_case(), v1::StreamBinlogRequest::kNow);
  EXPECT_TRUE(r->now());
  EXPECT_EQ(r->mode(), v1::StreamBinlogRequest::MODE_FOLLOW);
  EXPECT_FALSE(r->has_heartbeat_interval());
  EXPECT_EQ(r->filter().include_tables_size(), 0);
  EXPECT_FALSE(r->filter().include_ddl());
}

TEST(MakeStreamBinlogRequest, EachStart) {
  ChangesOptions o;
  o.resume_token = "tok";
  EXPECT_EQ(MakeStreamBinlogRequest(o)->resume_token(), "tok");

  o = {};
  o.gtid_set = "0-1-42";
  EXPECT_EQ(MakeStreamBinlogRequest(o)->gtid_set(), "0-1-42");

  o = {};
  o.position = BinlogPosition{"mysql-bin.000002", 4};
  absl::StatusOr<v1::StreamBinlogRequest> r = MakeStreamBinlogRequest(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->position().file(), "mysql-bin.000002");
  EXPECT_EQ(r->position().position(), 4u);

  o = {};
  o.earliest = true;
  EXPECT_EQ(MakeStreamBinlogRequest(o)->start_case(), v1::StreamBinlogRequest::kEarliest);

  o = {};
  o.snapshot_tables = {"shop.*", "crm.customers"};
  o.progress_rows = 500;
  r = MakeStreamBinlogRequest(o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->start_case(), v1::StreamBinlogRequest::kSnapshot);
  EXPECT_THAT(r->snapshot().tables(), ElementsAre("shop.*", "crm.customers"));
  EXPECT_EQ(r->snapshot().progress_rows(), 500u);

  o = {};
  o.snapshot_all = true;
  r = MakeStreamBinlogRequest(o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->start_case(), v1::StreamBinlogRequest::kSnapshot);
  EXPECT_EQ(r->snapshot().tables_size(), 0);
}

TEST(MakeStreamBinlogRequest, RefusesContradictions) {
  ChangesOptions o;
  o.resume_token = "tok";
  o.earliest = true;
  absl::Status s = MakeStreamBinlogRequest(o).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("resume_token, earliest"));

  o = {};
  o.snapshot_all = true;
  o.snapshot_tables = {"a.b"};
  EXPECT_EQ(MakeStreamBinlogRequest(o).status().code(), absl::StatusCode::kInvalidArgument);

  o = {};
  o.progress_rows = 10;
  EXPECT_THAT(MakeStreamBinlogRequest(o).status().message(), HasSubstr("snapshot"));

  o = {};
  o.kinds = {ChangeKind::kSnapshot};
  EXPECT_EQ(MakeStreamBinlogRequest(o).status().code(), absl::StatusCode::kInvalidArgument);

  o = {};
  o.heartbeat_interval = absl::Seconds(-1);
  EXPECT_EQ(MakeStreamBinlogRequest(o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MakeStreamBinlogRequest, FiltersBatchingAndMode) {
  ChangesOptions o;
  o.until_now = true;
  o.include_tables = {"shop.*"};
  o.exclude_tables = {"shop.tmp_*"};
  o.kinds = {ChangeKind::kInsert, ChangeKind::kDelete};
  o.include_ddl = true;
  o.omit_before_images = true;
  o.max_batch_events = 10;
  o.max_batch_bytes = 4096;
  o.heartbeat_interval = absl::Milliseconds(1500);
  absl::StatusOr<v1::StreamBinlogRequest> r = MakeStreamBinlogRequest(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->mode(), v1::StreamBinlogRequest::MODE_UNTIL_NOW);
  EXPECT_THAT(r->filter().include_tables(), ElementsAre("shop.*"));
  EXPECT_THAT(r->filter().exclude_tables(), ElementsAre("shop.tmp_*"));
  EXPECT_THAT(r->filter().kinds(), ElementsAre(v1::CHANGE_KIND_INSERT, v1::CHANGE_KIND_DELETE));
  EXPECT_TRUE(r->filter().include_ddl());
  EXPECT_TRUE(r->omit_before_images());
  EXPECT_EQ(r->max_batch_events(), 10u);
  EXPECT_EQ(r->max_batch_bytes(), 4096u);
  EXPECT_EQ(r->heartbeat_interval().seconds(), 1);
  EXPECT_EQ(r->heartbeat_interval().nanos(), 500000000);
}

TEST(ChangeKindNames, RoundTrip) {
  for (ChangeKind k : {ChangeKind::kInsert, ChangeKind::kUpdate, ChangeKind::kDelete}) {
    absl::StatusOr<ChangeKind> parsed = ParseChangeKind(ChangeKindName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, k);
  }
  EXPECT_EQ(ChangeKindName(ChangeKind::kSnapshot), "snapshot");
  EXPECT_FALSE(ParseChangeKind("snapshot").ok());
  EXPECT_FALSE(ParseChangeKind("INSERT").ok());
  EXPECT_EQ(SnapshotPhaseName(SnapshotPhase::kTableStarted), "table_started");
  EXPECT_EQ(StreamStateName(StreamState::kResumed), "resumed");
}

// --- Conversion --------------------------------------------------------------

TEST(ChangeEventConverter, RowsGetTheirTableSchema) {
  ChangeEventConverter c;
  v1::ChangeEvent schema = Parse(kItemsSchema);
  absl::StatusOr<std::optional<ChangeEvent>> none = c.Convert(schema);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());  // Announcements are not delivered.
  ASSERT_EQ(c.tables().count(7), 1u);
  EXPECT_THAT(c.tables().at(7)->ColumnNames(), ElementsAre("id", "name", "amount"));
  EXPECT_THAT(c.tables().at(7)->PrimaryKeyNames(), ElementsAre("id"));

  v1::ChangeEvent update = Parse(R"pb(
    row {
      table_ref: 7
      kind: CHANGE_KIND_UPDATE
      before { values { int64: 5 } values { string: "old" } values { null: NULL_VALUE } }
      after { values { int64: 5 } values { string: "new" } values { null: NULL_VALUE } absent: 2 }
    })pb");
  absl::StatusOr<std::optional<ChangeEvent>> out = c.Convert(update);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(out->has_value());
  const RowChange* row = std::get_if<RowChange>(&**out);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->kind, ChangeKind::kUpdate);
  EXPECT_EQ(row->schema_name(), "shop");
  EXPECT_EQ(row->table_name(), "items");
  ASSERT_TRUE(row->before.has_value() && row->after.has_value());
  ASSERT_NE(row->Before("name"), nullptr);
  EXPECT_EQ(row->Before("name")->string(), "old");
  EXPECT_EQ(row->After("name")->string(), "new");
  // A logged NULL is there; an unlogged column is not.
  ASSERT_NE(row->Before("amount"), nullptr);
  EXPECT_TRUE(row->Before("amount")->has_null());
  EXPECT_EQ(row->After("amount"), nullptr);
  EXPECT_FALSE(row->after->Has(2));
  EXPECT_EQ(row->After("nope"), nullptr);
  ASSERT_EQ(row->Key().size(), 1u);
  EXPECT_EQ(row->Key()[0].int64(), 5);
}

TEST(ChangeEventConverter, DeleteAndSnapshotRows) {
  ChangeEventConverter c;
  v1::ChangeEvent schema = Parse(kItemsSchema);
  ASSERT_TRUE(c.Convert(schema).ok());
  v1::ChangeEvent del = Parse(R"pb(
    row {
      table_ref: 7
      kind: CHANGE_KIND_DELETE
      before { values { int64: 9 } values { null: NULL_VALUE } values { null: NULL_VALUE } absent: [ 1, 2 ] }
    })pb");
  absl::StatusOr<std::optional<ChangeEvent>> out = c.Convert(del);
  ASSERT_TRUE(out.ok()) << out.status();
  const RowChange& row = std::get<RowChange>(**out);
  EXPECT_EQ(row.kind, ChangeKind::kDelete);
  EXPECT_FALSE(row.after.has_value());
  EXPECT_EQ(row.After("id"), nullptr);
  EXPECT_EQ(row.Key()[0].int64(), 9);  // From before, there being no after.

  v1::ChangeEvent snap = Parse(R"pb(
    row {
      table_ref: 7
      kind: CHANGE_KIND_SNAPSHOT
      after { values { int64: 1 } values { string: "a" } values { decimal: "1.50" } }
    })pb");
  out = c.Convert(snap);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(std::get<RowChange>(**out).kind, ChangeKind::kSnapshot);
  EXPECT_EQ(std::get<RowChange>(**out).After("amount")->decimal(), "1.50");
}

TEST(ChangeEventConverter, ANewAnnouncementReplacesTheSchemaNotOlderRows) {
  ChangeEventConverter c;
  v1::ChangeEvent schema = Parse(kItemsSchema);
  ASSERT_TRUE(c.Convert(schema).ok());
  v1::ChangeEvent ins = Parse(R"pb(
    row {
      table_ref: 7
      kind: CHANGE_KIND_INSERT
      after { values { int64: 1 } values { string: "a" } values { decimal: "1.00" } }
    })pb");
  absl::StatusOr<std::optional<ChangeEvent>> first = c.Convert(ins);
  ASSERT_TRUE(first.ok());
  v1::ChangeEvent altered = Parse(R"pb(
    table_schema {
      table_ref: 7
      schema: "shop"
      table: "items"
      columns { name: "id" }
      columns { name: "title" }
      primary_key: 0
    })pb");
  ASSERT_TRUE(c.Convert(altered).ok());
  v1::ChangeEvent ins2 = Parse(R"pb(
    row {
      table_ref: 7
      kind: CHANGE_KIND_INSERT
      after { values { int64: 2 } values { string: "b" } }
    })pb");
  absl::StatusOr<std::optional<ChangeEvent>> second = c.Convert(ins2);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(std::get<RowChange>(**second).After("title")->string(), "b");
  EXPECT_EQ(std::get<RowChange>(**first).After("name")->string(), "a");
  EXPECT_EQ(std::get<RowChange>(**first).After("title"), nullptr);
}

TEST(ChangeEventConverter, ProtocolViolationsAreErrors) {
  ChangeEventConverter c;
  v1::ChangeEvent orphan = Parse(R"pb(row { table_ref: 3 kind: CHANGE_KIND_INSERT after {} })pb");
  absl::Status s = c.Convert(orphan).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("table_ref 3 before its table schema"));

  v1::ChangeEvent bad_key = Parse(R"pb(table_schema { table_ref: 1 columns { name: "a" } primary_key: 1 })pb");
  EXPECT_EQ(c.Convert(bad_key).status().code(), absl::StatusCode::kInternal);

  v1::ChangeEvent schema = Parse(kItemsSchema);
  ASSERT_TRUE(c.Convert(schema).ok());
  v1::ChangeEvent short_row =
      Parse(R"pb(row { table_ref: 7 kind: CHANGE_KIND_INSERT after { values { int64: 1 } } })pb");
  s = c.Convert(short_row).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("1 values for 3 columns"));

  v1::ChangeEvent bad_absent = Parse(R"pb(
    row {
      table_ref: 7
      kind: CHANGE_KIND_INSERT
      after { values {} values {} values {} absent: 3 }
    })pb");
  EXPECT_EQ(c.Convert(bad_absent).status().code(), absl::StatusCode::kInternal);

  v1::ChangeEvent no_kind = Parse(R"pb(row { table_ref: 7 after { values {} values {} values {} } })pb");
  EXPECT_EQ(c.Convert(no_kind).status().code(), absl::StatusCode::kInternal);
}

TEST(ChangeEventConverter, TransactionsAndTheirTokens) {
  ChangeEventConverter c;
  v1::ChangeEvent begin = Parse(R"pb(begin { gtid: "0-1-42" timestamp { seconds: 1704164645 } })pb");
  absl::StatusOr<std::optional<ChangeEvent>> out = c.Convert(begin);
  ASSERT_TRUE(out.ok());
  const TransactionBegin& b = std::get<TransactionBegin>(**out);
  EXPECT_EQ(b.gtid, "0-1-42");
  ASSERT_TRUE(b.timestamp.has_value());
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M:%S", *b.timestamp, absl::UTCTimeZone()),
            "2024-01-02 03:04:05");

  v1::ChangeEvent commit = Parse(R"pb(
    commit {
      gtid: "0-1-42"
      resume_token: "T42"
      position { file: "mysql-bin.000001" position: 1234 }
    })pb");
  out = c.Convert(commit);
  ASSERT_TRUE(out.ok());
  const TransactionCommit& t = std::get<TransactionCommit>(**out);
  EXPECT_EQ(t.resume_token, "T42");
  EXPECT_FALSE(t.timestamp.has_value());
  ASSERT_TRUE(t.position.has_value());
  EXPECT_EQ(*t.position, (BinlogPosition{"mysql-bin.000001", 1234}));

  v1::ChangeEvent ddl = Parse(R"pb(ddl { schema: "shop" statement: "DROP TABLE t" })pb");
  out = c.Convert(ddl);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(std::get<Ddl>(**out).statement, "DROP TABLE t");

  v1::ChangeEvent hb = Parse(R"pb(heartbeat { lag { seconds: 2 nanos: 5000000 } })pb");
  out = c.Convert(hb);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(std::get<Heartbeat>(**out).lag, absl::Milliseconds(2005));
  EXPECT_FALSE(std::get<Heartbeat>(**out).position.has_value());
}

TEST(ChangeEventConverter, SnapshotProgressAndStatus) {
  ChangeEventConverter c;
  v1::ChangeEvent chunk = Parse(R"pb(
    snapshot {
      phase: PHASE_CHUNK
      schema: "shop"
      table: "items"
      rows: 1000
      resume_token: "C1"
      gtid_state: "0-1-9"
    })pb");
  absl::StatusOr<std::optional<ChangeEvent>> out = c.Convert(chunk);
  ASSERT_TRUE(out.ok());
  const SnapshotProgress& p = std::get<SnapshotProgress>(**out);
  EXPECT_EQ(p.phase, SnapshotPhase::kChunk);
  EXPECT_EQ(p.rows, 1000u);
  EXPECT_EQ(p.resume_token, "C1");
  EXPECT_EQ(p.gtid_state, "0-1-9");

  v1::ChangeEvent restarted =
      Parse(R"pb(snapshot { phase: PHASE_TABLE_STARTED table: "t" restarted: true })pb");
  out = c.Convert(restarted);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(std::get<SnapshotProgress>(**out).restarted);

  v1::ChangeEvent status = Parse(R"pb(
    status { state: STATE_RECONNECTING message: "lost" attempt: 2 position { file: "f" position: 9 } })pb");
  out = c.Convert(status);
  ASSERT_TRUE(out.ok());
  const StreamStatus& st = std::get<StreamStatus>(**out);
  EXPECT_EQ(st.state, StreamState::kReconnecting);
  EXPECT_EQ(st.message, "lost");
  EXPECT_EQ(st.attempt, 2u);

  // Phases, states and events newer than this client are skipped.
  v1::ChangeEvent future_phase = Parse(R"pb(snapshot { phase: 99 })pb");
  out = c.Convert(future_phase);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->has_value());
  v1::ChangeEvent empty;
  out = c.Convert(empty);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->has_value());
}

}  // namespace
}  // namespace mysqlgw::client
