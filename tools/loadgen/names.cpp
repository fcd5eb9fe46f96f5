// Names of the load generator's enumerations, as used on the command line and in reports.
#include "loadgen/config.hpp"
#include "loadgen/result.hpp"

namespace wsb::loadgen {

const char* to_string(Scenario s) noexcept {
    switch (s) {
        case Scenario::echo:
            return "echo";
        case Scenario::broadcast:
            return "broadcast";
        case Scenario::connect:
            return "connect";
        case Scenario::file:
            return "file";
    }
    return "?";
}

const char* to_string(MessageType t) noexcept {
    return t == MessageType::binary ? "binary" : "text";
}

const char* to_string(ErrorKind k) noexcept {
    const auto i = static_cast<std::size_t>(k);
    return i < kErrorKinds ? report::kLoadgenErrorKinds[i] : "?";
}

}  // namespace wsb::loadgen
