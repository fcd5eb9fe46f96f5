// The Prometheus text exposition format (version 0.0.4; what Prometheus scrapes and promtool
// checks): metric families with HELP and TYPE lines, samples with escaped label values. Names
// follow the conventions (units as suffixes, `_total` for counters); labels must be bounded
// (engine, mode, direction, step, never a URL or a connection id). Pure: text out.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsb {

/// The exposition's content type, for the HTTP response.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// A metric name or a label name as Prometheus allows it ([a-zA-Z_:][a-zA-Z0-9_:]*; labels
/// without ':').
bool valid_metric_name(std::string_view name) noexcept;
bool valid_label_name(std::string_view name) noexcept;

/// One label of a sample.
using PromLabel = std::pair<std::string_view, std::string_view>;

/// A histogram as Prometheus exposes it: the count of observations at or below each upper
/// bound (cumulative, ascending bounds; the +Inf bucket is `count`), and their sum.
struct PromHistogram {
    std::vector<double> bounds;             ///< upper bounds (`le`), ascending, +Inf left out
    std::vector<std::uint64_t> cumulative;  ///< observations <= bounds[i]; same size
    std::uint64_t count = 0;                ///< every observation (the le="+Inf" bucket)
    double sum = 0;                         ///< the sum of the observations
};

/// Builds an exposition: family() once per metric, then its samples.
class PromWriter {
  public:
    enum class Type : std::uint8_t { counter, gauge, untyped, histogram };

    /// Starts a family: `# HELP name help` and `# TYPE name type`. Names are checked by the
    /// caller's tests (they are constants); the help text is escaped (\\ and \n).
    void family(std::string_view name, Type type, std::string_view help);
    /// `name{l1="v1",...} value`: label values escaped (\\, \" and \n).
    void sample(std::string_view name, std::initializer_list<PromLabel> labels, double value);
    void sample(std::string_view name, std::initializer_list<PromLabel> labels,
                std::uint64_t value);

    /// A histogram's samples (after family(name, Type::histogram, ...)): one
    /// `name_bucket{labels,le="B"}` per bound and `le="+Inf"`, then `name_sum` and
    /// `name_count`. Bounds print in the shortest form ("5e-05", "0.25", "10").
    void histogram(std::string_view name, std::initializer_list<PromLabel> labels,
                   const PromHistogram& h);

    const std::string& text() const noexcept { return out_; }

  private:
    void labels(std::initializer_list<PromLabel> labels, const PromLabel* extra = nullptr);
    std::string out_;
};

}  // namespace wsb
