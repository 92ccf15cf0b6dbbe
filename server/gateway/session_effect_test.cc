#include "server/gateway/session_effect.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

struct Case {
  const char* sql;
  uint32_t pins;
  uint32_t unpins;
  bool replayable;
};

TEST(SessionEffectTest, Table) {
  const Case cases[] = {
      {"SELECT 1", 0, 0, false},
      {"INSERT INTO t VALUES (1)", 0, 0, false},
      {"SET NAMES utf8mb4", 0, 0, true},
      {"set names 'utf8mb4' collate 'utf8mb4_bin'", 0, 0, true},
      {"SET CHARACTER SET utf8mb4", 0, 0, true},
      {"SET sql_mode = 'TRADITIONAL'", 0, 0, true},
      {"SET SESSION time_zone = '+00:00', @@session.sql_select_limit = 10", 0, 0, true},
      {"SET @@wait_timeout = 600", 0, 0, true},
      {"SET autocommit = 1", 0, kPinTransaction, true},
      {"SET autocommit=0", kPinTransaction, 0, false},
      {"SET autocommit = OFF", kPinTransaction, 0, false},
      {"SET @x = 1", kPinUserVariables, 0, false},
      {"SET @x := (SELECT 1)", kPinUserVariables, 0, false},
      {"SELECT c INTO @v FROM t LIMIT 1", kPinUserVariables, 0, false},
      {"SELECT @rank := @rank + 1 FROM t", kPinUserVariables, 0, false},
      {"SELECT @x", 0, 0, false},  // Reads only.
      {"SELECT '@x := 1'", 0, 0, false},
      {"CREATE TEMPORARY TABLE tmp (a INT)", kPinTemporaryTables, 0, false},
      {"CREATE TABLE t2 (a INT)", 0, 0, false},
      {"LOCK TABLES t WRITE", kPinLocks, 0, false},
      {"UNLOCK TABLES", 0, kPinLocks, false},
      {"SELECT GET_LOCK('a', 10)", kPinLocks, 0, false},
      {"FLUSH TABLES WITH READ LOCK", kPinLocks, 0, false},
      {"PREPARE s FROM 'SELECT 1'", kPinPreparedStatements, 0, false},
      {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", kPinSessionState, 0, false},
      {"SET GLOBAL max_connections = 10", kPinSessionState, 0, false},
      {"SET @@global.max_connections = 10", kPinSessionState, 0, false},
      {"SET sql_mode = CONCAT(@@sql_mode, ',X')", kPinSessionState, 0, false},
      {"SET unknown_variable = 1", kPinSessionState, 0, false},
      {"SET sql_mode", kPinSessionState, 0, false},
      {"SET", kPinSessionState, 0, false},
      {"HANDLER t OPEN", kPinSessionState, 0, false},
      {"/* c */ SET NAMES utf8mb4; SET sql_mode = ''", 0, 0, true},
      {"SET NAMES utf8mb4; SET @a = 1", kPinUserVariables, 0, false},
      {"SET autocommit = 0; SET autocommit = 1", kPinTransaction, 0, false},
      {"", 0, 0, false},
      {"-- only a comment", 0, 0, false},
  };
  for (const Case& c : cases) {
    SessionEffect e = ClassifySessionEffect(c.sql);
    EXPECT_EQ(e.pins, c.pins) << c.sql;
    EXPECT_EQ(e.unpins, c.unpins) << c.sql;
    EXPECT_EQ(e.replayable, c.replayable) << c.sql;
  }
}

TEST(SessionEffectTest, TruncatedAndCorruptedInputNeverReplays) {
  const std::string sql = "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_bin'";
  for (size_t n = 0; n < sql.size(); ++n) {
    SessionEffect e = ClassifySessionEffect(sql.substr(0, n));
    // A cut inside the quoted value is an unterminated string, still one
    // token; a cut after NAMES leaves a bare SET NAMES: either way no crash,
    // and never both replayable and pinned.
    EXPECT_FALSE(e.replayable && e.pins != 0) << n;
  }
  EXPECT_EQ(ClassifySessionEffect(std::string("SET \x01\xff = 1", 12)).pins, kPinSessionState);
}

TEST(SessionEffectTest, ReasonNames) {
  EXPECT_EQ(PinReasonName(kPinTransaction), "transaction");
  EXPECT_EQ(PinReasonName(kPinSessionState), "session_state");
  EXPECT_EQ(PinReasonName(kPinTransaction | kPinLocks), "");
}

}  // namespace
}  // namespace mysqlgw
