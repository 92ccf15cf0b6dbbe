// A real primary/replica pair of MariaDB servers for routing tests.
//
// Two private sandboxes (testing/sandbox.h): a primary, and a read-only GTID
// replica of it with the same users and passwords. Tables created on the
// primary replicate; so does everything tests write there.
//
//   absl::StatusOr<ReplicaPair*> pair = SharedReplicaPair();
//   ASSERT_TRUE(pair.ok()) << pair.status();  // fail, never skip
//   (*pair)->primary().port, (*pair)->replica().port ...
//
// Ways to make the replica unfit for reads, as routing sees them:
//  - PauseReplication(): the SQL thread stops, Seconds_Behind_Master turns
//    NULL (replication broken, lag unknown);
//  - SetReplicationDelay(d): MASTER_DELAY; each write on the primary then
//    shows as real, growing lag (Seconds_Behind_Master counts up while the
//    replica holds the event back, both threads keep running);
//  - StopReplicaServer(): an outage; the port refuses connections.
//
// MYSQLGW_TEST_DSN does not apply: a pair is always two sandboxes.
#ifndef MYSQLGW_TESTING_REPLICA_SANDBOX_H_
#define MYSQLGW_TESTING_REPLICA_SANDBOX_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "testing/sandbox.h"

namespace mysqlgw::testing {

class ReplicaPair {
 public:
  // Starts the primary, then the replica (together 4-8 s).
  static absl::StatusOr<std::unique_ptr<ReplicaPair>> Start();

  ReplicaPair(const ReplicaPair&) = delete;
  ReplicaPair& operator=(const ReplicaPair&) = delete;
  ~ReplicaPair();  // stops the replica, then the primary

  const ServerInfo& primary() const { return primary_->info(); }
  const ServerInfo& replica() const { return replica_->info(); }

  // As root (Sandbox::RootQuery).
  absl::StatusOr<std::string> PrimaryQuery(absl::string_view sql) const;
  absl::StatusOr<std::string> ReplicaQuery(absl::string_view sql) const;

  // STOP SLAVE SQL_THREAD: events still arrive, none are applied.
  absl::Status PauseReplication() const;
  // START SLAVE: whichever thread is stopped starts again.
  absl::Status ResumeReplication() const;
  // CHANGE MASTER TO MASTER_DELAY (whole seconds); zero removes the delay.
  // Replication restarts (it has to be stopped for CHANGE MASTER).
  absl::Status SetReplicationDelay(absl::Duration delay) const;
  // Until the replica applied everything the primary has binlogged so far
  // (MASTER_GTID_WAIT with the primary's gtid_binlog_pos).
  absl::Status WaitCaughtUp(absl::Duration timeout) const;
  // The replica's SHOW SLAVE STATUS as column -> value ("NULL" for NULL);
  // empty when replication is not configured.
  absl::StatusOr<std::map<std::string, std::string>> ReplicaStatus() const;

  // An outage of the replica server, and its return on the same port.
  absl::Status StopReplicaServer() const { return replica_->StopServer(); }
  absl::Status StartReplicaServer() const { return replica_->StartServer(); }

 private:
  ReplicaPair(std::unique_ptr<Sandbox> primary, std::unique_ptr<Sandbox> replica);

  std::unique_ptr<Sandbox> primary_;
  std::unique_ptr<Sandbox> replica_;  // declared last: destroyed first
};

// One pair per test binary, started on first use and stopped at exit. The
// result (success or error) is computed once; thread-safe. Tests that pause,
// delay or stop the replica put it back as they found it.
absl::StatusOr<ReplicaPair*> SharedReplicaPair();

}  // namespace mysqlgw::testing

#endif  // MYSQLGW_TESTING_REPLICA_SANDBOX_H_
