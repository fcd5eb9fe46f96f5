// permessage-deflate (RFC 7692): the echo server's choice among a client's offers.
#include "echo_server/deflate.hpp"

namespace wsb::echo {

std::unique_ptr<Deflate> Deflate::negotiate(const std::vector<std::string>& offers,
                                            std::string& response, int level) {
    for (const std::string& offer : offers) {
        DeflateParams p;
        if (negotiate_deflate(offer, p, response)) return std::make_unique<Deflate>(p, level);
    }
    return nullptr;
}

}  // namespace wsb::echo
