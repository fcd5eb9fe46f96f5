// The one JSON Schema check of the tests: report JSON against reports/*.schema.json with
// scripts/check-schema.py (python3 and python3-jsonschema, which scripts/setup.sh installs).
// Unit tests skip (GTEST_SKIP, naming why) when the checker is missing; integration tests,
// which check far more than the schema, fail loudly instead (SchemaCheck::status kNoChecker).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace wsb::test {

/// True when python3 can import jsonschema (asked once per process).
inline bool schema_checker_available() {
    static const bool available =
        std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
    return available;
}

struct SchemaCheck {
    static constexpr int kNoChecker = -2;
    int status = -1;     ///< the checker's exit code: 0 every document is valid; kNoChecker
    std::string output;  ///< what it printed, or why it did not run
};

/// Checks the files at `paths` against reports/`schema_file` with one run of the checker.
inline SchemaCheck check_schema_files(const std::string& schema_file,
                                      const std::vector<std::string>& paths) {
    if (!schema_checker_available()) {
        return {
            SchemaCheck::kNoChecker,
            "python3 with jsonschema is missing (scripts/setup.sh installs python3-jsonschema)"};
    }
    const std::string source = WSBENCH_SOURCE_DIR;
    std::string command = "python3 '" + source + "/scripts/check-schema.py' '" + source +
                          "/reports/" + schema_file + "'";
    for (const std::string& path : paths) command += " '" + path + "'";
    const std::string log =
        ::testing::TempDir() + "wsbench-schema-check-" + std::to_string(::getpid()) + ".log";
    const int status = std::system((command + " >'" + log + "' 2>&1").c_str());
    SchemaCheck result;
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(log);
    std::ostringstream s;
    s << in.rdbuf();
    result.output = s.str();
    ::unlink(log.c_str());
    return result;
}

/// Checks every document against reports/`schema_file` with one run of the checker.
inline SchemaCheck check_schema(const std::string& schema_file,
                                const std::vector<nlohmann::json>& docs) {
    std::vector<std::string> paths;
    for (const nlohmann::json& doc : docs) {
        std::string path = ::testing::TempDir() + "wsbench-schema-check-XXXXXX";
        const int fd = ::mkstemp(path.data());
        if (fd < 0) return {-1, "cannot create a temporary file in " + ::testing::TempDir()};
        ::close(fd);
        std::ofstream(path) << doc.dump(2) << "\n";
        paths.push_back(path);
    }
    SchemaCheck result = check_schema_files(schema_file, paths);
    for (const std::string& path : paths) ::unlink(path.c_str());
    return result;
}

}  // namespace wsb::test
