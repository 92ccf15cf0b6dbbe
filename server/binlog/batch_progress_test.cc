#include "server/binlog/batch_progress.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

TEST(BatchProgressTest, CountsEventsAndTakesTheLastPositionGtidAndTimestamp) {
  v1::StreamBinlogResponse batch;
  auto* begin = batch.add_events()->mutable_begin();
  begin->set_gtid("0-1-41");
  begin->mutable_timestamp()->set_seconds(1700000000);
  batch.add_events()->mutable_table_schema();
  batch.add_events()->mutable_row()->set_kind(v1::CHANGE_KIND_INSERT);
  batch.add_events()->mutable_row()->set_kind(v1::CHANGE_KIND_UPDATE);
  auto* commit = batch.add_events()->mutable_commit();
  commit->set_gtid("0-1-41");
  commit->mutable_timestamp()->set_seconds(1700000001);
  commit->mutable_position()->set_file("mysql-bin.000004");
  commit->mutable_position()->set_position(1234);
  auto* begin2 = batch.add_events()->mutable_begin();  // Goes on in the next batch.
  begin2->set_gtid("0-1-42");
  begin2->mutable_timestamp()->set_seconds(1700000005);
  batch.add_events()->mutable_row()->set_kind(v1::CHANGE_KIND_INSERT);

  StreamProgress p = SummarizeBatch(batch, 999);
  EXPECT_EQ(p.rows[v1::CHANGE_KIND_INSERT], 2u);
  EXPECT_EQ(p.rows[v1::CHANGE_KIND_UPDATE], 1u);
  EXPECT_EQ(p.rows[v1::CHANGE_KIND_DELETE], 0u);
  EXPECT_EQ(p.events, 7u);
  EXPECT_EQ(p.heartbeats, 0u);
  EXPECT_EQ(p.bytes, 999u);
  EXPECT_EQ(p.file, "mysql-bin.000004");
  EXPECT_EQ(p.position, 1234u);
  EXPECT_EQ(p.gtid, "0-1-41");  // Only committed transactions count.
  EXPECT_EQ(p.last_event_timestamp, 1700000005u);
  EXPECT_FALSE(p.caught_up);
}

TEST(BatchProgressTest, HeartbeatsAndStatusEventsAreNotChangeEvents) {
  v1::StreamBinlogResponse batch;
  auto* status = batch.add_events()->mutable_status();
  status->set_state(v1::StreamStatus::STATE_RESUMED);
  status->mutable_position()->set_file("mysql-bin.000004");
  status->mutable_position()->set_position(1234);
  StreamProgress p = SummarizeBatch(batch, 10);
  EXPECT_EQ(p.events, 0u);
  EXPECT_EQ(p.file, "mysql-bin.000004");
  EXPECT_FALSE(p.caught_up);

  auto* hb = batch.add_events()->mutable_heartbeat();
  hb->mutable_position()->set_file("mysql-bin.000005");
  hb->mutable_position()->set_position(4);
  p = SummarizeBatch(batch, 10);
  EXPECT_EQ(p.events, 0u);
  EXPECT_EQ(p.heartbeats, 1u);
  EXPECT_TRUE(p.caught_up);
  EXPECT_EQ(p.file, "mysql-bin.000005");
  EXPECT_EQ(p.position, 4u);
  EXPECT_EQ(p.last_event_timestamp, 0u);
}

TEST(BatchProgressTest, Empty) {
  StreamProgress p = SummarizeBatch(v1::StreamBinlogResponse(), 0);
  EXPECT_EQ(p.events, 0u);
  EXPECT_TRUE(p.file.empty());
}

}  // namespace
}  // namespace mysqlgw
