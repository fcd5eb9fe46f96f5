// Sections 1-5 of the Autobahn testsuite: framing, pings/pongs, reserved bits, opcodes,
// fragmentation. Each case sends exactly what Autobahn's case sends, in the same writes.
#include <string>

#include "conformance/cases/common.hpp"

namespace wsb::conformance {

using namespace cases;

// --- 1 Framing ---------------------------------------------------------------------------

void add_section1(std::vector<CaseSpec>& out) {
    struct Size {
        std::size_t length;
        std::size_t chop;
        double kill;
    };
    const Size sizes[] = {{0, 0, 1},   {125, 0, 1},    {126, 0, 1},    {127, 0, 1},
                          {128, 0, 1}, {65535, 0, 10}, {65536, 0, 10}, {65536, 997, 10}};
    for (int binary = 0; binary < 2; ++binary) {
        for (std::size_t i = 0; i < 8; ++i) {
            const Size s = sizes[i];
            const std::string payload(s.length, binary ? '\xFE' : '*');
            const std::string kind = binary ? "binary" : "text";
            std::string desc = "Send " + kind + " message with payload of length " +
                               std::to_string(s.length) + ".";
            if (s.chop) desc += " Sent out data in chops of " + std::to_string(s.chop) + " octets.";
            out.push_back(make_case(
                "1." + std::to_string(binary + 1) + "." + std::to_string(i + 1), desc,
                "Receive echo'ed " + kind +
                    " message (with payload as sent). Clean close with "
                    "normal code.",
                [payload, binary, s](CaseContext& c) {
                    c.send_frame(binary ? kBinary : kText, payload, opts(true, 0, s.chop));
                    c.kill_after(s.kill);
                },
                {binary ? Event::bin(payload) : Event::text(payload)}, runner_closes()));
        }
    }
}

// --- 2 Pings/Pongs -----------------------------------------------------------------------

void add_section2(std::vector<CaseSpec>& out) {
    auto ping_case = [&](std::string id, std::string desc, std::string payload, std::size_t chop,
                         double close_after) {
        out.push_back(make_case(
            std::move(id), std::move(desc),
            "Pong (with payload as sent) is sent in reply to the Ping. Clean close with normal "
            "code.",
            [payload, chop, close_after](CaseContext& c) {
                c.send_frame(kPing, payload, opts(true, 0, chop));
                c.close_after(close_after);
            },
            {Event::pong(payload)}, runner_closes()));
    };
    ping_case("2.1", "Send ping without payload.", "", 0, 1);
    ping_case("2.2", "Send ping with small text payload.", "Hello, world!", 0, 1);
    ping_case("2.3", "Send ping with small binary (non UTF-8) payload.", unhex("00fffefdfcfb00ff"),
              0, 1);
    ping_case("2.4", "Send ping with binary payload of 125 octets.", std::string(125, '\xFE'), 0,
              1);
    out.push_back(make_case(
        "2.5", "Send ping with binary payload of 126 octets.",
        "Connection is failed immediately (1002/Protocol Error), since control frames are only "
        "allowed to have payload up to and including 125 octets.",
        [](CaseContext& c) {
            c.send_frame(kPing, std::string(126, '\xFE'));
            c.kill_after(1);
        },
        {}, server_fails()));
    ping_case("2.6", "Send ping with binary payload of 125 octets, send in octet-wise chops.",
              std::string(125, '\xFE'), 1, 2);
    for (int with_payload = 0; with_payload < 2; ++with_payload) {
        const std::string payload = with_payload ? "unsolicited pong payload" : "";
        out.push_back(make_case(
            with_payload ? "2.8" : "2.7",
            std::string("Send unsolicited pong ") +
                (with_payload ? "with payload" : "without payload") +
                ". Verify nothing is received. Clean close with normal code.",
            "Nothing.",
            [payload](CaseContext& c) {
                c.send_frame(kPong, payload);
                c.send_close(1000);
                c.kill_after(1);
            },
            {}, runner_closes()));
    }
    out.push_back(make_case(
        "2.9",
        "Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is "
        "received.",
        "Nothing in reply to own Pong, but Pong with payload echo'ed in reply to Ping. Clean "
        "close with normal code.",
        [](CaseContext& c) {
            c.send_frame(kPong, "unsolicited pong payload");
            c.send_frame(kPing, "ping payload");
            c.close_after(1);
        },
        {Event::pong("ping payload")}, runner_closes()));
    for (int chopped = 0; chopped < 2; ++chopped) {
        EventList pongs;
        for (int i = 0; i < 10; ++i) pongs.push_back(Event::pong("payload-" + std::to_string(i)));
        out.push_back(make_case(
            chopped ? "2.11" : "2.10",
            std::string("Send 10 Pings with payload.") +
                (chopped ? " Send out octets in octet-wise chops." : ""),
            "Pongs for our Pings with all the payloads. Note: This is not required by the Spec "
            ".. but we check for this behaviour anyway. Clean close with normal code.",
            [chopped](CaseContext& c) {
                for (int i = 0; i < 10; ++i) {
                    c.send_frame(kPing, "payload-" + std::to_string(i),
                                 opts(true, 0, chopped ? 1 : 0));
                }
                c.close_after(3);
            },
            pongs, runner_closes()));
    }
}

// --- 3 Reserved bits ---------------------------------------------------------------------

void add_section3(std::vector<CaseSpec>& out) {
    const std::string hello = "Hello, world!";
    const std::string fail_exp =
        "The connection is failed immediately (1002/Protocol Error), since RSV must be 0 when "
        "no extension defining RSV meaning has been negotiated.";
    out.push_back(make_case(
        "3.1", "Send small text message with RSV = 1.", fail_exp,
        [hello](CaseContext& c) {
            c.send_frame(kText, hello, opts(true, 1));
            c.kill_after(1);
        },
        {}, server_fails()));
    const struct {
        const char* id;
        unsigned rsv;
        WriteMode mode;
    } sandwiches[] = {{"3.2", 2, WriteMode::together},
                      {"3.3", 3, WriteMode::frame_wise},
                      {"3.4", 4, WriteMode::octet_wise}};
    for (const auto& s : sandwiches) {
        const unsigned rsv = s.rsv;
        const WriteMode mode = s.mode;
        CaseSpec c = make_case(
            s.id,
            "Send small text message, then send again with RSV = " + std::to_string(rsv) +
                ", then send Ping." + mode_text(mode),
            "Echo for first message is received, but then connection is failed immediately, "
            "since RSV must be 0 when no extension defining RSV meaning has been negotiated. The "
            "Pong is not received.",
            [hello, rsv, mode](CaseContext& ctx) {
                ctx.send_frame(kText, hello, mode_opts(mode));
                ctx.send_frame(kText, hello, mode_opts(mode, true, rsv));
                ctx.send_frame(kPing, "", mode_opts(mode));
                ctx.kill_after(1);
            },
            {Event::text(hello)}, server_fails());
        c.expected[Behavior::non_strict] = {};
        out.push_back(std::move(c));
    }
    out.push_back(make_case(
        "3.5", "Send small binary message with RSV = 5.", fail_exp,
        [](CaseContext& c) {
            c.send_frame(kBinary, unhex("00fffefdfcfb00ff"), opts(true, 5));
            c.kill_after(1);
        },
        {}, server_fails()));
    out.push_back(make_case(
        "3.6", "Send small binary message with RSV = 6.", fail_exp,
        [hello](CaseContext& c) {
            c.send_frame(kBinary, hello, opts(true, 6));
            c.kill_after(1);
        },
        {}, server_fails()));
    out.push_back(make_case(
        "3.7", "Send small close message with RSV = 7.", fail_exp,
        [](CaseContext& c) {
            c.send_frame(kClose, "", opts(true, 7));
            c.kill_after(1);
        },
        {}, server_fails()));
}

// --- 4 Opcodes ---------------------------------------------------------------------------

void add_section4(std::vector<CaseSpec>& out) {
    const std::string hello = "Hello, world!";
    for (int group = 1; group <= 2; ++group) {
        const std::uint8_t base = group == 1 ? 3 : 11;
        const std::string kind = group == 1 ? "non-control" : "control";
        const std::string fail_exp =
            "The connection is failed immediately (1002/Protocol Error), since reserved opcodes "
            "are not allowed.";
        for (int i = 0; i < 5; ++i) {
            const auto op = static_cast<std::uint8_t>(base + i);
            const std::string id = "4." + std::to_string(group) + "." + std::to_string(i + 1);
            const std::string ops = std::to_string(op);
            if (i == 0) {
                out.push_back(make_case(
                    id, "Send frame with reserved " + kind + " Opcode = " + ops + ".", fail_exp,
                    [op](CaseContext& c) {
                        c.send_frame(op, "");
                        c.kill_after(1);
                    },
                    {}, server_fails()));
            } else if (i == 1) {
                out.push_back(make_case(
                    id,
                    "Send frame with reserved " + kind + " Opcode = " + ops +
                        " and non-empty payload.",
                    fail_exp,
                    [op](CaseContext& c) {
                        c.send_frame(op, "reserved opcode payload");
                        c.kill_after(1);
                    },
                    {}, server_fails()));
            } else {
                const bool with_payload = i >= 3;
                const WriteMode mode = i == 4 ? WriteMode::octet_wise : WriteMode::together;
                CaseSpec c = make_case(
                    id,
                    "Send small text message, then send frame with reserved " + kind +
                        " Opcode = " + ops + (with_payload ? " and non-empty payload" : "") +
                        ", then send Ping." + mode_text(mode),
                    "Echo for first message is received, but then connection is failed "
                    "immediately, since reserved opcode frame is used. A Pong is not received.",
                    [hello, op, with_payload, mode](CaseContext& ctx) {
                        ctx.send_frame(kText, hello, mode_opts(mode));
                        ctx.send_frame(op, with_payload ? hello : "", mode_opts(mode));
                        ctx.send_frame(kPing, "", mode_opts(mode));
                        ctx.kill_after(1);
                    },
                    {Event::text(hello)}, server_fails());
                c.expected[Behavior::non_strict] = {};
                out.push_back(std::move(c));
            }
        }
    }
}

// --- 5 Fragmentation ---------------------------------------------------------------------

void add_section5(std::vector<CaseSpec>& out) {
    const std::string proto_fail = "The connection is failed immediately (1002/Protocol Error).";
    for (int pong = 0; pong < 2; ++pong) {
        const std::uint8_t op = pong ? kPong : kPing;
        out.push_back(make_case(
            pong ? "5.2" : "5.1",
            std::string("Send ") + (pong ? "Pong" : "Ping") + " fragmented into 2 fragments.",
            "Connection is failed immediately, since control message MUST NOT be fragmented.",
            [op](CaseContext& c) {
                c.send_frame(op, "fragment1", opts(false));
                c.send_frame(kCont, "fragment2", opts(true));
                c.kill_after(1);
            },
            {}, server_fails()));
    }
    const WriteMode modes[] = {WriteMode::together, WriteMode::frame_wise, WriteMode::octet_wise};
    for (int m = 0; m < 3; ++m) {
        const WriteMode mode = modes[m];
        out.push_back(make_case(
            "5." + std::to_string(3 + m),
            std::string("Send text Message fragmented into 2 fragments.") + mode_text(mode),
            "Message is processed and echo'ed back to us.",
            [mode](CaseContext& c) {
                c.send_frame(kText, "fragment1", mode_opts(mode, false));
                c.send_frame(kCont, "fragment2", mode_opts(mode, true));
                c.kill_after(1);
            },
            {Event::text("fragment1fragment2")}, runner_closes()));
    }
    for (int m = 0; m < 3; ++m) {
        const WriteMode mode = modes[m];
        out.push_back(make_case(
            "5." + std::to_string(6 + m),
            std::string("Send text Message fragmented into 2 fragments, one ping with payload "
                        "in-between.") +
                mode_text(mode),
            "A pong is received, then the message is echo'ed back to us.",
            [mode](CaseContext& c) {
                c.send_frame(kText, "fragment1", mode_opts(mode, false));
                c.send_frame(kPing, "ping payload", mode_opts(mode));
                c.send_frame(kCont, "fragment2", mode_opts(mode, true));
                c.kill_after(1);
            },
            {Event::pong("ping payload"), Event::text("fragment1fragment2")}, runner_closes()));
    }
    for (int fin = 1; fin >= 0; --fin) {
        for (int m = 0; m < 3; ++m) {
            const WriteMode mode = modes[m];
            const int n = (fin ? 9 : 12) + m;
            out.push_back(make_case(
                "5." + std::to_string(n),
                std::string("Send unfragmented Text Message after Continuation Frame with FIN = ") +
                    (fin ? "true" : "false") + ", where there is nothing to continue, sent in " +
                    (m == 0   ? "one chop."
                     : m == 1 ? "per-frame chops."
                              : "octet-wise chops."),
                "The connection is failed immediately, since there is no message to continue.",
                [mode, fin](CaseContext& c) {
                    c.send_frame(kCont, "non-continuation payload", mode_opts(mode, fin != 0));
                    c.send_frame(kText, "Hello, world!", mode_opts(mode));
                    c.kill_after(1);
                },
                {}, server_fails()));
        }
    }
    {
        CaseSpec c = make_case(
            "5.15",
            "Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = "
            "false where there is nothing to continue, then unfragmented Text Message, all sent "
            "in one chop.",
            "The connection is failed immediately, since there is no message to continue.",
            [](CaseContext& ctx) {
                ctx.send_frame(kText, "fragment1", opts(false));
                ctx.send_frame(kCont, "fragment2", opts(true));
                ctx.send_frame(kCont, "fragment3", opts(false));
                ctx.send_frame(kText, "fragment4", opts(true));
                ctx.kill_after(1);
            },
            {Event::text("fragment1fragment2")}, server_fails());
        c.expected[Behavior::non_strict] = {};
        out.push_back(std::move(c));
    }
    for (int fin = 0; fin < 2; ++fin) {
        out.push_back(make_case(
            fin ? "5.17" : "5.16",
            std::string("Repeated 2x: Continuation Frame with FIN = ") + (fin ? "true" : "false") +
                " (where there is nothing to continue), then text Message fragmented into 2 "
                "fragments.",
            "The connection is failed immediately, since there is no message to continue.",
            [fin](CaseContext& c) {
                for (int i = 0; i < 2; ++i) {
                    c.send_frame(kCont, "fragment1", opts(fin != 0));
                    c.send_frame(kText, "fragment2", opts(false));
                    c.send_frame(kCont, "fragment3", opts(true));
                }
                c.kill_after(1);
            },
            {}, server_fails()));
    }
    out.push_back(make_case(
        "5.18",
        "Send text Message fragmented into 2 fragments, with both frame opcodes set to text, "
        "sent in one chop.",
        "The connection is failed immediately, since all data frames after the initial data "
        "frame must have opcode 0.",
        [](CaseContext& c) {
            c.send_frame(kText, "fragment1", opts(false));
            c.send_frame(kText, "fragment2", opts(true));
            c.kill_after(1);
        },
        {}, server_fails()));
    for (int sync = 0; sync < 2; ++sync) {
        const WriteMode mode = sync ? WriteMode::frame_wise : WriteMode::together;
        out.push_back(make_case(
            sync ? "5.20" : "5.19",
            std::string("Send text Message fragmented into 5 fragments, with 2 pings in-between, "
                        "with a 1 s pause between the 2nd and 3rd fragment.") +
                mode_text(mode),
            "A pong is received, then a pong is received, then the message is echo'ed back to "
            "us.",
            [mode](CaseContext& c) {
                c.send_frame(kText, "fragment1", mode_opts(mode, false));
                c.send_frame(kCont, "fragment2", mode_opts(mode, false));
                c.send_frame(kPing, "pongme 1!", mode_opts(mode));
                c.continue_later(1, [&c, mode] {
                    c.send_frame(kCont, "fragment3", mode_opts(mode, false));
                    c.send_frame(kCont, "fragment4", mode_opts(mode, false));
                    c.send_frame(kPing, "pongme 2!", mode_opts(mode));
                    c.send_frame(kCont, "fragment5", mode_opts(mode, true));
                    c.close_after(1);
                });
            },
            {Event::pong("pongme 1!"), Event::pong("pongme 2!"),
             Event::text("fragment1fragment2fragment3fragment4fragment5")},
            runner_closes()));
    }
}

}  // namespace wsb::conformance
