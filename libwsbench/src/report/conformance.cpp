// Conformance verdicts (words, pass and fail rules, case order) and the conformance report model.
#include "wsbench/report/conformance.hpp"

#include <algorithm>
#include <cmath>

#include "json_fields.hpp"

namespace wsb::report {

using json = nlohmann::json;

const char* to_string(Behavior b) noexcept {
    switch (b) {
        case Behavior::ok:
            return "OK";
        case Behavior::non_strict:
            return "NON-STRICT";
        case Behavior::informational:
            return "INFORMATIONAL";
        case Behavior::unimplemented:
            return "UNIMPLEMENTED";
        case Behavior::failed:
            return "FAILED";
    }
    return "FAILED";
}

const char* to_string(CloseBehavior b) noexcept {
    switch (b) {
        case CloseBehavior::ok:
            return "OK";
        case CloseBehavior::failed:
            return "FAILED";
        case CloseBehavior::wrong_code:
            return "WRONG CODE";
        case CloseBehavior::unclean:
            return "UNCLEAN";
        case CloseBehavior::failed_by_client:
            return "FAILED BY CLIENT";
        case CloseBehavior::informational:
            return "INFORMATIONAL";
    }
    return "FAILED";
}

std::optional<Behavior> behavior_from_string(std::string_view word) noexcept {
    for (Behavior b : kBehaviors) {
        if (word == to_string(b)) return b;
    }
    return std::nullopt;
}

std::optional<CloseBehavior> close_behavior_from_string(std::string_view word) noexcept {
    for (CloseBehavior b : kCloseBehaviors) {
        if (word == to_string(b)) return b;
    }
    return std::nullopt;
}

namespace {
bool close_ok(CloseBehavior c) noexcept {
    return c == CloseBehavior::ok || c == CloseBehavior::informational;
}
}  // namespace

bool fails(Behavior behavior, CloseBehavior close, bool strict) noexcept {
    if (behavior == Behavior::failed) return true;
    if (strict && behavior == Behavior::non_strict) return true;
    return !close_ok(close);
}

bool passes(Behavior behavior, CloseBehavior close, bool strict) noexcept {
    const bool message_ok = behavior == Behavior::ok || behavior == Behavior::informational ||
                            (behavior == Behavior::non_strict && !strict);
    return message_ok && close_ok(close);
}

bool passes(std::string_view behavior, std::string_view close, bool strict) noexcept {
    const auto b = behavior_from_string(behavior);
    const auto c = close_behavior_from_string(close);
    return b && c && passes(*b, *c, strict);
}

bool case_id_less(const std::string& a, const std::string& b) {
    auto numeric = [](const std::string& part) {
        return !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    };
    auto without_zeros = [](const std::string& part) {
        const std::size_t first = part.find_first_not_of('0');
        return first == std::string::npos ? std::string("0") : part.substr(first);
    };
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() && j < b.size()) {
        const std::size_t ie = std::min(a.find('.', i), a.size());
        const std::size_t je = std::min(b.find('.', j), b.size());
        const std::string pa = a.substr(i, ie - i);
        const std::string pb = b.substr(j, je - j);
        const bool na = numeric(pa);
        const bool nb = numeric(pb);
        if (na != nb) return na;  // numbers before letters
        if (na) {
            // As numbers, of any length: by digit count, then digit by digit.
            const std::string xa = without_zeros(pa);
            const std::string xb = without_zeros(pb);
            if (xa.size() != xb.size()) return xa.size() < xb.size();
            if (xa != xb) return xa < xb;
        } else if (pa != pb) {
            return pa < pb;
        }
        i = ie + 1;
        j = je + 1;
    }
    return i >= a.size() && j < b.size();  // a is a prefix of b
}

// ------------------------------------------------------------------------------ the report

std::uint64_t ConformanceReport::ran() const {
    return static_cast<std::uint64_t>(
        std::count_if(cases.begin(), cases.end(), [](const ConformanceCase& c) { return c.ran; }));
}

std::map<std::string, std::uint64_t> behavior_counts(const std::vector<ConformanceCase>& cases) {
    std::map<std::string, std::uint64_t> counts;
    for (Behavior b : kBehaviors) counts[to_string(b)] = 0;
    for (const ConformanceCase& c : cases) {
        if (c.ran) ++counts[c.behavior];
    }
    return counts;
}

