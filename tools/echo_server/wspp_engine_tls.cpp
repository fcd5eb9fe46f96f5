// The websocketpp engine over TLS (wss://), with and without permessage-deflate.
#include "echo_server/wspp_engine.hpp"

namespace wsb::echo {

template ServeError run_websocketpp<true, false>(const Config&, std::ostream&, Console*);
template ServeError run_websocketpp<true, true>(const Config&, std::ostream&, Console*);

}  // namespace wsb::echo
