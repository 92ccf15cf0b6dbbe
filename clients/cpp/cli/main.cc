// mysqlgw-cli: SQL through the mysqlgw gateway from the command line.
// Wires flags to the commands in commands.h; see README.md for examples.
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cpp/cli/binlog_command.h"
#include "clients/cpp/cli/commands.h"
#include "clients/cpp/cli/output.h"
#include "clients/cpp/cli/script_splitter.h"
#include "clients/cpp/cli/tail_command.h"
#include "clients/cpp/client.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "gateway address (host:port or gRPC target)");
ABSL_FLAG(std::string, token, "",
          "bearer token; default: the MYSQLGW_TOKEN environment variable (which keeps it "
          "out of the process list)");
ABSL_FLAG(std::string, format, "table", "output format: table, jsonl or tsv");
ABSL_FLAG(std::string, database, "", "default database of every statement");
ABSL_FLAG(absl::Duration, timeout, absl::ZeroDuration(),
          "deadline of each call, e.g. 30s; the gateway kills a statement that outlives "
          "it (0: none)");
ABSL_FLAG(absl::Duration, connect_timeout, absl::Seconds(10),
          "how long to wait for the gateway to accept the connection");
ABSL_FLAG(bool, continue_on_error, false, "script: run the remaining statements after an error");
ABSL_FLAG(bool, tls, false, "connect with TLS (implied by --ca_file, --cert_file, --key_file)");
ABSL_FLAG(std::string, ca_file, "",
          "TLS: PEM file of the CA that signed the gateway's certificate");
ABSL_FLAG(std::string, cert_file, "", "mTLS: client certificate chain (PEM)");
ABSL_FLAG(std::string, key_file, "", "mTLS: client private key (PEM)");
ABSL_FLAG(std::string, server_name, "", "TLS: expect this name in the gateway's certificate");
ABSL_FLAG(std::string, types, "",
          "binlog: print only these event types, comma-separated names as the \"type\" field "
          "shows them (e.g. QUERY,TABLE_MAP,WRITE_ROWS_V1)");
ABSL_FLAG(bool, summary, false,
          "binlog: print the number of events of each type (and of rows) instead of the events");
ABSL_FLAG(std::string, token_file, "",
          "tail: start from the resume token in this file if it exists, and rewrite it (write + "
          "rename) after each commit or snapshot progress token printed");
ABSL_FLAG(std::string, from_token, "", "tail: start right after this resume token");
ABSL_FLAG(std::string, snapshot, "",
          "tail: copy the current rows of these tables first (comma-separated schema.table "
          "globs, e.g. 'shop.*'), then follow the changes after the copy");
ABSL_FLAG(uint32_t, progress_rows, 0,
          "tail: a snapshot progress event (with a token) every N rows of a table (0: 10000)");
ABSL_FLAG(bool, earliest, false, "tail: start at the oldest binlog the server has");
ABSL_FLAG(std::string, gtid_set, "", "tail: start after this GTID set (MariaDB 0-1-42,...)");
ABSL_FLAG(std::string, binlog_position, "", "tail: start at FILE:OFFSET");
ABSL_FLAG(bool, until_now, false,
          "tail: stop at the end of the binlog as it was when the stream began");
ABSL_FLAG(std::string, include, "", "tail: only these tables (comma-separated schema.table globs)");
ABSL_FLAG(std::string, exclude, "", "tail: not these tables (globs; wins over --include)");
ABSL_FLAG(std::string, kinds, "", "tail: only these row changes: insert,update,delete");
ABSL_FLAG(bool, ddl, false, "tail: print DDL statements too");
ABSL_FLAG(bool, omit_before_images, false,
          "tail: leave out before-images of updates and deletes (deletes keep the key)");
ABSL_FLAG(bool, heartbeats, false, "tail: print heartbeat events");
ABSL_FLAG(absl::Duration, heartbeat_interval, absl::ZeroDuration(),
          "tail: a heartbeat after this long without events (0: 1s)");
ABSL_FLAG(uint32_t, max_batch_events, 0,
          "tail: events per response message from the gateway (0: 500)");

