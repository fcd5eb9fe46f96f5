// The scenario loader: the document, its top-level keys, phases, headers, the data feed,
// vars, listen rules and the heartbeat. Steps are in loader_steps.cpp.
#include "wsbench/scenario/loader.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loader_context.hpp"
#include "wsbench/units.hpp"
#include "wsbench/url.hpp"

namespace wsb::scenario {
namespace detail {

namespace {

// The longest duration a scenario may give (a week): time arithmetic never nears overflow.
constexpr Nanos kMaxDuration = std::chrono::hours(168);

std::string location(const std::string& file, const YAML::Mark& mark) {
    if (mark.is_null()) return file;
    return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool alnum =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(ch) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

}  // namespace

Position position_of(const YAML::Node& node) {
    const YAML::Mark m = node.Mark();
    if (m.is_null()) return {};
    return {static_cast<std::uint32_t>(m.line + 1), static_cast<std::uint32_t>(m.column + 1)};
}

void check_var_name(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                    const std::string& name) {
    bool ok = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
    for (char c : name) {
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_');
    }
    if (!ok)
        ctx.fail(node, key, "'" + name + "' is not a name templates can use (letters, digits, _)");
    for (const char* builtin :
         {"conn", "session", "seq", "uuid", "now_ms", "now_us", "env", "data", "rand"}) {
        if (name == builtin) ctx.fail(node, key, "'" + name + "' is a built-in template name");
    }
}

void LoadContext::fail_mark(const YAML::Mark& mark, const std::string& key,
                            const std::string& message) const {
    throw ScenarioError(location(file, mark) + ": " + (key.empty() ? "" : key + ": ") + message);
}

void LoadContext::fail(const YAML::Node& at, const std::string& key,
                       const std::string& message) const {
    fail_mark(at.Mark(), key, message);
}

void LoadContext::require_map(const YAML::Node& node, const std::string& key) const {
    if (!node.IsMap()) fail(node, key, "expected a map of keys");
}

void LoadContext::check_keys(const YAML::Node& node, const std::string& key,
                             std::initializer_list<std::string_view> allowed) const {
    require_map(node, key);
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) fail(it->first, key, "a key must be a plain name");
        const std::string k = it->first.Scalar();
        const std::string here = key.empty() ? k : key + "." + k;
        bool known = false;
        for (std::string_view a : allowed) known = known || a == k;
        if (!known) {
            std::string list;
            for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            fail(it->first, here, "unknown key (expected one of: " + list + ")");
        }
        if (!seen.insert(k).second) fail(it->first, here, "given twice");
    }
}

std::string LoadContext::text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "expected a single value");
    return node.Scalar();
}

Nanos LoadContext::duration(const YAML::Node& node, const std::string& key) const {
    const std::string s = text(node, key);
    Nanos d{0};
    if (parse_duration(s, d) != Errc::ok) {
        fail(node, key, "'" + s + "' is not a duration such as 500ms, 10s or 1m30s");
    }
    if (d > kMaxDuration)
        fail(node, key, "'" + s + "' is over the longest a scenario allows, 168h");
    return d;
}

double LoadContext::rate(const YAML::Node& node, const std::string& key) const {
    const std::string s = text(node, key);
    double r = 0;
    if (parse_rate(s, r) != Errc::ok) {
        fail(node, key, "'" + s + "' is not a rate such as 50, 10/s or 300/m");
    }
    // 0 passes (the callers say what it means there); otherwise one per 168h to 1M/s, so
    // schedules stay within 64-bit nanoseconds and above one nanosecond apart.
    if (r != 0 && (r < 1.0 / (168 * 3600) || r > 1e6)) {
        fail(node, key, "'" + s + "' is outside 1/168h to 1M/s");
    }
    return r;
}

std::uint64_t LoadContext::count(const YAML::Node& node, const std::string& key) const {
    const std::string s = text(node, key);
    std::uint64_t n = 0;
    if (parse_count(s, n) != Errc::ok)
        fail(node, key, "'" + s + "' is not a count such as 100 or 10k");
    return n;
}

