// TLS for every tool, set up once: the client context (trust, verification, SNI, host-name
// check) and the server setup (certificate chain, key, TLS 1.2 floor), for Asio contexts and
// for the fast engine's raw SSL_CTX alike.
#pragma once

#include <openssl/ssl.h>

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace wsb::net {

/// How a client checks the servers it connects to (wss://).
struct ClientTlsOptions {
    bool insecure = false;  ///< --insecure: verify nothing
    std::string ca_file;    ///< --ca: trust these PEM certificates; empty: the system's store
};

/// Checks that `path` is a PEM file holding at least one certificate OpenSSL can load as a
/// trust anchor. Returns an empty string when it is, else what is wrong with it, ready to
/// follow "--ca FILE: ". The tools call it while reading their options, so a bad --ca file is
/// a usage error (exit 2) in every tool.
std::string check_ca_file(const std::string& path);

/// Builds the client context of a wss:// run: TLS 1.2 or later; unless `insecure`, the peer's
/// chain is verified against `ca_file` or the system's trust store. Host names are checked
/// per connection (prepare_client), so one context serves every target. On failure returns
/// null and sets `error` ("--ca FILE: ...").
std::shared_ptr<asio::ssl::context> make_client_context(const ClientTlsOptions& options,
                                                        std::string& error);

/// Prepares one client connection before its handshake: SNI with `host` when it is a name
/// (RFC 6066 §3 forbids IP literals there), and, when `verify`, the check that the
/// certificate names `host` (a DNS name, or an IP address for literals; RFC 6125). `host` is
/// the URL's host without IPv6 brackets. Returns false when OpenSSL refused a setting.
bool prepare_client(SSL* ssl, const std::string& host, bool verify);

/// What a server presents (wss://).
struct ServerTlsOptions {
    std::string cert_file;  ///< --tls-cert: PEM certificate chain, leaf first
    std::string key_file;   ///< --tls-key: PEM private key of the leaf
};

/// Configures `ctx` for serving: TLS 1.2 or later, the certificate chain, the key, and the
/// check that the key belongs to the certificate. Returns an empty string on success, else a
/// message naming the flag ("--tls-key FILE does not match --tls-cert FILE").
std::string configure_server(SSL_CTX* ctx, const ServerTlsOptions& options);

/// An Asio server context configured by configure_server(); null with `error` set on failure.
std::shared_ptr<asio::ssl::context> make_server_context(const ServerTlsOptions& options,
                                                        std::string& error);

/// OpenSSL's queued errors as one line ("error:...: no start line"), the queue cleared;
/// `fallback` when the queue is empty.
std::string take_openssl_error(const char* fallback = "unknown TLS error");

}  // namespace wsb::net
