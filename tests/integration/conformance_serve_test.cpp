// wsbench-conformance serve (testing clients) as a real process on loopback, driven over
// Autobahn's fuzzingserver URL protocol by a small client built on WsClient: a conformant
// echo client passes sections 1 and 2, misbehaving clients fail the cases they should.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "process.hpp"
#include "ws_client.hpp"
#include "wsbench/close.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class ScratchDir {
  public:
    explicit ScratchDir(const std::string& name)
        : path_(fs::temp_directory_path() /
                ("wsbench-serve-test-" + std::to_string(::getpid()) + "-" + name)) {
        fs::remove_all(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::string str() const { return path_.string(); }
    fs::path operator/(const std::string& f) const { return path_ / f; }

  private:
    fs::path path_;
};

struct ServeProcess {
    explicit ServeProcess(std::vector<std::string> args) {
        std::vector<std::string> argv{tool_path("wsbench-conformance"), "serve", "--port", "0"};
        argv.insert(argv.end(), args.begin(), args.end());
        process = std::make_unique<Process>(argv);
        address = wait_listening(*process);
    }
    std::string url(const std::string& path) const { return address ? address->url(path) : ""; }
    std::unique_ptr<Process> process;
    std::optional<ServerAddress> address;
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
    ServeProcess s({"--cases", "1.*,2.*", "--report-dir", dir.str(), "--once"});
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
    ServeProcess s({"--report-dir", dir.str(), "--once"});
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
    EXPECT_EQ(c_cases, 6);
}

TEST(ConformanceServe, ClientThatIgnoresTheHandshakeResponseFailsSectionC) {
    ScratchDir dir("lax");
    ServeProcess s({"--cases", "C.*", "--report-dir", dir.str(), "--once"});
    ASSERT_TRUE(s.address);
    // A client that reads the 101 head and takes it on trust, whatever it says.
    const int count = std::stoi(fetch_text(s.url("/getCaseCount")));
    ASSERT_EQ(count, 6);
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
    ASSERT_EQ(index["lax"].size(), 6u);
    for (const auto& [id, v] : index["lax"].items()) EXPECT_EQ(v.at("behavior"), "FAILED") << id;
}

// websocketpp 0.8.2's client, driven as Autobahn's testee clients do (tests/peers): every
// case OK but the INFORMATIONAL ones and C.2.1/C.2.2. Its handshake check
// (processors/hybi13.hpp, validate_server_handshake_response) looks at the status, Upgrade,
// Connection and Sec-WebSocket-Accept only ("// check extensions" is an empty TODO), so it
// takes a subprotocol or an extension it never offered.
TEST(ConformanceServe, WebsocketppClientPassesAllButTheUnofferedSubprotocolAndExtension) {
    ScratchDir dir("websocketpp");
    ServeProcess s({"--report-dir", dir.str(), "--once"});
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
    EXPECT_EQ(cases.size(), 311u);
    const std::set<std::string> informational{"7.1.6", "7.13.1", "7.13.2"};
    const std::set<std::string> failed{"C.2.1", "C.2.2"};
    for (const auto& [id, v] : cases.items()) {
        const std::string want = informational.count(id) ? "INFORMATIONAL"
                                 : failed.count(id)      ? "FAILED"
                                                         : "OK";
        EXPECT_EQ(v.at("behavior"), want) << id;
    }
}

TEST(ConformanceServe, ClientThatSendsUnmaskedFramesFails) {
    ScratchDir dir("unmasked");
    ServeProcess s({"--cases", "1.1.1,1.1.2,2.2", "--report-dir", dir.str(), "--once"});
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
    ServeProcess s({"--cases", "1.1.1,2.2", "--report-dir", dir.str(), "--once"});
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
    ServeProcess s({"--cases", "1.1.1", "--report-dir", dir.str()});
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
    ServeProcess s({"--cases", "1.1.1", "--report-dir", dir.str()});
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

}  // namespace
}  // namespace wsb::test
