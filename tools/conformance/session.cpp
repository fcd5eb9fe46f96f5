// Session: drives one case on one TCP connection and records what happens (see session.hpp).
#include "conformance/session.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "conformance/frame_bytes.hpp"
#include "conformance/wire_log.hpp"
#include "wsbench/error.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/net/tls.hpp"

namespace wsb::conformance {
namespace {

using Clock = std::chrono::steady_clock;

/// The wire log's line for a frame received (its payload shown when given: control frames).
std::string received_frame(const FrameHeader& h, const std::string& payload) {
    return summary_line({static_cast<std::uint8_t>(h.opcode), h.fin,
                         (h.rsv1 ? 4u : 0u) | (h.rsv2 ? 2u : 0u) | (h.rsv3 ? 1u : 0u), h.masked,
                         h.payload_length, payload, 0, false});
}

}  // namespace

Session::Session(asio::io_context& io, const asio::ip::tcp::resolver::results_type& endpoints,
                 const CaseSpec& spec, const Config& config, std::uint64_t seed,
                 asio::ssl::context* tls, Done done)
    : io_(io),
      endpoints_(endpoints),
      spec_(spec),
      config_(config),
      done_(std::move(done)),
      stream_(std::make_unique<net::Stream>(io)),
      tls_context_(tls),
      rng_(seed),
      open_timer_(io),
      kill_timer_(io),
      close_timer_(io),
      closing_timer_(io),
      drop_timer_(io),
      pace_timer_(io),
      rbuf_(64 * 1024) {}

double Session::now_ms() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - t_connect_).count();
}

void Session::log(const char* dir, std::string text) {
    if (spec_.performance && std::strcmp(dir, "EV") != 0) return;
    if (obs_.wire_log.size() >= config_.wire_log_limit) {
        ++obs_.wire_log_dropped;
        return;
    }
    obs_.wire_log.push_back({now_ms(), dir, std::move(text)});
}

Session::Session(asio::io_context& io, std::unique_ptr<net::Stream> accepted, std::string request,
                 ServerHandshakeInfo info, std::string leftover, const CaseSpec& spec,
                 const Config& config, std::uint64_t seed, Done done)
    : io_(io),
      server_role_(true),
      request_info_(std::move(info)),
      leftover_(std::move(leftover)),
      spec_(spec),
      config_(config),
      done_(std::move(done)),
      stream_(std::move(accepted)),
      rng_(seed),
      open_timer_(io),
      kill_timer_(io),
      close_timer_(io),
      closing_timer_(io),
      drop_timer_(io),
      pace_timer_(io),
      rbuf_(64 * 1024) {
    obs_.http_request = std::move(request);
    obs_.served = true;
}

void Session::start_serving() {
    obs_.connected = true;
    std::error_code ec;
    tcp().set_option(asio::ip::tcp::no_delay(true), ec);
    std::string response = spec_.serve_response ? spec_.serve_response(request_info_)
                                                : build_server_response(request_info_.accept_key);
    // The status we answered with ("HTTP/1.1 101 ..."): C.1.x send others.
    obs_.http_status = response.size() > 12 ? std::atoi(response.c_str() + 9) : 0;
    obs_.http_response = response;
    state_ = State::open;  // enqueue() writes only on an open connection
    log("EV", "opening handshake response, " + std::to_string(response.size()) + " octets");
    enqueue(std::make_shared<const std::string>(std::move(response)), 0, true);
    std::string leftover = std::move(leftover_);
    on_open(leftover);
}

void Session::start() {
    t_connect_ = Clock::now();
    if (server_role_) {
        start_serving();
        return;
    }
    auto self = shared_from_this();
    start_timer(open_timer_, kOpenHandshakeTimeout, [this] {
        if (state_ == State::open) return;
        obs_.handshake_error = "opening handshake timeout";
        log("EV", "opening handshake timeout");
        finish();
    });
    asio::async_connect(stream_->socket(), endpoints_,
                        [this, self](const std::error_code& ec, const asio::ip::tcp::endpoint&) {
                            if (state_ == State::finished) return;
                            if (ec) {
                                obs_.connect_error = ec.message();
                                obs_.handshake_error = "cannot connect: " + ec.message();
                                finish();
                                return;
                            }
                            on_connected();
                        });
}

