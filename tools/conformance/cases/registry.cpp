// The case table: every section in Autobahn's order, then the letter sections; id helpers.
#include <cctype>

#include "conformance/case.hpp"
#include "conformance/cases/common.hpp"

namespace wsb::conformance {

namespace cases {

std::string unhex(const std::string& hex) {
    std::string out;
    auto nib = [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    };
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>((nib(hex[i]) << 4) | nib(hex[i + 1]));
    }
    return out;
}

std::string repeat_to(const std::string& unit, std::size_t length) {
    std::string out;
    out.reserve(length);
    while (out.size() < length) out.append(unit, 0, std::min(unit.size(), length - out.size()));
    return out;
}

}  // namespace cases

const std::vector<CaseSpec>& all_cases() {
    static const std::vector<CaseSpec> all = [] {
        std::vector<CaseSpec> v;
        add_section1(v);
        add_section2(v);
        add_section3(v);
        add_section4(v);
        add_section5(v);
        add_section6(v);
        add_section7(v);
        add_section9(v);
        add_section10(v);
        add_section12(v);
        add_section13(v);
        add_section_handshake(v);
        add_section_masking(v);
        return v;
    }();
    return all;
}

std::string section_of(const std::string& id) { return id.substr(0, id.find('.')); }

}  // namespace wsb::conformance
