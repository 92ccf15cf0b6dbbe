// `mysqlgw-cli binlog FILE...`: decodes local binlog (or relay log) files
// with mysqlwire/binlog, without a gateway, and prints one JSON object per
// event (binlog_json.h), or with --summary one object counting them.
//
// Each file is decoded on its own (a fresh decoder: every binlog file starts
// with its FORMAT_DESCRIPTION). Exit status:
//   0  every file decoded to its end
//   1  a malformed or truncated event: the events before it are printed,
//      then "ERROR: FILE: event at offset N: ..." on stderr, and nothing
//      after it (later files are not read)
//   2  usage errors, checked before anything is printed: no file, an
//      unknown --types name, a file that cannot be opened or is not a
//      binlog (no \xfe"bin" magic)
#ifndef CLIENTS_CPP_CLI_BINLOG_COMMAND_H_
#define CLIENTS_CPP_CLI_BINLOG_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/binlog/binlog_file_reader.h"

namespace mysqlgw::client::cli {

struct BinlogOptions {
  // Event type names (EventTypeName, upper case) to print; empty: all.
  absl::flat_hash_set<std::string> types;
  // Print {"events":N,"types":{"QUERY":2,...},"rows":{"insert":..,
  // "update":..,"delete":..}} at the end instead of the events (counting
  // only the events --types selects).
  bool summary = false;
};

// "QUERY,write_rows" -> {"QUERY", "WRITE_ROWS"}: names as the "type" field
// prints them, case-insensitive. InvalidArgument for an unknown name.
absl::StatusOr<absl::flat_hash_set<std::string>> ParseBinlogTypes(absl::string_view list);

// Opens the files (a usage error if one cannot be), then decodes them in
// order. Returns the exit status.
int RunBinlog(const std::vector<std::string>& paths, const BinlogOptions& options,
              std::ostream& out, std::ostream& err);

// The same over readers already opened (for tests: BinlogFileReader::FromBytes).
int DumpBinlogs(std::vector<mysqlwire::binlog::BinlogFileReader>& readers,
                const BinlogOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_BINLOG_COMMAND_H_
