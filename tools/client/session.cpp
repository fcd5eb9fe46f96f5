// Session (session.hpp): the client side of one WebSocket connection.
#include "client/session.hpp"

#include <asio/connect.hpp>

#include "wsbench/close.hpp"
#include "wsbench/net/tls.hpp"

namespace wsb::client {
namespace {

constexpr Millis kCloseTimeout{5000};  // how long a close frame waits for its answer

std::string ms_text(Millis d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

}  // namespace

Session::Session(asio::io_context& io, const Config& config, asio::ssl::context* tls,
                 SessionHandler& handler)
    : config_(config),
      tls_(tls),
      handler_(handler),
      resolver_(io),
      stream_(io),
      timer_(io),
      rng_(std::random_device{}()) {
    ParserOptions o;
    o.role = Role::client;
    o.max_message_size = config.max_message_size;
    parser_ = FrameParser(o);
}

std::string Session::where() const { return config_.url.authority(); }

// What --connect-timeout cut short, by how far the opening got.
std::string Session::timeout_message() const {
    const std::string within =
        " within " + ms_text(config_.connect_timeout) + " (--connect-timeout)";
    if (state_ == State::handshaking) {
        return "no handshake response from " + where() + within;
    }
    if (stream_.secure()) return "no TLS handshake with " + where() + within;
    return "no TCP connection to " + where() + within;
}

void Session::start() {
    state_ = State::connecting;
    arm_timer(config_.connect_timeout, Ending::Kind::connect_timeout, {});
    auto self = shared_from_this();
    resolver_.async_resolve(
        config_.url.host, std::to_string(config_.url.port),
        [self](const asio::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
            if (self->state_ != State::connecting) return;
            if (ec) {
                self->finish({Ending::Kind::connect_failed,
                              false,
                              0,
                              {},
                              "cannot resolve " + self->config_.url.host + ": " + ec.message()});
                return;
            }
            asio::async_connect(
                self->stream_.socket(), results,
                [self](const asio::error_code& e, const asio::ip::tcp::endpoint&) {
                    if (self->state_ != State::connecting) return;
                    if (e) {
                        self->finish({Ending::Kind::connect_failed,
                                      false,
                                      0,
                                      {},
                                      "cannot connect to " + self->where() + ": " + e.message()});
                        return;
                    }
                    self->on_connected();
                });
        });
}

void Session::on_connected() {
    asio::error_code ignored;
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    if (!tls_) {
        send_handshake();
        return;
    }
    stream_.start_tls(*tls_);
    if (!net::prepare_client(stream_.tls()->native_handle(), config_.url.host, !config_.insecure)) {
        finish({Ending::Kind::connect_failed,
                false,
                0,
                {},
                "TLS: cannot set the host name to verify"});
        return;
    }
    auto self = shared_from_this();
    stream_.async_handshake(asio::ssl::stream_base::client, [self](const asio::error_code& e) {
        if (self->state_ != State::connecting) return;
        if (e) {
            self->finish({Ending::Kind::connect_failed,
                          false,
                          0,
                          {},
                          "TLS handshake with " + self->where() +
                              " failed: " + net::take_openssl_error(e.message().c_str())});
            return;
        }
        self->send_handshake();
    });
}

void Session::send_handshake() {
    state_ = State::handshaking;
    request_.host = config_.url.host;
    request_.port = config_.url.port;
    request_.secure = config_.url.secure;
    request_.resource = config_.url.resource();
    request_.key = make_random_client_key(rng_);
    request_.subprotocols = config_.subprotocols;
    request_.origin = config_.origin;
    request_.headers = config_.headers;
    if (config_.deflate) request_.extensions = {format_deflate_offer(client_deflate_offer())};
    open_info_.request = build_client_request(request_);
    handler_.on_request(open_info_.request);
    out_pending_ += open_info_.request;
    flush();
    read();
}

void Session::on_handshake_bytes(const std::uint8_t* data, std::size_t size) {
    response_.append(reinterpret_cast<const char*>(data), size);
    HttpResponse response;
    std::size_t head_size = 0;
    const Errc e = parse_http_response(response_, response, head_size, scanner_);
    if (e == Errc::http_incomplete) return;
    if (e != Errc::ok) {
        finish({Ending::Kind::handshake_failed,
                false,
                0,
                {},
                "the answer from " + where() + " is not an HTTP response (" +
                    std::string(to_string(e)) + ")"});
        return;
    }
    open_info_.response = response_.substr(0, head_size);
    handler_.on_response(open_info_.response);
    const Errc check = check_server_response(response, request_, &open_info_.subprotocol);
    if (check != Errc::ok) {
        std::string why = "handshake rejected by " + where() + ": HTTP " +
                          std::to_string(response.status) +
                          (response.reason.empty() ? "" : " " + response.reason);
        if (response.status == 101) why += " (" + std::string(to_string(check)) + ")";
        finish({Ending::Kind::handshake_failed, false, 0, {}, std::move(why)});
        return;
    }
    if (!accept_deflate(response)) return;
    timer_.cancel();
    state_ = State::open;
    std::string rest = response_.substr(head_size);
    response_.clear();
    response_.shrink_to_fit();
    handler_.on_open(open_info_);
    if (!rest.empty() && state_ != State::done) {
        on_frames(reinterpret_cast<std::uint8_t*>(rest.data()), rest.size());
    }
}

void Session::read() {
    auto self = shared_from_this();
    stream_.async_read_some(
        asio::buffer(read_buffer_),
        [self](const asio::error_code& ec, std::size_t n) { self->on_read(ec, n); });
}

void Session::on_read(const asio::error_code& ec, std::size_t n) {
    if (state_ == State::done) return;
    if (ec) {
        const bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
        const std::string what = eof ? "closed the TCP connection" : ec.message();
        if (state_ == State::handshaking) {
            finish({Ending::Kind::handshake_failed,
                    false,
                    0,
                    {},
                    where() + " " + (eof ? what : "failed: " + what) +
                        " before answering the handshake"});
        } else {
            finish({Ending::Kind::lost,
                    false,
                    0,
                    {},
                    "connection lost: " + where() + " " + (eof ? what : "failed: " + what) +
                        " without a close frame (1006)"});
        }
        return;
    }
    if (state_ == State::handshaking) {
        on_handshake_bytes(read_buffer_.data(), n);
    } else {
        on_frames(read_buffer_.data(), n);
    }
    if (state_ != State::done) read();
}

void Session::on_frames(std::uint8_t* data, std::size_t size) {
    for (std::size_t pos = 0; pos < size;) {
        FrameEvent ev;
        pos += parser_.parse(data + pos, size - pos, ev);
        if (ev.kind == FrameEvent::Kind::need_more) break;
        if (ev.kind == FrameEvent::Kind::error) {
            fail(ev.error);
            return;
        }
        // After our close frame went out, or a failure, data is no longer of interest (§7.1.4
        // still wants the close frame, which on_control handles).
        if (ev.is_control()) {
            on_control(ev);
        } else if (state_ == State::open || state_ == State::closing) {
            on_data(ev);
        }
        if (state_ == State::done || state_ == State::draining) return;
    }
}

void Session::on_data(const FrameEvent& ev) {
    if (!in_message_) {
        in_message_ = true;
        message_binary_ = ev.message_opcode == Opcode::binary;
        message_compressed_ = deflate_ && ev.header.rsv1;
        message_.clear();
        utf8_.reset();
    }
    message_.append(reinterpret_cast<const char*>(ev.data), ev.size);
    // A compressed text message is checked once inflated.
    if (!message_binary_ && !message_compressed_ &&
        utf8_.feed(ev.data, ev.size) == Utf8Status::invalid) {
        fail(Errc::invalid_utf8);
        return;
    }
    if (!ev.message_end) return;
    in_message_ = false;
    if (message_compressed_) {
        if (deliver_compressed()) handler_.on_message(message_binary_, message_);
        return;
    }
    if (!message_binary_ && !utf8_.complete()) {
        fail(Errc::invalid_utf8);
        return;
    }
    handler_.on_message(message_binary_, message_);
}

void Session::on_control(const FrameEvent& ev) {
    const std::string_view payload(reinterpret_cast<const char*>(ev.data), ev.size);
    switch (ev.header.opcode) {
        case Opcode::ping:
            if (state_ != State::open && state_ != State::closing) return;
            if (state_ == State::open) {
                queue_frame(Opcode::pong, ev.data, ev.size);
                flush();
            }
            handler_.on_ping(payload);
            return;
        case Opcode::pong:
            handler_.on_pong(payload);
            return;
        case Opcode::close:
            on_close_frame(ev.data, ev.size);
            return;
        default:
            return;
    }
}

void Session::on_close_frame(const std::uint8_t* data, std::size_t size) {
    ClosePayload close;
    const Errc e = parse_close_payload(data, size, close);
    if (e != Errc::ok) {
        fail(e);
        return;
    }
    Ending end{Ending::Kind::closed,
               state_ == State::closing,
               close.has_code ? close.code : std::uint16_t{0},
               std::string(close.reason),
               {}};
    if (state_ == State::closing) {
        finish(std::move(end));  // the answer to our close (§7.1.2): the client may drop TCP
        return;
    }
    // The server closes first: echo its code (§5.5.1) and drop TCP once that is written.
    if (close.has_code) {
        queue_close(close.code, {});
    } else {
        queue_frame(Opcode::close, nullptr, 0);
    }
    pending_end_ = std::move(end);
    state_ = State::draining;
    arm_timer(kCloseTimeout, Ending::Kind::close_timeout, "our close reply could not be sent");
    flush();
}

void Session::fail(Errc e) {
    const std::uint16_t code = close_code_for(e);
    std::string why;
    if (e == Errc::invalid_utf8) {
        why = "the server sent invalid UTF-8 in a text message (at byte " +
              std::to_string(utf8_.offset()) + ")";
    } else if (e == Errc::message_too_large || e == Errc::frame_too_large) {
        why = "the server sent a message above --max-message-size (" +
              std::to_string(config_.max_message_size) + " bytes)";
    } else {
        why = "protocol error from the server: " + std::string(to_string(e));
    }
    fail_with(code, std::move(why), e == Errc::message_too_large ? "message too big" : "");
}

void Session::fail_with(std::uint16_t code, std::string why, std::string_view reason) {
    queue_close(code, reason);
    pending_end_ = {Ending::Kind::protocol_error,
                    true,
                    code,
                    {},
                    why + "; closed with " + std::to_string(code)};
    state_ = State::draining;
    arm_timer(kCloseTimeout, Ending::Kind::close_timeout, pending_end_.message);
    flush();
}

void Session::send(Opcode opcode, std::string_view payload) {
    if (state_ != State::open) return;
    if (deflate_ && (opcode == Opcode::text || opcode == Opcode::binary)) {
        const std::vector<std::uint8_t>& z = deflate_->compress(
            reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size());
        queue_frame(opcode, z.data(), z.size(), true);
    } else {
        queue_frame(opcode, payload.data(), payload.size());
    }
    flush();
}

void Session::close(std::uint16_t code, std::string_view reason) {
    if (state_ == State::connecting || state_ == State::handshaking || state_ == State::idle) {
        finish({Ending::Kind::closed, true, 0, {}, "closed before the connection opened"});
        return;
    }
    if (state_ != State::open) return;
    queue_close(code, reason);
    state_ = State::closing;
    arm_timer(kCloseTimeout, Ending::Kind::close_timeout,
              "no close frame from " + where() + " within 5s of ours");
    flush();
}

void Session::abort() {
    if (state_ == State::done) return;
    state_ = State::done;
    timer_.cancel();
    resolver_.cancel();
    stream_.close();
}

void Session::queue_frame(Opcode opcode, const void* payload, std::size_t size, bool rsv1) {
    FrameHeader h;
    h.opcode = opcode;
    h.rsv1 = rsv1;
    h.masked = true;
    const std::uint32_t key = rng_();
    for (int i = 0; i < 4; ++i) h.mask_key[i] = static_cast<std::uint8_t>(key >> (8 * i));
    h.payload_length = size;
    const std::size_t old = out_pending_.size();
    const std::size_t need = encoded_header_size(h) + size;
    out_pending_.resize(old + need);
    encode_frame(h, payload, size, reinterpret_cast<std::uint8_t*>(&out_pending_[old]), need);
}

void Session::queue_close(std::uint16_t code, std::string_view reason) {
    std::array<std::uint8_t, kMaxClosePayload> body{};
    const std::size_t n = format_close_payload(code, reason, body.data(), body.size());
    queue_frame(Opcode::close, body.data(), n);
}

void Session::flush() {
    if (writing_ || out_pending_.empty() || state_ == State::done) return;
    out_flight_.swap(out_pending_);
    out_pending_.clear();
    writing_ = true;
    auto self = shared_from_this();
    stream_.async_write(asio::buffer(out_flight_), [self](const asio::error_code& ec, std::size_t) {
        self->writing_ = false;
        self->out_flight_.clear();
        if (self->state_ == State::done) return;
        if (ec) {
            self->finish(
                {Ending::Kind::lost,
                 false,
                 0,
                 {},
                 "connection lost: writing to " + self->where() + " failed: " + ec.message()});
            return;
        }
        if (!self->out_pending_.empty()) {
            self->flush();
        } else {
            self->on_drained();
        }
    });
}

void Session::on_drained() {
    if (state_ == State::draining) {
        finish(std::move(pending_end_));
    } else if (state_ == State::open) {
        handler_.on_writable();
    }
}

void Session::arm_timer(Millis after, Ending::Kind kind, std::string message) {
    timer_.expires_after(after);
    auto self = shared_from_this();
    timer_.async_wait([self, kind, message = std::move(message)](const asio::error_code& ec) {
        if (ec || self->state_ == State::done) return;
        self->finish({kind,
                      false,
                      0,
                      {},
                      kind == Ending::Kind::connect_timeout ? self->timeout_message() : message});
    });
}

void Session::finish(Ending ending) {
    if (state_ == State::done) return;
    state_ = State::done;
    timer_.cancel();
    resolver_.cancel();
    stream_.close();
    handler_.on_end(ending);
}

}  // namespace wsb::client
