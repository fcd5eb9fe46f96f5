// Session (session.hpp): permessage-deflate (RFC 7692) on the client's side: the server's answer
// checked as a client must (§7.1), compressed messages inflated within --max-message-size.
#include "client/session.hpp"

namespace wsb::client {

DeflateOffer client_deflate_offer() {
    DeflateOffer offer;
    offer.client_max_window_bits = 0;  // offered without a value: the server may choose
    return offer;
}

bool Session::accept_deflate(const HttpResponse& response) {
    if (!config_.deflate) return true;
    const std::string answer = response.headers.combined("Sec-WebSocket-Extensions");
    if (answer.empty()) return true;  // declined: the connection runs uncompressed
    DeflateParams params;
    std::string error;
    if (accept_deflate_response(answer, {client_deflate_offer()}, params, error)) {
        try {
            deflate_ = std::make_unique<DeflateCodec>(params, DeflateRole::client);
        } catch (const std::exception& e) {
            error = e.what();
        }
    }
    if (!deflate_) {
        finish({Ending::Kind::handshake_failed,
                false,
                0,
                {},
                "handshake rejected: " + where() + "'s permessage-deflate answer '" + answer +
                    "' is one a client must refuse (" + error + ")"});
        return false;
    }
    open_info_.extensions = answer;
    // RSV1 now marks a compressed message's first frame (§6).
    ParserOptions o = parser_.options();
    o.allow_rsv1 = true;
    parser_ = FrameParser(o);
    return true;
}

bool Session::deliver_compressed() {
    const DeflateCodec::Result r =
        deflate_->inflate(reinterpret_cast<const std::uint8_t*>(message_.data()), message_.size(),
                          config_.max_message_size);
    if (r == DeflateCodec::Result::too_large) {
        fail(Errc::message_too_large);
        return false;
    }
    if (r == DeflateCodec::Result::error) {
        fail_with(1007, "the server sent a compressed message that does not inflate", "");
        return false;
    }
    const std::vector<std::uint8_t>& plain = deflate_->inflated();
    if (!message_binary_) {
        utf8_.reset();
        if (utf8_.feed(plain.data(), plain.size()) == Utf8Status::invalid || !utf8_.complete()) {
            fail(Errc::invalid_utf8);
            return false;
        }
    }
    message_.assign(reinterpret_cast<const char*>(plain.data()), plain.size());
    return true;
}

}  // namespace wsb::client
