// wsbench-conformance serve (testing clients) as a real process on loopback, driven over
// Autobahn's fuzzingserver URL protocol by a small client built on WsClient: a conformant
// echo client passes sections 1 and 2, misbehaving clients fail the cases they should; also
// over wss://, and with the server out of file descriptors.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"
#include "schema_check.hpp"
#include "scratch_dir.hpp"
#include "tls_cert.hpp"
#include "tool_process.hpp"
#include "ws_client.hpp"
#include "wsbench/close.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

/// `wsbench-conformance serve` on port 0 with `args`, listening.
struct ServeProcess : ToolProcess {
    explicit ServeProcess(const std::vector<std::string>& args)
        : ToolProcess({"wsbench-conformance", "serve", "--port", "0"}, args) {
        wait_listening();
    }
};

/// The one text message a control URL answers with ("" when none), after which the
/// server closes; the client answers the close.
std::string fetch_text(const std::string& url) {
    WsClient c;
    if (!c.connect(url)) {
        ADD_FAILURE() << "cannot connect to " << url << ": " << c.error();
        return {};
    }
    std::string text;
    while (auto m = c.receive(3s)) {
        if (m->opcode == Opcode::text) text = m->payload;
        if (m->opcode == Opcode::close) {
            c.send_close(1000);
            c.wait_eof(2s);
            break;
        }
    }
    return text;
}

/// How the test client behaves in one case.
struct ClientBehaviour {
    bool answer_pings = true;
    bool mask = true;  ///< false: echo data in unmasked frames (a masking violation)
};

/// Plays one /runCase as an echo client: echoes data messages, answers pings, answers the
/// server's close; fails the connection when the server breaks the protocol (§7.1.7): 1002
/// for bad frames and close payloads, 1007 for text that is not UTF-8 (§8.1).
void run_case_as_client(const std::string& url, const ClientBehaviour& how) {
    WsClient c;
    if (!c.connect(url)) return;  // refused the server's 101 (the C.x cases): closes TCP
    for (;;) {
        auto m = c.receive(5s);
        if (!m) {
            if (!c.eof()) {
                c.send_close(1002);  // the server broke the protocol: fail the connection
                c.wait_eof(2s);
            }
            return;
        }
        switch (m->opcode) {
            case Opcode::text:
                if (!is_valid_utf8(m->payload)) {
                    c.send_close(1007);
                    c.receive_close(2s);
                    c.wait_eof(2s);
                    return;
                }
                [[fallthrough]];
            case Opcode::binary:
                if (how.mask) {
                    c.send_frame(m->opcode, m->payload);
                } else {
                    FrameHeader h;
                    h.opcode = m->opcode;
                    h.masked = false;
                    h.payload_length = m->payload.size();
                    std::uint8_t head[kMaxFrameHeaderSize];
                    const std::size_t n = encode_header(h, head, sizeof head);
                    c.send_raw(std::string(reinterpret_cast<const char*>(head), n) + m->payload);
                }
                break;
            case Opcode::ping:
                if (how.answer_pings) c.send_frame(Opcode::pong, m->payload);
                break;
            case Opcode::close: {
                ClosePayload cp;
                const bool valid =
                    parse_close_payload(reinterpret_cast<const std::uint8_t*>(m->payload.data()),
                                        m->payload.size(), cp) == Errc::ok;
                c.send_close(valid ? 1000 : 1002);
                c.wait_eof(3s);
                return;
            }
            default:
                break;
        }
    }
}

/// Runs every case as `agent`, then /updateReports; returns the case count.
int drive_all(const ServeProcess& s, const std::string& agent,
              const std::function<ClientBehaviour(const std::string& id)>& how) {
    const int count = std::stoi(fetch_text(s.url("/getCaseCount")));
    for (int i = 1; i <= count; ++i) {
        const json info = json::parse(fetch_text(s.url("/getCaseInfo?case=" + std::to_string(i))));
        run_case_as_client(s.url("/runCase?case=" + std::to_string(i) + "&agent=" + agent),
                           how(info.at("id").get<std::string>()));
    }
    fetch_text(s.url("/updateReports?agent=" + agent));
    return count;
}

