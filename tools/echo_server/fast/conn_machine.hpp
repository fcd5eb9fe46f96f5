// The fast engine's connection state machine: bytes read in, frames queued out, phase and
// timeout changes. It never touches a descriptor; what needs one it asks of its Host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "echo_server/config.hpp"
#include "echo_server/console.hpp"
#include "echo_server/deflate.hpp"
#include "echo_server/fast/conn.hpp"
#include "echo_server/stats.hpp"
#include "wsbench/close.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"
#include "wsbench/system.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::echo::fast {

/// The Server header of the handshake response; conformance reports name the agent by it.
const char* server_agent() noexcept;

/// The HTTP response to GET /stats carrying `doc`.
std::string stats_response(const nlohmann::json& doc);
/// The whole HTTP response of GET /metrics: the document as Prometheus text.
std::string metrics_response(const nlohmann::json& doc);

/// The state machine shared by one worker's connections: the handshake (RFC 6455 §4.2),
/// /stats and plain HTTP, frames, echo, permessage-deflate and broadcast, the closing
/// handshake (§7) and the handshake, idle and close timeouts. Replies are encoded into each
/// connection's OutputBuffer and the connection is put on dirty(); the owner writes them.
///
/// `Host` is the worker (or a test's fake) and provides, called directly (no virtual call
/// per message):
///   std::int64_t now_ns();                read when a deadline moves
///   void flush(Conn&);                    write `out` now (backpressure); may close
///   void broadcast(std::shared_ptr<const SharedFrame>);   --mode broadcast
///   nlohmann::json stats_doc();           the /stats document
///   bool shutting_down();
///   bool admit();                         one more against --max-connections
///   void close_conn(Conn&, const char* why);   drop TCP now; calls finish()
///   void resume_reading(Conn&);           backpressure is over
///   void shutdown_write(Conn&);           our close is written: send EOF (§7.1.7)
template <class Host>
class ConnMachine {
  public:
    ConnMachine(Host& host, const Config& config, Stats& stats)
        : host_(host),
          config_(config),
          stats_(stats),
          handshakes_(to_ns(config.handshake_timeout)),
          idles_(to_ns(config.idle_timeout)),
          closings_(to_ns(config.close_timeout)) {}
    ConnMachine(const ConnMachine&) = delete;
    ConnMachine& operator=(const ConnMachine&) = delete;

    /// The stats shard message counts go to (the worker thread's own).
    void bind_shard(StatsShard& shard) noexcept { shard_ = &shard; }
    /// Where received messages, opens and closes are shown (--console without
    /// --console-quiet); null, the default: nowhere, at the cost of one test per message.
    void show_on(Console* console) noexcept { console_ = console; }

    /// A connection just accepted: it waits for its request head until the handshake timeout.
    void start(Conn& c, std::int64_t now) {
        c.accepted_ns = now;
        c.head = std::make_unique<std::string>();
        handshakes_.push(c, now);
    }

    /// The bytes of one read (unmasked in place). Answers, echoes, closes or fails `c`, and
    /// flushes early (Host::flush) and pauses reading when replies pile up.
    void consume(Conn& c, std::uint8_t* data, std::size_t n);

    /// Sends our close with `code` (an open connection only) and waits for the client's.
    void start_close(Conn& c, std::uint16_t code, std::string_view reason);

    /// Fails the connection (§7.1.7): our close, then EOF; input is discarded after.
    void fail(Conn& c, std::uint16_t code, std::string_view reason);

    /// Queues a broadcast frame on `c` if open. When its output would pass --max-send-queue
    /// it drops every whole message not yet written and closes `c` with 1008 (§7.4.1: a
    /// slow reader must not stall or bloat the others), counting what it will not get.
    void broadcast_to(Conn& c, const SharedFrame& f);

    /// Queues the console's frame on `c` if open: in broadcast mode as broadcast_to() does
    /// (--max-send-queue holds), in echo mode as it is (the queue there is not made of whole
    /// frames only, so nothing in it may be dropped).
    void console_send(Conn& c, const SharedFrame& f);

    /// The socket took the first `n` bytes of `c.out`: drops them, keeping track (in
    /// broadcast mode) of where the frame being written ends.
    void written(Conn& c, std::size_t n);

    /// After a flush: resumes reading below half the high-water mark; once `out` is empty,
    /// frees it and closes or shuts down as the phase asks.
    void after_drain(Conn& c);

    /// Acts on every deadline at or before `now`: drops unfinished handshakes, closes idle
    /// connections with 1001, drops closes left unanswered.
    void sweep(std::int64_t now);

    /// `c` is gone (Host::close_conn): marks it dead, counts and logs its close, frees its
    /// buffers. The host closes the descriptor and frees `c`.
    void finish(Conn& c, const char* why);

    /// Connections with output queued this turn (each once; Conn::dirty says so).
    std::vector<Conn*>& dirty() noexcept { return dirty_; }
    const ConnTimers& handshakes() const noexcept { return handshakes_; }
    const ConnTimers& idles() const noexcept { return idles_; }
    const ConnTimers& closings() const noexcept { return closings_; }

  private:
    static std::int64_t to_ns(Millis m) { return static_cast<std::int64_t>(m.count()) * 1000000; }

    void consume_head(Conn& c, std::uint8_t* data, std::size_t n);
    void refuse(Conn& c, Errc e);
    void answer_plain_http(Conn& c, const HttpRequest& req);
    bool admit(Conn& c);
    void open(Conn& c, const HttpRequest& req, const ServerHandshakeInfo& info);
    void answer_http(Conn& c, std::string response);
    ParserOptions parser_options(const Conn& c) const;
    void consume_frames(Conn& c, std::uint8_t* data, std::size_t n);
    void on_control(Conn& c, const FrameEvent& ev);
    void on_close_frame(Conn& c, const FrameEvent& ev);
    void keep_reason(Conn& c, std::string_view reason);
    void on_data(Conn& c, Partial& p, const FrameEvent& ev);
    bool inflate(Conn& c, bool text, const std::uint8_t*& data, std::size_t& size);
    void deliver(Conn& c, bool text, const std::uint8_t* data, std::size_t size, bool compressed);
    void broadcast_message(bool text, const std::uint8_t* data, std::size_t size);
    void close_for_send_queue(Conn& c, const SharedFrame& f);
    void count_unsent(const Conn& c, std::size_t from, std::uint64_t& messages,
                      std::uint64_t& bytes) const;
    void write_frame(Conn& c, Opcode op, const std::uint8_t* data, std::size_t size,
                     bool rsv1 = false);
    void write_close(Conn& c, std::uint16_t code, std::string_view reason);
    void mark_dirty(Conn& c);
    void check_backpressure(Conn& c);
    void touch(Conn& c);
    void log_close(const Conn& c, std::uint16_t code);

    Host& host_;
    const Config& config_;
    Stats& stats_;
    StatsShard* shard_ = nullptr;
    Console* console_ = nullptr;
    Partial scratch_;  // lent to connections at rest for the length of one read
    std::vector<Conn*> dirty_;
    ConnTimers handshakes_;
    ConnTimers idles_;
    ConnTimers closings_;
};

}  // namespace wsb::echo::fast

#include "echo_server/fast/conn_machine_impl.hpp"
