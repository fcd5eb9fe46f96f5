// libFuzzer target for wsbench-client's console command parser (tools/client/command.hpp): any
// typed line parses without a crash, and what it yields keeps the RFC's limits: a close code a
// close frame may carry with a UTF-8 reason of at most 123 bytes, a ping of at most 125 bytes,
// /hex bytes that print back as the digits typed, /json that parses back to itself.
//
// Input: the line, as typed.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "client/command.hpp"
#include "client/format.hpp"
#include "fuzz_support.hpp"
#include "wsbench/close.hpp"
#include "wsbench/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using wsb::client::Command;
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const Command c = wsb::client::parse_command(line);
    switch (c.kind) {
        case Command::Kind::close:
            FUZZ_CHECK(wsb::is_valid_wire_close_code(c.code));
            FUZZ_CHECK(c.payload.size() <= wsb::kMaxCloseReason);
            FUZZ_CHECK(wsb::is_valid_utf8(c.payload));
            break;
        case Command::Kind::ping:
            FUZZ_CHECK(c.payload.size() <= 125);
            break;
        case Command::Kind::text:
            FUZZ_CHECK(line.empty() || line[0] != '/' || (line.size() > 1 && line[1] == '/'));
            break;
        case Command::Kind::json:
            FUZZ_CHECK(nlohmann::json::parse(c.payload).dump() == c.payload);
            break;
        case Command::Kind::binary:
            if (line.rfind("/hex", 0) == 0) {
                std::string typed;
                for (char ch : line.substr(4)) {
                    if (std::isxdigit(static_cast<unsigned char>(ch))) {
                        typed.push_back(
                            static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
                    }
                }
                std::string printed;
                wsb::client::append_hex(printed, c.payload);
                FUZZ_CHECK(printed == typed);
            }
            break;
        case Command::Kind::error:
            FUZZ_CHECK(!c.payload.empty());
            break;
        default:
            break;
    }
    return 0;
}
