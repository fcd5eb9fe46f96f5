// The fuzzing server: accepts connections, answers Autobahn's fuzzingserver URL protocol, plays
// cases through Session in the server role and writes the reports per agent (see
// serve_server.hpp).
#include "conformance/serve_server.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "conformance/writers.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"
#include "wsbench/net/tls.hpp"
#include "wsbench/report.hpp"
#include "wsbench/system.hpp"

namespace wsb::conformance {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string url_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// One unmasked server frame (the fuzzing server's own messages are well-formed).
std::string server_frame(Opcode opcode, const std::string& payload) {
    FrameHeader h;
    h.fin = true;
    h.opcode = opcode;
    h.masked = false;
    h.payload_length = payload.size();
    std::uint8_t header[kMaxFrameHeaderSize];
    const std::size_t n = encode_header(h, header, sizeof header);
    return std::string(reinterpret_cast<const char*>(header), n) + payload;
}

std::string close_payload(std::uint16_t code) {
    return std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
}

/// A directory name for an agent: report_file_name()'s rule without the case part.
std::string agent_slug(const std::string& agent) {
    const std::string f = report_file_name(agent, "x");
    return f.substr(0, f.size() - std::string("_case_x.json").size());
}

}  // namespace

Target parse_target(const std::string& target) {
    Target t;
    const auto q = target.find('?');
    t.path = target.substr(0, q);
    if (q == std::string::npos) return t;
    std::string rest = target.substr(q + 1);
    std::size_t pos = 0;
    while (pos <= rest.size()) {
        const auto amp = rest.find('&', pos);
        const std::string item = rest.substr(pos, amp == std::string::npos ? amp : amp - pos);
        if (!item.empty()) {
            const auto eq = item.find('=');
            t.query[url_decode(item.substr(0, eq))] =
                eq == std::string::npos ? std::string() : url_decode(item.substr(eq + 1));
        }
        if (amp == std::string::npos) break;
        pos = amp + 1;
    }
    return t;
}

// --- one accepted connection until it is handed to a Session or answered ----------------

struct Server::Connection : std::enable_shared_from_this<Server::Connection> {
    explicit Connection(asio::io_context& io)
        : stream(std::make_unique<net::Stream>(io)), timer(io) {}
    std::unique_ptr<net::Stream> stream;  // handed to the Session once the WebSocket opens
    asio::steady_timer timer;
    std::string head;  // bytes received before the WebSocket opened
    HttpHeadScanner scanner;
    HttpRequest request;
    std::size_t head_size = 0;
    ServerHandshakeInfo info;
    std::vector<std::uint8_t> rbuf = std::vector<std::uint8_t>(4096);
    FrameParser parser;  // reply_and_close: waits for the client's close frame

    asio::ip::tcp::socket& tcp() noexcept { return stream->socket(); }
    void close() noexcept {
        std::error_code ignored;
        tcp().close(ignored);
    }
    template <class Handler>
    void read_some(Handler&& handler) {
        stream->async_read_some(asio::buffer(rbuf), std::forward<Handler>(handler));
    }
    /// Writes all of `*bytes` (kept alive by the handler's copy of the pointer).
    template <class Handler>
    void write(std::shared_ptr<const std::string> bytes, Handler&& handler) {
        auto done = [bytes, handler = std::forward<Handler>(handler)](
                        const std::error_code& e, std::size_t n) mutable { handler(e, n); };
        stream->async_write(asio::buffer(*bytes), std::move(done));
    }
};

Server::Server(asio::io_context& io, const ServeConfig& config, std::vector<CaseSpec> cases,
               std::ostream& progress)
    : io_(io),
      config_(config),
      cases_(std::move(cases)),
      progress_(progress),
      acceptor_(io),
      accept_pause_(io),
      stop_timer_(io) {}

void Server::stop() {
    if (stopping_) return;
    stopping_ = true;
    std::error_code ignored;
    acceptor_.close(ignored);
    accept_pause_.cancel();
    for (auto& w : sessions_) {
        if (auto s = w.lock()) s->interrupt();
    }
    sessions_.clear();
    if (running_ == 0) {
        io_.stop();
        return;
    }
    stop_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(2 * kCloseHandshakeTimeout * config_.run.timeout_scale)));
    stop_timer_.async_wait([this](const std::error_code& e) {
        if (!e) io_.stop();
    });
}

