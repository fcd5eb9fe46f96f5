// wsbench-client against servers it was not written with: python3-websockets' asyncio server
// (tests/peers/python_websockets_server.py) and Node's ws (tests/peers/ws_server.js), both from
// Debian packages setup.sh installs: text both ways in UTF-8, binary, a subprotocol chosen, a
// server ping answered, and the server's close code and reason reported with exit 1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>

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
        start({"/usr/bin/python3",
               std::string(WSBENCH_SOURCE_DIR) + "/tests/peers/python_websockets_server.py"});
    }

    void start(std::vector<std::string> argv) {
        server_ = std::make_unique<Process>(std::move(argv));
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

// python3-websockets accepts permessage-deflate by default: compressed both ways.
TEST_F(ClientPeers, PythonWebsocketsNegotiatesDeflateAndEchoesThroughIt) {
    std::string text;
    while (text.size() < 5000) text += "deflate me ";
    const auto [code, io] = client("--deflate -v -x '" + text + "' -x 'été' -n 2");
    EXPECT_EQ(code, 0) << io.second;
    EXPECT_EQ(io.first, text + "\nété\n");
    EXPECT_NE(io.second.find("< Sec-WebSocket-Extensions: permessage-deflate"), std::string::npos)
        << io.second;
}

TEST_F(ClientPeers, PythonWebsocketsPingIsAnsweredAndItsCloseCodeReported) {
    const auto [code, io] = client("--show-ping -x 'ping abc' -x 'close 4002 done' -w -1");
    EXPECT_EQ(code, 1) << io.second;    // a close code other than 1000
    EXPECT_EQ(io.first, "ping abc\n");  // echoed after our pong reached the server
    EXPECT_NE(io.second.find("received ping 'abc'"), std::string::npos) << io.second;
    EXPECT_NE(io.second.find("closed by the server: 4002 'done'"), std::string::npos) << io.second;
}

// Debian's node-ws lives in /usr/share/nodejs, which a node not from Debian does not search.
constexpr const char* kNodePath = "NODE_PATH=/usr/share/nodejs";

class ClientNodeWs : public ClientPeers {
  protected:
    void SetUp() override {
        if (std::system(
                (std::string(kNodePath) + " node -e \"require('ws')\" >/dev/null 2>&1").c_str()) !=
            0) {
            GTEST_SKIP() << "node or Debian's node-ws is missing (scripts/setup.sh installs them)";
        }
        start({"/usr/bin/env", kNodePath, "node",
               std::string(WSBENCH_SOURCE_DIR) + "/tests/peers/ws_server.js"});
    }
};

TEST_F(ClientNodeWs, NodeWsEchoesUtf8AndBinaryAndTheSubprotocolIsChosen) {
    const auto [code, io] =
        client("--subprotocol chat -v -x '你好，世界' -x 'binary AB' -n 2 --binary-as base64");
    EXPECT_EQ(code, 0) << io.second;
    EXPECT_EQ(io.first, "你好，世界\nQUI=\n");
    EXPECT_NE(io.second.find("< Sec-WebSocket-Protocol: chat"), std::string::npos) << io.second;
}

TEST_F(ClientNodeWs, NodeWsPingIsAnsweredAndItsCloseCodeReported) {
    // ws handles each message as it comes: the close would overtake the echo that waits for
    // our pong, so the two are separate runs.
    auto [code, io] = client("--show-ping -x 'ping xyz' -n 1");
    EXPECT_EQ(code, 0) << io.second;
    EXPECT_EQ(io.first, "ping xyz\n");  // echoed after our pong reached the server
    EXPECT_NE(io.second.find("received ping 'xyz'"), std::string::npos) << io.second;
    std::tie(code, io) = client("-x 'close 4003 node bye' -w -1");
    EXPECT_EQ(code, 1) << io.second;
    EXPECT_NE(io.second.find("closed by the server: 4003 'node bye'"), std::string::npos)
        << io.second;
}

// Qt5's QWebSocketServer (tests/peers/qt_ws_server.cpp), built when Qt5 WebSockets is
// installed. Qt 5 cannot select a subprotocol, so that check is Node's and Python's only.
class ClientQt : public ClientPeers {
  protected:
    void SetUp() override {
        const std::string peer = tool_path("qt_ws_server");
        if (::access(peer.c_str(), X_OK) != 0) {
            GTEST_SKIP() << peer << " was not built: Qt5 WebSockets is missing "
                         << "(scripts/setup.sh installs libqt5websockets5-dev)";
        }
        start({peer});
    }
};

TEST_F(ClientQt, QtEchoesUtf8AndAnswersBinary) {
    const auto [code, io] = client("-x '你好，世界' -x 'binary AB' -n 2 --binary-as hex");
    EXPECT_EQ(code, 0) << io.second;
    EXPECT_EQ(io.first, "你好，世界\n4142\n");
}

TEST_F(ClientQt, QtPingIsAnsweredAndItsCloseCodeReported) {
    auto [code, io] = client("--show-ping -x 'ping qt' -n 1");
    EXPECT_EQ(code, 0) << io.second;
    EXPECT_EQ(io.first, "ping qt\n");  // echoed after our pong reached the server
    EXPECT_NE(io.second.find("received ping 'qt'"), std::string::npos) << io.second;
    std::tie(code, io) = client("-x 'close 4004 qt bye' -w -1");
    EXPECT_EQ(code, 1) << io.second;
    EXPECT_NE(io.second.find("closed by the server: 4004 'qt bye'"), std::string::npos)
        << io.second;
}

}  // namespace
}  // namespace wsb::test
