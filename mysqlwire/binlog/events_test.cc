#include "mysqlwire/binlog/events.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mysqlwire/binlog/format_description.h"
#include "mysqlwire/error.h"
#include "zlib.h"
#include "zstd.h"

namespace mysqlwire::binlog {
namespace {

using std::string_literals::operator""s;

// Little-endian fixed-width integer.
std::string Le(uint64_t v, int width) {
  std::string s;
  for (int i = 0; i < width; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string U8(uint64_t v) { return Le(v, 1); }
std::string U16(uint64_t v) { return Le(v, 2); }
std::string U32(uint64_t v) { return Le(v, 4); }
std::string U64(uint64_t v) { return Le(v, 8); }
std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

const FormatDescription& Fde() {
  static const FormatDescription* fde = new FormatDescription(DefaultFormatDescription());
  return *fde;
}

// Every strict prefix of `body` must fail, except those listed in `allowed`
// (lengths at which the layout legitimately ends).
template <typename Parse>
void ExpectPrefixesFail(const std::string& body, Parse parse,
                        std::vector<size_t> allowed = {}) {
  for (size_t n = 0; n < body.size(); ++n) {
    bool ok = parse(body.substr(0, n)).ok();
    bool expected_ok = std::find(allowed.begin(), allowed.end(), n) != allowed.end();
    EXPECT_EQ(ok, expected_ok) << "prefix of " << n << " of " << body.size() << " bytes";
  }
}

const Uuid kSid = {0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1,
                   0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};
std::string SidBytes() { return std::string(kSid.begin(), kSid.end()); }

// ---------------------------------------------------------------------------
// QUERY

std::string QueryBody(const std::string& status, const std::string& schema,
                      const std::string& query) {
  return U32(7) + U32(1) + U8(schema.size()) + U16(0) + U16(status.size()) + status +
         schema + "\0"s + query;
}

TEST(QueryEventTest, MySql80StatusVariables) {
  std::string status = U8(kQFlags2) + U32(0x40000) +           //
                       U8(kQSqlMode) + U64(0x1234) +           //
                       U8(kQCatalogNz) + U8(3) + "std" +       //
                       U8(kQAutoIncrement) + U16(2) + U16(3) + //
                       U8(kQCharset) + U16(33) + U16(255) + U16(8) +
                       U8(kQTimeZone) + U8(3) + "UTC" +
                       U8(kQLcTimeNames) + U16(1) +
                       U8(kQCharsetDatabase) + U16(45) +
                       U8(kQTableMapForUpdate) + U64(3) +
                       U8(kQInvoker) + U8(4) + "root" + U8(9) + "localhost" +
                       U8(kQUpdatedDbNames) + U8(2) + "a\0bc\0"s +
                       U8(kQMicroseconds) + Le(123456, 3) +
                       U8(kQExplicitDefaultsForTimestamp) + U8(1) +
                       U8(kQDdlLoggedWithXid) + U64(99) +
                       U8(kQDefaultCollationForUtf8mb4) + U16(255) +
                       U8(kQSqlRequirePrimaryKey) + U8(1) +
                       U8(kQDefaultTableEncryption) + U8(0);
  std::string body = QueryBody(status, "db", "CREATE TABLE t (a INT)");
  auto q = ParseQueryEvent(body, Fde());
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->thread_id, 7u);
  EXPECT_EQ(q->exec_time, 1u);
  EXPECT_EQ(q->error_code, 0);
  EXPECT_EQ(q->schema, "db");
  EXPECT_EQ(q->query, "CREATE TABLE t (a INT)");
  const QueryStatusVars& v = q->status;
  EXPECT_EQ(v.flags2, 0x40000u);
  EXPECT_EQ(v.sql_mode, 0x1234u);
  EXPECT_EQ(v.catalog, "std");
  ASSERT_TRUE(v.auto_increment.has_value());
  EXPECT_EQ(v.auto_increment->increment, 2);
  EXPECT_EQ(v.auto_increment->offset, 3);
  ASSERT_TRUE(v.charset.has_value());
  EXPECT_EQ(v.charset->client, 33);
  EXPECT_EQ(v.charset->collation_connection, 255);
  EXPECT_EQ(v.charset->collation_server, 8);
  EXPECT_EQ(v.time_zone, "UTC");
  EXPECT_EQ(v.lc_time_names, 1);
  EXPECT_EQ(v.charset_database, 45);
  EXPECT_EQ(v.table_map_for_update, 3u);
  ASSERT_TRUE(v.invoker.has_value());
  EXPECT_EQ(v.invoker->user, "root");
  EXPECT_EQ(v.invoker->host, "localhost");
  ASSERT_TRUE(v.updated_db_names.has_value());
  EXPECT_EQ(*v.updated_db_names, (std::vector<std::string>{"a", "bc"}));
  EXPECT_FALSE(v.updated_db_names_overflow);
  EXPECT_EQ(v.microseconds, 123456u);
  EXPECT_EQ(v.explicit_defaults_for_timestamp, 1);
  EXPECT_EQ(v.ddl_xid, 99u);
  EXPECT_EQ(v.default_collation_for_utf8mb4, 255);
  EXPECT_EQ(v.sql_require_primary_key, 1);
  EXPECT_EQ(v.default_table_encryption, 0);
  EXPECT_FALSE(v.unknown_code.has_value());

  // Cut inside the post-header, the status block or the schema: an error.
  // Cut inside the query text: a shorter query (only the event size in the
  // header can tell; the decoder checks that).
  const size_t query_start = body.size() - q->query.size();
  for (size_t n = 0; n < body.size(); ++n) {
    auto p = ParseQueryEvent(body.substr(0, n), Fde());
    EXPECT_EQ(p.ok(), n >= query_start) << n;
    if (p.ok()) {
      EXPECT_EQ(p->query, q->query.substr(0, n - query_start));
    }
  }
}

TEST(QueryEventTest, MariaDbStatusVariables) {
  std::string status = U8(kQFlags2) + U32(0) + U8(kQHrnow) + Le(999999, 3) +
                       U8(kQXid) + U64(77) + U8(kQGtidFlags3) +
                       U8(kMariaGtidExtraCommitAlter) + U64(5) +
                       U8(kQCharacterSetCollations) + U8(2) + U16(8) + U16(8) +
                       U16(45) + U16(2347);
  auto q = ParseQueryEvent(QueryBody(status, "", "ALTER TABLE t ADD b INT"), Fde());
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->schema, "");
  EXPECT_EQ(q->status.hrnow, 999999u);
  EXPECT_EQ(q->status.xid, 77u);
  EXPECT_EQ(q->status.gtid_flags3, kMariaGtidExtraCommitAlter);
  EXPECT_EQ(q->status.sa_seq_no, 5u);
  ASSERT_TRUE(q->status.character_set_collations.has_value());
  EXPECT_EQ(*q->status.character_set_collations,
            (std::vector<std::pair<uint16_t, uint16_t>>{{8, 8}, {45, 2347}}));
  // Without an ALTER flag there is no sequence number.
  auto plain = ParseQueryStatusVars(U8(kQGtidFlags3) + U8(kMariaGtidExtraStartAlter));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->sa_seq_no.has_value());
}

TEST(QueryEventTest, EveryFixedStatusVariableRejectsTruncation) {
  const std::vector<std::string> vars = {
      U8(kQFlags2) + U32(1),
      U8(kQSqlMode) + U64(1),
      U8(kQCatalog) + U8(3) + "std" + U8(0),
      U8(kQAutoIncrement) + U16(1) + U16(1),
      U8(kQCharset) + U16(1) + U16(2) + U16(3),
      U8(kQTimeZone) + U8(1) + "Z",
      U8(kQCatalogNz) + U8(1) + "x",
      U8(kQLcTimeNames) + U16(1),
      U8(kQCharsetDatabase) + U16(1),
      U8(kQTableMapForUpdate) + U64(1),
      U8(kQMasterDataWritten) + U32(1),
      U8(kQInvoker) + U8(1) + "u" + U8(1) + "h",
      U8(kQUpdatedDbNames) + U8(1) + "d\0"s,
      U8(kQMicroseconds) + Le(1, 3),
      U8(kQExplicitDefaultsForTimestamp) + U8(1),
      U8(kQDdlLoggedWithXid) + U64(1),
      U8(kQDefaultCollationForUtf8mb4) + U16(1),
      U8(kQSqlRequirePrimaryKey) + U8(1),
      U8(kQDefaultTableEncryption) + U8(1),
      U8(kQHrnow) + Le(1, 3),
      U8(kQXid) + U64(1),
      U8(kQGtidFlags3) + U8(kMariaGtidExtraRollbackAlter) + U64(1),
      U8(kQCharacterSetCollations) + U8(1) + U16(1) + U16(2),
  };
  for (const std::string& var : vars) {
    EXPECT_TRUE(ParseQueryStatusVars(var).ok()) << absl::BytesToHexString(var);
    ExpectPrefixesFail(var, [](absl::string_view b) { return ParseQueryStatusVars(b); },
                       {0});
  }
  auto catalog = ParseQueryStatusVars(U8(kQCatalog) + U8(3) + "std" + U8(0));
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(catalog->catalog, "std");
  EXPECT_FALSE(ParseQueryStatusVars(U8(kQCatalog) + U8(3) + "std" + U8(1)).ok());
}

TEST(QueryEventTest, UnknownStatusVariableKeepsTheRestRaw) {
  std::string tail = U8(14) + "\x01\x02\x03"s + U8(kQFlags2) + U32(5);
  std::string status = U8(kQSqlMode) + U64(8) + tail;
  auto q = ParseQueryEvent(QueryBody(status, "s", "BEGIN"), Fde());
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->status.sql_mode, 8u);
  EXPECT_EQ(q->status.unknown_code, 14);
  EXPECT_EQ(q->status.unparsed, tail);
  EXPECT_FALSE(q->status.flags2.has_value());  // After the unknown one.
  EXPECT_EQ(q->schema, "s");
  EXPECT_EQ(q->query, "BEGIN");

