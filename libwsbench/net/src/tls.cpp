// TLS contexts for clients and servers: the one place the tools configure OpenSSL.
#include "wsbench/net/tls.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>

namespace wsb::net {
namespace {

bool is_ip_literal(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::string take_openssl_error(const char* fallback) {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return fallback;
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
}

std::string check_ca_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return "is a directory; expected a PEM file";
    std::ifstream in(path, std::ios::binary);
    if (!in || in.peek() == std::ifstream::traits_type::eof()) {
        return "cannot read the file (or it is empty)";
    }
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                          &SSL_CTX_free);
    if (!ctx) return take_openssl_error("cannot create a TLS context");
    ERR_clear_error();
    if (SSL_CTX_load_verify_locations(ctx.get(), path.c_str(), nullptr) != 1) {
        return "not a PEM file of CA certificates (" + take_openssl_error() + ")";
    }
    return {};
}

std::shared_ptr<asio::ssl::context> make_client_context(const ClientTlsOptions& options,
                                                        std::string& error) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    asio::error_code ec;
    if (options.insecure) {
        ctx->set_verify_mode(asio::ssl::verify_none);
        return ctx;
    }
    ctx->set_verify_mode(asio::ssl::verify_peer);
    if (!options.ca_file.empty()) {
        ctx->load_verify_file(options.ca_file, ec);
        if (ec) {
            error = "--ca " + options.ca_file + ": " + ec.message();
            return nullptr;
        }
    } else {
        // A machine without a trust store still runs: every handshake then fails to verify,
        // and each connection says so.
        ctx->set_default_verify_paths(ec);
    }
    return ctx;
}

bool prepare_client(SSL* ssl, const std::string& host, bool verify) {
    const bool literal = is_ip_literal(host);
    if (!literal && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return false;
    if (!verify) return true;
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (literal) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
}

std::string configure_server(SSL_CTX* ctx, const ServerTlsOptions& options) {
    ERR_clear_error();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
        return "--tls-cert " + options.cert_file + ": " + take_openssl_error();
    }
    const std::string mismatch =
        "--tls-key " + options.key_file + " does not match --tls-cert " + options.cert_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        // OpenSSL 3 checks the pair while loading the key; 1.1 leaves it to the check below.
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
            ERR_clear_error();
            return mismatch;
        }
        return "--tls-key " + options.key_file + ": " + take_openssl_error();
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        return mismatch;
    }
    return {};
}

std::shared_ptr<asio::ssl::context> make_server_context(const ServerTlsOptions& options,
                                                        std::string& error) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    error = configure_server(ctx->native_handle(), options);
    if (!error.empty()) return nullptr;
    return ctx;
}

}  // namespace wsb::net
