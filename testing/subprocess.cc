#include "testing/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

extern char** environ;

namespace mysqlgw::testing {
namespace {

// How much of the child's stderr an error message keeps (its tail).
constexpr size_t kMaxStderrInMessage = 8192;

absl::Status ErrnoStatus(absl::string_view what, int err) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(err)));
}

void CloseFd(int& fd) {
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
}

// A pipe whose two ends are closed when it goes out of scope.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  ~Pipe() {
    CloseFd(read_end);
    CloseFd(write_end);
  }
  absl::Status Open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
    read_end = fds[0];
    write_end = fds[1];
    return absl::OkStatus();
  }
};

// Builds "NAME=value" entries: this process's environment with overrides.
std::vector<std::string> BuildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view entry(*e);
    bool overridden = false;
    for (const auto& [name, value] : overrides) {
      if (absl::StartsWith(entry, name) && entry.size() > name.size() &&
          entry[name.size()] == '=') {
        overridden = true;
        break;
      }
    }
    if (!overridden) env.emplace_back(entry);
  }
  for (const auto& [name, value] : overrides) {
    env.push_back(absl::StrCat(name, "=", value));
  }
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads what is available from fd into out. Returns false at EOF or on error.
bool ReadAvailable(int fd, std::string& out) {
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;  // EOF or a real error.
  }
}

// Blocks SIGPIPE in the calling thread for its lifetime, so writing to a child
// that has exited yields EPIPE instead of killing the process; a SIGPIPE
// raised meanwhile is consumed before the old mask comes back.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        const struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t old_mask_;
  bool was_pending_ = false;
};

int WaitForChild(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

void FillExitStatus(int status, CommandResult& result) {
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -1;
    result.term_signal = WTERMSIG(status);
  }
}

std::string Tail(absl::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return absl::StrCat("...", text.substr(text.size() - max));
}

}  // namespace

std::string FormatCommandLine(const std::vector<std::string>& argv) {
  std::vector<std::string> parts;
  parts.reserve(argv.size());
  for (const std::string& arg : argv) {
    if (absl::StartsWith(arg, "--password=")) {
      parts.push_back("--password=***");
      continue;
    }
    bool plain = !arg.empty() &&
                 std::all_of(arg.begin(), arg.end(), [](char c) {
                   return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                          absl::string_view("-_./=:,@%+").find(c) !=
                              absl::string_view::npos;
                 });
    if (plain) {
      parts.push_back(arg);
    } else {
      std::string quoted = "'";
      for (char c : arg) {
        if (c == '\'') {
          quoted += "'\\''";
        } else {
          quoted += c;
        }
      }
      quoted += "'";
      parts.push_back(std::move(quoted));
    }
  }
  return absl::StrJoin(parts, " ");
}

