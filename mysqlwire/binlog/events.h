// Parsers for the binlog events that are not about rows: statements,
// transaction boundaries, GTIDs of both flavours, file rotation, heartbeats,
// and the compressed containers (MySQL's TRANSACTION_PAYLOAD, MariaDB's
// *_COMPRESSED events).
//
// Every parser takes the event body: the bytes after the common header,
// without the checksum footer (decoder.h strips and verifies it), plus the
// FORMAT_DESCRIPTION in force for the post-header lengths. Parsers never read
// past the body; a body that is too short, or longer than its layout allows,
// is a protocol error. Events that servers extended over versions (the GTID
// events) accept each optional trailing field when it is whole.
#ifndef MYSQLWIRE_BINLOG_EVENTS_H_
#define MYSQLWIRE_BINLOG_EVENTS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/binlog/event_type.h"
#include "mysqlwire/binlog/format_description.h"

namespace mysqlwire::binlog {

// ---------------------------------------------------------------------------
// QUERY (and MariaDB QUERY_COMPRESSED once decompressed)

// Status variable codes (Q_*) of a QUERY event.
enum QueryStatusCode : uint8_t {
  kQFlags2 = 0,
  kQSqlMode = 1,
  kQCatalog = 2,  // Before MySQL 5.0.4; NUL-terminated.
  kQAutoIncrement = 3,
  kQCharset = 4,
  kQTimeZone = 5,
  kQCatalogNz = 6,
  kQLcTimeNames = 7,
  kQCharsetDatabase = 8,
  kQTableMapForUpdate = 9,
  kQMasterDataWritten = 10,
  kQInvoker = 11,
  kQUpdatedDbNames = 12,
  kQMicroseconds = 13,
  kQCommitTs = 14,   // Never written by a released server; length unknown.
  kQCommitTs2 = 15,  // Likewise.
  kQExplicitDefaultsForTimestamp = 16,
  kQDdlLoggedWithXid = 17,
  kQDefaultCollationForUtf8mb4 = 18,
  kQSqlRequirePrimaryKey = 19,
  kQDefaultTableEncryption = 20,
  // MariaDB.
  kQHrnow = 128,
  kQXid = 129,
  kQGtidFlags3 = 130,
  kQCharacterSetCollations = 131,
  kQDummy = 255,  // MariaDB: padding; ends the block.
};

struct QueryStatusVars {
  struct AutoIncrement {
    uint16_t increment = 1;
    uint16_t offset = 1;
  };
  struct Charset {
    uint16_t client = 0;  // character_set_client
    uint16_t collation_connection = 0;
    uint16_t collation_server = 0;
  };
  struct Invoker {
    std::string user;
    std::string host;
  };

  std::optional<uint32_t> flags2;  // OPTION_* bits (autocommit, FK checks...)
  std::optional<uint64_t> sql_mode;
  std::optional<std::string> catalog;
  std::optional<AutoIncrement> auto_increment;
  std::optional<Charset> charset;
  std::optional<std::string> time_zone;
  std::optional<uint16_t> lc_time_names;
  std::optional<uint16_t> charset_database;
  std::optional<uint64_t> table_map_for_update;
  std::optional<uint32_t> master_data_written;
  std::optional<Invoker> invoker;
  // Databases the statement changed. `updated_db_names_overflow` is set
  // instead when the server gave up listing them (more than 16).
  std::optional<std::vector<std::string>> updated_db_names;
  bool updated_db_names_overflow = false;
  std::optional<uint32_t> microseconds;  // Q_MICROSECONDS (MySQL).
  std::optional<uint8_t> explicit_defaults_for_timestamp;
  // The XID of a DDL that is logged atomically (MySQL 8.0).
  std::optional<uint64_t> ddl_xid;
  std::optional<uint16_t> default_collation_for_utf8mb4;
  std::optional<uint8_t> sql_require_primary_key;
  std::optional<uint8_t> default_table_encryption;
  std::optional<uint32_t> hrnow;       // MariaDB: microseconds of the timestamp.
  std::optional<uint64_t> xid;         // MariaDB: XID of a DDL.
  std::optional<uint8_t> gtid_flags3;  // MariaDB: Gtid flags_extra of a DDL.
  std::optional<uint64_t> sa_seq_no;   // MariaDB: with COMMIT/ROLLBACK ALTER.
  // MariaDB 11.2+: (charset's default collation, collation chosen) pairs.
  std::optional<std::vector<std::pair<uint16_t, uint16_t>>> character_set_collations;