template <class Handler>
void Session::read_some(Handler&& handler) {
    stream_->async_read_some(asio::buffer(rbuf_), std::forward<Handler>(handler));
}

template <class Buffers, class Handler>
void Session::write_all(const Buffers& buffers, Handler&& handler) {
    stream_->async_write(buffers, std::forward<Handler>(handler));
}

void Session::on_connected() {
    obs_.connected = true;
    state_ = State::handshaking;
    std::error_code ec;
    tcp().set_option(asio::ip::tcp::no_delay(true), ec);
    if (!config_.url.secure) {
        send_request();
        return;
    }
    if (!tls_context_) {
        obs_.handshake_error = "TLS handshake failed: no TLS context";
        finish();
        return;
    }
    stream_->start_tls(*tls_context_);
    if (!net::prepare_client(stream_->tls()->native_handle(), config_.url.host,
                             !config_.insecure)) {
        obs_.handshake_error = "TLS handshake failed: cannot set the host name to verify";
        finish();
        return;
    }
    auto self = shared_from_this();
    stream_->async_handshake(asio::ssl::stream_base::client,
                             [this, self](const std::error_code& e) {
                                 if (state_ == State::finished) return;
                                 if (e) {
                                     obs_.handshake_error = "TLS handshake failed: " + e.message();
                                     log("EV", obs_.handshake_error);
                                     finish();
                                     return;
                                 }
                                 send_request();
                             });
}

void Session::send_request() {
    request_.host = config_.url.host;
    request_.port = config_.url.port;
    request_.secure = config_.url.secure;
    request_.resource = config_.url.resource();
    request_.key = make_random_client_key(rng_);
    std::string text;
    std::size_t chop = 0;
    if (spec_.handshake) {
        text =
            spec_.handshake->request(config_.url.authority(), config_.url.resource(), request_.key);
        chop = spec_.handshake->chop;
    } else {
        for (const DeflateOffer& o : spec_.deflate_offers) {
            request_.extensions.push_back(format_deflate_offer(o));
        }
        text = build_client_request(request_);
    }
    obs_.http_request = text;
    log("EV", "opening handshake request, " + std::to_string(text.size()) + " octets" +
                  (chop ? ", in chops of " + std::to_string(chop) : std::string()));
    enqueue(std::make_shared<const std::string>(std::move(text)), chop, chop > 0);
    read_handshake();
}

void Session::read_handshake() {
    auto self = shared_from_this();
    read_some([this, self](const std::error_code& ec, std::size_t n) {
        if (state_ == State::finished) return;
        if (ec) {
            obs_.handshake_error =
                "the server closed the connection during the opening "
                "handshake (" +
                ec.message() + ")";
            obs_.peer_dropped_tcp = true;
            obs_.reset_by_peer = ec == asio::error::connection_reset;
            log("EV", obs_.handshake_error);
            finish();
            return;
        }
        obs_.bytes_received += n;
        log("RX", std::to_string(n) + " octets: " + hex_prefix(rbuf_.data(), n));
        head_.append(reinterpret_cast<const char*>(rbuf_.data()), n);
        on_handshake_bytes();
    });
}

void Session::on_handshake_bytes() {
    HttpResponse resp;
    std::size_t head_size = 0;
    const Errc e = parse_http_response(head_, resp, head_size, scanner_);
    if (e == Errc::http_incomplete) {
        read_handshake();
        return;
    }
    if (e != Errc::ok) {
        obs_.handshake_error = "malformed HTTP response (" + std::string(to_string(e)) + ")";
        finish();
        return;
    }
    obs_.http_status = resp.status;
    obs_.http_response = head_.substr(0, head_size);
    for (const HttpField& f : resp.headers.fields()) {
        obs_.response_headers.emplace_back(f.name, f.value);
    }
    if (resp.status != 101) {
        obs_.handshake_error = "the server answered " + std::to_string(resp.status) +
                               (resp.reason.empty() ? std::string() : " " + resp.reason);
        finish();
        return;
    }
    if (!spec_.handshake) {
        const Errc check = check_server_response(resp, request_);
        if (check != Errc::ok) {
            obs_.handshake_error = "invalid 101 response (" + std::string(to_string(check)) + ")";
            finish();
            return;
        }
        if (!spec_.deflate_offers.empty() && !accept_deflate(resp)) {
            finish();
            return;
        }
    }
    on_open(std::string_view(head_).substr(head_size));
}

