// Serve mode's entry point: selects the cases, starts the fuzzing server (serve_server.hpp)
// and runs it until SIGINT/SIGTERM or --once, then writes the reports (see serve.hpp).
#include "conformance/serve.hpp"

#include <asio.hpp>
#include <system_error>

#include "conformance/cases/serve_table.hpp"
#include "conformance/runner.hpp"
#include "conformance/serve_server.hpp"
#include "wsbench/system.hpp"

namespace wsb::conformance {

ExitCode run_serve(const ServeConfig& config_in, std::ostream& out, std::ostream& err) {
    ServeConfig config = config_in;
    const Selection sel = select_cases(all_cases(), config.run.cases, config.run.exclude_cases);
    const std::vector<CaseSpec> served_only = client_handshake_cases();
    for (const std::string& p : sel.unmatched) {
        bool in_c = false;
        for (const CaseSpec& c : served_only) in_c = in_c || glob_match(p, c.id);
        if (!in_c)
            log_line(LogLevel::warn, "note: the pattern '" + p + "' matches no case; ignored");
    }
    std::vector<CaseSpec> cases =
        serve_cases(sel.cases, config.run.cases, config.run.exclude_cases);
    if (cases.empty()) {
        log_line(LogLevel::error, "no case selected (see --cases and --exclude-cases)");
        return ExitCode::usage;
    }
    asio::io_context io;
    Server server(io, config, std::move(cases), err);
    std::string tls_error;
    if (!server.load_tls(tls_error)) {
        log_line(LogLevel::error, tls_error);
        return ExitCode::usage;
    }
    std::uint16_t port = 0;
    try {
        port = server.listen();
    } catch (const std::system_error& e) {
        log_line(LogLevel::error, "cannot listen on " + config.host + ":" +
                                      std::to_string(config.port) + ": " + e.what());
        return ExitCode::cannot_run;
    }
    const bool v6 = config.host.find(':') != std::string::npos;
    const std::string url = std::string(config.tls() ? "wss" : "ws") + "://" +
                            (v6 ? "[" + config.host + "]" : config.host) + ":" +
                            std::to_string(port);
    config.run.url_text = url;
    ServeSide side;
    side.host = config.host;
    side.port = port;
    side.port_asked = config.port;
    side.tls = config.tls();
    side.tls_cert = config.tls_cert;
    side.tls_key = config.tls_key;
    side.once = config.once;
    side.agent_from_url = config.agent_from_url;
    config.run.serve = side;
    out << "listening on " << url << std::endl;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&server](const std::error_code& e, int) {
        if (!e) server.stop();
    });
    io.run();
    return server.write_all_reports() ? ExitCode::ok : ExitCode::cannot_run;
}

}  // namespace wsb::conformance
