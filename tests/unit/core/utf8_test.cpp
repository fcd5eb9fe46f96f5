// Tests of wsb::Utf8Validator: vector tables from Markus Kuhn's UTF-8 decoder stress test and
// Autobahn section 6, every split of every vector, and a differential test against a slow
// reference built from the definition of UTF-8.
#include "wsbench/utf8.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace wsb {

std::ostream& operator<<(std::ostream& os, Utf8Status s) {
    switch (s) {
        case Utf8Status::complete:
            return os << "complete";
        case Utf8Status::incomplete:
            return os << "incomplete";
        case Utf8Status::invalid:
            return os << "invalid";
    }
    return os << "Utf8Status(" << static_cast<int>(s) << ")";
}

namespace {

constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

const std::uint8_t* bytes_of(const std::string& s) {
    return reinterpret_cast<const std::uint8_t*>(s.data());
}

std::string hex(const std::string& s) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (!out.empty()) out += ' ';
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Reference: UTF-8 is, by definition (RFC 3629 §3), a concatenation of the encodings of Unicode
// scalar values (U+0000-U+D7FF, U+E000-U+10FFFF). The reference enumerates all 1,112,064 of
// them with the textbook encoder, keeps every encoding and every proper prefix of one, and
// validates by extending the current sequence a byte at a time: a known encoding ends a code
// point, a known prefix needs more bytes, anything else is invalid at that byte (UTF-8 is
// prefix-free, so this greedy reading is the only one). Slow, but with nothing to get wrong.

std::string encode(char32_t cp) {
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

bool is_scalar_value(char32_t cp) { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

struct Verdict {
    Utf8Status status;
    std::size_t invalid_at;  ///< npos unless invalid
};

class Reference {
  public:
    static const Reference& get() {
        static const Reference r;
        return r;
    }

    Verdict check(const std::string& s) const {
        std::uint64_t cur = 0;
        std::uint64_t len = 0;
        for (std::size_t k = 0; k < s.size(); ++k) {
            cur = (cur << 8) | static_cast<unsigned char>(s[k]);
            ++len;
            if (std::binary_search(encodings_.begin(), encodings_.end(), key(cur, len))) {
                cur = len = 0;
            } else if (!std::binary_search(prefixes_.begin(), prefixes_.end(), key(cur, len))) {
                return {Utf8Status::invalid, k};
            }
        }
        return {len == 0 ? Utf8Status::complete : Utf8Status::incomplete, npos};
    }

    /// What the binary searches in check() rely on: both tables strictly ascending.
    bool tables_ascend() const {
        const auto ascend = [](const std::vector<std::uint64_t>& v) {
            return std::adjacent_find(v.begin(), v.end(), std::greater_equal<>()) == v.end();
        };
        return ascend(encodings_) && ascend(prefixes_) && encodings_.size() == 1112064;
    }

  private:
    // Code points in ascending order have encodings in ascending (length, bytes) order, and so
    // have the prefixes of each length: the tables come out sorted, with no sort to run (this
    // runs once per test process, 792 of them, most without optimisation).
    Reference() {
        encodings_.reserve(1112064);
        std::vector<std::uint64_t> prefixes[3];
        for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
            if (!is_scalar_value(cp)) continue;
            const std::string e = encode(cp);
            std::uint64_t cur = 0;
            for (std::size_t i = 0; i < e.size(); ++i) {
                cur = (cur << 8) | static_cast<unsigned char>(e[i]);
                if (i + 1 == e.size()) break;
                std::vector<std::uint64_t>& p = prefixes[i];
                if (p.empty() || p.back() != key(cur, i + 1)) p.push_back(key(cur, i + 1));
            }
            encodings_.push_back(key(cur, e.size()));
        }
        for (const auto& p : prefixes) prefixes_.insert(prefixes_.end(), p.begin(), p.end());
    }

    static std::uint64_t key(std::uint64_t bytes, std::uint64_t len) { return (len << 32) | bytes; }

    std::vector<std::uint64_t> encodings_;
    std::vector<std::uint64_t> prefixes_;
};

// ---------------------------------------------------------------------------------------------
// Vector table. Sources: Markus Kuhn, "UTF-8 decoder capability and stress test" (sections
// 1-5, cited "Kuhn x.y.z"), and Autobahn|Testsuite section 6 (case ids "6.x.y"), which is
// generated from Kuhn's file. `invalid_at` is the first byte after which no continuation
// could make the input valid: where a fail-fast receiver must stop (Autobahn 6.4).

struct Vector {
    std::string name;    ///< test name suffix
    std::string source;  ///< where the vector comes from
    std::string bytes;
    Utf8Status whole;        ///< status after all bytes
    std::size_t invalid_at;  ///< offset of the rejected byte, npos unless invalid
};

void PrintTo(const Vector& v, std::ostream* os) { *os << v.source << " [" << hex(v.bytes) << "]"; }

// κόσμε, the Greek word of Kuhn 1 and Autobahn 6.2.4 / 6.5.5.
const std::string kKosme = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";

std::string each_followed_by_space(unsigned lo, unsigned hi) {
    std::string s;
    for (unsigned b = lo; b <= hi; ++b) {
        s += static_cast<char>(b);
        s += ' ';
    }
    return s;
}

std::vector<Vector> make_vectors() {
    const auto C = Utf8Status::complete;
    const auto P = Utf8Status::incomplete;
    const auto X = Utf8Status::invalid;
    std::vector<Vector> v = {
        // Valid text (Kuhn 1, 2; Autobahn 6.1, 6.2, 6.5).
        {"Empty_6_1_1", "Autobahn 6.1.1 empty text", "", C, npos},
        {"Mixed_6_2_1", "Autobahn 6.2.1 Hello-µ@ßöäüàá-UTF-8!!",
         "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!", C, npos},
        {"Kosme_6_2_4", "Autobahn 6.2.4 / 6.5.5, Kuhn 1 kosme", kKosme, C, npos},
        {"Dollar_6_5_1", "Autobahn 6.5.1 hello$world", "hello$world", C, npos},
        {"Cent_6_5_2", "Autobahn 6.5.2 hello U+00A2 world", "hello\xC2\xA2world", C, npos},
        {"Euro_6_5_3", "Autobahn 6.5.3 hello U+20AC world",
         "hello\xE2\x82\xAC"
         "world",
         C, npos},
        {"Astral_6_5_4", "Autobahn 6.5.4 hello U+24B62 world", "hello\xF0\xA4\xAD\xA2world", C,
         npos},
        // Prefixes of κόσμε (Autobahn 6.6.1-6.6.11): valid only on code point boundaries.
        {"KosmePrefix1_6_6_1", "Autobahn 6.6.1", kKosme.substr(0, 1), P, npos},
        {"KosmePrefix2_6_6_2", "Autobahn 6.6.2", kKosme.substr(0, 2), C, npos},
        {"KosmePrefix3_6_6_3", "Autobahn 6.6.3", kKosme.substr(0, 3), P, npos},
        {"KosmePrefix4_6_6_4", "Autobahn 6.6.4", kKosme.substr(0, 4), P, npos},
        {"KosmePrefix5_6_6_5", "Autobahn 6.6.5", kKosme.substr(0, 5), C, npos},
        {"KosmePrefix6_6_6_6", "Autobahn 6.6.6", kKosme.substr(0, 6), P, npos},
        {"KosmePrefix7_6_6_7", "Autobahn 6.6.7", kKosme.substr(0, 7), C, npos},
        {"KosmePrefix8_6_6_8", "Autobahn 6.6.8", kKosme.substr(0, 8), P, npos},
        {"KosmePrefix9_6_6_9", "Autobahn 6.6.9", kKosme.substr(0, 9), C, npos},
        {"KosmePrefix10_6_6_10", "Autobahn 6.6.10", kKosme.substr(0, 10), P, npos},
        // Boundary conditions (Kuhn 2.1-2.3; Autobahn 6.7, 6.9, 6.11).
        {"FirstOf1_6_7_1", "Autobahn 6.7.1, Kuhn 2.1.1 U+0000", std::string(1, '\0'), C, npos},
        {"FirstOf2_6_7_2", "Autobahn 6.7.2, Kuhn 2.1.2 U+0080", "\xC2\x80", C, npos},
        {"FirstOf3_6_7_3", "Autobahn 6.7.3, Kuhn 2.1.3 U+0800", "\xE0\xA0\x80", C, npos},
        {"FirstOf4_6_7_4", "Autobahn 6.7.4, Kuhn 2.1.4 U+10000", "\xF0\x90\x80\x80", C, npos},
        {"LastOf1_6_9_1", "Autobahn 6.9.1, Kuhn 2.2.1 U+007F", "\x7F", C, npos},
        {"LastOf2_6_9_2", "Autobahn 6.9.2, Kuhn 2.2.2 U+07FF", "\xDF\xBF", C, npos},
        {"LastOf3_6_9_3", "Autobahn 6.9.3, Kuhn 2.2.3 U+FFFF", "\xEF\xBF\xBF", C, npos},
        {"LastOf4_6_9_4", "Autobahn 6.9.4, Kuhn 2.2.4 U+10FFFF", "\xF4\x8F\xBF\xBF", C, npos},
        {"BeforeSurrogates_6_11_1", "Autobahn 6.11.1, Kuhn 2.3.1 U+D7FF", "\xED\x9F\xBF", C, npos},
        {"AfterSurrogates_6_11_2", "Autobahn 6.11.2, Kuhn 2.3.2 U+E000", "\xEE\x80\x80", C, npos},
        {"Replacement_6_11_3", "Autobahn 6.11.3, Kuhn 2.3.3 U+FFFD", "\xEF\xBF\xBD", C, npos},
        {"MaxScalar_6_11_4", "Autobahn 6.11.4, Kuhn 2.3.4 U+10FFFF", "\xF4\x8F\xBF\xBF", C, npos},
        {"AboveMax_6_11_5", "Autobahn 6.11.5, Kuhn 2.3.5 U+110000", "\xF4\x90\x80\x80", X, 1},
        // Beyond 4 bytes (Kuhn 2.1.5-2.2.6; Autobahn 6.8, 6.10): the lead byte is invalid.
        {"FiveBytes_6_8_1", "Autobahn 6.8.1, Kuhn 2.1.5", "\xF8\x88\x80\x80\x80", X, 0},
        {"SixBytes_6_8_2", "Autobahn 6.8.2, Kuhn 2.1.6", "\xFC\x84\x80\x80\x80\x80", X, 0},
        {"F7_6_10_1", "Autobahn 6.10.1, Kuhn 2.2.4 U+1FFFFF", "\xF7\xBF\xBF\xBF", X, 0},
        {"FB_6_10_2", "Autobahn 6.10.2, Kuhn 2.2.5", "\xFB\xBF\xBF\xBF\xBF", X, 0},
        {"FD_6_10_3", "Autobahn 6.10.3, Kuhn 2.2.6", "\xFD\xBF\xBF\xBF\xBF\xBF", X, 0},
        // Unexpected continuation bytes (Kuhn 3.1; Autobahn 6.12).
        {"Cont80_6_12_1", "Autobahn 6.12.1, Kuhn 3.1.1", "\x80", X, 0},
        {"ContBF_6_12_2", "Autobahn 6.12.2, Kuhn 3.1.2", "\xBF", X, 0},
        {"Cont2_6_12_3", "Autobahn 6.12.3, Kuhn 3.1.3", "\x80\xBF", X, 0},
        {"Cont3_6_12_4", "Autobahn 6.12.4, Kuhn 3.1.4", "\x80\xBF\x80", X, 0},
        {"Cont7_6_12_7", "Autobahn 6.12.7, Kuhn 3.1.8", "\x80\xBF\x80\xBF\x80\xBF\x80", X, 0},
        {"ContAfterText", "Kuhn 3.1.1 after valid text", "abc\xCE\xBA\x80", X, 5},
        // Lone lead bytes followed by a space (Kuhn 3.2; Autobahn 6.13).
        {"Leads2_6_13_1", "Autobahn 6.13.1, Kuhn 3.2.1 C0-DF", each_followed_by_space(0xC0, 0xDF),
         X, 0},
        {"LeadC2Space", "Kuhn 3.2.1, first non-overlong lead", "\xC2 ", X, 1},
        {"Leads3_6_13_2", "Autobahn 6.13.2, Kuhn 3.2.2 E0-EF", each_followed_by_space(0xE0, 0xEF),
         X, 1},
        {"Leads4_6_13_3", "Autobahn 6.13.3, Kuhn 3.2.3 F0-F7", each_followed_by_space(0xF0, 0xF7),
         X, 1},
        {"Leads5_6_13_4", "Autobahn 6.13.4, Kuhn 3.2.4 F8-FB", each_followed_by_space(0xF8, 0xFB),
         X, 0},
        {"Leads6_6_13_5", "Autobahn 6.13.5, Kuhn 3.2.5 FC-FD", each_followed_by_space(0xFC, 0xFD),
         X, 0},
        // Last continuation byte missing (Kuhn 3.3; Autobahn 6.14, 6.15).
        {"Missing2_6_14_1", "Autobahn 6.14.1, Kuhn 3.3.1 C0", "\xC0", X, 0},
        {"Missing3_6_14_2", "Autobahn 6.14.2, Kuhn 3.3.2 E0 80", "\xE0\x80", X, 1},
        {"Missing4_6_14_3", "Autobahn 6.14.3, Kuhn 3.3.3 F0 80 80", "\xF0\x80\x80", X, 1},
        {"Missing5_6_14_4", "Autobahn 6.14.4, Kuhn 3.3.4", "\xF8\x80\x80\x80", X, 0},
        {"Missing6_6_14_5", "Autobahn 6.14.5, Kuhn 3.3.5", "\xFC\x80\x80\x80\x80", X, 0},
        {"MissingDF_6_14_6", "Autobahn 6.14.6, Kuhn 3.3.6 DF", "\xDF", P, npos},
        {"MissingEFBF_6_14_7", "Autobahn 6.14.7, Kuhn 3.3.7 EF BF", "\xEF\xBF", P, npos},
        {"MissingF7_6_14_8", "Autobahn 6.14.8, Kuhn 3.3.8 F7 BF BF", "\xF7\xBF\xBF", X, 0},
        {"MissingFB_6_14_9", "Autobahn 6.14.9, Kuhn 3.3.9", "\xFB\xBF\xBF\xBF", X, 0},
        {"MissingFD_6_14_10", "Autobahn 6.14.10, Kuhn 3.3.10", "\xFD\xBF\xBF\xBF\xBF", X, 0},
        {"MissingF4", "Kuhn 3.3.8 within range: F4 8F BF", "\xF4\x8F\xBF", P, npos},
        {"MissingAll_6_15_1", "Autobahn 6.15.1, Kuhn 3.4 concatenation",
         "\xC0\xE0\x80\xF0\x80\x80\xF8\x80\x80\x80\xFC\x80\x80\x80\x80\xDF\xEF\xBF\xF7\xBF\xBF"
         "\xFB\xBF\xBF\xBF\xFD\xBF\xBF\xBF\xBF",
         X, 0},
        {"TruncatedThenAscii", "Kuhn 3.3.6 followed by text",
         "\xDF"
         "a",
         X, 1},
        // Impossible bytes (Kuhn 3.5; Autobahn 6.16).
        {"FE_6_16_1", "Autobahn 6.16.1, Kuhn 3.5.1", "\xFE", X, 0},
        {"FF_6_16_2", "Autobahn 6.16.2, Kuhn 3.5.2", "\xFF", X, 0},
        {"FEFEFFFF_6_16_3", "Autobahn 6.16.3, Kuhn 3.5.3", "\xFE\xFE\xFF\xFF", X, 0},
        {"F5", "RFC 3629 §1: F5 never appears", "ab\xF5\x80\x80\x80", X, 2},
        // Overlong '/' (Kuhn 4.1; Autobahn 6.17).
        {"OverlongSlash2_6_17_1", "Autobahn 6.17.1, Kuhn 4.1.1", "\xC0\xAF", X, 0},
        {"OverlongSlash3_6_17_2", "Autobahn 6.17.2, Kuhn 4.1.2", "\xE0\x80\xAF", X, 1},
        {"OverlongSlash4_6_17_3", "Autobahn 6.17.3, Kuhn 4.1.3", "\xF0\x80\x80\xAF", X, 1},
        {"OverlongSlash5_6_17_4", "Autobahn 6.17.4, Kuhn 4.1.4", "\xF8\x80\x80\x80\xAF", X, 0},
        {"OverlongSlash6_6_17_5", "Autobahn 6.17.5, Kuhn 4.1.5", "\xFC\x80\x80\x80\x80\xAF", X, 0},
        // Maximum overlongs (Kuhn 4.2; Autobahn 6.18).
        {"MaxOverlong2_6_18_1", "Autobahn 6.18.1, Kuhn 4.2.1", "\xC1\xBF", X, 0},
        {"MaxOverlong3_6_18_2", "Autobahn 6.18.2, Kuhn 4.2.2", "\xE0\x9F\xBF", X, 1},
        {"MaxOverlong4_6_18_3", "Autobahn 6.18.3, Kuhn 4.2.3", "\xF0\x8F\xBF\xBF", X, 1},
        {"MaxOverlong5_6_18_4", "Autobahn 6.18.4, Kuhn 4.2.4", "\xF8\x87\xBF\xBF\xBF", X, 0},
        {"MaxOverlong6_6_18_5", "Autobahn 6.18.5, Kuhn 4.2.5", "\xFC\x83\xBF\xBF\xBF\xBF", X, 0},
        // Overlong NUL (Kuhn 4.3; Autobahn 6.19).
        {"OverlongNul2_6_19_1", "Autobahn 6.19.1, Kuhn 4.3.1", "\xC0\x80", X, 0},
        {"OverlongNul3_6_19_2", "Autobahn 6.19.2, Kuhn 4.3.2", "\xE0\x80\x80", X, 1},
        {"OverlongNul4_6_19_3", "Autobahn 6.19.3, Kuhn 4.3.3", "\xF0\x80\x80\x80", X, 1},
        {"OverlongNul5_6_19_4", "Autobahn 6.19.4, Kuhn 4.3.4", "\xF8\x80\x80\x80\x80", X, 0},
        {"OverlongNul6_6_19_5", "Autobahn 6.19.5, Kuhn 4.3.5", "\xFC\x80\x80\x80\x80\x80", X, 0},
        // Single surrogates (Kuhn 5.1; Autobahn 6.20): rejected at the second byte.
        {"SurrogateD800_6_20_1", "Autobahn 6.20.1, Kuhn 5.1.1", "\xED\xA0\x80", X, 1},
        {"SurrogateDB7F_6_20_2", "Autobahn 6.20.2, Kuhn 5.1.2", "\xED\xAD\xBF", X, 1},
        {"SurrogateDB80_6_20_3", "Autobahn 6.20.3, Kuhn 5.1.3", "\xED\xAE\x80", X, 1},
        {"SurrogateDBFF_6_20_4", "Autobahn 6.20.4, Kuhn 5.1.4", "\xED\xAF\xBF", X, 1},
        {"SurrogateDC00_6_20_5", "Autobahn 6.20.5, Kuhn 5.1.5", "\xED\xB0\x80", X, 1},
        {"SurrogateDF80_6_20_6", "Autobahn 6.20.6, Kuhn 5.1.6", "\xED\xBE\x80", X, 1},
        {"SurrogateDFFF_6_20_7", "Autobahn 6.20.7, Kuhn 5.1.7", "\xED\xBF\xBF", X, 1},
        // Surrogate pairs (Kuhn 5.2; Autobahn 6.21).
        {"PairD800DC00_6_21_1", "Autobahn 6.21.1, Kuhn 5.2.1", "\xED\xA0\x80\xED\xB0\x80", X, 1},
        {"PairDBFFDFFF_6_21_8", "Autobahn 6.21.8, Kuhn 5.2.8", "\xED\xAF\xBF\xED\xBF\xBF", X, 1},
        // Noncharacters are valid scalar values (Kuhn 5.3; Autobahn 6.22, 6.23).
        {"NoncharFFFE_6_22_1", "Autobahn 6.22.1, Kuhn 5.3.1 U+FFFE", "\xEF\xBF\xBE", C, npos},
        {"NoncharFFFF_6_22_2", "Autobahn 6.22.2, Kuhn 5.3.2 U+FFFF", "\xEF\xBF\xBF", C, npos},
        {"Nonchar1FFFE_6_22_3", "Autobahn 6.22.3 U+1FFFE", "\xF0\x9F\xBF\xBE", C, npos},
        {"Nonchar10FFFF_6_22_34", "Autobahn 6.22.34 U+10FFFF", "\xF4\x8F\xBF\xBF", C, npos},
        {"SpecialFFF9_6_23_1", "Autobahn 6.23.1 U+FFF9", "\xEF\xBF\xB9", C, npos},
        {"SpecialFFFD_6_23_5", "Autobahn 6.23.5 U+FFFD", "\xEF\xBF\xBD", C, npos},
        // Invalid inside a longer message (Autobahn 6.3, 6.4).
        {"SurrogateInText_6_3_1", "Autobahn 6.3.1 kosme + ED A0 80 + edited",
         kKosme + "\xED\xA0\x80"
                  "edited",
         X, 12},
        {"AboveMaxInText_6_4_1", "Autobahn 6.4.1 kosme + F4 90 80 80 + edited",
         kKosme + "\xF4\x90\x80\x80"
                  "edited",
         X, 12},
    };
    // Autobahn 6.12.8 / Kuhn 3.1.9: all 64 continuation bytes.
    std::string all_continuations;
    for (unsigned b = 0x80; b <= 0xBF; ++b) all_continuations += static_cast<char>(b);
    v.push_back(
        {"AllContinuations_6_12_8", "Autobahn 6.12.8, Kuhn 3.1.9", all_continuations, X, 0});
    // A long ASCII run before the error exercises the word-at-a-time path.
    v.push_back({"SurrogateAfterAsciiRun", "Kuhn 5.1.1 after 100 ASCII bytes",
                 std::string(100, 'x') + "\xED\xA0\x80", X, 101});
    v.push_back({"AsciiRunThenKosme", "Kuhn 1 after 37 ASCII bytes", std::string(37, 'y') + kKosme,
                 C, npos});
    return v;
}

const std::vector<Vector>& vectors() {
    static const std::vector<Vector> v = make_vectors();
    return v;
}

/// Status of the first `k` bytes of `v`, from the table's invalid offset and, for valid
/// prefixes, whether the reference sees them end on a code point boundary.
Utf8Status expected_prefix_status(const Vector& v, std::size_t k) {
    if (v.invalid_at != npos && k > v.invalid_at) return Utf8Status::invalid;
    return Reference::get().check(v.bytes.substr(0, k)).status;
}

/// The offset() a validator reports after the first `k` bytes of `v`.
std::uint64_t expected_prefix_offset(const Vector& v, std::size_t k) {
    if (v.invalid_at != npos && k > v.invalid_at) return v.invalid_at;
    return k;
}

class Utf8Vectors : public testing::TestWithParam<Vector> {};

TEST(Utf8Reference, TablesAscendSoBinarySearchFindsEveryEntry) {
    EXPECT_TRUE(Reference::get().tables_ascend());
}

TEST_P(Utf8Vectors, ReferenceAgreesWithTable) {
    const Vector& v = GetParam();
    const Verdict r = Reference::get().check(v.bytes);
    EXPECT_EQ(r.status, v.whole);
    EXPECT_EQ(r.invalid_at, v.invalid_at);
}

TEST_P(Utf8Vectors, WholeFeedReportsStatusAndOffendingByte) {
    const Vector& v = GetParam();
    Utf8Validator val;
    EXPECT_EQ(val.feed(bytes_of(v.bytes), v.bytes.size()), v.whole);
    EXPECT_EQ(val.status(), v.whole);
    EXPECT_EQ(val.complete(), v.whole == Utf8Status::complete);
    EXPECT_EQ(val.offset(), expected_prefix_offset(v, v.bytes.size()));
    EXPECT_EQ(validate_utf8(v.bytes.data(), v.bytes.size()), v.whole);
    EXPECT_EQ(is_valid_utf8(v.bytes), v.whole == Utf8Status::complete);
}

TEST_P(Utf8Vectors, EverySplitPointGivesPrefixStatusThenWholeStatus) {
    const Vector& v = GetParam();
    for (std::size_t k = 0; k <= v.bytes.size(); ++k) {
        SCOPED_TRACE("split at " + std::to_string(k));
        Utf8Validator val;
        EXPECT_EQ(val.feed(bytes_of(v.bytes), k), expected_prefix_status(v, k));
        EXPECT_EQ(val.offset(), expected_prefix_offset(v, k));
        EXPECT_EQ(val.feed(bytes_of(v.bytes) + k, v.bytes.size() - k), v.whole);
        EXPECT_EQ(val.offset(), expected_prefix_offset(v, v.bytes.size()));
    }
}

TEST_P(Utf8Vectors, ByteByByteTurnsInvalidAtTheOffendingByte) {
    const Vector& v = GetParam();
    Utf8Validator val;
    for (std::size_t k = 0; k < v.bytes.size(); ++k) {
        SCOPED_TRACE("after byte " + std::to_string(k));
        EXPECT_EQ(val.feed(bytes_of(v.bytes) + k, 1), expected_prefix_status(v, k + 1));
        EXPECT_EQ(val.offset(), expected_prefix_offset(v, k + 1));
    }
    EXPECT_EQ(val.status(), v.whole);
}

INSTANTIATE_TEST_SUITE_P(KuhnAndAutobahn6, Utf8Vectors, testing::ValuesIn(vectors()),
                         [](const testing::TestParamInfo<Vector>& i) { return i.param.name; });

// ---------------------------------------------------------------------------------------------
// Behaviour of the validator object.

TEST(Utf8Validator, StartsCompleteAndIgnoresEmptyFeeds) {
    Utf8Validator val;
    EXPECT_EQ(val.status(), Utf8Status::complete);
    EXPECT_EQ(val.feed(nullptr, 0), Utf8Status::complete);
    EXPECT_EQ(val.feed("\xE2"), Utf8Status::incomplete);
    EXPECT_EQ(val.feed(nullptr, 0), Utf8Status::incomplete);
    EXPECT_EQ(val.feed("\x82\xAC"), Utf8Status::complete);
    EXPECT_EQ(val.offset(), 3u);
}

TEST(Utf8Validator, StaysInvalidUntilResetThenValidatesANewMessage) {
    Utf8Validator val;
    EXPECT_EQ(val.feed("ab\xC0"), Utf8Status::invalid);
    EXPECT_EQ(val.offset(), 2u);
    EXPECT_EQ(val.feed("valid text"), Utf8Status::invalid);
    EXPECT_EQ(val.offset(), 2u);
    EXPECT_FALSE(val.complete());
    val.reset();
    EXPECT_EQ(val.status(), Utf8Status::complete);
    EXPECT_EQ(val.offset(), 0u);
    EXPECT_EQ(val.feed("valid text"), Utf8Status::complete);
    val.feed("\xF0\x9F");
    val.reset();  // a reset in the middle of a code point forgets it
    EXPECT_EQ(val.feed("\x98\x80"), Utf8Status::invalid);
    EXPECT_EQ(val.offset(), 0u);
}

// Autobahn 6.4.1/6.4.2: the peer sends κόσμε, then F4 90 80 80 (U+110000), then "edited", in
// separate fragments 1 s apart; a fail-fast receiver fails right after the invalid part.
TEST(Utf8Validator, FailsFastAcrossFragmentsAutobahn6_4_1) {
    Utf8Validator val;
    EXPECT_EQ(val.feed(kKosme), Utf8Status::complete);
    EXPECT_EQ(val.feed("\xF4\x90\x80\x80"), Utf8Status::invalid);
    EXPECT_EQ(val.offset(), 12u);
}

TEST(Utf8Validator, FailsFastOnTheSecondByteOfASplitSequenceAutobahn6_4_2) {
    Utf8Validator val;
    EXPECT_EQ(val.feed(kKosme + "\xF4"), Utf8Status::incomplete);  // F4 may start U+10xxxx
    EXPECT_EQ(val.feed("\x90"), Utf8Status::invalid);
    EXPECT_EQ(val.offset(), 12u);
}

// The word-at-a-time ASCII path must not skip over a bad byte, whatever its position within
// a word and whatever the alignment of the buffer.
TEST(Utf8Validator, FindsABadByteAtEveryPositionAndAlignmentOfAnAsciiRun) {
    std::string buffer(96, 'a');
    for (std::size_t align = 0; align < 8; ++align) {
        for (std::size_t len = 1; len <= 80; ++len) {
            for (std::size_t pos = 0; pos < len; ++pos) {
                std::string s(buffer.begin(),
                              buffer.begin() + static_cast<std::ptrdiff_t>(align + len));
                s[align + pos] = '\x80';
                Utf8Validator val;
                ASSERT_EQ(val.feed(bytes_of(s) + align, len), Utf8Status::invalid)
                    << "align " << align << " len " << len << " pos " << pos;
                ASSERT_EQ(val.offset(), pos);
            }
        }
    }
}

TEST(Utf8Validator, AcceptsOrRejectsAMultibyteSequenceAtEveryPositionOfAnAsciiRun) {
    struct Insert {
        std::string bytes;
        Utf8Status status;
        std::size_t invalid_after;  // bytes of `bytes` accepted before the bad one
    };
    const Insert inserts[] = {
        {"\xE2\x82\xAC", Utf8Status::complete, 0},      // U+20AC inside text
        {"\xF0\x9F\x98\x80", Utf8Status::complete, 0},  // U+1F600 inside text
        {"\xED\xA0\x80", Utf8Status::invalid, 1},       // surrogate
        {"\xF4\x90\x80\x80", Utf8Status::invalid, 1},   // above U+10FFFF
    };
    for (const Insert& ins : inserts) {
        for (std::size_t before = 0; before <= 40; ++before) {
            for (std::size_t after = 0; after <= 20; ++after) {
                const std::string s =
                    std::string(before, 'b') + ins.bytes + std::string(after, 'c');
                Utf8Validator val;
                ASSERT_EQ(val.feed(s), ins.status) << hex(s);
                ASSERT_EQ(val.offset(), ins.status == Utf8Status::invalid
                                            ? before + ins.invalid_after
                                            : s.size());
            }
            // The same sequence cut short at the end of the input.
            const std::string cut = std::string(before, 'b') + ins.bytes.substr(0, 2);
            EXPECT_EQ(validate_utf8(cut.data(), cut.size()), ins.status == Utf8Status::invalid
                                                                 ? Utf8Status::invalid
                                                                 : Utf8Status::incomplete);
        }
    }
}

TEST(Utf8Validator, CountsOffsetAcrossFeeds) {
    Utf8Validator val;
    const std::string ascii(100, 'z');
    EXPECT_EQ(val.feed(ascii), Utf8Status::complete);
    EXPECT_EQ(val.feed(ascii + "\xC3"), Utf8Status::incomplete);
    EXPECT_EQ(val.feed("\xA9\xC3\xC3"), Utf8Status::invalid);
    EXPECT_EQ(val.offset(), 203u);
}

TEST(IsValidUtf8, AcceptsCompleteTextOnly) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8(nullptr, 0));
    EXPECT_TRUE(is_valid_utf8(kKosme));
    EXPECT_FALSE(is_valid_utf8(kKosme.substr(0, 10)));  // truncated: incomplete is not valid
    EXPECT_EQ(validate_utf8(kKosme.data(), 10), Utf8Status::incomplete);
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
}

