// Matching and capturing on incoming messages with simdjson On-Demand: the keys a rule names
// are found in place; an incoming message is indexed once however many rules look at it.
#include "wsbench/scenario/matcher.hpp"

#include <simdjson.h>

#include <charconv>

#include "wsbench/proto/mqtt.hpp"

namespace wsb::scenario {

namespace od = simdjson::ondemand;

namespace {

// Set when reading a message hit an error that leaves simdjson's iterator unusable (anything
// but a missing field or a type mismatch): that message is indexed again before its next
// use, never rewound (rewinding does not clear the iterator's error).
thread_local bool t_iterator_broken = false;

// True when `e` is an error (the caller gives up on this value), noting a broken iterator.
bool bad(simdjson::error_code e) {
    if (e == simdjson::SUCCESS) return false;
    if (e != simdjson::NO_SUCH_FIELD && e != simdjson::INCORRECT_TYPE) t_iterator_broken = true;
    return true;
}

}  // namespace

struct JsonScratch::Impl {
    od::parser parser;
    std::string copy;
    od::document doc;
    /// Validates each message before On-Demand reads it: On-Demand trusts the document's
    /// structure on some paths (find_field_unordered's wrap-around assumes a ',' or '}' after
    /// each value, SIMDJSON_ASSUME), so malformed JSON from a server would be undefined
    /// behaviour there (found by scenario_match_fuzz). One full parse per message, reused
    /// buffers; a message that fails it matches no json rule.
    simdjson::dom::parser validator;

    /// The message indexed last (reset by JsonScratch::new_message): rules that look at the
    /// same message rewind its document instead of indexing it again.
    const char* indexed = nullptr;
    std::size_t indexed_size = 0;
    bool indexed_ok = false;

    /// Starts (or restarts) reading `msg` as JSON. False when simdjson refuses it at once.
    bool start(const IncomingMessage& msg) {
        const std::string_view p = msg.payload;
        if (indexed != nullptr && indexed == p.data() && indexed_size == p.size() &&
            !t_iterator_broken) {
            if (!indexed_ok) return false;
            doc.rewind();
            return true;
        }
        indexed = p.data();
        indexed_size = p.size();
        indexed_ok = reindex(msg);
        return indexed_ok;
    }

    bool reindex(const IncomingMessage& msg) {
        const std::string_view p = msg.payload;
        simdjson::padded_string_view view;
        if (msg.capacity >= p.size() + simdjson::SIMDJSON_PADDING) {
            view = simdjson::padded_string_view(p.data(), p.size(), msg.capacity);
        } else {
            copy.reserve(p.size() + simdjson::SIMDJSON_PADDING);
            copy.assign(p.data(), p.size());
            view = simdjson::padded_string_view(copy.data(), copy.size(), copy.capacity());
        }
        t_iterator_broken = false;
        simdjson::dom::element root;
        if (validator.parse(view.data(), view.size(), false).get(root)) return false;
        return !bad(parser.iterate(view).get(doc));
    }
};

JsonScratch::JsonScratch() : impl_(std::make_unique<Impl>()) {}
JsonScratch::~JsonScratch() = default;

void JsonScratch::new_message() noexcept { impl_->indexed = nullptr; }

namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && is_json_space(s.back())) s.remove_suffix(1);
    return s;
}

// The text a scalar compares by: a string's unescaped text, else its token.
bool scalar_text(od::value& v, std::string_view& out) {
    od::json_type t;
    if (bad(v.type().get(t))) return false;
    if (t == od::json_type::string) return !bad(v.get_string().get(out));
    if (t == od::json_type::object || t == od::json_type::array) return false;
    out = trim_right(v.raw_json_token());
    return true;
}

bool match_fields(od::object obj, const std::vector<JsonField>& fields, const BoundValues& bound);

bool match_value(od::value v, const JsonField& f, const BoundValues& bound) {
    switch (f.kind) {
        case JsonField::Kind::scalar: {
            std::string_view text;
            return scalar_text(v, text) && f.value_index < bound.size() &&
                   text == bound[f.value_index];
        }
        case JsonField::Kind::object: {
            od::object o;
            return !bad(v.get_object().get(o)) && match_fields(o, f.children, bound);
        }
        case JsonField::Kind::array: {
            od::array a;
            if (bad(v.get_array().get(a))) return false;
            std::size_t i = 0;
            for (auto element : a) {
                od::value ev;
                if (bad(element.get(ev)) || i >= f.children.size()) return false;
                if (!match_value(ev, f.children[i], bound)) return false;
                ++i;
            }
            return i == f.children.size();
        }
    }
    return false;
}

bool match_fields(od::object obj, const std::vector<JsonField>& fields, const BoundValues& bound) {
    for (const JsonField& f : fields) {
        od::value v;
        if (bad(obj.find_field_unordered(f.key).get(v))) return false;
        if (!match_value(v, f, bound)) return false;
    }
    return true;
}

