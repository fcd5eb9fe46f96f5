// Blocking test client: each operation runs Asio until it completes or its deadline passes.
#include "ws_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <limits>
#include <random>

#include "wsbench/net/stream.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/url.hpp"

namespace wsb::test {

namespace {

/// permessage-deflate (RFC 7692 §7.2): raw DEFLATE, each message flushed with a sync flush
/// whose 00 00 FF FF tail is left off on the wire. Every call starts a fresh stream, so the
/// client offers no context takeover in either direction.
std::optional<std::string> inflate_message(const std::string& data) {
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) return std::nullopt;
    std::string in = data + std::string("\x00\x00\xff\xff", 4);
    std::string out;
    char buf[65536];
    z.next_in = reinterpret_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    do {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_SYNC_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
    } while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
    inflateEnd(&z);
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return std::nullopt;
    return out;
}

std::string deflate_message(const std::string& data) {
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 16, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_SYNC_FLUSH);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    if (out.size() >= 4 &&
        out.compare(out.size() - 4, 4, std::string("\x00\x00\xff\xff", 4)) == 0) {
        out.resize(out.size() - 4);
    }
    return out;
}

}  // namespace

std::uint16_t Message::close_code() const {
    if (payload.size() < 2) return 0;
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                      static_cast<std::uint8_t>(payload[1]));
}

std::string Message::close_reason() const { return payload.size() > 2 ? payload.substr(2) : ""; }

struct WsClient::Impl {
    asio::io_context io;
    std::shared_ptr<asio::ssl::context> tls_ctx;  // wss://: verifies nothing
    wsb::net::Stream stream{io};
    std::mt19937 rng{std::random_device{}()};

    /// Runs the io_context until `done` or the deadline. On timeout cancels the operation,
    /// lets its handler run (it sees operation_aborted, or completed just in time) and
    /// returns false; the socket stays open.
    bool run(bool& done, std::chrono::milliseconds timeout) {
        io.restart();
        io.run_for(timeout);
        if (done) return true;
        asio::error_code ignored;
        stream.socket().cancel(ignored);
        io.restart();
        io.run();
        return false;
    }
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {
    ParserOptions o;
    o.role = Role::client;
    parser_ = FrameParser(o);
}

WsClient::~WsClient() = default;

bool WsClient::open(const std::string& url_text, std::chrono::milliseconds timeout) {
    Url url;
    if (parse_url(url_text, url) != Errc::ok) {
        error_ = "bad url " + url_text;
        return false;
    }
    timeout_ = timeout;
    asio::error_code ec;
    asio::ip::tcp::resolver resolver(impl_->io);
    auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
    if (ec) {
        error_ = "resolve: " + ec.message();
        return false;
    }
    bool done = false;
    asio::async_connect(impl_->stream.socket(), endpoints,
                        [&](const asio::error_code& e, const asio::ip::tcp::endpoint&) {
                            ec = e;
                            done = true;
                        });
    if (!impl_->run(done, timeout) || ec) {
        error_ = "connect: " + (ec ? ec.message() : std::string("timeout"));
        return false;
    }
    impl_->stream.socket().set_option(asio::ip::tcp::no_delay(true));
    if (url.secure) {
        std::string tls_error;
        impl_->tls_ctx = wsb::net::make_client_context({true, ""}, tls_error);
        if (!impl_->tls_ctx) {
            error_ = "tls: " + tls_error;
            return false;
        }
        impl_->stream.start_tls(*impl_->tls_ctx);
        wsb::net::prepare_client(impl_->stream.tls()->native_handle(), url.host, false);
        done = false;
        impl_->stream.async_handshake(asio::ssl::stream_base::client,
                                      [&](const asio::error_code& e) {
                                          ec = e;
                                          done = true;
                                      });
        if (!impl_->run(done, timeout) || ec) {
            error_ = "tls handshake: " + (ec ? ec.message() : std::string("timeout"));
            return false;
        }
    }
    return true;
}

bool WsClient::write_all(const std::string& bytes) {
    bool done = false;
    asio::error_code ec;
    auto handler = [&](const asio::error_code& e, std::size_t) {
        ec = e;
        done = true;
    };
    impl_->stream.async_write(asio::buffer(bytes), handler);
    if (!impl_->run(done, timeout_) || ec) {
        error_ = "write: " + (ec ? ec.message() : std::string("timeout"));
        return false;
    }
    return true;
}

bool WsClient::read_some(std::chrono::milliseconds timeout) {
    char buf[65536];
    bool done = false;
    asio::error_code ec;
    std::size_t got = 0;
    auto handler = [&](const asio::error_code& e, std::size_t n) {
        ec = e;
        got = n;
        done = true;
    };
    impl_->stream.async_read_some(asio::buffer(buf), handler);
    impl_->run(done, timeout);
    in_.append(buf, got);  // a read cancelled at the deadline may still have completed
    if (ec == asio::error::operation_aborted) {
        error_ = "read: timeout";
        return got > 0;
    }
    if (ec) {
        eof_ = true;
        error_ = "read: " + ec.message();
        return got > 0;
    }
    return true;
}

bool WsClient::connect_raw(const std::string& url, const std::string& raw,
                           std::chrono::milliseconds timeout) {
    return open(url, timeout) && write_all(raw);
}

std::optional<HttpResponse> WsClient::read_http_response(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        HttpResponse resp;
        std::size_t head = 0;
        const Errc e = parse_http_response(in_, resp, head);
        if (e == Errc::ok) {
            in_.erase(0, head);
            return resp;
        }
        if (e != Errc::http_incomplete) {
            error_ = "bad response: " + std::string(to_string(e));
            return std::nullopt;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (eof_ || left.count() <= 0 || !read_some(left)) return std::nullopt;
    }
}

std::optional<std::string> WsClient::read_http_body(const HttpResponse& head,
                                                    std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::string* length_field = head.headers.find("Content-Length");
    const std::size_t length =
        length_field ? std::stoul(*length_field) : std::numeric_limits<std::size_t>::max();
    while (in_.size() < length && !eof_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !read_some(left)) break;
    }
    if (length_field ? in_.size() < length : !eof_) return std::nullopt;
    std::string body = in_.substr(0, std::min(length, in_.size()));
    in_.erase(0, body.size());
    return body;
}

