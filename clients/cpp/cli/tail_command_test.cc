#include "clients/cpp/cli/tail_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw::client::cli {
namespace {

using ::testing::ElementsAre;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(SplitList, TrimsAndDropsEmptyItems) {
  EXPECT_THAT(SplitList(" shop.*, crm.customers ,,"), ElementsAre("shop.*", "crm.customers"));
  EXPECT_TRUE(SplitList("").empty());
}

TEST(ParseKinds, NamesCaseInsensitive) {
  absl::StatusOr<std::vector<ChangeKind>> kinds = ParseKinds("insert, DELETE");
  ASSERT_TRUE(kinds.ok()) << kinds.status();
  EXPECT_THAT(*kinds, ElementsAre(ChangeKind::kInsert, ChangeKind::kDelete));
  EXPECT_FALSE(ParseKinds("insert,upsert").ok());
  EXPECT_FALSE(ParseKinds("snapshot").ok());
}

TEST(ParseBinlogPosition, FileColonOffset) {
  absl::StatusOr<BinlogPosition> p = ParseBinlogPosition("mysql-bin.000002:4");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->file, "mysql-bin.000002");
  EXPECT_EQ(p->position, 4u);
  EXPECT_FALSE(ParseBinlogPosition("mysql-bin.000002").ok());
  EXPECT_FALSE(ParseBinlogPosition(":4").ok());
  EXPECT_FALSE(ParseBinlogPosition("f:x").ok());
}

TEST(TokenFile, MissingEmptyAndPresent) {
  const std::string path = TempPath("token-a");
  unlink(path.c_str());
  absl::StatusOr<std::optional<std::string>> token = ReadTokenFile(path);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_FALSE(token->has_value());

  Spit(path, " \n");
  token = ReadTokenFile(path);
  ASSERT_TRUE(token.ok());
  EXPECT_FALSE(token->has_value());

  Spit(path, "abc/+=\n");
  token = ReadTokenFile(path);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(**token, "abc/+=");

  // A folder that does not exist: the file could never be written.
  EXPECT_FALSE(ReadTokenFile(TempPath("no-such-folder/token")).ok());
}

TEST(TokenFile, WriteReplacesThroughATemporaryFile) {
  const std::string path = TempPath("token-b");
  ASSERT_TRUE(WriteTokenFile(path, "first").ok());
  EXPECT_EQ(Slurp(path), "first\n");
  struct stat before;
  ASSERT_EQ(stat(path.c_str(), &before), 0);
  ASSERT_TRUE(WriteTokenFile(path, "second").ok());
  EXPECT_EQ(Slurp(path), "second\n");
  struct stat after;
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  // A new file renamed over the old one, not the old one rewritten in place
  // (which a kill in the middle would leave half written).
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_NE(access((path + ".tmp").c_str(), F_OK), 0);
  absl::StatusOr<std::optional<std::string>> token = ReadTokenFile(path);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(**token, "second");

  EXPECT_FALSE(WriteTokenFile(TempPath("no-such-folder/token"), "x").ok());
}

TEST(ApplyTokenFile, TheFilesTokenReplacesTheStart) {
  const std::string path = TempPath("token-c");
  unlink(path.c_str());
  TailOptions options;
  options.token_file = path;
  options.changes.snapshot_tables = {"shop.*"};
  options.changes.progress_rows = 100;
  options.changes.include_tables = {"shop.*"};
  absl::StatusOr<bool> used = ApplyTokenFile(&options);
  ASSERT_TRUE(used.ok());
  EXPECT_FALSE(*used);  // No file yet: the snapshot starts.
  EXPECT_THAT(options.changes.snapshot_tables, ElementsAre("shop.*"));

  ASSERT_TRUE(WriteTokenFile(path, "T1").ok());
  used = ApplyTokenFile(&options);
  ASSERT_TRUE(used.ok());
  EXPECT_TRUE(*used);
  EXPECT_EQ(options.changes.resume_token, "T1");
  EXPECT_TRUE(options.changes.snapshot_tables.empty());
  EXPECT_EQ(options.changes.progress_rows, 0u);
  EXPECT_THAT(options.changes.include_tables, ElementsAre("shop.*"));  // Filters stay.

  TailOptions from_token;
  from_token.token_file = path;
  from_token.changes.resume_token = "OLDER";
  from_token.changes.earliest = false;
  ASSERT_TRUE(ApplyTokenFile(&from_token).ok());
  EXPECT_EQ(from_token.changes.resume_token, "T1");

  TailOptions none;
  used = ApplyTokenFile(&none);
  ASSERT_TRUE(used.ok());
  EXPECT_FALSE(*used);
}

}  // namespace
}  // namespace mysqlgw::client::cli