  // The first status variable whose length this parser cannot know, and the
  // raw bytes from it to the end of the status block: parsing of the status
  // block stops there (the rest of the event is still found through the
  // block's length).
  std::optional<uint8_t> unknown_code;
  std::string unparsed;
};

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;  // Seconds.
  uint16_t error_code = 0;
  QueryStatusVars status;
  std::string schema;  // Default database; may be empty.
  std::string query;
};

// Post-header (13 bytes in v4; a longer one is skipped):
//   0  4  thread_id            8   2  error_code
//   4  4  exec_time            10  2  status_vars_len
//   8  1  schema length
// then status_vars_len bytes of status variables (int<1> code + value),
// schema + NUL, and the query up to the end of the body.
absl::StatusOr<QueryEvent> ParseQueryEvent(absl::string_view body, const FormatDescription& fde);
// As above with an explicit post-header length (11 for pre-5.0 servers).
absl::StatusOr<QueryEvent> ParseQueryEvent(absl::string_view body, uint8_t post_header_len);

// Parses a status-variable block on its own (exposed for tests).
absl::StatusOr<QueryStatusVars> ParseQueryStatusVars(absl::string_view block);

// ---------------------------------------------------------------------------
// Small fixed events

struct RotateEvent {
  uint64_t position = 4;  // Where the next file starts to be read.
  std::string next_file;
};
// int<8> position (the post-header) | string<EOF> next file name.
absl::StatusOr<RotateEvent> ParseRotateEvent(absl::string_view body, const FormatDescription& fde);

struct XidEvent {
  uint64_t xid = 0;
};
// int<8> xid.
absl::StatusOr<XidEvent> ParseXidEvent(absl::string_view body, const FormatDescription& fde);

enum class IntvarType : uint8_t { kInvalid = 0, kLastInsertId = 1, kInsertId = 2 };
struct IntvarEvent {
  IntvarType type = IntvarType::kInvalid;
  uint64_t value = 0;
};
// int<1> type | int<8> value.
absl::StatusOr<IntvarEvent> ParseIntvarEvent(absl::string_view body, const FormatDescription& fde);

struct RandEvent {
  uint64_t seed1 = 0;
  uint64_t seed2 = 0;
};
// int<8> seed1 | int<8> seed2.
absl::StatusOr<RandEvent> ParseRandEvent(absl::string_view body, const FormatDescription& fde);

// Item_result codes of a user variable's value.
enum class UserVarType : uint8_t {
  kString = 0,
  kReal = 1,  // value: 8-byte IEEE double, little-endian.
  kInt = 2,   // value: 8 bytes little-endian; kUserVarUnsigned tells the sign.
  kRow = 3,
  kDecimal = 4,  // value: int<1> precision | int<1> scale | binary decimal.
};
inline constexpr uint8_t kUserVarUnsigned = 0x01;

struct UserVarEvent {
  std::string name;
  bool is_null = false;
  UserVarType type = UserVarType::kString;  // kString when null.
  uint32_t charset = 0;                     // Collation id.
  std::string value;                        // Raw bytes, as described above.
  uint8_t flags = 0;                        // kUserVarUnsigned.
};
//   int<4> name_len | name | int<1> is_null
//   if not null: int<1> type | int<4> charset | int<4> value_len | value
//                [int<1> flags; absent in events of old servers]
absl::StatusOr<UserVarEvent> ParseUserVarEvent(absl::string_view body,
                                               const FormatDescription& fde);

// ---------------------------------------------------------------------------
// MySQL GTIDs