Server::~Server() = default;

bool Server::load_tls(std::string& error) {
    if (!config_.tls()) return true;
    tls_ = net::make_server_context({config_.tls_cert, config_.tls_key}, error);
    return tls_ != nullptr;
}

std::uint16_t Server::listen() {
    const asio::ip::tcp::endpoint ep(asio::ip::make_address(config_.host), config_.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    accept();
    return acceptor_.local_endpoint().port();
}

void Server::accept() {
    if (stopping_) return;
    auto conn = std::make_shared<Connection>(io_);
    acceptor_.async_accept(conn->tcp(), [this, conn](const std::error_code& ec) {
        if (ec) {
            if (ec != asio::error::operation_aborted && !stopping_) on_accept_error(ec);
            return;
        }
        if (const std::uint64_t failed = backoff_.on_accepted()) {
            log_line(LogLevel::info, "accepting connections again (" + std::to_string(failed) +
                                         " accepts failed meanwhile)");
        }
        // The opening handshake (and the TLS handshake before it) must arrive in time
        // (Autobahn's open handshake timeout).
        conn->timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(kOpenHandshakeTimeout * config_.run.timeout_scale)));
        conn->timer.async_wait([conn](const std::error_code& e) {
            if (!e) conn->close();
        });
        if (!tls_) {
            read_request(conn);
        } else {
            conn->stream->start_tls(*tls_);
            conn->stream->async_handshake(
                asio::ssl::stream_base::server, [this, conn](const std::error_code& e) {
                    if (e) {
                        if (config_.run.verbosity > 0) {
                            log_line(LogLevel::info, "TLS handshake failed: " + e.message());
                        }
                        conn->timer.cancel();
                        conn->close();
                        return;
                    }
                    read_request(conn);
                });
        }
        accept();
    });
}

void Server::on_accept_error(const std::error_code& ec) {
    // Retrying at once after EMFILE would find the listener readable and fail again, at
    // 100 % CPU until a connection closes: pause instead (AcceptBackoff), say so once.
    const net::AcceptBackoff::Step step = backoff_.on_error(ec);
    if (step.log) {
        log_line(LogLevel::warn,
                 "accept: " + ec.message() + "; pausing accepts for " +
                     std::to_string(step.pause.count()) + " ms at a time until it works again" +
                     (net::AcceptBackoff::out_of_descriptors(ec)
                          ? std::string(" (raise the open-file limit with ulimit -n)")
                          : std::string()));
    }
    if (step.pause.count() == 0) {
        accept();
        return;
    }
    accept_pause_.expires_after(step.pause);
    accept_pause_.async_wait([this](const std::error_code& e) {
        if (!e) accept();
    });
}

void Server::read_request(std::shared_ptr<Connection> conn) {
    auto read = std::make_shared<std::function<void()>>();
    *read = [this, conn, read] {
        conn->read_some([this, conn, read](const std::error_code& e, std::size_t n) {
            if (e) {
                conn->timer.cancel();
                *read = nullptr;  // break the cycle
                return;
            }
            conn->head.append(reinterpret_cast<const char*>(conn->rbuf.data()), n);
            const Errc pe =
                parse_http_request(conn->head, conn->request, conn->head_size, conn->scanner);
            if (pe == Errc::http_incomplete) {
                (*read)();
                return;
            }
            *read = nullptr;
            conn->timer.cancel();
            if (pe != Errc::ok) {
                conn->write(std::make_shared<const std::string>(
                                build_reject_response(reject_status_for(pe))),
                            [conn](const std::error_code&, std::size_t) {});
                return;
            }
            on_request(conn);
        });
    };
    (*read)();
}

