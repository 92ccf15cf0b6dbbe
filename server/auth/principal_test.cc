#include "server/auth/principal.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;

v1::PrincipalConfig Config(std::initializer_list<const char*> databases,
                           std::initializer_list<v1::Operation> operations) {
  v1::PrincipalConfig config;
  config.set_name("app");
  for (const char* db : databases) config.add_databases(db);
  for (v1::Operation op : operations) config.add_operations(op);
  return config;
}

TEST(PrincipalTest, FromConfig) {
  Principal p =
      Principal::FromConfig(Config({"app", "logs"}, {v1::OPERATION_READ, v1::OPERATION_WRITE}));
  EXPECT_EQ(p.name, "app");
  EXPECT_FALSE(p.all_databases);
  EXPECT_EQ(p.databases.size(), 2u);
  EXPECT_TRUE(p.Allows(v1::OPERATION_READ));
  EXPECT_TRUE(p.Allows(v1::OPERATION_WRITE));
  EXPECT_FALSE(p.Allows(v1::OPERATION_DDL));
  EXPECT_FALSE(p.Allows(v1::OPERATION_BINLOG));
  EXPECT_FALSE(p.Allows(v1::OPERATION_ADMIN));
  EXPECT_FALSE(p.Allows(v1::OPERATION_UNSPECIFIED));
  EXPECT_FALSE(p.Allows(static_cast<v1::Operation>(40)));
  EXPECT_FALSE(p.Allows(static_cast<v1::Operation>(-1)));
}

TEST(PrincipalTest, UnspecifiedInConfigGrantsNothing) {
  Principal p = Principal::FromConfig(Config({"*"}, {v1::OPERATION_UNSPECIFIED}));
  EXPECT_EQ(p.operations_mask, 0u);
  EXPECT_FALSE(p.Allows(v1::OPERATION_UNSPECIFIED));
}

TEST(PrincipalTest, Databases) {
  Principal some = Principal::FromConfig(Config({"app"}, {v1::OPERATION_READ}));
  EXPECT_TRUE(some.AllowsDatabase("app"));
  EXPECT_FALSE(some.AllowsDatabase("App"));  // Case-sensitive, like MySQL on Linux.
  EXPECT_FALSE(some.AllowsDatabase("other"));
  EXPECT_FALSE(some.AllowsDatabase(""));
  Principal all = Principal::FromConfig(Config({"*"}, {v1::OPERATION_READ}));
  EXPECT_TRUE(all.all_databases);
  EXPECT_TRUE(all.AllowsDatabase("anything"));
  EXPECT_TRUE(all.AllowsDatabase(""));
  Principal none = Principal::FromConfig(Config({}, {v1::OPERATION_READ}));
  EXPECT_FALSE(none.AllowsDatabase("app"));
}

TEST(PrincipalTest, Authorize) {
  Principal p = Principal::FromConfig(Config({"app"}, {v1::OPERATION_READ, v1::OPERATION_WRITE}));
  EXPECT_TRUE(Authorize(p, v1::OPERATION_READ, "app").ok());
  EXPECT_TRUE(Authorize(p, v1::OPERATION_WRITE, "app").ok());

  absl::Status op_denied = Authorize(p, v1::OPERATION_DDL, "app");
  EXPECT_EQ(op_denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(op_denied.message(), "principal 'app' may not perform ddl on database 'app'");

  absl::Status db_denied = Authorize(p, v1::OPERATION_READ, "sales");
  EXPECT_EQ(db_denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(db_denied.message(), "principal 'app' may not perform read on database 'sales'");

  absl::Status no_db = Authorize(p, v1::OPERATION_READ, "");
  EXPECT_EQ(no_db.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(no_db.message(), "principal 'app' may not perform read without a database");

  absl::Status odd = Authorize(p, v1::OPERATION_ADMIN, "x\n'y");
  EXPECT_THAT(std::string(odd.message()), HasSubstr("admin on database 'x\\n\\'y'"));
}

TEST(PrincipalTest, ShortNames) {
  EXPECT_EQ(OperationShortName(v1::OPERATION_READ), "read");
  EXPECT_EQ(OperationShortName(v1::OPERATION_WRITE), "write");
  EXPECT_EQ(OperationShortName(v1::OPERATION_DDL), "ddl");
  EXPECT_EQ(OperationShortName(v1::OPERATION_BINLOG), "binlog");
  EXPECT_EQ(OperationShortName(v1::OPERATION_ADMIN), "admin");
  EXPECT_EQ(OperationShortName(v1::OPERATION_UNSPECIFIED), "unspecified");
}

}  // namespace
}  // namespace mysqlgw
