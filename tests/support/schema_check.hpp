// Validates report JSON against reports/*.schema.json with scripts/check-schema.py (python3 and
// jsonschema), the checker every schema test uses; tests skip when it is not installed.
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

inline bool schema_checker_available() {
    static const bool available =
        std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
    return available;
}

struct SchemaCheck {
    int status = -1;     ///< the checker's exit code: 0 every document is valid
    std::string output;  ///< what it printed
};

/// Checks every document against reports/`schema_file` with one run of the checker.
inline SchemaCheck check_schema(const std::string& schema_file,
                                const std::vector<nlohmann::json>& docs) {
    const std::string source = WSBENCH_SOURCE_DIR;
    std::string command = "python3 '" + source + "/scripts/check-schema.py' '" + source +
                          "/reports/" + schema_file + "'";
    std::vector<std::string> paths;
    for (const nlohmann::json& doc : docs) {
        std::string path = ::testing::TempDir() + "wsbench-schema-check-XXXXXX";
        const int fd = ::mkstemp(path.data());
        if (fd < 0) return {};
        ::close(fd);
        std::ofstream(path) << doc.dump(2) << "\n";
        command += " '" + path + "'";
        paths.push_back(path);
    }
    const std::string log =
        ::testing::TempDir() + "wsbench-schema-check-" + std::to_string(::getpid()) + ".log";
    const int status = std::system((command + " >'" + log + "' 2>&1").c_str());
    SchemaCheck result;
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(log);
    std::ostringstream s;
    s << in.rdbuf();
    result.output = s.str();
    for (const std::string& path : paths) ::unlink(path.c_str());
    ::unlink(log.c_str());
    return result;
}

}  // namespace wsb::test
