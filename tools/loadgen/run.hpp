// The coordinator of a run: resolves the target, starts one worker per thread, opens the
// measured window once every connection settled, prints progress and merges the results.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "loadgen/config.hpp"
#include "loadgen/result.hpp"
#include "wsbench/exit_code.hpp"

namespace wsb::loadgen {

/// Whether `connections` to one target fit the local ports of the source addresses (0 means
/// the default one): `fatal` when they cannot, `warning` past half of them (see run.cpp).
struct PortSpace {
    std::string fatal;
    std::string warning;
};
PortSpace check_port_space(std::uint64_t connections, std::size_t source_addresses,
                           std::uint64_t ports_per_source);

/// Runs the load described by `config`. Progress lines go to `progress` once a second
/// unless config.quiet. Setting `interrupt` (from a signal handler) stops the run within a
/// second: connections close with 1001 and the result is marked interrupted.
/// Never throws; what stopped a run early is in RunResult::fatal.
RunResult run_load(const Config& config, const std::atomic<bool>& interrupt,
                   std::ostream& progress);

/// The outcome of a finished run: cannot_run when it could not run (fatal before any
/// connection opened, or none could be opened), check_failed when an SLO was breached or every
/// connection was lost before the end, ok otherwise.
ExitCode exit_code_for(const RunResult& result, bool slo_breached);

}  // namespace wsb::loadgen