void Session::on_open(std::string_view leftover) {
    state_ = State::open;
    t_open_ = Clock::now();
    obs_.handshake_done = true;
    obs_.handshake_ms = now_ms();
    open_timer_.cancel();
    ParserOptions po;
    po.role = server_role_ ? Role::server : Role::client;
    po.allow_rsv1 = deflate_ != nullptr;  // permessage-deflate defines RSV1 (RFC 7692 §6)
    parser_ = FrameParser(po);
    log("EV", "open");
    if (spec_.on_open) spec_.on_open(*this);
    if (!leftover.empty() && state_ != State::finished) {
        std::vector<std::uint8_t> copy(leftover.begin(), leftover.end());
        on_bytes(copy.data(), copy.size());
    }
    if (state_ != State::finished) read_frames();
}

void Session::read_frames() {
    auto self = shared_from_this();
    read_some([this, self](const std::error_code& ec, std::size_t n) {
        if (state_ == State::finished) return;
        if (ec) {
            on_peer_dropped(ec);
            return;
        }
        on_bytes(rbuf_.data(), n);
        if (state_ != State::finished) read_frames();
    });
}

void Session::on_bytes(std::uint8_t* data, std::size_t size) {
    obs_.bytes_received += size;
    log("RX", std::to_string(size) + " octets: " + hex_prefix(data, size));
    for (std::size_t pos = 0; pos < size;) {
        if (parse_broken_ || obs_.close_received || state_ == State::finished) return;
        FrameEvent ev;
        pos += parser_.parse(data + pos, size - pos, ev);
        if (ev.kind == FrameEvent::Kind::error) {
            protocol_violation(
                std::string(peer()) + " sent an invalid frame: " + std::string(to_string(ev.error)),
                close_code_for(ev.error));
            return;
        }
        if (ev.kind == FrameEvent::Kind::need_more) break;
        on_frame_payload(ev);
    }
}

void Session::on_frame_payload(const FrameEvent& ev) {
    const FrameHeader& h = ev.header;
    if (h.rsv1 && ev.frame_offset == 0 && (ev.is_control() || h.opcode == Opcode::continuation)) {
        // RFC 7692 §6.1: RSV1 marks the first frame of a compressed data message only.
        protocol_violation(std::string(peer()) + " set RSV1 on a control or continuation frame",
                           1002);
        return;
    }
    if (ev.is_control()) {
        control_.assign(reinterpret_cast<const char*>(ev.data), ev.size);
        log("RF", received_frame(h, control_));
        switch (h.opcode) {
            case Opcode::ping:
                // Pings from the server are answered and not recorded (Autobahn does the same).
                if (!obs_.close_sent) send_frame(0xA, control_);
                break;
            case Opcode::pong:
                obs_.received.push_back(Event::pong(control_));
                finish_when_done();
                break;
            case Opcode::close:
                on_close_frame(ev.data, ev.size);
                break;
            default:
                break;
        }
        return;
    }
    if (ev.message_offset == 0 && ev.frame_offset == 0) {
        message_binary_ = ev.message_opcode == Opcode::binary;
        message_compressed_ = h.rsv1;
        message_.clear();
        message_length_ = 0;
        utf8_.reset();
    }
    message_length_ += ev.size;
    if (!spec_.performance || message_compressed_) {
        message_.append(reinterpret_cast<const char*>(ev.data), ev.size);
    }
    if (!message_binary_ && !message_compressed_ &&
        utf8_.feed(ev.data, ev.size) == Utf8Status::invalid) {
        protocol_violation(std::string(peer()) + " sent a text message that is not valid UTF-8",
                           1007);
        return;
    }
    if (ev.frame_end) {
        log("RF", received_frame(h, std::string()));
    }
    if (ev.message_end) {
        if (message_compressed_) {
            if (inflate_message()) on_message_complete();
            return;
        }
        if (!message_binary_ && !utf8_.complete()) {
            protocol_violation(
                std::string(peer()) + " sent a text message that ends inside a UTF-8 sequence",
                1007);
            return;
        }
        on_message_complete();
    }
}

