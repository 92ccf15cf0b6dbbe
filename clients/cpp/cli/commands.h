// The commands of mysqlgw-cli, apart from flag parsing (main.cc) so that
// they run against any Client and any streams.
//
// Exit codes: 0 success; 1 the database or the gateway refused a statement
// (SQL errors, permissions, limits); 2 usage errors and connection errors
// (bad flags or parameters, unreadable or unsplittable script, gateway
// unreachable, UNAVAILABLE without a database error, UNAUTHENTICATED).
// Errors go to stderr as the mysql CLI prints them: "ERROR 1062 (23000):
// Duplicate entry '1' for key 'PRIMARY'", with " at line N" for scripts.
#ifndef CLIENTS_CPP_CLI_COMMANDS_H_
#define CLIENTS_CPP_CLI_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cpp/cli/output.h"
#include "clients/cpp/cli/script_splitter.h"
#include "clients/cpp/client.h"

namespace mysqlgw::client::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitSqlError = 1;
inline constexpr int kExitUsage = 2;

int ExitCodeFor(const absl::Status& status);

struct CommandOptions {
  Format format = Format::kTable;
  CallOptions call;                // database, deadline
  bool continue_on_error = false;  // script: run the remaining statements
};

// Typed literals (param_literal.h) into positional parameters.
absl::StatusOr<Params> ParseParams(const std::vector<std::string>& args);

// query: a buffered Query, every result printed.
int RunQuery(const Client& client, absl::string_view sql, const Params& params,
             const CommandOptions& options, std::ostream& out, std::ostream& err);
// exec: Execute, the outcome printed.
int RunExec(const Client& client, absl::string_view sql, const Params& params,
            const CommandOptions& options, std::ostream& out, std::ostream& err);
// stream: StreamQuery, rows printed as they arrive (tables sized by their
// first 1000 rows).
int RunStream(const Client& client, absl::string_view sql, const Params& params,
              const CommandOptions& options, std::ostream& out, std::ostream& err);
// script: each statement as a buffered Query (inside the open transaction,
// if any); BEGIN / START TRANSACTION, COMMIT and ROLLBACK map to the
// gateway's transaction calls. A BEGIN inside an open transaction is an
// error (mysql would commit implicitly; a script that relies on it is
// probably wrong). A transaction still open at the end is rolled back, as
// when a mysql session ends. Stops at the first error unless
// continue_on_error; the exit code is 1 if any statement failed.
int RunScript(const Client& client, const std::vector<ScriptStatement>& statements,
              const CommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_COMMANDS_H_