  auto dummy = ParseQueryStatusVars(U8(kQDummy) + "\x00\x00"s);
  ASSERT_TRUE(dummy.ok());
  EXPECT_EQ(dummy->unknown_code, kQDummy);
}

TEST(QueryEventTest, UpdatedDbNamesOverflow) {
  auto v = ParseQueryStatusVars(U8(kQUpdatedDbNames) + U8(254));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->updated_db_names_overflow);
  EXPECT_FALSE(v->updated_db_names.has_value());
}

TEST(QueryEventTest, Malformed) {
  // Status variable running past its block (the block ends after 3 bytes).
  std::string body = U32(1) + U32(0) + U8(0) + U16(0) + U16(3) + U8(kQFlags2) +
                     "\x00\x00"s + "\0BEGIN"s;
  EXPECT_TRUE(IsProtocolError(ParseQueryEvent(body, Fde()).status()));
  // Schema without its NUL.
  body = QueryBody("", "db", "BEGIN");
  body[13 + 2] = 'x';
  EXPECT_FALSE(ParseQueryEvent(body, Fde()).ok());
  // A post-header too short for even the pre-5.0 layout.
  EXPECT_FALSE(ParseQueryEvent(QueryBody("", "", "x"), uint8_t{10}).ok());
}

TEST(QueryEventTest, PreFiveZeroPostHeaderAndLongerOnes) {
  // 11 bytes: no status block.
  std::string old = U32(3) + U32(0) + U8(1) + U16(1050) + "d\0DROP TABLE x"s;
  auto q = ParseQueryEvent(old, uint8_t{11});
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->error_code, 1050);
  EXPECT_EQ(q->schema, "d");
  EXPECT_EQ(q->query, "DROP TABLE x");
  // 15 bytes: two unknown trailing post-header bytes are skipped.
  std::string longer = U32(3) + U32(0) + U8(1) + U16(0) + U16(0) + "??" + "d\0COMMIT"s;
  q = ParseQueryEvent(longer, uint8_t{15});
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->query, "COMMIT");
}

// ---------------------------------------------------------------------------
// Small fixed events

