// libFuzzer target for the SQL text scanners: statement classification,
// placeholder interpolation and named-parameter rewriting. The first input
// byte picks the options (sql_mode NO_BACKSLASH_ESCAPES, how many
// parameters); the rest is the SQL. Built and run by scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/map.h"
#include "mysqlgw/v1/value.pb.h"
#include "mysqlwire/protocol/escaping.h"
#include "mysqlwire/value.h"
#include "server/convert/named_params.h"
#include "server/sql/statement_kind.h"

namespace {

// Parameters of every kind, including text that needs escaping and a "*/"
// that must be refused inside executable comments.
const std::vector<mysqlwire::Value>& Params() {
  static const auto* params = new std::vector<mysqlwire::Value>{
      mysqlwire::Value::Int64(-42),
      mysqlwire::Value::String("it's a \\ \"test\" */ -- #"),
      mysqlwire::Value::Null(),
      mysqlwire::Value::BytesOf(std::string("\0\xff'", 3)),
      mysqlwire::Value::DecimalText("-12.50"),
      mysqlwire::Value::Double(1.5e300),
      mysqlwire::Value::Uint64(18446744073709551615u),
      mysqlwire::Value::Of(mysqlwire::DateTime{2024, 2, 29, 23, 59, 59, 123456}),
  };
  return *params;
}

const google::protobuf::Map<std::string, mysqlgw::v1::Value>& Named() {
  static const auto* named = [] {
    auto* m = new google::protobuf::Map<std::string, mysqlgw::v1::Value>;
    (*m)["id"].set_int64(7);
    (*m)["name"].set_string("x'y");
    (*m)[":raw"].set_bytes(std::string("\0\1", 2));
    return m;
  }();
  return *named;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t options = data[0];
  const absl::string_view sql(reinterpret_cast<const char*>(data + 1), size - 1);

  const mysqlgw::StatementInfo info = mysqlgw::AnalyzeStatement(sql);
  // AnalyzeStatement is documented as the one-pass form of these.
  if (info.multiple_statements != mysqlgw::HasMultipleStatements(sql)) __builtin_trap();
  if (info.locking_read != mysqlgw::IsLockingRead(sql)) __builtin_trap();
  if (info.operation != mysqlgw::ClassifyStatement(sql)) __builtin_trap();
  if (info.kind != mysqlgw::Classify(sql)) __builtin_trap();

  const auto& all = Params();
  const size_t n = (options >> 1) % (all.size() + 1);
  (void)mysqlwire::InterpolatePlaceholders(sql, absl::MakeConstSpan(all.data(), n),
                                           (options & 1) != 0);

  (void)mysqlgw::RewriteNamedParams(sql, Named());
  return 0;
}
