// permessage-deflate (RFC 7692) in the fast engine: the server's policy over libwsbench's
// codec (wsbench/deflate.hpp): accept the first acceptable offer, compress at --deflate-level
// (zlib's default unless given).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "wsbench/deflate.hpp"

namespace wsb::echo {

/// One connection's compression state, on the server's side.
class Deflate : public DeflateCodec {
  public:
    /// `level`: zlib's compression level (-1: its default).
    explicit Deflate(const DeflateParams& params, int level = -1)
        : DeflateCodec(params, DeflateRole::server, level) {}

    /// The first acceptable offer among `offers` (in the client's order), or nullptr;
    /// `response` gets the Sec-WebSocket-Extensions value to answer with.
    static std::unique_ptr<Deflate> negotiate(const std::vector<std::string>& offers,
                                              std::string& response, int level = -1);
};

}  // namespace wsb::echo