TEST(RotateEventTest, Parses) {
  std::string body = U64(4) + "binlog.000002";
  auto e = ParseRotateEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->position, 4u);
  EXPECT_EQ(e->next_file, "binlog.000002");
  // The name is string<EOF>: only the position and an empty name fail.
  for (size_t n = 0; n <= 8; ++n) {
    EXPECT_FALSE(ParseRotateEvent(body.substr(0, n), Fde()).ok()) << n;
  }
  // Without a post-header (pre-v4) the position is 4.
  FormatDescription old = Fde();
  old.post_header_lengths[static_cast<size_t>(EventType::kRotate) - 1] = 0;
  e = ParseRotateEvent("mysql-bin.000009", old);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->position, 4u);
  EXPECT_EQ(e->next_file, "mysql-bin.000009");
}

TEST(XidEventTest, ParsesAndRejectsTruncationAndTrailingBytes) {
  std::string body = U64(0x0102030405060708);
  auto e = ParseXidEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->xid, 0x0102030405060708u);
  ExpectPrefixesFail(body, [](absl::string_view b) { return ParseXidEvent(b, Fde()); });
  EXPECT_TRUE(IsProtocolError(ParseXidEvent(body + "x", Fde()).status()));
}

TEST(IntvarEventTest, ParsesAndRejects) {
  std::string body = U8(2) + U64(1000);
  auto e = ParseIntvarEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->type, IntvarType::kInsertId);
  EXPECT_EQ(e->value, 1000u);
  e = ParseIntvarEvent(U8(1) + U64(5), Fde());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->type, IntvarType::kLastInsertId);
  ExpectPrefixesFail(body, [](absl::string_view b) { return ParseIntvarEvent(b, Fde()); });
  EXPECT_FALSE(ParseIntvarEvent(body + "x", Fde()).ok());
  EXPECT_FALSE(ParseIntvarEvent(U8(3) + U64(5), Fde()).ok());
}

TEST(RandEventTest, ParsesAndRejects) {
  std::string body = U64(11) + U64(22);
  auto e = ParseRandEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->seed1, 11u);
  EXPECT_EQ(e->seed2, 22u);
  ExpectPrefixesFail(body, [](absl::string_view b) { return ParseRandEvent(b, Fde()); });
  EXPECT_FALSE(ParseRandEvent(body + "x", Fde()).ok());
}

TEST(UserVarEventTest, StringIntDecimalAndNull) {
  std::string body = U32(3) + "var" + U8(0) + U8(0) + U32(33) + U32(3) + "abc" + U8(0);
  auto e = ParseUserVarEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->name, "var");
  EXPECT_FALSE(e->is_null);
  EXPECT_EQ(e->type, UserVarType::kString);
  EXPECT_EQ(e->charset, 33u);
  EXPECT_EQ(e->value, "abc");
  EXPECT_EQ(e->flags, 0);
  // The flags byte is absent before MySQL 5.1: that prefix is valid.
  ExpectPrefixesFail(body, [](absl::string_view b) { return ParseUserVarEvent(b, Fde()); },
                     {body.size() - 1});
  EXPECT_FALSE(ParseUserVarEvent(body + "x", Fde()).ok());

  std::string unsigned_int = U32(1) + "i" + U8(0) + U8(2) + U32(63) + U32(8) +
                             U64(0xffffffffffffffff) + U8(kUserVarUnsigned);
  e = ParseUserVarEvent(unsigned_int, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->type, UserVarType::kInt);
  EXPECT_EQ(e->flags, kUserVarUnsigned);
  EXPECT_EQ(e->value, U64(0xffffffffffffffff));

  std::string null_var = U32(2) + "nv" + U8(1);
  e = ParseUserVarEvent(null_var, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->is_null);
  EXPECT_EQ(e->name, "nv");
  EXPECT_FALSE(ParseUserVarEvent(null_var + "x", Fde()).ok());
  ExpectPrefixesFail(null_var,
                     [](absl::string_view b) { return ParseUserVarEvent(b, Fde()); });

  // Unknown value type; a name longer than the body.
  EXPECT_FALSE(ParseUserVarEvent(U32(1) + "v" + U8(0) + U8(9) + U32(0) + U32(0), Fde()).ok());
  EXPECT_FALSE(ParseUserVarEvent(U32(0xffffffff) + "v" + U8(1), Fde()).ok());
}

// ---------------------------------------------------------------------------
// MySQL GTIDs

TEST(GtidEventTest, MySql80FullLayout) {
  const std::string post_header =
      U8(kGtidMayHaveSbr) + SidBytes() + U64(42) + U8(2) + U64(5) + U64(6);
  const std::string timestamps = Le((uint64_t{1} << 55) | 1700000000000001, 7) +
                                 Le(1600000000000002, 7);
  const std::string length = "\xfc\x2c\x01"s;  // lenenc 300
  const std::string versions = U32((uint32_t{1} << 31) | 80032) + U32(80028);
  const std::string ticket = U64(9);
  const std::string body = post_header + timestamps + length + versions + ticket;
  auto g = ParseGtidEvent(EventType::kGtid, body, Fde());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_FALSE(g->anonymous);
  EXPECT_EQ(g->flags, kGtidMayHaveSbr);
  EXPECT_EQ(g->sid, kSid);
  EXPECT_EQ(g->gno, 42);
  EXPECT_EQ(g->last_committed, 5);
  EXPECT_EQ(g->sequence_number, 6);
  EXPECT_EQ(g->immediate_commit_timestamp, 1700000000000001u);
  EXPECT_EQ(g->original_commit_timestamp, 1600000000000002u);
  EXPECT_EQ(g->transaction_length, 300u);
  EXPECT_EQ(g->immediate_server_version, 80032u);
  EXPECT_EQ(g->original_server_version, 80028u);
  EXPECT_EQ(g->commit_group_ticket, 9u);
  EXPECT_EQ(g->Gtid(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:42");

  // Each group after the 42-byte post-header may be missing, but not cut.
  const size_t a = post_header.size();
  const size_t b = a + timestamps.size();
  const size_t c = b + length.size();
  const size_t d = c + versions.size();
  ExpectPrefixesFail(body,
                     [](absl::string_view x) { return ParseGtidEvent(EventType::kGtid, x, Fde()); },
                     {a, b, c, d});
  // A newer server's trailing field is ignored.
  EXPECT_TRUE(ParseGtidEvent(EventType::kGtid, body + "\x01"s, Fde()).ok());
}

TEST(GtidEventTest, OriginalEqualsImmediateWhenAbsent) {
  const std::string body = U8(0) + SidBytes() + U64(7) + U8(2) + U64(1) + U64(2) +
                           Le(1700000000000001, 7) + U8(200) + U32(80400);
  auto g = ParseGtidEvent(EventType::kGtid, body, Fde());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->original_commit_timestamp, 1700000000000001u);
  EXPECT_EQ(g->transaction_length, 200u);
  EXPECT_EQ(g->original_server_version, 80400u);
  EXPECT_FALSE(g->commit_group_ticket.has_value());
}

TEST(GtidEventTest, MySql56AndAnonymous) {
  FormatDescription fde56 = Fde();
  fde56.post_header_lengths[static_cast<size_t>(EventType::kGtid) - 1] = 25;
  const std::string body = U8(1) + SidBytes() + U64(3);
  auto g = ParseGtidEvent(EventType::kGtid, body, fde56);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->gno, 3);
  EXPECT_FALSE(g->last_committed.has_value());
  EXPECT_FALSE(g->immediate_commit_timestamp.has_value());
  // With the 5.7+ FORMAT_DESCRIPTION the 42-byte post-header is required.
  EXPECT_FALSE(ParseGtidEvent(EventType::kGtid, body, Fde()).ok());

  const std::string anon = U8(0) + std::string(16, '\0') + U64(0) + U8(2) + U64(0) + U64(1);
  g = ParseGtidEvent(EventType::kAnonymousGtid, anon, Fde());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_TRUE(g->anonymous);
  EXPECT_EQ(g->Gtid(), "ANONYMOUS");
  EXPECT_EQ(g->sequence_number, 1);
}

