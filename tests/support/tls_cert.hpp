// Test-time TLS material: a self-signed certificate made with OpenSSL's API, so wss:// tests
// need no files in the tree and no openssl binary.
#pragma once

#include <string>

#include "scratch_dir.hpp"

namespace wsb::test {

/// Writes a P-256 key and a self-signed certificate for CN=localhost and 127.0.0.1, valid for
/// a day, as PEM files. Returns false with the reason in `error`.
bool write_self_signed_cert(const std::string& cert_path, const std::string& key_path,
                            std::string& error);

}  // namespace wsb::test
