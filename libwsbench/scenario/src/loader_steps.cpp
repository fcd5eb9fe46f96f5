// The scenario loader's steps: send (text, json, binary), expect (json subset, contains,
// regex, type, captures), think, loop and close, flattened into one program with loop jumps.
#include <cstring>

#include "loader_context.hpp"
#include "wsbench/base64.hpp"
#include "wsbench/close.hpp"

namespace wsb::scenario::detail {
namespace {

std::string item_key(const std::string& key, std::size_t i) {
    return key + "[" + std::to_string(i) + "]";
}

bool is_json_number(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && s[i] == '-') ++i;
    if (i >= s.size()) return false;
    if (s[i] == '0') {
        ++i;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    } else {
        return false;
    }
    if (i < s.size() && s[i] == '.') {
        const std::size_t start = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        const std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start) return false;
    }
    return i == s.size();
}

// A plain YAML scalar that JSON reads as a literal: its JSON token; else empty (a string).
std::string plain_token(const YAML::Node& node) {
    if (node.IsNull()) return "null";
    if (node.Tag() != "?") return {};  // quoted: always a string
    const std::string& s = node.Scalar();
    if (s == "~" || s == "null") return "null";
    if (s == "true" || s == "false" || is_json_number(s)) return s;
    return {};
}

}  // namespace

// A YAML value as compact JSON text, strings as written (templates unrendered): the plan's view.
void display_json(const YAML::Node& node, std::string& out) {
    if (node.IsMap()) {
        out += '{';
        bool first = true;
        for (auto it = node.begin(); it != node.end(); ++it) {
            out += first ? "\"" : ",\"";
            append_json_escaped(it->first.IsScalar() ? it->first.Scalar() : "?", out);
            out += "\":";
            display_json(it->second, out);
            first = false;
        }
        out += '}';
    } else if (node.IsSequence()) {
        out += '[';
        for (std::size_t i = 0; i < node.size(); ++i) {
            if (i > 0) out += ',';
            display_json(node[i], out);
        }
        out += ']';
    } else if (const std::string token = plain_token(node); !token.empty()) {
        out += token;
    } else if (node.IsScalar()) {
        out += '"';
        append_json_escaped(node.Scalar(), out);
        out += '"';
    }
}

// A YAML value as a JSON template: keys and literals fixed, strings templated.
void json_template(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                   Template& out) {
    if (node.IsMap()) {
        out.append_literal("{");
        bool first = true;
        for (auto it = node.begin(); it != node.end(); ++it) {
            const std::string k = ctx.text(it->first, key);
            std::string literal = first ? "\"" : ",\"";
            append_json_escaped(k, literal);
            literal += "\":";
            out.append_literal(literal);
            json_template(ctx, it->second, key + "." + k, out);
            first = false;
        }
        out.append_literal("}");
        return;
    }
    if (node.IsSequence()) {
        out.append_literal("[");
        for (std::size_t i = 0; i < node.size(); ++i) {
            if (i > 0) out.append_literal(",");
            json_template(ctx, node[i], item_key(key, i), out);
        }
        out.append_literal("]");
        return;
    }
    if (const std::string token = plain_token(node); !token.empty()) {
        out.append_literal(token);
        return;
    }
    const Template t = ctx.templ(node, key, Escape::json_string);
    if (t.is_single_integer()) {
        out.append(t);  // "{{seq}}" is written as the number it is
        return;
    }
    out.append_literal("\"");
    out.append(t);
    out.append_literal("\"");
}

