// Reading report files: kind detection, then the loadgen model read with its JSON paths.
#include "report/input.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "wsbench/report/conformance.hpp"
#include "wsbench/report/envelope.hpp"

namespace wsb::report {
namespace {

using json = nlohmann::json;

std::string read_all(const std::string& path) {
    if (path == "-") {
        return std::string(std::istreambuf_iterator<char>(std::cin), {});
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw InputError(path + ": cannot read: " + std::strerror(errno));
    return s.str();
}

// Autobahn's index.json: {agent: {case id: {behavior, behaviorClose, ...}}}.
bool looks_like_autobahn(const json& doc) {
    if (!doc.is_object() || doc.empty() || doc.contains("schema")) return false;
    for (const auto& [agent, cases] : doc.items()) {
        if (!cases.is_object() || cases.empty()) return false;
        for (const auto& [id, result] : cases.items()) {
            if (!result.is_object() || !result.contains("behavior")) return false;
        }
    }
    return true;
}

}  // namespace

const char* to_string(ReportKind kind) noexcept {
    switch (kind) {
        case ReportKind::loadgen:
            return "loadgen";
        case ReportKind::conformance:
            return "conformance";
        case ReportKind::autobahn:
            return "autobahn";
    }
    return "?";
}

Input read_input(const std::string& path) { return parse_input(path, read_all(path)); }

Input parse_input(const std::string& path, std::string_view text) {
    Input input;
    input.path = path;
    if (text.empty()) throw InputError(path + ": empty file, expected a JSON report");
    try {
        input.doc = json::parse(text);
    } catch (const json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 1: ..." -> the tail.
        std::string what = e.what();
        const std::size_t at = what.find("parse error");
        throw InputError(path + ": not valid JSON (truncated or malformed): " +
                         (at == std::string::npos ? what : what.substr(at)));
    } catch (const json::exception& e) {
        // Valid JSON nlohmann cannot hold, e.g. a number beyond double's range (1e400):
        // "[json.exception.out_of_range.406] number overflow parsing '1e400'" -> the tail.
        std::string what = e.what();
        const std::size_t at = what.find("] ");
        throw InputError(
            path + ": unreadable JSON: " + (at == std::string::npos ? what : what.substr(at + 2)));
    }
    const json& doc = input.doc;
    if (!doc.is_object()) throw InputError(path + ": expected a JSON object (a wsbench report)");
    const auto schema = doc.find("schema");
    if (schema == doc.end()) {
        if (looks_like_autobahn(doc)) {
            input.kind = ReportKind::autobahn;
            return input;
        }
        throw InputError(path +
                         ": no 'schema' field: not a wsbench report (nor an Autobahn index.json)");
    }
    if (!schema->is_string()) throw InputError(path + ": $.schema: expected a string");
    const std::string name = schema->get<std::string>();
    if (name == kLoadgenSchema) {
        input.kind = ReportKind::loadgen;
        return input;
    }
    if (name == kConformanceSchema) {
        input.kind = ReportKind::conformance;
        return input;
    }
    const std::size_t slash = name.rfind('/');
    const std::string family = name.substr(0, slash);
    if (family == "wsbench.loadgen" || family == "wsbench.conformance") {
        throw InputError(path + ": schema '" + name + "' is newer than this wsbench-report " +
                         std::string(version()) + " reads (" +
                         (family == "wsbench.loadgen" ? kLoadgenSchema : kConformanceSchema) +
                         "); use a newer wsbench-report");
    }
    throw InputError(path + ": schema '" + name + "' is not one wsbench-report reads (" +
                     kLoadgenSchema + ", " + kConformanceSchema + ", Autobahn index.json)");
}

LoadgenFile to_loadgen(const Input& input) {
    if (input.kind != ReportKind::loadgen) {
        throw InputError(input.path + ": a " + to_string(input.kind) +
                         " report, where a load-generator report (" + kLoadgenSchema +
                         ") is expected");
    }
    LoadgenFile file;
    file.path = input.path;
    try {
        file.report = input.doc.get<LoadgenReport>();
    } catch (const FormatError& e) {
        throw InputError(input.path + ": " + e.what());
    }
    return file;
}

LoadgenFile read_loadgen(const std::string& path) { return to_loadgen(read_input(path)); }

}  // namespace wsb::report
