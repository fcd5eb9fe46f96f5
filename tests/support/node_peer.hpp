// The JavaScript peers of tests/peers/js/ (socket.io, graphql-ws, aedes from npm, installed by
// scripts/setup.sh with npm ci): started with node, waited on until they listen, and stopped
// by closing their stdin, after which they print what they saw as one JSON line.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "process.hpp"

namespace wsb::test {

inline std::string js_peers_dir() { return std::string(WSBENCH_SOURCE_DIR) + "/tests/peers/js"; }

/// Empty when node and the npm package `package` are installed; else what is missing.
inline std::string missing_js_peer(const std::string& package) {
    if (std::system("node --version >/dev/null 2>&1") != 0) {
        return "node is not installed (scripts/setup.sh installs it)";
    }
    if (!std::filesystem::exists(js_peers_dir() + "/node_modules/" + package + "/package.json")) {
        return "the npm package " + package + " is not in tests/peers/js/node_modules (run " +
               "scripts/setup.sh: it runs npm ci there)";
    }
    return {};
}

/// A running JavaScript peer.
class NodePeer {
  public:
    /// Starts `node tests/peers/js/<script> args...` and waits for its listening line.
    NodePeer(const std::string& script, const std::vector<std::string>& args) {
        std::vector<std::string> argv{"/usr/bin/env", "node", js_peers_dir() + "/" + script};
        argv.insert(argv.end(), args.begin(), args.end());
        process = std::make_unique<Process>(argv, Process::Stdin::pipe);
        address = wait_listening(*process);
    }

    /// The announced address with `path`.
    std::string url(const std::string& path = "/") const {
        return address ? address->url(path) : std::string();
    }

    /// Closes its stdin and reads the JSON line of counts it prints before it exits.
    nlohmann::json stop_and_counts() {
        process->close_stdin();
        const auto line = process->wait_for_line("{", std::chrono::seconds(10));
        EXPECT_TRUE(line) << "no counts from the peer; stderr: " << process->stderr_text();
        process->wait(std::chrono::seconds(10));
        return line ? nlohmann::json::parse(*line, nullptr, false) : nlohmann::json();
    }

    std::unique_ptr<Process> process;
    std::optional<ServerAddress> address;
};

}  // namespace wsb::test
