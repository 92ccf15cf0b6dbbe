#include "mysqlwire/dsn.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mysqlwire {
namespace {

constexpr absl::string_view kScheme = "mysql://";

absl::StatusOr<std::string> PercentDecode(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    int value = 0;
    if (i + 2 >= in.size()) {
      return absl::InvalidArgumentError("DSN: truncated percent escape");
    }
    for (int k = 1; k <= 2; ++k) {
      char c = in[i + k];
      int digit = absl::ascii_isdigit(c)             ? c - '0'
                  : (c >= 'a' && c <= 'f')           ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F')           ? c - 'A' + 10
                                                     : -1;
      if (digit < 0) return absl::InvalidArgumentError("DSN: bad percent escape");
      value = value * 16 + digit;
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

absl::StatusOr<std::chrono::milliseconds> ParseMillis(absl::string_view key,
                                                      absl::string_view value) {
  int64_t ms = 0;
  if (!absl::SimpleAtoi(value, &ms) || ms < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("DSN: ", key, " must be a number of milliseconds"));
  }
  return std::chrono::milliseconds(ms);
}

}  // namespace

absl::StatusOr<ConnectOptions> ParseDsn(absl::string_view dsn) {
  if (!absl::StartsWith(dsn, kScheme)) {
    return absl::InvalidArgumentError("DSN must start with mysql://");
  }
  absl::string_view rest = dsn.substr(kScheme.size());
  ConnectOptions options;

  absl::string_view query;
  if (size_t q = rest.find('?'); q != absl::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) {
    absl::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    absl::string_view user = userinfo, password;
    if (size_t colon = userinfo.find(':'); colon != absl::string_view::npos) {
      user = userinfo.substr(0, colon);
      password = userinfo.substr(colon + 1);
    }
    absl::StatusOr<std::string> u = PercentDecode(user);
    if (!u.ok()) return u.status();
    absl::StatusOr<std::string> p = PercentDecode(password);
    if (!p.ok()) return p.status();
    options.user = *u;
    options.password = *p;
  }
  absl::string_view hostport = rest;
  if (size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    hostport = rest.substr(0, slash);
    absl::StatusOr<std::string> db = PercentDecode(rest.substr(slash + 1));
    if (!db.ok()) return db.status();
    options.database = *db;
  }
  absl::string_view host = hostport;
  absl::string_view port_text;
  bool has_port = false;
  if (absl::StartsWith(hostport, "[")) {  // [IPv6]:port
    size_t close = hostport.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError("DSN: unterminated [IPv6] host");
    }
    host = hostport.substr(1, close - 1);
    absl::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return absl::InvalidArgumentError("DSN: bad host");
      port_text = after.substr(1);
      has_port = true;
    }
  } else if (size_t colon = hostport.rfind(':'); colon != absl::string_view::npos) {
    host = hostport.substr(0, colon);
    port_text = hostport.substr(colon + 1);
    has_port = true;
  }
  if (has_port) {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(port_text, &port) || port == 0 || port > 65535) {
      return absl::InvalidArgumentError("DSN: invalid port");
    }
    options.port = static_cast<uint16_t>(port);
  }
  if (host.empty()) return absl::InvalidArgumentError("DSN: missing host");
  options.host = std::string(host);

  bool ssl_mode_given = false;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> value = PercentDecode(kv.second);
    if (!value.ok()) return value.status();
    if (kv.first == "ssl-mode") {
      ssl_mode_given = true;
      std::string mode = absl::AsciiStrToLower(*value);
      if (mode == "disabled") {
        options.ssl_mode = SslMode::kDisable;
      } else if (mode == "preferred") {
        options.ssl_mode = SslMode::kPreferred;
      } else if (mode == "required") {
        options.ssl_mode = SslMode::kRequired;
      } else if (mode == "verify-ca") {
        options.ssl_mode = SslMode::kVerifyCa;
      } else if (mode == "verify-identity") {
        options.ssl_mode = SslMode::kVerifyIdentity;
      } else {
        return absl::InvalidArgumentError(absl::StrCat("DSN: unknown ssl-mode '", *value, "'"));
      }
    } else if (kv.first == "ssl-ca") {
      options.ssl_ca_file = *value;
    } else if (kv.first == "ssl-server-name") {
      options.ssl_server_name = *value;
    } else if (kv.first == "connect-timeout") {
      absl::StatusOr<std::chrono::milliseconds> ms = ParseMillis(kv.first, *value);
      if (!ms.ok()) return ms.status();
      options.connect_timeout = *ms;
    } else if (kv.first == "io-timeout") {
      absl::StatusOr<std::chrono::milliseconds> ms = ParseMillis(kv.first, *value);
      if (!ms.ok()) return ms.status();
      options.io_timeout = *ms;
    } else if (kv.first == "allow-public-key-retrieval") {
      if (*value != "true" && *value != "false") {
        return absl::InvalidArgumentError(
            "DSN: allow-public-key-retrieval must be true or false");
      }
      options.allow_public_key_retrieval = *value == "true";
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("DSN: unknown option '", kv.first, "'"));
    }
  }
  if (!options.ssl_ca_file.empty() && !ssl_mode_given) {
    options.ssl_mode = SslMode::kVerifyIdentity;
  }
  return options;
}

std::string RedactDsn(absl::string_view dsn) {
  if (!absl::StartsWith(dsn, kScheme)) return "<invalid DSN>";
  absl::string_view rest = dsn.substr(kScheme.size());
  size_t end = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, end);
  size_t at = authority.rfind('@');
  if (at == absl::string_view::npos) return std::string(dsn);
  absl::string_view userinfo = authority.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == absl::string_view::npos) return std::string(dsn);
  return absl::StrCat(kScheme, userinfo.substr(0, colon), ":***",
                      rest.substr(at));
}

}  // namespace mysqlwire
