// Scratch directories for tests (mkdtemp, and remove_all at the end).
#include "scratch_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace wsb::test {

ScratchDir::ScratchDir(const std::string& label) {
    std::string tmpl = "/tmp/wsbench-test-" + (label.empty() ? "" : label + "-") + "XXXXXX";
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp " + tmpl + " failed");
    path_ = tmpl;
}

ScratchDir::~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace wsb::test
