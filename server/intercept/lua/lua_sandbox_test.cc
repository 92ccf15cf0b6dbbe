#include "server/intercept/lua/lua_sandbox.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<LuaSandbox> MakeSandbox(uint64_t max_instructions = 100'000,
                                        uint64_t max_memory_bytes = 4u << 20) {
  LuaSandboxOptions options;
  options.name = "test";
  options.max_instructions = max_instructions;
  options.max_memory_bytes = max_memory_bytes;
  absl::StatusOr<std::unique_ptr<LuaSandbox>> sandbox = LuaSandbox::Create(options);
  EXPECT_TRUE(sandbox.ok()) << sandbox.status();
  return sandbox.ok() ? *std::move(sandbox) : nullptr;
}

absl::Status RunChunk(LuaSandbox& sandbox, const std::string& source) {
  return sandbox.Run(source, "=chunk");
}

TEST(LuaSandboxTest, DangerousLibrariesAreAbsent) {
  auto sandbox = MakeSandbox();
  ASSERT_NE(sandbox, nullptr);
  for (const char* name : {"io", "os", "package", "require", "debug", "dofile", "loadfile",
                           "coroutine", "string.dump"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(RunChunk(*sandbox, std::string("assert(") + name + " == nil)").ok());
  }
}

TEST(LuaSandboxTest, SafeLibrariesWork) {
  auto sandbox = MakeSandbox();
  ASSERT_NE(sandbox, nullptr);
  EXPECT_TRUE(RunChunk(*sandbox, R"(
    assert(("ab"):rep(3) == "ababab")          -- the string metatable stays
    assert(string.format("%05d", 42) == "00042")
    assert(table.concat({1, 2, 3}, ",") == "1,2,3")
    assert(math.max(3, 9, 4) == 9)
    assert(utf8.len("h\u{e9}") == 2)
    assert(select("#", 1, 2) == 2)
    print("from lua_sandbox_test:", 1, nil, {})   -- stderr, not an error
    assert(load("return 1 + 1")() == 2)
    assert(type(collectgarbage("count")) == "number")
    assert(getmetatable(setmetatable({}, {__index = {x = 7}})).__index.x == 7)
  )").ok());
}

TEST(LuaSandboxTest, BinaryChunksAreRefused) {
  auto sandbox = MakeSandbox();
  ASSERT_NE(sandbox, nullptr);
  // The precompiled-chunk signature, whatever follows it.
  absl::Status status = RunChunk(*sandbox, R"(
    local f, err = load("\27Lua\84\0\25\147\13\10\26\10", "x", "b")
    assert(f == nil, "binary chunk accepted")
    error(err)
  )");
  EXPECT_THAT(status.message(), HasSubstr("attempt to load a binary chunk"));
  // Passing an explicit nil environment is still honoured.
  EXPECT_TRUE(RunChunk(*sandbox, R"(
    local f = load("return print", "x", "t", nil)
    local ok, err = pcall(f)
    assert(not ok and err:find("upvalue '_ENV'"), err)
  )").ok());
  EXPECT_TRUE(RunChunk(*sandbox, R"(
    local env = {v = 5}
    assert(load("return v", "x", "bt", env)() == 5)
  )").ok());
}

TEST(LuaSandboxTest, CollectGarbageOnlyCounts) {
  auto sandbox = MakeSandbox();
  ASSERT_NE(sandbox, nullptr);
  absl::Status status = RunChunk(*sandbox, "collectgarbage()");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("only \"count\" is allowed"));
  EXPECT_THAT(RunChunk(*sandbox, "collectgarbage('stop')").message(), HasSubstr("\"stop\""));
}

TEST(LuaSandboxTest, FinalizersAreRefused) {
  auto sandbox = MakeSandbox();
  ASSERT_NE(sandbox, nullptr);
  absl::Status status =
      RunChunk(*sandbox, "setmetatable({}, {__gc = function() while true do end end})");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("chunk:1: setmetatable: __gc"));
}

TEST(LuaSandboxTest, SyntaxErrorNamesTheLine) {
  auto sandbox = MakeSandbox();
  ASSERT_NE(sandbox, nullptr);
  absl::Status status = RunChunk(*sandbox, "local a = 1\nlocal b = = 2\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("chunk:2:"));
}

TEST(LuaSandboxTest, RunawayLoopIsStoppedAndStateStaysUsable) {
  auto sandbox = MakeSandbox(10'000);
  ASSERT_NE(sandbox, nullptr);
  absl::Status status = RunChunk(*sandbox, "x = 1\nwhile true do end");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("chunk:2: instruction limit of 10000 exceeded"));
  EXPECT_TRUE(RunChunk(*sandbox, "assert(x == 1)").ok());
  // The budget is per call: 9000 instructions twice is fine.
  EXPECT_TRUE(RunChunk(*sandbox, "for i = 1, 2000 do end").ok());
  EXPECT_TRUE(RunChunk(*sandbox, "for i = 1, 2000 do end").ok());
}

TEST(LuaSandboxTest, PcallCannotSwallowTheInstructionLimit) {
  auto sandbox = MakeSandbox(10'000);
  ASSERT_NE(sandbox, nullptr);
  absl::Status status = RunChunk(*sandbox, R"(
    while true do pcall(function() while true do end end) end
  )");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("instruction limit"));
  EXPECT_TRUE(RunChunk(*sandbox, "local y = 1 + 1").ok());
}

TEST(LuaSandboxTest, MemoryBombIsStoppedAndStateStaysUsable) {
  auto sandbox = MakeSandbox(1'000'000, 2u << 20);
  ASSERT_NE(sandbox, nullptr);
  absl::Status status = RunChunk(*sandbox, "local s = 'x' while true do s = s .. s end");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("memory limit of 2097152 bytes exceeded"));
  EXPECT_LE(sandbox->memory_used(), 2u << 20);
  EXPECT_TRUE(RunChunk(*sandbox, "t = {} for i = 1, 100 do t[i] = i end assert(#t == 100)").ok());
  // Caught and raised again as text, it is still the memory limit.
  status = RunChunk(*sandbox, R"(
    local ok, err = pcall(string.rep, "x", 64 * 1024 * 1024)
    error(err, 0)
  )");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(LuaSandboxTest, ErrorObjectsThatAreNotStrings) {
  auto sandbox = MakeSandbox();
  ASSERT_NE(sandbox, nullptr);
  EXPECT_EQ(RunChunk(*sandbox, "error(setmetatable({}, {__tostring = function() return 'x' end}))")
                .message(),
            "(error object is a table value)");
  EXPECT_EQ(RunChunk(*sandbox, "error(42)").message(), "42");
  EXPECT_EQ(RunChunk(*sandbox, "error(string.rep('e', 100000), 0)").message().size(), 1024u);
}

TEST(LuaSandboxTest, TooSmallMemoryLimitFailsCreate) {
  LuaSandboxOptions options;
  options.max_memory_bytes = 2000;
  absl::StatusOr<std::unique_ptr<LuaSandbox>> sandbox = LuaSandbox::Create(options);
  EXPECT_EQ(sandbox.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace mysqlgw
