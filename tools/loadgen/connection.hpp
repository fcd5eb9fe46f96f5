// One WebSocket connection of a load-generator worker (h2load's Client): its state and its
// state machine, connect -> TLS -> opening handshake -> open (send, receive, match) -> close.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loadgen/result.hpp"
#include "loadgen/scheduler.hpp"
#include "wsbench/deflate.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"
#include "wsbench/net/stream.hpp"

namespace wsb::loadgen {

class Worker;
struct ScriptSession;

/// The largest message a compressed one may inflate to (a decompression bomb costs at most
/// this much memory per connection): larger fails the connection with 1009.
inline constexpr std::uint64_t kMaxInflatedMessage = std::uint64_t{64} << 20;  // 64 MiB

/// Nanoseconds as whole microseconds, rounded, for the histograms (0 for negative times).
inline std::uint64_t to_us(Ns ns) {
    return ns <= 0 ? 0 : static_cast<std::uint64_t>((ns + 500) / 1000);
}

/// An allocator whose resize() leaves new bytes uninitialised: frames are written over them
/// at once, so zero-filling every payload first would be a wasted pass per message.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    DefaultInitAllocator() = default;
    template <class U>
    DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};
using ByteBuffer = std::vector<std::uint8_t, DefaultInitAllocator<std::uint8_t>>;

/// One WebSocket connection of a worker. Lives as long as its worker, which runs every one of
/// its handlers on the worker's thread; its counters and histograms are the worker's.
class Connection {
  public:
    enum class State : std::uint8_t { idle, connecting, tls, handshaking, open, closing, closed };

    Connection(Worker& w, std::uint32_t global_id, std::uint32_t local_index);
    ~Connection();

    /// Opens the TCP connection (from a --source-ip address if any), then TLS for wss://,
    /// then the opening handshake (RFC 6455 §4.1); failures count as connect, tls or
    /// handshake errors and settle the connection.
    void start_connect();
    /// The measured window is open: start sending (open loop: the first due time goes on the
    /// worker's schedule heap; closed loop: the first --pipeline messages go out now).
    void begin_sending(Ns now);
    /// Appends one masked data frame with its timing marker to `pending` (no write yet);
    /// `intended` is when the schedule wanted it sent. Sets send_done after the -n'th.
    void send_message(Ns now, Ns intended);
    /// Connect scenario: one ping carrying a timing marker.
    void send_ping(Ns now);
    /// Closed loop: the replies in flight are given up (counted as timeouts) and their
    /// pipeline slots refilled with new messages.
    void expire_replies(Ns now);
    /// Writes everything pending, unless a write is in flight (its completion flushes again).
    void flush();
    /// Starts the closing handshake with `code` (RFC 6455 §7.1.2); the answer, or the close
    /// timeout, finishes the connection.
    void close(std::uint16_t code, std::string_view reason = {});
    /// Counts an error of `kind`, fails the WebSocket connection with `close_code` if not 0
    /// (RFC 6455 §7.1.7), and drops it.
    void fail(ErrorKind kind, std::uint16_t close_code = 0);
    /// Drops the connection without a closing handshake (done, given up, or the answer came).
    void finish();
    /// Open loop: the write that held the schedule completed; back on the schedule heap.
    void unblock();
    /// Waits for input, unless --stall holds this connection back until the window ends.
    void arm_read();
    /// Scenario files: a closed plain-TCP connection that opened and has no handler left
    /// (none reading, none writing) can carry another session: reuse() makes it new again.
    bool reusable() const noexcept {
        return state == State::closed && !writing && !waiting_read && !stream.secure() &&
               handshake_started > 0;
    }
    void reuse(std::uint32_t new_id);
    /// fd: the worker's loop saw `events` (EPOLLIN, EPOLLOUT, EPOLLERR, ...) on it.
    void on_events(std::uint32_t events);
    /// fd: reads on where kReadsPerWakeup stopped a read with input left (edge-triggered, no
    /// new event would come for it).
    void read_more();

    Worker& worker;
    std::uint32_t id;           ///< global index, carried in markers (scenario files: session.id)
    const std::uint32_t local;  ///< index in the worker's vector
    State state = State::idle;
    bool counted_open = false;
    bool writing = false;
    bool waiting_read = false;
    bool send_done = false;  ///< no more messages will be sent on it
    bool dirty = false;      ///< listed in the worker's dirty_ (frames due, not yet flushed)
    bool blocked = false;    ///< open loop: schedule held while the target does not read
    net::Stream stream;      ///< TCP, with TLS layered on it for wss:// (Asio's loop)
    /// Plain TCP under the worker's own loop (reactor.hpp): the socket, -1 when closed or
    /// when the worker runs on Asio (wss://). connection_direct.cpp does its I/O.
    int fd = -1;
    std::size_t inflight_sent = 0;  ///< fd: bytes of `inflight` the kernel took so far
    bool input_missed = false;      ///< fd: input came while --stall held reading back
    bool read_queued = false;       ///< fd: in the worker's list of reads to go on with
    bool drain_input = false;  ///< fd: the peer shut or reset: read to the end, not to a short read
    bool write_failed = false;  ///< fd: a send failed; fail() runs from the loop, as Asio's would
    std::unique_ptr<std::array<std::uint8_t, 16384>> tls_buffer;  ///< TLS reads land here

