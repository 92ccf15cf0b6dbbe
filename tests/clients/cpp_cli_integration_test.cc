// mysqlgw-cli end to end: the real binary as a subprocess, against the real
// gateway and a sandbox MariaDB; output is compared exactly.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cpp/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/clients/live_gateway.h"
#include "tests/support/gateway_process.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlgw::client {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;
using ::mysqlgw::testing::CommandResult;
using ::mysqlgw::testing::GatewayProcess;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A data dependency's path, as tests/support/gateway_process.cc finds the
// gateway.
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

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> cli = Runfile("clients/cpp/mysqlgw-cli", X_OK);
    ASSERT_TRUE(cli.ok()) << cli.status();
    cli_ = new std::string(*cli);
    auto server = mysqlgw::testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    auto gw = mysqlgw::testing::StartClientTestGateway(*server_);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();

    ClientOptions options;
    options.token = mysqlgw::testing::kAppToken;
    absl::StatusOr<Client> db = Client::Connect(gateway_->address(), options);
    ASSERT_TRUE(db.ok()) << db.status();
    for (const char* sql : {
             "CREATE OR REPLACE TABLE cppcli_items (id INT PRIMARY KEY, name VARCHAR(20), "
             "amount DECIMAL(8,2), created DATETIME, data VARBINARY(4))",
             "INSERT INTO cppcli_items VALUES (1, 'apple', 1.50, '2024-01-02 03:04:05', x'00ff'), "
             "(2, 'héllo \"q\"', NULL, NULL, NULL), "
             "(10, 'tab\\there', -1234.00, '2024-12-31 23:59:59', '')",
         }) {
      absl::StatusOr<v1::StatementOutcome> out = db->Execute(sql);
      ASSERT_TRUE(out.ok()) << sql << ": " << out.status();
    }
  }
  static void TearDownTestSuite() {
    if (gateway_ != nullptr) {
      auto code = gateway_->Stop();
      EXPECT_TRUE(code.ok() && *code == 0) << gateway_->Log();
      delete gateway_;
      gateway_ = nullptr;
    }
    delete cli_;
  }

  // Runs mysqlgw-cli against the gateway with the app token in the
  // environment (as a user would, to keep it out of `ps`).
  static CommandResult Cli(std::vector<std::string> args, const std::string& stdin_data = "",
                           const char* token = mysqlgw::testing::kAppToken) {
    std::vector<std::string> argv = {*cli_, "--target=" + gateway_->address()};
    for (auto& a : args) argv.push_back(std::move(a));
    mysqlgw::testing::CommandOptions options;
    options.stdin_data = stdin_data;
    options.env = {{"MYSQLGW_TOKEN", token}};
    options.timeout = absl::Seconds(120);
    absl::StatusOr<CommandResult> r = mysqlgw::testing::RunProcess(argv, options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  static std::string* cli_;
  static const mysqlgw::testing::ServerInfo* server_;
  static GatewayProcess* gateway_;
};

std::string* CliTest::cli_ = nullptr;
const mysqlgw::testing::ServerInfo* CliTest::server_ = nullptr;
GatewayProcess* CliTest::gateway_ = nullptr;

constexpr char kItems[] = "SELECT * FROM cppcli_items ORDER BY id";

TEST_F(CliTest, QueryAsTable) {
  CommandResult r = Cli({"query", kItems});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(r.stdout_data,
            "+----+------------+----------+---------------------+--------+\n"
            "| id | name       | amount   | created             | data   |\n"
            "+----+------------+----------+---------------------+--------+\n"
            "|  1 | apple      |     1.50 | 2024-01-02 03:04:05 | 0x00FF |\n"
            "|  2 | héllo \"q\"  |     NULL | NULL                | NULL   |\n"
            "| 10 | tab\there   | -1234.00 | 2024-12-31 23:59:59 | 0x     |\n"
            "+----+------------+----------+---------------------+--------+\n"
            "3 rows in set\n");
}

TEST_F(CliTest, QueryAsJsonl) {
  CommandResult r = Cli({"--format=jsonl", "query", kItems});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "{\"id\":1,\"name\":\"apple\",\"amount\":\"1.50\",\"created\":\"2024-01-02 03:04:05\","
            "\"data\":\"AP8=\"}\n"
            "{\"id\":2,\"name\":\"héllo \\\"q\\\"\",\"amount\":null,\"created\":null,"
            "\"data\":null}\n"
            "{\"id\":10,\"name\":\"tab\\there\",\"amount\":\"-1234.00\","
            "\"created\":\"2024-12-31 23:59:59\",\"data\":\"\"}\n");
}

