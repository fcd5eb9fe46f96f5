// How the client prints: received and sent messages with a direction marker and a timestamp on
// a terminal, bare payloads in pipe mode, binary as hex, base64 or raw bytes, JSON pretty-printed
// on request. Pure: the time of day is passed in; output is appended to a caller's buffer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/config.hpp"
#include "wsbench/hex.hpp"

namespace wsb::client {

/// A local time of day to the millisecond, as printed in front of each terminal line.
struct ClockTime {
    int hour = 0, minute = 0, second = 0, millisecond = 0;
};

/// The local time of day of `t` (localtime_r).
ClockTime clock_time(std::chrono::system_clock::time_point t);

/// Which way a message went: `<` received, `>` sent; notes (`*`) are the client's own words.
enum class Direction : std::uint8_t { in, out };

struct FormatOptions {
    bool terminal = false;  ///< markers, timestamps, control characters escaped
    BinaryAs binary_as = BinaryAs::hex;
    bool json = false;  ///< pretty-print text that parses as JSON
};

/// Appends one message to `out`. Terminal: "HH:MM:SS.mmm < TEXT\n", binary as
/// "HH:MM:SS.mmm < [binary N B] HEX\n" (base64 with BinaryAs::base64; raw is hex there, since a
/// terminal cannot show bytes), control characters but tab and newline escaped as \xNN.
/// Pipe: the text as it is and "\n"; binary as hex or base64 and "\n", or with BinaryAs::raw
/// its exact bytes and no newline. With options.json, text that parses as JSON is indented by 2.
void format_message(std::string& out, Direction dir, bool binary, std::string_view payload,
                    const FormatOptions& options, ClockTime at);

/// Appends a terminal note: "HH:MM:SS.mmm * TEXT\n".
void format_note(std::string& out, std::string_view text, ClockTime at);

// append_hex and append_escaped live in libwsbench (wsbench/hex.hpp), shared with the echo
// server's console.
using wsb::append_escaped;
using wsb::append_hex;

}  // namespace wsb::client
