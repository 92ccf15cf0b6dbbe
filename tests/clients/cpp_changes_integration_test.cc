// The C++ client's change streams (clients/cpp/changes.h) against the real
// gateway and a sandbox MariaDB: snapshots, resume tokens, filters,
// cancellation and errors.
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cpp/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/sandbox.h"
#include "tests/clients/live_gateway.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw::client {
namespace {

using ::mysqlgw::testing::GatewayProcess;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One transaction as a stream delivered it.
struct Txn {
  std::string begin_gtid;
  std::vector<RowChange> rows;
  std::vector<Ddl> ddl;
  std::string commit_gtid;
  std::string token;
};

// A row as "kind id=.. v=.." text, for comparisons (absent columns left out).
std::string Describe(const RowChange& r) {
  std::string out(ChangeKindName(r.kind));
  for (const auto* image : {&r.before, &r.after}) {
    if (!image->has_value()) continue;
    out += image == &r.before ? " before" : " after";
    for (size_t i = 0; i < r.table->columns.size(); ++i) {
      if (!(*image)->Has(i)) continue;
      absl::StrAppend(&out, " ", r.table->columns[i].name(), "=",
                      FormatValue((*image)->values[i], r.table->columns[i]));
    }
  }
  return out;
}

class ChangesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = mysqlgw::testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    auto gw = mysqlgw::testing::StartClientTestGateway(**server);
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = gw->release();
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }

  static Client Connect(const char* token = mysqlgw::testing::kAppToken) {
    ClientOptions options;
    options.token = token;
    absl::StatusOr<Client> db = Client::Connect(gateway_->address(), options);
    EXPECT_TRUE(db.ok()) << db.status();
    return *std::move(db);
  }

  static void Exec(const Client& db, const std::string& sql) {
    absl::StatusOr<v1::StatementOutcome> out = db.Execute(sql);
    ASSERT_TRUE(out.ok()) << sql << ": " << out.status();
  }

  // A token that marks "now" for `table` (empty or not): the DONE token of
  // an until_now snapshot of it.
  static std::string TokenAfterSnapshotOf(const Client& db, const std::string& table) {
    ChangesOptions options;
    options.snapshot_tables = {table};
    options.include_tables = {table};
    options.until_now = true;
    absl::StatusOr<ChangeStream> stream = db.Changes(options);
    EXPECT_TRUE(stream.ok()) << stream.status();
    if (!stream.ok()) return "";
    while (stream->Next()) {
    }
    EXPECT_TRUE(stream->status().ok()) << stream->status();
    EXPECT_FALSE(stream->last_resume_token().empty());
    return stream->last_resume_token();
  }

  // Every transaction of an until_now stream (the stream's status must be
  // OK at the end).
  static std::vector<Txn> Transactions(const Client& db, ChangesOptions options) {
    options.until_now = true;
    std::vector<Txn> out;
    absl::StatusOr<ChangeStream> stream = db.Changes(options);
    EXPECT_TRUE(stream.ok()) << stream.status();
    if (!stream.ok()) return out;
    bool open = false;
    while (stream->Next()) {
      ChangeEvent& ev = stream->event();
      if (auto* b = std::get_if<TransactionBegin>(&ev)) {
        EXPECT_FALSE(open) << "BEGIN inside a transaction";
        open = true;
        out.push_back(Txn{b->gtid, {}, {}, "", ""});
      } else if (auto* r = std::get_if<RowChange>(&ev)) {
        EXPECT_TRUE(open) << "a row outside a transaction";
        if (open) out.back().rows.push_back(std::move(*r));
      } else if (auto* d = std::get_if<Ddl>(&ev)) {
        if (open) out.back().ddl.push_back(*d);
      } else if (auto* c = std::get_if<TransactionCommit>(&ev)) {
        EXPECT_TRUE(open) << "COMMIT outside a transaction";
        EXPECT_EQ(stream->last_resume_token(), c->resume_token);
        if (open) {
          out.back().commit_gtid = c->gtid;
          out.back().token = c->resume_token;
        }
        open = false;
      }
    }
    EXPECT_TRUE(stream->status().ok()) << stream->status();
    EXPECT_FALSE(open) << "the stream ended inside a transaction";
    return out;
  }

  static GatewayProcess* gateway_;
};