TEST_F(CliTest, QueryAsTsvWithTypedParameters) {
  CommandResult r = Cli({"--format", "tsv", "query",
                         "SELECT id, name, ? AS big, ? AS d, ? AS b, ? AS n FROM cppcli_items "
                         "WHERE id >= ? AND created < ? ORDER BY id",
                         "uint:18446744073709551615", "dec:1.50", "hex:00ff", "null", "int:1",
                         "datetime:2024-06-01 00:00:00"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "id\tname\tbig\td\tb\tn\n"
            "1\tapple\t18446744073709551615\t1.50\t0x00FF\tNULL\n");
}

TEST_F(CliTest, ExecPrintsAffectedRowsAndLastInsertId) {
  ASSERT_EQ(Cli({"exec",
                 "CREATE OR REPLACE TABLE cppcli_auto (id INT AUTO_INCREMENT PRIMARY KEY, "
                 "v VARCHAR(10))"})
                .exit_code,
            0);
  CommandResult r = Cli({"exec", "INSERT INTO cppcli_auto (v) VALUES (?), (?)", "str:a", "b"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "Query OK, 2 rows affected\n"
            "Records: 2  Duplicates: 0  Warnings: 0\n"
            "Last insert id: 1\n");
  r = Cli({"--format=jsonl", "exec", "INSERT INTO cppcli_auto (v) VALUES (?)", "c"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "{\"affected_rows\":1,\"last_insert_id\":3,\"warnings\":0,\"info\":\"\"}\n");
  r = Cli({"--format=tsv", "exec", "UPDATE cppcli_auto SET v = 'z'"});
  EXPECT_EQ(r.stdout_data,
            "affected_rows\tlast_insert_id\twarnings\tinfo\n"
            "3\t0\t0\tRows matched: 3  Changed: 3  Warnings: 0\n");
}

constexpr char kScript[] = R"(-- Transactions map to the gateway's calls.
CREATE OR REPLACE TABLE cppcli_script (id INT PRIMARY KEY, note VARCHAR(40));
BEGIN;
INSERT INTO cppcli_script VALUES (1, 'semi; colon'), (2, 'it''s');
COMMIT;
START TRANSACTION;
INSERT INTO cppcli_script VALUES (3, 'rolled back');
ROLLBACK;
CREATE OR REPLACE PROCEDURE cppcli_count(IN lo INT)
BEGIN
  DECLARE n INT;
  SELECT COUNT(*) INTO n FROM cppcli_script WHERE id >= lo;
  IF n > 1 THEN
    SELECT n AS counted, 'many' AS how;
  ELSE
    SELECT n AS counted, 'few' AS how;
  END IF;
END;
CALL cppcli_count(1);
SELECT id, note FROM cppcli_script ORDER BY id; /* done */
)";

TEST_F(CliTest, ScriptWithTransactionsAndAProcedure) {
  CommandResult r = Cli({"script", "-"}, kScript);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(r.stdout_data,
            "Query OK, 0 rows affected\n"
            "\n"
            "Query OK, 0 rows affected\n"
            "\n"
            "Query OK, 2 rows affected\n"
            "Records: 2  Duplicates: 0  Warnings: 0\n"
            "\n"
            "Query OK, 0 rows affected\n"
            "\n"
            "Query OK, 0 rows affected\n"
            "\n"
            "Query OK, 1 row affected\n"
            "\n"
            "Query OK, 0 rows affected\n"
            "\n"
            "Query OK, 0 rows affected\n"
            "\n"
            "+---------+------+\n"
            "| counted | how  |\n"
            "+---------+------+\n"
            "|       2 | many |\n"
            "+---------+------+\n"
            "1 row in set\n"
            "\n"
            // The CALL's own result: the affected rows of its last statement.
            "Query OK, 1 row affected\n"
            "\n"
            "+----+-------------+\n"
            "| id | note        |\n"
            "+----+-------------+\n"
            "|  1 | semi; colon |\n"
            "|  2 | it's        |\n"
            "+----+-------------+\n"
            "2 rows in set\n");

  // The same script as JSON lines, from a file: rows and outcomes only.
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/script.sql");
  std::ofstream(path) << kScript;
  r = Cli({"--format=jsonl", "script", path});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "{\"affected_rows\":0,\"last_insert_id\":0,\"warnings\":0,\"info\":\"\"}\n"
            "{\"affected_rows\":2,\"last_insert_id\":0,\"warnings\":0,"
            "\"info\":\"Records: 2  Duplicates: 0  Warnings: 0\"}\n"
            "{\"affected_rows\":1,\"last_insert_id\":0,\"warnings\":0,\"info\":\"\"}\n"
            "{\"affected_rows\":0,\"last_insert_id\":0,\"warnings\":0,\"info\":\"\"}\n"
            "{\"counted\":2,\"how\":\"many\"}\n"
            "{\"affected_rows\":1,\"last_insert_id\":0,\"warnings\":0,\"info\":\"\"}\n"
            "{\"id\":1,\"note\":\"semi; colon\"}\n"
            "{\"id\":2,\"note\":\"it's\"}\n");
}

constexpr char kFailingScript[] = R"(CREATE OR REPLACE TABLE cppcli_fail (id INT PRIMARY KEY);
BEGIN;
INSERT INTO cppcli_fail VALUES (1);
INSERT INTO cppcli_fail VALUES (1);
COMMIT;
SELECT COUNT(*) AS n FROM cppcli_fail;
)";

