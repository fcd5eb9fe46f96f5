// A whole run of wsbench-conformance against one server: the cases selected, the target
// probed, the cases run, the summary printed and the reports written.
#pragma once

#include <atomic>
#include <ostream>

#include "conformance/config.hpp"
#include "wsbench/exit_code.hpp"

namespace wsb::conformance {

/// Runs the suite `config` selects and prints its summary on `out` (progress and errors go
/// to the log on stderr). Setting `interrupt` stops the run; the reports are then partial.
/// Returns ok when every case passed, check_failed when one did not (or the run was
/// interrupted), usage when no case is selected, cannot_run when the target is unreachable or
/// the reports cannot be written.
ExitCode run_suite(const Config& config, const std::atomic<bool>& interrupt, std::ostream& out);

}  // namespace wsb::conformance
