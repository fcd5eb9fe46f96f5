// Bytes as text and back for consoles: hex digits typed or printed, control characters escaped.
// Shared by wsbench-client and the echo server's console (both parse "/hex 00ff" and print what
// peers send). Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

namespace wsb {

/// Decodes hex digits separated by optional spaces, tabs or ':' ("00ff 10:20"). Returns an
/// empty string and sets `error` ("odd number of hex digits", "'g' at column 3 is not a hex
/// digit", "a lone hex digit before column 4") on failure; `error` is untouched on success.
std::string decode_hex(std::string_view text, std::string& error);

/// Appends the lower-case hex digits of `bytes`, no separators.
void append_hex(std::string& out, std::string_view bytes);

/// Appends `text` with control characters (but tab and newline) and DEL as \xNN, for a
/// terminal; bytes of 0x80 and above pass (UTF-8).
void append_escaped(std::string& out, std::string_view text);

}  // namespace wsb
