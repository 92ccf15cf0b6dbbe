#include "server/metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace mysqlgw::metrics {
namespace {

using metrics_internal::FamilyBase;

absl::Status CheckNames(absl::string_view name, MetricType type,
                        const std::vector<std::string>& label_names) {
  if (!IsValidMetricName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid metric name \"", name, "\""));
  }
  std::set<absl::string_view> seen;
  for (const std::string& label : label_names) {
    if (!IsValidLabelName(label)) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric ", name, ": invalid label name \"", label, "\""));
    }
    if (type == MetricType::kHistogram && label == "le") {
      return absl::InvalidArgumentError(
          absl::StrCat("histogram ", name, ": the label name \"le\" is reserved"));
    }
    if (!seen.insert(label).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric ", name, ": label name \"", label, "\" given twice"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> SampleNames(const FamilyBase& family) {
  if (family.type() != MetricType::kHistogram) return {family.name()};
  return {family.name(), family.name() + "_bucket", family.name() + "_sum",
          family.name() + "_count"};
}

// The samples of a callback family, computed at each scrape.
class CallbackFamily final : public FamilyBase {
 public:
  CallbackFamily(std::string name, std::string help, MetricType type,
                 std::vector<std::string> label_names,
                 std::function<std::vector<LabeledValue>()> collect)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        collect_(std::move(collect)) {}

  void AppendSamples(std::string* out) const override {
    std::vector<LabeledValue> samples = collect_();
    std::erase_if(samples, [&](const LabeledValue& s) {
      return s.label_values.size() != label_names().size();
    });
    std::stable_sort(samples.begin(), samples.end(),
                     [](const LabeledValue& a, const LabeledValue& b) {
                       return a.label_values < b.label_values;
                     });
    const std::vector<std::string>* previous = nullptr;
    for (const LabeledValue& s : samples) {
      if (previous != nullptr && *previous == s.label_values) continue;
      previous = &s.label_values;
      metrics_internal::AppendSampleLine(out, name(), "", label_names(), s.label_values, "", "",
                                         s.value);
    }
  }

 private:
  const std::function<std::vector<LabeledValue>()> collect_;
};

}  // namespace

absl::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

namespace metrics_internal {

void FamilyBase::LabelCountMismatch(size_t given) const {
  std::fprintf(stderr, "metrics: %s has %zu label name(s) but was given %zu label value(s)\n",
               name_.c_str(), label_names_.size(), given);
  std::abort();
}

void AppendSampleLine(std::string* out, absl::string_view name, absl::string_view suffix,
                      absl::Span<const std::string> label_names,
                      absl::Span<const std::string> label_values,
                      absl::string_view extra_label, absl::string_view extra_value,
                      double value) {
  absl::StrAppend(out, name, suffix);
  if (!label_names.empty() || !extra_label.empty()) {
    out->push_back('{');
    for (size_t i = 0; i < label_names.size(); ++i) {
      if (i > 0) out->push_back(',');
      absl::StrAppend(out, label_names[i], "=\"");
      AppendEscapedLabelValue(out, label_values[i]);
      out->push_back('"');
    }
    if (!extra_label.empty()) {
      if (!label_names.empty()) out->push_back(',');
      absl::StrAppend(out, extra_label, "=\"");
      AppendEscapedLabelValue(out, extra_value);
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendValue(out, value);
  out->push_back('\n');
}

void AppendChildSamples(std::string* out, const FamilyBase& family,
                        const std::vector<std::string>& values, const Counter& child) {
  AppendSampleLine(out, family.name(), "", family.label_names(), values, "", "", child.Value());
}

void AppendChildSamples(std::string* out, const FamilyBase& family,
                        const std::vector<std::string>& values, const Gauge& child) {
  AppendSampleLine(out, family.name(), "", family.label_names(), values, "", "", child.Value());
}

void AppendChildSamples(std::string* out, const FamilyBase& family,
                        const std::vector<std::string>& values, const Histogram& child) {
  const Histogram::Snapshot s = child.Collect();
  const std::vector<double>& bounds = child.bounds();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
    AppendSampleLine(out, family.name(), "_bucket", family.label_names(), values, "le", le,
                     static_cast<double>(s.cumulative[i]));
  }
  AppendSampleLine(out, family.name(), "_sum", family.label_names(), values, "", "", s.sum);
  AppendSampleLine(out, family.name(), "_count", family.label_names(), values, "", "",
                   static_cast<double>(s.count));
}

}  // namespace metrics_internal

Registry::~Registry() = default;

absl::Status Registry::Register(std::unique_ptr<FamilyBase> family) {
  if (absl::Status s = CheckNames(family->name(), family->type(), family->label_names());
      !s.ok()) {
    return s;
  }
  const std::vector<std::string> names = SampleNames(*family);
  std::unique_lock lock(mu_);
  for (const std::string& n : names) {
    if (sample_names_.contains(n)) {
      return absl::AlreadyExistsError(absl::StrCat(
          "metric ", family->name(), ": the name ", n, " is already used by another metric"));
    }
  }
  sample_names_.insert(names.begin(), names.end());
  const std::string key = family->name();
  families_.emplace(key, std::move(family));
  return absl::OkStatus();
}

absl::StatusOr<Family<Counter>*> Registry::AddCounter(absl::string_view name,
                                                      absl::string_view help,
                                                      std::vector<std::string> label_names) {
  const bool unlabeled = label_names.empty();
  std::unique_ptr<Family<Counter>> family(
      new Family<Counter>(std::string(name), std::string(help), MetricType::kCounter,
                          std::move(label_names), [] { return std::make_unique<Counter>(); }));
  Family<Counter>* raw = family.get();
  if (unlabeled) raw->WithLabels({});
  if (absl::Status s = Register(std::move(family)); !s.ok()) return s;
  return raw;
}

absl::StatusOr<Family<Gauge>*> Registry::AddGauge(absl::string_view name, absl::string_view help,
                                                  std::vector<std::string> label_names) {
  const bool unlabeled = label_names.empty();
  std::unique_ptr<Family<Gauge>> family(
      new Family<Gauge>(std::string(name), std::string(help), MetricType::kGauge,
                        std::move(label_names), [] { return std::make_unique<Gauge>(); }));
  Family<Gauge>* raw = family.get();
  if (unlabeled) raw->WithLabels({});
  if (absl::Status s = Register(std::move(family)); !s.ok()) return s;
  return raw;
}

absl::StatusOr<Family<Histogram>*> Registry::AddHistogram(absl::string_view name,
                                                          absl::string_view help,
                                                          std::vector<std::string> label_names,
                                                          std::vector<double> bounds) {
  if (!bounds.empty() && std::isinf(bounds.back()) && bounds.back() > 0) bounds.pop_back();
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("histogram ", name, ": bucket bound ", FormatValue(bounds[i]),
                       " is not finite"));
    }
    if (i > 0 && !(bounds[i] > bounds[i - 1])) {
      return absl::InvalidArgumentError(
          absl::StrCat("histogram ", name, ": bucket bounds must be strictly increasing (",
                       FormatValue(bounds[i - 1]), " then ", FormatValue(bounds[i]), ")"));
    }
  }
  auto shared = std::make_shared<const std::vector<double>>(std::move(bounds));
  const bool unlabeled = label_names.empty();
  std::unique_ptr<Family<Histogram>> family(new Family<Histogram>(
      std::string(name), std::string(help), MetricType::kHistogram, std::move(label_names),
      [shared] { return std::make_unique<Histogram>(shared); }));
  Family<Histogram>* raw = family.get();
  if (unlabeled) raw->WithLabels({});
  if (absl::Status s = Register(std::move(family)); !s.ok()) return s;
  return raw;
}