// ---------------------------------------------------------------------------------------------
// Differential tests against the reference, on fixed-seed random input.

/// Bytes that sit on the edges of the DFA's ranges, so random strings hit every transition.
std::uint8_t interesting_byte(std::mt19937& rng) {
    static const std::uint8_t edges[] = {0x00, 0x20, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                         0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                         0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF};
    std::uniform_int_distribution<int> pick(0, 9);
    const int k = pick(rng);
    if (k < 3) return static_cast<std::uint8_t>('a' + k);            // ASCII
    if (k < 6) return static_cast<std::uint8_t>(0x80 + rng() % 64);  // continuation
    return edges[rng() % sizeof edges];
}

/// Checks the validator against the reference on `s`, fed in pieces cut at `cuts`.
void expect_matches_reference(const std::string& s, std::vector<std::size_t> cuts) {
    std::sort(cuts.begin(), cuts.end());
    cuts.push_back(s.size());
    Utf8Validator val;
    std::size_t from = 0;
    for (std::size_t to : cuts) {
        const Verdict r = Reference::get().check(s.substr(0, to));
        ASSERT_EQ(val.feed(bytes_of(s) + from, to - from), r.status)
            << "[" << hex(s) << "] fed up to " << to;
        ASSERT_EQ(val.offset(), r.status == Utf8Status::invalid ? r.invalid_at : to)
            << "[" << hex(s) << "] fed up to " << to;
        from = to;
    }
}