Template LoadContext::templ(const YAML::Node& node, const std::string& key, Escape escape) const {
    const std::string s = text(node, key);
    Template t;
    TemplateError err;
    if (!Template::compile(s, names, escape, t, err)) {
        fail(node, key,
             "template '" + s + "', at character " + std::to_string(err.offset + 1) + ": " +
                 err.message);
    }
    return t;
}

std::string LoadContext::json_pointer(const YAML::Node& node, const std::string& key) const {
    const std::string s = text(node, key);
    std::string pointer;
    TemplateError err;
    if (!json_path_to_pointer(s, pointer, err)) {
        fail(node, key,
             "JSON path '" + s + "', at character " + std::to_string(err.offset + 1) + ": " +
                 err.message);
    }
    return pointer;
}

std::regex LoadContext::regex(const YAML::Node& node, const std::string& key) const {
    const std::string s = text(node, key);
    try {
        return std::regex(s, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        fail(node, key, "regex '" + s + "': " + e.what());
    }
}

std::string LoadContext::read_file(const YAML::Node& node, const std::string& key,
                                   const std::string& path) const {
    if (!options.allow_files) fail(node, key, "files are not allowed here");
    namespace fs = std::filesystem;
    const fs::path p =
        fs::path(path).is_absolute() || folder.empty() ? fs::path(path) : fs::path(folder) / path;
    std::ifstream in(p, std::ios::binary);
    if (!in) fail(node, key, "cannot read '" + p.string() + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace {

Phase compile_phase(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    ctx.check_keys(node, key, {"duration", "arrival_rate", "ramp_to", "users"});
    Phase p;
    p.at = position_of(node);
    if (!node["duration"]) ctx.fail(node, key, "a phase needs a duration");
    p.duration = ctx.duration(node["duration"], key + ".duration");
    if (p.duration.count() <= 0) ctx.fail(node["duration"], key + ".duration", "must be above 0");
    const bool open = bool(node["arrival_rate"]);
    if (open == bool(node["users"])) {
        ctx.fail(node, key, "give arrival_rate (open model) or users (closed model), one of them");
    }
    if (open) {
        p.open = true;
        p.arrival_rate = ctx.rate(node["arrival_rate"], key + ".arrival_rate");
        p.ramp_to = node["ramp_to"] ? ctx.rate(node["ramp_to"], key + ".ramp_to") : p.arrival_rate;
        if (p.arrival_rate <= 0 && p.ramp_to <= 0) {
            ctx.fail(node["arrival_rate"], key + ".arrival_rate",
                     "no session would start (arrival_rate and ramp_to are 0)");
        }
    } else {
        if (node["ramp_to"]) {
            ctx.fail(node["ramp_to"], key + ".ramp_to", "ramp_to goes with arrival_rate");
        }
        p.users = ctx.count(node["users"], key + ".users");
        if (p.users == 0) ctx.fail(node["users"], key + ".users", "must be at least 1");
    }
    return p;
}

void compile_headers(const LoadContext& ctx, const YAML::Node& node, Scenario& s) {
    ctx.require_map(node, "headers");
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string name = ctx.text(it->first, "headers");
        const std::string key = "headers." + name;
        if (!is_token(name)) ctx.fail(it->first, key, "a header name is an HTTP token");
        for (const auto& h : s.headers) {
            if (h.first == name) ctx.fail(it->first, key, "given twice");
        }
        s.headers.emplace_back(name, ctx.templ(it->second, key, Escape::none));
    }
}

void compile_subprotocols(const LoadContext& ctx, const YAML::Node& node, Scenario& s) {
    if (!node.IsSequence()) ctx.fail(node, "subprotocols", "expected a list such as [chat.v1]");
    for (std::size_t i = 0; i < node.size(); ++i) {
        const std::string key = "subprotocols[" + std::to_string(i) + "]";
        const std::string p = ctx.text(node[i], key);
        if (!is_token(p)) ctx.fail(node[i], key, "a subprotocol is a token (RFC 6455 §4.1)");
        s.subprotocols.push_back(p);
    }
}

void compile_data(const LoadContext& ctx, const YAML::Node& node, Scenario& s) {
    const std::string path = ctx.text(node, "data");
    const bool csv = path.size() > 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
    const bool jsonl = path.size() > 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0;
    if (!csv && !jsonl) ctx.fail(node, "data", "'" + path + "': expected a .csv or .jsonl file");
    const std::string text = ctx.read_file(node, "data", path);
    DataFeed feed;
    DataFeedError err;
    if (!(csv ? parse_csv(text, feed, err) : parse_jsonl(text, feed, err))) {
        ctx.fail(node, "data",
                 path + ":" + std::to_string(err.line) + ":" + std::to_string(err.column) + ": " +
                     err.message);
    }
    feed.path = path;
    s.data = std::move(feed);
}

void compile_vars(LoadContext& ctx, const YAML::Node& node, Scenario& s) {
    ctx.require_map(node, "vars");
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string name = ctx.text(it->first, "vars");
        const std::string key = "vars." + name;
        check_var_name(ctx, it->first, key, name);
        for (const std::string& known : ctx.names.slots) {
            if (known == name) ctx.fail(it->first, key, "given twice");
        }
        Var v;
        v.name = name;
        v.value = ctx.templ(it->second, key, Escape::none);  // sees the vars before it
        v.slot = static_cast<std::uint32_t>(ctx.names.slots.size());
        ctx.names.slots.push_back(name);
        s.vars.push_back(std::move(v));
    }
}

ListenRule compile_listen(const LoadContext& ctx, const YAML::Node& node, const std::string& key) {
    ctx.check_keys(node, key,
                   {"name", "json", "contains", "regex", "type", "sent_at", "sent_at_unit", "event",
                    "operation", "topic", "stomp", "headers"});
    ListenRule r;
    r.at = position_of(node);
    if (!node["name"]) ctx.fail(node, key, "a listen rule needs a name");
    r.name = ctx.text(node["name"], key + ".name");
    compile_match(ctx, node, key, r.match);
    if (node["sent_at"]) {
        r.sent_at_path = ctx.text(node["sent_at"], key + ".sent_at");
        r.sent_at_pointer = ctx.json_pointer(node["sent_at"], key + ".sent_at");
    }
    if (node["sent_at_unit"]) {
        const std::string u = ctx.text(node["sent_at_unit"], key + ".sent_at_unit");
        if (u != "us" && u != "ms")
            ctx.fail(node["sent_at_unit"], key + ".sent_at_unit", "expected us or ms");
        if (!node["sent_at"])
            ctx.fail(node["sent_at_unit"], key + ".sent_at_unit", "goes with sent_at");
        r.sent_at_ms = u == "ms";
    }
    return r;
}

Heartbeat compile_heartbeat(const LoadContext& ctx, const YAML::Node& node) {
    ctx.check_keys(node, "heartbeat", {"every", "send"});
    Heartbeat h;
    if (!node["every"] || !node["send"]) ctx.fail(node, "heartbeat", "needs every and send");
    h.every = ctx.duration(node["every"], "heartbeat.every");
    if (h.every.count() <= 0) ctx.fail(node["every"], "heartbeat.every", "must be above 0");
    h.send = compile_send(ctx, node["send"], "heartbeat.send");
    return h;
}

void compile_document(LoadContext& ctx, const YAML::Node& root, Scenario& s) {
    if (!root.IsMap())
        ctx.fail(root, "", "a scenario is a map of keys (url, phases, session, ...)");
    ctx.check_keys(root, "",
                   {"url", "headers", "subprotocols", "data", "vars", "phases", "session", "listen",
                    "heartbeat", "protocol", "namespace", "auth", "socketio_path",
                    "connection_params", "mqtt", "stomp"});
    if (root["url"]) {
        s.url = ctx.text(root["url"], "url");
        Url u;
        if (parse_url(s.url, u) != Errc::ok) {
            ctx.fail(root["url"], "url", "'" + s.url + "' is not a ws:// or wss:// URL");
        }
    }
    if (root["data"]) {
        compile_data(ctx, root["data"], s);
        ctx.names.data_columns = s.data->columns;
    }
    if (root["vars"]) compile_vars(ctx, root["vars"], s);
    if (root["headers"]) compile_headers(ctx, root["headers"], s);
    if (root["subprotocols"]) compile_subprotocols(ctx, root["subprotocols"], s);
    compile_protocol(ctx, root, s);
    if (root["phases"]) {
        const YAML::Node phases = root["phases"];
        if (!phases.IsSequence() || phases.size() == 0) {
            ctx.fail(phases, "phases", "expected a list of phases");
        }
        for (std::size_t i = 0; i < phases.size(); ++i) {
            s.phases.push_back(compile_phase(ctx, phases[i], "phases[" + std::to_string(i) + "]"));
        }
    }
    if (!root["session"]) ctx.fail(root, "session", "missing: the steps every session runs");
    std::vector<std::string> captures;
    collect_captures(root["session"], captures);
    for (const std::string& c : captures) {
        bool known = false;
        for (const std::string& v : ctx.names.slots) known = known || v == c;
        if (!known) ctx.names.slots.push_back(c);
    }
    s.slots = ctx.names.slots;
    compile_steps(ctx, root["session"], "session", s.program);
    s.listen = std::move(ctx.step_rules);  // a graphql-ws subscription's rule, before the file's
    if (root["listen"]) {
        const YAML::Node listen = root["listen"];
        if (!listen.IsSequence()) ctx.fail(listen, "listen", "expected a list of rules");
        for (std::size_t i = 0; i < listen.size(); ++i) {
            s.listen.push_back(compile_listen(ctx, listen[i], "listen[" + std::to_string(i) + "]"));
        }
    }
    if (root["heartbeat"]) s.heartbeat = compile_heartbeat(ctx, root["heartbeat"]);
}

// A JSON syntax error as FILE:LINE:COL, from nlohmann's byte offset.
void check_json_syntax(const LoadContext& ctx, std::string_view text) {
    try {
        const nlohmann::json parsed = nlohmann::json::parse(text);
        (void)parsed;
    } catch (const nlohmann::json::parse_error& e) {
        std::size_t line = 1;
        std::size_t column = 1;
        const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
        for (std::size_t i = 0; i < end; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        std::string what = e.what();
        const std::size_t colon = what.find("syntax error");
        throw ScenarioError(ctx.file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                            ": " + (colon == std::string::npos ? what : what.substr(colon)));
    } catch (const nlohmann::json::exception& e) {  // a number out of range: no position
        throw ScenarioError(ctx.file + ": " + e.what());
    }
}

}  // namespace
}  // namespace detail

Scenario load_scenario_text(std::string_view text, const std::string& file, bool json,
                            const LoadOptions& options) {
    detail::LoadContext ctx;
    ctx.file = file;
    ctx.folder = std::filesystem::path(file).parent_path().string();
    ctx.options = options;
    if (json) detail::check_json_syntax(ctx, text);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        ctx.fail_mark(e.mark, "", e.msg);
    }
    Scenario s;
    s.file = file;
    try {
        detail::compile_document(ctx, root, s);
    } catch (const YAML::Exception& e) {  // a shape yaml-cpp refused while we walked it
        ctx.fail_mark(e.mark, "", e.msg);
    }
    return s;
}

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ScenarioError(path + ": cannot read the scenario file");
    std::ostringstream ss;
    ss << in.rdbuf();
    const bool json = path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    return load_scenario_text(ss.str(), path, json, options);
}

std::vector<std::string> Scenario::step_names() const {
    std::vector<std::string> names;
    auto add = [&](const std::string& n) {
        for (const std::string& k : names) {
            if (k == n) return;
        }
        names.push_back(n);
    };
    for (const Step& step : program) {
        if (const auto* e = std::get_if<ExpectStep>(&step.what)) add(e->name);
    }
    for (const ListenRule& r : listen) add(r.name);
    return names;
}

}  // namespace wsb::scenario
