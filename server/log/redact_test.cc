#include "server/log/redact.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

struct Case {
  const char* in;
  const char* want;
};

TEST(RedactSecretsTest, MasksCredentialsByShape) {
  const Case cases[] = {
      // Nothing to mask: returned as is.
      {"pool opened 3 connections", "pool opened 3 connections"},
      {"set password_file or password_env, not both",
       "set password_file or password_env, not both"},
      {"token_sha256: abcdef", "token_sha256: abcdef"},
      // Bearer tokens, any case.
      {"authorization: Bearer abc.DEF-123", "authorization: Bearer [REDACTED]"},
      {"got 'bearer  xyz' from peer", "got 'bearer  [REDACTED]' from peer"},
      {"Bearer", "Bearer"},
      // DSN and URL passwords; the user and host stay.
      {"mysql://gw:pw@db:3306/app?ssl-mode=required",
       "mysql://gw:[REDACTED]@db:3306/app?ssl-mode=required"},
      {"dsn mysql://gw@db/app has no password", "dsn mysql://gw@db/app has no password"},
      {"https://host/path?x=1", "https://host/path?x=1"},
      {"a mysql://u:p%40ss@h/d b", "a mysql://u:[REDACTED]@h/d b"},
      // key=value and key: value, quoted or not.
      {"password=hunter2 user=bob", "password=[REDACTED] user=bob"},
      {"db_password: 'hunter 2', next", "db_password: '[REDACTED]', next"},
      {"{\"token\":\"t0k\",\"name\":\"n\"}", "{\"token\":\"[REDACTED]\",\"name\":\"n\"}"},
      {"?user=u&password=p&db=d", "?user=u&password=[REDACTED]&db=d"},
      {"client_secret = s3cr3t;", "client_secret = [REDACTED];"},
      // MySQL's own "(using password: YES)" is not a password.
      {"Access denied for user 'u'@'h' (using password: YES)",
       "Access denied for user 'u'@'h' (using password: YES)"},
      // SQL that sets passwords.
      {"CREATE USER 'u'@'%' IDENTIFIED BY 'pw1'; SELECT 'keep'",
       "CREATE USER 'u'@'%' IDENTIFIED BY '[REDACTED]'; SELECT 'keep'"},
      {"ALTER USER u IDENTIFIED VIA ed25519 USING PASSWORD('pw2')",
       "ALTER USER u IDENTIFIED VIA ed25519 USING PASSWORD('[REDACTED]')"},
      // As a key=value pair: the whole value goes.
      {"SET PASSWORD = PASSWORD(\"pw3\")", "SET PASSWORD = [REDACTED])"},
      {"identified by 'unterminated", "identified by '[REDACTED]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RedactSecrets(c.in), c.want) << c.in;
  }
}

TEST(RedactErrorMessageTest, HidesQuotedDataFromFirstQuoteToLast) {
  const Case cases[] = {
      {"Duplicate entry 'alice@example.com' for key 'PRIMARY'", "Duplicate entry '?'"},
      {"You have an error in your SQL syntax; check the manual that corresponds to your "
       "MariaDB server version for the right syntax to use near 'SELEC 'x' 'y'' at line 1",
       "You have an error in your SQL syntax; check the manual that corresponds to your "
       "MariaDB server version for the right syntax to use near '?' at line 1"},
      {"Incorrect integer value: 'abc' for column `t`.`c` at row 1",
       "Incorrect integer value: '?' for column `t`.`c` at row 1"},
      {"decimal \"12x\" is not an exact decimal number", "decimal \"?\" is not an exact decimal number"},
      {"Lock wait timeout exceeded; try restarting transaction",
       "Lock wait timeout exceeded; try restarting transaction"},
      {"near 'unterminated", "near '?"},
      {"", ""},
      // Credentials outside quotes are masked as well.
      {"login failed with Bearer abc", "login failed with Bearer [REDACTED]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RedactErrorMessage(c.in), c.want) << c.in;
  }
}

}  // namespace
}  // namespace mysqlgw
