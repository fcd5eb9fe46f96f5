// Session's permessage-deflate (RFC 7692), sections 12-13: checking the server's answer to the
// case's offers, inflating compressed messages, sending compressed ones.
#include <string>
#include <vector>

#include "conformance/frame_bytes.hpp"
#include "conformance/session.hpp"

namespace wsb::conformance {

bool Session::accept_deflate(const HttpResponse& resp) {
    const std::string answer = resp.headers.combined("Sec-WebSocket-Extensions");
    if (answer.empty()) {
        log("EV", "permessage-deflate declined");
        return true;
    }
    DeflateParams params;
    std::string error;
    if (!accept_deflate_response(answer, spec_.deflate_offers, params, error)) {
        obs_.handshake_error = "the permessage-deflate answer \"" + answer +
                               "\" must be refused (RFC 7692 §7.1): " + error;
        log("EV", obs_.handshake_error);
        return false;
    }
    // zlib's fastest level on our side: the peer's compression is what the case measures.
    deflate_ = std::make_unique<DeflateCodec>(params, DeflateRole::client, 1);
    obs_.deflate_negotiated = true;
    log("EV", "permessage-deflate: " + answer);
    return true;
}

bool Session::inflate_message() {
    constexpr std::uint64_t kMaxInflated = 64u << 20;
    const auto r = deflate_->inflate(reinterpret_cast<const std::uint8_t*>(message_.data()),
                                     message_.size(), kMaxInflated);
    if (r == DeflateCodec::Result::too_large) {
        protocol_violation(std::string(peer()) + " sent a compressed message inflating past " +
                               std::to_string(kMaxInflated) + " octets",
                           1009);
        return false;
    }
    if (r == DeflateCodec::Result::error) {
        protocol_violation(std::string(peer()) + " sent invalid permessage-deflate data", 1007);
        return false;
    }
    const std::vector<std::uint8_t>& plain = deflate_->inflated();
    if (!message_binary_ && !is_valid_utf8(plain.data(), plain.size())) {
        protocol_violation(std::string(peer()) + " sent a text message that is not valid UTF-8",
                           1007);
        return false;
    }
    message_.assign(reinterpret_cast<const char*>(plain.data()), plain.size());
    message_length_ = plain.size();
    return true;
}

void Session::send_compressed(bool binary, const std::uint8_t* data, std::size_t size,
                              std::size_t fragment_size) {
    if (state_ != State::open || !deflate_) return;
    const std::vector<std::uint8_t>& z = deflate_->compress(data, size);
    std::function<std::array<std::uint8_t, 4>()> key;
    if (!server_role_) key = [this] { return mask_key(); };
    log("TF", std::string(binary ? "binary" : "text") + " message, " + std::to_string(size) +
                  " octets compressed to " + std::to_string(z.size()));
    enqueue(std::make_shared<const std::string>(
                encode_message(binary, z.data(), z.size(), fragment_size, true, key)),
            0, false);
}

}  // namespace wsb::conformance
