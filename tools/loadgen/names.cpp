// Names of the load generator's enumerations, as used on the command line and in reports.
#include "config.hpp"
#include "result.hpp"

namespace wsb::loadgen {

const char* to_string(Scenario s) noexcept {
    switch (s) {
        case Scenario::echo:
            return "echo";
        case Scenario::broadcast:
            return "broadcast";
        case Scenario::connect:
            return "connect";
    }
    return "?";
}

const char* to_string(MessageType t) noexcept {
    return t == MessageType::binary ? "binary" : "text";
}

const char* to_string(ErrorKind k) noexcept {
    switch (k) {
        case ErrorKind::connect:
            return "connect";
        case ErrorKind::tls:
            return "tls";
        case ErrorKind::handshake:
            return "handshake";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::read:
            return "read";
        case ErrorKind::write:
            return "write";
        case ErrorKind::protocol:
            return "protocol";
        case ErrorKind::closed_by_peer:
            return "closed_by_peer";
        case ErrorKind::unmatched:
            return "unmatched";
        case ErrorKind::lost:
            return "lost";
        case ErrorKind::duplicated:
            return "duplicated";
        case ErrorKind::count_:
            break;
    }
    return "?";
}

}  // namespace wsb::loadgen
