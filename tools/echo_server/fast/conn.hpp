// The state of one fast-engine connection: its phase, output queue, timer links and the
// parser state it keeps only mid-frame. Protocol state only; no descriptor is touched here.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "echo_server/deflate.hpp"
#include "echo_server/fast/output_buffer.hpp"
#include "echo_server/fast/peer_addr.hpp"
#include "echo_server/fast/timer_list.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::echo::fast {

inline constexpr std::size_t kKeepCapacity = 16 * 1024;  // larger idle buffers are freed
inline constexpr std::size_t kFlushEarly = 256 * 1024;   // write before the turn ends above
inline constexpr std::uint16_t kNoCode = 1005;           // close frame without a code (§7.1.5)
inline constexpr std::uint16_t kAbnormal = 1006;         // no close frame at all (§7.1.5)

/// The steady clock in nanoseconds: what workers read and pass in as `now`.
inline std::int64_t steady_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

enum class Phase : std::uint8_t {
    handshake,  ///< reading the HTTP request head (after the TLS handshake)
    http,       ///< answered plain HTTP or refused the handshake; closes once written
    open,       ///< frames flow both ways
    closing,    ///< we sent a close and wait for the client's
    replied,    ///< we answered the client's close; closes once written
    draining,   ///< we failed the connection: after our close, discard input until EOF
    lingering,  ///< --misbehave no-close-reply: ignore everything until the client drops
    dead,
};

/// What a connection needs only while a read ends inside a frame or a message: the parser,
/// the UTF-8 state and the message so far. A connection at rest has none; the worker lends
/// it its own for each read and hands one over only when the read ends mid-frame.
struct Partial {
    FrameParser parser;
    Utf8Validator utf8;
    std::vector<std::uint8_t> msg;  // a message split over frames or reads
    bool in_message = false;
    bool text = false;  // the message being received is text

    bool at_rest() const noexcept {
        return !in_message && parser.at_frame_boundary() && !parser.message_in_progress() &&
               parser.error() == Errc::ok;
    }
};

/// What /list shows of a connection besides its counts, kept only with --console.
struct ConnLabels {
    std::string resource;     ///< the request target of the opening handshake
    std::string subprotocol;  ///< Sec-WebSocket-Protocol as offered (this server selects none)
};

/// One connection. The timer links (TimerHook) put it in at most one of its worker's
/// timeout lists; aprev/anext chain every connection of the worker.
struct Conn : TimerHook<Conn> {
    int fd = -1;
    Phase phase = Phase::handshake;
    bool readable = true;  // may have unread input (the epoll set is edge-triggered)
    bool hangup = false;   // the peer shut down or reset: read until recv() says so
    bool paused = false;   // not reading: too many unsent replies
    bool dirty = false;    // in the worker's flush list
    bool queued = false;   // in the worker's list of connections with input left
    bool shut_after_flush = false;
    bool close_after_flush = false;
    bool admitted = false;  // counted against --max-connections
    bool opened = false;    // the handshake succeeded (counted in stats as open)
    std::uint16_t remote_code = kAbnormal;
    std::uint16_t local_code = kAbnormal;
    std::uint64_t id = 0;
    std::int64_t accepted_ns = 0;
    std::uint64_t messages_in = 0;   // data messages received (for the console's /list)
    std::uint64_t messages_out = 0;  // data messages queued to it

    Conn* aprev = nullptr;  // every connection of the worker, for broadcast and shutdown
    Conn* anext = nullptr;

    PeerAddr peer;
    std::unique_ptr<std::string> head;          // the request head while it arrives
    std::unique_ptr<std::string> close_reason;  // the client's, for --log-connections
    std::unique_ptr<Partial> partial;           // only mid-frame or mid-message
    OutputBuffer out;                           // bytes not yet written
    // Broadcast mode: `out`'s first frame_rest bytes end the frame being written (0: `out`
    // starts at a frame), whose payload is front_payload bytes of a message (0: a control
    // frame or the handshake response). A close for a full send queue keeps that frame and
    // drops only whole messages after it, so the client reads a clean prefix of the stream.
    std::size_t frame_rest = 0;
    std::uint64_t front_payload = 0;
    bool queue_full = false;          // closed with 1008 for --max-send-queue
    std::uint64_t lost_messages = 0;  // then: what it was never delivered
    std::uint64_t lost_bytes = 0;
    bool reset = false;        // abort (RST) on close: the peer stopped taking our bytes
    bool release_out = false;  // free `out` once drained (after the handshake response)
    SSL* ssl = nullptr;
    std::unique_ptr<Deflate> deflate;    // permessage-deflate, when negotiated
    std::unique_ptr<ConnLabels> labels;  // with --console only
};

using ConnTimers = TimerList<Conn>;

/// The size of a whole frame in `out` (header and payload; this server's frames are never
/// masked) and whether it carries message data.
struct FrameExtent {
    std::size_t size = 0;
    std::uint64_t payload = 0;
    bool data = false;
};

/// The extent of the frame whose header starts at `p` (the whole header is there: `out`
/// only ever holds whole frames after the one being written).
inline FrameExtent frame_extent(const std::uint8_t* p) noexcept {
    FrameExtent e;
    e.data = (p[0] & 0x08) == 0;  // opcodes 0x0-0x7 are data, 0x8-0xF control (§5.2)
    std::size_t header = 2;
    e.payload = p[1] & 0x7F;
    if (e.payload == 126) {
        e.payload = (std::uint64_t{p[2]} << 8) | p[3];
        header = 4;
    } else if (e.payload == 127) {
        e.payload = 0;
        for (int i = 0; i < 8; ++i) e.payload = (e.payload << 8) | p[2 + i];
        header = 10;
    }
    e.size = header + static_cast<std::size_t>(e.payload);
    return e;
}

/// A frame built once for every connection a broadcast reaches.
struct SharedFrame {
    std::vector<std::uint8_t> bytes;
    std::size_t payload = 0;
    bool text = false;
};

}  // namespace wsb::echo::fast
