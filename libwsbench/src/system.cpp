// The open-file limit and the stderr logger.
#include "wsbench/system.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>

namespace wsb {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
std::string g_prefix = "wsbench";
}  // namespace

FdLimit raise_fd_limit(std::uint64_t wanted) noexcept {
    FdLimit result;
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return result;
    if (lim.rlim_cur < wanted) {
        rlimit next = lim;
        if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < wanted) {
            // Only a privileged process may raise the hard limit; try, and fall back.
            next.rlim_max = wanted;
            next.rlim_cur = wanted;
            if (setrlimit(RLIMIT_NOFILE, &next) != 0) {
                next.rlim_max = lim.rlim_max;
                next.rlim_cur = lim.rlim_max;
                setrlimit(RLIMIT_NOFILE, &next);
            }
        } else {
            next.rlim_cur = wanted;
            setrlimit(RLIMIT_NOFILE, &next);
        }
        getrlimit(RLIMIT_NOFILE, &lim);
    }
    result.soft = lim.rlim_cur;
    result.hard = lim.rlim_max;
    result.enough = lim.rlim_cur >= wanted;
    return result;
}

void set_log_level(LogLevel level) noexcept { g_level.store(static_cast<int>(level)); }

bool log_enabled(LogLevel level) noexcept { return static_cast<int>(level) <= g_level.load(); }

void set_log_prefix(std::string prefix) { g_prefix = std::move(prefix); }

void log_line(LogLevel level, std::string_view line) noexcept {
    if (!log_enabled(level)) return;
    std::string out;
    try {
        out.reserve(g_prefix.size() + line.size() + 16);
        out += g_prefix;
        out += ": ";
        if (level == LogLevel::error) out += "error: ";
        if (level == LogLevel::warn) out += "warning: ";
        out += line;
        out += '\n';
    } catch (...) {
        return;
    }
    const char* p = out.data();
    std::size_t left = out.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n <= 0) return;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace wsb
