// The exit status of every wsbench tool, defined once (docs/design.md, "Exit codes").
#pragma once

namespace wsb {

/// What a tool's process returns. Only `main` turns a run's outcome into one of these; the
/// code below it returns errors.
enum class ExitCode : int {
    ok = 0,            ///< ran, and every check held
    check_failed = 1,  ///< ran, and a check failed: an --slo term, a FAILED case, a regression
    usage = 2,         ///< bad flag, bad value or unreadable input: nothing was run
    cannot_run = 3,    ///< could not run: target unreachable, port in use, output not written
};

/// The process exit status of `code`.
constexpr int exit_status(ExitCode code) noexcept { return static_cast<int>(code); }

}  // namespace wsb
