// wsbench-client against a server it was not written with: python3-websockets' asyncio server
// (tests/peers/python_websockets_server.py, Debian's python3-websockets, which setup.sh
// installs): text both ways in UTF-8, a subprotocol chosen, a server ping answered, and the
// server's close code and reason reported with exit 1.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "process.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;

class ClientPeers : public ::testing::Test {
  protected:
    void SetUp() override {
        if (std::system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") != 0) {
            GTEST_SKIP() << "python3-websockets is not installed (scripts/setup.sh installs it)";
        }
        server_ = std::make_unique<Process>(std::vector<std::string>{
            "/usr/bin/python3",
            std::string(WSBENCH_SOURCE_DIR) + "/tests/peers/python_websockets_server.py"});
        const auto address = wait_listening(*server_, 20s);
        ASSERT_TRUE(address);
        url_ = address->url("/");
    }

    // Runs the client with `args` (stdin /dev/null) to completion.
    std::pair<std::optional<int>, std::pair<std::string, std::string>> client(
        const std::string& args) {
        Process p(
            {"/bin/sh", "-c",
             "exec '" + tool_path("wsbench-client") + "' " + url_ + " " + args + " </dev/null"});
        EXPECT_TRUE(p.read_stdout_to_eof(20s));
        const auto code = p.wait(20s);
        return {code, {p.stdout_text(), p.stderr_text()}};
    }

    std::unique_ptr<Process> server_;
    std::string url_;
};

TEST_F(ClientPeers, PythonWebsocketsEchoesUtf8AndTheSubprotocolIsChosen) {
    const auto [code, io] = client("--subprotocol chat -v -x '你好，世界' -x 'second' -n 2");
    EXPECT_EQ(code, 0) << io.second;
    EXPECT_EQ(io.first, "你好，世界\nsecond\n");
    EXPECT_NE(io.second.find("< Sec-WebSocket-Protocol: chat"), std::string::npos) << io.second;
    EXPECT_NE(io.second.find("< Server: Python/"), std::string::npos) << io.second;
}

TEST_F(ClientPeers, PythonWebsocketsPingIsAnsweredAndItsCloseCodeReported) {
    const auto [code, io] = client("--show-ping -x 'ping abc' -x 'close 4002 done' -w -1");
    EXPECT_EQ(code, 1) << io.second;    // a close code other than 1000
    EXPECT_EQ(io.first, "ping abc\n");  // echoed after our pong reached the server
    EXPECT_NE(io.second.find("received ping 'abc'"), std::string::npos) << io.second;
    EXPECT_NE(io.second.find("closed by the server: 4002 'done'"), std::string::npos) << io.second;
}

}  // namespace
}  // namespace wsb::test
