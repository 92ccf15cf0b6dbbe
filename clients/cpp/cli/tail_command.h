// `mysqlgw-cli tail`: follows a change stream (changes.h) and prints one JSON
// object per event (change_json.h), flushing stdout at every transaction end
// and snapshot progress event.
//
// With a token file the output survives restarts exactly once: the stream
// starts from the token in the file when there is one, and after each
// commit or snapshot progress token is printed (and stdout flushed) the
// file is replaced by one holding that token (written to PATH.tmp, then
// renamed over PATH, so a crash or kill -9 leaves either the old token or
// the new one, never a partial file). A rerun of the same command thus
// prints exactly what follows the last transaction whose token reached the
// file; only events printed after that token (at most the transaction in
// progress when the CLI died, and its commit if the kill fell between the
// print and the rename) are printed again.
#ifndef CLIENTS_CPP_CLI_TAIL_COMMAND_H_
#define CLIENTS_CPP_CLI_TAIL_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cpp/client.h"

namespace mysqlgw::client::cli {

struct TailOptions {
  ChangesOptions changes;
  // Empty: none.
  std::string token_file;
  // Print Heartbeat events (every heartbeat interval of quiet).
  bool heartbeats = false;
  // Cancel the stream on SIGINT/SIGTERM/SIGHUP (which main() blocks in
  // every thread) and exit 0 after flushing what was printed.
  bool cancel_on_signals = false;
};

// "a.b, c.*" -> {"a.b", "c.*"} (empty items dropped).
std::vector<std::string> SplitList(absl::string_view list);

// "insert,delete" -> kinds; InvalidArgument for any other name.
absl::StatusOr<std::vector<ChangeKind>> ParseKinds(absl::string_view list);

// "mysql-bin.000002:4" -> a position; InvalidArgument otherwise.
absl::StatusOr<BinlogPosition> ParseBinlogPosition(absl::string_view text);

// The token held in `path`: nullopt when the file does not exist or holds
// only white space; an error when it exists but cannot be read, or when its
// folder does not exist (it could never be written).
absl::StatusOr<std::optional<std::string>> ReadTokenFile(const std::string& path);

// Replaces `path` by a file holding `token` and a newline: writes PATH.tmp
// and renames it over PATH (atomic on POSIX file systems).
absl::Status WriteTokenFile(const std::string& path, absl::string_view token);

// Resolves the start of `options->changes` with the token file: when the
// file holds a token, the stream resumes from it and the starting points
// given by flags (a snapshot, --from_token, ...) are dropped, so the same
// command line starts once and resumes ever after. Returns whether the
// file's token is used.
absl::StatusOr<bool> ApplyTokenFile(TailOptions* options);

// Runs the stream until its end (--until_now), a signal, or an error;
// returns the exit status (0, or ExitCodeFor the error; 1 when stdout or
// the token file cannot be written).
int RunTail(const Client& client, const TailOptions& options, std::ostream& out,
            std::ostream& err);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_TAIL_COMMAND_H_
