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

    Conn* aprev = nullptr;  // every connection of the worker, for broadcast and shutdown
    Conn* anext = nullptr;

    PeerAddr peer;
    std::unique_ptr<std::string> head;          // the request head while it arrives
    std::unique_ptr<std::string> close_reason;  // the client's, for --log-connections
    std::unique_ptr<Partial> partial;           // only mid-frame or mid-message
    OutputBuffer out;                           // bytes not yet written
    bool release_out = false;  // free `out` once drained (after the handshake response)
    SSL* ssl = nullptr;
    std::unique_ptr<Deflate> deflate;  // permessage-deflate, when negotiated
};

using ConnTimers = TimerList<Conn>;

/// A frame built once for every connection a broadcast reaches.
struct SharedFrame {
    std::vector<std::uint8_t> bytes;
    std::size_t payload = 0;
    bool text = false;
};

}  // namespace wsb::echo::fast
