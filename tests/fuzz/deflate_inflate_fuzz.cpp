// libFuzzer target for the permessage-deflate inflater (RFC 7692 §7.2.2) on arbitrary input:
// truncated, invalid and oversized streams, final blocks, bombs. Invariants: no hang, never
// more output (or buffer) than the limit allows, and the input itself, compressed by a client
// with the same parameters, inflates back to itself, twice (with the context kept or not).
//
// Input: [flags: 1 byte][window bits: 1 byte][limit: 2 bytes][messages separated by 0xFF 0x00]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/deflate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wsb::fuzz::OptionBytes in(data, size);
    const std::uint8_t flags = in.u8();
    const int bits = 9 + in.u8() % 7;
    const std::uint64_t limit = 1 + in.u16() * std::uint64_t{16};
    wsb::DeflateParams p;
    p.client_max_window_bits = bits;
    p.server_max_window_bits = bits;
    p.client_no_context_takeover = (flags & 1) != 0;
    p.server_no_context_takeover = (flags & 2) != 0;
    wsb::DeflateCodec server(p, wsb::DeflateRole::server, (flags & 4) ? 1 : -1);

    // Arbitrary messages into the server's inflater.
    const std::uint8_t* rest = in.rest();
    const std::size_t n = in.rest_size();
    std::size_t start = 0;
    for (std::size_t i = 0; i <= n; ++i) {
        const bool end = i == n || (i + 1 < n && rest[i] == 0xFF && rest[i + 1] == 0x00);
        if (!end) continue;
        const auto r = server.inflate(rest + start, i - start, limit);
        if (r == wsb::DeflateCodec::Result::ok) FUZZ_CHECK(server.inflated().size() <= limit);
        FUZZ_CHECK(server.inflated().capacity() <= std::max<std::uint64_t>(limit + 1, 4096));
        start = i + 2;
        ++i;
    }

    // The input as a plain message, compressed by a client and inflated by a fresh server.
    wsb::DeflateCodec client(p, wsb::DeflateRole::client, (flags & 8) ? 1 : 9);
    wsb::DeflateCodec fresh(p, wsb::DeflateRole::server);
    for (int round = 0; round < 2; ++round) {
        const std::vector<std::uint8_t> z(client.compress(data, size));
        const auto r = fresh.inflate(z.data(), z.size(), size);
        FUZZ_CHECK(r == wsb::DeflateCodec::Result::ok);
        FUZZ_CHECK(fresh.inflated().size() == size);
        FUZZ_CHECK(size == 0 || std::equal(data, data + size, fresh.inflated().begin()));
    }
    return 0;
}