TEST(ConformanceServe, ConformantEchoClientPassesSections1And2) {
    ScratchDir dir("pass");
    ServeProcess s({"--cases", "1.*,2.*", "--report-dir", dir.path(), "--once"});
    ASSERT_TRUE(s.address);
    const int count =
        drive_all(s, "test-client", [](const std::string&) { return ClientBehaviour{}; });
    EXPECT_EQ(count, 16 + 11);
    EXPECT_EQ(s.process->wait(10s), 0) << s.process->stderr_text();

    std::ifstream f(dir / "index.json");
    ASSERT_TRUE(f) << "no index.json";
    const json index = json::parse(f);
    ASSERT_TRUE(index.contains("test-client")) << index.dump(2);
    const json& cases = index["test-client"];
    EXPECT_EQ(cases.size(), 27u);
    for (const auto& [id, v] : cases.items()) {
        const std::string b = v.at("behavior");
        EXPECT_TRUE(b == "OK" || b == "NON-STRICT" || b == "INFORMATIONAL") << id << ": " << b;
        EXPECT_EQ(v.at("behaviorClose"), "OK") << id;
        EXPECT_TRUE(fs::exists(dir / v.at("reportfile").get<std::string>())) << id;
    }
    EXPECT_TRUE(fs::exists(dir / "test_client" / "report.json"));
}

TEST(ConformanceServe, EveryCaseRunsClientSideAndOnlyTheTestClientsGapsFail) {
    // Sections 1-10, M and C (H.x are not served). The test client checks UTF-8 only once a
    // message is complete, so it is not fail-fast: 6.4.1-6.4.4 (invalid octets, then a pause
    // before the rest) are NON-STRICT, as Autobahn judges such clients.
    ScratchDir dir("all");
    ServeProcess s({"--report-dir", dir.path(), "--once"});
    ASSERT_TRUE(s.address);
    const int count = drive_all(s, "all", [](const std::string&) { return ClientBehaviour{}; });
    EXPECT_EQ(s.process->wait(10s), 0) << s.process->stderr_text();
    std::ifstream f(dir / "index.json");
    ASSERT_TRUE(f);
    const json index = json::parse(f);
    const json& cases = index["all"];
    EXPECT_EQ(cases.size(), static_cast<std::size_t>(count));
    const std::set<std::string> informational{"7.1.6", "7.13.1", "7.13.2"};
    const std::set<std::string> non_strict{"6.4.1", "6.4.2", "6.4.3", "6.4.4"};
    // Section C: it offers no subprotocol and no extension, and check_server_response refuses
    // any status but 101, any Upgrade but websocket, and every subprotocol and extension it
    // did not offer, so it passes all 14, C.3.x included (for a client that offered nothing,
    // permessage-deflate is an extension it did not offer).
    const std::set<std::string> failed{};
    int c_cases = 0;
    for (const auto& [id, v] : cases.items()) {
        EXPECT_NE(id.rfind("H.", 0), 0u) << id;
        c_cases += id.rfind("C.", 0) == 0;
        const std::string want = informational.count(id) ? "INFORMATIONAL"
                                 : non_strict.count(id)  ? "NON-STRICT"
                                 : failed.count(id)      ? "FAILED"
                                                         : "OK";
        EXPECT_EQ(v.at("behavior"), want) << id;
    }
    EXPECT_EQ(c_cases, 14);
    EXPECT_EQ(count, 301 + 4 + 14);
}

TEST(ConformanceServe, ClientThatIgnoresTheHandshakeResponseFailsSectionC) {
    ScratchDir dir("lax");
    ServeProcess s({"--cases", "C.*", "--report-dir", dir.path(), "--once"});
    ASSERT_TRUE(s.address);
    // A client that reads the 101 head and takes it on trust, whatever it says.
    const int count = std::stoi(fetch_text(s.url("/getCaseCount")));
    ASSERT_EQ(count, 14);
    for (int i = 1; i <= count; ++i) {
        WsClient c;
        const std::string url = s.url("/runCase?case=" + std::to_string(i) + "&agent=lax");
        const std::string host = "127.0.0.1:" + std::to_string(s.address->port);
        ASSERT_TRUE(c.connect_raw(url, "GET /runCase?case=" + std::to_string(i) +
                                           "&agent=lax HTTP/1.1\r\nHost: " + host +
                                           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                           "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"
                                           "Sec-WebSocket-Version: 13\r\n\r\n"));
        ASSERT_TRUE(c.read_http_response());
        if (auto m = c.receive(3s)) {
            if (m->opcode == Opcode::text) c.send_text(m->payload);
        }
        if (auto code = c.receive_close(3s)) c.send_close(*code ? *code : 1000);
        c.wait_eof(2s);
    }
    fetch_text(s.url("/updateReports?agent=lax"));
    EXPECT_EQ(s.process->wait(10s), 0);
    std::ifstream f(dir / "index.json");
    ASSERT_TRUE(f);
    const json index = json::parse(f);
    ASSERT_EQ(index["lax"].size(), 14u);
    for (const auto& [id, v] : index["lax"].items()) EXPECT_EQ(v.at("behavior"), "FAILED") << id;
}

