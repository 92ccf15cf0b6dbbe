#include "server/http/statusz.h"

#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "server/log/log.h"

namespace mysqlgw::http {
namespace {

// ---- shared formatting ----------------------------------------------------

std::string Rfc3339(absl::Time t) {
  if (t == absl::InfinitePast()) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// Seconds with millisecond precision; JSON has no NaN or infinity.
std::string Seconds(double s) {
  if (!std::isfinite(s)) return "null";
  return absl::StrFormat("%.3f", s);
}

std::string Millis(double seconds) { return absl::StrFormat("%.1f", seconds * 1000.0); }

std::string Position(const std::string& file, uint64_t position) {
  if (file.empty()) return "";
  return absl::StrCat(file, ":", position);
}

double MeanWaitSeconds(const StatusSnapshot::Pool& p) {
  return p.waits == 0 ? 0.0 : p.wait_seconds_sum / static_cast<double>(p.waits);
}

// ---- HTML -------------------------------------------------------------------

constexpr char kStyle[] = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin: 0 0 .2em; }
h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
p.meta { color: #666; margin: 0 0 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .2em .6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sql, td.mono { font-family: ui-monospace, monospace; }
td.sql { max-width: 60em; white-space: pre-wrap; word-break: break-all; }
.state-up { color: #070; font-weight: bold; }
.state-down { color: #b00; font-weight: bold; }
.state-unknown, .state-unchecked, td.none { color: #777; }
)css";

class Html {
 public:
  void Raw(absl::string_view s) { out_.append(s.data(), s.size()); }
  void Text(absl::string_view s) { Raw(HtmlEscape(s)); }
  // One table: an id, the header cells, then rows added with Row().
  void BeginTable(absl::string_view id, std::initializer_list<absl::string_view> headers) {
    columns_ = headers.size();
    Raw("<table id=\"");
    Text(id);
    Raw("\"><thead><tr>");
    for (absl::string_view h : headers) {
      Raw("<th>");
      Text(h);
      Raw("</th>");
    }
    Raw("</tr></thead><tbody>\n");
  }
  void EndTable(bool empty, absl::string_view empty_text) {
    if (empty) {
      Raw(absl::StrCat("<tr><td class=\"none\" colspan=\"", columns_, "\">"));
      Text(empty_text);
      Raw("</td></tr>\n");
    }
    Raw("</tbody></table>\n");
  }
  void BeginRow(absl::string_view data_key = "") {
    Raw("<tr");
    if (!data_key.empty()) {
      Raw(" data-key=\"");
      Text(data_key);
      Raw("\"");
    }
    Raw(">");
  }
  void EndRow() { Raw("</tr>\n"); }
  void Cell(absl::string_view text, absl::string_view css_class = "") {
    if (css_class.empty()) {
      Raw("<td>");
    } else {
      Raw("<td class=\"");
      Text(css_class);
      Raw("\">");
    }
    Text(text);
    Raw("</td>");
  }
  void Num(absl::string_view text) { Cell(text, "num"); }
  // A two-column key/value row.
  void Pair(absl::string_view key, absl::string_view value, absl::string_view css_class = "") {
    Raw("<tr><th>");
    Text(key);
    Raw("</th>");
    Cell(value, css_class);
    Raw("</tr>\n");
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  size_t columns_ = 0;
};

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t':
      case '\n':
      case '\r':
        out += c;
        break;
      default:
        // Other control characters are not allowed in HTML text.
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += "\xEF\xBF\xBD";  // U+FFFD.
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string FormatUptime(absl::Duration d) {
  int64_t s = absl::ToInt64Seconds(d);
  if (s < 0) s = 0;
  const int64_t days = s / 86400, hours = s / 3600 % 24, minutes = s / 60 % 60, secs = s % 60;
  if (days > 0) return absl::StrCat(days, "d ", hours, "h");
  if (hours > 0) return absl::StrCat(hours, "h ", minutes, "m");
  if (minutes > 0) return absl::StrCat(minutes, "m ", secs, "s");
  return absl::StrCat(secs, "s");
}

std::string RenderStatuszHtml(const StatusSnapshot& s) {
  Html h;
  h.Raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\">"
        "<title>mysqlgw /statusz</title><style>");
  h.Raw(kStyle);
  h.Raw("</style></head><body>\n<h1>mysqlgw <span id=\"version\">");
  h.Text(s.version);
  h.Raw("</span></h1>\n<p class=\"meta\">as of ");
  h.Text(Rfc3339(s.now));
  h.Raw(" &middot; up <span id=\"uptime\">");
  h.Text(FormatUptime(s.now - s.started));
  h.Raw("</span> &middot; <a href=\"/statusz?format=json\">JSON</a> &middot; "
        "<a href=\"/metrics\">/metrics</a> &middot; <a href=\"/digests\">/digests</a> "
        "&middot; <a href=\"/backends\">/backends</a></p>\n");

  h.Raw("<h2>Process</h2>\n<table id=\"process\"><tbody>\n");
  h.Pair("version", s.version);
  h.Pair("commit", s.commit.empty() ? "not stamped" : s.commit);
  h.Pair("compiler", s.compiler);
  h.Pair("pid", absl::StrCat(s.pid));
  h.Pair("started", Rfc3339(s.started));
  h.Pair("uptime", FormatUptime(s.now - s.started));
  h.Raw("</tbody></table>\n");

  h.Raw("<h2>Configuration</h2>\n<table id=\"config\"><tbody>\n");
  h.Pair("version", absl::StrCat(s.config.version));
  h.Pair("hash", s.config.hash, "mono");
  h.Pair("file", s.config.path.empty() ? "(flags only)" : s.config.path);
  h.Pair("loaded", Rfc3339(s.config.loaded_at));
  h.Pair("reloads applied", absl::StrCat(s.config.reloads_applied));
  h.Pair("reloads rejected", absl::StrCat(s.config.reloads_failed));
  if (!s.config.last_error.empty()) {
    h.Pair("last rejected", Rfc3339(s.config.last_failed_at));
    h.Pair("last rejection", s.config.last_error, "mono");
  }
  h.Pair("policy generation", absl::StrCat(s.config.policy_generation));
  h.Raw("</tbody></table>\n");

  h.Raw("<h2>Backends</h2>\n");
  h.BeginTable("backends",
               {"name", "role", "state", "read only", "replication lag", "last check", "problem"});
  for (const StatusSnapshot::Backend& b : s.backends) {
    h.BeginRow(b.name);
    h.Cell(b.name);
    h.Cell(b.role);
    h.Cell(b.state, absl::StrCat("state-", b.state));
    h.Cell(b.read_only.has_value() ? (*b.read_only ? "yes" : "no")
                                   : (b.state == "unchecked" ? "-" : "?"));
    h.Num(b.lag_seconds.has_value() ? absl::StrCat(Seconds(*b.lag_seconds), " s")
                                    : (b.role == "replica" ? "?" : "-"));
    h.Cell(b.last_check == absl::InfinitePast() ? "-" : Rfc3339(b.last_check));
    std::string problem = b.problem;
    if (!b.last_error.empty()) {
      absl::StrAppend(&problem, problem.empty() ? "" : "; ", b.last_error);
    }
    h.Cell(OrDash(problem), "mono");
    h.EndRow();
  }
  h.EndTable(s.backends.empty(), "no backend");

  h.Raw("<h2>Pools</h2>\n");
  h.BeginTable("pools", {"backend", "open", "max open", "idle", "in use", "waiting", "occupancy",
                         "waits", "mean wait", "wait timeouts", "connects", "connect failures"});
  for (const StatusSnapshot::Pool& p : s.pools) {
    h.BeginRow(p.backend);
    h.Cell(p.backend);
    h.Num(absl::StrCat(p.open));
    h.Num(p.max_open == 0 ? "?" : absl::StrCat(p.max_open));
    h.Num(absl::StrCat(p.idle));
    h.Num(absl::StrCat(p.in_use));
    h.Num(absl::StrCat(p.waiting));
    h.Num(p.max_open == 0
              ? "?"
              : absl::StrFormat("%.0f%%", 100.0 * p.in_use / static_cast<double>(p.max_open)));
    h.Num(absl::StrCat(p.waits));
    h.Num(absl::StrCat(Millis(MeanWaitSeconds(p)), " ms"));
    h.Num(absl::StrCat(p.wait_timeouts));
    h.Num(absl::StrCat(p.connects));
    h.Num(absl::StrCat(p.connect_failures));
    h.EndRow();
  }
  h.EndTable(s.pools.empty(), "no pool");

  h.Raw(absl::StrCat("<h2>Change streams (<span id=\"streams-open\">", s.streams.size(),
                     "</span> open)</h2>\n"));
  h.BeginTable("streams", {"id", "principal", "peer", "mode", "started", "position", "GTID",
                           "behind", "events", "batches", "bytes", "last sent"});
  for (const StatusSnapshot::Stream& st : s.streams) {
    h.BeginRow(absl::StrCat(st.id));
    h.Num(absl::StrCat(st.id));
    h.Cell(st.principal);
    h.Cell(st.peer, "mono");
    h.Cell(st.mode);
    h.Cell(Rfc3339(st.started));
    h.Cell(OrDash(Position(st.file, st.position)), "mono position");
    h.Cell(OrDash(st.gtid), "mono");
    h.Num(st.seconds_behind.has_value() ? absl::StrCat(Seconds(*st.seconds_behind), " s") : "?");
    h.Num(absl::StrCat(st.events_sent));
    h.Num(absl::StrCat(st.batches_sent));
    h.Num(absl::StrCat(st.bytes_sent));
    h.Cell(st.last_sent == absl::InfinitePast() ? "-" : Rfc3339(st.last_sent));
    h.EndRow();
  }
  h.EndTable(s.streams.empty(), "no open change stream");

  h.Raw(absl::StrCat("<h2>Top statements by total time (", s.digests.size(), " of ",
                     s.digests_tracked, " digests tracked)</h2>\n"));
  h.BeginTable("digests", {"digest", "calls", "errors", "rows", "total", "mean", "max",
                           "statement"});
  for (const StatusSnapshot::Digest& d : s.digests) {
    h.BeginRow(d.digest);
    h.Cell(d.digest, "mono");
    h.Num(absl::StrCat(d.calls));
    h.Num(absl::StrCat(d.errors));
    h.Num(absl::StrCat(d.rows));
    h.Num(absl::StrCat(Millis(d.total_seconds), " ms"));
    h.Num(absl::StrCat(
        Millis(d.calls == 0 ? 0.0 : d.total_seconds / static_cast<double>(d.calls)), " ms"));
    h.Num(absl::StrCat(Millis(d.max_seconds), " ms"));
    h.Cell(d.text, "sql");
    h.EndRow();
  }
  h.EndTable(s.digests.empty(), "no statement yet");
  h.Raw("</body></html>\n");
  return h.Take();
}

// ---- JSON -------------------------------------------------------------------

namespace {

class Json {
 public:
  void Raw(absl::string_view s) { out_.append(s.data(), s.size()); }
  void Key(absl::string_view key) {
    Comma();
    AppendJsonString(key, &out_);
    out_ += ':';
    need_comma_ = false;
  }
  void Str(absl::string_view key, absl::string_view value) {
    Key(key);
    AppendJsonString(value, &out_);
    need_comma_ = true;
  }
  void Time(absl::string_view key, absl::Time t) {
    if (t == absl::InfinitePast()) {
      Null(key);
    } else {
      Str(key, Rfc3339(t));
    }
  }
  void Num(absl::string_view key, uint64_t v) { Value(key, absl::StrCat(v)); }
  void Int(absl::string_view key, int64_t v) { Value(key, absl::StrCat(v)); }
  void Dbl(absl::string_view key, double v) { Value(key, Seconds(v)); }
  void OptDbl(absl::string_view key, const std::optional<double>& v) {
    if (v.has_value()) {
      Dbl(key, *v);
    } else {
      Null(key);
    }
  }
  void Bool(absl::string_view key, bool v) { Value(key, v ? "true" : "false"); }
  void Null(absl::string_view key) { Value(key, "null"); }
  void Open(absl::string_view key, char bracket) {
    if (key.empty()) {
      Comma();
    } else {
      Key(key);
    }
    out_ += bracket;
    need_comma_ = false;
  }
  void Close(char bracket) {
    out_ += bracket;
    need_comma_ = true;
  }
  std::string Take() { return std::move(out_); }

 private:
  void Value(absl::string_view key, absl::string_view raw) {
    Key(key);
    Raw(raw);
    need_comma_ = true;
  }
  void Comma() {
    if (need_comma_) out_ += ',';
  }
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace

std::string RenderStatuszJson(const StatusSnapshot& s) {
  Json j;
  j.Open("", '{');
  j.Time("now", s.now);
  j.Open("build", '{');
  j.Str("version", s.version);
  if (s.commit.empty()) {
    j.Null("commit");
  } else {
    j.Str("commit", s.commit);
  }
  j.Str("compiler", s.compiler);
  j.Close('}');
  j.Open("process", '{');
  j.Int("pid", s.pid);
  j.Time("started", s.started);
  j.Dbl("uptime_seconds", absl::ToDoubleSeconds(s.now - s.started));
  j.Close('}');

  j.Open("config", '{');
  j.Num("version", s.config.version);
  j.Str("hash", s.config.hash);
  j.Str("path", s.config.path);
  j.Time("loaded_at", s.config.loaded_at);
  j.Num("reloads_applied", s.config.reloads_applied);
  j.Num("reloads_failed", s.config.reloads_failed);
  if (s.config.last_error.empty()) {
    j.Null("last_error");
  } else {
    j.Str("last_error", s.config.last_error);
  }
  j.Time("last_failed_at", s.config.last_failed_at);
  j.Num("policy_generation", s.config.policy_generation);
  j.Close('}');

  j.Open("backends", '[');
  for (const StatusSnapshot::Backend& b : s.backends) {
    j.Open("", '{');
    j.Str("name", b.name);
    j.Str("role", b.role);
    j.Str("state", b.state);
    if (b.read_only.has_value()) {
      j.Bool("read_only", *b.read_only);
    } else {
      j.Null("read_only");
    }
    j.OptDbl("lag_seconds", b.lag_seconds);
    j.Str("problem", b.problem);
    j.Str("last_error", b.last_error);
    j.Time("last_check", b.last_check);
    j.Close('}');
  }
  j.Close(']');

  j.Open("pools", '[');
  for (const StatusSnapshot::Pool& p : s.pools) {
    j.Open("", '{');
    j.Str("backend", p.backend);
    j.Num("max_open", p.max_open);
    j.Num("open", p.open);
    j.Num("idle", p.idle);
    j.Num("in_use", p.in_use);
    j.Num("waiting", p.waiting);
    j.Num("waits", p.waits);
    j.Dbl("wait_seconds_sum", p.wait_seconds_sum);
    j.Dbl("mean_wait_seconds", MeanWaitSeconds(p));
    j.Num("wait_timeouts", p.wait_timeouts);
    j.Num("connects", p.connects);
    j.Num("connect_failures", p.connect_failures);
    j.Close('}');
  }
  j.Close(']');

  j.Open("binlog_streams", '[');
  for (const StatusSnapshot::Stream& st : s.streams) {
    j.Open("", '{');
    j.Num("id", st.id);
    j.Str("principal", st.principal);
    j.Str("peer", st.peer);
    j.Str("mode", st.mode);
    j.Time("started", st.started);
    if (st.file.empty()) {
      j.Null("position");
    } else {
      j.Open("position", '{');
      j.Str("file", st.file);
      j.Num("position", st.position);
      j.Close('}');
    }
    j.Str("gtid", st.gtid);
    j.OptDbl("seconds_behind", st.seconds_behind);
    j.Num("events_sent", st.events_sent);
    j.Num("heartbeats_sent", st.heartbeats_sent);
    j.Num("batches_sent", st.batches_sent);
    j.Num("bytes_sent", st.bytes_sent);
    j.Time("last_sent", st.last_sent);
    j.Close('}');
  }
  j.Close(']');

  j.Num("digests_tracked", s.digests_tracked);
  j.Open("top_digests", '[');
  for (const StatusSnapshot::Digest& d : s.digests) {
    j.Open("", '{');
    j.Str("digest", d.digest);
    j.Str("text", d.text);
    j.Num("calls", d.calls);
    j.Num("errors", d.errors);
    j.Num("rows", d.rows);
    j.Dbl("total_seconds", d.total_seconds);
    j.Dbl("max_seconds", d.max_seconds);
    j.Close('}');
  }
  j.Close(']');
  j.Close('}');
  std::string out = j.Take();
  out += '\n';
  return out;
}

bool WantsJson(const PageRequest& request) {
  for (absl::string_view param : absl::StrSplit(request.query, '&')) {
    if (param == "format=json") return true;
    if (param == "format=html") return false;
  }
  const std::string accept = absl::AsciiStrToLower(request.accept);
  return absl::StrContains(accept, "application/json") &&
         !absl::StrContains(accept, "text/html");
}

PageResponse ServeStatusz(const PageRequest& request, const StatusSnapshot& s) {
  if (WantsJson(request)) return {"application/json", RenderStatuszJson(s)};
  return {"text/html; charset=utf-8", RenderStatuszHtml(s)};
}

}  // namespace mysqlgw::http
