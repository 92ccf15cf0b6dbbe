#include "testing/subprocess.h"

#include <signal.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RunCommandTest, ReturnsStdout) {
  absl::StatusOr<std::string> out = RunCommand({"echo", "hello", "world"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "hello world\n");
}

TEST(RunCommandTest, ArgumentsAreNotInterpretedByAShell) {
  absl::StatusOr<std::string> out = RunCommand({"printf", "%s|", "$HOME", "a b", "'\"; ls"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "$HOME|a b|'\"; ls|");
}

TEST(RunCommandTest, FeedsStdin) {
  absl::StatusOr<std::string> out = RunCommand({"cat"}, "line 1\nline 2\n");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "line 1\nline 2\n");
}

TEST(RunCommandTest, LargeStdinAndStdoutDoNotDeadlock) {
  std::string big(4 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 1000) big[i] = '\n';
  absl::StatusOr<std::string> out = RunCommand({"cat"}, big);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), big.size());
  EXPECT_TRUE(*out == big);
}

TEST(RunCommandTest, ChildThatIgnoresStdinDoesNotKillUs) {
  std::string big(4 << 20, 'y');
  absl::StatusOr<std::string> out = RunCommand({"true"}, big);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "");
}

TEST(RunCommandTest, NonZeroExitIsAnErrorWithStderr) {
  absl::StatusOr<std::string> out =
      RunCommand({"sh", "-c", "echo out; echo 'it broke' >&2; exit 3"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(out.status().message(), HasSubstr("it broke"));
  EXPECT_THAT(out.status().message(), HasSubstr("exited with status 3"));
}

TEST(RunCommandTest, PasswordsAreHiddenInErrors) {
  absl::StatusOr<std::string> out =
      RunCommand({"sh", "-c", "exit 1", "--password=hunter2"});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), Not(HasSubstr("hunter2")));
  EXPECT_EQ(FormatCommandLine({"mariadb", "--password=x", "a b"}),
            "mariadb --password=*** 'a b'");
}

TEST(RunProcessTest, ReportsExitCodeAndBothStreams) {
  absl::StatusOr<CommandResult> r =
      RunProcess({"sh", "-c", "echo to-out; echo to-err >&2; exit 7"}, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_EQ(r->term_signal, 0);
  EXPECT_EQ(r->stdout_data, "to-out\n");
  EXPECT_EQ(r->stderr_data, "to-err\n");
}

TEST(RunProcessTest, ReportsTerminatingSignal) {
  absl::StatusOr<CommandResult> r = RunProcess({"sh", "-c", "kill -9 $$"}, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(r->term_signal, SIGKILL);
}

TEST(RunProcessTest, MissingProgramIsNotFound) {
  absl::StatusOr<CommandResult> r =
      RunProcess({"/nonexistent/mysqlgw-no-such-program"}, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound) << r.status();
  r = RunProcess({"mysqlgw-no-such-program-in-path"}, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound) << r.status();
}

TEST(RunProcessTest, EmptyArgvIsInvalid) {
  EXPECT_EQ(RunProcess({}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RunProcessTest, TimeoutKillsTheChild) {
  CommandOptions options;
  options.timeout = absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  absl::StatusOr<CommandResult> r = RunProcess({"sleep", "30"}, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded)
      << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(RunProcessTest, EnvironmentOverrides) {
  CommandOptions options;
  options.env = {{"MYSQLGW_SUBPROCESS_TEST", "one two"}, {"PATH", "/usr/bin:/bin"}};
  absl::StatusOr<CommandResult> r = RunProcess(
      {"sh", "-c", "printf '%s|%s' \"$MYSQLGW_SUBPROCESS_TEST\" \"$PATH\""},
      options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stdout_data, "one two|/usr/bin:/bin");
}

TEST(RunProcessTest, DoesNotWaitForBackgroundGrandchildren) {
  // The grandchild keeps stdout open for 20 s; we return once sh exits.
  const absl::Time start = absl::Now();
  absl::StatusOr<CommandResult> r =
      RunProcess({"sh", "-c", "sleep 20 & echo $!"}, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  int grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(r->stdout_data),
                               &grandchild))
      << r->stdout_data;
  kill(grandchild, SIGTERM);
}

}  // namespace
}  // namespace mysqlgw::testing