std::map<std::string, std::uint64_t> close_behavior_counts(
    const std::vector<ConformanceCase>& cases) {
    std::map<std::string, std::uint64_t> counts;
    for (CloseBehavior b : kCloseBehaviors) counts[to_string(b)] = 0;
    for (const ConformanceCase& c : cases) {
        if (c.ran) ++counts[c.behavior_close];
    }
    return counts;
}

void to_json(json& j, const ConformanceCase& c) {
    j = c.details.is_object() ? c.details : json::object();
    j["id"] = c.id;
    j["ran"] = c.ran;
    j["behavior"] = c.behavior;
    j["behaviorClose"] = c.behavior_close;
    j["duration"] = c.duration_ms ? json(std::llround(*c.duration_ms)) : json(nullptr);
    j["remoteCloseCode"] = c.remote_close_code ? json(*c.remote_close_code) : json(nullptr);
}

namespace {
std::string required_text(const json& j, const std::string& at, const char* key) {
    const json* v = fields::find(j, key);
    if (!v || !v->is_string()) fields::fail(at + "." + key, "expected a string");
    return v->get<std::string>();
}
}  // namespace

void from_json(const json& j, ConformanceCase& c) {
    const std::string at = "$.case";
    if (!j.is_object()) fields::fail(at, "expected an object");
    c = ConformanceCase{};
    c.id = required_text(j, at, "id");
    c.behavior = required_text(j, at, "behavior");
    c.behavior_close = required_text(j, at, "behaviorClose");
    if (const json* ran = fields::find(j, "ran"); ran && ran->is_boolean())
        c.ran = ran->get<bool>();
    if (const auto d = j.find("duration"); d != j.end() && !d->is_null()) {
        if (!d->is_number()) fields::fail(at + ".duration", "expected a number");
        c.duration_ms = d->get<double>();
    }
    if (const auto code = j.find("remoteCloseCode"); code != j.end() && !code->is_null()) {
        if (!code->is_number_integer()) {
            fields::fail(at + ".remoteCloseCode", "expected an integer or null");
        }
        c.remote_close_code = code->get<std::int64_t>();
    }
    c.details = j;
    for (const char* key :
         {"id", "ran", "behavior", "behaviorClose", "duration", "remoteCloseCode"})
        c.details.erase(key);
}

void to_json(json& j, const ConformanceReport& r) {
    j = json::object();
    to_json(j, r.envelope);
    j["config"] = r.config;
    j["agent"] = r.agent;
    j["started"] = r.started;
    j["duration_ms"] = r.duration_ms;
    const std::uint64_t ran = r.ran();
    j["summary"] = {{"selected", r.selected},
                    {"ran", ran},
                    {"failed", r.failed},
                    {"passed", ran - std::min(ran, r.failed)},
                    {"behavior", behavior_counts(r.cases)},
                    {"behaviorClose", close_behavior_counts(r.cases)},
                    {"exit_code", r.exit_code}};
    j["cases"] = r.cases;
}

void from_json(const json& j, ConformanceReport& r) {
    using namespace fields;
    r = ConformanceReport{};
    if (!j.is_object()) fail("$", "expected an object");
    r.agent = required_text(j, "$", "agent");
    const json* cases = find(j, "cases");
    if (!cases || !cases->is_array()) fail("$.cases", "expected an array");
    for (std::size_t i = 0; i < cases->size(); ++i) {
        try {
            r.cases.push_back((*cases)[i].get<ConformanceCase>());
        } catch (const FormatError& e) {
            // "$.case.id: ..." -> "$.cases[3].id: ..."
            throw FormatError("$.cases[" + std::to_string(i) + "]" +
                              std::string(e.what()).substr(std::string("$.case").size()));
        }
    }
    if (find(j, "schema") && find(j, "created") && find(j, "host") && find(j, "target") &&
        find(j, "interrupted")) {
        from_json(j, r.envelope);
    }
    if (const json* config = find(j, "config"); config && config->is_object()) r.config = *config;
    if (const json* started = find(j, "started"); started && started->is_string()) {
        r.started = started->get<std::string>();
    }
    if (const json* d = find(j, "duration_ms"); d && d->is_number_integer()) {
        r.duration_ms = d->get<std::int64_t>();
    }
    if (const json* s = find(j, "summary"); s && s->is_object()) {
        if (const json* v = find(*s, "selected")) r.selected = u64(*v, "$.summary.selected");
        if (const json* v = find(*s, "failed")) r.failed = u64(*v, "$.summary.failed");
        if (const json* v = find(*s, "exit_code"); v && v->is_number_integer()) {
            r.exit_code = v->get<int>();
        }
    }
}

}  // namespace wsb::report
