// A scratch directory for a test: made fresh under /tmp, removed with its contents at the end.
#pragma once

#include <filesystem>
#include <string>

namespace wsb::test {

/// A fresh directory /tmp/wsbench-test-<label>-XXXXXX, removed with its contents on destruction.
class ScratchDir {
  public:
    /// `label` names the directory for whoever looks at /tmp during a run; throws
    /// std::runtime_error when the directory cannot be made.
    explicit ScratchDir(const std::string& label = "");
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::string& path() const { return path_; }
    /// A path inside the directory.
    std::filesystem::path operator/(const std::string& name) const {
        return std::filesystem::path(path_) / name;
    }

  private:
    std::string path_;
};

}  // namespace wsb::test
