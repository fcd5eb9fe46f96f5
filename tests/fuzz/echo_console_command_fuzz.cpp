// libFuzzer target for the echo server console's command parser (tools/echo_server/
// console_command.hpp) and its received-message line (console_format.hpp): any typed line
// parses without a crash, and what it yields keeps the RFC's limits: a close code a close frame
// may carry with a UTF-8 reason of at most 123 bytes, text that is UTF-8 (§5.6), /hex bytes that
// print back as the digits typed, a /send or /close id of 1 or more; and any payload printed as
// a received message is one line.
//
// Input: the line, as typed.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "echo_server/console_command.hpp"
#include "echo_server/console_format.hpp"
#include "fuzz_support.hpp"
#include "wsbench/close.hpp"
#include "wsbench/hex.hpp"
#include "wsbench/utf8.hpp"

namespace {

std::size_t newlines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using wsb::echo::ConsoleCommand;
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const ConsoleCommand c = wsb::echo::parse_console_command(line);
    switch (c.kind) {
        case ConsoleCommand::Kind::none:
            FUZZ_CHECK(line.empty());
            break;
        case ConsoleCommand::Kind::close:
            FUZZ_CHECK(wsb::is_valid_wire_close_code(c.code));
            FUZZ_CHECK(c.payload.size() <= wsb::kMaxCloseReason);
            FUZZ_CHECK(wsb::is_valid_utf8(c.payload));
            FUZZ_CHECK(c.id > 0 || line.rfind("/close-all", 0) == 0);
            break;
        case ConsoleCommand::Kind::text:
            FUZZ_CHECK(wsb::is_valid_utf8(c.payload));
            if (c.id > 0) {
                FUZZ_CHECK(line.rfind("/send", 0) == 0);
            } else {
                FUZZ_CHECK(line[0] != '/' || (line.size() > 1 && line[1] == '/'));
            }
            break;
        case ConsoleCommand::Kind::binary:
            if (line.rfind("/hex", 0) == 0) {
                std::string typed;
                for (char ch : line.substr(4)) {
                    if (std::isxdigit(static_cast<unsigned char>(ch))) {
                        typed.push_back(
                            static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
                    }
                }
                std::string printed;
                wsb::append_hex(printed, c.payload);
                FUZZ_CHECK(printed == typed);
            }
            break;
        case ConsoleCommand::Kind::error:
            FUZZ_CHECK(!c.payload.empty());
            break;
        default:
            break;
    }
    for (const bool text : {true, false}) {
        std::string out;
        wsb::echo::format_received(out, 1, text, line);
        FUZZ_CHECK(newlines(out) == 1 && out.back() == '\n');
    }
    return 0;
}