using Uuid = std::array<uint8_t, 16>;
// "3e11fa47-71ca-11e1-9e33-c80aa9429562".
std::string FormatUuid(const Uuid& uuid);

// GTID flags (the commit flag byte).
inline constexpr uint8_t kGtidMayHaveSbr = 0x01;

struct GtidEvent {
  bool anonymous = false;  // ANONYMOUS_GTID: no sid/gno assigned.
  uint8_t flags = 0;
  Uuid sid{};
  std::string tag;  // MySQL 8.3+ tagged GTIDs; empty when untagged.
  int64_t gno = 0;
  // Logical clock for parallel apply (MySQL 5.7+).
  std::optional<int64_t> last_committed;
  std::optional<int64_t> sequence_number;
  // Microseconds since the epoch (MySQL 8.0.1+). When the event only
  // carries the immediate value, the original equals it (as on the server).
  std::optional<uint64_t> immediate_commit_timestamp;
  std::optional<uint64_t> original_commit_timestamp;
  std::optional<uint64_t> transaction_length;  // MySQL 8.0.2+.
  // e.g. 80032 for 8.0.32 (MySQL 8.0.14+); original as above.
  std::optional<uint32_t> immediate_server_version;
  std::optional<uint32_t> original_server_version;
  std::optional<uint64_t> commit_group_ticket;  // MySQL 8.0.33+ (group repl.)

  // "uuid:gno", "uuid:tag:gno", or "ANONYMOUS".
  std::string Gtid() const;
};

// GTID and ANONYMOUS_GTID:
//   offset size
//   0      1    flags
//   1      16   sid
//   17     8    gno
//   -- the MySQL 5.6 event ends here (post-header 25) --
//   25     1    logical timestamp type code (2)
//   26     8    last_committed
//   34     8    sequence_number
//   -- end of the 5.7+ post-header (42) --
//   42     7    immediate_commit_timestamp; bit 55 set: the original follows
//   [49    7    original_commit_timestamp]
//          lenenc transaction_length
//          4    immediate_server_version; bit 31 set: the original follows
//          [4   original_server_version]
//          8    commit_group_ticket
// Each group after the post-header is present only if the server wrote it.
absl::StatusOr<GtidEvent> ParseGtidEvent(EventType type, absl::string_view body,
                                         const FormatDescription& fde);

// GTID_TAGGED (MySQL 8.3+): a mysql::serialization message.
//   varlen serialization version (1) | varlen message size (whole body) |
//   varlen last non-ignorable field id | { varlen field id | field value }
// Field ids: 0 flags, 1 sid (16 varlen bytes), 2 gno (signed), 3 tag
// (varlen length + bytes), 4 last_committed (signed), 5 sequence_number
// (signed), 6 immediate_commit_timestamp, 7 original_commit_timestamp,
// 8 transaction_length, 9 immediate_server_version, 10
// original_server_version, 11 commit_group_ticket. 7, 10 and 11 are optional;
// unknown ignorable fields at the end are skipped.
absl::StatusOr<GtidEvent> ParseTaggedGtidEvent(absl::string_view body,
                                               const FormatDescription& fde);

// mysql::serialization variable-length integers (exposed for tests): the
// number of trailing one bits of the first byte + 1 is the encoded length;
// 1..8 bytes hold the value above those bits, 9 bytes hold it in bytes 1..8.
// Signed values are zigzag-like: bit 0 is the sign (x>=0: x<<1,
// x<0: ((-(x+1))<<1)|1).
// Returns nullopt on truncation; advances `in` on success.
std::optional<uint64_t> ReadSerializationVarlen(absl::string_view& in);
std::optional<int64_t> ReadSerializationVarlenSigned(absl::string_view& in);

struct GtidInterval {
  int64_t first = 0;  // Inclusive.
  int64_t last = 0;   // Inclusive.
};
// One source (sid + tag) of a MySQL GTID set.
struct GtidSetEntry {
  Uuid sid{};
  std::string tag;
  std::vector<GtidInterval> intervals;
};
// "uuid:1-5:7,uuid2:1-3" (tagged: "uuid:1-13:mytag:1-2"): entries of one
// sid that follow each other share the uuid; untagged intervals come first
// as the server stores them.
std::string FormatGtidSet(const std::vector<GtidSetEntry>& entries);

