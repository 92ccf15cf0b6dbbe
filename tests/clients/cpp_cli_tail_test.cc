// `mysqlgw-cli tail` end to end: the real binary as a subprocess, the real
// gateway, a sandbox MariaDB. JSON lines are parsed (every line must be
// valid JSON) and row lines compared exactly; the token file must give
// exactly-once output across reruns and across a kill -9.
//
// What "exactly once across a kill -9" means here: the CLI writes the token
// of a commit (or snapshot progress event) to the file only after the lines
// up to it have left the process. So after a kill, let T be the token in
// the file and P the lines the killed run printed up to and including the
// event that carried T. The rerun (same command, same file) must print no
// row of P again, and P's rows plus the rerun's rows must be every row of
// the table exactly once. Rows the killed run printed after T are not
// covered by any token, so they come again in the rerun (that is the only
// repetition allowed, and it is visible to a consumer as lines after the
// last token).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "clients/cpp/client.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/clients/live_gateway.h"
#include "tests/support/gateway_process.h"
#include "tools/cpp/runfiles/runfiles.h"

extern char** environ;

namespace mysqlgw::client {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;
using ::mysqlgw::testing::CommandResult;
using ::mysqlgw::testing::GatewayProcess;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::StatusOr<std::string> Runfile(const std::string& name, int mode = R_OK) {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) return absl::NotFoundError("runfiles: " + error);
  std::string path = runfiles->Rlocation("mysqlgw/" + name);
  if (access(path.c_str(), mode) != 0) {
    return absl::NotFoundError(absl::StrCat(name, " not found at ", path));
  }
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string TempPath(const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name;
  unlink(path.c_str());
  unlink((path + ".tmp").c_str());
  return path;
}

// One parsed output line.
struct Line {
  std::string text;
  google::protobuf::Struct json;

  std::string Str(const std::string& key) const {
    auto it = json.fields().find(key);
    return it == json.fields().end() ? "" : it->second.string_value();
  }
  std::string type() const { return Str("type"); }
  bool is_row() const { return type() == "row"; }
  // The "id" of a row line's after (else before) image.
  int64_t id() const {
    for (const char* image : {"after", "before"}) {
      auto it = json.fields().find(image);
      if (it == json.fields().end()) continue;
      return static_cast<int64_t>(it->second.struct_value().fields().at("id").number_value());
    }
    return -1;
  }
  // What the line names as the point to resume from, if anything.
  std::string token() const { return Str("resume_token"); }
};

std::vector<Line> ParseLines(const std::string& out) {
  std::vector<Line> lines;
  if (!out.empty()) {
    EXPECT_TRUE(absl::EndsWith(out, "\n")) << "output ends in the middle of a line";
  }
  for (absl::string_view text : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    Line line;
    line.text = std::string(text);
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line.text, &line.json).ok())
        << "not JSON: " << text;
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> RowTexts(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const Line& l : lines) {
    if (l.is_row()) out.push_back(l.text);
  }
  return out;
}

std::vector<std::string> Types(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const Line& l : lines) {
    out.push_back(l.type() == "snapshot" ? "snapshot " + l.Str("phase") : l.type());
  }
  return out;
}

