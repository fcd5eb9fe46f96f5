// net::open_listeners: the port bound, SO_REUSEPORT groups, and the probe that keeps a server
// from joining another's group unnoticed. Loopback only.
#include "wsbench/net/listener.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>

namespace wsb::net {
namespace {

struct ListenersGuard {
    Listeners l;
    ~ListenersGuard() { close_listeners(l); }
};

TEST(Listener, PortZeroReportsTheKernelsChoice) {
    ListenersGuard g;
    ASSERT_EQ(open_listeners({"127.0.0.1", 0, 1, false, 16, true}, g.l), "");
    ASSERT_EQ(g.l.fds.size(), 1u);
    EXPECT_NE(g.l.port, 0);
    EXPECT_EQ(g.l.bound, "127.0.0.1:" + std::to_string(g.l.port));
}

TEST(Listener, SocketsOfOneServerShareOnePort) {
    ListenersGuard g;
    ASSERT_EQ(open_listeners({"127.0.0.1", 0, 3, false, 16, true}, g.l), "");
    ASSERT_EQ(g.l.fds.size(), 3u);
    for (const int fd : g.l.fds) {
        int reuse = 0;
        socklen_t len = sizeof reuse;
        ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &reuse, &len), 0);
        EXPECT_EQ(reuse, 1);
    }
}

TEST(Listener, ABusyPortIsRefusedUnlessAskedToJoin) {
    ListenersGuard first;
    ASSERT_EQ(open_listeners({"127.0.0.1", 0, 1, false, 16, true}, first.l), "");
    ListenersGuard second;
    const std::string error =
        open_listeners({"127.0.0.1", first.l.port, 1, false, 16, true}, second.l);
    EXPECT_EQ(error, "cannot listen on 127.0.0.1:" + std::to_string(first.l.port) +
                         ": bind: Address already in use");
    EXPECT_TRUE(second.l.fds.empty());  // nothing left open on failure
    ListenersGuard joined;
    EXPECT_EQ(open_listeners({"127.0.0.1", first.l.port, 1, true, 16, true}, joined.l), "");
    EXPECT_EQ(joined.l.port, first.l.port);
}

TEST(Listener, AnAddressThatDoesNotResolveIsNamed) {
    ListenersGuard g;
    const std::string error = open_listeners({"no such host!", 9, 1, false, 16, true}, g.l);
    EXPECT_EQ(error.rfind("cannot listen on no such host!:9: ", 0), 0u) << error;
}

}  // namespace
}  // namespace wsb::net
