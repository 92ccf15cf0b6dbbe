#include "server/gateway/statement.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/convert/named_params.h"
#include "server/convert/value_convert.h"

namespace mysqlgw {
namespace {

bool IsBlank(absl::string_view sql) {
  return absl::StripAsciiWhitespace(sql).empty();
}

}  // namespace

absl::StatusOr<Statement> BuildStatement(
    const std::string& sql,
    const google::protobuf::RepeatedPtrField<v1::Value>& params,
    const google::protobuf::Map<std::string, v1::Value>& named_params,
    v1::ParameterMode mode) {
  if (IsBlank(sql)) return absl::InvalidArgumentError("sql is empty");
  if (sql.size() > kMaxSqlBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("sql is ", sql.size(), " bytes; the limit is ", kMaxSqlBytes));
  }
  if (!params.empty() && !named_params.empty()) {
    return absl::InvalidArgumentError(
        "use either positional params or named_params, not both");
  }
  Statement st;
  st.mode = mode == v1::PARAMETER_MODE_UNSPECIFIED ? v1::PARAMETER_MODE_PREPARED : mode;
  if (!named_params.empty()) {
    absl::StatusOr<RewrittenSql> rewritten = RewriteNamedParams(sql, named_params);
    if (!rewritten.ok()) return rewritten.status();
    st.sql = std::move(rewritten->sql);
    st.params.reserve(rewritten->order.size());
    for (const std::string& name : rewritten->order) {
      absl::StatusOr<mysqlwire::Value> v = FromProto(named_params.at(name));
      if (!v.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("named parameter :", name, ": ", v.status().message()));
      }
      st.params.push_back(*std::move(v));
    }
    st.has_params = true;
    return st;
  }
  st.sql = sql;
  st.params.reserve(params.size());
  for (int i = 0; i < params.size(); ++i) {
    absl::StatusOr<mysqlwire::Value> v = FromProto(params[i]);
    if (!v.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", i + 1, ": ", v.status().message()));
    }
    st.params.push_back(*std::move(v));
  }
  // With no parameters at all, the statement goes over the text protocol
  // as is; a '?' in it is then the server's to reject.
  st.has_params = !params.empty();
  return st;
}

}  // namespace mysqlgw
