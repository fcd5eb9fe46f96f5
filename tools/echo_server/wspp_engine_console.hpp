// The websocketpp engine's side of the console (--console): the ConsoleEngine members of
// WsppEngine (included by wspp_engine.hpp only). The console's thread walks the registry of
// open connections under its lock and posts each send or close to the connection's strand.
#pragma once

namespace wsb::echo::detail {

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::apply(std::shared_ptr<const ClientOp> op, Done done) {
    MsgPtr msg;
    if (op->kind == ClientOp::Kind::send) {
        // One prepared message for every client, as a broadcast: the operator's bytes as
        // typed, with no --reply-prefix (that is for replies) and never compressed. It
        // belongs to no connection's message manager (none recycles it).
        const auto opcode =
            op->text ? websocketpp::frame::opcode::text : websocketpp::frame::opcode::binary;
        msg = std::make_shared<typename MsgPtr::element_type>(nullptr, opcode, op->payload.size());
        msg->set_payload(op->payload);
        msg = prepare_broadcast(std::move(msg), op->text);
    }
    ClientOpResult result;
    const auto now = Clock::now();
    {
        std::lock_guard<std::mutex> lock(registry_mutex_);
        for (const auto& entry : open_) {
            const ConPtr& c = entry.second;
            if (op->id != 0 && c->id != op->id) continue;
            ++result.matched;
            if (op->kind == ClientOp::Kind::send) {
                // On the strand, through the broadcast queue: --max-send-queue holds for it.
                asio::post(*c->get_strand(), [this, c, msg] { send_queued(c, msg); });
            } else if (op->kind == ClientOp::Kind::close) {
                asio::post(*c->get_strand(), [c, op] {
                    asio::error_code ignored;
                    c->close(op->code, op->payload, ignored);
                });
            } else {
                ClientRow row;
                row.id = c->id;
                row.peer = c->peer;
                row.resource = c->resource;
                row.subprotocol = c->subprotocol;
                row.seconds = std::chrono::duration<double>(now - c->accepted_at).count();
                row.in = c->messages_in.load(std::memory_order_relaxed);
                row.out = c->messages_out.load(std::memory_order_relaxed);
                result.rows.push_back(std::move(row));
            }
        }
    }
    done(std::move(result));
}

template <bool Tls, bool Deflate>
std::string WsppEngine<Tls, Deflate>::stats_json() const {
    nlohmann::json doc = stats_.snapshot();
    doc["engine"] = to_string(config_.engine);
    doc["mode"] = to_string(config_.mode);
    return doc.dump();
}

template <bool Tls, bool Deflate>
void WsppEngine<Tls, Deflate>::quit() {
    asio::post(io_, [this] { shutdown(); });
}

}  // namespace wsb::echo::detail
