// A registry of metric families and their rendering in the Prometheus text
// exposition format 0.0.4 (for GET /metrics).
//
// A family has a name, a help text, a type and a fixed list of label names;
// it holds one child (a Counter, Gauge or Histogram from metrics.h) per tuple
// of label values, created on first use and never removed, so the reference
// WithLabels returns stays valid as long as the registry. Look a child up
// once and keep the reference: the lookup takes a lock, the updates do not.
//
//   Registry registry;
//   absl::StatusOr<Family<Counter>*> requests = registry.AddCounter(
//       "mysqlgw_rpc_requests_total", "RPCs handled.", {"method", "code"});
//   if (!requests.ok()) return requests.status();
//   Counter& query_ok = (*requests)->WithLabels({"Query", "OK"});
//   query_ok.Increment();  // Lock-free, from any thread.
//   std::string text = registry.Render();
//
// Callback families compute their samples at scrape time (process metrics,
// values kept elsewhere). Their callbacks run on the thread that renders
// (the admin server's), without any registry lock held.
//
// Rendering is deterministic: families sorted by name, children by label
// values, histogram buckets by bound. A family without a child yet is left
// out; a family without labels has its single child from the start, so it
// is rendered as 0 before its first update.
//
// Thread-safe: everything may be called from any thread.
#ifndef SERVER_METRICS_REGISTRY_H_
#define SERVER_METRICS_REGISTRY_H_

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "server/metrics/metrics.h"
#include "server/metrics/text_format.h"

namespace mysqlgw::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// "counter", "gauge", "histogram": the word of a # TYPE line.
absl::string_view MetricTypeName(MetricType type);

// One sample of a callback family.
struct LabeledValue {
  std::vector<std::string> label_values;  // In the order of the label names.
  double value = 0;
};

namespace metrics_internal {

class FamilyBase {
 public:
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;
  virtual ~FamilyBase() = default;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends the family's sample lines (not its # HELP and # TYPE lines).
  virtual void AppendSamples(std::string* out) const = 0;

 protected:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(label_names)) {}

  // A child asked for with the wrong number of label values is a
  // programming error: reports it on stderr and aborts.
  [[noreturn]] void LabelCountMismatch(size_t given) const;

 private:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
};

// One sample line: name{labels...,extra_label="extra_value"} value
void AppendSampleLine(std::string* out, absl::string_view name, absl::string_view suffix,
                      absl::Span<const std::string> label_names,
                      absl::Span<const std::string> label_values,
                      absl::string_view extra_label, absl::string_view extra_value, double value);

void AppendChildSamples(std::string* out, const FamilyBase& family,
                        const std::vector<std::string>& values, const Counter& child);
void AppendChildSamples(std::string* out, const FamilyBase& family,
                        const std::vector<std::string>& values, const Gauge& child);
void AppendChildSamples(std::string* out, const FamilyBase& family,
                        const std::vector<std::string>& values, const Histogram& child);

}  // namespace metrics_internal

// A family of Counters, Gauges or Histograms. Owned by its Registry.
template <typename T>
class Family final : public metrics_internal::FamilyBase {
 public:
  // The child for these label values, in the order of label_names(); there
  // must be exactly as many (none for a family without labels).
  T& WithLabels(std::initializer_list<absl::string_view> values) {
    return Child(std::vector<std::string>(values.begin(), values.end()));
  }
  T& WithLabels(const std::vector<std::string>& values) { return Child(values); }

  void AppendSamples(std::string* out) const override {
    std::shared_lock lock(mu_);
    for (const auto& [values, child] : children_) {
      metrics_internal::AppendChildSamples(out, *this, values, *child);
    }
  }

 private:
  friend class Registry;
  using Factory = std::function<std::unique_ptr<T>()>;

  Family(std::string name, std::string help, MetricType type,
         std::vector<std::string> label_names, Factory make)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        make_(std::move(make)) {}

  T& Child(std::vector<std::string> values) {
    if (values.size() != label_names().size()) LabelCountMismatch(values.size());
    {
      std::shared_lock lock(mu_);
      auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    auto [it, inserted] = children_.try_emplace(std::move(values));
    if (inserted) it->second = make_();
    return *it->second;
  }

  const Factory make_;
  // std:: rather than absl:: locks: ThreadSanitizer sees through them with
  // Debian's (uninstrumented) absl.
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;  // Guarded by mu_.
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  // Errors: InvalidArgument for a name that is not [a-zA-Z_:][a-zA-Z0-9_:]*,
  // a label name that is not [a-zA-Z_][a-zA-Z0-9_]* or starts with "__", a
  // label name given twice, and (histograms) the label "le" or bounds that
  // are not strictly increasing and finite (a last +Inf is dropped: that
  // bucket is always there). AlreadyExists when a sample name the family
  // would write (for a histogram also name_bucket, name_sum, name_count) is
  // already written by another family.
  absl::StatusOr<Family<Counter>*> AddCounter(absl::string_view name, absl::string_view help,
                                              std::vector<std::string> label_names = {});
  absl::StatusOr<Family<Gauge>*> AddGauge(absl::string_view name, absl::string_view help,
                                          std::vector<std::string> label_names = {});
  absl::StatusOr<Family<Histogram>*> AddHistogram(absl::string_view name,
                                                  absl::string_view help,
                                                  std::vector<std::string> label_names,
                                                  std::vector<double> bounds);

  // A counter or gauge family whose samples `collect` returns at each
  // scrape. Samples with the wrong number of label values are dropped, and
  // of two with the same label values the first is kept. `collect` must be
  // thread-safe and quick; it must not add to this registry.
  absl::Status AddCallback(MetricType type, absl::string_view name, absl::string_view help,
                           std::vector<std::string> label_names,
                           std::function<std::vector<LabeledValue>()> collect);
  // Unlabeled shorthands.
  absl::Status AddCallbackCounter(absl::string_view name, absl::string_view help,
                                  std::function<double()> value);
  absl::Status AddCallbackGauge(absl::string_view name, absl::string_view help,
                                std::function<double()> value);

  // Every family in the text format 0.0.4 (see kTextContentType).
  std::string Render() const;
  void Render(std::string* out) const;

 private:
  // Checks the family's names and takes ownership of it.
  absl::Status Register(std::unique_ptr<metrics_internal::FamilyBase> family);

  mutable std::shared_mutex mu_;
  // Guarded by mu_.
  std::map<std::string, std::unique_ptr<metrics_internal::FamilyBase>> families_;
  // Every sample name written by a family. Guarded by mu_.
  std::set<std::string> sample_names_;
};

}  // namespace mysqlgw::metrics

#endif  // SERVER_METRICS_REGISTRY_H_
