# Third-party dependencies, all from Debian packages (scripts/setup.sh installs them).
# Nothing is downloaded at build time.
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(cxxopts REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(websocketpp REQUIRED)
# Scenario files (YAML) and the matcher of incoming JSON messages (simdjson On-Demand).
find_package(yaml-cpp REQUIRED)
find_package(simdjson REQUIRED)

# Standalone Asio (libasio-dev) is header-only and ships no CMake package.
# ASIO_NO_DEPRECATED must stay undefined: websocketpp 0.8.2 uses the old names.
find_path(WSBENCH_ASIO_INCLUDE_DIR asio.hpp)
if(NOT WSBENCH_ASIO_INCLUDE_DIR)
    message(FATAL_ERROR "standalone Asio not found (install libasio-dev: scripts/setup.sh)")
endif()
add_library(wsb_asio INTERFACE)
target_include_directories(wsb_asio SYSTEM INTERFACE ${WSBENCH_ASIO_INCLUDE_DIR})
# ASIO_DISABLE_STD_ALIGNED_ALLOC: Asio picks aligned_alloc/free or operator new/delete for its
# handler memory by whether libstdc++'s config was seen before <asio.hpp>; a translation unit
# that includes <asio.hpp> first would pair one TU's operator new with another's free (an ODR
# violation ASan reports as alloc-dealloc-mismatch). One choice for every TU.
target_compile_definitions(wsb_asio INTERFACE ASIO_STANDALONE ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_link_libraries(wsb_asio INTERFACE Threads::Threads)

# websocketpp on standalone Asio, its headers as system includes.
add_library(wsb_websocketpp INTERFACE)
target_include_directories(wsb_websocketpp SYSTEM INTERFACE ${WEBSOCKETPP_INCLUDE_DIR})
target_compile_definitions(wsb_websocketpp INTERFACE _WEBSOCKETPP_CPP11_STL_)
target_link_libraries(wsb_websocketpp INTERFACE wsb_asio)

if(WSBENCH_BUILD_TESTS)
    find_package(GTest REQUIRED)
endif()
if(WSBENCH_BUILD_BENCH)
    find_package(benchmark REQUIRED)
endif()