void Server::on_request(std::shared_ptr<Connection> conn) {
    auto refuse = [conn](int status, const std::string& why) {
        conn->write(
            std::make_shared<const std::string>(build_reject_response(status, {}, {}, why + "\n")),
            [conn](const std::error_code&, std::size_t) {
                std::error_code ignored;
                conn->tcp().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            });
    };
    const Errc he = check_client_request(conn->request, conn->info);
    if (he != Errc::ok) {
        refuse(reject_status_for(he), "bad opening handshake: " + std::string(to_string(he)));
        return;
    }
    const Target t = parse_target(conn->request.target);
    auto agent_of = [&]() -> std::string {
        auto it = t.query.find("agent");
        if (it != t.query.end() && !it->second.empty()) return it->second;
        if (config_.agent_from_url) return {};
        const std::string ua = conn->request.headers.combined("User-Agent");
        return ua.empty() ? std::string("UnknownClient") : ua;
    };
    auto case_index = [&](std::size_t& index) {
        auto it = t.query.find("case");
        if (it == t.query.end()) return false;
        try {
            std::size_t used = 0;
            const unsigned long n = std::stoul(it->second, &used);
            if (used != it->second.size() || n < 1 || n > cases_.size()) return false;
            index = n - 1;
            return true;
        } catch (const std::exception&) {
            return false;
        }
    };
    std::size_t index = 0;
    if (t.path == "/getCaseCount") {
        reply_and_close(conn, std::to_string(cases_.size()), false);
    } else if (t.path == "/getCaseInfo") {
        if (!case_index(index)) return refuse(400, "case=N: N from 1 to the case count");
        const nlohmann::json j = {{"id", cases_[index].id},
                                  {"description", cases_[index].description}};
        reply_and_close(conn, j.dump(), false);
    } else if (t.path == "/getCaseStatus") {
        if (!case_index(index)) return refuse(400, "case=N: N from 1 to the case count");
        const std::string agent = agent_of();
        if (agent.empty()) return refuse(400, "agent=NAME is required (--agent-name-from-url)");
        std::string behavior = "UNKNOWN";
        auto a = agents_.find(agent);
        if (a != agents_.end()) {
            auto r = a->second.results.find(index);
            if (r != a->second.results.end()) behavior = to_string(r->second.verdict.behavior);
        }
        reply_and_close(conn, nlohmann::json{{"behavior", behavior}}.dump(), false);
    } else if (t.path == "/runCase") {
        if (!case_index(index)) return refuse(400, "case=N: N from 1 to the case count");
        const std::string agent = agent_of();
        if (agent.empty()) return refuse(400, "agent=NAME is required (--agent-name-from-url)");
        run_case(conn, index, agent);
    } else if (t.path == "/updateReports") {
        const std::string agent = agent_of();
        if (agent.empty()) return refuse(400, "agent=NAME is required (--agent-name-from-url)");
        auto a = agents_.find(agent);
        if (a != agents_.end()) write_reports(agent, a->second);
        reply_and_close(conn, "", config_.once);
    } else {
        refuse(404,
               "unknown path; expected /getCaseCount, /getCaseInfo, /runCase, "
               "/getCaseStatus or /updateReports");
    }
}

void Server::reply_and_close(std::shared_ptr<Connection> conn, const std::string& text,
                             bool then_stop) {
    auto out = std::make_shared<std::string>(build_server_response(conn->info.accept_key));
    if (!text.empty()) *out += server_frame(Opcode::text, text);
    *out += server_frame(Opcode::close, close_payload(1000));
    std::string leftover = conn->head.substr(conn->head_size);
    auto finish = [this, conn, then_stop] {
        conn->timer.cancel();
        conn->close();
        if (then_stop && !finished_) {
            finished_ = true;
            io_.stop();
        }
    };
    // Wait for the client's close frame (or its FIN), then drop TCP; give up after the
    // closing handshake timeout.
    conn->timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(kCloseHandshakeTimeout * config_.run.timeout_scale)));
    conn->timer.async_wait([finish](const std::error_code& e) {
        if (!e) finish();
    });
    auto read = std::make_shared<std::function<void()>>();
    auto feed = [conn](std::uint8_t* data, std::size_t size) {
        for (std::size_t pos = 0; pos < size;) {
            FrameEvent ev;
            pos += conn->parser.parse(data + pos, size - pos, ev);
            if (ev.kind == FrameEvent::Kind::error) return true;
            if (ev.kind == FrameEvent::Kind::need_more) break;
            if (ev.is_control() && ev.header.opcode == Opcode::close && ev.frame_end) return true;
        }
        return false;
    };
    *read = [conn, read, feed, finish] {
        conn->read_some([conn, read, feed, finish](const std::error_code& e, std::size_t n) {
            if (e || feed(conn->rbuf.data(), n)) {
                *read = nullptr;
                finish();
                return;
            }
            (*read)();
        });
    };
    conn->write(std::move(out), [conn, read, feed, finish, leftover](const std::error_code& e,
                                                                     std::size_t) mutable {
        if (e) {
            *read = nullptr;
            finish();
            return;
        }
        if (!leftover.empty() &&
            feed(reinterpret_cast<std::uint8_t*>(leftover.data()), leftover.size())) {
            *read = nullptr;
            finish();
            return;
        }
        (*read)();
    });
}

