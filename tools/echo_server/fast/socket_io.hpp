// One fast-engine connection's reads and writes, plain or through its non-blocking TLS
// session, with errno set as recv()/send() would set it.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace wsb::echo::fast {

/// recv() on `fd`, or SSL_read() on `ssl` when there is one: bytes read, 0 at the end of
/// the stream (close_notify or EOF without it), or -1 with errno EAGAIN (TLS wants either
/// direction), EPROTO (a TLS error) or the socket's own.
inline ssize_t recv_bytes(int fd, SSL* ssl, std::uint8_t* buf, std::size_t cap) {
    if (!ssl) return ::recv(fd, buf, cap, 0);
    ERR_clear_error();
    const int r = SSL_read(ssl, buf, static_cast<int>(cap));
    if (r > 0) return r;
    switch (SSL_get_error(ssl, r)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            errno = EAGAIN;
            return -1;
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        case SSL_ERROR_SYSCALL:
            if (errno == 0) return 0;  // EOF without close_notify
            return -1;
        default:
            errno = EPROTO;
            return -1;
    }
}

/// send() on `fd` (never SIGPIPE, never blocking), or SSL_write() on `ssl`: bytes written,
/// or -1 with errno EAGAIN (TLS wants either direction), EPIPE (a TLS error) or the
/// socket's own.
inline ssize_t send_bytes(int fd, SSL* ssl, const std::uint8_t* buf, std::size_t n) {
    if (!ssl) return ::send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    ERR_clear_error();
    const int r = SSL_write(ssl, buf, static_cast<int>(std::min<std::size_t>(n, 1 << 30)));
    if (r > 0) return r;
    switch (SSL_get_error(ssl, r)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            errno = EAGAIN;
            return -1;
        default:
            errno = EPIPE;
            return -1;
    }
}

}  // namespace wsb::echo::fast
