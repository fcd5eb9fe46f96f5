// eventually(): the one polling loop of the tests.
#include "eventually.hpp"

#include <algorithm>
#include <thread>

namespace wsb::test {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
        if (condition()) return true;
        const auto now = Clock::now();
        if (now >= deadline) return false;
        // Never sleep past the deadline: the last look is at the deadline itself.
        std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
}

}  // namespace wsb::test