TEST(GtidEventTest, RejectsUnknownClockAndWrongType) {
  const std::string body = U8(0) + SidBytes() + U64(7) + U8(3) + U64(1) + U64(2);
  EXPECT_TRUE(IsProtocolError(ParseGtidEvent(EventType::kGtid, body, Fde()).status()));
  EXPECT_FALSE(ParseGtidEvent(EventType::kQuery, body, Fde()).ok());
}

// mysql::serialization varlen encoder, for building test messages.
std::string Varlen(uint64_t v) {
  for (int n = 1; n <= 8; ++n) {
    if (n == 8 || v < (uint64_t{1} << (7 * n))) {
      if (v >= (uint64_t{1} << 56)) break;
      return Le((v << n) | ((uint64_t{1} << (n - 1)) - 1), n);
    }
  }
  return "\xff"s + U64(v);
}
std::string SignedVarlen(int64_t v) {
  return Varlen(v >= 0 ? static_cast<uint64_t>(v) << 1
                       : (static_cast<uint64_t>(-(v + 1)) << 1) | 1);
}
// A whole message: version 1, size, last non-ignorable field id, fields.
std::string Message(const std::string& fields, uint64_t last_non_ignorable = 0) {
  for (size_t size_len = 1;; ++size_len) {
    size_t total = 1 + size_len + Varlen(last_non_ignorable).size() + fields.size();
    if (Varlen(total).size() == size_len) {
      return Varlen(1) + Varlen(total) + Varlen(last_non_ignorable) + fields;
    }
  }
}

TEST(SerializationVarlenTest, ExamplesFromTheFormatDescription) {
  struct Case {
    std::string bytes;
    uint64_t value;
  };
  // The serialization library's readme shows these bit patterns.
  for (const Case& c : std::vector<Case>{
           {"\x02"s, 1},
           {"\x00"s, 0},
           {"\xfb\xff\x07"s, 65535},
           {"\xff"s + U64(0xffffffffffffffff), 0xffffffffffffffff},
           {"\x7f"s + Le(0x00ffffffffffffff, 7), 0x00ffffffffffffff},
       }) {
    absl::string_view in = c.bytes;
    std::optional<uint64_t> v = ReadSerializationVarlen(in);
    ASSERT_TRUE(v.has_value()) << absl::BytesToHexString(c.bytes);
    EXPECT_EQ(*v, c.value);
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(Varlen(c.value), c.bytes);
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      absl::string_view cut = absl::string_view(c.bytes).substr(0, n);
      EXPECT_FALSE(ReadSerializationVarlen(cut).has_value()) << n;
    }
  }
  struct SignedCase {
    std::string bytes;
    int64_t value;
  };
  for (const SignedCase& c : std::vector<SignedCase>{
           {"\xf3\xff\x0f"s, 65535},
           {"\xeb\xff\x0f"s, -65535},
           {"\xfb\xff\x0f"s, -65536},
           {"\x0c"s, 3},
           {"\x02"s, -1},
       }) {
    absl::string_view in = c.bytes;
    std::optional<int64_t> v = ReadSerializationVarlenSigned(in);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, c.value) << absl::BytesToHexString(c.bytes);
    EXPECT_EQ(SignedVarlen(c.value), c.bytes);
  }
}

// The GTID_TAGGED body recorded by MySQL 9.6.0 in
// binlog_transaction_with_GTID_TAG.000001 (offset 245): "mytag", gno 3.
const char kTaggedGtidHex[] =
    "027800000002aaee25020804650222c503c502e1029cc10311035502dead03040c060a6d"
    "7974616708000a040c7f1cf3b814244a0610a10412430f0b";

TEST(TaggedGtidEventTest, RecordedEvent) {
  const std::string body = Hex(kTaggedGtidHex);
  auto g = ParseTaggedGtidEvent(body, Fde());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(FormatUuid(g->sid), "55778904-0299-11f1-b1b8-4ef0c4956feb");
  EXPECT_EQ(g->tag, "mytag");
  EXPECT_EQ(g->gno, 3);
  EXPECT_EQ(g->Gtid(), "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3");
  EXPECT_EQ(g->flags, 0);
  EXPECT_EQ(g->last_committed, 0);
  EXPECT_EQ(g->sequence_number, 1);
  EXPECT_EQ(g->immediate_commit_timestamp, 0x064a2414b8f31cu);  // 2026-02-06
  EXPECT_EQ(g->original_commit_timestamp, g->immediate_commit_timestamp);
  // The transaction's five events: 83 + 77 + 56 + 49 + 31 bytes.
  EXPECT_EQ(g->transaction_length, 296u);
  EXPECT_EQ(g->immediate_server_version, 90600u);
  EXPECT_EQ(g->original_server_version, 90600u);
  EXPECT_FALSE(g->commit_group_ticket.has_value());
  // The message size covers the whole body: any cut or extra byte shows.
  ExpectPrefixesFail(body, [](absl::string_view b) { return ParseTaggedGtidEvent(b, Fde()); });
  EXPECT_FALSE(ParseTaggedGtidEvent(body + "\x00"s, Fde()).ok());
}

