// Parsing and formatting of counts, sizes, durations and rates for the command line and tables.
#include "wsbench/units.hpp"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <numeric>

namespace wsb {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// Letters of a suffix, counting non-ASCII bytes so "µs" and other unit-like words are
// reported as unknown suffixes rather than malformed input.
constexpr bool is_suffix_char(char c) noexcept {
    return is_alpha(c) || static_cast<unsigned char>(c) >= 0x80;
}

// A decimal number as written: integer digits, fraction digits (either may be empty).
struct Number {
    std::string_view integer;
    std::string_view fraction;
};

// Reads a number at the start of `s`; returns the characters used, 0 when there is none
// (also for "1." and ".", which have a point without digits after it).
std::size_t read_number(std::string_view s, Number& n) noexcept {
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) ++i;
    n.integer = s.substr(0, i);
    n.fraction = {};
    if (i < s.size() && s[i] == '.') {
        std::size_t j = i + 1;
        while (j < s.size() && is_digit(s[j])) ++j;
        if (j == i + 1) return 0;
        n.fraction = s.substr(i + 1, j - i - 1);
        i = j;
    }
    return (n.integer.empty() && n.fraction.empty()) ? 0 : i;
}

// The suffix after a number: one optional space is allowed before it ("1.5 KiB").
std::string_view suffix_after(std::string_view s) noexcept {
    if (s.size() > 1 && s.front() == ' ') s.remove_prefix(1);
    return s;
}

// The error for a suffix no table knows: letters are an unknown unit, anything else is junk.
Errc unknown_suffix(std::string_view suffix) noexcept {
    for (const char c : suffix) {
        if (!is_suffix_char(c)) return Errc::unit_malformed;
    }
    return Errc::unit_bad_suffix;
}

// n * mult exactly, when that is a whole number: the fraction f/10^d times mult is whole
// exactly when 10^d / gcd(mult, 10^d) divides f.
Errc scale_exact(const Number& n, std::uint64_t mult, std::uint64_t& out) noexcept {
    std::uint64_t whole = 0;
    for (const char c : n.integer) {
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (whole > (kMax - d) / 10) return Errc::unit_out_of_range;
        whole = whole * 10 + d;
    }
    std::string_view frac = n.fraction;
    while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
    if (frac.size() > 19) return Errc::unit_malformed;  // finer than any unit we have
    std::uint64_t f = 0;
    std::uint64_t p = 1;
    for (const char c : frac) {
        f = f * 10 + static_cast<std::uint64_t>(c - '0');
        p *= 10;
    }
    const std::uint64_t g = std::gcd(mult, p);
    const std::uint64_t den = p / g;
    if (f % den != 0) return Errc::unit_malformed;
    std::uint64_t frac_part = 0;
    std::uint64_t total = 0;
    if (__builtin_mul_overflow(f / den, mult / g, &frac_part) ||
        __builtin_mul_overflow(whole, mult, &total) ||
        __builtin_add_overflow(total, frac_part, &total)) {
        return Errc::unit_out_of_range;
    }
    out = total;
    return Errc::ok;
}

double to_double(const Number& n) noexcept {
    double v = 0;
    for (const char c : n.integer) v = v * 10 + (c - '0');
    double scale = 0.1;
    for (const char c : n.fraction) {
        v += (c - '0') * scale;
        scale /= 10;
    }
    return v;
}

struct Suffix {
    std::string_view name;
    std::uint64_t mult;
};

template <std::size_t N>
const Suffix* find_suffix(const Suffix (&table)[N], std::string_view name) noexcept {
    for (const auto& s : table) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

// Parses number + suffix from `table` with an exact, whole result.
template <std::size_t N>
Errc parse_scaled(std::string_view text, const Suffix (&table)[N], std::uint64_t& out) noexcept {
    Number n;
    const std::size_t used = read_number(text, n);
    if (used == 0) return Errc::unit_malformed;
    const auto suffix = suffix_after(text.substr(used));
    const Suffix* s = find_suffix(table, suffix);
    if (s == nullptr) return unknown_suffix(suffix);
    return scale_exact(n, s->mult, out);
}

constexpr Suffix kCountSuffixes[] = {
    {"", 1}, {"k", 1000}, {"K", 1000}, {"M", 1000000}, {"G", 1000000000}, {"T", 1000000000000},
};

constexpr std::uint64_t kKiB = 1024;
constexpr Suffix kSizeSuffixes[] = {
    {"", 1},
    {"B", 1},
    {"k", 1000},
    {"K", 1000},
    {"kB", 1000},
    {"KB", 1000},
    {"M", 1000000},
    {"MB", 1000000},
    {"G", 1000000000},
    {"GB", 1000000000},
    {"T", 1000000000000},
    {"TB", 1000000000000},
    {"KiB", kKiB},
    {"MiB", kKiB* kKiB},
    {"GiB", kKiB* kKiB* kKiB},
    {"TiB", kKiB* kKiB* kKiB* kKiB},
};

// Units of time in nanoseconds; "\u00b5s" is the micro sign, "\u03bcs" the Greek mu.
constexpr Suffix kTimeUnits[] = {
    {"ns", 1},       {"us", 1000},      {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
    {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000},  {"h", 3600000000000},
};

constexpr std::size_t suffix_length(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size() && is_suffix_char(s[i])) ++i;
    return i;
}

std::string number_with_unit(const char* fmt, double v, const char* unit) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), fmt, v, unit);
    return buf;
}

}  // namespace

Errc parse_count(std::string_view text, std::uint64_t& out) {
    return parse_scaled(text, kCountSuffixes, out);
}