TEST_F(CliTest, ScriptStopsAtTheFirstErrorAndRollsBack) {
  CommandResult r = Cli({"--format=tsv", "script", "-"}, kFailingScript);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data, "ERROR 1062 (23000) at line 4: Duplicate entry '1' for key 'PRIMARY'\n");
  EXPECT_EQ(r.stdout_data,
            "affected_rows\tlast_insert_id\twarnings\tinfo\n0\t0\t0\t\n"
            "affected_rows\tlast_insert_id\twarnings\tinfo\n1\t0\t0\t\n");
  // The open transaction was rolled back: nothing was inserted.
  r = Cli({"--format=tsv", "query", "SELECT COUNT(*) AS n FROM cppcli_fail"});
  EXPECT_EQ(r.stdout_data, "n\n0\n");
}

TEST_F(CliTest, ScriptContinueOnError) {
  CommandResult r = Cli({"--format=tsv", "--continue_on_error", "script", "-"}, kFailingScript);
  EXPECT_EQ(r.exit_code, 1);  // Still a failure, after running everything.
  EXPECT_EQ(r.stderr_data, "ERROR 1062 (23000) at line 4: Duplicate entry '1' for key 'PRIMARY'\n");
  EXPECT_THAT(r.stdout_data, ::testing::EndsWith("n\n1\n"));  // COMMIT kept the first insert.
}