struct PreviousGtidsEvent {
  bool tagged = false;  // The MySQL 8.3+ encoding with tags.
  std::vector<GtidSetEntry> entries;
  std::string ToString() const { return FormatGtidSet(entries); }
};

// PREVIOUS_GTIDS: an encoded GTID set.
//   int<8> n_sids; tagged encoding (8.3+): byte 7 is 1 (format), bytes 1..6
//   hold n_sids and byte 0 repeats the format
//   per sid: 16 uuid | [tagged: varlen tag length + tag] |
//            int<8> n_intervals | per interval int<8> start, int<8> end
//            (end exclusive)
absl::StatusOr<PreviousGtidsEvent> ParsePreviousGtidsEvent(absl::string_view body,
                                                           const FormatDescription& fde);

// ---------------------------------------------------------------------------
// MariaDB GTIDs

struct MariaGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t seq_no = 0;
  std::string ToString() const;  // "domain-server-seq"
};
// "0-1-100,1-2-5".
std::string FormatMariaGtidList(const std::vector<MariaGtid>& gtids);

// flags2 of a MariaDB GTID event.
inline constexpr uint8_t kMariaGtidStandalone = 0x01;
inline constexpr uint8_t kMariaGtidGroupCommitId = 0x02;
inline constexpr uint8_t kMariaGtidTransactional = 0x04;
inline constexpr uint8_t kMariaGtidAllowParallel = 0x08;
inline constexpr uint8_t kMariaGtidWaited = 0x10;
inline constexpr uint8_t kMariaGtidDdl = 0x20;
inline constexpr uint8_t kMariaGtidPreparedXa = 0x40;
inline constexpr uint8_t kMariaGtidCompletedXa = 0x80;
// flags_extra.
inline constexpr uint8_t kMariaGtidExtraMultiEngine = 0x01;
inline constexpr uint8_t kMariaGtidExtraStartAlter = 0x02;
inline constexpr uint8_t kMariaGtidExtraCommitAlter = 0x04;
inline constexpr uint8_t kMariaGtidExtraRollbackAlter = 0x08;

struct MariaXid {
  int32_t format_id = 0;
  std::string gtrid;
  std::string bqual;
};

struct MariaGtidEvent {
  MariaGtid gtid;  // server_id comes from the event header.
  uint8_t flags2 = 0;
  std::optional<uint64_t> commit_id;  // Group commit id.
  std::optional<MariaXid> xid;        // XA PREPARE / XA COMMIT groups.
  uint8_t flags_extra = 0;
  std::optional<uint8_t> extra_engines;
  std::optional<uint64_t> sa_seq_no;  // Sequence of the START ALTER.
  // A standalone event group (one DDL or non-transactional statement)
  // rather than a BEGIN ... COMMIT/XID transaction.
  bool standalone() const { return flags2 & kMariaGtidStandalone; }
};

// MariaDB GTID (post-header 19):
//   0  8  seq_no | 8  4  domain_id | 12  1  flags2
//   then in order, each only when flags2 says so:
//   int<8> commit_id (kMariaGtidGroupCommitId)
//   int<4> formatID | int<1> gtrid_len | int<1> bqual_len | gtrid | bqual (XA)
//   then, if bytes remain: int<1> flags_extra | [int<1> extra_engines]
//   | [int<8> sa_seq_no]; the rest is zero padding up to the post-header.
absl::StatusOr<MariaGtidEvent> ParseMariaGtidEvent(absl::string_view body,
                                                   const FormatDescription& fde,
                                                   uint32_t server_id);

struct MariaGtidListEvent {
  uint8_t flags = 0;  // Top 4 bits of the count field.
  std::vector<MariaGtid> gtids;
  std::string ToString() const { return FormatMariaGtidList(gtids); }
};
// GTID_LIST: int<4> count (low 28 bits) + flags (high 4 bits), then count
// times int<4> domain_id | int<4> server_id | int<8> seq_no. An empty list
// carries 2 bytes of padding.
absl::StatusOr<MariaGtidListEvent> ParseMariaGtidListEvent(absl::string_view body,
                                                           const FormatDescription& fde);