std::string TaggedFields(const std::string& tag) {
  std::string f = Varlen(0) + Varlen(1);  // flags = 1
  f += Varlen(1);
  for (uint8_t b : kSid) f += Varlen(b);
  f += Varlen(2) + SignedVarlen(1234567890123);
  f += Varlen(3) + Varlen(tag.size()) + tag;
  f += Varlen(4) + SignedVarlen(10) + Varlen(5) + SignedVarlen(11);
  f += Varlen(6) + Varlen(1700000000000000) + Varlen(7) + Varlen(1600000000000000);
  f += Varlen(8) + Varlen(5000) + Varlen(9) + Varlen(90600) + Varlen(10) + Varlen(80400);
  f += Varlen(11) + Varlen(77);
  return f;
}

TEST(TaggedGtidEventTest, AllFieldsAndUnknownOnes) {
  auto g = ParseTaggedGtidEvent(Message(TaggedFields("t1")), Fde());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->flags, 1);
  EXPECT_EQ(g->sid, kSid);
  EXPECT_EQ(g->gno, 1234567890123);
  EXPECT_EQ(g->tag, "t1");
  EXPECT_EQ(g->last_committed, 10);
  EXPECT_EQ(g->sequence_number, 11);
  EXPECT_EQ(g->immediate_commit_timestamp, 1700000000000000u);
  EXPECT_EQ(g->original_commit_timestamp, 1600000000000000u);
  EXPECT_EQ(g->transaction_length, 5000u);
  EXPECT_EQ(g->immediate_server_version, 90600u);
  EXPECT_EQ(g->original_server_version, 80400u);
  EXPECT_EQ(g->commit_group_ticket, 77u);

  // A field of a newer server that may be ignored, then one that may not.
  std::string newer = TaggedFields("t1") + Varlen(12) + "\x05\x07"s;
  EXPECT_TRUE(ParseTaggedGtidEvent(Message(newer, 0), Fde()).ok());
  EXPECT_FALSE(ParseTaggedGtidEvent(Message(newer, 13), Fde()).ok());
}

TEST(TaggedGtidEventTest, RejectsMalformedMessages) {
  auto parse = [](const std::string& b) { return ParseTaggedGtidEvent(b, Fde()); };
  const std::string fields = TaggedFields("x");
  std::string good = Message(fields);
  ASSERT_TRUE(parse(good).ok());
  // Serialization version 2.
  std::string v2 = good;
  v2[0] = '\x04';
  EXPECT_FALSE(parse(v2).ok());
  // Fields out of order.
  std::string swapped = Varlen(2) + SignedVarlen(1) + Varlen(1) + std::string(16, '\x02');
  EXPECT_FALSE(parse(Message(swapped)).ok());
  // No sid / gno.
  EXPECT_FALSE(parse(Message(Varlen(0) + Varlen(0))).ok());
  // Tag longer than 32 characters.
  std::string long_tag = Varlen(1);
  for (uint8_t b : kSid) long_tag += Varlen(b);
  long_tag += Varlen(2) + SignedVarlen(1) + Varlen(3) + Varlen(33) + std::string(33, 'a');
  EXPECT_FALSE(parse(Message(long_tag)).ok());
  // A sid byte above 255.
  std::string bad_sid = Varlen(1) + Varlen(256) + std::string(15, '\x00');
  EXPECT_FALSE(parse(Message(bad_sid)).ok());
}

TEST(GtidSetTest, Formats) {
  Uuid other = kSid;
  other[15] = 0x63;
  std::vector<GtidSetEntry> set = {
      {kSid, "", {{1, 5}, {7, 7}}},
      {kSid, "tag", {{1, 2}}},
      {other, "", {{1, 3}}},
  };
  EXPECT_EQ(FormatGtidSet(set),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7:tag:1-2,"
            "3e11fa47-71ca-11e1-9e33-c80aa9429563:1-3");
  EXPECT_EQ(FormatGtidSet({}), "");
}

TEST(PreviousGtidsEventTest, Untagged) {
  Uuid other = kSid;
  other[0] = 0x01;
  std::string body = U64(2) + SidBytes() + U64(2) + U64(1) + U64(6) + U64(7) + U64(8) +
                     std::string(other.begin(), other.end()) + U64(1) + U64(1) + U64(4);
  auto e = ParsePreviousGtidsEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_FALSE(e->tagged);
  ASSERT_EQ(e->entries.size(), 2u);
  EXPECT_EQ(e->ToString(),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,"
            "0111fa47-71ca-11e1-9e33-c80aa9429562:1-3");
  ExpectPrefixesFail(body, [](absl::string_view b) { return ParsePreviousGtidsEvent(b, Fde()); });
  EXPECT_FALSE(ParsePreviousGtidsEvent(body + "x", Fde()).ok());

  auto empty = ParsePreviousGtidsEvent(U64(0), Fde());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->ToString(), "");
}

TEST(PreviousGtidsEventTest, TaggedFromMySql96) {
  // binlog_transaction_with_GTID_TAG.000001, offset 127.
  const std::string body = Hex(
      "010200000000000155778904029911f1b1b84ef0c4956feb0001000000000000000100"
      "0000000000000e0000000000000055778904029911f1b1b84ef0c4956feb0a6d797461"
      "67010000000000000001000000000000000300000000000000");
  auto e = ParsePreviousGtidsEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->tagged);
  ASSERT_EQ(e->entries.size(), 2u);
  EXPECT_EQ(e->entries[1].tag, "mytag");
  EXPECT_EQ(e->ToString(), "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2");
  ExpectPrefixesFail(body, [](absl::string_view b) { return ParsePreviousGtidsEvent(b, Fde()); });
}

