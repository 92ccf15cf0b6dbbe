#include "server/binlog/stream_registry.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "server/metrics/registry.h"

namespace mysqlgw {
namespace {

StreamIdentity Identity(const std::string& principal) {
  StreamIdentity id;
  id.principal = principal;
  id.peer = "ipv4:127.0.0.1:5000";
  id.mode = "follow";
  id.replica_server_id = 7;
  return id;
}

// A batch of `events` change events ending at file:position.
StreamProgress Batch(uint64_t events, const std::string& file, uint64_t position,
                     uint32_t last_event_timestamp = 0) {
  StreamProgress p;
  p.events = events;
  p.file = file;
  p.position = position;
  p.last_event_timestamp = last_event_timestamp;
  return p;
}

StreamProgress Heartbeat(const std::string& file, uint64_t position) {
  StreamProgress p;
  p.heartbeats = 1;
  p.file = file;
  p.position = position;
  p.caught_up = true;
  return p;
}

TEST(StreamRegistryTest, RegistersReportsAndUnregisters) {
  StreamRegistry registry;
  EXPECT_EQ(registry.open(), 0u);
  std::unique_ptr<StreamHandle> a = registry.Open(Identity("cdc"));
  std::unique_ptr<StreamHandle> b = registry.Open(Identity("audit"));
  EXPECT_NE(a->id(), b->id());
  EXPECT_EQ(registry.open(), 2u);
  EXPECT_EQ(registry.streams_opened(), 2u);

  std::vector<StreamStatus> snap = registry.Snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0].identity.principal, "cdc");
  EXPECT_EQ(snap[0].identity.replica_server_id, 7u);
  EXPECT_FALSE(snap[0].seconds_behind.has_value());  // Nothing sent yet.
  EXPECT_EQ(snap[0].events_sent, 0u);

  StreamProgress first = Batch(3, "mysql-bin.000002", 456, 1'000'000'000);
  first.bytes = 100;
  first.gtid = "0-1-10";
  a->Sent(first);
  StreamProgress second = Batch(2, "mysql-bin.000002", 789);
  second.bytes = 50;
  a->Sent(second);
  snap = registry.Snapshot(absl::FromUnixSeconds(1'000'000'042));
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0].file, "mysql-bin.000002");
  EXPECT_EQ(snap[0].position, 789u);
  EXPECT_EQ(snap[0].gtid, "0-1-10");  // Kept: the second batch had no commit.
  EXPECT_EQ(snap[0].events_sent, 5u);
  EXPECT_EQ(snap[0].bytes_sent, 150u);
  EXPECT_EQ(snap[0].batches_sent, 2u);
  ASSERT_TRUE(snap[0].seconds_behind.has_value());
  EXPECT_DOUBLE_EQ(*snap[0].seconds_behind, 42.0);
  EXPECT_EQ(registry.events_sent(), 5u);

  // A heartbeat: caught up, whatever the last event's age.
  a->Sent(Heartbeat("mysql-bin.000002", 789));
  snap = registry.Snapshot(absl::FromUnixSeconds(1'000'000'100));
  EXPECT_DOUBLE_EQ(snap[0].seconds_behind.value_or(-1), 0.0);
  EXPECT_EQ(snap[0].heartbeats_sent, 1u);
  // New events: behind again by their age.
  a->Sent(Batch(1, "mysql-bin.000002", 900, 1'000'000'090));
  snap = registry.Snapshot(absl::FromUnixSeconds(1'000'000'100));
  EXPECT_DOUBLE_EQ(snap[0].seconds_behind.value_or(-1), 10.0);
  // A server clock ahead of ours is not a negative lag.
  snap = registry.Snapshot(absl::FromUnixSeconds(1'000'000'080));
  EXPECT_DOUBLE_EQ(snap[0].seconds_behind.value_or(-1), 0.0);

  a.reset();
  snap = registry.Snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].identity.principal, "audit");
  EXPECT_EQ(registry.events_sent(), 6u);  // Closed streams still count.
  b.reset();
  EXPECT_EQ(registry.open(), 0u);
}

TEST(StreamRegistryTest, ConcurrentStreamsAndReaders) {
  StreamRegistry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&registry] {
      for (int i = 0; i < 200; ++i) {
        auto h = registry.Open(Identity("p"));
        h->Sent(Batch(1, "f", static_cast<uint64_t>(i)));
      }
    });
  }
  threads.emplace_back([&registry] {
    for (int i = 0; i < 200; ++i) (void)registry.Snapshot();
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(registry.open(), 0u);
  EXPECT_EQ(registry.events_sent(), 800u);
  EXPECT_EQ(registry.streams_opened(), 800u);
}

TEST(StreamRegistryTest, Metrics) {
  StreamRegistry streams;
  metrics::Registry registry;
  ASSERT_TRUE(RegisterStreamMetrics(registry, streams).ok());
  std::string text = registry.Render();
  EXPECT_NE(text.find("mysqlgw_change_stream_events_total 0\n"), std::string::npos) << text;
  // No stream: nothing is behind.
  EXPECT_NE(text.find("mysqlgw_change_stream_lag_seconds 0\n"), std::string::npos) << text;

  auto h = streams.Open(Identity("cdc"));
  StreamProgress caught_up = Batch(4, "f", 10);
  caught_up.caught_up = true;
  h->Sent(caught_up);
  text = registry.Render();
  EXPECT_NE(text.find("mysqlgw_change_stream_events_total 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mysqlgw_change_stream_lag_seconds 0\n"), std::string::npos) << text;
  // Events an hour old: the worst stream's lag.
  auto behind = streams.Open(Identity("late"));
  behind->Sent(Batch(1, "f", 20, static_cast<uint32_t>(absl::ToUnixSeconds(absl::Now()) - 3600)));
  text = registry.Render();
  const size_t at = text.find("\nmysqlgw_change_stream_lag_seconds ");
  ASSERT_NE(at, std::string::npos) << text;
  const double lag = std::stod(text.substr(at + 35));
  EXPECT_GE(lag, 3600);
  EXPECT_LT(lag, 3700);

  // Rows by kind, binlog bytes, reconnects and resumes.
  StreamProgress rows = Batch(3, "f", 30);
  rows.rows[1] = 2;  // insert
  rows.rows[4] = 5;  // snapshot
  rows.binlog_bytes = 4096;
  h->Sent(rows);
  streams.CountReconnect();
  streams.CountResume();
  streams.CountResume();
  text = registry.Render();
  EXPECT_NE(text.find("mysqlgw_change_stream_rows_total{kind=\"insert\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("mysqlgw_change_stream_rows_total{kind=\"snapshot\"} 5\n"),
            std::string::npos);
  EXPECT_NE(text.find("mysqlgw_change_stream_rows_total{kind=\"delete\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("mysqlgw_change_stream_binlog_bytes_total 4096\n"), std::string::npos);
  EXPECT_NE(text.find("mysqlgw_change_stream_reconnects_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("mysqlgw_change_stream_resumes_total 2\n"), std::string::npos);
}

}  // namespace
}  // namespace mysqlgw