namespace {

namespace cli = mysqlgw::client::cli;
using mysqlgw::client::Client;
using mysqlgw::client::ClientOptions;
using mysqlgw::client::TlsOptions;

constexpr char kUsage[] = R"(SQL through the mysqlgw gateway.

Usage:
  mysqlgw-cli [flags] query  "SQL" [param...]   run a query, print every result
  mysqlgw-cli [flags] exec   "SQL" [param...]   run a statement, print its effect
  mysqlgw-cli [flags] stream "SQL" [param...]   stream a large result row by row
  mysqlgw-cli [flags] script FILE|-             run a script (';' at line ends)
  mysqlgw-cli [--types=T,...] [--summary] binlog FILE...
                                                decode local binlog files to JSON
                                                lines (no gateway needed)
  mysqlgw-cli [tail flags] tail                 follow the change stream as JSON
                                                lines (also: changes)
Tail flags: --token-file=PATH --from-token=T --snapshot='db.t*' --until-now
--include=GLOBS --exclude=GLOBS --kinds=insert,update,delete --ddl (flag names
take '-' or '_').

Parameters fill '?' placeholders in order, as typed literals: int:5 uint:7
dbl:2.5 float:2.5 dec:1.50 str:text hex:00ff b64:AP8= date:2024-01-02
"datetime:2024-01-02 03:04:05.5" time:-100:00:00 json:{"a":1} null; any other
word is a string.

Exit status: 0 ok, 1 SQL or server error (binlog: a malformed event), 2 usage
or connection error.)";

// Flag names may be written with '-' for '_' (--token-file, --until-now):
// rewrites such names when the '_' spelling is a flag of this tool, skipping
// the value of a non-boolean flag given as the next argument.
std::vector<std::string> NormalizeFlagNames(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    const size_t start = arg[1] == '-' ? 2 : 1;
    const size_t eq = arg.find('=');
    const size_t end = eq == std::string::npos ? arg.size() : eq;
    std::string name = arg.substr(start, end - start);
    if (name.find('-') != std::string::npos) {
      std::string underscored = name;
      std::replace(underscored.begin(), underscored.end(), '-', '_');
      if (absl::FindCommandLineFlag(underscored) != nullptr) {
        arg.replace(start, end - start, underscored);
        name = underscored;
      }
    }
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag != nullptr && !flag->IsOfType<bool>() && eq == std::string::npos) ++i;
  }
  return args;
}

// --help: the usage and this tool's own flags, exit status 0 (absl's own
// --help would list the flags of every linked library and exit with 1).
bool PrintHelpIfAsked(int argc, char** argv) {
  bool asked = false;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    asked = asked || arg == "--help" || arg == "-help" || arg == "-h";
  }
  if (!asked) return false;
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::StrContains(flag->Filename(), "clients/cpp/cli/")) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  std::cout << kUsage << "\n\nFlags:\n";
  for (const absl::CommandLineFlag* flag : flags) {
    std::cout << "  --" << flag->Name() << " (default \"" << flag->DefaultValue() << "\")\n      "
              << flag->Help() << "\n";
  }
  return true;
}

// absl::ParseCommandLine exits with status 1 on an unknown flag or a bad
// value; usage errors exit with 2 here, so they are checked first with the
// same flag registry.
bool CheckFlags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    if (name == "help" || name == "helpfull" || name == "helpshort" || name == "version" ||
        name == "helppackage" || name == "helpon" || name == "helpmatch" ||
        name == "only_check_args") {
      continue;  // absl's usage flags: it prints and exits 0 (1 for some).
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* negated = absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>() && eq == absl::string_view::npos) {
        continue;
      }
    }
    if (flag == nullptr) {
      std::cerr << "ERROR: unknown flag --" << name << " (see --help)\n";
      return false;
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::cerr << "ERROR: flag --" << name << " needs a value\n";
      return false;
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      std::cerr << "ERROR: --" << name << ": " << error << "\n";
      return false;
    }
  }
  return true;
}