    Ns started = 0;   ///< connect start
    Ns deadline = 0;  ///< connect + handshake deadline
    Ns handshake_started = 0;

    struct Handshake {
        ClientRequest request;
        std::string wire;      ///< bytes sent
        std::string response;  ///< bytes received so far
        HttpHeadScanner scanner{kDefaultMaxHttpHead};
    };
    std::unique_ptr<Handshake> handshake;

    FrameParser parser;
    ByteBuffer pending;   ///< frames waiting for the write in flight
    ByteBuffer inflight;  ///< frames being written

    std::uint32_t next_seq = 0;       ///< sequence of the next message sent
    std::uint32_t in_flight = 0;      ///< messages sent, reply not yet seen (echo)
    std::uint32_t reply_next = 0;     ///< echo: sequence of the next reply expected
    Ns last_reply = 0;                ///< closed loop: last reply (or first send), for --timeout
    std::uint64_t messages_sent = 0;  ///< messages sent in the measured window (for -n)
    std::optional<OpenLoopSchedule> schedule;  ///< open loop: when each send is due
    std::uint32_t broadcast_next = 0;  ///< broadcast: next sequence expected from the publisher
    std::string head;                  ///< first bytes of a message split across reads
    Ns last_ping = 0;                  ///< connect scenario
    std::unique_ptr<ScriptSession> script;  ///< --scenario FILE: the session it carries
    /// --deflate, when this connection negotiated permessage-deflate (RFC 7692): its client
    /// compressor and decompressor, `own_deflate` or, with no context takeover on both sides
    /// (nothing kept between messages), one the worker shares; null otherwise.
    DeflateCodec* deflate = nullptr;
    std::unique_ptr<DeflateCodec> own_deflate;
    bool deflate_message = false;          ///< the data message being read had RSV1 (§6)
    std::vector<std::uint8_t> deflate_in;  ///< a compressed message split across reads

  private:
    void on_connected();
    void connect_failed(const std::string& why);
    // The worker's own loop (connection_direct.cpp).
    void connect_direct();
    void flush_direct();
    void write_more();
    void close_direct() noexcept;
    /// One read of plain TCP into `buffer` (Asio's socket, or fd); e: would_block when
    /// nothing is there, eof when the peer closed.
    std::size_t read_plain(std::uint8_t* buffer, std::size_t size, asio::error_code& e);
    void start_tls();
    void send_handshake();
    void on_readable();
    // `capacity`: the bytes readable from `data` (size and more), so a whole message read in
    // place can be parsed as JSON without a padded copy.
    void on_bytes(std::uint8_t* data, std::size_t size, std::size_t capacity);
    void on_handshake_bytes(std::uint8_t* data, std::size_t size);
    void on_open(Ns now);
    void on_frames(std::uint8_t* data, std::size_t size, std::size_t capacity);
    // `wire_size`: the message's payload bytes on the wire (compressed, with --deflate).
    void on_message(const std::uint8_t* data, std::size_t size, std::uint64_t message_size,
                    std::uint64_t wire_size, Ns now);
    void on_script_frame(const FrameEvent& ev, Ns now, std::size_t capacity);
    /// A scenario session's whole message (in place, assembled or inflated): counted, handed
    /// to the session.
    void on_script_message(Opcode op, const std::uint8_t* data, std::size_t size,
                           std::size_t capacity, bool writable, std::uint64_t wire_size, Ns now);
    // permessage-deflate (connection_deflate.cpp).
    /// Checks the server's Sec-WebSocket-Extensions answer to --deflate's offer (RFC 7692
    /// §7.1) and creates the codec when it accepted; false (with the reason noted) when the
    /// answer must be refused.
    bool accept_deflate(const HttpResponse& response);
    /// A piece of a data message whose first frame had RSV1: assembled, inflated when whole
    /// and handed on as the plain message; a bomb past kMaxInflatedMessage fails with 1009,
    /// invalid data with 1007.
    void on_compressed(const FrameEvent& ev, Ns now);
    /// Appends a data message (compressed with RSV1 when negotiated); returns its wire size.
    std::size_t append_message(Opcode op, const std::uint8_t* payload, std::size_t size);
    void on_control(const FrameEvent& ev, Ns now);
    void on_pong(const FrameEvent& ev, Ns now);
    void on_close_frame(const FrameEvent& ev, Ns now);
    void send_control(Opcode op, const std::uint8_t* payload, std::size_t size);
    /// Appends one masked data frame (no write yet; flush() writes).
    void append_frame(Opcode op, const std::uint8_t* payload, std::size_t size, bool rsv1 = false);
    friend struct ScriptSession;
    void leave_open();
};

}  // namespace wsb::loadgen
