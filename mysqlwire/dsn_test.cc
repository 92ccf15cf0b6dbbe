#include "mysqlwire/dsn.h"

#include "gtest/gtest.h"

namespace mysqlwire {
namespace {

TEST(DsnTest, FullForm) {
  auto o = ParseDsn(
      "mysql://app%40x:p%3Ass@db.example:3307/shop?ssl-ca=/etc/ca.pem&"
      "connect-timeout=2500&io-timeout=100");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->user, "app@x");
  EXPECT_EQ(o->password, "p:ss");
  EXPECT_EQ(o->host, "db.example");
  EXPECT_EQ(o->port, 3307);
  EXPECT_EQ(o->database, "shop");
  EXPECT_EQ(o->ssl_ca_file, "/etc/ca.pem");
  EXPECT_EQ(o->ssl_mode, SslMode::kVerifyIdentity);
  EXPECT_EQ(o->connect_timeout.count(), 2500);
  EXPECT_EQ(o->io_timeout.count(), 100);
}

TEST(DsnTest, DefaultsAndIpv6) {
  auto o = ParseDsn("mysql://root@[::1]");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->port, 3306);
  EXPECT_EQ(o->password, "");
  EXPECT_EQ(o->ssl_mode, SslMode::kPreferred);
  auto p = ParseDsn("mysql://u:pw@[::1]:4000/db?ssl-mode=disabled");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->port, 4000);
  EXPECT_EQ(p->ssl_mode, SslMode::kDisable);
}

TEST(DsnTest, Rejections) {
  for (const char* bad : {"", "postgres://x", "mysql://", "mysql://h:0",
                          "mysql://h:99999", "mysql://h:abc", "mysql://[::1",
                          "mysql://u:%zz@h", "mysql://u:%4@h", "mysql://h?ssl-mode=maybe",
                          "mysql://h?sslmode=required", "mysql://h?io-timeout=-1",
                          "mysql://h?allow-public-key-retrieval=yes"}) {
    EXPECT_FALSE(ParseDsn(bad).ok()) << bad;
  }
}

TEST(DsnTest, Redaction) {
  EXPECT_EQ(RedactDsn("mysql://u:secret@h:1/db?x=1"), "mysql://u:***@h:1/db?x=1");
  EXPECT_EQ(RedactDsn("mysql://u@h"), "mysql://u@h");
  EXPECT_EQ(RedactDsn("nope"), "<invalid DSN>");
}

}  // namespace
}  // namespace mysqlwire
