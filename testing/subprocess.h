// Runs a child process with captured output, without a shell.
//
// A small posix_spawn wrapper for tests and test fixtures: arguments are
// passed as a vector (never through /bin/sh), stdin is fed from a string, and
// stdout and stderr are captured separately. It never throws; failures come
// back as absl::Status.

#ifndef MYSQLGW_TESTING_SUBPROCESS_H_
#define MYSQLGW_TESTING_SUBPROCESS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mysqlgw::testing {

struct CommandOptions {
  // Written to the child's stdin, which is then closed.
  std::string stdin_data;
  // Environment entries added to (or replacing those of) this process's
  // environment, e.g. {"MYSQL_PWD", "secret"}.
  std::vector<std::pair<std::string, std::string>> env;
  // The child is killed with SIGKILL once this much time has passed.
  absl::Duration timeout = absl::InfiniteDuration();
};

struct CommandResult {
  // The exit status, or -1 when the child was killed by a signal.
  int exit_code = -1;
  // The signal that killed the child, or 0.
  int term_signal = 0;
  std::string stdout_data;
  std::string stderr_data;
};

// Runs argv[0] (looked up in PATH when it has no slash) with argv and waits for
// it. Returns the result whatever the exit status; an error only when the
// program could not be started (NotFound if it does not exist) or ran past
// options.timeout (DeadlineExceeded). Output written after the child exits by
// processes it left behind is not waited for.
absl::StatusOr<CommandResult> RunProcess(const std::vector<std::string>& argv,
                                         const CommandOptions& options);

// Runs argv and returns its stdout. A non-zero exit status is an error
// (Internal) whose message holds the command line (with --password= values
// hidden), the exit status and the child's stderr.
absl::StatusOr<std::string> RunCommand(const std::vector<std::string>& argv,
                                       absl::string_view stdin_data = "");
absl::StatusOr<std::string> RunCommand(const std::vector<std::string>& argv,
                                       const CommandOptions& options);

// A shell-like rendering of argv for messages, with --password= values hidden.
std::string FormatCommandLine(const std::vector<std::string>& argv);

}  // namespace mysqlgw::testing

#endif  // MYSQLGW_TESTING_SUBPROCESS_H_
