// A connection's opening: the TCP connect (from a --source-ip address), TLS for wss://, the
// opening handshake (RFC 6455 §4.1), once per connection and off the per-message path.
#include <string>

#include "loadgen/connection.hpp"
#include "loadgen/script.hpp"
#include "loadgen/worker.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/system.hpp"

namespace wsb::loadgen {

Connection::Connection(Worker& w, std::uint32_t global_id, std::uint32_t local_index)
    : worker(w), id(global_id), local(local_index), stream(w.io) {
    ParserOptions o;
    o.role = Role::client;
    parser = FrameParser(o);
}

Connection::~Connection() {
    if (fd >= 0) close_direct();
}

void Connection::reuse(std::uint32_t new_id) {
    id = new_id;
    state = State::idle;
    counted_open = false;
    send_done = false;
    dirty = false;
    blocked = false;
    started = 0;
    deadline = 0;
    handshake_started = 0;
    handshake.reset();
    pending.clear();
    inflight.clear();
    next_seq = 0;
    in_flight = 0;
    reply_next = 0;
    last_reply = 0;
    messages_sent = 0;
    schedule.reset();
    broadcast_next = 0;
    head.clear();
    last_ping = 0;
    script.reset();
    deflate = nullptr;
    own_deflate.reset();
    deflate_message = false;
    deflate_in.clear();
    ParserOptions o;
    o.role = Role::client;
    parser = FrameParser(o);
}

void Connection::start_connect() {
    const Shared& shared = worker.shared;
    state = State::connecting;
    ++worker.connecting_;
    started = shared.now();  // per connection: the connect clock starts here
    if (shared.first_connect.load(std::memory_order_relaxed) < 0) {
        Ns unset = -1;
        worker.shared.first_connect.compare_exchange_strong(unset, started);
    }
    deadline = started + worker.config.connect_timeout.count();
    if (worker.reactor_) {
        connect_direct();
        return;
    }
    asio::error_code ec;
    const auto& target = shared.target;
    stream.socket().open(target.protocol(), ec);
    if (!ec && !shared.source_ips.empty()) {
        const auto& ip = shared.source_ips[id % shared.source_ips.size()];
#ifdef IP_BIND_ADDRESS_NO_PORT
        // Let connect() pick the port per destination, not bind(): the 4-tuple, not the
        // local port alone, must be unique, so each source address gets ~28k per target.
        int one = 1;
        ::setsockopt(stream.socket().native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
                     sizeof one);
#endif
        stream.socket().bind(asio::ip::tcp::endpoint(ip, 0), ec);
    }
    if (ec) {
        fail(ErrorKind::connect);
        return;
    }
    stream.socket().async_connect(target, [this](const asio::error_code& e) {
        if (state != State::connecting) return;
        if (e) {
            connect_failed(e.message());
            return;
        }
        on_connected();
    });
}

void Connection::connect_failed(const std::string& why) {
    if (log_enabled(LogLevel::debug)) log_line(LogLevel::debug, "connect: " + why);
    worker.note_first_error("connect: " + why);
    fail(ErrorKind::connect);
}

void Connection::on_connected() {
    const Ns now = worker.shared.now();
    worker.result.connect.record(to_us(now - started));
    asio::error_code ec;
    if (fd < 0) stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if (worker.shared.tls) {
        start_tls();
    } else {
        send_handshake();
    }
}

void Connection::start_tls() {
    state = State::tls;
    stream.start_tls(*worker.shared.tls);
    tls_buffer = std::make_unique<std::array<std::uint8_t, 16384>>();
    if (!net::prepare_client(stream.tls()->native_handle(), worker.config.url.host,
                             !worker.config.insecure)) {
        worker.note_first_error("TLS: cannot set the host name to verify");
        fail(ErrorKind::tls);
        return;
    }
    stream.async_handshake(asio::ssl::stream_base::client, [this](const asio::error_code& e) {
        if (state != State::tls) return;
        if (e) {
            if (log_enabled(LogLevel::debug)) log_line(LogLevel::debug, "tls: " + e.message());
            worker.note_first_error("TLS handshake: " + e.message());
            fail(ErrorKind::tls);
            return;
        }
        send_handshake();
    });
}

void Connection::send_handshake() {
    const Config& config = worker.config;
    state = State::handshaking;
    handshake_started = worker.shared.now();  // after TCP (and TLS): the WebSocket handshake
    handshake = std::make_unique<Handshake>();
    ClientRequest& req = handshake->request;
    req.host = config.url.host;
    req.port = config.url.port;
    req.secure = config.url.secure;
    req.resource = config.script ? config.script->handshake_target(config.url.resource())
                                 : config.url.resource();
    req.key = make_random_client_key(worker.rng_);
    req.subprotocols = config.subprotocols;
    req.origin = config.origin;
    if (config.deflate) req.extensions.push_back(format_deflate_offer(config.deflate_offer));
    req.headers = config.headers;
    if (script) {
        // The scenario file's headers, rendered for this session, before -H's.
        req.headers.insert(req.headers.begin(), script->headers.begin(), script->headers.end());
    }
    const std::string wire = build_client_request(req);
    pending.assign(wire.begin(), wire.end());
    flush();
    arm_read();
}

void Connection::on_handshake_bytes(std::uint8_t* data, std::size_t size) {
    auto& hs = *handshake;
    hs.response.append(reinterpret_cast<const char*>(data), size);
    HttpResponse response;
    std::size_t head_size = 0;
    const Errc e = parse_http_response(hs.response, response, head_size, hs.scanner);
    if (e == Errc::http_incomplete) return;
    if (e == Errc::ok) {
        const Errc check = check_server_response(response, hs.request);
        if (check == Errc::ok && !accept_deflate(response)) {
            fail(ErrorKind::handshake);
            return;
        }
        if (check == Errc::ok) {
            const Ns now = worker.shared.now();
            worker.result.handshake.record(to_us(now - handshake_started));
            std::string rest = hs.response.substr(head_size);
            handshake.reset();
            on_open(now);
            if (!rest.empty() && state == State::open) {
                on_frames(reinterpret_cast<std::uint8_t*>(rest.data()), rest.size(), rest.size());
            }
            return;
        }
        const std::string why = "handshake refused: status " + std::to_string(response.status) +
                                " (" + std::string(to_string(check)) + ")";
        if (log_enabled(LogLevel::debug)) log_line(LogLevel::debug, why);
        worker.note_first_error(why);
    }
    fail(ErrorKind::handshake);
}

void Connection::on_open(Ns now) {
    state = State::open;
    counted_open = true;
    ++worker.open_;
    bump(worker.progress.open, std::uint64_t{1});
    worker.settle(true);
    last_ping = now;
    if (script) {
        worker.script_opened(*this, now);
    } else if (worker.window_seen_ && !worker.window_over_) {
        begin_sending(now);
    }
}

}  // namespace wsb::loadgen
