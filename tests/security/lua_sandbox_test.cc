// The Lua sandbox seen from outside: a script running inside the real
// gateway tries every way out to files, processes and the network (io,
// os, require, package, loadfile, dofile, debug, bytecode through
// string.dump and load, and what remains reachable from _G and the string
// metatable) and reports each attempt as a row of a synthetic result. Every
// attempt must fail, no file appears, and the gateway keeps serving. A
// script that reaches for a file at load time is refused at startup.
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/security/security_fixture.h"

namespace mysqlgw::security {
namespace {

constexpr char kToken[] = "lua-sandbox-token-0123456789";

// MARKER is replaced by a path the script tries to create.
constexpr char kProbeScript[] = R"lua(
local function attempt(rows, name, f)
  local ok, result = pcall(f)
  local verdict
  if ok and result ~= nil and result ~= false then
    verdict = "ESCAPED: " .. tostring(result)
  else
    verdict = "refused: " .. tostring(result)
  end
  rows[#rows + 1] = { name, verdict }
end

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  if not packet:find("sandbox-probe", 1, true) then return end
  local rows = {}
  attempt(rows, "io.open read", function() return io.open("/etc/passwd", "r") end)
  attempt(rows, "io.open write", function() return io.open("MARKER", "w") end)
  attempt(rows, "io.popen", function() return io.popen("id") end)
  attempt(rows, "io.lines", function() return io.lines("/etc/passwd") end)
  attempt(rows, "os.execute", function() return os.execute("touch MARKER") end)
  attempt(rows, "os.remove", function() return os.remove("/tmp") end)
  attempt(rows, "os.getenv", function() return os.getenv("HOME") end)
  attempt(rows, "require socket", function() return require("socket") end)
  attempt(rows, "require io", function() return require("io") end)
  attempt(rows, "package.loadlib", function()
    return package.loadlib("/lib/x86_64-linux-gnu/libc.so.6", "system") end)
  attempt(rows, "package.searchers", function() return package.searchers end)
  attempt(rows, "loadfile", function() return loadfile("/etc/passwd") end)
  attempt(rows, "dofile", function() return dofile("/etc/passwd") end)
  attempt(rows, "debug.getregistry", function() return debug.getregistry() end)
  attempt(rows, "debug.sethook", function() return debug.sethook end)
  attempt(rows, "string.dump", function() return string.dump(function() return 1 end) end)
  attempt(rows, "load bytecode", function()
    local chunk = "\27Lua\84\0\25\147\13\10\26\10"
    return load(chunk, "x", "b")
  end)
  attempt(rows, "load text that opens a file", function()
    local f = load("return io.open('/etc/passwd')")
    return f and f()
  end)
  attempt(rows, "_G.io", function() return rawget(_G, "io") end)
  attempt(rows, "_G.os", function() return rawget(_G, "os") end)
  attempt(rows, "_G.package", function() return rawget(_G, "package") end)
  attempt(rows, "_G.debug", function() return rawget(_G, "debug") end)
  attempt(rows, "_G.require", function() return rawget(_G, "require") end)
  attempt(rows, "_G.loadfile", function() return rawget(_G, "loadfile") end)
  attempt(rows, "_G.dofile", function() return rawget(_G, "dofile") end)
  attempt(rows, "string metatable io", function()
    return getmetatable("").__index.io end)
  attempt(rows, "collectgarbage collect", function()
    return collectgarbage("collect") == 0 and "collected" end)
  proxy.response = { type = proxy.MYSQLD_PACKET_OK,
    resultset = { fields = { { name = "probe" }, { name = "verdict" } }, rows = rows } }
  return proxy.PROXY_SEND_RESULT
end
)lua";

// `text` with every line indented by `spaces`.
std::string Indent(const std::string& text, int spaces) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (std::string& line : lines) {
    if (!line.empty()) line = std::string(spaces, ' ') + line;
  }
  return absl::StrJoin(lines, "\n");
}

std::string LuaSection(const std::string& name, const std::string& source) {
  return absl::StrCat("interception:\n  lua_scripts:\n    - name: ", name,
                      "\n      source: |\n", Indent(source, 8), "\n");
}

class LuaSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
  }
  const testing::ServerInfo* server_ = nullptr;
};

TEST_F(LuaSandboxTest, EveryWayToFilesProcessesAndTheNetworkIsClosed) {
  const std::string marker = MakeTempDir("lua") + "/escaped";
  GatewaySpec spec;
  spec.principals = {{"app", kToken}};
  spec.io_threads = 2;  // Each event loop has its own Lua state.
  spec.extra = LuaSection("probe", absl::StrReplaceAll(kProbeScript, {{"MARKER", marker}}));
  auto gw = StartGateway(*server_, spec);
  ASSERT_TRUE(gw.ok()) << gw.status();
  Caller c(gw->address(), kToken);
  for (int round = 0; round < 4; ++round) {  // Both loops' states.
    v1::QueryResponse resp;
    grpc::Status s = c.Query("SELECT 'sandbox-probe'", &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(resp.results_size(), 1);
    const v1::ResultSet& rs = resp.results(0);
    ASSERT_EQ(rs.rows_size(), 27) << resp.DebugString();
    for (const v1::Row& row : rs.rows()) {
      const std::string probe = ValueText(row.values(0));
      const std::string verdict = ValueText(row.values(1));
      EXPECT_TRUE(absl::StartsWith(verdict, "refused: ")) << probe << " -> " << verdict;
    }
    // Other statements pass through the same script untouched.
    EXPECT_EQ(c.Scalar("SELECT 6 * 7"), "42");
  }
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the script created " << marker;
}

TEST_F(LuaSandboxTest, AScriptThatReachesForAFileAtLoadTimeIsRefused) {
  GatewaySpec spec;
  spec.principals = {{"app", kToken}};
  spec.extra = LuaSection("loader", "local f = io.open('/etc/passwd')\nfunction read_query() end\n");
  auto gw = StartGateway(*server_, spec);
  ASSERT_FALSE(gw.ok()) << "a gateway started with a script that opens a file";
  EXPECT_TRUE(absl::StrContains(gw.status().message(), "lua script 'loader'")) << gw.status();
  EXPECT_FALSE(absl::StrContains(gw.status().message(), "root:")) << gw.status();

  spec.extra = LuaSection("requirer", "local s = require('socket')\n");
  gw = StartGateway(*server_, spec);
  ASSERT_FALSE(gw.ok()) << "a gateway started with a script that requires a module";
  EXPECT_TRUE(absl::StrContains(gw.status().message(), "lua script 'requirer'")) << gw.status();
}

TEST_F(LuaSandboxTest, AScriptErrorFailsOnlyItsStatement) {
  GatewaySpec spec;
  spec.principals = {{"app", kToken}};
  spec.extra = LuaSection("thrower", R"(function read_query(packet)
  if packet:find("boom", 1, true) then return os.execute("id") end
end)");
  auto gw = StartGateway(*server_, spec);
  ASSERT_TRUE(gw.ok()) << gw.status();
  Caller c(gw->address(), kToken);
  grpc::Status s = c.Query("SELECT 'boom'");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.error_message(), "lua script 'thrower'")) << s.error_message();
  EXPECT_EQ(c.Scalar("SELECT 'fine'"), "fine");
}

}  // namespace
}  // namespace mysqlgw::security
