// Whether the tests run under a sanitizer, which slows the tools down several times.
#pragma once

namespace wsb::test {

/// True when this build is instrumented by AddressSanitizer or ThreadSanitizer (the tests and
/// the tools they start are built together, with the same flags), which slows the processes
/// down several times: loads are scaled down accordingly. Decided at compile time, not from
/// ASAN_OPTIONS or TSAN_OPTIONS: scripts/test.sh exports those for every build, the plain one
/// included, whose tests must run the full loads.
constexpr bool under_sanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

/// True under ThreadSanitizer alone, whose shadow memory is several times what the program
/// uses: memory bounds cannot be checked there.
constexpr bool under_thread_sanitizer() {
#if defined(__SANITIZE_THREAD__)
    return true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

}  // namespace wsb::test
