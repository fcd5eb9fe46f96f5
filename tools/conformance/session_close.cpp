// Session's closing handshake (RFC 6455 §7): sending and receiving close frames, Autobahn's
// kill and close timers, who dropped TCP and whether the close was clean (see session.hpp).
#include <string>

#include "conformance/session.hpp"
#include "wsbench/close.hpp"
#include "wsbench/error.hpp"

namespace wsb::conformance {

void Session::send_close(std::optional<std::uint16_t> code, const std::string& reason) {
    if (obs_.close_sent || state_ != State::open) return;
    std::string payload;
    if (code) {
        payload.resize(2);
        payload[0] = static_cast<char>(*code >> 8);
        payload[1] = static_cast<char>(*code & 0xFF);
        payload += reason;
    }
    send_frame(8, payload);
    obs_.local_close_code = code;
    obs_.local_close_reason = reason;
}

void Session::note_close_sent() {
    obs_.close_sent = true;
    if (!obs_.close_received) {
        obs_.closed_by_me = true;
        start_timer(closing_timer_, kCloseHandshakeTimeout,
                    [this] { drop_tcp("peer did not respond (in time) in closing handshake"); });
    }
}

void Session::on_close_frame(const std::uint8_t* data, std::size_t size) {
    obs_.close_received = true;
    ClosePayload cp;
    const Errc e = parse_close_payload(data, size, cp);
    if (size >= 2) {
        obs_.remote_close_code = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
        obs_.remote_close_reason.assign(reinterpret_cast<const char*>(data) + 2, size - 2);
    }
    std::optional<std::uint16_t> reply;
    if (e != Errc::ok) {
        if (obs_.protocol_error.empty()) {
            obs_.protocol_error =
                std::string(peer()) + " sent an invalid close frame: " + std::string(to_string(e));
        }
        reply = 1002;
    } else if (cp.has_code) {
        reply = 1000;
    }
    closing_timer_.cancel();
    if (!obs_.close_sent) send_close(reply);
    if (server_role_) {
        // Both close frames are exchanged: the server drops TCP first (§7.1.1), once our
        // close frame is written.
        obs_.was_clean = true;
        drop_when_flushed_ = true;
        if (!writing_) finish();
        return;
    }
    start_timer(drop_timer_, kServerDropTimeout,
                [this] { drop_tcp("server did not drop TCP connection (in time)"); });
}

void Session::on_peer_dropped(const std::error_code& ec) {
    obs_.peer_dropped_tcp = true;
    obs_.reset_by_peer = ec == asio::error::connection_reset;
    log("EV",
        std::string(obs_.reset_by_peer ? "TCP reset by the " : "TCP closed by the ") + peer());
    if (obs_.close_sent && obs_.close_received) {
        // Both close frames went across; a reset right after the server's close frame is
        // the server dropping TCP as much as a FIN is.
        obs_.was_clean = true;
    } else {
        obs_.was_clean = false;
        obs_.not_clean_reason =
            "peer dropped the TCP connection without previous WebSocket closing handshake";
    }
    finish();
}

void Session::kill_after(double seconds) {
    start_timer(kill_timer_, seconds, [this] {
        if (obs_.close_sent || obs_.close_received) return;
        log("EV", "kill timer fired: failing the connection");
        obs_.failed_by_me = true;
        send_close(1001, "Going Away");
    });
}

void Session::close_after(double seconds) {
    start_timer(close_timer_, seconds, [this] {
        if (obs_.close_sent || obs_.close_received) return;
        log("EV", "close timer fired");
        send_close(std::nullopt);
    });
}

void Session::interrupt() {
    obs_.interrupted = true;
    if (state_ == State::open && !obs_.close_sent) {
        send_close(1001, "Going Away");
    } else if (state_ != State::open) {
        finish();
    }
}

void Session::drop_tcp(const std::string& reason) {
    obs_.dropped_by_me = true;
    obs_.was_clean = false;
    obs_.not_clean_reason = reason;
    log("EV", "dropping TCP: " + reason);
    finish();
}

}  // namespace wsb::conformance