int Usage(absl::string_view problem) {
  std::cerr << "ERROR: " << problem << "\n\n" << kUsage << "\n";
  return cli::kExitUsage;
}

absl::StatusOr<std::string> ReadScript(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read script ", path));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The tail's flags into options; InvalidArgument for a usage error. The
// token file is read here, so that an unreadable one is a usage error too.
absl::Status ParseTailFlags(cli::TailOptions* tail) {
  mysqlgw::client::ChangesOptions& c = tail->changes;
  c.resume_token = absl::GetFlag(FLAGS_from_token);
  c.snapshot_tables = cli::SplitList(absl::GetFlag(FLAGS_snapshot));
  c.progress_rows = absl::GetFlag(FLAGS_progress_rows);
  c.earliest = absl::GetFlag(FLAGS_earliest);
  c.gtid_set = absl::GetFlag(FLAGS_gtid_set);
  if (const std::string p = absl::GetFlag(FLAGS_binlog_position); !p.empty()) {
    absl::StatusOr<mysqlgw::client::BinlogPosition> position = cli::ParseBinlogPosition(p);
    if (!position.ok()) return position.status();
    c.position = *position;
  }
  c.until_now = absl::GetFlag(FLAGS_until_now);
  c.include_tables = cli::SplitList(absl::GetFlag(FLAGS_include));
  c.exclude_tables = cli::SplitList(absl::GetFlag(FLAGS_exclude));
  absl::StatusOr<std::vector<mysqlgw::client::ChangeKind>> kinds =
      cli::ParseKinds(absl::GetFlag(FLAGS_kinds));
  if (!kinds.ok()) return kinds.status();
  c.kinds = *std::move(kinds);
  c.include_ddl = absl::GetFlag(FLAGS_ddl);
  c.omit_before_images = absl::GetFlag(FLAGS_omit_before_images);
  c.heartbeat_interval = absl::GetFlag(FLAGS_heartbeat_interval);
  c.max_batch_events = absl::GetFlag(FLAGS_max_batch_events);
  tail->heartbeats = absl::GetFlag(FLAGS_heartbeats);
  tail->token_file = absl::GetFlag(FLAGS_token_file);
  // The flags' own contradictions first (two starting points), whatever
  // the token file holds; then the file's token replaces the start.
  absl::StatusOr<mysqlgw::v1::StreamBinlogRequest> checked =
      mysqlgw::client::internal::MakeStreamBinlogRequest(c);
  if (!checked.ok()) return checked.status();
  absl::StatusOr<bool> resumed = cli::ApplyTokenFile(tail);
  if (!resumed.ok()) return resumed.status();
  return absl::OkStatus();
}

}  // namespace

