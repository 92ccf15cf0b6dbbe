// Capability and server status flags of the client/server protocol.
#ifndef MYSQLWIRE_PROTOCOL_CAPABILITIES_H_
#define MYSQLWIRE_PROTOCOL_CAPABILITIES_H_

#include <cstdint>

namespace mysqlwire {

// Capability flags (the low 32 bits are common to MySQL and MariaDB).
inline constexpr uint64_t kClientLongPassword = 1ull << 0;
inline constexpr uint64_t kClientFoundRows = 1ull << 1;
inline constexpr uint64_t kClientLongFlag = 1ull << 2;
inline constexpr uint64_t kClientConnectWithDb = 1ull << 3;
inline constexpr uint64_t kClientNoSchema = 1ull << 4;
inline constexpr uint64_t kClientCompress = 1ull << 5;
inline constexpr uint64_t kClientOdbc = 1ull << 6;
inline constexpr uint64_t kClientLocalFiles = 1ull << 7;
inline constexpr uint64_t kClientIgnoreSpace = 1ull << 8;
inline constexpr uint64_t kClientProtocol41 = 1ull << 9;
inline constexpr uint64_t kClientInteractive = 1ull << 10;
inline constexpr uint64_t kClientSsl = 1ull << 11;
inline constexpr uint64_t kClientIgnoreSigpipe = 1ull << 12;
inline constexpr uint64_t kClientTransactions = 1ull << 13;
inline constexpr uint64_t kClientReserved = 1ull << 14;
inline constexpr uint64_t kClientSecureConnection = 1ull << 15;
inline constexpr uint64_t kClientMultiStatements = 1ull << 16;
inline constexpr uint64_t kClientMultiResults = 1ull << 17;
inline constexpr uint64_t kClientPsMultiResults = 1ull << 18;
inline constexpr uint64_t kClientPluginAuth = 1ull << 19;
inline constexpr uint64_t kClientConnectAttrs = 1ull << 20;
inline constexpr uint64_t kClientPluginAuthLenencData = 1ull << 21;
inline constexpr uint64_t kClientCanHandleExpiredPasswords = 1ull << 22;
inline constexpr uint64_t kClientSessionTrack = 1ull << 23;
inline constexpr uint64_t kClientDeprecateEof = 1ull << 24;
inline constexpr uint64_t kClientOptionalResultsetMetadata = 1ull << 25;
inline constexpr uint64_t kClientQueryAttributes = 1ull << 27;
inline constexpr uint64_t kClientSslVerifyServerCert = 1ull << 30;
// MariaDB's extended capabilities live in bits 32..63 (sent in the reserved
// filler of the handshake). We only recognise them; none is requested.
inline constexpr uint64_t kMariaDbClientProgress = 1ull << 32;
inline constexpr uint64_t kMariaDbClientStmtBulkOperations = 1ull << 34;
inline constexpr uint64_t kMariaDbClientExtendedMetadata = 1ull << 35;
inline constexpr uint64_t kMariaDbClientCacheMetadata = 1ull << 36;

// Server status flags (OK and EOF packets).
inline constexpr uint16_t kServerStatusInTrans = 0x0001;
inline constexpr uint16_t kServerStatusAutocommit = 0x0002;
inline constexpr uint16_t kServerMoreResultsExists = 0x0008;
inline constexpr uint16_t kServerQueryNoGoodIndexUsed = 0x0010;
inline constexpr uint16_t kServerQueryNoIndexUsed = 0x0020;
inline constexpr uint16_t kServerStatusCursorExists = 0x0040;
inline constexpr uint16_t kServerStatusLastRowSent = 0x0080;
inline constexpr uint16_t kServerStatusDbDropped = 0x0100;
inline constexpr uint16_t kServerStatusNoBackslashEscapes = 0x0200;
inline constexpr uint16_t kServerStatusMetadataChanged = 0x0400;
inline constexpr uint16_t kServerQueryWasSlow = 0x0800;
inline constexpr uint16_t kServerPsOutParams = 0x1000;
inline constexpr uint16_t kServerStatusInTransReadonly = 0x2000;
inline constexpr uint16_t kServerSessionStateChanged = 0x4000;

// Command bytes.
enum class Command : uint8_t {
  kQuit = 0x01,
  kInitDb = 0x02,
  kQuery = 0x03,
  kFieldList = 0x04,
  kStatistics = 0x09,
  kProcessKill = 0x0c,
  kPing = 0x0e,
  kChangeUser = 0x11,
  kBinlogDump = 0x12,
  kRegisterSlave = 0x15,
  kStmtPrepare = 0x16,
  kStmtExecute = 0x17,
  kStmtSendLongData = 0x18,
  kStmtClose = 0x19,
  kStmtReset = 0x1a,
  kSetOption = 0x1b,
  kStmtFetch = 0x1c,
  kBinlogDumpGtid = 0x1e,
  kResetConnection = 0x1f,
};

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_CAPABILITIES_H_
