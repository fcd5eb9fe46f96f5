// Tests of the frame encoder, masking and validate() (RFC 6455 §5).
#include "wsbench/frame.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace wsb {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes encode(const FrameHeader& h, const std::string& payload,
             LengthEncoding enc = LengthEncoding::minimal) {
    Bytes out(kMaxFrameHeaderSize + payload.size());
    const std::size_t n =
        encode_frame(h, payload.data(), payload.size(), out.data(), out.size(), enc);
    out.resize(n);
    return out;
}

FrameHeader header(Opcode op, bool fin = true) {
    FrameHeader h;
    h.opcode = op;
    h.fin = fin;
    return h;
}

FrameHeader masked(FrameHeader h, std::array<std::uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d}) {
    h.masked = true;
    h.mask_key = key;
    return h;
}

// RFC 6455 §5.7 examples, byte for byte.
TEST(FrameEncode, MatchesRfcExamples) {
    EXPECT_EQ(encode(header(Opcode::text), "Hello"),
              (Bytes{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    EXPECT_EQ(encode(masked(header(Opcode::text)), "Hello"),
              (Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    EXPECT_EQ(encode(header(Opcode::text, false), "Hel"), (Bytes{0x01, 0x03, 0x48, 0x65, 0x6c}));
    EXPECT_EQ(encode(header(Opcode::continuation), "lo"), (Bytes{0x80, 0x02, 0x6c, 0x6f}));
    EXPECT_EQ(encode(header(Opcode::ping), "Hello"),
              (Bytes{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    EXPECT_EQ(encode(masked(header(Opcode::pong)), "Hello"),
              (Bytes{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    const Bytes b256 = encode(header(Opcode::binary), std::string(256, 'x'));
    EXPECT_EQ(Bytes(b256.begin(), b256.begin() + 4), (Bytes{0x82, 0x7E, 0x01, 0x00}));
    const Bytes b64k = encode(header(Opcode::binary), std::string(65536, 'x'));
    EXPECT_EQ(Bytes(b64k.begin(), b64k.begin() + 10),
              (Bytes{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
}

TEST(FrameEncode, PicksMinimalLengthAtEachBoundary) {
    struct Case {
        std::uint64_t length;
        std::size_t header;
    };
    for (const Case c : {Case{0, 2}, Case{125, 2}, Case{126, 4}, Case{65535, 4}, Case{65536, 10},
                         Case{std::uint64_t{1} << 40, 10}}) {
        FrameHeader h = header(Opcode::binary);
        h.payload_length = c.length;
        EXPECT_EQ(encoded_header_size(h), c.header) << c.length;
        EXPECT_EQ(encoded_header_size(masked(h)), c.header + 4) << c.length;
        std::uint8_t out[kMaxFrameHeaderSize];
        EXPECT_EQ(encode_header(h, out, sizeof out), c.header) << c.length;
    }
}

TEST(FrameEncode, ForcesLongerLengthEncodingsOnRequest) {
    EXPECT_EQ(encode(header(Opcode::text), "ab", LengthEncoding::bits16),
              (Bytes{0x81, 0x7E, 0x00, 0x02, 'a', 'b'}));
    EXPECT_EQ(encode(header(Opcode::text), "ab", LengthEncoding::bits64),
              (Bytes{0x81, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x02, 'a', 'b'}));
    FrameHeader big = header(Opcode::binary);
    big.payload_length = 70000;
    std::uint8_t out[kMaxFrameHeaderSize];
    EXPECT_EQ(encode_header(big, out, sizeof out, LengthEncoding::bits16), 0u)
        << "a 16-bit length cannot hold 70000";
}

TEST(FrameEncode, WritesInvalidHeadersAsGiven) {
    FrameHeader h = header(static_cast<Opcode>(0xB), false);
    h.rsv1 = h.rsv2 = h.rsv3 = true;
    h.payload_length = std::uint64_t{1} << 63;  // top bit set: forbidden by §5.2, still written
    std::uint8_t out[kMaxFrameHeaderSize];
    ASSERT_EQ(encode_header(h, out, sizeof out), 10u);
    EXPECT_EQ(out[0], 0x7B);
    EXPECT_EQ(out[1], 0x7F);
    EXPECT_EQ(out[2], 0x80);
    const Bytes ping = encode(header(Opcode::ping), std::string(126, 'p'));
    EXPECT_EQ(ping[1], 0x7E) << "a 126-byte ping is encoded, not refused";
}

TEST(FrameEncode, RefusesOnlyWhenTheBufferIsTooSmall) {
    std::uint8_t out[16];
    const std::string payload = "0123456789";
    EXPECT_EQ(encode_frame(header(Opcode::text), payload.data(), payload.size(), out, 11), 0u);
    EXPECT_EQ(encode_frame(header(Opcode::text), payload.data(), payload.size(), out, 12), 12u);
    EXPECT_EQ(encode_header(masked(header(Opcode::text)), out, 5), 0u);
}

// Reference masking, one byte at a time, straight from §5.3.
Bytes naive_mask(Bytes data, std::array<std::uint8_t, 4> key, std::size_t phase) {
    for (std::size_t i = 0; i < data.size(); ++i) data[i] ^= key[(phase + i) % 4];
    return data;
}

TEST(Mask, EqualsByteWiseMaskingForEverySizePhaseAndAlignment) {
    const std::array<std::uint8_t, 4> key{0xA1, 0x02, 0xF3, 0x44};
    Bytes storage(300);
    for (std::size_t i = 0; i < storage.size(); ++i)
        storage[i] = static_cast<std::uint8_t>(i * 7 + 3);
    for (std::size_t align = 0; align < 8; ++align) {
        for (std::size_t size = 0; size <= 100; ++size) {
            for (std::size_t phase = 0; phase < 8; ++phase) {
                Bytes input(storage.begin() + align, storage.begin() + align + size);
                const Bytes expected = naive_mask(input, key, phase);
                Bytes in_place = storage;
                apply_mask(in_place.data() + align, size, key, phase);
                ASSERT_EQ(Bytes(in_place.begin() + align, in_place.begin() + align + size),
                          expected)
                    << "align " << align << " size " << size << " phase " << phase;
                Bytes copy(size + 8);
                apply_mask_copy(copy.data() + (align % 3), input.data(), size, key, phase);
                ASSERT_EQ(Bytes(copy.begin() + (align % 3), copy.begin() + (align % 3) + size),
                          expected);
            }
        }
    }
}

TEST(Mask, MaskingInPiecesEqualsMaskingWhole) {
    const std::array<std::uint8_t, 4> key{1, 2, 3, 4};
    Bytes data(1000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
    const Bytes whole = naive_mask(data, key, 0);
    for (std::size_t cut : {1u, 3u, 7u, 8u, 33u, 999u}) {
        Bytes pieces = data;
        apply_mask(pieces.data(), cut, key, 0);
        apply_mask(pieces.data() + cut, pieces.size() - cut, key, cut);
        EXPECT_EQ(pieces, whole) << "cut at " << cut;
    }
    Bytes twice = whole;
    apply_mask(twice.data(), twice.size(), key);
    EXPECT_EQ(twice, data) << "masking twice restores the input";
}

struct ValidateCase {
    const char* name;
    FrameHeader header;
    ValidateContext ctx;
    Errc expected;
};

FrameHeader with(FrameHeader h, void (*edit)(FrameHeader&)) {
    edit(h);
    return h;
}

ValidateContext server_ctx(bool in_message = false) {
    ValidateContext c;
    c.receiver = Role::server;
    c.message_in_progress = in_message;
    return c;
}

ValidateContext client_ctx() {
    ValidateContext c;
    c.receiver = Role::client;
    return c;
}

class Validate : public ::testing::TestWithParam<ValidateCase> {};

TEST_P(Validate, AppliesRfc6455Section5Rules) {
    const ValidateCase& c = GetParam();
    EXPECT_EQ(validate(c.header, c.ctx), c.expected)
        << c.name << ": got " << to_string(validate(c.header, c.ctx));
}

const FrameHeader kMaskedText = masked(header(Opcode::text));

INSTANTIATE_TEST_SUITE_P(
    Rules, Validate,
    ::testing::Values(
        ValidateCase{"masked text to server", kMaskedText, server_ctx(), Errc::ok},
        ValidateCase{"unmasked text to client", header(Opcode::text), client_ctx(), Errc::ok},
        // §5.1: client frames must be masked, server frames must not be.
        ValidateCase{"unmasked to server", header(Opcode::text), server_ctx(),
                     Errc::unmasked_client_frame},
        ValidateCase{"masked to client", kMaskedText, client_ctx(), Errc::masked_server_frame},
        // §5.2: reserved bits without an extension, reserved opcodes (Autobahn 3.x, 4.x).
        ValidateCase{"rsv1", with(kMaskedText, [](FrameHeader& h) { h.rsv1 = true; }), server_ctx(),
                     Errc::reserved_bits_set},
        ValidateCase{"rsv2", with(kMaskedText, [](FrameHeader& h) { h.rsv2 = true; }), server_ctx(),
                     Errc::reserved_bits_set},
        ValidateCase{"rsv3", with(kMaskedText, [](FrameHeader& h) { h.rsv3 = true; }), server_ctx(),
                     Errc::reserved_bits_set},
        ValidateCase{"opcode 3", masked(header(static_cast<Opcode>(3))), server_ctx(),
                     Errc::reserved_opcode},
        ValidateCase{"opcode 7", masked(header(static_cast<Opcode>(7))), server_ctx(),
                     Errc::reserved_opcode},
        ValidateCase{"opcode 0xB", masked(header(static_cast<Opcode>(0xB))), server_ctx(),
                     Errc::reserved_opcode},
        ValidateCase{"opcode 0xF", masked(header(static_cast<Opcode>(0xF))), server_ctx(),
                     Errc::reserved_opcode},
        // §5.5: control frames are at most 125 bytes and never fragmented (Autobahn 2.5, 5.1).
        ValidateCase{
            "ping 125",
            with(masked(header(Opcode::ping)), [](FrameHeader& h) { h.payload_length = 125; }),
            server_ctx(), Errc::ok},
        ValidateCase{
            "ping 126",
            with(masked(header(Opcode::ping)), [](FrameHeader& h) { h.payload_length = 126; }),
            server_ctx(), Errc::control_frame_too_long},
        ValidateCase{"fragmented ping", masked(header(Opcode::ping, false)), server_ctx(),
                     Errc::fragmented_control_frame},
        ValidateCase{"fragmented close", masked(header(Opcode::close, false)), server_ctx(),
                     Errc::fragmented_control_frame},
        ValidateCase{"ping inside a message", masked(header(Opcode::ping)), server_ctx(true),
                     Errc::ok},
        // §5.4: fragmentation order (Autobahn 5.x).
        ValidateCase{"continuation without message", masked(header(Opcode::continuation)),
                     server_ctx(), Errc::unexpected_continuation},
        ValidateCase{"continuation in message", masked(header(Opcode::continuation)),
                     server_ctx(true), Errc::ok},
        ValidateCase{"text inside a message", kMaskedText, server_ctx(true),
                     Errc::expected_continuation},
        // §5.2: the most significant bit of a 64-bit length must be 0.
        ValidateCase{
            "length top bit",
            with(kMaskedText, [](FrameHeader& h) { h.payload_length = std::uint64_t{1} << 63; }),
            server_ctx(), Errc::invalid_payload_length}),
    [](const ::testing::TestParamInfo<ValidateCase>& case_info) {
        std::string name = case_info.param.name;
        for (char& ch : name) {
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        }
        return name;
    });

TEST(ValidateExtensions, AllowsRsv1OnlyOnTheFirstDataFrameWhenNegotiated) {
    ValidateContext ctx = server_ctx();
    ctx.allow_rsv1 = true;
    EXPECT_EQ(validate(with(kMaskedText, [](FrameHeader& h) { h.rsv1 = true; }), ctx), Errc::ok);
    EXPECT_EQ(
        validate(with(masked(header(Opcode::ping)), [](FrameHeader& h) { h.rsv1 = true; }), ctx),
        Errc::reserved_bits_set);
    ctx.message_in_progress = true;
    EXPECT_EQ(
        validate(with(masked(header(Opcode::continuation)), [](FrameHeader& h) { h.rsv1 = true; }),
                 ctx),
        Errc::reserved_bits_set);
    EXPECT_EQ(validate(with(kMaskedText, [](FrameHeader& h) { h.rsv2 = true; }), server_ctx()),
              Errc::reserved_bits_set);
}

TEST(ErrorCodes, MapToTheCloseCodeTheRfcCallsFor) {
    EXPECT_EQ(close_code_for(Errc::reserved_opcode), 1002);
    EXPECT_EQ(close_code_for(Errc::invalid_utf8), 1007);
    EXPECT_EQ(close_code_for(Errc::message_too_large), 1009);
    const std::error_code ec = Errc::fragmented_control_frame;
    EXPECT_EQ(ec.category().name(), std::string("wsbench"));
    EXPECT_EQ(ec.message(), "fragmented control frame");
    EXPECT_EQ(to_string(Errc::unmasked_client_frame), "unmasked_client_frame");
}

}  // namespace
}  // namespace wsb