TEST(PreviousGtidsEventTest, RejectsBadIntervalsAndHugeCounts) {
  auto parse = [](const std::string& b) { return ParsePreviousGtidsEvent(b, Fde()); };
  EXPECT_FALSE(parse(U64(1) + SidBytes() + U64(1) + U64(5) + U64(5)).ok());  // empty
  EXPECT_FALSE(parse(U64(1) + SidBytes() + U64(1) + U64(0) + U64(5)).ok());  // gno 0
  EXPECT_FALSE(parse(U64(0x00ffffffffffffff) + SidBytes()).ok());
  EXPECT_FALSE(parse(U64(1) + SidBytes() + U64(0x0fffffffffffffff)).ok());
  EXPECT_FALSE(parse(U64(uint64_t{2} << 56)).ok());  // unknown format
}

// ---------------------------------------------------------------------------
// MariaDB GTIDs

TEST(MariaGtidEventTest, PlainTransaction) {
  // As MariaDB 10.5 writes it: 13 bytes of fields, 6 of zero padding.
  std::string body = U64(1) + U32(0) + U8(0x0c) + std::string(6, '\0');
  auto e = ParseMariaGtidEvent(body, Fde(), 1);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->gtid.ToString(), "0-1-1");
  EXPECT_EQ(e->flags2, kMariaGtidTransactional | kMariaGtidAllowParallel);
  EXPECT_FALSE(e->standalone());
  EXPECT_FALSE(e->commit_id.has_value());
  EXPECT_FALSE(e->xid.has_value());
  ExpectPrefixesFail(body,
                     [](absl::string_view b) { return ParseMariaGtidEvent(b, Fde(), 1); });
  // Trailing zero padding is accepted.
  EXPECT_TRUE(ParseMariaGtidEvent(body + std::string(4, '\0'), Fde(), 1).ok());
}

TEST(MariaGtidEventTest, CommitIdXaAndExtraFlags) {
  std::string body = U64(100) + U32(2) + U8(kMariaGtidGroupCommitId | kMariaGtidStandalone) +
                     U64(555);
  auto e = ParseMariaGtidEvent(body, Fde(), 7);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->gtid.ToString(), "2-7-100");
  EXPECT_EQ(e->commit_id, 555u);
  EXPECT_TRUE(e->standalone());
  ExpectPrefixesFail(body,
                     [](absl::string_view b) { return ParseMariaGtidEvent(b, Fde(), 7); });

  std::string xa = U64(5) + U32(0) + U8(kMariaGtidPreparedXa) + U32(1) + U8(3) + U8(2) +
                   "abc" + "de" + U8(kMariaGtidExtraMultiEngine | kMariaGtidExtraCommitAlter) +
                   U8(2) + U64(4);
  e = ParseMariaGtidEvent(xa, Fde(), 1);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->xid.has_value());
  EXPECT_EQ(e->xid->format_id, 1);
  EXPECT_EQ(e->xid->gtrid, "abc");
  EXPECT_EQ(e->xid->bqual, "de");
  EXPECT_EQ(e->extra_engines, 2);
  EXPECT_EQ(e->sa_seq_no, 4u);
  // The XID cannot claim more than 64 bytes per part.
  std::string bad = U64(5) + U32(0) + U8(kMariaGtidCompletedXa) + U32(1) + U8(65) + U8(0) +
                    std::string(65, 'x');
  EXPECT_FALSE(ParseMariaGtidEvent(bad, Fde(), 1).ok());
}

TEST(MariaGtidListEventTest, ParsesAndPrints) {
  std::string body = U32((uint32_t{1} << 28) | 2) + U32(0) + U32(1) + U64(100) + U32(1) +
                     U32(2) + U64(5);
  auto e = ParseMariaGtidListEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->flags, 1);
  EXPECT_EQ(e->ToString(), "0-1-100,1-2-5");
  ExpectPrefixesFail(body, [](absl::string_view b) { return ParseMariaGtidListEvent(b, Fde()); });
  EXPECT_FALSE(ParseMariaGtidListEvent(body + "x", Fde()).ok());
  auto empty = ParseMariaGtidListEvent(U32(0), Fde());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->ToString(), "");
  // As MariaDB writes an empty list: padded to 6 bytes.
  empty = ParseMariaGtidListEvent(U32(0) + U16(0), Fde());
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->gtids.empty());
  EXPECT_FALSE(ParseMariaGtidListEvent(U32(0) + U8(0), Fde()).ok());
  EXPECT_FALSE(ParseMariaGtidListEvent(U32(0) + U32(0), Fde()).ok());
  EXPECT_FALSE(ParseMariaGtidListEvent(U32(0x0fffffff), Fde()).ok());
}

TEST(BinlogCheckpointEventTest, ParsesAndRejects) {
  std::string body = U32(18) + "mariadb-bin.000001";
  auto e = ParseBinlogCheckpointEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->file, "mariadb-bin.000001");
  ExpectPrefixesFail(body,
                     [](absl::string_view b) { return ParseBinlogCheckpointEvent(b, Fde()); });
  EXPECT_FALSE(ParseBinlogCheckpointEvent(body + "x", Fde()).ok());
}

TEST(AnnotateRowsEventTest, TakesTheWholeBody) {
  auto e = ParseAnnotateRowsEvent("insert into t values (1)", Fde());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->query, "insert into t values (1)");
}

// ---------------------------------------------------------------------------
// Heartbeats

TEST(HeartbeatEventTest, V1AndV2) {
  auto v1 = ParseHeartbeatEvent(EventType::kHeartbeat, "binlog.000007", Fde(), 1234);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->log_file, "binlog.000007");
  EXPECT_EQ(v1->position, 1234u);

  // Position 0x5bcd15 as a lenenc integer (4 bytes) inside its field.
  std::string body = U8(1) + U8(13) + "binlog.000041" + U8(2) + U8(4) + "\xfd\x15\xcd\x5b"s + U8(0);
  auto v2 = ParseHeartbeatEvent(EventType::kHeartbeatV2, body, Fde(), 0);
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->log_file, "binlog.000041");
  EXPECT_EQ(v2->position, 0x5bcd15u);
  // The end mark may be missing; unknown fields are skipped by length.
  std::string no_end = U8(9) + U8(2) + "zz" + U8(1) + U8(3) + "b.1";
  v2 = ParseHeartbeatEvent(EventType::kHeartbeatV2, no_end, Fde(), 0);
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->log_file, "b.1");
  // A field longer than the body, a position with trailing bytes, no file.
  EXPECT_FALSE(ParseHeartbeatEvent(EventType::kHeartbeatV2, U8(1) + U8(9) + "b", Fde(), 0).ok());
  EXPECT_FALSE(ParseHeartbeatEvent(EventType::kHeartbeatV2,
                                   U8(1) + U8(1) + "b" + U8(2) + U8(2) + "\x05\x06"s, Fde(), 0)
                   .ok());
  EXPECT_FALSE(ParseHeartbeatEvent(EventType::kHeartbeatV2, U8(0), Fde(), 0).ok());
  EXPECT_FALSE(ParseHeartbeatEvent(EventType::kHeartbeatV2, body + "x", Fde(), 0).ok());
  EXPECT_FALSE(ParseHeartbeatEvent(EventType::kXid, "", Fde(), 0).ok());
}

