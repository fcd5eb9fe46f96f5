// permessage-deflate (RFC 7692) in libwsbench: offers and answers on both sides, and the codec
// of either role: round trips with and without context takeover, every window size, the cap.
#include "wsbench/deflate.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace wsb {
namespace {

const std::uint8_t* bytes(const std::string& s) {
    return reinterpret_cast<const std::uint8_t*>(s.data());
}

std::string text(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

/// A payload that compresses, but not to nothing: words from a small vocabulary.
std::string prose(std::size_t n, unsigned seed = 1) {
    static const char* const words[] = {"permessage", "deflate", "window", "bits", "takeover",
                                        "context",    "server",  "client", "zlib", "{\"id\":"};
    std::string s;
    std::uint32_t x = seed;
    while (s.size() < n) {
        x = x * 1664525u + 1013904223u;
        s += words[(x >> 16) % 10];
        s += (x & 1) ? ' ' : ',';
    }
    s.resize(n);
    return s;
}

TEST(DeflateOffer, FormatsEveryParameter) {
    EXPECT_EQ(format_deflate_offer({}), "permessage-deflate");
    DeflateOffer o;
    o.client_no_context_takeover = true;
    o.server_no_context_takeover = true;
    o.client_max_window_bits = 0;
    o.server_max_window_bits = 9;
    EXPECT_EQ(format_deflate_offer(o),
              "permessage-deflate; client_no_context_takeover; client_max_window_bits; "
              "server_no_context_takeover; server_max_window_bits=9");
    o.client_max_window_bits = 12;
    DeflateOffer back;
    ASSERT_TRUE(parse_deflate_offer(format_deflate_offer(o), back));
    EXPECT_EQ(back.client_max_window_bits, 12);
    EXPECT_EQ(back.server_max_window_bits, 9);
    EXPECT_TRUE(back.client_no_context_takeover && back.server_no_context_takeover);
}

TEST(DeflateOffer, SplitsElementsAtCommasOutsideQuotes) {
    EXPECT_EQ(split_extensions(" a; x=\"1,2\" , b ,, c"),
              (std::vector<std::string>{"a; x=\"1,2\"", "b", "c"}));
    EXPECT_TRUE(split_extensions("").empty());
}

TEST(DeflateOffer, ParseRejectsWhatAServerMustDecline) {
    DeflateOffer o;
    EXPECT_FALSE(parse_deflate_offer("permessage-deflate; server_max_window_bits", o));
    EXPECT_FALSE(parse_deflate_offer("permessage-deflate; client_max_window_bits=7", o));
    EXPECT_FALSE(parse_deflate_offer("permessage-deflate; client_max_window_bits=+9", o));
    EXPECT_FALSE(parse_deflate_offer("permessage-deflate;", o));
    EXPECT_FALSE(parse_deflate_offer("permessage-deflate; x=1", o));
    EXPECT_TRUE(parse_deflate_offer("PERMESSAGE-DEFLATE; Server_Max_Window_Bits=\"10\"", o));
    EXPECT_EQ(o.server_max_window_bits, 10);
}

/// A server's answer, the client's offers, and what the client concludes ("" accepted).
struct AnswerCase {
    std::string answer;
    std::vector<DeflateOffer> offers;
    std::string error;  ///< a fragment of the refusal; empty: accepted
};

DeflateOffer offer(bool snct, bool cnct, int sbits, int cbits) {
    DeflateOffer o;
    o.server_no_context_takeover = snct;
    o.client_no_context_takeover = cnct;
    o.server_max_window_bits = sbits;
    o.client_max_window_bits = cbits;
    return o;
}

class DeflateAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(DeflateAnswer, ClientAcceptsOrRefuses) {
    DeflateParams p;
    std::string error;
    const bool ok = accept_deflate_response(GetParam().answer, GetParam().offers, p, error);
    EXPECT_EQ(ok, GetParam().error.empty()) << GetParam().answer << ": " << error;
    if (!ok) {
        EXPECT_NE(error.find(GetParam().error), std::string::npos) << error;
    }
}

const DeflateOffer kPlain = offer(false, false, 0, -1);
const DeflateOffer kBits = offer(false, false, 0, 0);

// RFC 7692 §7.1: what a server may answer and what a client must refuse.
INSTANTIATE_TEST_SUITE_P(
    Rfc7692, DeflateAnswer,
    ::testing::Values(
        AnswerCase{"permessage-deflate", {kPlain}, ""},
        AnswerCase{"permessage-deflate; server_no_context_takeover", {kPlain}, ""},
        AnswerCase{"permessage-deflate; client_no_context_takeover", {kPlain}, ""},
        AnswerCase{"permessage-deflate; server_max_window_bits=10", {kPlain}, ""},
        AnswerCase{"permessage-deflate; client_max_window_bits=10", {kBits}, ""},
        AnswerCase{"permessage-deflate; client_max_window_bits=10", {kPlain}, "not offered"},
        AnswerCase{"permessage-deflate; client_max_window_bits", {kBits}, "no value"},
        AnswerCase{"permessage-deflate; client_max_window_bits=8", {kBits}, "zlib"},
        AnswerCase{
            "permessage-deflate; client_max_window_bits=12", {offer(false, false, 0, 11)}, "above"},
        AnswerCase{"permessage-deflate; server_max_window_bits=12",
                   {offer(false, false, 10, -1)},
                   "above"},
        AnswerCase{"permessage-deflate", {offer(true, false, 0, -1)}, "ignored"},
        AnswerCase{"permessage-deflate; unknown", {kPlain}, "not a valid"},
        AnswerCase{"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                   {kPlain},
                   "not a valid"},
        AnswerCase{"x-webkit-deflate-frame", {kPlain}, "not a valid"},
        AnswerCase{"permessage-deflate, permessage-deflate", {kPlain}, "more than one"},
        AnswerCase{"", {kPlain}, "no extension"},
        AnswerCase{"permessage-deflate", {}, "not offered"},
        // Several offers: the answer may match any of them.
        AnswerCase{"permessage-deflate; client_max_window_bits=9",
                   {offer(true, false, 9, -1), kBits},
                   ""}));

TEST(DeflateAnswer, AgreedParametersFollowTheAnswerAndTheOffer) {
    DeflateParams p;
    std::string error;
    ASSERT_TRUE(accept_deflate_response(
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; "
        "client_max_window_bits=10",
        {offer(false, true, 0, 12)}, p, error));
    EXPECT_TRUE(p.server_no_context_takeover);
    EXPECT_TRUE(p.client_no_context_takeover) << "offered: the client keeps to it";
    EXPECT_EQ(p.server_max_window_bits, 9);
    EXPECT_EQ(p.client_max_window_bits, 10);
    ASSERT_TRUE(
        accept_deflate_response("permessage-deflate", {offer(false, false, 0, 11)}, p, error));
    EXPECT_EQ(p.client_max_window_bits, 11) << "never wider than offered";
}

TEST(DeflateNegotiate, ServerAnswerIsAcceptedByTheClientThatOffered) {
    for (int bits = 9; bits <= 15; ++bits) {
        const DeflateOffer o = offer(bits % 2 == 0, bits % 3 == 0, bits, bits);
        DeflateParams server;
        std::string response;
        ASSERT_TRUE(negotiate_deflate(format_deflate_offer(o), server, response));
        DeflateParams client;
        std::string error;
        ASSERT_TRUE(accept_deflate_response(response, {o}, client, error)) << error;
        EXPECT_EQ(client.server_max_window_bits, server.server_max_window_bits);
        EXPECT_EQ(client.client_max_window_bits, server.client_max_window_bits);
        EXPECT_EQ(client.server_no_context_takeover, server.server_no_context_takeover);
        EXPECT_EQ(client.client_no_context_takeover, server.client_no_context_takeover);
    }
}

/// Messages client -> server and server -> client with the given parameters.
void round_trip(const DeflateParams& p, int level) {
    DeflateCodec client(p, DeflateRole::client, level);
    DeflateCodec server(p, DeflateRole::server, level);
    for (unsigned i = 0; i < 6; ++i) {
        const std::string msg = prose(i * 9000 + (i == 0 ? 0 : 17), i);
        const std::vector<std::uint8_t> up(client.compress(bytes(msg), msg.size()));
        ASSERT_EQ(server.inflate(up.data(), up.size(), 1 << 20), DeflateCodec::Result::ok);
        ASSERT_EQ(text(server.inflated()), msg);
        const std::vector<std::uint8_t> down(server.compress(bytes(msg), msg.size()));
        ASSERT_EQ(client.inflate(down.data(), down.size(), 1 << 20), DeflateCodec::Result::ok);
        ASSERT_EQ(text(client.inflated()), msg);
    }
}

TEST(DeflateCodec, RoundTripsEveryWindowSizeWithAndWithoutContextTakeover) {
    for (int bits = 9; bits <= 15; ++bits) {
        for (int nct = 0; nct < 4; ++nct) {
            SCOPED_TRACE("bits " + std::to_string(bits) + " nct " + std::to_string(nct));
            DeflateParams p;
            p.server_max_window_bits = bits;
            p.client_max_window_bits = 24 - bits;
            p.server_no_context_takeover = (nct & 1) != 0;
            p.client_no_context_takeover = (nct & 2) != 0;
            round_trip(p, nct % 2 ? 1 : -1);
        }
    }
}

TEST(DeflateCodec, ContextTakeoverMakesRepeatsSmallerAndNoTakeoverMakesThemIdentical) {
    std::string msg(2000, '\0');  // incompressible alone, a single match with context
    std::uint32_t x = 7;
    for (char& ch : msg) ch = static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
    DeflateParams keep;
    DeflateCodec a(keep, DeflateRole::client, 1);
    const std::vector<std::uint8_t> first(a.compress(bytes(msg), msg.size()));
    const std::vector<std::uint8_t> second(a.compress(bytes(msg), msg.size()));
    EXPECT_LT(second.size() * 4, first.size()) << "the second refers back to the first";
    EXPECT_FALSE(a.compress_resets());

    DeflateParams fresh;
    fresh.client_no_context_takeover = true;
    DeflateCodec b(fresh, DeflateRole::client, 1);
    EXPECT_TRUE(b.compress_resets());
    const std::vector<std::uint8_t> one(b.compress(bytes(msg), msg.size()));
    EXPECT_EQ(b.compress(bytes(msg), msg.size()), one);
    DeflateCodec server(fresh, DeflateRole::server);
    EXPECT_FALSE(server.compress_resets()) << "the server's side keeps its context";
}

TEST(DeflateCodec, CapsADecompressionBomb) {
    DeflateCodec bomb_maker(DeflateParams{}, DeflateRole::client, 9);
    const std::string zeros(64 << 20, '\0');
    const std::vector<std::uint8_t> bomb(bomb_maker.compress(bytes(zeros), zeros.size()));
    ASSERT_LT(bomb.size(), 100000u);
    DeflateCodec server(DeflateParams{}, DeflateRole::server);
    EXPECT_EQ(server.inflate(bomb.data(), bomb.size(), 1 << 20), DeflateCodec::Result::too_large);
    EXPECT_LE(server.inflated().capacity(), (1u << 20) + 1) << "memory bounded by the limit";
    // The stream is reset after a failure: a fresh message inflates.
    const std::string msg = "after the bomb";
    DeflateCodec other(DeflateParams{}, DeflateRole::client);
    const std::vector<std::uint8_t> z(other.compress(bytes(msg), msg.size()));
    ASSERT_EQ(server.inflate(z.data(), z.size(), 1 << 20), DeflateCodec::Result::ok);
    EXPECT_EQ(text(server.inflated()), msg);
}

TEST(DeflateCodec, TruncatedOrGarbageInputIsAnErrorNotAHang) {
    const std::vector<std::uint8_t> junk{0xFF, 0xFF, 0xFF, 0xFF};
    DeflateCodec d(DeflateParams{}, DeflateRole::server);
    EXPECT_EQ(d.inflate(junk.data(), junk.size(), 1 << 20), DeflateCodec::Result::error);
    // A final (BFINAL) block followed by more data: the rest is ignored, the stream restarts.
    const std::vector<std::uint8_t> final_block{0x01, 0x01, 0x00, 0xFE, 0xFF, 'x', 0x33};
    EXPECT_EQ(d.inflate(final_block.data(), final_block.size(), 1 << 20), DeflateCodec::Result::ok);
    EXPECT_EQ(text(d.inflated()), "x");
    EXPECT_EQ(d.inflate(final_block.data(), final_block.size(), 1 << 20), DeflateCodec::Result::ok);
    // A truncated stored block: no output, no error, no hang.
    const std::vector<std::uint8_t> truncated{0x00, 0x05, 0x00};
    DeflateCodec e(DeflateParams{}, DeflateRole::server);
    EXPECT_NE(e.inflate(truncated.data(), truncated.size(), 1 << 20),
              DeflateCodec::Result::too_large);
}

TEST(DeflateCodec, RefusesAnEightBitCompressorWindow) {
    DeflateParams p;
    p.client_max_window_bits = 8;
    EXPECT_THROW(DeflateCodec(p, DeflateRole::client), std::runtime_error);
    EXPECT_NO_THROW(DeflateCodec(p, DeflateRole::server)) << "inflating with 8 bits uses 9";
}

}  // namespace
}  // namespace wsb
