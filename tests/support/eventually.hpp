// Waiting on state that offers nothing to wait on (a counter in /stats, a file being written):
// poll it with a short back-off until it holds or a deadline passes.
#pragma once

#include <chrono>
#include <functional>

namespace wsb::test {

/// Polls `condition` (at once, then after 1, 2, 4 ... up to 20 ms) until it holds or
/// `timeout` passes; true when it held.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace wsb::test