// ---------------------------------------------------------------------------
// TRANSACTION_PAYLOAD

std::string Lenenc(uint64_t v) {
  if (v < 251) return U8(v);
  if (v < 0x10000) return "\xfc"s + U16(v);
  if (v < 0x1000000) return "\xfd"s + Le(v, 3);
  return "\xfe"s + U64(v);
}

std::string PayloadBody(uint64_t compression, const std::string& payload,
                        uint64_t uncompressed_size) {
  auto field = [](uint64_t type, uint64_t value) {
    std::string v = Lenenc(value);
    return Lenenc(type) + Lenenc(v.size()) + v;
  };
  return field(2, compression) + field(3, uncompressed_size) + field(1, payload.size()) +
         Lenenc(0) + payload;
}

std::string InnerEvent(EventType type, const std::string& body) {
  return U32(1700000000) + U8(static_cast<uint8_t>(type)) + U32(1) + U32(19 + body.size()) +
         U32(0) + U16(0) + body;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

TEST(TransactionPayloadEventTest, RecordedHeader) {
  // transaction_compression.000001, offset 274 (MySQL 8.0.32).
  const std::string body = Hex(
      "0201000301b301017c0028b52ffd0058840300e2861520a029ad01ffff5c55f1aa623375b9"
      "85c76d89e33d9f37ecfc5a83b699bd894c01ff4d08826fbb0ae267584b52efeeb98a073be8"
      "754cfcd25a926a3018b5c89ac5b6c1b66d08c29a03782579b885d1c840e6a7ac25a90a00a0"
      "04c43deae2a09a2d291920e0022ae03e30f200bc010000");
  auto e = ParseTransactionPayloadEvent(body, Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->compression, PayloadCompression::kZstd);
  EXPECT_EQ(e->uncompressed_size, 179u);
  EXPECT_EQ(e->payload_size, 124u);
  auto inner = DecompressPayload(*e);
  ASSERT_TRUE(inner.ok()) << inner.status();
  auto events = SplitPayloadEvents(*inner);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 4u);  // BEGIN, TABLE_MAP, WRITE_ROWS, XID.
  EXPECT_EQ(static_cast<uint8_t>((*events)[0][4]), static_cast<uint8_t>(EventType::kQuery));
  EXPECT_EQ(static_cast<uint8_t>((*events)[3][4]), static_cast<uint8_t>(EventType::kXid));
  ExpectPrefixesFail(body, [](absl::string_view b) {
    return ParseTransactionPayloadEvent(b, Fde());
  });
  EXPECT_FALSE(ParseTransactionPayloadEvent(body + "x", Fde()).ok());
}

TEST(TransactionPayloadEventTest, DecompressesAndSplits) {
  const std::string inner = InnerEvent(EventType::kQuery, QueryBody("", "db", "BEGIN")) +
                            InnerEvent(EventType::kXid, U64(9));
  const std::string compressed = Zstd(inner);
  auto e = ParseTransactionPayloadEvent(PayloadBody(0, compressed, inner.size()), Fde());
  ASSERT_TRUE(e.ok()) << e.status();
  auto out = DecompressPayload(*e);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, inner);
  auto events = SplitPayloadEvents(*out);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1], InnerEvent(EventType::kXid, U64(9)));

  // A declared size that is too small or too large; a damaged or cut stream.
  TransactionPayloadEvent bad = *e;
  bad.uncompressed_size = inner.size() - 1;
  EXPECT_FALSE(DecompressPayload(bad).ok());
  bad.uncompressed_size = inner.size() + 1;
  EXPECT_FALSE(DecompressPayload(bad).ok());
  bad = *e;
  bad.payload[bad.payload.size() / 2] ^= 0x55;
  bad.payload[bad.payload.size() - 2] ^= 0x55;
  EXPECT_FALSE(DecompressPayload(bad).ok());
  for (size_t n = 0; n < e->payload.size(); ++n) {
    bad = *e;
    bad.payload.resize(n);
    EXPECT_FALSE(DecompressPayload(bad).ok()) << n;
  }
  bad = *e;
  bad.payload += "junk";
  EXPECT_FALSE(DecompressPayload(bad).ok());
  bad = *e;
  bad.uncompressed_size = uint64_t{1} << 40;
  EXPECT_FALSE(DecompressPayload(bad).ok());

  // Uncompressed payloads pass through.
  e = ParseTransactionPayloadEvent(PayloadBody(255, inner, inner.size()), Fde());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->compression, PayloadCompression::kNone);
  EXPECT_EQ(*DecompressPayload(*e), inner);

  // Split: an inner event cut short.
  EXPECT_FALSE(SplitPayloadEvents(inner.substr(0, inner.size() - 1)).ok());
  EXPECT_FALSE(SplitPayloadEvents(inner.substr(0, 10)).ok());
}

TEST(TransactionPayloadEventTest, RejectsBadHeaders) {
  auto parse = [](const std::string& b) { return ParseTransactionPayloadEvent(b, Fde()); };
  EXPECT_FALSE(parse(PayloadBody(7, "x", 1)).ok());                      // compression
  EXPECT_FALSE(parse(PayloadBody(0, "x", 1).substr(0, 9) + "xy").ok());  // size mismatch
  // No end mark.
  EXPECT_FALSE(parse("\x02\x01\x00\x01\x01\x01"s).ok());
  // No payload size field.
  EXPECT_FALSE(parse("\x02\x01\x00\x00"s).ok());
  // An unknown field is skipped by its length.
  std::string body = "\x09\x02zz"s + PayloadBody(255, "ab", 2);
  auto e = parse(body);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->payload, "ab");
}