namespace {

void json_field_value(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                      Matcher& m, JsonField& f);

void json_fields(const LoadContext& ctx, const YAML::Node& node, const std::string& key, Matcher& m,
                 std::vector<JsonField>& out) {
    ctx.require_map(node, key);
    for (auto it = node.begin(); it != node.end(); ++it) {
        JsonField f;
        f.key = ctx.text(it->first, key);
        json_field_value(ctx, it->second, key + "." + f.key, m, f);
        out.push_back(std::move(f));
    }
}

void json_field_value(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                      Matcher& m, JsonField& f) {
    if (node.IsMap()) {
        f.kind = JsonField::Kind::object;
        json_fields(ctx, node, key, m, f.children);
        return;
    }
    if (node.IsSequence()) {
        f.kind = JsonField::Kind::array;
        for (std::size_t i = 0; i < node.size(); ++i) {
            JsonField child;
            json_field_value(ctx, node[i], item_key(key, i), m, child);
            f.children.push_back(std::move(child));
        }
        return;
    }
    f.kind = JsonField::Kind::scalar;
    f.value_index = static_cast<std::uint32_t>(m.values.size());
    const std::string token = plain_token(node);
    m.values.push_back(token.empty() ? ctx.templ(node, key, Escape::none)
                                     : Template::literal(token));
}

std::string binary_bytes(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    ctx.check_keys(node, key, {"hex", "base64", "file"});
    if (node.size() != 1) ctx.fail(node, key, "give one of hex, base64 or file");
    if (node["hex"]) {
        std::string hex;
        for (char c : ctx.text(node["hex"], key + ".hex")) {
            if (c != ' ' && c != ':') hex.push_back(c);
        }
        std::string bytes;
        auto nibble = [](char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        for (std::size_t i = 0; i < hex.size(); i += 2) {
            const int hi = nibble(hex[i]);
            const int lo = i + 1 < hex.size() ? nibble(hex[i + 1]) : -1;
            if (hi < 0 || lo < 0)
                ctx.fail(node["hex"], key + ".hex", "expected pairs of hex digits");
            bytes.push_back(static_cast<char>((hi << 4) | lo));
        }
        return bytes;
    }
    if (node["base64"]) {
        const auto bytes = base64_decode(ctx.text(node["base64"], key + ".base64"));
        if (!bytes) ctx.fail(node["base64"], key + ".base64", "not valid base64");
        return std::string(bytes->begin(), bytes->end());
    }
    return ctx.read_file(node["file"], key + ".file", ctx.text(node["file"], key + ".file"));
}

Capture compile_capture(const LoadContext& ctx, const std::string& var, const YAML::Node& node,
                        const std::string& key) {
    Capture c;
    c.var = var;
    check_var_name(ctx, node, key, var);
    for (std::size_t i = 0; i < ctx.names.slots.size(); ++i) {
        if (ctx.names.slots[i] == var) c.slot = static_cast<std::uint32_t>(i);
    }
    if (node.IsScalar()) {
        c.path = node.Scalar();
        c.pointer = ctx.json_pointer(node, key);
        return c;
    }
    ctx.check_keys(node, key, {"regex", "group"});
    if (!node["regex"]) ctx.fail(node, key, "expected a JSON path ($.a.b) or {regex, group}");
    c.regex = ctx.regex(node["regex"], key + ".regex");
    c.regex_text = node["regex"].Scalar();
    if (node["group"]) {
        const std::uint64_t g = ctx.count(node["group"], key + ".group");
        if (g > c.regex->mark_count()) {
            ctx.fail(node["group"], key + ".group",
                     "the regex has " + std::to_string(c.regex->mark_count()) + " groups");
        }
        c.group = static_cast<std::uint32_t>(g);
    } else if (c.regex->mark_count() == 0) {
        c.group = 0;
    }
    return c;
}

ExpectStep compile_expect(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    ctx.check_keys(node, key,
                   {"name", "json", "contains", "regex", "type", "timeout", "capture", "on_timeout",
                    "event", "operation", "topic", "stomp", "headers"});
    ExpectStep e;
    if (node["name"]) e.name = ctx.text(node["name"], key + ".name");
    compile_match(ctx, node, key, e.match);
    if (node["timeout"]) {
        e.timeout = ctx.duration(node["timeout"], key + ".timeout");
        if (e.timeout.count() <= 0) ctx.fail(node["timeout"], key + ".timeout", "must be above 0");
    }
    if (node["on_timeout"]) {
        const std::string v = ctx.text(node["on_timeout"], key + ".on_timeout");
        if (v != "close" && v != "continue") {
            ctx.fail(node["on_timeout"], key + ".on_timeout", "expected continue or close");
        }
        e.close_on_timeout = v == "close";
    }
    if (node["capture"]) {
        const YAML::Node caps = node["capture"];
        ctx.require_map(caps, key + ".capture");
        for (auto it = caps.begin(); it != caps.end(); ++it) {
            const std::string var = ctx.text(it->first, key + ".capture");
            e.captures.push_back(compile_capture(ctx, var, it->second, key + ".capture." + var));
        }
    }
    return e;
}

ThinkStep compile_think(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    ThinkStep t;
    if (node.IsScalar()) {
        t.min = t.max = ctx.duration(node, key);
        return t;
    }
    ctx.check_keys(node, key, {"min", "max"});
    if (!node["min"] || !node["max"]) ctx.fail(node, key, "expected a duration or {min, max}");
    t.min = ctx.duration(node["min"], key + ".min");
    t.max = ctx.duration(node["max"], key + ".max");
    if (t.max < t.min) ctx.fail(node["max"], key + ".max", "below min");
    return t;
}

std::uint16_t close_code(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    const std::uint64_t n = ctx.count(node, key);
    if (n > 0xFFFF || !is_valid_wire_close_code(static_cast<std::uint16_t>(n)) || n == 1002 ||
        n == 1007 || n == 1010 || n == 1011) {
        ctx.fail(node, key,
                 "not a close code a client sends (1000, 1001, 1003, 1008, 1009, 3000-4999)");
    }
    return static_cast<std::uint16_t>(n);
}

CloseStep compile_close(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    CloseStep c;
    if (node.IsNull()) return c;
    if (!node.IsMap()) {
        c.code = close_code(ctx, node, key);
        return c;
    }
    ctx.check_keys(node, key, {"code", "reason"});
    if (node["reason"]) c.reason = ctx.text(node["reason"], key + ".reason");
    if (c.reason.size() > 123) {
        ctx.fail(node["reason"], key + ".reason", "at most 123 bytes (RFC 6455 §5.5)");
    }
    if (node["code"]) c.code = close_code(ctx, node["code"], key + ".code");
    return c;
}

void compile_loop(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                  Position at, std::vector<Step>& out) {
    ctx.check_keys(node, key, {"count", "duration", "rate", "steps"});
    LoopStep loop;
    if (node["count"]) loop.count = ctx.count(node["count"], key + ".count");
    if (node["duration"]) loop.duration = ctx.duration(node["duration"], key + ".duration");
    if (loop.count == 0 && loop.duration.count() <= 0) {
        ctx.fail(node, key, "a loop needs a count or a duration above 0");
    }
    if (node["rate"]) {
        loop.rate = ctx.rate(node["rate"], key + ".rate");
        if (loop.rate <= 0) ctx.fail(node["rate"], key + ".rate", "must be above 0");
    }
    if (!node["steps"]) ctx.fail(node, key, "a loop needs steps");
    const auto begin = static_cast<std::uint32_t>(out.size());
    out.push_back(Step{at, loop});
    compile_steps(ctx, node["steps"], key + ".steps", out);
    const auto end = static_cast<std::uint32_t>(out.size());
    out.push_back(Step{at, LoopEnd{begin}});
    std::get<LoopStep>(out[begin].what).end = end;
}

void compile_step(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                  std::vector<Step>& out) {
    // The steps of the file's protocol, so that an unknown key lists only those; a protocol's
    // verb under another protocol is named by its compile function ("emit goes with ...").
    const bool verb = node.IsMap() && node.size() == 1 && node.begin()->first.IsScalar() &&
                      [](const std::string& k) {
                          return k == "emit" || k == "subscribe" || k == "query" ||
                                 k == "mutation" || k == "publish" || k == "stomp";
                      }(node.begin()->first.Scalar());
    if (verb) {
        // compile_emit, compile_operation and compile_stomp_step check the protocol.
    } else
        switch (ctx.protocol) {
            case Protocol::raw:
                ctx.check_keys(node, key, {"send", "expect", "think", "loop", "close"});
                break;
            case Protocol::socketio:
                ctx.check_keys(node, key, {"send", "expect", "think", "loop", "close", "emit"});
                break;
            case Protocol::graphql_ws:
                ctx.check_keys(
                    node, key,
                    {"send", "expect", "think", "loop", "close", "subscribe", "query", "mutation"});
                break;
            case Protocol::mqtt:
                ctx.check_keys(
                    node, key,
                    {"send", "expect", "think", "loop", "close", "subscribe", "publish"});
                break;
            case Protocol::stomp:
                ctx.check_keys(node, key, {"send", "expect", "think", "loop", "close", "stomp"});
                break;
        }
    if (node.size() != 1)
        ctx.fail(node, key, "one step per list item (send, expect, think, loop or close)");
    const auto it = node.begin();
    const YAML::Node name = it->first;
    const YAML::Node value = it->second;
    const std::string kind = name.Scalar();
    const std::string here = key + "." + kind;
    const Position at = position_of(name);
    if (kind == "send") {
        out.push_back(Step{at, compile_send(ctx, value, here)});
    } else if (kind == "expect") {
        out.push_back(Step{at, compile_expect(ctx, value, here)});
    } else if (kind == "think") {
        out.push_back(Step{at, compile_think(ctx, value, here)});
    } else if (kind == "loop") {
        compile_loop(ctx, value, here, at, out);
    } else if (kind == "stomp") {
        compile_stomp_step(ctx, value, here, at, out);
    } else if (kind == "emit") {
        compile_emit(ctx, value, here, at, out);
    } else if (kind == "subscribe" || kind == "query" || kind == "mutation" || kind == "publish") {
        compile_operation(ctx, value, here, kind, at, out);
    } else {
        out.push_back(Step{at, compile_close(ctx, value, here)});
    }
}

// Each expect's origin send and its default name.
void resolve_origins(std::vector<Step>& program) {
    for (std::size_t i = 0; i < program.size(); ++i) {
        auto* e = std::get_if<ExpectStep>(&program[i].what);
        if (e == nullptr) continue;
        std::uint32_t previous = kNoSend;
        std::uint32_t named = kNoSend;
        for (std::size_t j = 0; j < program.size(); ++j) {
            const auto* s = std::get_if<SendStep>(&program[j].what);
            if (s == nullptr) continue;
            if (j < i) previous = static_cast<std::uint32_t>(j);
            if (!e->name.empty() && s->name == e->name && (named == kNoSend || j < i)) {
                named = static_cast<std::uint32_t>(j);
            }
        }
        e->origin = named != kNoSend ? named : previous;
        if (e->name.empty()) {
            const auto* s =
                e->origin == kNoSend ? nullptr : std::get_if<SendStep>(&program[e->origin].what);
            e->name = s != nullptr && !s->name.empty()
                          ? s->name
                          : "line" + std::to_string(program[i].at.line);
        }
    }
}

}  // namespace

SendStep compile_send(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    SendStep s;
    if (node.IsScalar()) {
        s.body = ctx.templ(node, key, Escape::none);
        s.shown = node.Scalar();
        return s;
    }
    ctx.check_keys(node, key, {"name", "text", "json", "binary"});
    if (node["name"]) s.name = ctx.text(node["name"], key + ".name");
    const int bodies =
        int(bool(node["text"])) + int(bool(node["json"])) + int(bool(node["binary"]));
    if (bodies != 1) ctx.fail(node, key, "give one of text, json or binary");
    if (node["text"]) {
        s.body = ctx.templ(node["text"], key + ".text", Escape::none);
        s.shown = node["text"].Scalar();
    } else if (node["json"]) {
        json_template(ctx, node["json"], key + ".json", s.body);
        s.shown = "json ";
        display_json(node["json"], s.shown);
    } else {
        s.type = MessageType::binary;
        const std::string bytes = binary_bytes(ctx, node["binary"], key + ".binary");
        s.shown = "binary, " + std::to_string(bytes.size()) + " bytes";
        s.body = Template::literal(bytes);
    }
    return s;
}

void compile_match(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                   Matcher& m) {
    if (node["json"]) {
        m.has_json = true;
        json_fields(ctx, node["json"], key + ".json", m, m.json);
    }
    if (node["contains"]) {
        m.has_contains = true;
        m.contains_index = static_cast<std::int32_t>(m.values.size());
        m.values.push_back(ctx.templ(node["contains"], key + ".contains", Escape::none));
    }
    if (node["regex"]) {
        m.regex = ctx.regex(node["regex"], key + ".regex");
        m.regex_text = node["regex"].Scalar();
    }
    if (node["type"]) {
        const std::string t = ctx.text(node["type"], key + ".type");
        if (t != "text" && t != "binary")
            ctx.fail(node["type"], key + ".type", "expected text or binary");
        m.type = t == "text" ? MessageType::text : MessageType::binary;
    }
    auto part = [&m](const std::string& text) { m.shown += (m.shown.empty() ? "" : ", ") + text; };
    if (m.has_json) {
        std::string j = "json ";
        display_json(node["json"], j);
        part(j);
    }
    if (m.has_contains) part("contains '" + m.values[m.contains_index].source() + "'");
    if (m.regex) part("regex /" + m.regex_text + "/");
    if (m.type) part(*m.type == MessageType::text ? "type text" : "type binary");
    if (m.shown.empty()) m.shown = "any message";
    compile_protocol_match(ctx, node, key, m);
}

void compile_steps(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                   std::vector<Step>& out) {
    if (!node.IsSequence() || node.size() == 0) ctx.fail(node, key, "expected a list of steps");
    const bool top = out.empty() && key == "session";
    for (std::size_t i = 0; i < node.size(); ++i) compile_step(ctx, node[i], item_key(key, i), out);
    if (top) resolve_origins(out);
}

void collect_captures(const YAML::Node& session, std::vector<std::string>& names) {
    if (!session.IsSequence()) return;
    for (std::size_t i = 0; i < session.size(); ++i) {
        const YAML::Node item = session[i];
        if (!item.IsMap()) continue;
        const YAML::Node expect = item["expect"];
        if (expect && expect.IsMap() && expect["capture"] && expect["capture"].IsMap()) {
            for (auto it = expect["capture"].begin(); it != expect["capture"].end(); ++it) {
                if (!it->first.IsScalar()) continue;
                const std::string& n = it->first.Scalar();
                bool known = false;
                for (const std::string& k : names) known = known || k == n;
                if (!known) names.push_back(n);
            }
        }
        const YAML::Node loop = item["loop"];
        if (loop && loop.IsMap() && loop["steps"]) collect_captures(loop["steps"], names);
    }
}

}  // namespace wsb::scenario::detail
