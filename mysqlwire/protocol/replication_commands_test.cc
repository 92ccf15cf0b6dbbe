#include "mysqlwire/protocol/replication_commands.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace mysqlwire {
namespace {

TEST(ReplicationCommandsTest, RegisterReplica) {
  EXPECT_EQ(absl::BytesToHexString(BuildRegisterReplica(0x01020304, "h", "u", "", 3306)),
            "15"          // COM_REGISTER_SLAVE
            "04030201"    // server id
            "0168"        // "h"
            "0175"        // "u"
            "00"          // no password
            "ea0c"        // port 3306
            "00000000"    // rank
            "00000000");  // master id
}

TEST(ReplicationCommandsTest, BinlogDump) {
  auto dump = BuildBinlogDump(7, "mysql-bin.000002", 4, kBinlogDumpNonBlock);
  ASSERT_TRUE(dump.ok());
  EXPECT_EQ(absl::BytesToHexString(*dump),
            "12" "04000000" "0100" "07000000" + absl::BytesToHexString("mysql-bin.000002"));
  EXPECT_FALSE(BuildBinlogDump(7, "f", 1ull << 32, 0).ok());
}

TEST(ReplicationCommandsTest, GtidSetParsing) {
  auto set = ParseMysqlGtidSet("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7, "
                               "00000000-0000-0000-0000-000000000001:3");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->sids.size(), 2u);
  EXPECT_EQ(set->sids[0].first[0], 0x3e);
  EXPECT_EQ(set->sids[0].first[15], 0x62);
  ASSERT_EQ(set->sids[0].second.size(), 2u);
  EXPECT_EQ(set->sids[0].second[0].start, 1u);
  EXPECT_EQ(set->sids[0].second[0].end, 6u);  // Exclusive on the wire.
  EXPECT_EQ(set->sids[0].second[1].start, 7u);
  EXPECT_EQ(set->sids[0].second[1].end, 8u);
  for (const char* bad : {"nouuid", "3E11FA47-71CA-11E1-9E33-C80AA9429562",
                          "3E11FA47-71CA-11E1-9E33-C80AA9429562:0-3",
                          "3E11FA47-71CA-11E1-9E33-C80AA9429562:5-3",
                          "3E11FA47-71CA-11E1-9E33-C80AA942956Z:1",
                          "3E11FA47:1"}) {
    EXPECT_FALSE(ParseMysqlGtidSet(bad).ok()) << bad;
  }
}

TEST(ReplicationCommandsTest, BinlogDumpGtid) {
  auto set = ParseMysqlGtidSet("00000000-0000-0000-0000-0000000000ff:1-2");
  ASSERT_TRUE(set.ok());
  std::string cmd = BuildBinlogDumpGtid(9, "", 4, 0, *set);
  EXPECT_EQ(absl::BytesToHexString(cmd),
            "1e" "0400" "09000000" "00000000" "0400000000000000"
            "30000000"                            // data size 48
            "0100000000000000"                    // one sid
            "000000000000000000000000000000ff"    // uuid
            "0100000000000000"                    // one interval
            "0100000000000000" "0300000000000000");  // [1, 3)
}

}  // namespace
}  // namespace mysqlwire
