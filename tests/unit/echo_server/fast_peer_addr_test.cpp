// How the fast engine prints a client's address in its log lines.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "echo_server/fast/peer_addr.hpp"

namespace wsb::echo::fast {
namespace {

TEST(FastPeerAddr, PrintsIpv4WithPort) {
    PeerAddr a;
    a.v4.sin_family = AF_INET;
    a.v4.sin_port = htons(5678);
    ASSERT_EQ(::inet_pton(AF_INET, "10.1.2.3", &a.v4.sin_addr), 1);
    EXPECT_EQ(a.str(), "10.1.2.3:5678");
}

TEST(FastPeerAddr, PrintsIpv6InBracketsAndMappedIpv4AsIpv4) {
    PeerAddr a;
    a.v6.sin6_family = AF_INET6;
    a.v6.sin6_port = htons(443);
    ASSERT_EQ(::inet_pton(AF_INET6, "::1", &a.v6.sin6_addr), 1);
    EXPECT_EQ(a.str(), "[::1]:443");
    ASSERT_EQ(::inet_pton(AF_INET6, "::ffff:192.0.2.7", &a.v6.sin6_addr), 1);
    EXPECT_EQ(a.str(), "192.0.2.7:443");
}

TEST(FastPeerAddr, UnknownFamilyPrintsUnknown) { EXPECT_EQ(PeerAddr().str(), "unknown"); }

}  // namespace
}  // namespace wsb::echo::fast