struct BinlogCheckpointEvent {
  std::string file;
};
// BINLOG_CHECKPOINT: int<4> name length | name.
absl::StatusOr<BinlogCheckpointEvent> ParseBinlogCheckpointEvent(absl::string_view body,
                                                                 const FormatDescription& fde);

struct AnnotateRowsEvent {
  std::string query;
};
// ANNOTATE_ROWS: string<EOF> the statement that produced the next rows events.
absl::StatusOr<AnnotateRowsEvent> ParseAnnotateRowsEvent(absl::string_view body,
                                                         const FormatDescription& fde);

// ---------------------------------------------------------------------------
// Heartbeats (only on a replication connection)

struct HeartbeatEvent {
  std::string log_file;  // The primary's current binlog file.
  uint64_t position = 0;
};
// HEARTBEAT: string<EOF> log file; the position is the header's log_pos
// (pass it as `header_log_pos`).
// HEARTBEAT_V2 (MySQL 8.0.26+), fields until an end mark:
//   lenenc type | lenenc length | value
//   type 0: end mark (no length), 1: log file (raw bytes),
//   2: position (lenenc inside its length); others are skipped.
absl::StatusOr<HeartbeatEvent> ParseHeartbeatEvent(EventType type, absl::string_view body,
                                                   const FormatDescription& fde,
                                                   uint32_t header_log_pos);

// ---------------------------------------------------------------------------
// MySQL TRANSACTION_PAYLOAD (binlog_transaction_compression, 8.0.20+)

enum class PayloadCompression : uint8_t { kZstd = 0, kNone = 255 };

struct TransactionPayloadEvent {
  PayloadCompression compression = PayloadCompression::kNone;
  uint64_t payload_size = 0;
  uint64_t uncompressed_size = 0;
  std::string payload;
};
// The body starts right after the common header (the post-header length in
// the FORMAT_DESCRIPTION is not used) with fields until an end mark:
//   lenenc type | lenenc length | value, the value itself a lenenc integer
//   type 0: end mark (no length), 1: payload size, 2: compression type,
//   3: uncompressed size; others are skipped.
// The payload, exactly payload_size bytes, follows the end mark.
absl::StatusOr<TransactionPayloadEvent> ParseTransactionPayloadEvent(absl::string_view body,
                                                                     const FormatDescription& fde);

// The decompressed payload: complete events, each with its common header
// and without a checksum. Fails unless it is exactly uncompressed_size bytes.
absl::StatusOr<std::string> DecompressPayload(const TransactionPayloadEvent& event);

// Cuts a decompressed payload into its events (header + body each).
absl::StatusOr<std::vector<absl::string_view>> SplitPayloadEvents(absl::string_view payload);

// ---------------------------------------------------------------------------
// MariaDB compressed events (log_bin_compress)

// A compressed record:
//   int<1> header: bit 7 set; bits 4..6 algorithm (0 = zlib); bits 0..2
//          width w (1..4) of the length field
//   int<w> uncompressed length, big-endian
//   zlib stream
absl::StatusOr<std::string> MariaUncompressRecord(absl::string_view record);

struct DecompressedEvent {
  EventType type = EventType::kUnknown;  // The equivalent uncompressed type.
  std::string body;                      // Its body, parseable as that type.
  uint8_t post_header_len = 0;           // Of the compressed type; same layout.
};

// QUERY_COMPRESSED -> QUERY: the query text is the compressed record.
// *_ROWS_COMPRESSED_V1 -> *_ROWS_V1 and *_ROWS_COMPRESSED -> *_ROWS (v2):
// the record follows the post-header (and the v2 extra data), the column
// count and the column bitmap(s); it holds the row images.
absl::StatusOr<DecompressedEvent> DecompressMariaEvent(EventType type, absl::string_view body,
                                                       const FormatDescription& fde);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_EVENTS_H_
