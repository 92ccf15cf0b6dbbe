// PyMySQL (pure Python, its own protocol code) against a ToyServer built on
// mysqlwire::ServerConnection. PyMySQL 1.0 negotiates neither DEPRECATE_EOF
// nor session tracking, so it exercises the classic EOF layout.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/protocol/capabilities.h"
#include "testing/subprocess.h"
#include "tests/mysqlwire_server/client_fixture.h"

namespace mysqlgw::testing {
namespace {

using ::mysqlwire::testing::ToyServer;
using ::testing::Contains;
using ::testing::HasSubstr;

// argv: port user password use_tls. Prints one line per observation; an
// error is printed as "ERR <code>" (exit 0) so the test can compare it.
constexpr char kScript[] = R"py(
import sys, ssl, pymysql
from pymysql.constants import CLIENT
port, user, password, use_tls = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "1"
kw = {}
if use_tls:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    kw["ssl"] = ctx
try:
    c = pymysql.connect(host="127.0.0.1", port=port, user=user, password=password,
                        database="shop", client_flag=CLIENT.MULTI_STATEMENTS,
                        connect_timeout=5, **kw)
except pymysql.err.OperationalError as e:
    print("ERR", e.args[0])
    sys.exit(0)
cur = c.cursor()
cur.execute("SELECT 1"); print("one", cur.fetchall())
cur.execute("SELECT 'a' AS x, NULL AS y"); print("null", cur.fetchall(), [d[0] for d in cur.description])
cur.execute("SELECT 1; SELECT 2"); print("multi", cur.fetchall(), cur.nextset(), cur.fetchall(), cur.nextset())
cur.execute("SELECT DATABASE()"); print("db", cur.fetchall())
c.select_db("other")
cur.execute("SELECT DATABASE()"); print("db", cur.fetchall())
c.ping(reconnect=False); print("ping ok")
try:
    cur.execute("FROB the table")
except pymysql.err.ProgrammingError as e:
    print("syntax", e.args[0])
print("tls", c._secure if hasattr(c, "_secure") else None)
c.close()
)py";

class PyMySqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = FindProgram("python3");
    if (python_.empty()) FAIL() << "python3 not installed (scripts/setup installs it)";
    absl::StatusOr<CommandResult> probe = RunProcess({python_, "-c", "import pymysql"}, {});
    if (!probe.ok() || probe->exit_code != 0) {
      FAIL() << "PyMySQL not installed (scripts/setup installs it)";
    }
  }

  std::string Run(const ToyServer& server, const std::string& user,
                  const std::string& password, bool tls = false) {
    CommandOptions options;
    options.timeout = absl::Seconds(30);
    absl::StatusOr<CommandResult> r =
        RunProcess({python_, "-c", kScript, absl::StrCat(server.port()), user, password,
                    tls ? "1" : "0"},
                   options);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << r->stderr_data;
    return r->stdout_data;
  }

  bool HasCryptography() {
    absl::StatusOr<CommandResult> r = RunProcess({python_, "-c", "import cryptography"}, {});
    return r.ok() && r->exit_code == 0;
  }

  std::string python_;
};

constexpr char kExpectedSession[] =
    "one ((1,),)\n"
    "null (('a', None),) ['x', 'y']\n"
    "multi ((1,),) True ((2,),) None\n"
    "db (('shop',),)\n"
    "db (('other',),)\n"
    "ping ok\n"
    "syntax 1064\n";

TEST_F(PyMySqlTest, NativePasswordSession) {
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Run(**server, "u", "secret"), absl::StrCat(kExpectedSession, "tls False\n"));
  ASSERT_TRUE((*server)->WaitForFinishedConnections(1, absl::Seconds(5)));
  EXPECT_THAT((*server)->command_log(), Contains("COM_QUIT"));
  const auto sessions = (*server)->sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].database, "shop");
  EXPECT_EQ(sessions[0].auth_plugin, "mysql_native_password");
  EXPECT_FALSE(sessions[0].capabilities & mysqlwire::kClientDeprecateEof);
}

