// permessage-deflate (RFC 7692) on a load-generator connection: the server's answer to
// --deflate's offer checked and the codec made (once per connection, or shared by the worker's
// connections when neither side keeps context), compressed messages assembled and inflated,
// and data messages compressed for scenario-file sessions.
#include <string>
#include <vector>

#include "loadgen/connection.hpp"
#include "loadgen/worker.hpp"
#include "wsbench/system.hpp"

namespace wsb::loadgen {

DeflateCodec& Worker::shared_deflate(const DeflateParams& params) {
    for (const auto& codec : shared_deflate_) {
        const DeflateParams& p = codec->params();
        if (p.client_max_window_bits == params.client_max_window_bits &&
            p.server_max_window_bits == params.server_max_window_bits &&
            p.client_no_context_takeover == params.client_no_context_takeover &&
            p.server_no_context_takeover == params.server_no_context_takeover) {
            return *codec;
        }
    }
    shared_deflate_.push_back(std::make_unique<DeflateCodec>(params, DeflateRole::client));
    return *shared_deflate_.back();
}

bool Connection::accept_deflate(const HttpResponse& response) {
    const Config& config = worker.config;
    if (!config.deflate) return true;
    const std::string answer = response.headers.combined("Sec-WebSocket-Extensions");
    if (answer.empty()) return true;  // declined: the connection runs uncompressed (§5)
    DeflateParams params;
    std::string error;
    if (accept_deflate_response(answer, {config.deflate_offer}, params, error)) {
        try {
            if (params.client_no_context_takeover && params.server_no_context_takeover) {
                deflate = &worker.shared_deflate(params);
            } else {
                own_deflate = std::make_unique<DeflateCodec>(params, DeflateRole::client);
                deflate = own_deflate.get();
            }
        } catch (const std::exception& e) {
            error = e.what();
        }
    }
    if (!deflate) {
        const std::string why =
            "the server's permessage-deflate answer '" + answer + "' was refused: " + error;
        if (log_enabled(LogLevel::debug)) log_line(LogLevel::debug, why);
        worker.note_first_error(why);
        return false;
    }
    // RSV1 now means "compressed" on the first frame of a data message (§6).
    ParserOptions o = parser.options();
    o.allow_rsv1 = true;
    parser = FrameParser(o);
    report::DeflateCounts& counts = worker.result.deflate;
    ++counts.connections;
    if (!counts.agreed) {
        counts.agreed = report::DeflateAgreed{
            params.client_no_context_takeover, params.server_no_context_takeover,
            static_cast<std::uint64_t>(params.client_max_window_bits),
            static_cast<std::uint64_t>(params.server_max_window_bits)};
    }
    return true;
}

void Connection::on_compressed(const FrameEvent& ev, Ns now) {
    const std::uint8_t* data = ev.data;
    std::size_t size = ev.size;
    if (ev.message_offset != 0 || !ev.message_end) {
        // Split across frames or reads: gather the compressed bytes (capacity kept).
        deflate_in.insert(deflate_in.end(), ev.data, ev.data + ev.size);
        if (!ev.message_end) return;
        data = deflate_in.data();
        size = deflate_in.size();
    }
    const DeflateCodec::Result r = deflate->inflate(data, size, kMaxInflatedMessage);
    deflate_in.clear();
    if (r != DeflateCodec::Result::ok) {
        const bool large = r == DeflateCodec::Result::too_large;
        if (log_enabled(LogLevel::debug)) {
            log_line(LogLevel::debug, large ? "a compressed message inflates past 64 MiB"
                                            : "invalid permessage-deflate data from the server");
        }
        fail(ErrorKind::protocol, large ? 1009 : 1007);
        return;
    }
    const std::vector<std::uint8_t>& plain = deflate->inflated();
    if (script) {
        on_script_message(ev.message_opcode, plain.data(), plain.size(), plain.size(), false, size,
                          now);
    } else {
        on_message(plain.data(), plain.size(), plain.size(), size, now);
    }
}

std::size_t Connection::append_message(Opcode op, const std::uint8_t* payload, std::size_t size) {
    if (!deflate) {
        append_frame(op, payload, size);
        return size;
    }
    const std::vector<std::uint8_t>& z = deflate->compress(payload, size);
    append_frame(op, z.data(), z.size(), true);
    return z.size();
}

}  // namespace wsb::loadgen
