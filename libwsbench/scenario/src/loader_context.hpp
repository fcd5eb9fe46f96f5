// The loader's shared state and its readers of YAML values, each error as
// "FILE:LINE:COL: KEY: message" (loader.cpp and loader_steps.cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "wsbench/scenario/loader.hpp"

namespace wsb::scenario::detail {

/// Loading state: the file name, the options, the names templates may use.
struct LoadContext {
    std::string file;
    std::string folder;  ///< for relative paths; empty: the current folder
    LoadOptions options;
    TemplateNames names;
    Protocol protocol = Protocol::raw;  ///< the file's protocol: which step keys are known
    /// Listen rules that steps add (graphql-ws subscribe: its `next` messages), before the
    /// file's own.
    mutable std::vector<ListenRule> step_rules;

    [[noreturn]] void fail(const YAML::Node& at, const std::string& key,
                           const std::string& message) const;
    [[noreturn]] void fail_mark(const YAML::Mark& mark, const std::string& key,
                                const std::string& message) const;

    /// Refuses every key of map `node` not in `allowed` (and a key given twice).
    void check_keys(const YAML::Node& node, const std::string& key,
                    std::initializer_list<std::string_view> allowed) const;
    /// The map `node`, or an error naming `key`.
    void require_map(const YAML::Node& node, const std::string& key) const;

    std::string text(const YAML::Node& node, const std::string& key) const;
    Nanos duration(const YAML::Node& node, const std::string& key) const;
    double rate(const YAML::Node& node, const std::string& key) const;
    std::uint64_t count(const YAML::Node& node, const std::string& key) const;
    Template templ(const YAML::Node& node, const std::string& key, Escape escape) const;
    /// Compiles a JSON path to a pointer.
    std::string json_pointer(const YAML::Node& node, const std::string& key) const;
    std::regex regex(const YAML::Node& node, const std::string& key) const;
    std::string read_file(const YAML::Node& node, const std::string& key,
                          const std::string& path) const;
};

Position position_of(const YAML::Node& node);

/// Refuses a var or capture name that a template could not name ({{NAME}}): not an
/// identifier, or a built-in (seq, uuid, conn, ...).
void check_var_name(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                    const std::string& name);

/// session: (and loop steps:) into `out`; captures' slots must already be in ctx.names.
void compile_steps(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                   std::vector<Step>& out);
/// Collects every capture variable name of the session, in order, into `names`.
void collect_captures(const YAML::Node& session, std::vector<std::string>& names);
/// A send: a string (text) or a map {name, text|json|binary}.
SendStep compile_send(const LoadContext& ctx, const YAML::Node& node, const std::string& key);
/// The match keys (json, contains, regex, type; event under socketio) of an expect or listen
/// rule.
void compile_match(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                   Matcher& out);
/// A YAML value as a JSON template: keys and literals fixed, strings templated.
void json_template(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                   Template& out);
/// A YAML value as compact JSON text, strings as written (templates unrendered).
void display_json(const YAML::Node& node, std::string& out);

// loader_protocol.cpp
/// protocol: and its settings (namespace, auth, socketio_path); sets ctx.protocol.
void compile_protocol(LoadContext& ctx, const YAML::Node& root, Scenario& s);
/// socketio's emit: a send, and with ack: true the expect of its ack.
void compile_emit(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                  Position at, std::vector<Step>& out);
/// A template of fixed text the loader writes itself (such as "{{seq}}"): it compiles.
Template fixed_template(const LoadContext& ctx, const std::string& text);
/// The expect a protocol step adds for its acknowledgement (Socket.IO ack, graphql-ws result,
/// MQTT SUBACK/PUBACK, STOMP RECEIPT): named `name`, the step's `timeout`, taking messages of
/// `kinds` whose id renders from `id` when the expect starts.
ExpectStep ack_expect(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                      std::string name, std::uint32_t kinds, const std::string& id,
                      std::string shown);

// loader_stomp.cpp
/// stomp: at the top level (login, passcode, host, heart_beat).
void compile_stomp_options(const LoadContext& ctx, const YAML::Node& root, Scenario& s);
/// A stomp: frame step (with receipt: true, the expect of its RECEIPT).
void compile_stomp_step(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                        Position at, std::vector<Step>& out);
/// stomp: (MESSAGE or RECEIPT) and headers: in a rule.
void compile_stomp_match(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                         Matcher& m);

/// mqtt's subscribe and publish steps (with their SUBACK / QoS 1 PUBACK expect).
void compile_mqtt_step(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                       const std::string& kind, Position at, std::vector<Step>& out);
/// graphql-ws's subscribe, query and mutation steps (`kind` names which); mqtt's go on to
/// compile_mqtt_step.
void compile_operation(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                       const std::string& kind, Position at, std::vector<Step>& out);
/// The protocol's match keys (socketio: event), and what every rule of the protocol sees.
void compile_protocol_match(const LoadContext& ctx, const YAML::Node& node, const std::string& key,
                            Matcher& m);

}  // namespace wsb::scenario::detail