// ---------------------------------------------------------------------------
// MariaDB compressed events

std::string MariaRecord(const std::string& data, int width = 0) {
  uLongf n = compressBound(data.size());
  std::string z(n, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(z.data()), &n,
                     reinterpret_cast<const Bytef*>(data.data()), data.size()),
            Z_OK);
  z.resize(n);
  if (width == 0) {
    width = data.size() < 0x100 ? 1 : data.size() < 0x10000 ? 2 : data.size() < 0x1000000 ? 3 : 4;
  }
  std::string head(1, static_cast<char>(0x80 | width));
  for (int i = width - 1; i >= 0; --i) head.push_back(static_cast<char>(data.size() >> (8 * i)));
  return head + z;
}

TEST(MariaCompressedTest, Record) {
  const std::string text(1000, 'q');
  auto out = MariaUncompressRecord(MariaRecord(text));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, text);
  // Every width works for a short input (leading zero bytes).
  for (int w = 1; w <= 4; ++w) {
    auto o = MariaUncompressRecord(MariaRecord("abc", w));
    ASSERT_TRUE(o.ok()) << w;
    EXPECT_EQ(*o, "abc");
  }
  std::string rec = MariaRecord(text);
  EXPECT_FALSE(MariaUncompressRecord("").ok());
  EXPECT_FALSE(MariaUncompressRecord("\x02" + rec.substr(1)).ok());    // bit 7 clear
  EXPECT_FALSE(MariaUncompressRecord("\x92" + rec.substr(1)).ok());    // algorithm 1
  EXPECT_FALSE(MariaUncompressRecord("\x80" + rec.substr(1)).ok());    // width 0
  EXPECT_FALSE(MariaUncompressRecord("\x85" + rec.substr(1)).ok());    // width 5
  EXPECT_FALSE(MariaUncompressRecord(rec + "x").ok());                 // trailing bytes
  std::string longer = rec;
  longer[2] = static_cast<char>(static_cast<uint8_t>(longer[2]) + 1);  // declares 1001
  EXPECT_FALSE(MariaUncompressRecord(longer).ok());
  std::string shorter = rec;
  shorter[2] = static_cast<char>(static_cast<uint8_t>(shorter[2]) - 1);  // declares 999
  EXPECT_FALSE(MariaUncompressRecord(shorter).ok());
  for (size_t n = 0; n < rec.size(); ++n) {
    EXPECT_FALSE(MariaUncompressRecord(rec.substr(0, n)).ok()) << n;
  }
}

TEST(MariaCompressedTest, QueryCompressedBecomesQuery) {
  const std::string status = U8(kQFlags2) + U32(0);
  const std::string query = "INSERT INTO t VALUES ('" + std::string(300, 'x') + "')";
  const std::string plain = QueryBody(status, "db", query);
  const std::string prefix = plain.substr(0, plain.size() - query.size());
  auto d = DecompressMariaEvent(EventType::kMariaQueryCompressed, prefix + MariaRecord(query),
                                Fde());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->type, EventType::kQuery);
  EXPECT_EQ(d->post_header_len, 13);
  EXPECT_EQ(d->body, plain);
  auto q = ParseQueryEvent(d->body, Fde());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->query, query);
  // Cut before the record: an error.
  for (size_t n = 0; n <= prefix.size(); ++n) {
    EXPECT_FALSE(DecompressMariaEvent(EventType::kMariaQueryCompressed, prefix.substr(0, n),
                                      Fde())
                     .ok())
        << n;
  }
}

TEST(MariaCompressedTest, RowsEventsKeepTheirHeadAndBitmaps) {
  const std::string rows = std::string("\x00\x01\x00\x00\x00", 5) + "hello";
  // v1: table id (6) + flags (2), 3 columns, one bitmap.
  std::string head_v1 = Le(38, 6) + U16(1) + Lenenc(3) + "\x07";
  auto d = DecompressMariaEvent(EventType::kMariaWriteRowsCompressedV1,
                                head_v1 + MariaRecord(rows), Fde());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->type, EventType::kWriteRowsV1);
  EXPECT_EQ(d->post_header_len, 8);
  EXPECT_EQ(d->body, head_v1 + rows);
  // UPDATE: two bitmaps.
  std::string head_upd = Le(38, 6) + U16(1) + Lenenc(9) + "\xff\x01\xff\x01";
  d = DecompressMariaEvent(EventType::kMariaUpdateRowsCompressedV1, head_upd + MariaRecord(rows),
                           Fde());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->type, EventType::kUpdateRowsV1);
  EXPECT_EQ(d->body, head_upd + rows);
  // v2: extra data of 3 bytes after the length field.
  std::string head_v2 = Le(38, 6) + U16(1) + U16(5) + "xyz" + Lenenc(2) + "\x03";
  d = DecompressMariaEvent(EventType::kMariaDeleteRowsCompressed, head_v2 + MariaRecord(rows),
                           Fde());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->type, EventType::kDeleteRowsV2);
  EXPECT_EQ(d->post_header_len, 10);
  EXPECT_EQ(d->body, head_v2 + rows);
  // Bad extra-data length, a column count past the body, not compressed.
  EXPECT_FALSE(DecompressMariaEvent(EventType::kMariaWriteRowsCompressed,
                                    Le(38, 6) + U16(1) + U16(1) + Lenenc(2) + "\x03" +
                                        MariaRecord(rows),
                                    Fde())
                   .ok());
  EXPECT_FALSE(DecompressMariaEvent(EventType::kMariaWriteRowsCompressedV1,
                                    Le(38, 6) + U16(1) + "\xfc\xff\xff", Fde())
                   .ok());
  EXPECT_FALSE(DecompressMariaEvent(EventType::kMariaWriteRowsCompressedV1, head_v1 + rows, Fde())
                   .ok());
  EXPECT_FALSE(DecompressMariaEvent(EventType::kQuery, head_v1, Fde()).ok());
}

}  // namespace
}  // namespace mysqlwire::binlog
