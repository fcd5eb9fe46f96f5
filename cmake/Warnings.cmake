# Project-wide warning flags; -Werror in CI (environment variable CI set) or with WSBENCH_WERROR.
add_library(wsb_warnings INTERFACE)
target_compile_options(wsb_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(WSBENCH_WERROR OR DEFINED ENV{CI})
    message(STATUS "wsbench: warnings are errors")
    target_compile_options(wsb_warnings INTERFACE -Werror)
endif()
