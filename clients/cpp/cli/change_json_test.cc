#include "clients/cpp/cli/change_json.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace mysqlgw::client::cli {
namespace {

std::shared_ptr<const TableSchema> Items() {
  auto t = std::make_shared<TableSchema>();
  t->table_ref = 1;
  t->schema = "shop";
  t->table = "items";
  t->columns.resize(5);
  t->columns[0].set_name("id");
  t->columns[1].set_name("name");
  t->columns[2].set_name("amount");
  t->columns[3].set_name("created");
  t->columns[3].set_decimals(3);
  t->columns[4].set_name("data");
  t->primary_key = {0};
  return t;
}

RowImage Image(std::vector<v1::Value> values, std::vector<size_t> absent = {}) {
  RowImage image;
  image.values = std::move(values);
  image.present.assign(image.values.size(), true);
  for (size_t i : absent) image.present[i] = false;
  return image;
}

v1::Value Int(int64_t v) {
  v1::Value x;
  x.set_int64(v);
  return x;
}
v1::Value Str(const std::string& s) {
  v1::Value x;
  x.set_string(s);
  return x;
}
v1::Value Null() {
  v1::Value x;
  x.set_null(google::protobuf::NULL_VALUE);
  return x;
}

TEST(ChangeEventJson, RowsWithNamesAndJsonlValues) {
  v1::Value amount;
  amount.set_decimal("1.50");
  v1::Value created;
  auto* dt = created.mutable_datetime();
  dt->set_year(2024);
  dt->set_month(1);
  dt->set_day(2);
  dt->set_hour(3);
  dt->set_minute(4);
  dt->set_second(5);
  dt->set_microsecond(120000);
  v1::Value data;
  data.set_bytes(std::string("\x00\xff", 2));
  v1::Value big;
  big.set_uint64(18446744073709551615u);

  RowChange insert;
  insert.table = Items();
  insert.kind = ChangeKind::kInsert;
  insert.after = Image({Int(1), Str("h\xc3\xa9llo \"q\"\n"), amount, created, data});
  EXPECT_EQ(ChangeEventJson(insert),
            "{\"type\":\"row\",\"kind\":\"insert\",\"schema\":\"shop\",\"table\":\"items\","
            "\"after\":{\"id\":1,\"name\":\"h\xc3\xa9llo \\\"q\\\"\\n\",\"amount\":\"1.50\","
            "\"created\":\"2024-01-02 03:04:05.120\",\"data\":\"AP8=\"}}");

  RowChange update;
  update.table = Items();
  update.kind = ChangeKind::kUpdate;
  update.before = Image({big, Null(), Null(), Null(), Null()});
  update.after = Image({big, Str("x"), Null(), Null(), Null()}, {2, 3, 4});
  EXPECT_EQ(ChangeEventJson(update),
            "{\"type\":\"row\",\"kind\":\"update\",\"schema\":\"shop\",\"table\":\"items\","
            "\"before\":{\"id\":\"18446744073709551615\",\"name\":null,\"amount\":null,"
            "\"created\":null,\"data\":null},"
            "\"after\":{\"id\":\"18446744073709551615\",\"name\":\"x\"}}");

  RowChange snap;
  snap.table = Items();
  snap.kind = ChangeKind::kSnapshot;
  snap.after = Image({Int(-7), Null(), Null(), Null(), Null()}, {1, 2, 3, 4});
  EXPECT_EQ(ChangeEventJson(snap),
            "{\"type\":\"row\",\"kind\":\"snapshot\",\"schema\":\"shop\",\"table\":\"items\","
            "\"after\":{\"id\":-7}}");
}

TEST(ChangeEventJson, TransactionEvents) {
  TransactionBegin begin{"0-1-42", absl::FromUnixSeconds(1704164645)};
  EXPECT_EQ(ChangeEventJson(begin),
            "{\"type\":\"begin\",\"gtid\":\"0-1-42\",\"timestamp\":\"2024-01-02T03:04:05Z\"}");
  EXPECT_EQ(ChangeEventJson(TransactionBegin{}), "{\"type\":\"begin\"}");

  TransactionCommit commit;
  commit.gtid = "0-1-42";
  commit.timestamp = absl::FromUnixSeconds(1704164645) + absl::Milliseconds(250);
  commit.resume_token = "tok/+=";
  commit.position = BinlogPosition{"mysql-bin.000001", 1234};
  EXPECT_EQ(ChangeEventJson(commit),
            "{\"type\":\"commit\",\"gtid\":\"0-1-42\",\"timestamp\":\"2024-01-02T03:04:05.25Z\","
            "\"position\":{\"file\":\"mysql-bin.000001\",\"position\":1234},"
            "\"resume_token\":\"tok/+=\"}");

  EXPECT_EQ(ChangeEventJson(Ddl{"shop", "ALTER TABLE t ADD c INT"}),
            "{\"type\":\"ddl\",\"schema\":\"shop\",\"statement\":\"ALTER TABLE t ADD c INT\"}");

  Heartbeat hb;
  hb.position = BinlogPosition{"f", 4};
  hb.lag = absl::Milliseconds(1500);
  EXPECT_EQ(ChangeEventJson(hb),
            "{\"type\":\"heartbeat\",\"position\":{\"file\":\"f\",\"position\":4},\"lag_ms\":1500}");
}

TEST(ChangeEventJson, SnapshotAndStatus) {
  SnapshotProgress started;
  started.phase = SnapshotPhase::kStarted;
  started.position = BinlogPosition{"mysql-bin.000001", 900};
  started.gtid_state = "0-1-9";
  EXPECT_EQ(ChangeEventJson(started),
            "{\"type\":\"snapshot\",\"phase\":\"started\",\"position\":{\"file\":"
            "\"mysql-bin.000001\",\"position\":900},\"gtid_state\":\"0-1-9\"}");

  SnapshotProgress chunk;
  chunk.phase = SnapshotPhase::kChunk;
  chunk.schema = "shop";
  chunk.table = "items";
  chunk.rows = 1000;
  chunk.resume_token = "C";
  EXPECT_EQ(ChangeEventJson(chunk),
            "{\"type\":\"snapshot\",\"phase\":\"chunk\",\"schema\":\"shop\",\"table\":\"items\","
            "\"rows\":1000,\"resume_token\":\"C\"}");

  SnapshotProgress restarted;
  restarted.phase = SnapshotPhase::kTableStarted;
  restarted.schema = "shop";
  restarted.table = "tags";
  restarted.restarted = true;
  EXPECT_EQ(ChangeEventJson(restarted),
            "{\"type\":\"snapshot\",\"phase\":\"table_started\",\"schema\":\"shop\","
            "\"table\":\"tags\",\"rows\":0,\"restarted\":true}");

  StreamStatus status;
  status.state = StreamState::kReconnecting;
  status.message = "connection lost";
  status.attempt = 2;
  EXPECT_EQ(ChangeEventJson(status),
            "{\"type\":\"status\",\"state\":\"reconnecting\",\"message\":\"connection lost\","
            "\"attempt\":2}");
}

}  // namespace
}  // namespace mysqlgw::client::cli