// websocketpp 0.8.2's client, driven as Autobahn's testee clients do (tests/peers): every
// case OK but the INFORMATIONAL ones and C.2.x/C.3.x. Its handshake check
// (processors/hybi13.hpp, validate_server_handshake_response) looks at the status (so 200 and
// 403, C.1.5/C.1.6, are refused), Upgrade (a case-insensitive substring search for
// "websocket", so h2c, C.1.7, is refused), Connection and Sec-WebSocket-Accept only: "// check
// extensions" is an empty TODO and Sec-WebSocket-Protocol is never read; negotiate_extensions
// looks at permessage-deflate only when the config implements it (asio_client does not) and
// skips the rest. So it takes a subprotocol it never offered (C.2.1, C.2.3: the driver offers
// none) and any extension, the permessage-deflate answers of C.3.x included (the driver
// offers no extension).
TEST(ConformanceServe, WebsocketppClientPassesAllButTheUnofferedSubprotocolAndExtension) {
    ScratchDir dir("websocketpp");
    ServeProcess s({"--report-dir", dir.path(), "--once"});
    ASSERT_TRUE(s.address);
    Process driver({tool_path("websocketpp_client_driver"),
                    "ws://127.0.0.1:" + std::to_string(s.address->port), "websocketpp"});
    EXPECT_TRUE(driver.wait_for_line("ran ", 100s));
    EXPECT_EQ(driver.wait(5s), 0) << driver.stderr_text();
    EXPECT_EQ(s.process->wait(10s), 0) << s.process->stderr_text();
    std::ifstream f(dir / "index.json");
    ASSERT_TRUE(f);
    const json index = json::parse(f);
    const json& cases = index["websocketpp"];
    EXPECT_EQ(cases.size(), 319u);
    const std::set<std::string> informational{"7.1.6", "7.13.1", "7.13.2"};
    const std::set<std::string> failed{"C.2.1", "C.2.2", "C.2.3", "C.3.1",
                                       "C.3.2", "C.3.3", "C.3.4"};
    for (const auto& [id, v] : cases.items()) {
        const std::string want = informational.count(id) ? "INFORMATIONAL"
                                 : failed.count(id)      ? "FAILED"
                                                         : "OK";
        EXPECT_EQ(v.at("behavior"), want) << id;
    }
}

TEST(ConformanceServe, ClientThatSendsUnmaskedFramesFails) {
    ScratchDir dir("unmasked");
    ServeProcess s({"--cases", "1.1.1,1.1.2,2.2", "--report-dir", dir.path(), "--once"});
    ASSERT_TRUE(s.address);
    drive_all(s, "bad", [](const std::string& id) {
        ClientBehaviour b;
        b.mask = id != "1.1.2";
        return b;
    });
    EXPECT_EQ(s.process->wait(10s), 0);
    std::ifstream f(dir / "index.json");
    ASSERT_TRUE(f);
    const json index = json::parse(f);
    EXPECT_EQ(index["bad"]["1.1.1"]["behavior"], "OK");
    EXPECT_EQ(index["bad"]["1.1.2"]["behavior"], "FAILED");
    std::ifstream one(dir / index["bad"]["1.1.2"]["reportfile"].get<std::string>());
    ASSERT_TRUE(one);
    const json report = json::parse(one);
    EXPECT_NE(report.at("result").get<std::string>().find("unmasked_client_frame"),
              std::string::npos)
        << report.at("result");
    EXPECT_EQ(report.at("localCloseCode"), 1002);
    EXPECT_EQ(index["bad"]["2.2"]["behavior"], "OK");
}

TEST(ConformanceServe, ClientThatIgnoresPingsFails) {
    ScratchDir dir("noping");
    ServeProcess s({"--cases", "1.1.1,2.2", "--report-dir", dir.path(), "--once"});
    ASSERT_TRUE(s.address);
    drive_all(s, "deaf", [](const std::string&) {
        ClientBehaviour b;
        b.answer_pings = false;
        return b;
    });
    EXPECT_EQ(s.process->wait(10s), 0);
    std::ifstream f(dir / "index.json");
    ASSERT_TRUE(f);
    const json index = json::parse(f);
    EXPECT_EQ(index["deaf"]["1.1.1"]["behavior"], "OK");
    EXPECT_EQ(index["deaf"]["2.2"]["behavior"], "FAILED");
}

