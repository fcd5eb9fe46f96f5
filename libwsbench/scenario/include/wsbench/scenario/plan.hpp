// The plan of a compiled scenario as text: what wsbench-loadgen --check-scenario prints.
#pragma once

#include <string>

#include "wsbench/scenario/model.hpp"

namespace wsb::scenario {

/// A human description of `s`: settings, phases (with the sessions an open phase starts),
/// every step with its line (loop bodies indented), listen rules, the heartbeat, and the
/// report's step names. Templates are shown as written (env values are not printed).
std::string describe_plan(const Scenario& s);

}  // namespace wsb::scenario