TEST_F(CliTest, ScriptLeftOpenIsRolledBack) {
  CommandResult r = Cli({"script", "-"},
                        "CREATE OR REPLACE TABLE cppcli_open (id INT);\n"
                        "START TRANSACTION;\nINSERT INTO cppcli_open VALUES (1);\n");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stderr_data,
            "Note: the transaction begun at line 2 was not committed; it was rolled back\n");
  EXPECT_EQ(Cli({"--format=tsv", "query", "SELECT COUNT(*) AS n FROM cppcli_open"}).stdout_data,
            "n\n0\n");
}

TEST_F(CliTest, StreamPrintsEveryRow) {
  CommandResult r =
      Cli({"--format=tsv", "stream", "SELECT seq, seq * 2 AS twice FROM seq_1_to_20000"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  std::vector<std::string> lines = absl::StrSplit(r.stdout_data, '\n');
  ASSERT_EQ(lines.size(), 20002u);  // Header, 20000 rows, "" after the last newline.
  EXPECT_EQ(lines[0], "seq\ttwice");
  EXPECT_EQ(lines[1], "1\t2");
  EXPECT_EQ(lines[20000], "20000\t40000");

  r = Cli({"stream", "SELECT id, name FROM cppcli_items WHERE id < ? ORDER BY id", "int:5"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "+----+------------+\n"
            "| id | name       |\n"
            "+----+------------+\n"
            "|  1 | apple      |\n"
            "|  2 | héllo \"q\"  |\n"
            "+----+------------+\n"
            "2 rows in set\n");
}

TEST_F(CliTest, DatabaseFlag) {
  CommandResult r = Cli({"--format=tsv", "--database=mysql", "query", "SELECT DATABASE() AS db"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "db\nmysql\n");
}

TEST_F(CliTest, ErrorsAndExitCodes) {
  CommandResult r = Cli({"query", "SELECT * FROM cppcli_nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_EQ(r.stderr_data, "ERROR 1146 (42S02): Table 'mysqlgw_test.cppcli_nope' doesn't exist\n");

  r = Cli({"exec", "INSERT INTO cppcli_items (id) VALUES (1)"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data, "ERROR 1062 (23000): Duplicate entry '1' for key 'PRIMARY'\n");

  // The gateway's own refusals have no errno.
  r = Cli({"exec", "DELETE FROM cppcli_items"}, "", mysqlgw::testing::kReaderToken);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_data, StartsWith("ERROR (PERMISSION_DENIED): "));

  // Usage and connection errors: 2.
  r = Cli({"query", "SELECT ?", "int:x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_data, StartsWith("ERROR: parameter 'int:x': not a 64-bit signed integer\n"));
  EXPECT_EQ(Cli({"--bogus_flag", "query", "SELECT 1"}).exit_code, 2);
  EXPECT_EQ(Cli({"--format=xml", "query", "SELECT 1"}).exit_code, 2);
  EXPECT_EQ(Cli({"--timeout=soon", "query", "SELECT 1"}).exit_code, 2);
  EXPECT_EQ(Cli({}).exit_code, 2);
  EXPECT_EQ(Cli({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Cli({"query"}).exit_code, 2);
  EXPECT_EQ(Cli({"script", "/nonexistent.sql"}).exit_code, 2);
  r = Cli({"script", "-"}, "SELECT 'unterminated;\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_data, HasSubstr("line 1: unterminated string"));
  r = Cli({"query", "SELECT 1"}, "", "wrong-token");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_data, StartsWith("ERROR (UNAUTHENTICATED): "));
  r = Cli({"--target=127.0.0.1:1", "--connect_timeout=5s", "query", "SELECT 1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_data, StartsWith("ERROR (UNAVAILABLE): cannot connect"));

  // --token wins over the environment.
  r = Cli({"--token=" + std::string(mysqlgw::testing::kAppToken), "--format=tsv", "query",
           "SELECT 1 AS one"},
          "", "wrong-token");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "one\n1\n");
}

// The table format is the mysql client's own: the same query through the
// mariadb client (-t --binary-as-hex) prints the same table.
TEST_F(CliTest, TablesMatchTheMariadbClient) {
  const std::string sql =
      "SELECT 1 AS i, -42 AS neg, CAST(18446744073709551615 AS UNSIGNED) AS u, "
      "CAST('-12.340' AS DECIMAL(10,3)) AS d, 'héllo' AS s, '日本' AS cjk, 'x' AS `nämé`, "
      "x'00ff' AS b, DATE '2024-02-29' AS dt, TIMESTAMP '2024-01-02 03:04:05.123' AS ts, "
      "TIME '-100:00:00' AS tm, CAST(NULL AS SIGNED) AS ns, CAST(NULL AS CHAR) AS nc, 2.5e0 AS f, "
      "1e20 AS big, "
      "1/3e0 AS third, 1e-7 AS tiny, CAST(1.2345678 AS FLOAT) AS fl "
      "UNION ALL SELECT 22, 0, 0, 0, 'a', 'b', '', x'', '0000-00-00', "
      "'1999-12-31 23:59:59', '00:00:01', NULL, 'c', 0.5e0, 1e15, 1e14, 0e0, 0";
  // utf8mb4: the client pads by display cells of its own character set.
  std::vector<std::string> argv = {"mariadb",
                                   "--no-defaults",
                                   "-t",
                                   "--binary-as-hex",
                                   "--default-character-set=utf8mb4",
                                   "--protocol=tcp",
                                   "--host=" + server_->host,
                                   absl::StrCat("--port=", server_->port),
                                   "--user=" + server_->user,
                                   "--database=mysqlgw_test",
                                   "-e",
                                   sql};
  if (!server_->ca_path.empty()) argv.push_back("--ssl-ca=" + server_->ca_path);
  mysqlgw::testing::CommandOptions options;
  options.env = {{"MYSQL_PWD", server_->password}};
  absl::StatusOr<std::string> mariadb = mysqlgw::testing::RunCommand(argv, options);
  ASSERT_TRUE(mariadb.ok()) << mariadb.status();
  CommandResult ours = Cli({"query", sql});
  ASSERT_EQ(ours.exit_code, 0) << ours.stderr_data;
  EXPECT_EQ(ours.stdout_data, *mariadb + "2 rows in set\n");
}

// The README's example: its lines are those of examples/hello.cc, which
// builds and prints what the README says.
TEST_F(CliTest, ReadmeExampleWorksAsWritten) {
  absl::StatusOr<std::string> readme = Runfile("clients/cpp/README.md");
  ASSERT_TRUE(readme.ok()) << readme.status();
  absl::StatusOr<std::string> source = Runfile("clients/cpp/examples/hello.cc");
  ASSERT_TRUE(source.ok()) << source.status();
  const std::string text = ReadFile(*readme);
  const size_t open = text.find("```cpp\n");
  ASSERT_NE(open, std::string::npos);
  const size_t close = text.find("```", open + 7);
  ASSERT_NE(close, std::string::npos);
  const std::string block = text.substr(open + 7, close - open - 7);
  EXPECT_EQ(std::count(block.begin(), block.end(), '\n'), 5) << block;
  EXPECT_THAT(ReadFile(*source), HasSubstr(block));

  absl::StatusOr<std::string> hello = Runfile("clients/cpp/hello", X_OK);
  ASSERT_TRUE(hello.ok()) << hello.status();
  ASSERT_EQ(Cli({"exec", "DROP TABLE IF EXISTS greetings"}).exit_code, 0);
  mysqlgw::testing::CommandOptions options;
  options.env = {{"MYSQLGW_TARGET", gateway_->address()},
                 {"MYSQLGW_TOKEN", mysqlgw::testing::kAppToken}};
  options.timeout = absl::Seconds(60);
  for (const char* expected : {"1 hello\n", "1 hello\n2 hello\n"}) {
    absl::StatusOr<std::string> out = mysqlgw::testing::RunCommand({*hello}, options);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(*out, expected);
  }
}

}  // namespace
}  // namespace mysqlgw::client