TEST(ConformanceServe, CaseStatusAndSigtermWriteReports) {
    ScratchDir dir("status");
    ServeProcess s({"--cases", "1.1.1", "--report-dir", dir.path()});
    ASSERT_TRUE(s.address);
    run_case_as_client(s.url("/runCase?case=1&agent=x"), ClientBehaviour{});
    const json st = json::parse(fetch_text(s.url("/getCaseStatus?case=1&agent=x")));
    EXPECT_EQ(st.at("behavior"), "OK");
    s.process->signal(SIGTERM);
    EXPECT_EQ(s.process->wait(10s), 0);
    EXPECT_TRUE(fs::exists(dir / "index.json"));
    EXPECT_TRUE(fs::exists(dir / "x" / "report.json"));
}

TEST(ConformanceServe, SigtermDuringACaseReportsItInterrupted) {
    ScratchDir dir("interrupt");
    ServeProcess s({"--cases", "1.1.1", "--report-dir", dir.path()});
    ASSERT_TRUE(s.address);
    WsClient c;  // opens the case and then does nothing
    ASSERT_TRUE(c.connect(s.url("/runCase?case=1&agent=idle"))) << c.error();
    s.process->signal(SIGTERM);
    EXPECT_EQ(c.receive_close(3s), 1001);
    EXPECT_EQ(s.process->wait(10s), 0);
    std::ifstream f(dir / "index.json");
    ASSERT_TRUE(f);
    const json index = json::parse(f);
    EXPECT_EQ(index["idle"]["1.1.1"]["behavior"], "FAILED");
    std::ifstream one(dir / index["idle"]["1.1.1"]["reportfile"].get<std::string>());
    ASSERT_TRUE(one);
    EXPECT_EQ(json::parse(one).at("interrupted"), true);
}

// --- wss:// -----------------------------------------------------------------------------

// The report against reports/conformance.schema.json; fails, naming why, without the checker.
void expect_schema_valid(const fs::path& report) {
    const SchemaCheck r = check_schema_files("conformance.schema.json", {report.string()});
    EXPECT_EQ(r.status, 0) << report << ": " << r.output;
}

TEST(ConformanceServe, ServesWssAndRecordsItsConfig) {
    ScratchDir certs;
    const std::string cert = certs.path() + "/cert.pem", key = certs.path() + "/key.pem";
    std::string error;
    ASSERT_TRUE(write_self_signed_cert(cert, key, error)) << error;
    ScratchDir dir("tls");
    ServeProcess s({"--cases", "1.1.*,2.*,5.6,6.4.*,7.7.*,M.*,C.*", "--tls-cert", cert, "--tls-key",
                    key, "--report-dir", dir.path(), "--once"});
    ASSERT_TRUE(s.address);
    EXPECT_EQ(s.address->scheme, "wss");
    EXPECT_EQ(s.process->stdout_text().rfind("listening on wss://127.0.0.1:", 0), 0u)
        << s.process->stdout_text();
    // The test client speaks TLS (certificate not verified) and echoes as over ws://.
    const int count =
        drive_all(s, "tls-client", [](const std::string&) { return ClientBehaviour{}; });
    EXPECT_EQ(count, 8 + 11 + 1 + 4 + 13 + 4 + 14);
    EXPECT_EQ(s.process->wait(10s), 0) << s.process->stderr_text();
    std::ifstream f(dir / "index.json");
    ASSERT_TRUE(f) << "no index.json";
    const json index = json::parse(f);
    const json& cases = index["tls-client"];
    EXPECT_EQ(cases.size(), static_cast<std::size_t>(count));
    const std::set<std::string> non_strict{"6.4.1", "6.4.2", "6.4.3", "6.4.4"};
    for (const auto& [id, v] : cases.items()) {
        EXPECT_EQ(v.at("behavior"), non_strict.count(id) ? "NON-STRICT" : "OK") << id;
        EXPECT_EQ(v.at("behaviorClose"), "OK") << id;
    }
    const fs::path report = dir / "tls_client" / "report.json";
    expect_schema_valid(report);
    std::ifstream rf(report);
    ASSERT_TRUE(rf);
    const json r = json::parse(rf);
    const json& config = r.at("config");
    EXPECT_EQ(config.at("mode"), "serve");
    EXPECT_EQ(config.at("agent"), "tls-client");
    EXPECT_EQ(config.at("url"), "wss://127.0.0.1:" + std::to_string(s.address->port));
    EXPECT_EQ(r.at("target").at("url"), config.at("url"));
    EXPECT_EQ(config.at("cases"),
              json::array({"1.1.*", "2.*", "5.6", "6.4.*", "7.7.*", "M.*", "C.*"}));
    EXPECT_EQ(config.at("timers").at("open_handshake_s"), 5.0);
    EXPECT_EQ(config.at("serve").at("tls"), true);
    EXPECT_EQ(config.at("serve").at("tls_cert"), cert);
    EXPECT_EQ(config.at("serve").at("port"), s.address->port);
    EXPECT_EQ(config.at("serve").at("port_asked"), 0);
    EXPECT_EQ(config.at("serve").at("once"), true);
}

