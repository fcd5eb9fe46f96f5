// Session: one case on one connection, on an Asio io_context: connect, opening handshake,
// the case's frames written exactly as prescribed, everything received recorded, Autobahn's
// timers, the closing handshake, then an Observation. Its members are in session.cpp and, for
// the closing handshake, session_close.cpp; what it writes is planned by SendQueue
// (send_queue.hpp) from the octets of frame_bytes.hpp, and logged with wire_log.hpp's texts.
#pragma once

#include <array>
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "conformance/case.hpp"
#include "conformance/config.hpp"
#include "conformance/judge.hpp"
#include "conformance/send_queue.hpp"
#include "wsbench/deflate.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"
#include "wsbench/net/stream.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::conformance {

/// Runs one case. Create with std::make_shared, then start(); `done` runs once, on the
/// io_context thread, with what was observed. Single-threaded: every handler runs on the
/// one thread that runs the io_context.
class Session : public CaseContext, public std::enable_shared_from_this<Session> {
  public:
    using Done = std::function<void(Observation&&)>;

    /// `tls` is the client context for wss:// targets, null for ws://.
    Session(asio::io_context& io, const asio::ip::tcp::resolver::results_type& endpoints,
            const CaseSpec& spec, const Config& config, std::uint64_t seed, asio::ssl::context* tls,
            Done done);

    /// Serve mode (`wsbench-conformance serve`): the roles swap. The case runs on a
    /// connection a client under test opened (`accepted`, its TLS handshake done when
    /// serving wss://) and whose opening handshake `request` (the head as received)
    /// already passed check_client_request() into `info`; `leftover` is what came after the
    /// head. Our frames go unmasked, the client's must be masked (RFC 6455 §5.1, a masking
    /// violation fails the connection with 1002), and after the closing handshake we drop TCP
    /// ourselves (§7.1.1), so "peer" below means the client.
    Session(asio::io_context& io, std::unique_ptr<net::Stream> accepted, std::string request,
            ServerHandshakeInfo info, std::string leftover, const CaseSpec& spec,
            const Config& config, std::uint64_t seed, Done done);

    void start();
    /// The run is stopping (SIGINT): close with 1001 and finish soon.
    void interrupt();

    // CaseContext
    void send_frame(std::uint8_t opcode, const std::string& payload,
                    const SendOptions& options = {}) override;
    void send_message(bool binary, const std::string& payload, std::size_t fragment_size = 0,
                      bool sync = false) override;
    void send_raw(const std::string& bytes) override;
    void send_close(std::optional<std::uint16_t> code, const std::string& reason = {}) override;
    void kill_after(double seconds) override;
    void close_after(double seconds) override;
    void continue_later(double seconds, std::function<void()> step) override;
    void record(Event e) override;
    const EventList& received() const override { return obs_.received; }
    std::uint64_t& counter() override { return counter_; }
    bool masks_frames() const override { return !server_role_; }
    bool deflate_negotiated() const override { return deflate_ != nullptr; }
    void send_compressed(bool binary, const std::uint8_t* data, std::size_t size,
                         std::size_t fragment_size) override;

  private:
    enum class State : std::uint8_t { connecting, handshaking, open, finished };

    void start_serving();
    const char* peer() const noexcept { return server_role_ ? "client" : "server"; }
    void on_connected();
    void send_request();
    template <class Handler>
    void read_some(Handler&& handler);
    template <class Buffers, class Handler>
    void write_all(const Buffers& buffers, Handler&& handler);
    void read_handshake();
    void on_handshake_bytes();
    void on_open(std::string_view leftover);
    void read_frames();
    void on_bytes(std::uint8_t* data, std::size_t size);
    void on_frame_payload(const FrameEvent& ev);
    void on_message_complete();
    bool accept_deflate(const HttpResponse& resp);
    bool inflate_message();
    void on_close_frame(const std::uint8_t* data, std::size_t size);
    void on_peer_dropped(const std::error_code& ec);
    void protocol_violation(const std::string& what, std::uint16_t code);
    void finish_when_done();
    void note_close_sent();
    void enqueue(std::shared_ptr<const std::string> buf, std::size_t chop, bool alone);
    void write_next();
    void start_timer(asio::steady_timer& t, double seconds, std::function<void()> fn);
    void drop_tcp(const std::string& reason);
    asio::ip::tcp::socket& tcp() noexcept { return stream_->socket(); }
    void finish();
    void log(const char* dir, std::string text);
    double now_ms() const;
    std::array<std::uint8_t, 4> mask_key();

    asio::io_context& io_;
    asio::ip::tcp::resolver::results_type endpoints_;
    bool server_role_ = false;          // serve mode: we accepted the connection
    ServerHandshakeInfo request_info_;  // serve mode: the client's request, checked
    std::string leftover_;              // serve mode: bytes after the request head
    bool drop_when_flushed_ = false;    // serve mode: closing handshake done, drop TCP after writes
    const CaseSpec& spec_;
    const Config& config_;
    Done done_;
    std::unique_ptr<net::Stream> stream_;
    asio::ssl::context* tls_context_ = nullptr;  // client role, wss:// only
    std::mt19937_64 rng_;
    State state_ = State::connecting;
    Observation obs_;
    std::uint64_t counter_ = 0;

    std::chrono::steady_clock::time_point t_connect_{};
    std::chrono::steady_clock::time_point t_open_{};
    asio::steady_timer open_timer_;
    asio::steady_timer kill_timer_;
    asio::steady_timer close_timer_;
    asio::steady_timer closing_timer_;  // our close answered in time
    asio::steady_timer drop_timer_;     // server drops TCP in time
    asio::steady_timer pace_timer_;     // the pause between chops
    std::list<asio::steady_timer> later_timers_;

    ClientRequest request_;
    std::string head_;  // handshake response bytes so far
    HttpHeadScanner scanner_;

    std::vector<std::uint8_t> rbuf_;
    FrameParser parser_;
    bool parse_broken_ = false;
    std::string message_;  // the data message being assembled
    std::uint64_t message_length_ = 0;
    bool message_binary_ = false;
    bool message_compressed_ = false;        // RSV1 on the message's first frame
    std::unique_ptr<DeflateCodec> deflate_;  // permessage-deflate, when negotiated
    Utf8Validator utf8_;
    std::string control_;  // the control frame being assembled

    SendQueue queue_;
    bool writing_ = false;
    bool write_broken_ = false;
    std::vector<asio::const_buffer> gather_;
};

}  // namespace wsb::conformance
