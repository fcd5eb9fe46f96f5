// A blocking WebSocket client for integration tests, on our codec over Asio, plain or TLS.
// Every call takes a deadline; nothing in it sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"

namespace wsb::test {

using namespace std::chrono_literals;

/// A whole message (data frames joined) or one control frame.
struct Message {
    Opcode opcode = Opcode::text;
    std::string payload;      ///< inflated when the message was compressed
    bool compressed = false;  ///< arrived with RSV1 under permessage-deflate
    /// For close frames: the status code (0 when the payload had none).
    std::uint16_t close_code() const;
    std::string close_reason() const;
};

struct ClientOptions {
    std::vector<std::string> subprotocols;
    std::vector<std::string> extensions;
    HeaderList headers;
    std::chrono::milliseconds timeout = 5000ms;
};

class WsClient {
  public:
    WsClient();
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    /// Connects to `url` (ws:// or wss://, certificate not verified) and completes the
    /// opening handshake. Returns false on failure with the reason in error().
    bool connect(const std::string& url, const ClientOptions& options = {});
    /// Connects TCP (and TLS) only and sends `raw` as the handshake; for tests of bad
    /// requests. The server's answer is read with read_http_response().
    bool connect_raw(const std::string& url, const std::string& raw,
                     std::chrono::milliseconds timeout = 5000ms);
    /// Reads an HTTP response head (after connect_raw).
    std::optional<HttpResponse> read_http_response(std::chrono::milliseconds timeout = 5000ms);
    /// Reads the body that follows `head`: Content-Length bytes, or up to EOF without one.
    std::optional<std::string> read_http_body(const HttpResponse& head,
                                              std::chrono::milliseconds timeout = 5000ms);

    /// Sends one masked frame (mask key random per frame).
    bool send_frame(Opcode op, const std::string& payload, bool fin = true);
    /// Sends a text or binary message in one frame.
    bool send_text(const std::string& s) { return send_frame(Opcode::text, s); }
    bool send_binary(const std::string& s) { return send_frame(Opcode::binary, s); }
    /// Sends a message compressed with permessage-deflate (RFC 7692), in one frame with RSV1;
    /// only after the server accepted the extension (deflate()).
    bool send_compressed(Opcode op, const std::string& payload);
    /// The server accepted permessage-deflate.
    bool deflate() const { return deflate_; }
    /// Sends bytes as they are (for frames a conformant client would never send).
    bool send_raw(const std::string& bytes);
    /// Sends a close frame with `code` (and `reason`).
    bool send_close(std::uint16_t code, const std::string& reason = {});

    /// The next message or control frame, or nullopt at the deadline, on EOF or on a
    /// protocol error from the server (see error()).
    std::optional<Message> receive(std::chrono::milliseconds timeout = 5000ms);
    /// Waits for the server's close frame, skipping data and pings; returns its code
    /// (0 when empty) or nullopt when none arrives.
    std::optional<std::uint16_t> receive_close(std::chrono::milliseconds timeout = 5000ms);
    /// True when the server closes TCP before the deadline (data read meanwhile is dropped).
    bool wait_eof(std::chrono::milliseconds timeout = 5000ms);

    /// The socket's descriptor (non-blocking once used), for tests that write without
    /// blocking the test or from another thread while this client reads; plain ws:// only.
    int native_handle();
    /// The client's own port (what the server logs as the peer's), 0 when not connected.
    unsigned short local_port();

    const std::string& error() const { return error_; }
    const HttpResponse& response() const { return response_; }
    bool eof() const { return eof_; }

  private:
    struct Impl;
    bool read_some(std::chrono::milliseconds timeout);
    bool send_masked(FrameHeader h, const std::string& payload);  // random key per frame
    bool write_all(const std::string& bytes);
    bool open(const std::string& url, std::chrono::milliseconds timeout);

    std::unique_ptr<Impl> impl_;
    FrameParser parser_;
    std::string in_;       // bytes read, not yet parsed
    std::string message_;  // data frames of the message in progress
    Opcode message_op_ = Opcode::text;
    HttpResponse response_;
    std::string error_;
    bool eof_ = false;
    bool deflate_ = false;             // permessage-deflate negotiated
    bool message_compressed_ = false;  // the message being received has RSV1
    std::chrono::milliseconds timeout_ = 5000ms;
};

/// `size` pseudo-random bytes, the same for the same `seed`.
std::string random_payload(std::size_t size, std::uint32_t seed);

/// A plain, blocking TCP connection to 127.0.0.1:port that has sent nothing (for half
/// handshakes, floods and descriptor exhaustion); -1 when it cannot connect.
int tcp_connect_loopback(unsigned short port);

}  // namespace wsb::test