Errc parse_size(std::string_view text, std::uint64_t& out) {
    return parse_scaled(text, kSizeSuffixes, out);
}

Errc parse_duration(std::string_view text, std::chrono::nanoseconds& out) {
    constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    Number n;
    std::size_t used = read_number(text, n);
    if (used == 0) return Errc::unit_malformed;
    if (used == text.size()) {  // a bare number means seconds
        std::uint64_t ns = 0;
        if (const Errc e = scale_exact(n, 1000000000, ns); e != Errc::ok) return e;
        if (ns > kLimit) return Errc::unit_out_of_range;
        out = std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
        return Errc::ok;
    }

    std::uint64_t total = 0;
    std::uint64_t previous_unit = kMax;
    std::string_view rest = text;
    bool first = true;
    while (!rest.empty()) {
        used = read_number(rest, n);
        if (used == 0) return Errc::unit_malformed;
        rest.remove_prefix(used);
        if (first && rest.size() > 1 && rest.front() == ' ') rest.remove_prefix(1);  // "1.5 s"
        const std::size_t len = suffix_length(rest);
        if (len == 0) return Errc::unit_malformed;  // "1m30": every component needs a unit
        const Suffix* unit = find_suffix(kTimeUnits, rest.substr(0, len));
        if (unit == nullptr) {
            return first && len == rest.size() ? Errc::unit_bad_suffix : unknown_suffix(rest);
        }
        if (unit->mult >= previous_unit) return Errc::unit_malformed;  // "30s1m", "1s2s"
        previous_unit = unit->mult;
        rest.remove_prefix(len);
        std::uint64_t ns = 0;
        if (const Errc e = scale_exact(n, unit->mult, ns); e != Errc::ok) return e;
        if (__builtin_add_overflow(total, ns, &total) || total > kLimit) {
            return Errc::unit_out_of_range;
        }
        first = false;
    }
    out = std::chrono::nanoseconds(static_cast<std::int64_t>(total));
    return Errc::ok;
}

Errc parse_rate(std::string_view text, double& out) {
    const auto slash = text.find('/');
    const std::string_view count = text.substr(0, slash);
    Number n;
    const std::size_t used = read_number(count, n);
    if (used == 0) return Errc::unit_malformed;
    const auto suffix = suffix_after(count.substr(used));
    const Suffix* s = find_suffix(kCountSuffixes, suffix);
    if (s == nullptr) return unknown_suffix(suffix);
    const double events = to_double(n) * static_cast<double>(s->mult);

    double seconds = 1.0;
    if (slash != std::string_view::npos) {
        const std::string_view period = text.substr(slash + 1);
        if (period.empty()) return Errc::unit_malformed;
        std::chrono::nanoseconds ns{};
        if (is_suffix_char(period.front())) {  // "/s": one unit
            const Suffix* unit = find_suffix(kTimeUnits, period);
            if (unit == nullptr) return unknown_suffix(period);
            ns = std::chrono::nanoseconds(static_cast<std::int64_t>(unit->mult));
        } else if (const Errc e = parse_duration(period, ns); e != Errc::ok) {
            return e;
        }
        if (ns.count() == 0) return Errc::unit_out_of_range;
        seconds = static_cast<double>(ns.count()) / 1e9;
    }
    const double rate = events / seconds;
    if (!std::isfinite(rate)) return Errc::unit_out_of_range;
    out = rate;
    return Errc::ok;
}

// The formatters move to the next unit when rounding would print 1000.0 (or 1024.0, 60.00):
// 999950 is "1.0M", not "1000.0k".

std::string format_count(std::uint64_t n) {
    if (n < 1000) return std::to_string(n);
    static constexpr const char* kUnits[] = {"k", "M", "G", "T", "P", "E"};
    double v = static_cast<double>(n);
    for (const char* unit : kUnits) {
        v /= 1000;
        if (v < 999.95 || unit == kUnits[5]) return number_with_unit("%.1f%s", v, unit);
    }
    return {};  // unreachable
}

std::string format_size(std::uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = static_cast<double>(bytes);
    for (const char* unit : kUnits) {
        v /= 1024;
        if (v < 1023.95 || unit == kUnits[5]) return number_with_unit("%.1f %s", v, unit);
    }
    return {};  // unreachable
}

std::string format_duration_us(double us) {
    if (std::isnan(us)) return "nan";
    const char* sign = us < 0 ? "-" : "";
    const double a = std::fabs(us);
    std::string out;
    if (a < 999.995) {
        out = number_with_unit("%.2f %s", a, "us");
    } else if (a / 1e3 < 999.995) {
        out = number_with_unit("%.2f %s", a / 1e3, "ms");
    } else if (a / 1e6 < 59.995) {
        out = number_with_unit("%.2f %s", a / 1e6, "s");
    } else if (a / 6e7 < 59.995) {
        out = number_with_unit("%.2f %s", a / 6e7, "m");
    } else {
        out = number_with_unit("%.2f %s", a / 3.6e9, "h");
    }
    return sign + out;
}

std::string format_rate(double per_second) {
    if (!(std::fabs(per_second) >= 999.95)) return number_with_unit("%.1f%s", per_second, "/s");
    static constexpr const char* kUnits[] = {"k/s", "M/s", "G/s", "T/s"};
    double v = per_second;
    for (const char* unit : kUnits) {
        v /= 1000;
        if (std::fabs(v) < 999.95 || unit == kUnits[3]) return number_with_unit("%.1f%s", v, unit);
    }
    return {};  // unreachable
}

std::string printf_string(const char* format, ...) {
    char buf[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    return buf;
}

}  // namespace wsb
