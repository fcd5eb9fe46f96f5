# WSBENCH_FUZZ: build the whole project instrumented for libFuzzer, plus the fuzz targets in
# tests/fuzz. Clang only (GCC has no libFuzzer); Debian 12 needs clang and libclang-rt-14-dev.
#
# Every translation unit gets -fsanitize=fuzzer-no-link (coverage feedback from the library
# code the targets call) and the sanitizers of WSBENCH_SANITIZE, which defaults to
# address,undefined here; only the targets link -fsanitize=fuzzer (libFuzzer's main).
if(WSBENCH_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "WSBENCH_FUZZ needs clang (CC=clang CXX=clang++), "
                            "not ${CMAKE_CXX_COMPILER_ID}")
    endif()
    if(NOT WSBENCH_BUILD_TESTS)
        message(FATAL_ERROR "WSBENCH_FUZZ needs WSBENCH_BUILD_TESTS=ON "
                            "(the targets live in tests/)")
    endif()
    if(NOT WSBENCH_SANITIZE)
        # A normal variable shadows the empty cache entry for Sanitizers.cmake.
        set(WSBENCH_SANITIZE "address,undefined")
    endif()
    if(WSBENCH_SANITIZE MATCHES "thread")
        message(FATAL_ERROR "WSBENCH_FUZZ: libFuzzer does not run under ThreadSanitizer "
                            "(WSBENCH_SANITIZE=${WSBENCH_SANITIZE})")
    endif()
    message(STATUS "wsbench: libFuzzer instrumentation (fuzzer-no-link)")
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()
