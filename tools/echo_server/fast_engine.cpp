// The fast engine's entry point; its pieces are under fast/ (docs/architecture.md).
#include "echo_server/fast_engine.hpp"

#include "echo_server/fast/fast_server.hpp"

namespace wsb::echo {

ServeError run_fast(const Config& config, std::ostream& out, Console* console) {
    fast::FastServer engine(config, console);
    return engine.run(out);
}

}  // namespace wsb::echo