void Session::on_message_complete() {
    Event e;
    e.kind = Event::Kind::message;
    e.binary = message_binary_;
    e.length = message_length_;
    e.payload = std::move(message_);
    message_.clear();
    if (spec_.on_message && !spec_.on_message(*this, e)) return;
    obs_.received.push_back(std::move(e));
    finish_when_done();
}

void Session::protocol_violation(const std::string& what, std::uint16_t code) {
    parse_broken_ = true;
    if (obs_.protocol_error.empty()) obs_.protocol_error = what;
    log("EV", what);
    if (!obs_.close_sent) {
        obs_.failed_by_me = true;
        send_close(code);
    }
}

void Session::finish_when_done() {
    if (obs_.close_sent || !spec_.expected_close.closed_by_me) return;
    for (const auto& [behavior, events] : spec_.expected) {
        if (!same_events(obs_.received, events, spec_.performance)) return;
    }
    send_close(spec_.expected_close.codes.front());
}

void Session::send_frame(std::uint8_t opcode, const std::string& payload,
                         const SendOptions& options) {
    if (state_ != State::open) return;
    const std::uint64_t length = options.repeat_to ? options.repeat_to : payload.size();
    FrameHeader h;
    h.fin = options.fin;
    h.rsv1 = (options.rsv & 4) != 0;
    h.rsv2 = (options.rsv & 2) != 0;
    h.rsv3 = (options.rsv & 1) != 0;
    h.opcode = static_cast<Opcode>(opcode & 0xF);
    // A client masks (options.masked, the default); in serve mode the roles and so the
    // meaning swap: a well-formed server frame is unmasked, M.x cases send masked ones.
    h.masked = server_role_ ? !options.masked : options.masked;
    if (h.masked) h.mask_key = mask_key();
    h.payload_length = length;
    auto buf = std::make_shared<const std::string>(encode_case_frame(h, payload));
    log("TF", summary_line({opcode, options.fin, options.rsv, h.masked, length, payload,
                            options.chop, options.sync}));
    enqueue(std::move(buf), options.chop, options.sync || options.chop > 0);
    // A well-formed close frame sent raw (7.x send odd codes and payloads) starts the closing
    // handshake as send_close() does; one with reserved bits (3.7) is just a bad frame.
    if (opcode == 8 && options.rsv == 0 && options.masked && !obs_.close_sent) {
        if (payload.size() >= 2) {
            obs_.local_close_code =
                static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                           static_cast<std::uint8_t>(payload[1]));
            obs_.local_close_reason = payload.substr(2);
        }
        note_close_sent();
    }
}

void Session::send_message(bool binary, const std::string& payload, std::size_t fragment_size,
                           bool sync) {
    const std::uint8_t first = binary ? 2 : 1;
    if (fragment_size == 0 || fragment_size >= payload.size()) {
        send_frame(first, payload, SendOptions{true, 0, 0, sync, 0, true});
        return;
    }
    if (sync || !spec_.performance) {
        for (std::size_t off = 0; off < payload.size(); off += fragment_size) {
            const std::size_t n = std::min(fragment_size, payload.size() - off);
            send_frame(off == 0 ? first : 0, payload.substr(off, n),
                       SendOptions{off + n == payload.size(), 0, 0, sync, 0, true});
        }
        return;
    }
    // Many frames written back to back: encode them into one buffer, one write.
    if (state_ != State::open) return;
    std::function<std::array<std::uint8_t, 4>()> key;
    if (!server_role_) key = [this] { return mask_key(); };
    enqueue(
        std::make_shared<const std::string>(encode_fragments(binary, payload, fragment_size, key)),
        0, false);
}