// The value at `pointer` as text (unescaped string, or JSON text).
bool text_at(JsonScratch::Impl& js, const IncomingMessage& msg, const std::string& pointer,
             std::string_view& out) {
    if (!js.start(msg)) return false;
    if (pointer.empty()) {
        od::json_type t;
        if (bad(js.doc.type().get(t))) return false;
        if (t == od::json_type::string) return !bad(js.doc.get_string().get(out));
        out = trim_right(msg.payload);
        while (!out.empty() && is_json_space(out.front())) out.remove_prefix(1);
        return true;
    }
    od::value v;
    if (bad(js.doc.at_pointer(pointer).get(v))) return false;
    od::json_type t;
    if (bad(v.type().get(t))) return false;
    if (t == od::json_type::object) {
        od::object o;
        return !bad(v.get_object().get(o)) && !bad(o.raw_json().get(out));
    }
    if (t == od::json_type::array) {
        od::array a;
        return !bad(v.get_array().get(a)) && !bad(a.raw_json().get(out));
    }
    return scalar_text(v, out);
}

}  // namespace

bool json_path_to_pointer(std::string_view path, std::string& pointer, TemplateError& err) {
    auto fail = [&](std::size_t at, std::string message) {
        err.offset = at;
        err.message = std::move(message);
        return false;
    };
    if (path.empty() || path[0] != '$') return fail(0, "a JSON path starts with '$'");
    std::string out;
    auto add_token = [&](std::string_view token) {
        out.push_back('/');
        for (char c : token) {
            if (c == '~') {
                out += "~0";
            } else if (c == '/') {
                out += "~1";
            } else {
                out.push_back(c);
            }
        }
    };
    std::size_t i = 1;
    while (i < path.size()) {
        if (path[i] == '.') {
            const std::size_t start = ++i;
            while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
            if (i == start) return fail(start, "expected a key after '.'");
            add_token(path.substr(start, i - start));
        } else if (path[i] == '[') {
            const std::size_t start = ++i;
            if (i < path.size() && (path[i] == '\'' || path[i] == '"')) {
                const char quote = path[i];
                const std::size_t end = path.find(quote, i + 1);
                if (end == std::string_view::npos || end + 1 >= path.size() ||
                    path[end + 1] != ']') {
                    return fail(start, "expected ['key']");
                }
                add_token(path.substr(i + 1, end - i - 1));
                i = end + 2;
                continue;
            }
            while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
            if (i == start || i >= path.size() || path[i] != ']') {
                return fail(start, "expected an index such as [0] or a key such as ['a']");
            }
            add_token(path.substr(start, i - start));
            ++i;
        } else {
            return fail(i, std::string("unexpected '") + path[i] + "' (expected '.' or '[')");
        }
    }
    pointer = std::move(out);
    return true;
}

bool Matcher::is_static() const {
    for (const Template& t : values) {
        if (!t.is_literal()) return false;
    }
    return true;
}

bool Matcher::bind(const RenderContext& ctx, BoundValues& out) const {
    out.resize(values.size());
    bool ok = true;
    for (std::size_t i = 0; i < values.size(); ++i) {
        out[i].clear();
        ok = values[i].render(ctx, out[i]) && ok;
    }
    return ok;
}

bool Matcher::matches(const IncomingMessage& msg, const BoundValues& bound, JsonScratch& js) const {
    if (type && *type != msg.type) return false;
    if (kinds != 0 && (msg.kind >= 32 || ((kinds >> msg.kind) & 1u) == 0)) return false;
    auto bound_at = [&bound](std::int32_t i) -> const std::string* {
        return i >= 0 && static_cast<std::size_t>(i) < bound.size() ? &bound[i] : nullptr;
    };
    if (event_index >= 0) {
        const std::string* e = bound_at(event_index);
        if (e == nullptr) return false;
        if (event_is_filter ? !mqtt::topic_matches(*e, msg.event) : msg.event != *e) return false;
    }
    if (id_index >= 0) {
        const std::string* id = bound_at(id_index);
        if (id == nullptr || msg.id != *id) return false;
    }
    for (const auto& [name, index] : headers) {
        const std::string* want = bound_at(index);
        const MessageHeader* found = nullptr;
        for (std::size_t i = 0; i < msg.header_count && found == nullptr; ++i) {
            if (msg.headers[i].name == name) found = &msg.headers[i];
        }
        if (want == nullptr || found == nullptr || found->value != *want) return false;
    }
    if (has_contains) {
        const std::string* c = bound_at(contains_index);
        if (c == nullptr || msg.payload.find(*c) == std::string_view::npos) return false;
    }
    if (regex && !std::regex_search(msg.payload.begin(), msg.payload.end(), *regex)) {
        return false;
    }
    if (!has_json) return true;
    JsonScratch::Impl& s = js.impl();
    if (!s.start(msg)) return false;
    od::object obj;
    if (json_base.empty()) {
        if (bad(s.doc.get_object().get(obj))) return false;
    } else {
        od::value base;
        if (bad(s.doc.at_pointer(json_base).get(base)) || bad(base.get_object().get(obj))) {
            return false;
        }
    }
    return match_fields(obj, json, bound);
}

bool Capture::extract(const IncomingMessage& msg, JsonScratch& js, std::string& out) const {
    if (regex) {
        std::match_results<std::string_view::const_iterator> m;
        if (!std::regex_search(msg.payload.begin(), msg.payload.end(), m, *regex) ||
            group >= m.size() || !m[group].matched) {
            return false;
        }
        out.assign(m[group].first, m[group].second);
        return true;
    }
    std::string_view text;
    if (!text_at(js.impl(), msg, pointer, text)) return false;
    out.assign(text.data(), text.size());
    return true;
}

bool extract_integer(const IncomingMessage& msg, const std::string& pointer, JsonScratch& js,
                     std::int64_t& out) {
    std::string_view text;
    if (!text_at(js.impl(), msg, pointer, text) || text.empty()) return false;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace wsb::scenario
