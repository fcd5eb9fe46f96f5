// Stream: one TCP connection, plain or with TLS layered on it once connected; the transport
// of the load generator's connections, the conformance runner's sessions (both roles) and the
// tests' client.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>
#include <memory>
#include <string>
#include <utility>

namespace wsb::net {

/// A TCP socket and, after start_tls(), a TLS stream over it. The socket stays where it is
/// (TLS holds a reference to it), so socket() is always the TCP layer: options, endpoints,
/// waits and the plain fast path of the load generator use it directly. Not movable for the
/// same reason; hold it by unique_ptr to hand it on.
class Stream {
  public:
    using Tls = asio::ssl::stream<asio::ip::tcp::socket&>;

    /// An unconnected socket on `io` (connect it through socket()).
    explicit Stream(asio::io_context& io) : socket_(io) {}
    /// A socket already connected, e.g. accepted.
    explicit Stream(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    asio::ip::tcp::socket& socket() noexcept { return socket_; }
    const asio::ip::tcp::socket& socket() const noexcept { return socket_; }
    /// The TLS layer, null on a plain stream.
    Tls* tls() noexcept { return tls_.get(); }
    bool secure() const noexcept { return tls_ != nullptr; }

    /// Layers TLS with `context` over the connected socket; then async_handshake(). For a
    /// client, call prepare_client(tls()->native_handle(), host, verify) before the handshake.
    void start_tls(asio::ssl::context& context) { tls_ = std::make_unique<Tls>(socket_, context); }

    /// The TLS handshake as `role`. Only on a stream after start_tls().
    template <class Handler>
    void async_handshake(asio::ssl::stream_base::handshake_type role, Handler&& handler) {
        tls_->async_handshake(role, std::forward<Handler>(handler));
    }

    /// Reads what is there (at least one byte), through TLS when secure.
    template <class Buffers, class Handler>
    void async_read_some(const Buffers& buffers, Handler&& handler) {
        if (tls_) {
            tls_->async_read_some(buffers, std::forward<Handler>(handler));
        } else {
            socket_.async_read_some(buffers, std::forward<Handler>(handler));
        }
    }

    /// Writes all of `buffers`, through TLS when secure.
    template <class Buffers, class Handler>
    void async_write(const Buffers& buffers, Handler&& handler) {
        if (tls_) {
            asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
        } else {
            asio::async_write(socket_, buffers, std::forward<Handler>(handler));
        }
    }

    /// Drops the connection at once (no TLS close_notify): both directions shut, socket closed.
    void close() noexcept {
        asio::error_code ignored;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

  private:
    asio::ip::tcp::socket socket_;
    std::unique_ptr<Tls> tls_;
};

}  // namespace wsb::net
