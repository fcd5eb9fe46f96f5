// The cases serve mode plays (testing a client): section C, the client's duties in the opening
// handshake, and serve_cases(), which adapts the selection of the client-role table.
#pragma once

#include <string>
#include <vector>

#include "conformance/case.hpp"

namespace wsb::conformance {

/// Section C, served only: the client's duties in the opening handshake (RFC 6455 §4.1, §9.1;
/// RFC 7692 §7): C.1.x a 101 with a wrong or missing Sec-WebSocket-Accept, without Upgrade or
/// Connection, with Upgrade: h2c, or a 200 or 403 instead of a 101; C.2.x a subprotocol or an
/// extension the client did not offer; C.3.x permessage-deflate with parameters that are
/// invalid, unknown, repeated or not asked for. Each is followed by a text message the client
/// must never echo (it MUST fail the connection, or never take it as open).
std::vector<CaseSpec> client_handshake_cases();

/// The cases serve mode plays, copied from the selection: the H.x handshake probes (which
/// bend a client's request) and the permessage-deflate sections 12-13 (not served yet) are
/// left out; the M.x cases take their server-role texts
/// (masking_cases(Role::server): the server sends masked frames, which a client MUST fail,
/// §5.1); then the C.x cases that `includes` select and `excludes` do not (patterns matching
/// nothing in C are ignored).
std::vector<CaseSpec> serve_cases(const std::vector<const CaseSpec*>& selected,
                                  const std::vector<std::string>& includes = {},
                                  const std::vector<std::string>& excludes = {});

}  // namespace wsb::conformance
