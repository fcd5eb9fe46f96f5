// Tools of bin/ as child processes: start, listening line, run to completion, clean stop.
#include "tool_process.hpp"

namespace wsb::test {

ToolProcess::ToolProcess(std::vector<std::string> argv, const std::vector<std::string>& more)
    : started_(std::chrono::steady_clock::now()) {
    argv.front() = tool_path(argv.front());
    argv.insert(argv.end(), more.begin(), more.end());
    process = std::make_unique<Process>(std::move(argv));
}

bool ToolProcess::wait_listening(std::chrono::milliseconds timeout) {
    address = test::wait_listening(*process, timeout);
    return address.has_value();
}

std::string ToolProcess::url(const std::string& path) const {
    return address ? address->url(path) : "";
}

ToolRun ToolProcess::finish(std::chrono::milliseconds timeout) {
    const auto deadline = started_ + timeout;
    const auto left = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
    };
    ToolRun r;
    if (process->read_stdout_to_eof(left())) r.exit_code = process->wait(left());
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    r.out = process->stdout_text();
    r.err = process->stderr_text();
    return r;
}

::testing::AssertionResult ToolProcess::stops_cleanly(int sig, std::chrono::milliseconds timeout) {
    process->signal(sig);
    const auto rc = process->wait(timeout);
    if (rc == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "exit " << (rc ? std::to_string(*rc) : "none") << "; stderr:\n"
           << process->stderr_text();
}

ToolRun run_tool(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
    return ToolProcess(std::move(argv)).finish(timeout);
}

}  // namespace wsb::test
