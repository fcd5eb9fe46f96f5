// Names of the echo server's enumerations, as used on the command line and in /stats.
#include "echo_server/config.hpp"

namespace wsb::echo {

const char* to_string(Mode m) noexcept { return m == Mode::echo ? "echo" : "broadcast"; }

const char* to_string(Engine e) noexcept {
    return e == Engine::websocketpp ? "websocketpp" : "fast";
}

const char* to_string(Misbehave m) noexcept {
    switch (m) {
        case Misbehave::none:
            return "none";
        case Misbehave::no_pong:
            return "no-pong";
        case Misbehave::no_utf8_check:
            return "no-utf8-check";
        case Misbehave::ignore_rsv:
            return "ignore-rsv";
        case Misbehave::no_close_reply:
            return "no-close-reply";
        case Misbehave::wrong_close_code:
            return "wrong-close-code";
    }
    return "?";
}

}  // namespace wsb::echo
