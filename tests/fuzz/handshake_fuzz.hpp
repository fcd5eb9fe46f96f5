// The shared body of handshake_request_fuzz and handshake_response_fuzz: parse a head whole,
// then again as it would arrive from a socket (a growing buffer, a resumed HttpHeadScanner),
// and require both to agree at every step; then run the handshake checks on what parsed.
//
// Input: [max head: 2 bytes][split seed: 2 bytes][head bytes...]
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/handshake.hpp"

namespace wsb::fuzz {

inline bool same_headers(const HttpHeaders& a, const HttpHeaders& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.fields()[i].name != b.fields()[i].name ||
            a.fields()[i].value != b.fields()[i].value) {
            return false;
        }
    }
    return true;
}

inline bool same_head(const HttpRequest& a, const HttpRequest& b) {
    return a.method == b.method && a.target == b.target && a.version == b.version &&
           same_headers(a.headers, b.headers);
}

inline bool same_head(const HttpResponse& a, const HttpResponse& b) {
    return a.version == b.version && a.status == b.status && a.reason == b.reason &&
           same_headers(a.headers, b.headers);
}

/// What parsing a buffer gave: the error code, and the head and its size on success.
template <class Message>
struct Parsed {
    Errc error = Errc::http_incomplete;
    Message message;
    std::size_t head_size = 0;

    bool operator==(const Parsed& o) const {
        return error == o.error &&
               (error != Errc::ok || (head_size == o.head_size && same_head(message, o.message)));
    }
};

/// `parse` is parse_http_request or parse_http_response (the overloads taking a scanner and
/// a size limit); `check` runs the handshake checks on a head that parsed.
template <class Message, class Parse, class ParseWithScanner, class Check>
void fuzz_head(const std::uint8_t* data, std::size_t size, Parse parse,
               ParseWithScanner parse_resumed, Check check) {
    OptionBytes in(data, size);
    // Mostly the default limit; sometimes a small one so the too-large path is reached.
    const std::uint16_t limit_sel = in.u16();
    const std::size_t max_head = limit_sel < 0x8000 ? kDefaultMaxHttpHead : limit_sel & 0x7FFF;
    const std::uint16_t seed = in.u16();
    const std::string_view input(reinterpret_cast<const char*>(in.rest()), in.rest_size());

    // The whole input at once.
    Parsed<Message> whole;
    whole.error = parse(input, whole.message, whole.head_size, max_head);
    if (whole.error == Errc::ok) {
        FUZZ_CHECK(whole.head_size > 0 && whole.head_size <= input.size());
        FUZZ_CHECK(whole.head_size <= max_head);
        FUZZ_CHECK(input[whole.head_size - 1] == '\n');
    } else {
        FUZZ_CHECK(whole.error == Errc::http_incomplete || whole.error == Errc::http_malformed ||
                   whole.error == Errc::http_head_too_large);
    }

    // As it arrives: a growing buffer, one scanner resumed across calls, stopping at the
    // first answer that is not http_incomplete, as a connection would. At every step the
    // resumed parse must agree with a fresh one over the same bytes, and the scanner alone
    // with the parser.
    HttpHeadScanner scanner(max_head);
    HttpHeadScanner bare(max_head);
    Parsed<Message> resumed;
    std::size_t have = 0;
    std::vector<std::size_t> sizes = chunk_sizes(input.size(), seed);
    if (sizes.empty()) sizes.push_back(0);  // an empty input is still parsed once
    // A fresh parse rescans the whole prefix: at every step only while that stays cheap
    // (feeding byte by byte would make each input quadratic), else where the answer is made.
    const bool fresh_every_step = sizes.size() <= 256;
    for (const std::size_t chunk : sizes) {
        have += chunk;
        const std::string_view buffered = input.substr(0, have);
        resumed = Parsed<Message>{};
        resumed.error = parse_resumed(buffered, resumed.message, resumed.head_size, scanner);
        if (fresh_every_step || resumed.error != Errc::http_incomplete || have == input.size()) {
            Parsed<Message> fresh;
            fresh.error = parse(buffered, fresh.message, fresh.head_size, max_head);
            FUZZ_CHECK(resumed == fresh);
        }
        const Errc scanned = bare.scan(buffered);
        if (scanned == Errc::ok) {
            FUZZ_CHECK(resumed.error != Errc::http_incomplete);
            if (resumed.error == Errc::ok) FUZZ_CHECK(bare.head_size() == resumed.head_size);
        } else if (scanned == Errc::http_malformed) {
            FUZZ_CHECK(resumed.error == scanned);
        } else if (scanned == Errc::http_head_too_large) {
            // Too large, unless the bytes could not start a head at all.
            FUZZ_CHECK(resumed.error == scanned || resumed.error == Errc::http_malformed);
        }
        if (resumed.error != Errc::http_incomplete) break;
    }
    // The head is decided by its own bytes: what came after it cannot change the answer.
    FUZZ_CHECK(resumed == whole);

    // A shrinking buffer is a caller bug the scanner reports rather than misreads.
    if (!input.empty()) {
        HttpHeadScanner s(max_head);
        if (s.scan(input) == Errc::http_incomplete) {
            FUZZ_CHECK(s.scan(input.substr(0, input.size() - 1)) == Errc::invalid_argument);
        }
    }

    if (whole.error == Errc::ok) check(whole.message);
}

}  // namespace wsb::fuzz