GatewayProcess* ChangesTest::gateway_ = nullptr;

TEST_F(ChangesTest, SnapshotThenInsertThenCancel) {
  Client db = Connect();
  const std::string table = "mysqlgw_test.cppchg_snap";
  Exec(db,
       "CREATE OR REPLACE TABLE cppchg_snap (id INT PRIMARY KEY, name VARCHAR(20), "
       "amount DECIMAL(8,2), created DATETIME(3), data VARBINARY(4))");
  constexpr int kRows = 25;
  std::vector<Params> rows;
  for (int i = 1; i <= kRows; ++i) {
    rows.push_back({Param::Int(i), Param::String(absl::StrCat("n", i)),
                    Param::Decimal(absl::StrCat(i, ".50")),
                    i == 1 ? Param::DateTime(2024, 1, 2, 3, 4, 5, 123000) : Param::Null(),
                    i == 1 ? Param::Bytes(std::string("\x00\xff", 2)) : Param::Null()});
  }
  absl::StatusOr<std::vector<v1::BatchItemResult>> inserted =
      db.ExecuteBatch("INSERT INTO cppchg_snap VALUES (?, ?, ?, ?, ?)", rows);
  ASSERT_TRUE(inserted.ok()) << inserted.status();

  ChangesOptions options;
  options.snapshot_tables = {table};
  options.include_tables = {table};
  options.progress_rows = 10;
  absl::StatusOr<ChangeStream> stream = db.Changes(options);
  ASSERT_TRUE(stream.ok()) << stream.status();

  std::vector<std::string> phases;
  std::vector<int64_t> ids;
  std::string done_token;
  while (done_token.empty() && stream->Next()) {
    const ChangeEvent& ev = stream->event();
    if (const auto* p = std::get_if<SnapshotProgress>(&ev)) {
      phases.push_back(absl::StrCat(SnapshotPhaseName(p->phase), p->table.empty() ? "" : " ",
                                    p->table, p->phase == SnapshotPhase::kChunk ||
                                                      p->phase == SnapshotPhase::kTableDone
                                                  ? absl::StrCat(" ", p->rows)
                                                  : ""));
      if (!p->resume_token.empty()) {
        // The bookkeeping advances with each progress token.
        EXPECT_EQ(stream->last_resume_token(), p->resume_token);
      }
      if (p->phase == SnapshotPhase::kDone) {
        ASSERT_FALSE(p->resume_token.empty());
        done_token = p->resume_token;
      }
    } else if (const auto* r = std::get_if<RowChange>(&ev)) {
      ASSERT_EQ(r->kind, ChangeKind::kSnapshot);
      EXPECT_EQ(r->schema_name(), "mysqlgw_test");
      EXPECT_EQ(r->table_name(), "cppchg_snap");
      EXPECT_THAT(r->table->ColumnNames(), ElementsAre("id", "name", "amount", "created", "data"));
      EXPECT_THAT(r->table->PrimaryKeyNames(), ElementsAre("id"));
      ASSERT_TRUE(r->after.has_value());
      EXPECT_FALSE(r->before.has_value());
      const int64_t id = r->After("id")->int64();
      ids.push_back(id);
      EXPECT_EQ(r->After("name")->string(), absl::StrCat("n", id));
      EXPECT_EQ(r->After("amount")->decimal(), absl::StrCat(id, ".50"));
      ASSERT_EQ(r->Key().size(), 1u);
      EXPECT_EQ(r->Key()[0].int64(), id);
      if (id == 1) {
        EXPECT_EQ(FormatValue(*r->After("created"), r->table->columns[3]),
                  "2024-01-02 03:04:05.123");
        EXPECT_EQ(r->After("data")->bytes(), std::string("\x00\xff", 2));
      } else {
        EXPECT_TRUE(r->After("created")->has_null());
      }
    }
  }
  ASSERT_TRUE(stream->status().ok()) << stream->status();
  EXPECT_THAT(phases, ElementsAre("started", "table_started cppchg_snap", "chunk cppchg_snap 10",
                                  "chunk cppchg_snap 20", "table_done cppchg_snap 25", "done"));
  std::vector<int64_t> expected_ids;
  for (int i = 1; i <= kRows; ++i) expected_ids.push_back(i);
  EXPECT_EQ(ids, expected_ids);  // Every row once, in key order.
  EXPECT_EQ(stream->last_resume_token(), done_token);

  // The binlog follows the copy: an insert made now arrives as one
  // transaction, and its commit's token becomes the one to keep.
  Exec(db, "INSERT INTO cppchg_snap (id, name) VALUES (100, 'after')");
  std::vector<std::string> seen;
  std::string commit_token;
  while (commit_token.empty() && stream->Next()) {
    const ChangeEvent& ev = stream->event();
    if (std::holds_alternative<TransactionBegin>(ev)) seen.push_back("begin");
    if (const auto* r = std::get_if<RowChange>(&ev)) seen.push_back(Describe(*r));
    if (const auto* c = std::get_if<TransactionCommit>(&ev)) {
      seen.push_back("commit");
      commit_token = c->resume_token;
    }
  }
  EXPECT_THAT(seen, ElementsAre("begin",
                                "insert after id=100 name=after amount=NULL created=NULL data=NULL",
                                "commit"));
  ASSERT_FALSE(commit_token.empty());
  EXPECT_NE(commit_token, done_token);
  EXPECT_EQ(stream->last_resume_token(), commit_token);

  // Cancel from another thread while Next() waits for changes that never
  // come: the stream ends cleanly.
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(300));
    stream->Cancel();
  });
  const absl::Time start = absl::Now();
  int others = 0;
  while (stream->Next()) {
    if (!std::holds_alternative<Heartbeat>(stream->event())) ++others;
  }
  canceller.join();
  EXPECT_EQ(others, 0);
  EXPECT_TRUE(stream->status().ok()) << stream->status();
  EXPECT_TRUE(stream->done());
  EXPECT_LT(absl::Now() - start, absl::Seconds(60));
  EXPECT_FALSE(stream->Next());

  // From the snapshot's DONE token: exactly the insert that followed it.
  ChangesOptions resume;
  resume.resume_token = done_token;
  resume.include_tables = {table};
  std::vector<Txn> txns = Transactions(db, resume);
  ASSERT_EQ(txns.size(), 1u);
  ASSERT_EQ(txns[0].rows.size(), 1u);
  EXPECT_EQ(Describe(txns[0].rows[0]),
            "insert after id=100 name=after amount=NULL created=NULL data=NULL");
  EXPECT_EQ(txns[0].token, commit_token);
}

