// A real MariaDB server for tests: private, throwaway, started on demand.
//
// Sandbox::Start() runs scripts/mysql-sandbox, which creates a MariaDB 10.11
// with binlog ROW/FULL, GTID strict mode, TLS (its own CA), a database
// `mysqlgw_test` and users `mysqlgw`, `mysqlgw_tls` (REQUIRE SSL) and, when
// the plugin loads, `mysqlgw_ed` (ed25519), all with the same password.
//
// Most tests want SharedServer(): one server per test binary, started on first
// use and stopped at exit, or the server named by MYSQLGW_TEST_DSN:
//
//   absl::StatusOr<const ServerInfo*> server = SharedServer();
//   ASSERT_TRUE(server.ok()) << server.status();  // fail, never skip
//
// If the test process dies without running its exit handlers, the sandbox
// notices within a second and removes itself.

#ifndef MYSQLGW_TESTING_SANDBOX_H_
#define MYSQLGW_TESTING_SANDBOX_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlgw::testing {

struct ServerInfo {
  std::string host;     // "127.0.0.1" for a sandbox
  uint16_t port = 0;
  std::string socket;   // unix socket; empty for a MYSQLGW_TEST_DSN server
  std::string user, password, root_password, database;
  std::string ca_path, wrong_ca_path;  // PEM files; wrong_ca_path: an unrelated CA
  std::string ed25519_user;            // empty if the ed25519 plugin is unavailable
  std::string tls_user;                // REQUIRE SSL; same password as `user`
  std::string dsn;  // mysql://user:password@host:port/database?ssl-ca=PATH
  std::string datadir;  // mariadbd's --datadir (binlog files live here)

  // Beyond the basics: the account QueryAsRoot uses ("root" for a sandbox, the
  // DSN's user otherwise) and the sandbox folder (empty for a DSN server).
  std::string root_user;
  std::string sandbox_dir;
};

class Sandbox {
 public:
  // Starts a private server via scripts/mysql-sandbox (found through Bazel
  // runfiles as a data dependency, or relative to the workspace when run
  // outside Bazel; MYSQLGW_SANDBOX_SCRIPT overrides both). Takes 2-5 s.
  static absl::StatusOr<std::unique_ptr<Sandbox>> Start();
  // Starts a read-only GTID replica of `primary` (scripts/mysql-sandbox
  // start --replica-of): the same users and passwords, replicating from the
  // start of the primary's binlog; returns once replication runs. Stop the
  // replica before its primary.
  static absl::StatusOr<std::unique_ptr<Sandbox>> StartReplicaOf(
      const Sandbox& primary);

  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
  ~Sandbox();  // stops the server and removes its folder

  const ServerInfo& info() const { return info_; }

  // Runs SQL as root through the `mariadb` CLI (for test setup/inspection) and
  // returns its stdout: tab-separated rows, no headers (--batch
  // --skip-column-names; tabs, newlines and backslashes in values come back
  // escaped as \t, \n, \\). The SQL goes through stdin, so it may be large
  // and hold several statements; the default database is info().database.
  absl::StatusOr<std::string> RootQuery(absl::string_view sql) const;

  // An outage: stops the server but keeps its folder, port and data;
  // StartServer() brings it back on the same port (a replica resumes
  // replicating by itself).
  absl::Status StopServer() const;
  absl::Status StartServer() const;

 private:
  Sandbox(std::string script, ServerInfo info);
  static absl::StatusOr<std::unique_ptr<Sandbox>> StartWith(
      const std::vector<std::string>& extra_args);

  std::string script_;
  ServerInfo info_;
  pid_t owner_pid_;  // a forked child (death test) must not stop the server
};

// The server for this test binary: a private sandbox started on first use (and
// stopped at exit), or, when MYSQLGW_TEST_DSN is set, that server. Returns an
// error if the server cannot be started; tests must then FAIL, never skip.
// The result (success or error) is computed once; thread-safe.
absl::StatusOr<const ServerInfo*> SharedServer();

// The sandbox behind SharedServer(); nullptr when using MYSQLGW_TEST_DSN or
// when it could not be started.
const Sandbox* SharedSandbox();

// Like Sandbox::RootQuery, for any server: as info.root_user over the unix
// socket if there is one, else over TCP (with TLS when info.ca_path is set).
absl::StatusOr<std::string> QueryAsRoot(const ServerInfo& info,
                                        absl::string_view sql);

// Parses mysql://user[:password]@host[:port][/database][?key=value&...].
// Percent-escapes are decoded. Keys: ssl-ca, and optionally wrong-ca,
// tls-user, ed25519-user. The port defaults to 3306. root_user and
// root_password are set to the DSN's user and password.
absl::StatusOr<ServerInfo> ParseDsn(absl::string_view dsn);

}  // namespace mysqlgw::testing

#endif  // MYSQLGW_TESTING_SANDBOX_H_
