// Whether the tests run under a sanitizer, which slows the tools down several times.
#pragma once

#include <cstdlib>

namespace wsb::test {

/// True when the tests run under a sanitizer (scripts/test.sh sets these), which slows the
/// processes down several times: loads are scaled down accordingly.
inline bool under_sanitizer() {
    return std::getenv("TSAN_OPTIONS") != nullptr || std::getenv("ASAN_OPTIONS") != nullptr;
}

}  // namespace wsb::test
