// Chooses the engine instantiation that matches the configuration.
#include "server.hpp"

#include "fast_engine.hpp"
#include "wsbench/system.hpp"

namespace wsb::echo {

int run_server(const Config& config, std::ostream& out) {
    if (config.engine == Engine::fast) return run_fast(config, out);
    if (config.tls()) {
        return config.deflate ? run_websocketpp<true, true>(config, out)
                              : run_websocketpp<true, false>(config, out);
    }
    return config.deflate ? run_websocketpp<false, true>(config, out)
                          : run_websocketpp<false, false>(config, out);
}

}  // namespace wsb::echo
