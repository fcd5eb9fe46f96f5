// The one TLS setup of every tool, exercised without sockets: a client and a server SSL joined
// by an in-memory BIO pair, so each test is a real TLS handshake between our contexts.
#include "wsbench/net/tls.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fstream>
#include <memory>
#include <string>

#include "scratch_dir.hpp"
#include "tls_cert.hpp"

namespace wsb::net {
namespace {

using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;
using CtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

// Two self-signed certificates (CN=localhost, SAN localhost and 127.0.0.1) in a scratch dir.
class TlsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string error;
        ASSERT_TRUE(test::write_self_signed_cert(cert_, key_, error)) << error;
        ASSERT_TRUE(test::write_self_signed_cert(other_cert_, other_key_, error)) << error;
    }
    std::string path(const char* name) const { return dir_.path() + "/" + name; }
    void write(const std::string& file, const std::string& text) const {
        std::ofstream(file, std::ios::binary) << text;
    }

    test::ScratchDir dir_;
    const std::string cert_ = path("cert.pem");
    const std::string key_ = path("key.pem");
    const std::string other_cert_ = path("other-cert.pem");
    const std::string other_key_ = path("other-key.pem");
};

// Runs the handshake of `client` against `server` over a BIO pair until both finish or one
// fails. True when both completed.
bool handshake(SSL* client, SSL* server) {
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    bool client_done = false;
    bool server_done = false;
    for (int round = 0; round < 100 && !(client_done && server_done); ++round) {
        if (!client_done) {
            const int rc = SSL_do_handshake(client);
            if (rc == 1)
                client_done = true;
            else if (SSL_get_error(client, rc) != SSL_ERROR_WANT_READ)
                return false;
        }
        if (!server_done) {
            const int rc = SSL_do_handshake(server);
            if (rc == 1)
                server_done = true;
            else if (SSL_get_error(server, rc) != SSL_ERROR_WANT_READ)
                return false;
        }
    }
    ERR_clear_error();
    return client_done && server_done;
}

CtxPtr server_ctx(const ServerTlsOptions& options) {
    CtxPtr ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
    EXPECT_EQ(configure_server(ctx.get(), options), "");
    return ctx;
}

TEST_F(TlsTest, CaFileMustHoldCertificates) {
    EXPECT_EQ(check_ca_file(cert_), "");
    EXPECT_EQ(check_ca_file(dir_.path()), "is a directory; expected a PEM file");
    EXPECT_EQ(check_ca_file(path("missing.pem")), "cannot read the file (or it is empty)");
    write(path("empty.pem"), "");
    EXPECT_EQ(check_ca_file(path("empty.pem")), "cannot read the file (or it is empty)");
    write(path("junk.pem"), "this is not a certificate\n");
    EXPECT_NE(check_ca_file(path("junk.pem")).find("not a PEM file of CA certificates"),
              std::string::npos);
    // A key alone is PEM, but no trust anchor.
    EXPECT_NE(check_ca_file(key_).find("not a PEM file of CA certificates"), std::string::npos);
}

TEST_F(TlsTest, ServerRefusesKeyOfAnotherCertificate) {
    CtxPtr ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
    EXPECT_EQ(configure_server(ctx.get(), {cert_, other_key_}),
              "--tls-key " + other_key_ + " does not match --tls-cert " + cert_);
    EXPECT_EQ(ERR_peek_error(), 0u);  // nothing left queued for the next TLS call
}

TEST_F(TlsTest, ServerNamesTheFlagOfAnUnreadableFile) {
    CtxPtr ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
    EXPECT_EQ(configure_server(ctx.get(), {path("nope.pem"), key_}).rfind("--tls-cert ", 0), 0u);
    EXPECT_EQ(configure_server(ctx.get(), {cert_, path("nope.pem")}).rfind("--tls-key ", 0), 0u);
    std::string error;
    EXPECT_EQ(make_server_context({cert_, path("nope.pem")}, error), nullptr);
    EXPECT_EQ(error.rfind("--tls-key ", 0), 0u);
    EXPECT_NE(make_server_context({cert_, key_}, error), nullptr);
}

TEST_F(TlsTest, ServerRefusesTls11AndAcceptsTls12) {
    CtxPtr server = server_ctx({cert_, key_});
    for (const int version : {TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION}) {
        // A client that would speak the old version if the server let it.
        CtxPtr client(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
        SSL_CTX_set_security_level(client.get(), 0);
        SSL_CTX_set_cipher_list(client.get(), "ALL:@SECLEVEL=0");
        SSL_CTX_set_min_proto_version(client.get(), version);
        SSL_CTX_set_max_proto_version(client.get(), version);
        SslPtr c(SSL_new(client.get()), &SSL_free);
        SslPtr s(SSL_new(server.get()), &SSL_free);
        // The server too at security level 0: the floor must come from configure_server, not
        // from the system's OpenSSL policy.
        SSL_set_security_level(s.get(), 0);
        EXPECT_EQ(handshake(c.get(), s.get()), version != TLS1_1_VERSION) << std::hex << version;
    }
}

TEST_F(TlsTest, ClientVerifiesChainAndHostName) {
    CtxPtr server = server_ctx({cert_, key_});
    struct Case {
        const char* host;
        const std::string* ca;
        bool insecure;
        bool ok;
    };
    const std::string none;
    for (const Case& k :
         {Case{"localhost", &cert_, false, true}, Case{"127.0.0.1", &cert_, false, true},  // IP SAN
          Case{"example.com", &cert_, false, false},      // another name
          Case{"127.0.0.2", &cert_, false, false},        // another address
          Case{"localhost", &other_cert_, false, false},  // untrusted
          Case{"example.com", &none, true, true}}) {      // --insecure
        std::string error;
        auto client = make_client_context({k.insecure, *k.ca}, error);
        ASSERT_NE(client, nullptr) << error;
        SslPtr c(SSL_new(client->native_handle()), &SSL_free);
        SslPtr s(SSL_new(server.get()), &SSL_free);
        ASSERT_TRUE(prepare_client(c.get(), k.host, !k.insecure));
        EXPECT_EQ(handshake(c.get(), s.get()), k.ok) << k.host;
    }
}

TEST_F(TlsTest, SniCarriesNamesNotAddresses) {
    std::string error;
    auto client = make_client_context({true, ""}, error);
    SslPtr by_name(SSL_new(client->native_handle()), &SSL_free);
    ASSERT_TRUE(prepare_client(by_name.get(), "localhost", false));
    EXPECT_STREQ(SSL_get_servername(by_name.get(), TLSEXT_NAMETYPE_host_name), "localhost");
    for (const char* literal : {"127.0.0.1", "::1"}) {
        SslPtr by_ip(SSL_new(client->native_handle()), &SSL_free);
        ASSERT_TRUE(prepare_client(by_ip.get(), literal, false));
        EXPECT_EQ(SSL_get_servername(by_ip.get(), TLSEXT_NAMETYPE_host_name), nullptr) << literal;
    }
}

TEST_F(TlsTest, BadCaFileIsNamed) {
    std::string error;
    write(path("junk.pem"), "junk\n");
    EXPECT_EQ(make_client_context({false, path("junk.pem")}, error), nullptr);
    EXPECT_EQ(error.rfind("--ca " + path("junk.pem") + ": ", 0), 0u) << error;
}

}  // namespace
}  // namespace wsb::net