int WsClient::native_handle() { return impl_->stream.socket().native_handle(); }

unsigned short WsClient::local_port() {
    asio::error_code ec;
    const auto ep = impl_->stream.socket().local_endpoint(ec);
    return ec ? 0 : ep.port();
}

bool WsClient::connect(const std::string& url_text, const ClientOptions& options) {
    Url url;
    if (parse_url(url_text, url) != Errc::ok) {
        error_ = "bad url " + url_text;
        return false;
    }
    ClientRequest req;
    req.host = url.host;
    req.port = url.port;
    req.secure = url.secure;
    req.resource = url.resource();
    req.key = make_random_client_key(impl_->rng);
    req.subprotocols = options.subprotocols;
    req.extensions = options.extensions;
    req.headers = options.headers;
    if (!connect_raw(url_text, build_client_request(req), options.timeout)) return false;
    auto resp = read_http_response(options.timeout);
    if (!resp) {
        if (error_.empty()) error_ = "no handshake response";
        return false;
    }
    response_ = *resp;
    if (const Errc e = check_server_response(response_, req); e != Errc::ok) {
        error_ = "handshake: " + std::string(to_string(e)) + " (status " +
                 std::to_string(response_.status) + ")";
        return false;
    }
    for (const auto& ext : response_.headers.list("Sec-WebSocket-Extensions")) {
        if (ext.rfind("permessage-deflate", 0) == 0) deflate_ = true;
    }
    if (deflate_) {
        ParserOptions o;
        o.role = Role::client;
        o.allow_rsv1 = true;
        parser_ = FrameParser(o);
    }
    return true;
}

bool WsClient::send_masked(FrameHeader h, const std::string& payload) {
    h.masked = true;
    const std::uint32_t key = impl_->rng();
    for (int i = 0; i < 4; ++i)
        h.mask_key[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(key >> (8 * i));
    std::string out(kMaxFrameHeaderSize + payload.size(), '\0');
    out.resize(encode_frame(h, payload.data(), payload.size(),
                            reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
    return write_all(out);
}

bool WsClient::send_compressed(Opcode op, const std::string& payload) {
    FrameHeader h;
    h.opcode = op;
    h.rsv1 = true;
    return send_masked(h, deflate_message(payload));
}

bool WsClient::send_frame(Opcode op, const std::string& payload, bool fin) {
    FrameHeader h;
    h.opcode = op;
    h.fin = fin;
    return send_masked(h, payload);
}

bool WsClient::send_raw(const std::string& bytes) { return write_all(bytes); }

bool WsClient::send_close(std::uint16_t code, const std::string& reason) {
    std::string p;
    p.push_back(static_cast<char>(code >> 8));
    p.push_back(static_cast<char>(code & 0xFF));
    return send_frame(Opcode::close, p + reason);
}

std::optional<Message> WsClient::receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto* data = reinterpret_cast<std::uint8_t*>(in_.data());
        std::size_t pos = 0;
        std::optional<Message> out;
        while (pos < in_.size() && !out) {
            FrameEvent ev;
            pos += parser_.parse(data + pos, in_.size() - pos, ev);
            if (ev.kind == FrameEvent::Kind::error) {
                error_ = "server broke the protocol: " + std::string(to_string(ev.error));
                in_.clear();
                return std::nullopt;
            }
            if (ev.kind != FrameEvent::Kind::payload) continue;
            const std::string piece(reinterpret_cast<const char*>(ev.data), ev.size);
            if (ev.is_control()) {
                out = Message{ev.header.opcode, piece};
            } else {
                if (ev.message_offset == 0 && ev.frame_offset == 0) {
                    message_.clear();
                    message_compressed_ = ev.header.rsv1;
                }
                message_op_ = ev.message_opcode;
                message_ += piece;
                if (ev.message_end) {
                    if (message_compressed_) {
                        auto inflated = inflate_message(message_);
                        if (!inflated) {
                            error_ = "server sent a compressed message that does not inflate";
                            return std::nullopt;
                        }
                        message_ = std::move(*inflated);
                    }
                    out = Message{message_op_, std::move(message_), message_compressed_};
                    message_.clear();
                }
            }
        }
        in_.erase(0, pos);
        if (out) return out;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (eof_ || left.count() <= 0 || !read_some(left)) return std::nullopt;
    }
}

std::optional<std::uint16_t> WsClient::receive_close(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto m = receive(left);
        if (!m) return std::nullopt;
        if (m->opcode == Opcode::close) return m->close_code();
    }
}

bool WsClient::wait_eof(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_) {
        in_.clear();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !read_some(left)) return eof_;
    }
    return true;
}

std::string random_payload(std::size_t size, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string s(size, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

int tcp_connect_loopback(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace wsb::test
