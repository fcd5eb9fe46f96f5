// Serve mode: accepts connections, answers Autobahn's fuzzingserver URL protocol, plays cases
// through Session in the server role and writes the reports per agent (see serve.hpp).
#include "serve.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "session.hpp"
#include "writers.hpp"
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

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos;
         at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
}

/// C.2.3's answer: a subprotocol that is none of `offered` (the first offer with a suffix,
/// so a client that compares prefixes is caught too), or wsbench.never-offered.
std::string unoffered_subprotocol(const std::vector<std::string>& offered) {
    std::string p = offered.empty() ? "wsbench.never-offered" : offered.front() + ".not-offered";
    while (std::find(offered.begin(), offered.end(), p) != offered.end()) p += "x";
    return p;
}

/// True when one of the offered extension elements is permessage-deflate with a
/// client_max_window_bits parameter (extension names compare case-insensitively).
bool offered_client_max_window_bits(const std::vector<std::string>& offered) {
    for (const std::string& e : offered) {
        std::string lower = e;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        if (lower.rfind("permessage-deflate", 0) == 0 &&
            lower.find("client_max_window_bits") != std::string::npos) {
            return true;
        }
    }
    return false;
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

std::vector<CaseSpec> client_handshake_cases() {
    std::vector<CaseSpec> out;
    const std::string fail =
        "The client fails the connection (closes TCP, or sends a close frame): a client MUST "
        "_Fail the WebSocket Connection_ on this response (RFC 6455 §4.1). It never echoes "
        "the text message sent after the response.";
    auto add = [&](std::string id, std::string desc, std::string expectation,
                   std::function<std::string(const ServerHandshakeInfo&)> response) {
        CaseSpec c;
        c.id = std::move(id);
        c.description = std::move(desc) + " Then send a text message.";
        c.expectation = expectation.empty() ? fail : std::move(expectation);
        c.on_open = [](CaseContext& ctx) {
            ctx.send_frame(1, "Hello, world!");
            ctx.kill_after(1);
        };
        c.expected[Behavior::ok] = {};
        c.expected_close = ExpectedClose{false, {1002, 1010}, false, true};
        c.serve_response = std::move(response);
        out.push_back(std::move(c));
    };
    // §4.1: "If the status code received from the server is not 101, the client handles the
    // response per HTTP procedures"; the WebSocket connection is never established.
    const std::string not_open =
        "The client does not take the connection as open: it closes TCP (or fails it with a "
        "close frame) and never echoes the text message sent after the response. \"If the "
        "status code received from the server is not 101, the client handles the response "
        "per HTTP procedures\" (RFC 6455 §4.1); only a validated 101 establishes the "
        "WebSocket connection.";
    add("C.1.1", "Answer with a wrong Sec-WebSocket-Accept (the accept of another key).", "",
        [](const ServerHandshakeInfo&) {
            return build_server_response(compute_accept_key("dGhlIHNhbXBsZSBub25jZQ=="));
        });
    add("C.1.2", "Answer 101 without Sec-WebSocket-Accept.", "", [](const ServerHandshakeInfo&) {
        return std::string(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
            "Upgrade\r\n\r\n");
    });
    add("C.1.3", "Answer 101 without an Upgrade header.", "", [](const ServerHandshakeInfo& r) {
        return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: " +
               r.accept_key + "\r\n\r\n";
    });
    add("C.1.4", "Answer 101 without a Connection header.", "", [](const ServerHandshakeInfo& r) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Accept: " +
               r.accept_key + "\r\n\r\n";
    });
    add("C.1.5",
        "Answer 200 OK with Upgrade, Connection and the right Sec-WebSocket-Accept, and "
        "Content-Length: 0.",
        not_open, [](const ServerHandshakeInfo& r) {
            return "HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: " +
                   r.accept_key + "\r\nContent-Length: 0\r\n\r\n";
        });
    add("C.1.6", "Answer 403 Forbidden with a 10-octet body.", not_open,
        [](const ServerHandshakeInfo&) {
            return build_reject_response(403, {}, {}, "forbidden\n");
        });
    add("C.1.7", "Answer 101 with Upgrade: h2c (and the right Sec-WebSocket-Accept).", "",
        [](const ServerHandshakeInfo& r) {
            return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: "
                   "Upgrade\r\nSec-WebSocket-Accept: " +
                   r.accept_key + "\r\n\r\n";
        });
    add("C.2.1", "Answer with a subprotocol the client did not offer (wsbench.never-offered).", "",
        [](const ServerHandshakeInfo& r) {
            return build_server_response(r.accept_key, "wsbench.never-offered");
        });
    add("C.2.2", "Answer with an extension the client did not offer (x-wsbench-never-offered).", "",
        [](const ServerHandshakeInfo& r) {
            return build_server_response(r.accept_key, {},
                                         {{"Sec-WebSocket-Extensions", "x-wsbench-never-offered"}});
        });
    add("C.2.3",
        "Answer with a subprotocol other than the ones the client offered: its first offer "
        "with '.not-offered' appended (a client that offered none gets "
        "'wsbench.never-offered', as in C.2.1).",
        "The client fails the connection (closes TCP, or sends a close frame) and never echoes "
        "the text message: \"If the response includes a |Sec-WebSocket-Protocol| header field "
        "and this header field indicates the use of a subprotocol that was not present in the "
        "client's handshake [...], the client MUST _Fail the WebSocket Connection_\" (RFC 6455 "
        "§4.1). Fair whatever the client offered: the answer is never one of its offers.",
        [](const ServerHandshakeInfo& r) {
            return build_server_response(r.accept_key, unoffered_subprotocol(r.subprotocols));
        });
    // RFC 7692 §7: a client MUST fail the connection when the server accepted permessage-deflate
    // with a response that has a parameter not defined for a response, a parameter with an
    // invalid value, or the same parameter twice. A client that did not offer
    // permessage-deflate MUST fail it too: an extension it did not offer (RFC 6455 §4.1).
    const std::string deflate_rule =
        " (RFC 7692 §7: \"A client MUST _Fail the WebSocket Connection_ if the peer server "
        "accepted an extension negotiation offer for this extension with an extension "
        "negotiation response meeting any of the following conditions\"). A client that did "
        "not offer permessage-deflate MUST fail the connection all the same: the server "
        "indicated an extension it did not request (RFC 6455 §4.1).";
    auto deflate_case = [&](std::string id, const std::string& value, std::string why) {
        add(std::move(id), "Answer with Sec-WebSocket-Extensions: " + value + ".",
            "The client fails the connection (closes TCP, or sends a close frame, 1002 or 1010) "
            "and never echoes the text message: " +
                why + deflate_rule,
            [value](const ServerHandshakeInfo& r) {
                return build_server_response(r.accept_key, {},
                                             {{"Sec-WebSocket-Extensions", value}});
            });
    };
    deflate_case("C.3.1", "permessage-deflate; server_max_window_bits=7",
                 "server_max_window_bits=7 is an invalid value (8 to 15, RFC 7692 §7.1.2.1)");
    deflate_case("C.3.2", "permessage-deflate; x=1",
                 "x is an extension parameter not defined for use in a response");
    deflate_case("C.3.3",
                 "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                 "the response has two extension parameters with the same name");
    add("C.3.4",
        "Answer with Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10 "
        "when the client's offer had no client_max_window_bits (when it had, "
        "client_max_window_bits=16, out of range).",
        "The client fails the connection (closes TCP, or sends a close frame, 1002 or 1010) and "
        "never echoes the text message: \"If a received extension negotiation offer doesn't "
        "have the client_max_window_bits extension parameter, the corresponding extension "
        "negotiation response to the offer MUST NOT include the client_max_window_bits "
        "extension parameter\" (RFC 7692 §7.1.2.2); 16 is an invalid value" +
            deflate_rule,
        [](const ServerHandshakeInfo& r) {
            const std::string value = offered_client_max_window_bits(r.extensions)
                                          ? "permessage-deflate; client_max_window_bits=16"
                                          : "permessage-deflate; client_max_window_bits=10";
            return build_server_response(r.accept_key, {}, {{"Sec-WebSocket-Extensions", value}});
        });
    return out;
}

std::vector<CaseSpec> serve_cases(const std::vector<const CaseSpec*>& selected,
                                  const std::vector<std::string>& includes,
                                  const std::vector<std::string>& excludes) {
    std::vector<CaseSpec> out;
    for (const CaseSpec* c : selected) {
        if (c->handshake) continue;
        CaseSpec copy = *c;
        if (section_of(copy.id) == "M") {
            // Session swaps the masking of every frame in serve mode; say so.
            std::string& d = copy.description;
            replace_all(d, "an unmasked", "\x01A");
            replace_all(d, "a masked", "\x01B");
            replace_all(d, "unmasked", "\x01C");
            replace_all(d, "masked", "unmasked");
            replace_all(d, "\x01A", "a masked");
            replace_all(d, "\x01B", "an unmasked");
            replace_all(d, "\x01C", "masked");
            const auto at = copy.expectation.find(
                "a server MUST close the connection upon "
                "receiving a frame that is not masked");
            if (at != std::string::npos) {
                copy.expectation =
                    "The connection is failed (1002/Protocol Error or TCP dropped): a client "
                    "MUST close a connection if it detects a masked frame (§5.1)." +
                    copy.expectation.substr(copy.expectation.find("(§5.1).") + 8);
            }
        }
        out.push_back(std::move(copy));
    }
    for (CaseSpec& c : client_handshake_cases()) {
        auto matches = [&](const std::vector<std::string>& globs) {
            for (const std::string& g : globs) {
                if (glob_match(g, c.id)) return true;
            }
            return false;
        };
        if (matches(includes) && !matches(excludes)) out.push_back(std::move(c));
    }
    return out;
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

// --- main loop ----------------------------------------------------------------------------

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