void Server::run_case(std::shared_ptr<Connection> conn, std::size_t index,
                      const std::string& agent) {
    AgentResults& results = agents_[agent];
    if (results.started.empty()) {
        results.started = format_rfc3339_utc(std::chrono::system_clock::now());
    }
    const CaseSpec* spec = &cases_[index];
    const std::string started = format_rfc3339_utc(std::chrono::system_clock::now());
    if (config_.run.verbosity > 0) {
        progress_ << "wsbench-conformance: " << agent << ": case " << spec->id << " (" << index + 1
                  << " of " << cases_.size() << ")\n";
    }
    auto session = std::make_shared<Session>(
        io_, std::move(conn->stream), conn->head.substr(0, conn->head_size), conn->info,
        conn->head.substr(conn->head_size), *spec, config_.run, rng_(),
        [this, spec, index, agent, started](Observation&& obs) {
            CaseResult r;
            r.spec = spec;
            r.ran = true;
            r.started = started;
            r.obs = std::move(obs);
            r.verdict = judge(*spec, r.obs);
            // A conformant client never breaks the framing rules itself (an unmasked frame,
            // invalid UTF-8 in its echo): that fails the case whatever was received.
            if (!r.obs.protocol_error.empty() && r.obs.failed_by_me) {
                r.verdict.behavior = Behavior::failed;
                r.verdict.result = "The client broke RFC 6455: " + r.obs.protocol_error + ".";
            }
            if (config_.run.verbosity > 0 || is_failure(r.verdict, config_.run.strict)) {
                progress_ << "wsbench-conformance: " << agent << ": " << spec->id << " "
                          << to_string(r.verdict.behavior) << " / "
                          << to_string(r.verdict.behavior_close) << "\n";
            }
            agents_[agent].results[index] = std::move(r);
            if (--running_ == 0 && stopping_) io_.stop();
        });
    ++running_;
    sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                   [](const std::weak_ptr<Session>& w) { return w.expired(); }),
                    sessions_.end());
    sessions_.push_back(session);
    session->start();
}

RunResult Server::run_result(const std::string& agent, const AgentResults& results) const {
    RunResult run;
    run.agent = agent;
    run.started = results.started;
    for (const auto& [index, r] : results.results) {
        run.cases.push_back(r);
        run.wall_ms += r.obs.duration_ms;
    }
    return run;
}

bool Server::write_reports(const std::string& agent, AgentResults& results) {
    if (config_.run.report_dir.empty()) return true;
    namespace fs = std::filesystem;
    // Every report of an agent in its own directory; index.json at the top holds all agents
    // in Autobahn's shape, with reportfile pointing into the agent's directory.
    Config c = config_.run;
    c.agent = agent;
    c.report_dir = (fs::path(config_.run.report_dir) / agent_slug(agent)).string();
    const RunResult run = run_result(agent, results);
    std::string detail;
    if (wsb::conformance::write_reports(c, run, detail) != Errc::ok) {
        log_line(LogLevel::error, "cannot write the reports: " + detail);
        return false;
    }
    nlohmann::json index = nlohmann::json::object();
    for (const auto& [name, res] : agents_) {
        nlohmann::json one = index_json(run_result(name, res));
        for (auto& [id, entry] : one[name].items()) {
            (void)id;
            entry["reportfile"] = agent_slug(name) + "/" + entry["reportfile"].get<std::string>();
        }
        index[name] = one[name];
    }
    const fs::path top = fs::path(config_.run.report_dir) / "index.json";
    std::ofstream f(top);
    f << index.dump(2) << "\n";
    if (!f) {
        log_line(LogLevel::error, "cannot write the reports: " + top.string());
        return false;
    }
    if (!config_.run.quiet) {
        log_line(LogLevel::info, "reports for " + agent + " written to " + c.report_dir + "/");
    }
    return true;
}

bool Server::write_all_reports() {
    bool ok = true;
    for (auto& [agent, results] : agents_) ok = write_reports(agent, results) && ok;
    return ok;
}

}  // namespace wsb::conformance