TEST_F(PyMySqlTest, WrongPasswordIs1045) {
  auto server = StartServer({});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Run(**server, "u", "nope"), "ERR 1045\n");
  EXPECT_EQ(Run(**server, "ghost", "secret"), "ERR 1045\n");
}

TEST_F(PyMySqlTest, CachingSha2FastPathAndSwitch) {
  // The greeting names caching_sha2_password: PyMySQL scrambles for it.
  auto sha2 = StartServer({.default_plugin = "caching_sha2_password"});
  ASSERT_TRUE(sha2.ok()) << sha2.status();
  EXPECT_EQ(Run(**sha2, "u", "secret"), absl::StrCat(kExpectedSession, "tls False\n"));
  EXPECT_EQ(Run(**sha2, "u", "wrong"), "ERR 1045\n");
  // Greeting says native, the account only has a SHA-256 hash: auth switch.
  auto native = StartServer({});
  ASSERT_TRUE(native.ok()) << native.status();
  EXPECT_EQ(Run(**native, "sha2_only", "secret"), absl::StrCat(kExpectedSession, "tls False\n"));
  ASSERT_FALSE((*native)->sessions().empty());
  EXPECT_EQ((*native)->sessions()[0].auth_plugin, "caching_sha2_password");
}

TEST_F(PyMySqlTest, CachingSha2FullAuthOverTls) {
  auto server = StartServer({.tls = true, .default_plugin = "caching_sha2_password"});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Run(**server, "native_only", "secret", /*tls=*/true),
            absl::StrCat(kExpectedSession, "tls True\n"));
  EXPECT_EQ(Run(**server, "native_only", "wrong", /*tls=*/true), "ERR 1045\n");
  ASSERT_TRUE((*server)->WaitForHandshakes(2, absl::Seconds(5)));
  EXPECT_TRUE((*server)->sessions()[0].tls);
}

TEST_F(PyMySqlTest, CachingSha2FullAuthWithRsa) {
  if (!HasCryptography()) {
    FAIL() << "python3-cryptography not installed (scripts/setup installs it)";
  }
  auto server = StartServer({.rsa = true, .default_plugin = "caching_sha2_password"});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Run(**server, "native_only", "secret"),
            absl::StrCat(kExpectedSession, "tls False\n"));
  EXPECT_EQ(Run(**server, "native_only", "wrong"), "ERR 1045\n");
  ASSERT_TRUE((*server)->WaitForHandshakes(2, absl::Seconds(5)));
  EXPECT_TRUE((*server)->handshake_statuses()[0].ok());
  EXPECT_THAT((*server)->handshake_statuses()[1].message(), HasSubstr("wrong password"));
}

TEST_F(PyMySqlTest, FullAuthImpossibleIsRefusedClearly) {
  // caching_sha2 default, no TLS, no RSA, and an account PyMySQL must prove
  // a password for with full auth... which the server avoids by switching
  // it to mysql_native_password instead.
  auto server = StartServer({.default_plugin = "caching_sha2_password"});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Run(**server, "native_only", "secret"),
            absl::StrCat(kExpectedSession, "tls False\n"));
  ASSERT_FALSE((*server)->sessions().empty());
  EXPECT_EQ((*server)->sessions()[0].auth_plugin, "mysql_native_password");
  // A wrong scramble for a SHA-256 account: full auth would be next, and it
  // cannot happen here, so 1045 with the reason kept server-side.
  EXPECT_EQ(Run(**server, "sha2_only", "wrong"), "ERR 1045\n");
  ASSERT_TRUE((*server)->WaitForHandshakes(2, absl::Seconds(5)));
  EXPECT_THAT((*server)->handshake_statuses()[1].message(),
              HasSubstr("full authentication needs TLS or an RSA key"));
}

}  // namespace
}  // namespace mysqlgw::testing
