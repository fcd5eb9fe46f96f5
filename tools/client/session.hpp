// Session: one client connection on an Asio loop: resolve, TCP, TLS for wss://, the opening
// handshake (RFC 6455 §4.1), then frames both ways with masking (§5.3), reassembly, UTF-8 checks
// of text (§8.1), ping answers (§5.5.2) and the closing handshake (§7). It tells a handler what
// happens and how the connection ended; it never prints and never exits.
#pragma once

#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "client/config.hpp"
#include "wsbench/deflate.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"
#include "wsbench/net/stream.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::client {

/// How a connection ended: each kind is one line for the user and decides the exit code.
struct Ending {
    enum class Kind : std::uint8_t {
        closed,            ///< the closing handshake completed (§7.1.4)
        lost,              ///< TCP ended without a close frame (§7.1.5: 1006)
        protocol_error,    ///< we failed the connection (§7.1.7), `code` is what we sent
        connect_failed,    ///< resolve, TCP connect or TLS failed
        handshake_failed,  ///< the server's answer was not a valid 101 (§4.1)
        connect_timeout,   ///< not open within --connect-timeout
        close_timeout,     ///< our close frame got no answer in time
    };
    Kind kind = Kind::lost;
    bool by_us = false;      ///< closed: we sent the first close frame
    std::uint16_t code = 0;  ///< closed: the server's code (0: none, 1005); protocol_error: ours
    std::string reason;      ///< closed: the server's reason
    std::string message;     ///< one sentence for the user
};

/// What the opening handshake exchanged (for -v) and chose.
struct OpenInfo {
    std::string request;   ///< our request head as sent
    std::string response;  ///< the server's response head as received
    std::string subprotocol;
    std::string extensions;  ///< the Sec-WebSocket-Extensions agreed (empty: none)
};

/// Receives a session's events on the loop's thread.
class SessionHandler {
  public:
    virtual ~SessionHandler() = default;
    /// Our handshake request went out (for -v).
    virtual void on_request(std::string_view head) = 0;
    /// The server's response head arrived, valid or not (for -v: "bad handshake" debugging).
    virtual void on_response(std::string_view head) = 0;
    virtual void on_open(const OpenInfo& info) = 0;
    /// A whole data message; `payload` is valid during the call only.
    virtual void on_message(bool binary, std::string_view payload) = 0;
    /// A ping from the server, already answered with a pong carrying the same payload.
    virtual void on_ping(std::string_view payload) = 0;
    virtual void on_pong(std::string_view payload) = 0;
    /// Everything queued was written (send() may have queued much more than the socket took).
    virtual void on_writable() {}
    /// Called once, last; the session does nothing after it.
    virtual void on_end(const Ending& ending) = 0;
};

/// What --deflate offers: what browsers offer, `permessage-deflate; client_max_window_bits`.
DeflateOffer client_deflate_offer();

/// One connection. Held by shared_ptr: its pending operations keep it alive.
class Session : public std::enable_shared_from_this<Session> {
  public:
    /// `tls` is the client context for wss:// (null for ws://); it, `config` and `handler`
    /// must outlive the session's operations.
    Session(asio::io_context& io, const Config& config, asio::ssl::context* tls,
            SessionHandler& handler);

    /// Resolves and connects; on_open or on_end follows.
    void start();
    /// True between on_open and the first close frame.
    bool is_open() const noexcept { return state_ == State::open; }
    /// True once the session ended (on_end was called, or abort()).
    bool done() const noexcept { return state_ == State::done; }
    /// Bytes queued or being written: what the socket has not taken yet.
    std::size_t buffered() const noexcept { return out_pending_.size() + out_flight_.size(); }
    /// Sends a text, binary or ping frame (masked, FIN). Ignored unless open.
    void send(Opcode opcode, std::string_view payload);
    /// Starts the closing handshake with `code` and `reason` (§5.5.1); on_end(closed) follows
    /// the server's answer, close_timeout when none comes. Before open it ends the attempt.
    void close(std::uint16_t code, std::string_view reason);
    /// Drops the connection at once; no on_end.
    void abort();

  private:
    enum class State : std::uint8_t {
        idle,
        connecting,
        handshaking,
        open,
        closing,
        draining,
        done
    };

    void on_connected();
    void send_handshake();
    void on_handshake_bytes(const std::uint8_t* data, std::size_t size);
    void read();
    void on_read(const asio::error_code& ec, std::size_t n);
    void on_frames(std::uint8_t* data, std::size_t size);
    void on_data(const FrameEvent& ev);
    void on_control(const FrameEvent& ev);
    void on_close_frame(const std::uint8_t* data, std::size_t size);
    void fail(Errc e);
    void fail_with(std::uint16_t code, std::string why, std::string_view reason);
    // permessage-deflate (session_deflate.cpp).
    bool accept_deflate(const HttpResponse& response);
    bool deliver_compressed();
    void queue_frame(Opcode opcode, const void* payload, std::size_t size, bool rsv1 = false);
    void queue_close(std::uint16_t code, std::string_view reason);
    void flush();
    void on_drained();
    void arm_timer(Millis after, Ending::Kind kind, std::string message);
    void finish(Ending ending);
    std::string where() const;
    std::string timeout_message() const;

    const Config& config_;
    asio::ssl::context* tls_;
    SessionHandler& handler_;
    asio::ip::tcp::resolver resolver_;
    net::Stream stream_;
    asio::steady_timer timer_;
    State state_ = State::idle;
    std::mt19937 rng_;

    ClientRequest request_;
    OpenInfo open_info_;
    std::string response_;  // the handshake response as it arrives
    HttpHeadScanner scanner_;

    FrameParser parser_;
    Utf8Validator utf8_;
    std::string message_;  // the data message being reassembled; reused
    bool in_message_ = false;
    bool message_binary_ = false;
    std::unique_ptr<DeflateCodec> deflate_;  // --deflate, when the server accepted
    bool message_compressed_ = false;        // the message in progress had RSV1 (§6)

    std::string out_pending_;  // frames queued while a write is in flight
    std::string out_flight_;   // the bytes of the write in flight
    bool writing_ = false;
    Ending pending_end_;  // what on_drained() reports in State::draining

    std::array<std::uint8_t, 65536> read_buffer_{};
};

}  // namespace wsb::client
