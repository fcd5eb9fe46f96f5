// Helpers shared by the section tables: building a case in one expression, the usual
// expectations (echo then clean close; the server fails the connection), payload builders.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "conformance/case.hpp"

namespace wsb::conformance::cases {

/// Opcodes as numbers, reserved ones included.
inline constexpr std::uint8_t kCont = 0, kText = 1, kBinary = 2, kClose = 8, kPing = 9, kPong = 10;

/// The runner closes with 1000 once the expected events arrived; the close must be clean.
inline ExpectedClose runner_closes() { return ExpectedClose{true, {1000}, true, false}; }

/// The server must fail the connection (close with one of `codes`, or drop TCP).
inline ExpectedClose server_fails(std::vector<std::uint16_t> codes = {1002},
                                  bool wrong_endpoint_fatal = false) {
    return ExpectedClose{false, std::move(codes), false, wrong_endpoint_fatal};
}

inline CaseSpec make_case(std::string id, std::string description, std::string expectation,
                          std::function<void(CaseContext&)> on_open, EventList ok,
                          ExpectedClose close) {
    CaseSpec c;
    c.id = std::move(id);
    c.description = std::move(description);
    c.expectation = std::move(expectation);
    c.on_open = std::move(on_open);
    c.expected[Behavior::ok] = std::move(ok);
    c.expected_close = std::move(close);
    return c;
}

/// Frame options in one call: fin, rsv, chop, sync.
inline SendOptions opts(bool fin = true, unsigned rsv = 0, std::size_t chop = 0,
                        bool sync = false) {
    SendOptions o;
    o.fin = fin;
    o.rsv = rsv;
    o.chop = chop;
    o.sync = sync;
    return o;
}

/// Bytes from a hex string ("cebae1bd").
std::string unhex(const std::string& hex);

/// `unit` repeated up to `length` bytes.
std::string repeat_to(const std::string& unit, std::size_t length);

/// How a case writes its frames: one write ("one chop"), frame per write, octet-wise chops.
enum class WriteMode { together, frame_wise, octet_wise };
inline const char* mode_text(WriteMode m) {
    switch (m) {
        case WriteMode::together:
            return "";
        case WriteMode::frame_wise:
            return " Frames are sent one by one, each in its own write.";
        case WriteMode::octet_wise:
            return " Every frame is sent in 1-octet chops.";
    }
    return "";
}
inline SendOptions mode_opts(WriteMode m, bool fin = true, unsigned rsv = 0) {
    return opts(fin, rsv, m == WriteMode::octet_wise ? 1 : 0, m == WriteMode::frame_wise);
}

}  // namespace wsb::conformance::cases
