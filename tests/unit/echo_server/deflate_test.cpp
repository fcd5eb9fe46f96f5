// permessage-deflate (RFC 7692) in the echo server: negotiating offers as a server, and a
// connection's compressor and decompressor.
#include "echo_server/deflate.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace wsb::echo {
namespace {

const std::uint8_t* bytes(const std::string& s) {
    return reinterpret_cast<const std::uint8_t*>(s.data());
}

std::string text(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

/// An offer and the response a server gives (empty: declined).
struct OfferCase {
    std::string offer;
    std::string response;
};

class DeflateNegotiation : public ::testing::TestWithParam<OfferCase> {};

TEST_P(DeflateNegotiation, AnswersOrDeclinesTheOffer) {
    DeflateParams params;
    std::string response;
    const bool accepted = negotiate_deflate(GetParam().offer, params, response);
    EXPECT_EQ(accepted, !GetParam().response.empty()) << GetParam().offer;
    if (accepted) {
        EXPECT_EQ(response, GetParam().response);
    }
}

// RFC 7692 §7.1: the parameters, their values, and the offers a server must decline.
INSTANTIATE_TEST_SUITE_P(
    Rfc7692, DeflateNegotiation,
    ::testing::Values(
        OfferCase{"permessage-deflate", "permessage-deflate"},
        OfferCase{"Permessage-Deflate", "permessage-deflate"},
        OfferCase{"permessage-deflate; client_max_window_bits", "permessage-deflate"},
        OfferCase{"permessage-deflate; client_max_window_bits=10",
                  "permessage-deflate; client_max_window_bits=10"},
        OfferCase{"permessage-deflate; client_max_window_bits=\"12\"",
                  "permessage-deflate; client_max_window_bits=12"},
        OfferCase{"permessage-deflate; server_max_window_bits=9",
                  "permessage-deflate; server_max_window_bits=9"},
        OfferCase{"permessage-deflate;server_no_context_takeover ; client_no_context_takeover",
                  "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
        OfferCase{"x-webkit-deflate-frame", ""},
        OfferCase{"permessage-deflate; server_max_window_bits=8", ""},  // zlib cannot
        OfferCase{"permessage-deflate; server_max_window_bits", ""},    // needs a value
        OfferCase{"permessage-deflate; server_max_window_bits=16", ""},
        OfferCase{"permessage-deflate; client_max_window_bits=07", ""},
        OfferCase{"permessage-deflate; server_no_context_takeover=1", ""},
        OfferCase{"permessage-deflate; client_no_context_takeover; client_no_context_takeover", ""},
        OfferCase{"permessage-deflate; unknown_parameter", ""}));

TEST(Deflate, NegotiateTakesTheFirstAcceptableOffer) {
    std::string response;
    auto d = Deflate::negotiate({"permessage-deflate; server_max_window_bits=8",
                                 "permessage-deflate; client_no_context_takeover"},
                                response);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(response, "permessage-deflate; client_no_context_takeover");
    EXPECT_EQ(Deflate::negotiate({"foo", "bar"}, response), nullptr);
    EXPECT_EQ(Deflate::negotiate({}, response), nullptr);
}

TEST(Deflate, CompressedMessagesInflateBackWithContextTakeover) {
    Deflate server{DeflateParams{}};
    Deflate client{DeflateParams{}};
    const std::string prefix = "re: ";
    for (const std::string msg : {"hello hello hello hello", "hello again, hello again", ""}) {
        const auto& z = server.compress(bytes(prefix), prefix.size(), bytes(msg), msg.size());
        ASSERT_FALSE(z.empty()) << "an empty message is still one block";
        const std::vector<std::uint8_t> wire(z);
        ASSERT_EQ(client.inflate(wire.data(), wire.size(), 1 << 20), Deflate::Result::ok);
        EXPECT_EQ(text(client.inflated()), prefix + msg);
    }
}

// --deflate-level reaches zlib: level 9 makes a smaller message than level 1 of the same text,
// and both inflate back.
TEST(Deflate, TheLevelIsZlibs) {
    std::string msg;
    std::uint32_t x = 12345;
    const char* words[] = {"alpha ", "beta ", "gamma ", "delta ", "epsilon ", "zeta ", "eta "};
    while (msg.size() < 64 * 1024) {
        x = x * 1103515245u + 12345u;
        msg += words[(x >> 16) % 7];
    }
    std::string response;
    auto fast = Deflate::negotiate({"permessage-deflate"}, response, 1);
    auto small = Deflate::negotiate({"permessage-deflate"}, response, 9);
    ASSERT_NE(fast, nullptr);
    ASSERT_NE(small, nullptr);
    const std::vector<std::uint8_t> z1(fast->compress(nullptr, 0, bytes(msg), msg.size()));
    const std::vector<std::uint8_t> z9(small->compress(nullptr, 0, bytes(msg), msg.size()));
    EXPECT_LT(z9.size(), z1.size());
    for (const auto* z : {&z1, &z9}) {
        Deflate client{DeflateParams{}};
        ASSERT_EQ(client.inflate(z->data(), z->size(), 1 << 20), Deflate::Result::ok);
        EXPECT_EQ(text(client.inflated()), msg);
    }
}

TEST(Deflate, DropsTheSyncFlushTail) {
    Deflate d{DeflateParams{}};
    const std::string msg(1000, 'a');
    const auto& z = d.compress(nullptr, 0, bytes(msg), msg.size());
    ASSERT_GE(z.size(), 4u);
    const std::vector<std::uint8_t> tail(z.end() - 4, z.end());
    EXPECT_NE(tail, (std::vector<std::uint8_t>{0x00, 0x00, 0xFF, 0xFF}));  // §7.2.1
    EXPECT_LT(z.size(), msg.size() / 10);
}

TEST(Deflate, NoContextTakeoverCompressesEachMessageAlone) {
    DeflateParams p;
    p.server_no_context_takeover = true;
    Deflate server(p);
    const std::string msg = "the same message every time";
    const std::vector<std::uint8_t> first(server.compress(nullptr, 0, bytes(msg), msg.size()));
    const std::vector<std::uint8_t> second(server.compress(nullptr, 0, bytes(msg), msg.size()));
    EXPECT_EQ(first, second);
    Deflate fresh{DeflateParams{}};
    ASSERT_EQ(fresh.inflate(second.data(), second.size(), 1 << 20), Deflate::Result::ok);
    EXPECT_EQ(text(fresh.inflated()), msg) << "decodable without the first message";
}

TEST(Deflate, InflateStopsAtTheLimit) {
    Deflate server{DeflateParams{}};
    Deflate client{DeflateParams{}};
    const std::string msg(100000, 'z');
    const std::vector<std::uint8_t> z(server.compress(nullptr, 0, bytes(msg), msg.size()));
    EXPECT_EQ(client.inflate(z.data(), z.size(), msg.size() - 1), Deflate::Result::too_large);
    Deflate other{DeflateParams{}};
    EXPECT_EQ(other.inflate(z.data(), z.size(), msg.size()), Deflate::Result::ok);
}

TEST(Deflate, InflateRejectsGarbage) {
    Deflate d{DeflateParams{}};
    const std::vector<std::uint8_t> junk{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    EXPECT_EQ(d.inflate(junk.data(), junk.size(), 1 << 20), Deflate::Result::error);
}

TEST(Deflate, BeginMessageRecordsRsv1) {
    Deflate d{DeflateParams{}};
    d.begin_message(true);
    EXPECT_TRUE(d.message_compressed());
    d.begin_message(false);
    EXPECT_FALSE(d.message_compressed());
}

}  // namespace
}  // namespace wsb::echo
