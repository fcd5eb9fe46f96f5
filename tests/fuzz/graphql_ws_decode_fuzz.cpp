// libFuzzer target for the graphql-transport-ws codec. The decoder takes any text; its verdict
// on well-formedness is checked against nlohmann::json, and type, id and payload must be spans
// of the text that decode again. The encoders take the input split into an id and a query, and
// must write JSON that nlohmann reads back as the same strings and that decode() accepts.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "wsbench/proto/graphql_ws.hpp"
#include "wsbench/utf8.hpp"

namespace {

namespace gql = wsb::graphql_ws;

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() &&
                            part.data() + part.size() <= whole.data() + whole.size());
}

/// Whether nlohmann reads `text` as JSON. A number too large for a double is well-formed JSON
/// that nlohmann refuses (error 406, found by this target: "88E887"), so it counts as read.
bool nlohmann_reads(std::string_view text) {
    try {
        (void)nlohmann::json::parse(text);
        return true;
    } catch (const nlohmann::json::out_of_range& e) {
        return e.id == 406;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

void check_decoder(std::string_view text) {
    gql::Message m;
    std::size_t at = 0;
    const gql::Errc e = gql::decode(text, m, &at);
    // nlohmann's lexer takes a NUL byte for the end of the input (found by this target: it
    // accepts "8\0garbage"), so it is no judge of texts that hold one.
    const bool judged = text.find('\0') == std::string_view::npos;
    const bool accepted = judged && nlohmann::json::accept(text);
    if (e == gql::Errc::bad_json) {
        FUZZ_CHECK(at <= text.size());
        FUZZ_CHECK(!accepted);  // we never refuse what a full JSON parser reads
    }
    // What we find well-formed, nlohmann does too, unless it holds invalid UTF-8 or \u escapes
    // (surrogates) that we do not check.
    if (judged && e != gql::Errc::bad_json && e != gql::Errc::too_deep &&
        wsb::is_valid_utf8(text) && text.find("\\u") == std::string_view::npos) {
        FUZZ_CHECK(accepted || nlohmann_reads(text));
    }
    if (e != gql::Errc::ok) return;
    FUZZ_CHECK(inside(m.type_text, text) && inside(m.id, text) && inside(m.payload, text));
    FUZZ_CHECK(m.type == gql::Type::unknown || gql::to_string(m.type) == m.type_text);
    if (m.payload.empty()) return;
    // The payload span is a whole JSON value: wrapped again, it decodes to itself.
    std::string again = R"({"type":"ping","payload":)";
    again.append(m.payload);
    again.push_back('}');
    gql::Message m2;
    FUZZ_CHECK(gql::decode(again, m2) == gql::Errc::ok);
    FUZZ_CHECK(m2.payload == m.payload);
}

void check_encoders(std::string_view id, std::string_view query) {
    std::string out;
    gql::encode_subscribe(out, id, query, R"({"n":1})", query);
    gql::Message m;
    FUZZ_CHECK(gql::decode(out, m) == gql::Errc::ok);
    FUZZ_CHECK(m.type == gql::Type::subscribe && m.has_id);
    std::string quoted;
    gql::append_json_string(quoted, id);
    FUZZ_CHECK(m.id == std::string_view(quoted).substr(1, quoted.size() - 2));
    if (wsb::is_valid_utf8(id) && wsb::is_valid_utf8(query)) {
        const auto j = nlohmann::json::parse(out);
        FUZZ_CHECK(j["id"].get<std::string>() == id);
        FUZZ_CHECK(j["payload"]["query"].get<std::string>() == query);
        const auto& payload = j["payload"];
        FUZZ_CHECK(query.empty() ? !payload.contains("operationName")
                                 : payload["operationName"].get<std::string>() == query);
    }
    out.clear();
    gql::encode_complete(out, id);
    FUZZ_CHECK(gql::decode(out, m) == gql::Errc::ok && m.type == gql::Type::complete);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    check_decoder(text);
    const std::size_t cut = text.find('\x01');
    if (cut != std::string::npos) {
        check_encoders(std::string_view(text).substr(0, cut), std::string_view(text).substr(cut));
    } else {
        check_encoders({}, text);
    }
    return 0;
}
