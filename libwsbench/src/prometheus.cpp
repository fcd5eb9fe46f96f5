// The Prometheus text exposition format: see wsbench/prometheus.hpp.
#include "wsbench/prometheus.hpp"

#include <cmath>
#include <cstdio>

namespace wsb {
namespace {

bool name_char(char c, bool first, bool colon) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (letter || (colon && c == ':')) return true;
    return !first && c >= '0' && c <= '9';
}

bool valid_name(std::string_view name, bool colon) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (!name_char(name[i], i == 0, colon)) return false;
    }
    return true;
}

}  // namespace

bool valid_metric_name(std::string_view name) noexcept { return valid_name(name, true); }

bool valid_label_name(std::string_view name) noexcept {
    return valid_name(name, false) && name.substr(0, 2) != "__";
}

void PromWriter::family(std::string_view name, Type type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    for (const char c : help) {
        if (c == '\\') {
            out_ += "\\\\";
        } else if (c == '\n') {
            out_ += "\\n";
        } else {
            out_ += c;
        }
    }
    out_ += "\n# TYPE ";
    out_ += name;
    switch (type) {
        case Type::counter:
            out_ += " counter\n";
            break;
        case Type::gauge:
            out_ += " gauge\n";
            break;
        case Type::histogram:
            out_ += " histogram\n";
            break;
        case Type::untyped:
            out_ += " untyped\n";
            break;
    }
}

void PromWriter::labels(std::initializer_list<PromLabel> labels, const PromLabel* extra) {
    if (labels.size() == 0 && extra == nullptr) return;
    out_ += '{';
    bool first = true;
    const auto one = [&](const PromLabel& label) {
        const auto& [name, value] = label;
        if (!first) out_ += ',';
        first = false;
        out_ += name;
        out_ += "=\"";
        for (const char c : value) {
            if (c == '\\') {
                out_ += "\\\\";
            } else if (c == '"') {
                out_ += "\\\"";
            } else if (c == '\n') {
                out_ += "\\n";
            } else {
                out_ += c;
            }
        }
        out_ += '"';
    };
    for (const PromLabel& label : labels) one(label);
    if (extra != nullptr) one(*extra);
    out_ += '}';
}

void PromWriter::sample(std::string_view name, std::initializer_list<PromLabel> l, double value) {
    out_ += name;
    labels(l);
    char buf[40];
    if (std::isnan(value)) {
        out_ += " NaN\n";
        return;
    }
    if (std::isinf(value)) {
        out_ += value > 0 ? " +Inf\n" : " -Inf\n";
        return;
    }
    std::snprintf(buf, sizeof buf, " %.17g\n", value);
    out_ += buf;
}

void PromWriter::sample(std::string_view name, std::initializer_list<PromLabel> l,
                        std::uint64_t value) {
    out_ += name;
    labels(l);
    out_ += ' ';
    out_ += std::to_string(value);
    out_ += '\n';
}

void PromWriter::histogram(std::string_view name, std::initializer_list<PromLabel> l,
                           const PromHistogram& h) {
    const std::string bucket = std::string(name) + "_bucket";
    char bound[32];
    for (std::size_t i = 0; i < h.bounds.size() && i < h.cumulative.size(); ++i) {
        std::snprintf(bound, sizeof bound, "%.6g", h.bounds[i]);
        const PromLabel le{"le", bound};
        out_ += bucket;
        labels(l, &le);
        out_ += ' ';
        out_ += std::to_string(h.cumulative[i]);
        out_ += '\n';
    }
    const PromLabel inf{"le", "+Inf"};
    out_ += bucket;
    labels(l, &inf);
    out_ += ' ';
    out_ += std::to_string(h.count);
    out_ += '\n';
    sample(std::string(name) + "_sum", l, h.sum);
    sample(std::string(name) + "_count", l, h.count);
}

}  // namespace wsb
