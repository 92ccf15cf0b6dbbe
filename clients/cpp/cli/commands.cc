#include "clients/cpp/cli/commands.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/cpp/cli/param_literal.h"

namespace mysqlgw::client::cli {
namespace {

// Rows that size a streamed table: enough for sensible widths, bounded.
constexpr size_t kStreamTableSample = 1000;

int Fail(const absl::Status& status, absl::string_view where, std::ostream& out,
         std::ostream& err) {
  out.flush();  // Results printed so far come before the error.
  err << FormatError(status, where) << '\n';
  return ExitCodeFor(status);
}

}  // namespace

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == absl::StatusCode::kUnauthenticated) return kExitUsage;
  if (status.code() == absl::StatusCode::kUnavailable && !MySqlErrorOf(status)) {
    return kExitUsage;
  }
  return kExitSqlError;
}

absl::StatusOr<Params> ParseParams(const std::vector<std::string>& args) {
  Params params;
  for (const std::string& arg : args) {
    absl::StatusOr<v1::Value> value = ParseParamLiteral(arg);
    if (!value.ok()) return value.status();
    params.positional.push_back(*std::move(value));
  }
  return params;
}

int RunQuery(const Client& client, absl::string_view sql, const Params& params,
             const CommandOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<QueryResult> result = client.Query(sql, params, options.call);
  if (!result.ok()) return Fail(result.status(), "", out, err);
  ResultPrinter(options.format, &out).Print(*result);
  out.flush();
  return kExitOk;
}

int RunExec(const Client& client, absl::string_view sql, const Params& params,
            const CommandOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<v1::StatementOutcome> outcome = client.Execute(sql, params, options.call);
  if (!outcome.ok()) return Fail(outcome.status(), "", out, err);
  ResultPrinter(options.format, &out).Outcome(*outcome);
  out.flush();
  return kExitOk;
}

int RunStream(const Client& client, absl::string_view sql, const Params& params,
              const CommandOptions& options, std::ostream& out, std::ostream& err) {
  ResultPrinter printer(options.format, &out, kStreamTableSample);
  bool in_result = false;
  absl::Status s = client.Stream(
      sql, params, options.call,
      [&](const v1::Row& row) {
        printer.Row(row);
        return absl::OkStatus();
      },
      [&](const std::vector<v1::Column>& columns) {
        printer.BeginResult(columns);
        in_result = true;
      },
      [&](const v1::StreamQueryResponse::Footer& footer) {
        if (in_result) {
          printer.EndResult();
          in_result = false;
        } else {
          printer.Outcome(footer.outcome());
        }
      });
  if (!s.ok()) return Fail(s, "", out, err);
  out.flush();
  return kExitOk;
}

int RunScript(const Client& client, const std::vector<ScriptStatement>& statements,
              const CommandOptions& options, std::ostream& out, std::ostream& err) {
  ResultPrinter printer(options.format, &out);
  std::optional<Transaction> tx;
  int tx_line = 0;
  int exit_code = kExitOk;
  for (const ScriptStatement& statement : statements) {
    const std::string where = absl::StrCat(" at line ", statement.line);
    const TransactionControl control = ClassifyTransactionControl(statement.sql);
    absl::Status status;
    switch (control.kind) {
      case TransactionControl::kBegin:
        if (tx.has_value()) {
          status = absl::FailedPreconditionError(
              absl::StrCat("a transaction begun at line ", tx_line,
                           " is still open; COMMIT or ROLLBACK it first"));
          break;
        } else {
          TransactionOptions tx_options;
          tx_options.read_only = control.read_only;
          tx_options.database = options.call.database;
          tx_options.timeout = options.call.timeout;
          absl::StatusOr<Transaction> begun = client.Begin(tx_options);
          status = begun.status();
          if (begun.ok()) {
            tx.emplace(*std::move(begun));
            tx_line = statement.line;
          }
        }
        break;
      case TransactionControl::kCommit:
      case TransactionControl::kRollback:
        // Without a transaction both do nothing, as in mysql.
        if (tx.has_value()) {
          status = control.kind == TransactionControl::kCommit ? tx->Commit(options.call.timeout)
                                                               : tx->Rollback(options.call.timeout);
          // Even after a failed COMMIT the script goes on outside the
          // transaction; the destructor rolls back whatever is left.
          tx.reset();
        }
        break;
      case TransactionControl::kNone: {
        absl::StatusOr<QueryResult> result = tx.has_value()
                                                 ? tx->Query(statement.sql, {}, options.call)
                                                 : client.Query(statement.sql, {}, options.call);
        status = result.status();
        if (result.ok()) printer.Print(*result);
        break;
      }
    }
    if (status.ok() && control.kind != TransactionControl::kNone) printer.TransactionControl();
    if (!status.ok()) {
      const int code = Fail(status, where, out, err);
      exit_code = std::max(exit_code, code);
      if (!options.continue_on_error || code == kExitUsage) return exit_code;
    }
  }
  if (tx.has_value()) {
    out.flush();
    err << "Note: the transaction begun at line " << tx_line
        << " was not committed; it was rolled back\n";
    (void)tx->Rollback(options.call.timeout);
  }
  out.flush();
  return exit_code;
}

}  // namespace mysqlgw::client::cli
