// Reading a report field by field for from_json: each check names the JSON path at fault and
// throws report::FormatError, so a damaged file is refused with a message, never a crash.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "wsbench/histogram.hpp"
#include "wsbench/report/envelope.hpp"

namespace wsb::report::fields {

using json = nlohmann::json;

[[noreturn]] inline void fail(const std::string& where, const std::string& what) {
    throw FormatError(where + ": " + what);
}

/// `parent[key]`, or FormatError "missing 'key'" (and "expected an object" for a non-object).
inline const json& at(const json& parent, const std::string& path, const char* key) {
    if (!parent.is_object()) fail(path, "expected an object");
    const auto it = parent.find(key);
    if (it == parent.end()) fail(path, std::string("missing '") + key + "'");
    return *it;
}

/// `parent[key]`, or nullptr when `parent` is not an object or has no `key`.
inline const json* find(const json& parent, const char* key) {
    if (!parent.is_object()) return nullptr;
    const auto it = parent.find(key);
    return it == parent.end() ? nullptr : &*it;
}

inline std::uint64_t u64(const json& v, const std::string& where) {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
        fail(where, "expected a non-negative integer");
    }
    return v.get<std::uint64_t>();
}
inline std::uint64_t u64(const json& parent, const std::string& path, const char* key) {
    return u64(at(parent, path, key), path + "." + key);
}

inline double number(const json& parent, const std::string& path, const char* key) {
    const json& v = at(parent, path, key);
    if (!v.is_number() || v.get<double>() < 0) {
        fail(path + "." + key, "expected a non-negative number");
    }
    return v.get<double>();
}

inline std::string text(const json& v, const std::string& where) {
    if (!v.is_string()) fail(where, "expected a string");
    return v.get<std::string>();
}
inline std::string text(const json& parent, const std::string& path, const char* key) {
    return text(at(parent, path, key), path + "." + key);
}

inline bool boolean(const json& parent, const std::string& path, const char* key) {
    const json& v = at(parent, path, key);
    if (!v.is_boolean()) fail(path + "." + key, "expected true or false");
    return v.get<bool>();
}

inline std::vector<std::string> strings(const json& v, const std::string& where) {
    if (!v.is_array()) fail(where, "expected an array");
    std::vector<std::string> out;
    for (const json& s : v) {
        if (!s.is_string()) fail(where, "expected strings");
        out.push_back(s.get<std::string>());
    }
    return out;
}
inline std::vector<std::string> strings(const json& parent, const std::string& path,
                                        const char* key) {
    return strings(at(parent, path, key), path + "." + key);
}

inline const json& array(const json& parent, const std::string& path, const char* key) {
    const json& v = at(parent, path, key);
    if (!v.is_array()) fail(path + "." + key, "expected an array");
    return v;
}

/// A histogram in HdrHistogram's V2 compressed base64 encoding, decoded.
inline Histogram histogram(const json& encoded, const std::string& where) {
    if (!encoded.is_string()) fail(where, "expected a base64 HdrHistogram (V2 compressed)");
    Histogram h;
    if (Histogram::decode_base64(encoded.get<std::string>(), h) != Errc::ok) {
        fail(where, "not a valid HdrHistogram V2 encoding (corrupt or truncated)");
    }
    return h;
}
inline Histogram histogram(const json& parent, const std::string& path, const char* key) {
    return histogram(at(parent, path, key), path + "." + key);
}

}  // namespace wsb::report::fields
