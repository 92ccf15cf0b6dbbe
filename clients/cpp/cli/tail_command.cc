#include "clients/cpp/cli/tail_command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cpp/cli/change_json.h"
#include "clients/cpp/cli/commands.h"

namespace mysqlgw::client::cli {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

std::string Folder(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// The token that an event makes the point to resume from, or nullptr.
const std::string* TokenOf(const ChangeEvent& event) {
  if (const auto* c = std::get_if<TransactionCommit>(&event)) {
    return c->resume_token.empty() ? nullptr : &c->resume_token;
  }
  if (const auto* p = std::get_if<SnapshotProgress>(&event)) {
    return p->resume_token.empty() ? nullptr : &p->resume_token;
  }
  return nullptr;
}

// Waits for SIGINT/SIGTERM/SIGHUP (blocked in every thread by main(), so
// they queue for sigtimedwait) and cancels the stream; polls `finished` so
// that it can be joined once the stream ended by itself.
class SignalCanceller {
 public:
  explicit SignalCanceller(ChangeStream* stream)
      : thread_([this, stream] {
          sigset_t set;
          sigemptyset(&set);
          sigaddset(&set, SIGINT);
          sigaddset(&set, SIGTERM);
          sigaddset(&set, SIGHUP);
          const timespec tick{0, 100 * 1000 * 1000};
          while (!finished_.load()) {
            if (sigtimedwait(&set, nullptr, &tick) > 0) {
              stream->Cancel();
              return;
            }
          }
        }) {}
  ~SignalCanceller() {
    finished_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace

std::vector<std::string> SplitList(absl::string_view list) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

absl::StatusOr<std::vector<ChangeKind>> ParseKinds(absl::string_view list) {
  std::vector<ChangeKind> kinds;
  for (const std::string& name : SplitList(list)) {
    absl::StatusOr<ChangeKind> kind = ParseChangeKind(absl::AsciiStrToLower(name));
    if (!kind.ok()) return kind.status();
    kinds.push_back(*kind);
  }
  return kinds;
}

absl::StatusOr<BinlogPosition> ParseBinlogPosition(absl::string_view text) {
  const size_t colon = text.rfind(':');
  BinlogPosition p;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(text.substr(colon + 1), &p.position)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a binlog position is FILE:OFFSET (mysql-bin.000002:4), not '", text, "'"));
  }
  p.file = std::string(text.substr(0, colon));
  return p;
}

absl::StatusOr<std::optional<std::string>> ReadTokenFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoError("cannot read the token file", path);
    const std::string folder = Folder(path);
    if (access(folder.c_str(), W_OK) != 0) {
      return ErrnoError("cannot write the token file's folder", folder);
    }
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("cannot read the token file", path);
  std::string text(std::istreambuf_iterator<char>(in), {});
  absl::string_view token = absl::StripAsciiWhitespace(text);
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

absl::Status WriteTokenFile(const std::string& path, absl::string_view token) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create", tmp);
  const std::string text = absl::StrCat(token, "\n");
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status s = ErrnoError("cannot write", tmp);
      close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return ErrnoError("cannot write", tmp);
  // rename(2) replaces PATH atomically: a reader (or the next run) sees the
  // old token or the new one, whenever this process dies.
  if (rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError("cannot replace", path);
  return absl::OkStatus();
}

absl::StatusOr<bool> ApplyTokenFile(TailOptions* options) {
  if (options->token_file.empty()) return false;
  absl::StatusOr<std::optional<std::string>> token = ReadTokenFile(options->token_file);
  if (!token.ok()) return token.status();
  if (!token->has_value()) return false;
  ChangesOptions& c = options->changes;
  c.resume_token = **token;
  c.gtid_set.clear();
  c.position.reset();
  c.earliest = false;
  c.snapshot_tables.clear();
  c.snapshot_all = false;
  c.progress_rows = 0;
  return true;
}

int RunTail(const Client& client, const TailOptions& options, std::ostream& out,
            std::ostream& err) {
  ChangesOptions changes = options.changes;
  changes.status_events = true;
  absl::StatusOr<ChangeStream> stream = client.Changes(changes);
  if (!stream.ok()) {
    err << FormatError(stream.status()) << '\n';
    return kExitUsage;
  }
  std::optional<SignalCanceller> canceller;
  if (options.cancel_on_signals) canceller.emplace(&*stream);

  auto output_failed = [&] {
    stream->Cancel();
    err << "ERROR: cannot write the output\n";
    return kExitSqlError;
  };
  std::string line;
  while (stream->Next()) {
    const ChangeEvent& event = stream->event();
    const bool heartbeat = std::holds_alternative<Heartbeat>(event);
    if (heartbeat && !options.heartbeats) continue;
    line = ChangeEventJson(event);
    line.push_back('\n');
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    // Transaction ends, progress and heartbeats are where a reader wants
    // what came before; stdout is not flushed row by row.
    const bool boundary = heartbeat || std::holds_alternative<TransactionCommit>(event) ||
                          std::holds_alternative<SnapshotProgress>(event) ||
                          std::holds_alternative<StreamStatus>(event);
    if (!boundary) continue;
    out.flush();
    if (!out) return output_failed();
    const std::string* token = TokenOf(event);
    if (token != nullptr && !options.token_file.empty()) {
      // Only after the events up to the token are out of this process:
      // the file never names a point beyond what was printed.
      absl::Status written = WriteTokenFile(options.token_file, *token);
      if (!written.ok()) {
        stream->Cancel();
        err << "ERROR: " << written.message() << '\n';
        return kExitSqlError;
      }
    }
  }
  out.flush();
  if (!out) return output_failed();
  const absl::Status status = stream->status();
  if (!status.ok()) {
    err << FormatError(status) << '\n';
    return ExitCodeFor(status);
  }
  return kExitOk;
}

}  // namespace mysqlgw::client::cli