TEST(ConformanceServe, PlainReportIsSchemaValidAndUnusableCertIsAUsageError) {
    ScratchDir dir("plain-schema");
    ServeProcess s({"--cases", "1.1.1,C.1.5", "--report-dir", dir.path(), "--once"});
    ASSERT_TRUE(s.address);
    EXPECT_EQ(s.address->scheme, "ws");
    drive_all(s, "plain", [](const std::string&) { return ClientBehaviour{}; });
    EXPECT_EQ(s.process->wait(10s), 0);
    const fs::path report = dir / "plain" / "report.json";
    expect_schema_valid(report);
    std::ifstream rf(report);
    ASSERT_TRUE(rf);
    const json r = json::parse(rf);
    EXPECT_EQ(r.at("config").at("serve").at("tls"), false);
    // C.1.5's status is recorded as sent.
    for (const json& c : r.at("cases")) {
        if (c.at("id") == "C.1.5") {
            EXPECT_EQ(c.at("httpStatus"), 200);
        }
    }

    Process bad({tool_path("wsbench-conformance"), "serve", "--port", "0", "--tls-cert",
                 "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"});
    EXPECT_EQ(bad.wait(10s), 2);
    EXPECT_NE(bad.stderr_text().find("--tls-cert /nonexistent/cert.pem"), std::string::npos)
        << bad.stderr_text();
}

// --- out of file descriptors ----------------------------------------------------------------

/// CPU time (user + system) the process has used so far, from /proc/PID/stat.
std::chrono::milliseconds cpu_time(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    // Fields after the command name (in parentheses, which may hold spaces): state is field 3,
    // utime and stime fields 14 and 15, in clock ticks.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return std::chrono::milliseconds((utime + stime) * 1000 / sysconf(_SC_CLK_TCK));
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST(ConformanceServe, OutOfFileDescriptorsPausesAcceptingInsteadOfSpinning) {
    // The server inherits a soft limit of 32 open files (serve mode does not raise it), and
    // 64 idle connections (timeout-scale 20: the opening handshake timer would close them
    // after 100 s) fill it: accept() fails with EMFILE while the rest wait in the backlog.
    ScratchDir dir("emfile");
    rlimit saved{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    low.rlim_cur = std::min<rlim_t>(32, saved.rlim_cur);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    std::unique_ptr<ServeProcess> s;
    try {
        s = std::make_unique<ServeProcess>(std::vector<std::string>{
            "--cases", "1.1.1", "--timeout-scale", "20", "--report-dir", dir.path()});
    } catch (...) {
        setrlimit(RLIMIT_NOFILE, &saved);
        throw;
    }
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
    ASSERT_TRUE(s->address);
    std::vector<int> fds;
    for (int i = 0; i < 64; ++i) {
        const int fd = tcp_connect_loopback(s->address->port);
        ASSERT_GE(fd, 0) << "connection " << i;
        fds.push_back(fd);
    }
    ASSERT_TRUE(s->process->wait_for_stderr("pausing accepts", 10s)) << s->process->stderr_text();
    EXPECT_NE(s->process->stderr_text().find("Too many open files"), std::string::npos)
        << s->process->stderr_text();
    // The measurement: CPU time over a wall-clock window, while accept() keeps failing. A
    // loop retrying at once burns the whole window; pausing 100 ms between tries, next to
    // nothing. (A window to measure over, not a wait for readiness.)
    const auto cpu0 = cpu_time(s->process->pid());
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(1s);
    const auto cpu = cpu_time(s->process->pid()) - cpu0;
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    EXPECT_LT(cpu.count() * 4, wall.count())
        << "the server used " << cpu.count() << " ms of CPU in " << wall.count() << " ms";
    // Logged once for the whole episode (about 10 failed tries by now).
    EXPECT_EQ(count_of(s->process->stderr_text(), "pausing accepts"), 1u)
        << s->process->stderr_text();

    // Descriptors come back when the clients hang up; the server accepts again and serves.
    for (int fd : fds) ::close(fd);
    EXPECT_EQ(fetch_text(s->url("/getCaseCount")), "1");
    EXPECT_TRUE(s->process->wait_for_stderr("accepting connections again", 5s))
        << s->process->stderr_text();
    s->process->signal(SIGTERM);
    EXPECT_EQ(s->process->wait(10s), 0) << s->process->stderr_text();
}

}  // namespace
}  // namespace wsb::test
