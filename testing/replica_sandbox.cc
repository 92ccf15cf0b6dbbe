#include "testing/replica_sandbox.h"

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"

namespace mysqlgw::testing {
namespace {

constexpr absl::Duration kStatusTimeout = absl::Seconds(60);

// A replica-side statement failing is reported with the replica's role, so a
// test log tells which server refused.
absl::Status Annotate(absl::Status status, absl::string_view what) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(what, ": ", status.message()));
}

}  // namespace

ReplicaPair::ReplicaPair(std::unique_ptr<Sandbox> primary,
                         std::unique_ptr<Sandbox> replica)
    : primary_(std::move(primary)), replica_(std::move(replica)) {}

ReplicaPair::~ReplicaPair() {
  // The replica's I/O thread would otherwise retry against a vanished
  // primary while its own sandbox is torn down.
  replica_.reset();
  primary_.reset();
}

absl::StatusOr<std::unique_ptr<ReplicaPair>> ReplicaPair::Start() {
  absl::StatusOr<std::unique_ptr<Sandbox>> primary = Sandbox::Start();
  if (!primary.ok()) {
    return Annotate(primary.status(), "starting the primary");
  }
  absl::StatusOr<std::unique_ptr<Sandbox>> replica =
      Sandbox::StartReplicaOf(**primary);
  if (!replica.ok()) {
    return Annotate(replica.status(), "starting the replica");
  }
  return std::unique_ptr<ReplicaPair>(
      new ReplicaPair(*std::move(primary), *std::move(replica)));
}

absl::StatusOr<std::string> ReplicaPair::PrimaryQuery(
    absl::string_view sql) const {
  return primary_->RootQuery(sql);
}

absl::StatusOr<std::string> ReplicaPair::ReplicaQuery(
    absl::string_view sql) const {
  return replica_->RootQuery(sql);
}

absl::Status ReplicaPair::PauseReplication() const {
  return Annotate(ReplicaQuery("STOP SLAVE SQL_THREAD").status(),
                  "pausing replication");
}

absl::Status ReplicaPair::ResumeReplication() const {
  return Annotate(ReplicaQuery("START SLAVE").status(), "resuming replication");
}

absl::Status ReplicaPair::SetReplicationDelay(absl::Duration delay) const {
  if (delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("negative replication delay");
  }
  const int64_t seconds =
      static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(delay)));
  // MariaDB refuses CHANGE MASTER while either thread runs.
  return Annotate(
      ReplicaQuery(absl::StrCat("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = ",
                                seconds, "; START SLAVE"))
          .status(),
      "setting the replication delay");
}

absl::Status ReplicaPair::WaitCaughtUp(absl::Duration timeout) const {
  absl::StatusOr<std::string> pos = PrimaryQuery("SELECT @@gtid_binlog_pos");
  if (!pos.ok()) return Annotate(pos.status(), "reading the primary's GTID");
  const std::string gtid(absl::StripAsciiWhitespace(*pos));
  if (gtid.empty()) return absl::OkStatus();  // nothing binlogged yet
  // The GTID state is digits, '-' and ',' only; anything else would be a
  // broken server, not something to quote.
  for (char c : gtid) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-' &&
        c != ',') {
      return absl::InternalError(absl::StrCat("odd gtid_binlog_pos '", gtid, "'"));
    }
  }
  absl::StatusOr<std::string> waited = ReplicaQuery(absl::StrCat(
      "SELECT MASTER_GTID_WAIT('", gtid, "', ",
      absl::ToDoubleSeconds(timeout), ")"));
  if (!waited.ok()) return Annotate(waited.status(), "MASTER_GTID_WAIT");
  const absl::string_view result = absl::StripAsciiWhitespace(*waited);
  if (result == "0") return absl::OkStatus();
  return absl::DeadlineExceededError(absl::StrCat(
      "the replica did not reach ", gtid, " within ", absl::FormatDuration(timeout),
      " (MASTER_GTID_WAIT returned ", result, ")"));
}

absl::StatusOr<std::map<std::string, std::string>> ReplicaPair::ReplicaStatus()
    const {
  // RootQuery skips column names, and the row is only useful with them.
  const ServerInfo& info = replica();
  std::vector<std::string> argv = {
      "mariadb",          "--no-defaults",
      "--batch",          "--protocol=socket",
      absl::StrCat("--socket=", info.socket),
      absl::StrCat("--user=", info.root_user),
      "-e",               "SHOW SLAVE STATUS",
  };
  CommandOptions options;
  options.env.emplace_back("MYSQL_PWD", info.root_password);
  options.timeout = kStatusTimeout;
  absl::StatusOr<std::string> out = RunCommand(argv, options);
  if (!out.ok()) return Annotate(out.status(), "SHOW SLAVE STATUS");
  std::vector<std::string> lines =
      absl::StrSplit(*out, '\n', absl::SkipEmpty());
  std::map<std::string, std::string> status;
  if (lines.size() < 2) return status;
  std::vector<std::string> names = absl::StrSplit(lines[0], '\t');
  std::vector<std::string> values = absl::StrSplit(lines[1], '\t');
  if (names.size() != values.size()) {
    return absl::InternalError(absl::StrCat(
        "SHOW SLAVE STATUS: ", names.size(), " columns but ", values.size(),
        " values"));
  }
  for (size_t i = 0; i < names.size(); ++i) status[names[i]] = values[i];
  return status;
}

absl::StatusOr<ReplicaPair*> SharedReplicaPair() {
  struct Shared {
    absl::Status status;
    std::unique_ptr<ReplicaPair> pair;  // destroyed (servers stopped) at exit
  };
  static Shared shared = [] {
    Shared s;
    absl::StatusOr<std::unique_ptr<ReplicaPair>> pair = ReplicaPair::Start();
    if (pair.ok()) {
      s.pair = *std::move(pair);
    } else {
      s.status = pair.status();
    }
    return s;
  }();
  if (!shared.status.ok()) return shared.status;
  return shared.pair.get();
}

}  // namespace mysqlgw::testing
