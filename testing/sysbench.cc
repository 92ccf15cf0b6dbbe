#include "testing/sysbench.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "testing/subprocess.h"

namespace mysqlgw::testing {
namespace {

std::vector<std::string> Argv(const SysbenchOptions& o, absl::string_view command) {
  std::vector<std::string> argv = {
      "sysbench",
      o.workload,
      "--db-driver=mysql",
      absl::StrCat("--mysql-host=", o.host),
      absl::StrCat("--mysql-port=", o.port),
      absl::StrCat("--mysql-user=", o.user),
      absl::StrCat("--mysql-password=", o.password),
      absl::StrCat("--mysql-db=", o.database),
      "--mysql-ssl=off",
      absl::StrCat("--tables=", o.tables),
      absl::StrCat("--table-size=", o.table_size),
      absl::StrCat("--threads=", o.threads),
      absl::StrCat("--time=", o.seconds),
      absl::StrCat("--events=", o.events),
      absl::StrCat("--db-ps-mode=", o.ps_mode),
  };
  argv.insert(argv.end(), o.extra_args.begin(), o.extra_args.end());
  argv.push_back(std::string(command));
  return argv;
}

absl::StatusOr<CommandResult> Run(const SysbenchOptions& o, absl::string_view command) {
  CommandOptions options;
  options.timeout = absl::Seconds(o.seconds + 120);
  absl::StatusOr<CommandResult> r = RunProcess(Argv(o, command), options);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::InternalError(absl::StrCat("sysbench ", o.workload, " ", command, " exited with ",
                                            r->exit_code, ":\n", r->stdout_data,
                                            r->stderr_data));
  }
  return r;
}

// "    queries:   200    (1924.02 per sec.)" -> 200 and 1924.02.
bool ReadCounter(absl::string_view line, absl::string_view label, int64_t* count,
                 double* rate = nullptr) {
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(line);
  if (!absl::ConsumePrefix(&rest, label)) return false;
  rest = absl::StripLeadingAsciiWhitespace(rest);
  std::vector<absl::string_view> parts = absl::StrSplit(rest, absl::ByAnyChar(" ("),
                                                        absl::SkipEmpty());
  if (parts.empty() || !absl::SimpleAtoi(parts[0], count)) return false;
  if (rate != nullptr && (parts.size() < 2 || !absl::SimpleAtod(parts[1], rate))) return false;
  return true;
}

}  // namespace

absl::Status SysbenchPrepare(const SysbenchOptions& options) {
  return Run(options, "prepare").status();
}

absl::Status SysbenchCleanup(const SysbenchOptions& options) {
  return Run(options, "cleanup").status();
}

absl::StatusOr<SysbenchResult> SysbenchRun(const SysbenchOptions& options) {
  absl::StatusOr<CommandResult> r = Run(options, "run");
  if (!r.ok()) return r.status();
  absl::StatusOr<SysbenchResult> result = ParseSysbenchReport(r->stdout_data);
  if (!result.ok()) {
    return absl::InternalError(
        absl::StrCat(result.status().message(), " in:\n", r->stdout_data, r->stderr_data));
  }
  result->output = r->stdout_data + r->stderr_data;
  return result;
}

absl::StatusOr<SysbenchResult> ParseSysbenchReport(absl::string_view output) {
  SysbenchResult out;
  bool transactions = false, queries = false, errors = false, reconnects = false;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    transactions |= ReadCounter(line, "transactions:", &out.transactions,
                                &out.transactions_per_second);
    queries |= ReadCounter(line, "queries:", &out.queries, &out.queries_per_second);
    errors |= ReadCounter(line, "ignored errors:", &out.ignored_errors);
    reconnects |= ReadCounter(line, "reconnects:", &out.reconnects);
    ReadCounter(line, "read:", &out.reads);
    ReadCounter(line, "write:", &out.writes);
  }
  if (!(transactions && queries && errors && reconnects)) {
    return absl::InvalidArgumentError("sysbench report without its SQL statistics");
  }
  return out;
}

}  // namespace mysqlgw::testing
