// mysqlgw-cli: SQL through the mysqlgw gateway from the command line.
// Wires flags to the commands in commands.h; see README.md for examples.
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

Parameters fill '?' placeholders in order, as typed literals: int:5 uint:7
dbl:2.5 float:2.5 dec:1.50 str:text hex:00ff b64:AP8= date:2024-01-02
"datetime:2024-01-02 03:04:05.5" time:-100:00:00 json:{"a":1} null; any other
word is a string.

Exit status: 0 ok, 1 SQL or server error (binlog: a malformed event), 2 usage
or connection error.)";

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

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
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
  if (command == "query" || command == "exec" || command == "stream") {
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
  return cli::RunScript(*client, statements, options, std::cout, std::cerr);
}
