// The permessage-deflate parts of a loadgen report: config.deflate with --payload-file, the
// `deflate` section (negotiated connections, agreed parameters, bytes before and after
// compression both ways) and its summary row.
#include "loadgen_deflate.hpp"

#include <cstdio>

#include "json_fields.hpp"
#include "wsbench/units.hpp"

namespace wsb::report::detail {

using json = nlohmann::json;
using namespace fields;

namespace {

double ratio(std::uint64_t wire, std::uint64_t bytes) {
    return bytes == 0 ? 0.0 : static_cast<double>(wire) / static_cast<double>(bytes);
}

json direction_json(std::uint64_t bytes, std::uint64_t wire) {
    return {{"bytes", bytes}, {"wire_bytes", wire}, {"ratio", ratio(wire, bytes)}};
}

// A window size of 8 to 15 bits (RFC 7692 §7.1.2), or `zero_ok` 0.
std::uint64_t window_bits(const json& j, const std::string& path, const char* key, bool zero_ok) {
    const std::uint64_t v = u64(j, path, key);
    if ((v == 0 && !zero_ok) || (v != 0 && (v < 8 || v > 15))) {
        fail(path + "." + key, zero_ok ? "expected 0 or 8 to 15" : "expected 8 to 15");
    }
    return v;
}

// "12.3 MiB -> 1.1 MiB (9.1%)"
std::string before_after(std::uint64_t bytes, std::uint64_t wire) {
    char pct[32];
    std::snprintf(pct, sizeof pct, " (%.1f%%)", ratio(wire, bytes) * 100);
    return format_size(bytes) + " -> " + format_size(wire) + pct;
}

}  // namespace

void write_deflate_settings(json& j, const LoadgenSettings& c) {
    if (const auto& d = c.deflate) {
        j["deflate"] = {{"offer", d->offer},
                        {"client_no_context_takeover", d->client_no_context_takeover},
                        {"server_no_context_takeover", d->server_no_context_takeover},
                        {"client_max_window_bits", d->client_max_window_bits},
                        {"server_max_window_bits", d->server_max_window_bits}};
    }
    if (!c.payload_file.empty()) {
        j["payload_file"] = c.payload_file;
        j["payload_order"] = c.payload_order;
    }
}

void read_deflate_settings(const json& j, LoadgenSettings& c) {
    const std::string p = "$.config";
    if (const json* d = find(j, "deflate")) {
        const std::string dp = p + ".deflate";
        DeflateOffered o;
        o.offer = text(*d, dp, "offer");
        o.client_no_context_takeover = boolean(*d, dp, "client_no_context_takeover");
        o.server_no_context_takeover = boolean(*d, dp, "server_no_context_takeover");
        o.client_max_window_bits = window_bits(*d, dp, "client_max_window_bits", true);
        o.server_max_window_bits = window_bits(*d, dp, "server_max_window_bits", true);
        c.deflate = o;
    }
    if (find(j, "payload_file")) {
        c.payload_file = text(j, p, "payload_file");
        c.payload_order = text(j, p, "payload_order");
        if (c.payload_order != "order" && c.payload_order != "random") {
            fail(p + ".payload_order", "expected order or random, not '" + c.payload_order + "'");
        }
    }
}

double cpu_us_per_message(const LoadgenReport& r) {
    double cpu_s = 0;
    for (const ThreadHealth& t : r.threads) cpu_s += t.cpu_s;
    const std::uint64_t messages = r.messages_sent + r.messages_received;
    return messages == 0 ? 0.0 : cpu_s * 1e6 / static_cast<double>(messages);
}

void write_deflate_section(json& j, const LoadgenReport& r) {
    const auto& d = r.deflate;
    if (!d) return;
    json out = {{"connections", d->connections},
                {"sent", direction_json(d->sent_bytes, d->sent_wire_bytes)},
                {"received", direction_json(d->received_bytes, d->received_wire_bytes)},
                {"cpu_us_per_message", cpu_us_per_message(r)}};
    if (const auto& a = d->agreed) {
        out["parameters"] = {{"client_no_context_takeover", a->client_no_context_takeover},
                             {"server_no_context_takeover", a->server_no_context_takeover},
                             {"client_max_window_bits", a->client_max_window_bits},
                             {"server_max_window_bits", a->server_max_window_bits}};
    }
    j["deflate"] = std::move(out);
}

void read_deflate_section(const json& d, LoadgenReport& r) {
    const json* section = find(d, "deflate");
    if (section == nullptr) return;
    const std::string p = "$.deflate";
    DeflateCounts c;
    c.connections = u64(*section, p, "connections");
    const json& sent = at(*section, p, "sent");
    c.sent_bytes = u64(sent, p + ".sent", "bytes");
    c.sent_wire_bytes = u64(sent, p + ".sent", "wire_bytes");
    const json& received = at(*section, p, "received");
    c.received_bytes = u64(received, p + ".received", "bytes");
    c.received_wire_bytes = u64(received, p + ".received", "wire_bytes");
    if (const json* a = find(*section, "parameters")) {
        const std::string ap = p + ".parameters";
        DeflateAgreed agreed;
        agreed.client_no_context_takeover = boolean(*a, ap, "client_no_context_takeover");
        agreed.server_no_context_takeover = boolean(*a, ap, "server_no_context_takeover");
        agreed.client_max_window_bits = window_bits(*a, ap, "client_max_window_bits", false);
        agreed.server_max_window_bits = window_bits(*a, ap, "server_max_window_bits", false);
        c.agreed = agreed;
    }
    r.deflate = c;
}

std::string deflate_summary(const LoadgenReport& r) {
    const auto& d = r.deflate;
    if (!d) return {};
    std::string line = std::to_string(d->connections) + " of " +
                       std::to_string(r.connections.established) + " connections";
    if (const auto& a = d->agreed) {
        std::string params;
        if (a->client_no_context_takeover) params += " client_no_context_takeover";
        if (a->server_no_context_takeover) params += " server_no_context_takeover";
        if (a->client_max_window_bits != 15) {
            params += " client_max_window_bits=" + std::to_string(a->client_max_window_bits);
        }
        if (a->server_max_window_bits != 15) {
            params += " server_max_window_bits=" + std::to_string(a->server_max_window_bits);
        }
        if (!params.empty()) line += " (" + params.substr(1) + ")";
    }
    line += ", sent " + before_after(d->sent_bytes, d->sent_wire_bytes) + ", received " +
            before_after(d->received_bytes, d->received_wire_bytes);
    char cpu[64];
    std::snprintf(cpu, sizeof cpu, ", %.2f us CPU/message", cpu_us_per_message(r));
    return line + cpu;
}

}  // namespace wsb::report::detail