TEST_F(ChangesTest, ResumeFromATokenGivesExactlyTheNextTransaction) {
  Client db = Connect();
  const std::string table = "mysqlgw_test.cppchg_resume";
  Exec(db, "CREATE OR REPLACE TABLE cppchg_resume (id INT PRIMARY KEY, v VARCHAR(10))");
  const std::string start = TokenAfterSnapshotOf(db, table);
  ASSERT_FALSE(start.empty());

  Exec(db, "INSERT INTO cppchg_resume VALUES (1, 'a'), (2, 'b')");
  Exec(db, "UPDATE cppchg_resume SET v = 'B' WHERE id = 2");
  Exec(db, "DELETE FROM cppchg_resume WHERE id = 1");

  ChangesOptions options;
  options.resume_token = start;
  options.include_tables = {table};
  std::vector<Txn> all = Transactions(db, options);
  ASSERT_EQ(all.size(), 3u);
  auto describe = [](const Txn& t) {
    std::vector<std::string> out;
    for (const RowChange& r : t.rows) out.push_back(Describe(r));
    return out;
  };
  EXPECT_THAT(describe(all[0]), ElementsAre("insert after id=1 v=a", "insert after id=2 v=b"));
  EXPECT_THAT(describe(all[1]), ElementsAre("update before id=2 v=b after id=2 v=B"));
  EXPECT_THAT(describe(all[2]), ElementsAre("delete before id=1 v=a"));
  for (const Txn& t : all) {
    EXPECT_FALSE(t.begin_gtid.empty());
    EXPECT_EQ(t.begin_gtid, t.commit_gtid);
    EXPECT_FALSE(t.token.empty());
  }

  // From the first commit's token: the second and third, nothing else.
  options.resume_token = all[0].token;
  std::vector<Txn> rest = Transactions(db, options);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].begin_gtid, all[1].begin_gtid);
  EXPECT_EQ(describe(rest[0]), describe(all[1]));
  EXPECT_EQ(rest[1].begin_gtid, all[2].begin_gtid);
  EXPECT_EQ(describe(rest[1]), describe(all[2]));
  EXPECT_EQ(rest[1].token, all[2].token);  // Tokens are the same points.

  // From the last one: nothing.
  options.resume_token = all[2].token;
  EXPECT_TRUE(Transactions(db, options).empty());
}