TEST(Utf8Differential, RandomEdgeBytesMatchReferenceWholeAndSplit) {
    std::mt19937 rng(6455);
    for (int i = 0; i < 20000; ++i) {
        std::string s(rng() % 24, '\0');
        for (char& c : s) c = static_cast<char>(interesting_byte(rng));
        expect_matches_reference(s, {});
        expect_matches_reference(s, {rng() % (s.size() + 1), rng() % (s.size() + 1)});
        if (HasFatalFailure()) return;
    }
}

TEST(Utf8Differential, UniformRandomBytesMatchReferenceByteByByte) {
    std::mt19937 rng(3629);
    for (int i = 0; i < 5000; ++i) {
        std::string s(rng() % 12, '\0');
        for (char& c : s) c = static_cast<char>(rng() & 0xFF);
        std::vector<std::size_t> every(s.size());
        for (std::size_t k = 0; k < s.size(); ++k) every[k] = k;
        expect_matches_reference(s, every);
        if (HasFatalFailure()) return;
    }
}

/// A random scalar value, mostly from scripts seen in real text plus the range edges.
char32_t random_scalar(std::mt19937& rng) {
    struct Range {
        char32_t lo, hi;
    };
    static const Range ranges[] = {
        {0x20, 0x7E},        // ASCII
        {0x00, 0x7F},        // all of ASCII
        {0xA0, 0x24F},       // Latin-1 and Latin Extended
        {0x370, 0x3FF},      // Greek
        {0x400, 0x4FF},      // Cyrillic
        {0x600, 0x6FF},      // Arabic
        {0x800, 0xFFF},      // first 3-byte values
        {0x3040, 0x30FF},    // Hiragana, Katakana
        {0x4E00, 0x9FFF},    // CJK
        {0xAC00, 0xD7A3},    // Hangul
        {0xD700, 0xD7FF},    // just below the surrogates
        {0xE000, 0xE0FF},    // just above the surrogates
        {0xFFF0, 0xFFFF},    // specials and noncharacters
        {0x10000, 0x100FF},  // first 4-byte values
        {0x1F300, 0x1FAFF},  // emoji
        {0x20000, 0x2A6DF},  // CJK extension B
        {0x10FF00, 0x10FFFF},
    };
    const Range& r = ranges[rng() % (sizeof ranges / sizeof ranges[0])];
    return r.lo + static_cast<char32_t>(rng() % (r.hi - r.lo + 1));
}

