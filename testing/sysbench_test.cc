#include "testing/sysbench.h"

#include "gtest/gtest.h"

namespace mysqlgw::testing {
namespace {

constexpr char kReport[] = R"(sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)

SQL statistics:
    queries performed:
        read:                            140
        write:                           40
        other:                           20
        total:                           200
    transactions:                        10     (96.20 per sec.)
    queries:                             200    (1924.02 per sec.)
    ignored errors:                      1      (0.01 per sec.)
    reconnects:                          0      (0.00 per sec.)

General statistics:
    total time:                          0.1035s
)";

TEST(SysbenchReportTest, ReadsTheCounters) {
  auto r = ParseSysbenchReport(kReport);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->transactions, 10);
  EXPECT_DOUBLE_EQ(r->transactions_per_second, 96.20);
  EXPECT_EQ(r->queries, 200);
  EXPECT_DOUBLE_EQ(r->queries_per_second, 1924.02);
  EXPECT_EQ(r->reads, 140);
  EXPECT_EQ(r->writes, 40);
  EXPECT_EQ(r->ignored_errors, 1);
  EXPECT_EQ(r->reconnects, 0);
}

TEST(SysbenchReportTest, TruncatedReportsAreErrors) {
  const std::string full = kReport;
  const size_t cut = full.find("reconnects:");
  EXPECT_FALSE(ParseSysbenchReport(full.substr(0, cut)).ok());
  EXPECT_FALSE(ParseSysbenchReport("").ok());
  EXPECT_FALSE(ParseSysbenchReport("    queries:   abc (x per sec.)").ok());
}

}  // namespace
}  // namespace mysqlgw::testing
