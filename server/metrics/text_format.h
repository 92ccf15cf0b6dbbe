// The pieces of the Prometheus text exposition format 0.0.4 that do not
// depend on a registry: name validation, escaping and number formatting.
// Pure functions, no I/O.
//
// https://prometheus.io/docs/instrumenting/exposition_formats/
#ifndef SERVER_METRICS_TEXT_FORMAT_H_
#define SERVER_METRICS_TEXT_FORMAT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mysqlgw::metrics {

// The Content-Type of a scrape response in this format.
inline constexpr char kTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(absl::string_view name);

// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus).
bool IsValidLabelName(absl::string_view name);

// A label value between double quotes: backslash, double quote and line feed
// are escaped (\\, \", \n). Invalid UTF-8 (which Prometheus rejects, failing
// the whole scrape) is replaced by U+FFFD.
void AppendEscapedLabelValue(std::string* out, absl::string_view value);

// The text of a # HELP line: backslash and line feed are escaped (\\, \n).
// Invalid UTF-8 is replaced by U+FFFD.
void AppendEscapedHelp(std::string* out, absl::string_view help);

// A sample value: an integer below 2^53 in decimal ("400000"), otherwise the
// shortest digits that read back as the same double in %g style ("0.25",
// "0.0005", "1e-06", "1e+17"), or "+Inf", "-Inf", "NaN".
void AppendValue(std::string* out, double value);
std::string FormatValue(double value);

}  // namespace mysqlgw::metrics

#endif  // SERVER_METRICS_TEXT_FORMAT_H_
