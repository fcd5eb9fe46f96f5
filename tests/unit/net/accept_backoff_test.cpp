// AcceptBackoff: a failed accept pauses the accept loop instead of spinning (EMFILE and
// friends), and an episode of failures is logged once.
#include "wsbench/net/accept_backoff.hpp"

#include <gtest/gtest.h>

#include <asio/error.hpp>
#include <cerrno>

namespace wsb::net {
namespace {

TEST(AcceptBackoff, OutOfDescriptorsPausesAndLogsOncePerEpisode) {
    AcceptBackoff b(std::chrono::milliseconds(100));
    const std::error_code emfile = asio::error::no_descriptors;  // EMFILE, as Asio reports it
    AcceptBackoff::Step s = b.on_error(emfile);
    EXPECT_EQ(s.pause, std::chrono::milliseconds(100));
    EXPECT_TRUE(s.log);
    EXPECT_TRUE(AcceptBackoff::out_of_descriptors(emfile));
    for (int i = 0; i < 5; ++i) {
        s = b.on_error(emfile);  // still full after the pause: pause again, quietly
        EXPECT_EQ(s.pause, std::chrono::milliseconds(100));
        EXPECT_FALSE(s.log);
    }
    const std::error_code enfile(ENFILE, std::system_category());
    EXPECT_FALSE(b.on_error(enfile).log);
    EXPECT_TRUE(AcceptBackoff::out_of_descriptors(enfile));
    EXPECT_EQ(b.on_accepted(), 7u);  // the episode ends: 7 failures
    EXPECT_EQ(b.on_accepted(), 0u);
    EXPECT_TRUE(b.on_error(enfile).log);  // a new episode is logged again
}

TEST(AcceptBackoff, TransientErrorsRetryAtOnceAndOthersNeverSpin) {
    AcceptBackoff b;
    for (const std::error_code ec :
         {std::error_code(asio::error::connection_aborted),
          std::error_code(asio::error::interrupted), std::error_code(asio::error::would_block)}) {
        const AcceptBackoff::Step s = b.on_error(ec);
        EXPECT_EQ(s.pause.count(), 0) << ec.message();
        EXPECT_FALSE(s.log) << ec.message();
    }
    EXPECT_EQ(b.on_accepted(), 0u);
    for (const std::error_code ec :
         {std::error_code(asio::error::no_buffer_space), std::error_code(asio::error::no_memory),
          std::error_code(asio::error::bad_descriptor)}) {
        EXPECT_GT(b.on_error(ec).pause.count(), 0) << ec.message();
        EXPECT_FALSE(AcceptBackoff::out_of_descriptors(ec)) << ec.message();
    }
}

}  // namespace
}  // namespace wsb::net
