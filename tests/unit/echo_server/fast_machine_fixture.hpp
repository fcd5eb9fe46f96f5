// The fast engine's ConnMachine under test without sockets: a fake host standing in for the
// worker (clock, flushes, closes, admission, broadcast), client frames, and a fixture that
// feeds bytes in and reads back what the machine queued. Shared by the machine's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "echo_server/config.hpp"
#include "echo_server/deflate.hpp"
#include "echo_server/fast/conn_machine.hpp"
#include "echo_server/stats.hpp"
#include "wsbench/close.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"
#include "wsbench/handshake.hpp"

namespace wsb::echo::fast::test {

constexpr std::int64_t kMs = 1000000;

/// The worker's part, recorded: what the machine asked for and when.
struct FakeHost {
    ConnMachine<FakeHost>* machine = nullptr;
    Stats* stats = nullptr;
    std::int64_t now = 1000 * kMs;
    bool shutting = false;
    std::uint64_t admitted = 0;
    std::uint64_t capacity = 1000;
    int flushes = 0;
    int resumes = 0;
    int shutdowns = 0;
    std::vector<std::string> closed;  // the reason of each close_conn
    std::vector<std::shared_ptr<const SharedFrame>> broadcasts;

    std::int64_t now_ns() const { return now; }
    void flush(Conn&) { ++flushes; }  // a socket that takes nothing right now
    void broadcast(std::shared_ptr<const SharedFrame> f) { broadcasts.push_back(std::move(f)); }
    nlohmann::json stats_doc() const { return stats->snapshot(); }
    bool shutting_down() const { return shutting; }
    bool admit() {
        if (admitted >= capacity) return false;
        ++admitted;
        return true;
    }
    void close_conn(Conn& c, const char* why) {
        closed.emplace_back(why ? why : "after flush");
        machine->finish(c, why);
    }
    void resume_reading(Conn&) { ++resumes; }
    void shutdown_write(Conn&) { ++shutdowns; }
};

/// One frame as the client parses it.
struct Frame {
    Opcode opcode = Opcode::text;
    bool rsv1 = false;
    std::string payload;
};

/// A masked client frame.
std::string client_frame(Opcode op, const std::string& payload, bool fin = true,
                         bool rsv1 = false) {
    FrameHeader h;
    h.opcode = op;
    h.fin = fin;
    h.rsv1 = rsv1;
    h.masked = true;
    h.mask_key = {0x11, 0x22, 0x33, 0x44};
    std::string out(kMaxFrameHeaderSize + payload.size(), '\0');
    const std::size_t n = encode_frame(h, payload.data(), payload.size(),
                                       reinterpret_cast<std::uint8_t*>(out.data()), out.size());
    out.resize(n);
    return out;
}

std::string close_payload(std::uint16_t code, const std::string& reason = "") {
    std::uint8_t buf[kMaxClosePayload];
    const std::size_t n = format_close_payload(code, reason, buf, sizeof buf);
    return std::string(reinterpret_cast<const char*>(buf), n);
}

/// The server's frames in `bytes`, parsed as a client would.
std::vector<Frame> parse_frames(std::string bytes) {
    ParserOptions po;
    po.role = Role::client;
    po.allow_rsv1 = true;
    FrameParser parser(po);
    std::vector<Frame> out;
    std::string piece;
    auto* data = reinterpret_cast<std::uint8_t*>(bytes.data());
    FrameEvent ev;
    for (std::size_t pos = 0; pos < bytes.size();) {
        pos += parser.parse(data + pos, bytes.size() - pos, ev);
        if (ev.kind == FrameEvent::Kind::need_more) break;
        if (ev.kind == FrameEvent::Kind::error) {
            ADD_FAILURE() << "server sent a bad frame: " << to_string(ev.error);
            break;
        }
        piece.append(reinterpret_cast<const char*>(ev.data), ev.size);
        if (ev.frame_end) {
            out.push_back({ev.header.opcode, ev.header.rsv1, piece});
            piece.clear();
        }
    }
    return out;
}

std::uint16_t close_code_of(const Frame& f) {
    ClosePayload cp;
    EXPECT_EQ(parse_close_payload(reinterpret_cast<const std::uint8_t*>(f.payload.data()),
                                  f.payload.size(), cp),
              Errc::ok);
    return cp.has_code ? cp.code : kNoCode;
}

class FastConnMachine : public ::testing::Test {
  protected:
    void SetUp() override { make(); }

    /// (Re)builds the machine for the current `config` and starts a fresh connection.
    void make() {
        host = FakeHost{};
        host.stats = &stats;
        machine = std::make_unique<ConnMachine<FakeHost>>(host, config, stats);
        host.machine = machine.get();
        machine->bind_shard(stats.shard());
        c = std::make_unique<Conn>();
        c->id = 7;
        machine->start(*c, host.now);
    }

    /// One read of `bytes`.
    void feed(const std::string& bytes) {
        std::vector<std::uint8_t> buf(bytes.begin(), bytes.end());
        machine->consume(*c, buf.data(), buf.size());
    }

    /// What the worker's flush would write, as if the socket took it all; then the
    /// machine's after-drain step.
    std::string take() {
        std::string out(reinterpret_cast<const char*>(c->out.data()), c->out.size());
        machine->written(*c, c->out.size());
        for (Conn* d : machine->dirty()) d->dirty = false;
        machine->dirty().clear();
        if (c->phase != Phase::dead) machine->after_drain(*c);
        return out;
    }

    std::string request(const std::vector<std::string>& extensions = {}) {
        ClientRequest req;
        req.host = "127.0.0.1";
        req.port = 9001;
        req.resource = "/chat";
        req.key = key;
        req.extensions = extensions;
        return build_client_request(req);
    }

    /// Completes the handshake and returns the response head.
    std::string open(const std::vector<std::string>& extensions = {}) {
        feed(request(extensions));
        EXPECT_EQ(c->phase, Phase::open);
        return take();
    }

    /// Everything queued, parsed as frames.
    std::vector<Frame> replies() { return parse_frames(take()); }

    Config config;
    Stats stats{1};
    FakeHost host;
    std::unique_ptr<ConnMachine<FakeHost>> machine;
    std::unique_ptr<Conn> c;
    const std::string key =
        make_client_key({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
};

}  // namespace wsb::echo::fast::test