int main(int original_argc, char** original_argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<std::string> normalized = NormalizeFlagNames(original_argc, original_argv);
  std::vector<char*> argv_storage;
  for (std::string& arg : normalized) argv_storage.push_back(arg.data());
  argv_storage.push_back(nullptr);
  const int argc = original_argc;
  char** argv = argv_storage.data();
  if (PrintHelpIfAsked(argc, argv)) return cli::kExitOk;
  if (!CheckFlags(argc, argv)) return cli::kExitUsage;
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> args(positional.begin() + 1, positional.end());
  if (args.empty()) return Usage("no command");
  const std::string command = args[0];

  if (command == "binlog") {
    // Local files only: no gateway, no connection flags.
    cli::BinlogOptions binlog_options;
    binlog_options.summary = absl::GetFlag(FLAGS_summary);
    if (const std::string types = absl::GetFlag(FLAGS_types); !types.empty()) {
      absl::StatusOr<absl::flat_hash_set<std::string>> parsed = cli::ParseBinlogTypes(types);
      if (!parsed.ok()) return Usage(parsed.status().message());
      binlog_options.types = *std::move(parsed);
    }
    if (args.size() < 2) return Usage("binlog needs at least one FILE");
    std::ios::sync_with_stdio(false);
    return cli::RunBinlog(std::vector<std::string>(args.begin() + 1, args.end()), binlog_options,
                          std::cout, std::cerr);
  }

  absl::StatusOr<cli::Format> format = cli::ParseFormat(absl::GetFlag(FLAGS_format));
  if (!format.ok()) return Usage(format.status().message());
  cli::CommandOptions options;
  options.format = *format;
  options.call.database = absl::GetFlag(FLAGS_database);
  options.call.timeout = absl::GetFlag(FLAGS_timeout);
  options.continue_on_error = absl::GetFlag(FLAGS_continue_on_error);

  // Everything that can be checked without the gateway is, first: a usage
  // error never costs a connection.
  mysqlgw::client::Params params;
  std::vector<cli::ScriptStatement> statements;
  cli::TailOptions tail;
  const bool is_tail = command == "tail" || command == "changes";
  if (is_tail) {
    if (args.size() != 1) return Usage(absl::StrCat(command, " takes no arguments (see --help)"));
    absl::Status parsed = ParseTailFlags(&tail);
    if (!parsed.ok()) return Usage(parsed.message());
  } else if (command == "query" || command == "exec" || command == "stream") {
    if (args.size() < 2) return Usage(absl::StrCat(command, " needs the SQL text"));
    absl::StatusOr<mysqlgw::client::Params> parsed =
        cli::ParseParams(std::vector<std::string>(args.begin() + 2, args.end()));
    if (!parsed.ok()) return Usage(parsed.status().message());
    params = *std::move(parsed);
  } else if (command == "script") {
    if (args.size() != 2) return Usage("script needs one FILE (or - for stdin)");
    absl::StatusOr<std::string> text = ReadScript(args[1]);
    if (!text.ok()) return Usage(text.status().message());
    absl::StatusOr<std::vector<cli::ScriptStatement>> split = cli::SplitScript(*text);
    if (!split.ok()) return Usage(absl::StrCat(args[1], ": ", split.status().message()));
    statements = *std::move(split);
  } else {
    return Usage(absl::StrCat("unknown command '", command, "'"));
  }

  if (is_tail) {
    // Before any thread exists (gRPC starts some when connecting), so
    // that every thread inherits the mask and these signals wait for the
    // tail's sigtimedwait, which cancels the stream and exits cleanly.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    tail.cancel_on_signals = true;
  }

  ClientOptions client_options;
  client_options.token = absl::GetFlag(FLAGS_token);
  if (client_options.token.empty()) {
    if (const char* env = std::getenv("MYSQLGW_TOKEN"); env != nullptr) {
      client_options.token = env;
    }
  }
  client_options.connect_timeout = absl::GetFlag(FLAGS_connect_timeout);
  if (absl::GetFlag(FLAGS_tls) || !absl::GetFlag(FLAGS_ca_file).empty() ||
      !absl::GetFlag(FLAGS_cert_file).empty() || !absl::GetFlag(FLAGS_key_file).empty()) {
    TlsOptions tls;
    tls.root_ca_path = absl::GetFlag(FLAGS_ca_file);
    tls.client_cert_path = absl::GetFlag(FLAGS_cert_file);
    tls.client_key_path = absl::GetFlag(FLAGS_key_file);
    tls.server_name_override = absl::GetFlag(FLAGS_server_name);
    client_options.tls = tls;
  }
  absl::StatusOr<Client> client =
      Client::Connect(absl::GetFlag(FLAGS_target), std::move(client_options));
  if (!client.ok()) {
    std::cerr << mysqlgw::client::FormatError(client.status()) << "\n";
    return cli::kExitUsage;
  }

  std::ios::sync_with_stdio(false);
  const std::string& sql = args.size() > 1 ? args[1] : command;
  if (command == "query") return cli::RunQuery(*client, sql, params, options, std::cout, std::cerr);
  if (command == "exec") return cli::RunExec(*client, sql, params, options, std::cout, std::cerr);
  if (command == "stream") {
    return cli::RunStream(*client, sql, params, options, std::cout, std::cerr);
  }
  if (is_tail) return cli::RunTail(*client, tail, std::cout, std::cerr);
  return cli::RunScript(*client, statements, options, std::cout, std::cerr);
}
