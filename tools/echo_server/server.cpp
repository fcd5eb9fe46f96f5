// Chooses the engine instantiation that matches the configuration.
#include "echo_server/server.hpp"

#include <memory>
#include <string>

#include "echo_server/console.hpp"
#include "echo_server/fast_engine.hpp"
#include "wsbench/system.hpp"

namespace wsb::echo {

ServeError run_server(const Config& config, std::ostream& out) {
    // Both engines: as many open files as --max-connections needs, soft to hard (and hard too
    // as root). A warning when the user asked for more than fits; a note when only the
    // default does.
    const FdLimit fds = raise_fd_limit(config.max_connections + 64);
    if (!fds.enough) {
        const bool asked = config.max_connections != Config{}.max_connections;
        log_line(asked ? LogLevel::warn : LogLevel::info,
                 "open-file limit " + std::to_string(fds.soft) + " caps connections at about " +
                     std::to_string(fds.soft > 64 ? fds.soft - 64 : 0) + " (--max-connections " +
                     std::to_string(config.max_connections) + "; raise the limit with ulimit -n)");
    }
    std::unique_ptr<Console> console;
    if (config.console) console = std::make_unique<Console>(config);
    Console* const c = console.get();
    if (config.engine == Engine::fast) return run_fast(config, out, c);
    if (config.tls()) {
        return config.deflate ? run_websocketpp<true, true>(config, out, c)
                              : run_websocketpp<true, false>(config, out, c);
    }
    return config.deflate ? run_websocketpp<false, true>(config, out, c)
                          : run_websocketpp<false, false>(config, out, c);
}

}  // namespace wsb::echo
