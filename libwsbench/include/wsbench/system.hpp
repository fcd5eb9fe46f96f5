// Process-level helpers shared by the tools: the open-file limit and a levelled stderr logger.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsb {

/// What raise_fd_limit() achieved.
struct FdLimit {
    std::uint64_t soft = 0;  ///< the soft limit now in force
    std::uint64_t hard = 0;  ///< the hard limit now in force
    bool enough = false;     ///< soft >= the number asked for
};

/// Raises RLIMIT_NOFILE's soft limit towards `wanted` (up to the hard limit), and the hard
/// limit too when the process may (root). Never lowers a limit.
FdLimit raise_fd_limit(std::uint64_t wanted) noexcept;

/// Log levels: errors and warnings always print; info unless --quiet; debug with -v.
enum class LogLevel : int { error = 0, warn = 1, info = 2, debug = 3, trace = 4 };

/// Sets the most verbose level printed (default info).
void set_log_level(LogLevel level) noexcept;
bool log_enabled(LogLevel level) noexcept;

/// Writes "<tool>: <line>\n" to stderr in one write(2), so lines from threads never interleave.
void log_line(LogLevel level, std::string_view line) noexcept;

/// Sets the prefix of every log line (the tool's name).
void set_log_prefix(std::string prefix);

}  // namespace wsb