absl::Status Registry::AddCallback(MetricType type, absl::string_view name,
                                   absl::string_view help, std::vector<std::string> label_names,
                                   std::function<std::vector<LabeledValue>()> collect) {
  if (type == MetricType::kHistogram) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric ", name, ": callback metrics are counters or gauges"));
  }
  if (!collect) {
    return absl::InvalidArgumentError(absl::StrCat("metric ", name, ": no callback"));
  }
  return Register(std::make_unique<CallbackFamily>(std::string(name), std::string(help), type,
                                                   std::move(label_names), std::move(collect)));
}

absl::Status Registry::AddCallbackCounter(absl::string_view name, absl::string_view help,
                                          std::function<double()> value) {
  if (!value) return absl::InvalidArgumentError(absl::StrCat("metric ", name, ": no callback"));
  return AddCallback(MetricType::kCounter, name, help, {},
                     [value = std::move(value)] {
                       return std::vector<LabeledValue>{{{}, value()}};
                     });
}

absl::Status Registry::AddCallbackGauge(absl::string_view name, absl::string_view help,
                                        std::function<double()> value) {
  if (!value) return absl::InvalidArgumentError(absl::StrCat("metric ", name, ": no callback"));
  return AddCallback(MetricType::kGauge, name, help, {},
                     [value = std::move(value)] {
                       return std::vector<LabeledValue>{{{}, value()}};
                     });
}

std::string Registry::Render() const {
  std::string out;
  Render(&out);
  return out;
}

void Registry::Render(std::string* out) const {
  // Families are never removed: their pointers stay valid once the lock is
  // released, and callbacks run without it.
  std::vector<const FamilyBase*> families;
  {
    std::shared_lock lock(mu_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) families.push_back(family.get());
  }
  std::string samples;
  for (const FamilyBase* family : families) {
    samples.clear();
    family->AppendSamples(&samples);
    if (samples.empty()) continue;
    absl::StrAppend(out, "# HELP ", family->name(), " ");
    AppendEscapedHelp(out, family->help());
    absl::StrAppend(out, "\n# TYPE ", family->name(), " ", MetricTypeName(family->type()), "\n",
                    samples);
  }
}

}  // namespace mysqlgw::metrics
