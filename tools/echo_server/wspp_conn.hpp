// What the websocketpp engine keeps per connection, and its broadcast send queue: messages
// wait in our queue until websocketpp has written what it was handed, so the unsent bytes
// of a connection are known exactly and a full queue can be dropped before its 1008 close.
#pragma once

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <websocketpp/connection.hpp>

#include "wsbench/frame.hpp"

namespace wsb::echo::detail {

using Clock = std::chrono::steady_clock;

inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

/// How much of a connection's broadcast queue websocketpp is handed at once. websocketpp
/// writes its whole queue in one batch and keeps it until the batch is written; what it
/// holds can be neither seen nor taken back, so it is kept to this.
inline constexpr std::uint64_t kHandOver = 256 * 1024;

/// What the engine keeps per connection (websocketpp's connection_base hook).
struct ConnData {
    std::uint64_t id = 0;
    std::string peer;  ///< "ip:port" of the client
    Clock::time_point accepted_at;
    std::atomic<std::int64_t> last_active_ns{0};  ///< for --idle-timeout
    bool counted = false;        ///< counted in live_ (its TCP connection was accepted)
    bool admitted = false;       ///< counted against --max-connections
    bool paused = false;         ///< reading paused for backpressure (touched on the strand)
    bool policy_closed = false;  ///< closed with 1008 for its send queue (strand)
    std::unique_ptr<asio::steady_timer> resume_timer;
    std::string resource;                        ///< with --console: the request target
    std::string subprotocol;                     ///< with --console: as the client offered it
    std::atomic<std::uint64_t> messages_in{0};   ///< data messages received (/list)
    std::atomic<std::uint64_t> messages_out{0};  ///< data messages handed to websocketpp

    // Broadcast. `waiting` and its counts are touched on the strand only; `held_*` is what
    // websocketpp holds (queued or being written), released as its writes complete.
    std::deque<std::shared_ptr<void>> waiting;  // prepared messages (Con::message_type)
    std::uint64_t waiting_bytes = 0;
    std::atomic<std::uint64_t> held_bytes{0};
    std::atomic<std::uint64_t> held_messages{0};
    std::uint64_t lost_messages = 0;  ///< closed for its send queue: what it never got
    std::uint64_t lost_bytes = 0;

    /// Payload bytes queued for this connection and not yet written to its socket.
    std::uint64_t unsent() const noexcept {
        return waiting_bytes + held_bytes.load(std::memory_order_relaxed);
    }
};

/// The prepared message websocketpp sends for `payload` (moved in): our own frame header,
/// unmasked (§5.1), so every connection can send the same bytes.
template <class Message>
std::shared_ptr<Message> prepare_broadcast(std::shared_ptr<Message> msg, bool text) {
    FrameHeader h;
    h.opcode = text ? Opcode::text : Opcode::binary;
    h.payload_length = msg->get_payload().size();
    std::uint8_t header[kMaxFrameHeaderSize];
    const std::size_t n = encode_header(h, header, sizeof header);
    msg->set_header(std::string(reinterpret_cast<const char*>(header), n));
    msg->set_fin(true);
    msg->set_prepared(true);
    return msg;
}

template <class Con>
void hand_over(const std::shared_ptr<Con>& c);

/// One connection's hold on one broadcast message, alive exactly as long as websocketpp
/// keeps the message (queued or being written): the message pointer websocketpp gets
/// shares its ownership, so its end is the write's completion (or the connection's end).
template <class Con>
struct Held {
    std::shared_ptr<typename Con::message_type> msg;
    std::weak_ptr<Con> con;
    std::uint64_t size = 0;

    ~Held() {
        const auto c = con.lock();  // empty while the connection itself is destroyed
        if (!c) return;
        c->held_messages.fetch_sub(1, std::memory_order_relaxed);
        if (c->held_bytes.fetch_sub(size, std::memory_order_relaxed) == size &&
            !c->waiting.empty()) {
            // websocketpp wrote all it was handed: give it the next batch (on the strand,
            // not inside websocketpp's own write handler).
            asio::post(*c->get_strand(), [c] { hand_over(c); });
        }
    }
};

/// Hands websocketpp one prepared broadcast message for `c`. On the connection's strand.
template <class Con>
void give(const std::shared_ptr<Con>& c, std::shared_ptr<typename Con::message_type> msg) {
    using Message = typename Con::message_type;
    const std::uint64_t size = msg->get_payload().size();
    auto held = std::make_shared<Held<Con>>();
    held->msg = std::move(msg);
    held->con = c;
    held->size = size;
    c->held_bytes.fetch_add(size, std::memory_order_relaxed);
    c->held_messages.fetch_add(1, std::memory_order_relaxed);
    c->messages_out.fetch_add(1, std::memory_order_relaxed);
    // The aliasing constructor: websocketpp sees the shared message and owns `held`.
    Message* const shared = held->msg.get();
    c->send(std::shared_ptr<Message>(std::move(held), shared));  // fails only once closing
}

/// Hands websocketpp the messages waiting for `c`, in order, while it holds less than
/// kHandOver. On the connection's strand.
template <class Con>
void hand_over(const std::shared_ptr<Con>& c) {
    using Message = typename Con::message_type;
    while (!c->waiting.empty() && c->held_bytes.load(std::memory_order_relaxed) < kHandOver) {
        auto msg = std::static_pointer_cast<Message>(std::move(c->waiting.front()));
        c->waiting.pop_front();
        c->waiting_bytes -= msg->get_payload().size();
        if (c->get_state() == websocketpp::session::state::open) give(c, std::move(msg));
    }
}

}  // namespace wsb::echo::detail