TEST_F(ChangesTest, FiltersKindsAndDdl) {
  Client db = Connect();
  Exec(db, "CREATE OR REPLACE TABLE cppchg_f1 (id INT PRIMARY KEY, v INT)");
  Exec(db, "CREATE OR REPLACE TABLE cppchg_f2 (id INT PRIMARY KEY, v INT)");
  const std::string start = TokenAfterSnapshotOf(db, "mysqlgw_test.cppchg_f1");
  Exec(db, "INSERT INTO cppchg_f1 VALUES (1, 10)");
  Exec(db, "INSERT INTO cppchg_f2 VALUES (1, 10)");
  Exec(db, "UPDATE cppchg_f1 SET v = 11 WHERE id = 1");
  Exec(db, "DELETE FROM cppchg_f1 WHERE id = 1");
  Exec(db, "ALTER TABLE cppchg_f1 ADD COLUMN extra INT");

  ChangesOptions options;
  options.resume_token = start;
  options.include_tables = {"mysqlgw_test.cppchg_f*"};
  options.exclude_tables = {"mysqlgw_test.cppchg_f2"};
  options.kinds = {ChangeKind::kUpdate, ChangeKind::kDelete};
  options.include_ddl = true;
  options.omit_before_images = true;
  options.max_batch_events = 2;  // Several response messages.
  std::vector<Txn> txns = Transactions(db, options);
  std::vector<std::string> rows, ddl;
  for (const Txn& t : txns) {
    for (const RowChange& r : t.rows) rows.push_back(absl::StrCat(r.table_name(), " ", Describe(r)));
    for (const Ddl& d : t.ddl) ddl.push_back(d.statement);
  }
  // The insert is filtered out (kinds), f2 excluded; the update comes
  // without its before-image, and the delete keeps its own (the gateway
  // keeps deletes' before-images whole).
  EXPECT_THAT(rows, ElementsAre("cppchg_f1 update after id=1 v=11",
                                "cppchg_f1 delete before id=1 v=11"));
  ASSERT_EQ(ddl.size(), 1u);
  EXPECT_THAT(ddl[0], HasSubstr("ADD COLUMN extra"));
  // Filtered transactions still deliver their begin/commit (tokens advance).
  EXPECT_GE(txns.size(), 4u);
}

TEST_F(ChangesTest, ErrorsAreMappedLikeEveryCall) {
  Client db = Connect();
  ChangesOptions bad;
  bad.resume_token = "not-a-token";
  absl::StatusOr<ChangeStream> stream = db.Changes(bad);
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_FALSE(stream->Next());
  EXPECT_EQ(stream->status().code(), absl::StatusCode::kInvalidArgument) << stream->status();
  EXPECT_THAT(FormatError(stream->status()), HasSubstr("ERROR (INVALID_ARGUMENT): "));

  // The reader principal lacks the binlog operation.
  Client reader = Connect(mysqlgw::testing::kReaderToken);
  ChangesOptions until_now;
  until_now.until_now = true;
  stream = reader.Changes(until_now);
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_FALSE(stream->Next());
  EXPECT_EQ(stream->status().code(), absl::StatusCode::kPermissionDenied) << stream->status();

  // Contradictory options never reach the gateway.
  ChangesOptions two;
  two.earliest = true;
  two.gtid_set = "0-1-1";
  EXPECT_EQ(db.Changes(two).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mysqlgw::client