std::array<std::uint8_t, 4> Session::mask_key() {
    const std::uint64_t r = rng_();
    std::array<std::uint8_t, 4> key;
    std::memcpy(key.data(), &r, 4);
    return key;
}

void Session::send_raw(const std::string& bytes) {
    if (state_ != State::open) return;
    log("TX", "raw " + std::to_string(bytes.size()) + " octets");
    enqueue(std::make_shared<const std::string>(bytes), 0, true);
}

void Session::continue_later(double seconds, std::function<void()> step) {
    later_timers_.emplace_back(io_);
    asio::steady_timer& t = later_timers_.back();
    t.expires_after(
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
    auto self = shared_from_this();
    t.async_wait([this, self, step = std::move(step)](const std::error_code& ec) {
        if (ec || state_ != State::open || obs_.close_sent || obs_.close_received) return;
        log("EV", "continue");
        step();
    });
}

void Session::record(Event e) { obs_.received.push_back(std::move(e)); }

void Session::enqueue(std::shared_ptr<const std::string> buf, std::size_t chop, bool alone) {
    if (write_broken_) return;
    queue_.push(std::move(buf), chop, alone);
    if (!writing_) {
        // Start writing once the caller has queued everything it sends back to back.
        writing_ = true;
        auto self = shared_from_this();
        asio::post(io_, [this, self] { write_next(); });
    }
}

void Session::write_next() {
    if (state_ == State::finished || write_broken_ || queue_.empty()) {
        writing_ = false;
        if (drop_when_flushed_) finish();
        return;
    }
    const SendQueue::Write w = queue_.next(gather_);
    const std::string_view first = queue_.front();
    log("TX", std::to_string(w.octets) + " octets" + (w.alone ? " (alone)" : "") + ": " +
                  hex_prefix(reinterpret_cast<const std::uint8_t*>(first.data()), first.size()));
    auto self = shared_from_this();
    write_all(gather_, [this, self, w](const std::error_code& ec, std::size_t n) {
        obs_.bytes_sent += n;
        if (state_ == State::finished) return;
        if (ec) {
            // The server may close while we still send (it failed the
            // connection); keep reading to see how it ended.
            write_broken_ = true;
            queue_.clear();
            writing_ = false;
            log("EV", "write failed: " + ec.message());
            return;
        }
        queue_.pop(w.pieces);
        if (w.alone && !spec_.performance && !queue_.empty()) {
            // Autobahn re-enters its event loop with a 10 us timer between
            // frame-wise and octet-wise chops; without the pause a fast
            // writer hands the server all chops in one read. 9.x measure
            // throughput and skip it.
            pace_timer_.expires_after(std::chrono::microseconds(10));
            pace_timer_.async_wait([this, self](const std::error_code& e) {
                if (!e) write_next();
            });
            return;
        }
        write_next();
    });
}

void Session::start_timer(asio::steady_timer& t, double seconds, std::function<void()> fn) {
    t.expires_after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(seconds * config_.timeout_scale)));
    auto self = shared_from_this();
    t.async_wait([this, self, fn = std::move(fn)](const std::error_code& ec) {
        if (!ec && state_ != State::finished) fn();
    });
}

void Session::finish() {
    if (state_ == State::finished) return;
    const bool was_open = state_ == State::open;
    state_ = State::finished;
    obs_.duration_ms =
        was_open ? std::chrono::duration<double, std::milli>(Clock::now() - t_open_).count() : 0;
    std::error_code ec;
    open_timer_.cancel();
    kill_timer_.cancel();
    close_timer_.cancel();
    closing_timer_.cancel();
    drop_timer_.cancel();
    pace_timer_.cancel();
    for (auto& t : later_timers_) t.cancel();
    tcp().close(ec);
    queue_.clear();
    if (done_) {
        Done d = std::move(done_);
        done_ = nullptr;
        d(std::move(obs_));
    }
}

}  // namespace wsb::conformance
