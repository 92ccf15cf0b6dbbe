// sysbench (its MySQL driver is libmariadb) running a custom Lua workload of
// text queries and server-side prepared statements against a ToyServer.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/subprocess.h"
#include "tests/mysqlwire_server/client_fixture.h"

namespace mysqlgw::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kWorkload[] = R"lua(
function thread_init()
  drv = sysbench.sql.driver()
  con = drv:connect()
  stmt = con:prepare("SELECT ?")
  param = stmt:bind_create(sysbench.sql.type.INT)
  stmt:bind_param(param)
end

function event()
  local rs = con:query("SELECT 1")
  local row = rs:fetch_row()
  if row[1] ~= "1" then error("SELECT 1 returned " .. tostring(row[1])) end
  param:set(sysbench.rand.uniform(1, 1000))
  stmt:execute()
end

function thread_done()
  stmt:close()
  con:disconnect()
end
)lua";

TEST(SysbenchTest, TextAndPreparedWorkload) {
  const std::string sysbench = FindProgram("sysbench");
  if (sysbench.empty()) FAIL() << "sysbench not installed (scripts/setup installs it)";
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string script = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/workload.lua");
  std::ofstream(script) << kWorkload;

  CommandOptions options;
  options.timeout = absl::Seconds(60);
  absl::StatusOr<CommandResult> r = RunProcess(
      {sysbench, "--db-driver=mysql", "--mysql-host=127.0.0.1",
       absl::StrCat("--mysql-port=", (*server)->port()), "--mysql-user=u",
       "--mysql-password=secret", "--mysql-db=shop", "--mysql-ssl=off", "--threads=2",
       "--events=400", "--time=0", script, "run"},
      options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->stdout_data << r->stderr_data;
  EXPECT_THAT(r->stdout_data, HasSubstr("total number of events:              400"));
  ASSERT_TRUE((*server)->WaitForFinishedConnections(2, absl::Seconds(10)));
  int executes = 0;
  for (const std::string& line : (*server)->command_log()) executes += line == "COM_STMT_EXECUTE";
  EXPECT_EQ(executes, 400);
}

}  // namespace
}  // namespace mysqlgw::testing
