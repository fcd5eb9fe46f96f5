// The shared command-line convention (wsbench/cli.hpp).
#include "wsbench/cli.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "wsbench/report.hpp"
#include "wsbench/units.hpp"

namespace wsb::cli {

std::string quoted(std::string_view flag, std::string_view value) {
    std::string q(flag);
    q += " '";
    q += value;
    q += '\'';
    return q;
}

std::string one_line(std::string_view message) {
    static const char hex[] = "0123456789abcdef";
    std::string q;
    q.reserve(message.size());
    for (char ch : message) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\r') {
            q += "\\r";
        } else if (c == '\n') {
            q += "\\n";
        } else if (c < 0x20 || c == 0x7F) {
            q += "\\x";
            q += hex[c >> 4];
            q += hex[c & 15];
        } else {
            q += ch;
        }
    }
    return q;
}

namespace {

// The long name of short option `letter` among `options`, or "" when it has none.
std::string long_name_of(const cxxopts::Options& options, const std::string& letter) {
    for (const std::string& group : options.groups()) {
        for (const cxxopts::HelpOptionDetails& o : options.group_help(group).options) {
            if (o.s != letter) continue;
            for (const std::string& name : o.l) {
                if (name.size() > 1) return name;
            }
        }
    }
    return "";
}

}  // namespace

std::string cxxopts_message(const cxxopts::Options& options, std::string what) {
    for (const std::string_view curly : {"\u2018", "\u2019"}) {
        for (std::size_t at = what.find(curly); at != std::string::npos; at = what.find(curly, at))
            what.replace(at, curly.size(), "'");
    }
    const std::string prefix = "Option '";
    if (what.rfind(prefix, 0) != 0) return what;
    const std::size_t close = what.find('\'', prefix.size());
    if (close == std::string::npos) return what;
    const std::string name = what.substr(prefix.size(), close - prefix.size());
    std::string flag = "--" + name;
    if (name.size() == 1) {
        flag = "-" + name;
        if (const std::string l = long_name_of(options, name); !l.empty()) flag += "/--" + l;
    }
    return "option " + flag + what.substr(close + 1);
}

std::vector<std::string> Values::all(const std::string& name) const {
    std::vector<std::string> values;
    for (const auto& kv : r_.arguments()) {
        if (kv.key() == name) values.push_back(kv.value());
    }
    return values;
}

std::uint64_t Values::count(const std::string& name, const char* example) const {
    std::uint64_t v = 0;
    const std::string t = text(name);
    if (parse_count(t, v) != Errc::ok) {
        throw UsageError{quoted("--" + name, t) + ": expected a count such as " + example};
    }
    return v;
}

std::uint64_t Values::size(const std::string& name) const {
    std::uint64_t v = 0;
    const std::string t = text(name);
    if (parse_size(t, v) != Errc::ok) {
        throw UsageError{quoted("--" + name, t) +
                         ": expected a size such as 65536, 64KiB or 16MiB"};
    }
    return v;
}

std::chrono::nanoseconds Values::duration(const std::string& name) const {
    std::chrono::nanoseconds v{};
    const std::string t = text(name);
    if (parse_duration(t, v) != Errc::ok || v.count() < 0) {
        throw UsageError{quoted("--" + name, t) +
                         ": expected a duration such as 500ms, 10s or 1m30s"};
    }
    return v;
}

double Values::rate(const std::string& name) const {
    double v = 0;
    const std::string t = text(name);
    if (parse_rate(t, v) != Errc::ok) {
        throw UsageError{quoted("--" + name, t) +
                         ": expected a rate such as 5000, 5k, 5k/s or 300/m"};
    }
    return v;
}

std::uint64_t Values::whole(const std::string& name) const {
    std::uint64_t v = 0;
    const std::string t = text(name);
    const char* end = t.data() + t.size();
    const auto [ptr, ec] = std::from_chars(t.data(), end, v);
    if (t.empty() || ec != std::errc() || ptr != end) {
        throw UsageError{quoted("--" + name, t) + ": expected a whole number"};
    }
    return v;
}

double Values::number(const std::string& name) const {
    const std::string t = text(name);
    const bool plain = !t.empty() && t.find_first_not_of("0123456789.") == std::string::npos;
    char* end = nullptr;
    const double v = plain ? std::strtod(t.c_str(), &end) : 0;
    if (!plain || end != t.c_str() + t.size() || !std::isfinite(v)) {
        throw UsageError{quoted("--" + name, t) + ": expected a number such as 1, 0.5 or 2.5"};
    }
    return v;
}

void print_version(std::ostream& out, std::string_view tool) {
    out << tool << ' ' << version() << '\n';
}

ExitCode parse(cxxopts::Options& options, int argc, const char* const* argv, std::ostream& err,
               const std::function<void(const cxxopts::ParseResult&)>& read) {
    std::string message;
    try {
        read(options.parse(argc, argv));
        return ExitCode::ok;
    } catch (const UsageError& e) {
        message = e.message;
    } catch (const cxxopts::exceptions::exception& e) {
        message = cxxopts_message(options, e.what());
    }
    err << options.program() << ": " << one_line(message) << " (see --help)\n";
    return ExitCode::usage;
}

}  // namespace wsb::cli