absl::StatusOr<CommandResult> RunProcess(const std::vector<std::string>& argv,
                                         const CommandOptions& options) {
  if (argv.empty() || argv[0].empty()) {
    return absl::InvalidArgumentError("RunProcess: empty argv");
  }
  const absl::Time deadline = options.timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : absl::Now() + options.timeout;

  Pipe in, out, err;
  for (Pipe* p : {&in, &out, &err}) {
    if (absl::Status s = p->Open(); !s.ok()) return s;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  absl::Cleanup destroy_actions = [&actions] {
    posix_spawn_file_actions_destroy(&actions);
  };
  posix_spawn_file_actions_adddup2(&actions, in.read_end, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write_end, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end, STDERR_FILENO);

  // The child starts with no blocked signals and default dispositions, even
  // if this thread blocks or ignores some (gtest, the SIGPIPE block below).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  absl::Cleanup destroy_attr = [&attr] { posix_spawnattr_destroy(&attr); };
  sigset_t empty_set, default_set;
  sigemptyset(&empty_set);
  sigemptyset(&default_set);
  for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1,
                  SIGUSR2, SIGALRM}) {
    sigaddset(&default_set, sig);
  }
  posix_spawnattr_setsigmask(&attr, &empty_set);
  posix_spawnattr_setsigdefault(&attr, &default_set);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = argv;
  std::vector<char*> c_args = CStrings(args);
  std::vector<std::string> env = BuildEnvironment(options.env);
  std::vector<char*> c_env = CStrings(env);

  pid_t pid = -1;
  const int spawn_error = posix_spawnp(&pid, args[0].c_str(), &actions, &attr,
                                       c_args.data(), c_env.data());
  if (spawn_error != 0) {
    const std::string what =
        absl::StrCat("cannot run `", FormatCommandLine(argv), "`: ",
                     strerror(spawn_error));
    if (spawn_error == ENOENT) return absl::NotFoundError(what);
    return absl::InternalError(what);
  }

  CloseFd(in.read_end);
  CloseFd(out.write_end);
  CloseFd(err.write_end);
  for (int fd : {in.write_end, out.read_end, err.read_end}) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }

  CommandResult result;
  ScopedSigpipeBlock sigpipe_block;
  size_t written = 0;
  if (options.stdin_data.empty()) CloseFd(in.write_end);
  bool out_open = true;
  bool err_open = true;
  bool reaped = false;
  int status = 0;

  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out.read_end, POLLIN, 0});
    if (err_open) fds.push_back({err.read_end, POLLIN, 0});
    if (in.write_end >= 0) fds.push_back({in.write_end, POLLOUT, 0});

    // Wake up now and then to notice a child that exited while something it
    // started still holds the pipes open.
    int timeout_ms = 50;
    if (deadline != absl::InfiniteFuture()) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        kill(pid, SIGKILL);
        WaitForChild(pid);
        return absl::DeadlineExceededError(absl::StrCat(
            "`", FormatCommandLine(argv), "` did not finish within ",
            absl::FormatDuration(options.timeout), "; stderr: ",
            Tail(result.stderr_data, kMaxStderrInMessage)));
      }
      timeout_ms = static_cast<int>(
          std::min<int64_t>(50, absl::ToInt64Milliseconds(left) + 1));
    }
    const int n = poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) {
      const int e = errno;
      kill(pid, SIGKILL);
      WaitForChild(pid);
      return ErrnoStatus("poll", e);
    }
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == out.read_end) {
        out_open = ReadAvailable(out.read_end, result.stdout_data);
      } else if (p.fd == err.read_end) {
        err_open = ReadAvailable(err.read_end, result.stderr_data);
      } else if (p.fd == in.write_end) {
        if (p.revents & (POLLERR | POLLHUP)) {
          CloseFd(in.write_end);
          continue;
        }
        const ssize_t w = write(in.write_end, options.stdin_data.data() + written,
                                options.stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
            written == options.stdin_data.size()) {
          CloseFd(in.write_end);
        }
      }
    }
    if (!reaped) {
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        reaped = true;
        // Everything the child wrote is in the pipes now; take it and stop.
        if (out_open) ReadAvailable(out.read_end, result.stdout_data);
        if (err_open) ReadAvailable(err.read_end, result.stderr_data);
        break;
      }
    }
  }
  CloseFd(in.write_end);
  if (!reaped) status = WaitForChild(pid);
  FillExitStatus(status, result);
  return result;
}

absl::StatusOr<std::string> RunCommand(const std::vector<std::string>& argv,
                                       const CommandOptions& options) {
  absl::StatusOr<CommandResult> result = RunProcess(argv, options);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    const std::string how =
        result->term_signal != 0
            ? absl::StrCat("was killed by signal ", result->term_signal)
            : absl::StrCat("exited with status ", result->exit_code);
    return absl::InternalError(
        absl::StrCat("`", FormatCommandLine(argv), "` ", how, "; stderr: ",
                     Tail(result->stderr_data, kMaxStderrInMessage)));
  }
  return std::move(result->stdout_data);
}

absl::StatusOr<std::string> RunCommand(const std::vector<std::string>& argv,
                                       absl::string_view stdin_data) {
  CommandOptions options;
  options.stdin_data = std::string(stdin_data);
  return RunCommand(argv, options);
}

}  // namespace mysqlgw::testing