std::string random_text(std::mt19937& rng, std::size_t code_points) {
    std::string s;
    for (std::size_t i = 0; i < code_points; ++i) s += encode(random_scalar(rng));
    return s;
}

TEST(Utf8Differential, RandomMultilingualTextIsCompleteWholeAndSplit) {
    std::mt19937 rng(1007);
    for (int i = 0; i < 2000; ++i) {
        const std::string s = random_text(rng, rng() % 200);
        Utf8Validator whole;
        ASSERT_EQ(whole.feed(s), Utf8Status::complete) << hex(s);
        ASSERT_EQ(whole.offset(), s.size());
        expect_matches_reference(
            s, {rng() % (s.size() + 1), rng() % (s.size() + 1), rng() % (s.size() + 1)});
        if (HasFatalFailure()) return;
    }
}

TEST(Utf8Differential, MutatedMultilingualTextMatchesReference) {
    std::mt19937 rng(1002);
    for (int i = 0; i < 3000; ++i) {
        std::string s = random_text(rng, 1 + rng() % 300);
        const std::size_t mutations = 1 + rng() % 2;
        for (std::size_t m = 0; m < mutations; ++m) {
            s[rng() % s.size()] = static_cast<char>(interesting_byte(rng));
        }
        if (rng() % 4 == 0) s.resize(rng() % (s.size() + 1));
        expect_matches_reference(s, {});
        expect_matches_reference(s, {rng() % (s.size() + 1)});
        if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace wsb
