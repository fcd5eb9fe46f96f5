// The websocketpp engine over plain TCP (ws://), with and without permessage-deflate.
#include "echo_server/wspp_engine.hpp"

namespace wsb::echo {

template ServeError run_websocketpp<false, false>(const Config&, std::ostream&, Console*);
template ServeError run_websocketpp<false, true>(const Config&, std::ostream&, Console*);

}  // namespace wsb::echo