// A child whose stdout is a pipe read line by line (so the test decides
// when it dies: a child blocked on a full pipe is in the middle of its
// stream), stderr a file.
class Child {
 public:
  static std::unique_ptr<Child> Start(const std::vector<std::string>& argv,
                                      const std::string& token) {
    auto child = std::unique_ptr<Child>(new Child());
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return nullptr;
    child->stderr_path_ = TempPath("child-stderr");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, child->stderr_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      if (!absl::StartsWith(*e, "MYSQLGW_TOKEN=")) env_strings.push_back(*e);
    }
    env_strings.push_back("MYSQLGW_TOKEN=" + token);
    std::vector<char*> env, args;
    for (std::string& s : env_strings) env.push_back(s.data());
    env.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (std::string& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);
    const int rc = posix_spawn(&child->pid_, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    child->out_ = fds[0];
    if (rc != 0) return nullptr;
    return child;
  }

  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      (void)Wait();
    }
    if (out_ >= 0) close(out_);
  }

  // The next line (without its newline); nullopt at EOF or after `timeout`.
  std::optional<std::string> ReadLine(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      const size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        all_ += line + "\n";
        return line;
      }
      if (eof_) return std::nullopt;
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) <= 0) continue;
      char chunk[65536];
      const ssize_t n = read(out_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  // Everything the child wrote to stdout, whole lines, after reading to
  // EOF. A child killed while writing may leave the start of a line: that
  // is no line, and is returned in `partial`.
  std::string Drain(std::string* partial = nullptr) {
    while (ReadLine(absl::Seconds(120)).has_value()) {
    }
    EXPECT_TRUE(eof_) << "the child's stdout did not end";
    if (partial != nullptr) {
      *partial = buffer_;
    } else {
      EXPECT_EQ(buffer_, "") << "the child's output ends in the middle of a line";
    }
    return all_;
  }

  void Signal(int signal) { kill(pid_, signal); }

  // The exit status, or -signal.
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  std::string Stderr() const { return ReadFile(stderr_path_); }

 private:
  Child() = default;
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_, all_, stderr_path_;
  bool eof_ = false;
};

class CliTailTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> cli = Runfile("clients/cpp/mysqlgw-cli", X_OK);
    ASSERT_TRUE(cli.ok()) << cli.status();
    cli_ = new std::string(*cli);
    auto server = mysqlgw::testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    auto gw = mysqlgw::testing::StartClientTestGateway(**server);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
    ClientOptions options;
    options.token = mysqlgw::testing::kAppToken;
    absl::StatusOr<Client> db = Client::Connect(gateway_->address(), options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = new Client(*std::move(db));
  }
  static void TearDownTestSuite() {
    delete db_;
    delete gateway_;
    delete cli_;
  }

  static void Exec(const std::string& sql) {
    absl::StatusOr<v1::StatementOutcome> out = db_->Execute(sql);
    ASSERT_TRUE(out.ok()) << sql << ": " << out.status();
  }

  static std::vector<std::string> Argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {*cli_, "--target=" + gateway_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  static CommandResult Cli(const std::vector<std::string>& args,
                           const char* token = mysqlgw::testing::kAppToken) {
    mysqlgw::testing::CommandOptions options;
    options.env = {{"MYSQLGW_TOKEN", token}};
    options.timeout = absl::Seconds(300);
    absl::StatusOr<CommandResult> r = mysqlgw::testing::RunProcess(Argv(args), options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  static std::string Token(const std::string& path) {
    return std::string(absl::StripSuffix(ReadFile(path), "\n"));
  }

  // The shared exactly-once check of a run killed with SIGKILL after
  // `kill_after_rows` row lines, then rerun. `ids` are every row's id.
  // With `inside` the callers' transactions (or chunks) are larger than a
  // pipe holds, so the CLI is blocked inside one when it dies, having
  // printed rows that no token in the file covers: those must come again,
  // and only those. Without, transactions are small and the CLI blocks in
  // the flush at a commit, just before it would write that commit's token.
  static void KillThenRerun(const std::vector<std::string>& args, const std::string& token_file,
                            int kill_after_rows, const std::set<int64_t>& ids, bool inside) {
    const std::string token_before = Token(token_file);
    std::unique_ptr<Child> child = Child::Start(Argv(args), mysqlgw::testing::kAppToken);
    ASSERT_NE(child, nullptr);
    int rows = 0;
    while (rows < kill_after_rows) {
      std::optional<std::string> line = child->ReadLine(absl::Seconds(120));
      ASSERT_TRUE(line.has_value()) << "the stream ended after " << rows << " rows: "
                                    << child->Stderr();
      if (absl::StartsWith(*line, "{\"type\":\"row\"")) ++rows;
    }
    // The CLI cannot have finished (most rows are unread, far more than a
    // pipe holds), and it has written tokens since it started.
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (Token(token_file) == token_before && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    ASSERT_NE(Token(token_file), token_before) << "no token written";
    // Not reading for a while lets the pipe fill: the CLI then blocks in a
    // write, typically in the middle of a transaction or a chunk, which is
    // where the kill should land.
    absl::SleepFor(absl::Seconds(1));
    child->Signal(SIGKILL);
    std::string partial;
    const std::vector<Line> first = ParseLines(child->Drain(&partial));
    EXPECT_EQ(child->Wait(), -SIGKILL);
    const std::string token = Token(token_file);

    // P: the killed run's lines up to the one whose token is in the file.
    std::optional<size_t> found;
    for (size_t i = 0; i < first.size(); ++i) {
      if (first[i].token() == token) found = i + 1;
    }
    ASSERT_TRUE(found.has_value()) << "the token file names a point the killed run never printed";
    const size_t end = *found;
    std::map<int64_t, int> seen;
    int covered = 0, uncovered = 0;
    for (size_t i = 0; i < first.size(); ++i) {
      if (!first[i].is_row()) continue;
      if (i < end) {
        ++seen[first[i].id()];
        ++covered;
      } else {
        ++uncovered;
      }
    }
    ASSERT_GE(covered, kill_after_rows / 2);
    ASSERT_LT(covered, static_cast<int>(ids.size()));
    if (inside) {
      EXPECT_GT(uncovered, 0) << "the kill did not land inside a transaction or chunk";
    }

    CommandResult again = Cli(args);
    ASSERT_EQ(again.exit_code, 0) << again.stderr_data;
    EXPECT_EQ(again.stderr_data, "");
    const std::vector<Line> second = ParseLines(again.stdout_data);
    int rerun_rows = 0;
    for (const Line& l : second) {
      if (!l.is_row()) continue;
      ++rerun_rows;
      EXPECT_EQ(seen.count(l.id()), 0u) << "printed again after its token: " << l.text;
      ++seen[l.id()];
    }
    // Every row exactly once across P and the rerun.
    std::set<int64_t> all;
    for (const auto& [id, count] : seen) {
      EXPECT_EQ(count, 1) << "row " << id << " printed " << count << " times";
      all.insert(id);
    }
    EXPECT_EQ(all, ids);
    // The rerun starts exactly after P: its first row is the first one
    // that followed P in the killed run (when that printed one; a resumed
    // snapshot first announces its new snapshot point).
    auto first_row = [](const std::vector<Line>& lines, size_t from) -> std::string {
      for (size_t i = from; i < lines.size(); ++i) {
        if (lines[i].is_row()) return lines[i].text;
      }
      return "";
    };
    if (const std::string next = first_row(first, end); !next.empty()) {
      EXPECT_EQ(first_row(second, 0), next);
    }
    // The file ends with the rerun's last token.
    std::string last_token = token;
    for (const Line& l : second) {
      if (!l.token().empty()) last_token = l.token();
    }
    EXPECT_EQ(Token(token_file), last_token);
    std::cout << "killed after " << first.size() << " lines: " << covered
              << " rows covered by the token, " << uncovered
              << " printed after it (printed again by the rerun), "
              << (partial.empty() ? "no" : "a") << " partial last line; rerun printed "
              << rerun_rows << " rows\n";
  }

  static std::string* cli_;
  static GatewayProcess* gateway_;
  static Client* db_;
};

std::string* CliTailTest::cli_ = nullptr;
GatewayProcess* CliTailTest::gateway_ = nullptr;
Client* CliTailTest::db_ = nullptr;

TEST_F(CliTailTest, SnapshotThenOnlyNewRowsWithTheSameTokenFile) {
  Exec("CREATE OR REPLACE TABLE cpptail_items (id INT PRIMARY KEY, name VARCHAR(20), "
       "amount DECIMAL(8,2), created DATETIME(3), data VARBINARY(4), big BIGINT UNSIGNED)");
  Exec("INSERT INTO cpptail_items VALUES "
       "(1, 'apple', 1.50, '2024-01-02 03:04:05.120', x'00ff', 18446744073709551615), "
       "(2, 'h\xc3\xa9llo \"q\"', NULL, NULL, NULL, 7), "
       "(10, 'tab\\there', -1234.00, '2024-12-31 23:59:59', '', NULL)");
  const std::string token_file = TempPath("items.token");
  const std::vector<std::string> args = {"tail", "--snapshot=mysqlgw_test.cpptail_items",
                                         "--include=mysqlgw_test.cpptail_items", "--until-now",
                                         "--token-file", token_file};

  CommandResult r = Cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stderr_data, "");
  std::vector<Line> lines = ParseLines(r.stdout_data);
  EXPECT_THAT(Types(lines), ElementsAre("snapshot started", "snapshot table_started", "row", "row",
                                        "row", "snapshot table_done", "snapshot done"));
  EXPECT_THAT(
      RowTexts(lines),
      ElementsAre(
          "{\"type\":\"row\",\"kind\":\"snapshot\",\"schema\":\"mysqlgw_test\",\"table\":"
          "\"cpptail_items\",\"after\":{\"id\":1,\"name\":\"apple\",\"amount\":\"1.50\","
          "\"created\":\"2024-01-02 03:04:05.120\",\"data\":\"AP8=\","
          "\"big\":\"18446744073709551615\"}}",
          "{\"type\":\"row\",\"kind\":\"snapshot\",\"schema\":\"mysqlgw_test\",\"table\":"
          "\"cpptail_items\",\"after\":{\"id\":2,\"name\":\"h\xc3\xa9llo \\\"q\\\"\",\"amount\":null,"
          "\"created\":null,\"data\":null,\"big\":7}}",
          "{\"type\":\"row\",\"kind\":\"snapshot\",\"schema\":\"mysqlgw_test\",\"table\":"
          "\"cpptail_items\",\"after\":{\"id\":10,\"name\":\"tab\\there\",\"amount\":\"-1234.00\","
          "\"created\":\"2024-12-31 23:59:59.000\",\"data\":\"\",\"big\":null}}"));
  ASSERT_FALSE(lines.back().token().empty());
  EXPECT_EQ(ReadFile(token_file), lines.back().token() + "\n");
  EXPECT_EQ(lines[1].Str("table"), "cpptail_items");

  // New changes; the same command resumes from the file: only those, each
  // once, in commit order, with before and after images.
  Exec("INSERT INTO cpptail_items (id, name) VALUES (20, 'pear'), (21, 'plum')");
  Exec("UPDATE cpptail_items SET name = 'APPLE', big = 0 WHERE id = 1");
  Exec("DELETE FROM cpptail_items WHERE id = 10");
  r = Cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  lines = ParseLines(r.stdout_data);
  EXPECT_THAT(Types(lines), ElementsAre("begin", "row", "row", "commit", "begin", "row", "commit",
                                        "begin", "row", "commit"));
  const std::string prefix =
      "{\"type\":\"row\",\"kind\":\"KIND\",\"schema\":\"mysqlgw_test\",\"table\":\"cpptail_items\",";
  auto row = [&](const std::string& kind, const std::string& rest) {
    return absl::StrCat(absl::StrReplaceAll(prefix, {{"KIND", kind}}), rest);
  };
  EXPECT_THAT(
      RowTexts(lines),
      ElementsAre(
          row("insert", "\"after\":{\"id\":20,\"name\":\"pear\",\"amount\":null,\"created\":null,"
                        "\"data\":null,\"big\":null}}"),
          row("insert", "\"after\":{\"id\":21,\"name\":\"plum\",\"amount\":null,\"created\":null,"
                        "\"data\":null,\"big\":null}}"),
          row("update",
              "\"before\":{\"id\":1,\"name\":\"apple\",\"amount\":\"1.50\",\"created\":"
              "\"2024-01-02 03:04:05.120\",\"data\":\"AP8=\",\"big\":\"18446744073709551615\"},"
              "\"after\":{\"id\":1,\"name\":\"APPLE\",\"amount\":\"1.50\",\"created\":"
              "\"2024-01-02 03:04:05.120\",\"data\":\"AP8=\",\"big\":0}}"),
          row("delete", "\"before\":{\"id\":10,\"name\":\"tab\\there\",\"amount\":\"-1234.00\","
                        "\"created\":\"2024-12-31 23:59:59.000\",\"data\":\"\",\"big\":null}}")));
  for (const Line& l : lines) {
    if (l.type() == "begin" || l.type() == "commit") {
      EXPECT_FALSE(l.Str("gtid").empty()) << l.text;
      EXPECT_THAT(l.Str("timestamp"), ::testing::MatchesRegex("20[0-9-]+T[0-9:]+Z")) << l.text;
    }
  }
  EXPECT_TRUE(lines.back().json.fields().contains("position"));
  EXPECT_EQ(ReadFile(token_file), lines.back().token() + "\n");

  // Nothing new: nothing printed, the token stays.
  const std::string token = ReadFile(token_file);
  r = Cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_EQ(ReadFile(token_file), token);

  // --from-token without a file: the same changes again, filtered by kind.
  r = Cli({"tail", "--from-token", lines[3].token(), "--include=mysqlgw_test.cpptail_items",
           "--kinds=delete", "--until-now"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  lines = ParseLines(r.stdout_data);
  EXPECT_THAT(Types(lines), ElementsAre("begin", "commit", "begin", "row", "commit"));
  EXPECT_EQ(lines[3].Str("kind"), "delete");
}

TEST_F(CliTailTest, KillNineInsideABigTransactionThenRerun) {
  Exec("CREATE OR REPLACE TABLE cpptail_big (id INT PRIMARY KEY, txn INT, pad VARCHAR(200))");
  const std::string token_file = TempPath("big.token");
  const std::vector<std::string> args = {"tail", "--snapshot=mysqlgw_test.cpptail_big",
                                         "--include=mysqlgw_test.cpptail_big", "--until-now",
                                         "--token-file=" + token_file};
  // The first run copies the empty table and leaves its token.
  CommandResult r = Cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  ASSERT_EQ(RowTexts(ParseLines(r.stdout_data)).size(), 0u);

  // 20 transactions of 1000 rows, each about 200 KB of output: more than
  // the pipe and the test's read buffer hold together.
  constexpr int kTxns = 20, kPerTxn = 1000;
  std::vector<Statement> inserts;
  for (int t = 0; t < kTxns; ++t) {
    inserts.push_back(Statement{
        absl::StrCat("INSERT INTO cpptail_big SELECT seq + ", t * kPerTxn, ", ", t,
                     ", REPEAT('x', 150) FROM seq_1_to_", kPerTxn),
        {}});
  }
  absl::StatusOr<std::vector<v1::BatchItemResult>> done = db_->ExecuteStatements(inserts);
  ASSERT_TRUE(done.ok()) << done.status();
  for (const v1::BatchItemResult& item : *done) ASSERT_TRUE(BatchItemStatus(item).ok());
  std::set<int64_t> ids;
  for (int i = 1; i <= kTxns * kPerTxn; ++i) ids.insert(i);

  KillThenRerun(args, token_file, 4500, ids, /*inside=*/true);
}

TEST_F(CliTailTest, KillNineBetweenSmallTransactionsThenRerun) {
  Exec("CREATE OR REPLACE TABLE cpptail_small (id INT PRIMARY KEY)");
  const std::string token_file = TempPath("small.token");
  const std::vector<std::string> args = {"tail", "--snapshot=mysqlgw_test.cpptail_small",
                                         "--include=mysqlgw_test.cpptail_small", "--until-now",
                                         "--token-file=" + token_file};
  CommandResult r = Cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  // 3000 transactions of one row: every write of the CLI is the flush at
  // a commit (a few hundred bytes, which a pipe takes whole or not at all).
  constexpr int kTxns = 3000;
  std::vector<Statement> inserts;
  for (int t = 1; t <= kTxns; ++t) {
    inserts.push_back(Statement{absl::StrCat("INSERT INTO cpptail_small VALUES (", t, ")"), {}});
  }
  absl::StatusOr<std::vector<v1::BatchItemResult>> done = db_->ExecuteStatements(inserts);
  ASSERT_TRUE(done.ok()) << done.status();
  std::set<int64_t> ids;
  for (int i = 1; i <= kTxns; ++i) ids.insert(i);
  KillThenRerun(args, token_file, 1000, ids, /*inside=*/false);
}

TEST_F(CliTailTest, KillNineInTheMiddleOfASnapshotThenRerun) {
  constexpr int kRows = 20000;
  Exec("CREATE OR REPLACE TABLE cpptail_snapbig (id INT PRIMARY KEY, pad VARCHAR(200))");
  Exec(absl::StrCat("INSERT INTO cpptail_snapbig SELECT seq, REPEAT('x', 150) FROM seq_1_to_",
                    kRows));
  const std::string token_file = TempPath("snapbig.token");
  // A token file that does not exist yet: the first run snapshots.
  const std::vector<std::string> args = {
      "tail", "--snapshot=mysqlgw_test.cpptail_snapbig", "--include=mysqlgw_test.cpptail_snapbig",
      "--progress-rows=2000", "--until-now", "--token-file=" + token_file};
  std::set<int64_t> ids;
  for (int i = 1; i <= kRows; ++i) ids.insert(i);
  // Chunks of 2000 rows (about 400 KB): killed inside the third.
  KillThenRerun(args, token_file, 4500, ids, /*inside=*/true);
}

TEST_F(CliTailTest, SigtermEndsAFollowingTailCleanly) {
  Exec("CREATE OR REPLACE TABLE cpptail_follow (id INT PRIMARY KEY)");
  const std::string token_file = TempPath("follow.token");
  std::unique_ptr<Child> child =
      Child::Start(Argv({"tail", "--snapshot=mysqlgw_test.cpptail_follow",
                         "--include=mysqlgw_test.cpptail_follow", "--token-file=" + token_file}),
                   mysqlgw::testing::kAppToken);
  ASSERT_NE(child, nullptr);
  // The snapshot of the empty table ends with DONE; then it follows.
  for (;;) {
    std::optional<std::string> line = child->ReadLine(absl::Seconds(120));
    ASSERT_TRUE(line.has_value()) << child->Stderr();
    if (absl::StrContains(*line, "\"phase\":\"done\"")) break;
  }
  Exec("INSERT INTO cpptail_follow VALUES (7)");
  std::string commit;
  bool row = false;
  while (commit.empty()) {
    std::optional<std::string> line = child->ReadLine(absl::Seconds(120));
    ASSERT_TRUE(line.has_value()) << child->Stderr();
    row = row || *line == "{\"type\":\"row\",\"kind\":\"insert\",\"schema\":\"mysqlgw_test\","
                          "\"table\":\"cpptail_follow\",\"after\":{\"id\":7}}";
    if (absl::StartsWith(*line, "{\"type\":\"commit\"")) commit = *line;
  }
  EXPECT_TRUE(row);
  child->Signal(SIGTERM);
  child->Drain();
  EXPECT_EQ(child->Wait(), 0);
  EXPECT_EQ(child->Stderr(), "");
  std::vector<Line> parsed = ParseLines(commit + "\n");
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(Token(token_file), parsed[0].token());
}

TEST_F(CliTailTest, ErrorsAndExitCodes) {
  // The reader principal may not read the binlog: a gateway refusal, 1.
  CommandResult r = Cli({"tail", "--until-now"}, mysqlgw::testing::kReaderToken);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_THAT(r.stderr_data, StartsWith("ERROR (PERMISSION_DENIED): "));

  r = Cli({"tail", "--from-token=garbage", "--until-now"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, StartsWith("ERROR (INVALID_ARGUMENT): "));

  // A token file holding garbage is the same refusal (and stays as it was).
  const std::string token_file = TempPath("garbage.token");
  { std::ofstream(token_file) << "garbage\n"; }
  r = Cli({"tail", "--until-now", "--token-file=" + token_file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(ReadFile(token_file), "garbage\n");

  // Usage errors: 2, before any connection.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"tail", "--kinds=upsert"},
           {"tail", "--from-token=a", "--snapshot=a.b"},
           {"tail", "--earliest", "--gtid-set=0-1-1"},
           {"tail", "--binlog-position=nocolon"},
           {"tail", "--progress-rows=10"},
           {"tail", "extra"},
           {"tail", "--token-file=/nonexistent-folder/t"}}) {
    r = Cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.stderr_data;
    EXPECT_THAT(r.stderr_data, StartsWith("ERROR: ")) << args[1];
  }
}

// The README's tail example, run as written (in a fresh folder, for its
// relative token file): its row lines must be exactly what the CLI prints,
// and its other lines must match up to their first "...".
TEST_F(CliTailTest, ReadmeExample) {
  absl::StatusOr<std::string> readme_path = Runfile("clients/cpp/README.md");
  ASSERT_TRUE(readme_path.ok()) << readme_path.status();
  const std::string readme = ReadFile(*readme_path);
  const size_t start = readme.find("<!-- tail example -->");
  ASSERT_NE(start, std::string::npos);
  const size_t open = readme.find("```\n", start);
  const size_t close = readme.find("```\n", open + 4);
  ASSERT_NE(close, std::string::npos);
  std::vector<std::string> block =
      absl::StrSplit(readme.substr(open + 4, close - open - 4), '\n', absl::SkipEmpty());

  const std::string folder = ::testing::TempDir() + "/readme";
  mkdir(folder.c_str(), 0755);
  unlink((folder + "/greetings.token").c_str());
  char old_cwd[4096];
  ASSERT_NE(getcwd(old_cwd, sizeof(old_cwd)), nullptr);
  ASSERT_EQ(chdir(folder.c_str()), 0);
  Exec("CREATE OR REPLACE TABLE greetings (id INT AUTO_INCREMENT PRIMARY KEY, text VARCHAR(100))");
  Exec("INSERT INTO greetings (text) VALUES ('hello')");

  int commands = 0;
  std::vector<std::string> expected;
  auto check = [&](const CommandResult& r) {
    std::vector<std::string> got = absl::StrSplit(r.stdout_data, '\n', absl::SkipEmpty());
    ASSERT_EQ(got.size(), expected.size()) << r.stdout_data;
    for (size_t i = 0; i < got.size(); ++i) {
      const size_t dots = expected[i].find("...");
      if (dots == std::string::npos) {
        EXPECT_EQ(got[i], expected[i]);
      } else {
        EXPECT_THAT(got[i], StartsWith(expected[i].substr(0, dots)));
      }
    }
  };
  CommandResult last;
  for (const std::string& line : block) {
    if (!absl::StartsWith(line, "$ mysqlgw-cli ")) {
      expected.push_back(line);
      continue;
    }
    if (commands > 0) check(last);
    expected.clear();
    // A shell's splitting of the README's line: words, '...' and "...".
    std::vector<std::string> args;
    std::string word;
    bool in_word = false;
    for (size_t i = std::string("$ mysqlgw-cli ").size(); i < line.size(); ++i) {
      const char c = line[i];
      if (c == '\'' || c == '"') {
        const size_t end = line.find(c, i + 1);
        word += line.substr(i + 1, end - i - 1);
        i = end;
        in_word = true;
      } else if (c == ' ') {
        if (in_word) args.push_back(word);
        word.clear();
        in_word = false;
      } else {
        word += c;
        in_word = true;
      }
    }
    if (in_word) args.push_back(word);
    last = Cli(args);
    EXPECT_EQ(last.exit_code, 0) << line << ": " << last.stderr_data;
    ++commands;
  }
  check(last);
  EXPECT_GE(commands, 3);
  ASSERT_EQ(chdir(old_cwd), 0);
}

}  // namespace
}  // namespace mysqlgw::client
