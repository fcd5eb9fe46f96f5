// Sections 7, 9 and 10 of the Autobahn testsuite: close handling, limits/performance and
// auto-fragmentation.
#include <string>

#include "conformance/cases/common.hpp"

namespace wsb::conformance {

using namespace cases;

namespace {

std::string close_payload(std::uint16_t code, const std::string& reason = {}) {
    std::string p(2, '\0');
    p[0] = static_cast<char>(code >> 8);
    p[1] = static_cast<char>(code & 0xFF);
    return p + reason;
}

CaseSpec s7(std::string id, std::string desc, std::string exp,
            std::function<void(CaseContext&)> on_open, EventList ok, ExpectedClose close) {
    CaseSpec c = make_case(std::move(id), std::move(desc), std::move(exp), std::move(on_open),
                           std::move(ok), std::move(close));
    c.close_code_in_behavior = true;
    return c;
}

}  // namespace

// --- 7 Close handling --------------------------------------------------------------------

void add_section7(std::vector<CaseSpec>& out) {
    const ExpectedClose normal{true, {1000}, true, false};
    out.push_back(s7(
        "7.1.1", "Send a message followed by a close frame.",
        "Echoed message followed by clean close with normal code.",
        [](CaseContext& c) {
            c.send_message(false, "Hello World!");
            c.kill_after(1);
        },
        {Event::text("Hello World!")}, normal));
    out.push_back(s7(
        "7.1.2", "Send two close frames.",
        "Clean close with normal code. Second close frame ignored.",
        [](CaseContext& c) {
            c.send_close(1000);
            c.send_frame(kClose, "");
            c.kill_after(1);
        },
        {}, normal));
    out.push_back(s7(
        "7.1.3", "Send a ping after close message.", "Clean close with normal code, no pong.",
        [](CaseContext& c) {
            c.send_close(1000);
            c.send_frame(kPing, "");
            c.kill_after(1);
        },
        {}, normal));
    out.push_back(s7(
        "7.1.4", "Send text message after sending a close frame.",
        "Clean close with normal code. Text message ignored.",
        [](CaseContext& c) {
            c.send_close(1000);
            c.send_frame(kText, "Hello World!");
            c.kill_after(1);
        },
        {}, normal));
    out.push_back(s7(
        "7.1.5", "Send message fragment1 followed by close then fragment.",
        "Clean close with normal code.",
        [](CaseContext& c) {
            c.send_frame(kText, "fragment1", opts(false));
            c.send_close(1000);
            c.send_frame(kCont, "fragment2", opts(true));
            c.kill_after(1);
        },
        {}, normal));
    {
        const std::string big = repeat_to("BAsd7&jh23", 256 * 1024);
        CaseSpec c = s7(
            "7.1.6", "Send 256K message followed by close then a ping.",
            "Case outcome depends on implementation defined close behavior. Message and close "
            "frame are sent back to back. If the close frame is processed before the text "
            "message write is complete (as can happen in asynchronous processing models) the "
            "close frame is processed first and the text message may not be received or may "
            "only be partially recieved.",
            [big](CaseContext& ctx) {
                ctx.send_frame(kText, big);
                ctx.send_frame(kText, "Hello World!");
                ctx.send_close(1000);
                ctx.send_frame(kPing, "");
                ctx.kill_after(1);
            },
            {Event::text(big), Event::text("Hello World!")}, normal);
        c.expected[Behavior::non_strict] = {};
        c.informational = true;
        out.push_back(std::move(c));
    }

    out.push_back(s7(
        "7.3.1", "Send a close frame with payload length 0 (no close code, no close reason).",
        "Clean close with normal code.",
        [](CaseContext& c) {
            c.send_close(std::nullopt);
            c.kill_after(1);
        },
        {}, normal));
    out.push_back(s7(
        "7.3.2", "Send a close frame with payload length 1.",
        "Clean close with protocol error or drop TCP.",
        [](CaseContext& c) {
            c.send_frame(kClose, "a");
            c.kill_after(1);
        },
        {}, ExpectedClose{true, {1002}, false, false}));
    out.push_back(s7(
        "7.3.3", "Send a close frame with payload length 2 (regular close with a code).",
        "Clean close with normal code.",
        [](CaseContext& c) {
            c.send_close(1000);
            c.kill_after(1);
        },
        {}, normal));
    out.push_back(s7(
        "7.3.4", "Send a close frame with close code and close reason.",
        "Clean close with normal code.",
        [](CaseContext& c) {
            c.send_close(1000, "Hello World!");
            c.kill_after(1);
        },
        {}, normal));
    out.push_back(s7(
        "7.3.5", "Send a close frame with close code and close reason of maximum length (123).",
        "Clean close with normal code.",
        [](CaseContext& c) {
            c.send_close(1000, std::string(123, '*'));
            c.kill_after(1);
        },
        {}, normal));
    out.push_back(s7(
        "7.3.6",
        "Send a close frame with close code and close reason which is too long (124) - "
        "total frame payload 126 octets.",
        "Drop connection or close with protocol error 1002.",
        [](CaseContext& c) {
            c.send_frame(kClose, close_payload(1000, std::string(124, '*')));
            c.kill_after(1);
        },
        {}, ExpectedClose{true, {1002}, false, false}));
    out.push_back(s7(
        "7.5.1", "Send a close frame with invalid UTF8 payload.",
        "Clean close with protocol error or invalid utf8 code or dropped TCP.",
        [](CaseContext& c) {
            c.send_frame(kClose,
                         close_payload(1000, unhex("cebae1bdb9cf83cebcceb5eda080") + "edited"));
            c.kill_after(1);
        },
        {}, ExpectedClose{true, {1002, 1007}, false, false}));

    const std::uint16_t valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                   1010, 1011, 3000, 3999, 4000, 4999};
    int n = 1;
    for (std::uint16_t code : valid) {
        out.push_back(s7(
            "7.7." + std::to_string(n++),
            "Send close with valid close code " + std::to_string(code) + ".",
            "Clean close with normal or echoed code.",
            [code](CaseContext& c) {
                c.send_frame(kClose, close_payload(code));
                c.kill_after(1);
            },
            {}, ExpectedClose{true, {1000, code}, true, false}));
    }
    const std::uint16_t invalid[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
    n = 1;
    for (std::uint16_t code : invalid) {
        out.push_back(s7(
            "7.9." + std::to_string(n++),
            "Send close with invalid close code " + std::to_string(code) + ".",
            "Clean close with protocol error code or drop TCP.",
            [code](CaseContext& c) {
                c.send_frame(kClose, close_payload(code));
                c.kill_after(1);
            },
            {}, ExpectedClose{true, {1002}, false, false}));
    }
    n = 1;
    for (std::uint16_t code : {std::uint16_t{5000}, std::uint16_t{65535}}) {
        CaseSpec c = s7(
            "7.13." + std::to_string(n++),
            "Send close with close code " + std::to_string(code) + ".",
            "Actual events are undefined by the spec.",
            [code](CaseContext& ctx) {
                ctx.send_frame(kClose, close_payload(code));
                ctx.kill_after(1);
            },
            {}, ExpectedClose{true, {1000, 1002}, false, false});
        c.informational = true;
        out.push_back(std::move(c));
    }
}

// --- 9 Limits/Performance ----------------------------------------------------------------

namespace {

CaseSpec perf(std::string id, std::string desc, std::function<void(CaseContext&)> on_open,
              EventList ok) {
    CaseSpec c = make_case(std::move(id), std::move(desc),
                           "Receive echo'ed message (with the length sent). Clean close with "
                           "normal code.",
                           std::move(on_open), std::move(ok), ExpectedClose{true, {1000}, true});
    c.performance = true;
    return c;
}

std::string size_text(std::size_t n) {
    if (n >= (1u << 20) && n % (1u << 20) == 0) return std::to_string(n >> 20) + "M";
    if (n >= 1024 && n % 1024 == 0) return std::to_string(n >> 10) + "k";
    return std::to_string(n);
}

}  // namespace

void add_section9(std::vector<CaseSpec>& out) {
    const std::string text_unit = "BAsd7&jh23";
    const std::string bin_unit = unhex("00fe23faf0");
    const std::size_t kMiB = 1u << 20;
    for (int binary = 0; binary < 2; ++binary) {
        const std::size_t sizes[] = {64 * 1024, 256 * 1024, kMiB, 4 * kMiB, 8 * kMiB, 16 * kMiB};
        const double text_kill[] = {10, 10, 100, 100, 100, 100};
        const double bin_kill[] = {10, 10, 10, 10, 100, 100};
        for (int i = 0; i < 6; ++i) {
            const std::size_t n = sizes[i];
            const double kill = binary ? bin_kill[i] : text_kill[i];
            const std::string unit = binary ? bin_unit : text_unit;
            out.push_back(perf("9." + std::to_string(1 + binary) + "." + std::to_string(i + 1),
                               std::string("Send ") + (binary ? "binary" : "text") +
                                   " message message with "
                                   "payload of length " +
                                   size_text(n) + ".",
                               [n, kill, unit, binary](CaseContext& c) {
                                   SendOptions o;
                                   o.repeat_to = n;
                                   c.send_frame(binary ? kBinary : kText, unit, o);
                                   c.kill_after(kill);
                               },
                               {binary ? Event{Event::Kind::message, "", true, n}
                                       : Event{Event::Kind::message, "", false, n}}));
        }
    }
    for (int binary = 0; binary < 2; ++binary) {
        const std::size_t frags[] = {64, 256, 1024, 4096, 16384, 65536, 262144, kMiB, 4 * kMiB};
        for (int i = 0; i < 9; ++i) {
            const std::size_t f = frags[i];
            const std::string unit = binary ? bin_unit : text_unit;
            out.push_back(
                perf("9." + std::to_string(3 + binary) + "." + std::to_string(i + 1),
                     std::string("Send fragmented ") + (binary ? "binary" : "text") +
                         " message message with message payload of length 4 * 2**20 (4M). Sent out "
                         "in fragments of " +
                         size_text(f) + ".",
                     [f, unit, binary](CaseContext& c) {
                         c.send_message(binary != 0, repeat_to(unit, 4 * (1u << 20)), f);
                         c.kill_after(100);
                     },
                     {Event{Event::Kind::message, "", binary != 0, 4 * kMiB}}));
        }
    }
    for (int binary = 0; binary < 2; ++binary) {
        const std::size_t chops[] = {64, 128, 256, 512, 1024, 2048};
        for (int i = 0; i < 6; ++i) {
            const std::size_t chop = chops[i];
            const std::string unit = binary ? bin_unit : text_unit;
            out.push_back(
                perf("9." + std::to_string(5 + binary) + "." + std::to_string(i + 1),
                     std::string("Send ") + (binary ? "binary" : "text") +
                         " message message with payload of length 1 * 2**20 (1M). Sent out data in "
                         "chops of " +
                         std::to_string(chop) + " octets.",
                     [chop, unit, binary](CaseContext& c) {
                         SendOptions o;
                         o.repeat_to = kMiB;
                         o.chop = chop;
                         c.send_frame(binary ? kBinary : kText, unit, o);
                         c.kill_after(1000);
                     },
                     {Event{Event::Kind::message, "", binary != 0, kMiB}}));
        }
    }
    for (int binary = 0; binary < 2; ++binary) {
        const std::size_t sizes[] = {0, 16, 64, 256, 1024, 4096};
        const double kills[] = {60, 60, 60, 120, 240, 480};
        for (int i = 0; i < 6; ++i) {
            const std::size_t n = sizes[i];
            const double kill = kills[i];
            const bool bin = binary != 0;
            const std::string payload = repeat_to("*", n);
            const std::string id = "9." + std::to_string(7 + binary) + "." + std::to_string(i + 1);
            CaseSpec c =
                perf(id,
                     "Send " + std::to_string(1000) + " " + (bin ? "binary" : "text") +
                         " messages of payload size " + std::to_string(n) +
                         " to measure implementation/network RTT (round trip time) / latency.",
                     [payload, bin, kill](CaseContext& ctx) {
                         ctx.send_message(bin, payload);
                         ctx.kill_after(kill);
                     },
                     {Event::mark("1000 round trips")});
            c.expectation = "Receive echo'ed messages (with payload as sent). Timeout case after " +
                            std::to_string(static_cast<int>(kill)) + " secs.";
            // One message in flight: the next goes out when the echo of the last is back.
            c.on_message = [payload, bin](CaseContext& ctx, const Event& e) {
                if (e.binary != bin || e.length != payload.size()) return true;  // recorded: fails
                if (++ctx.counter() < 1000) {
                    ctx.send_message(bin, payload);
                } else {
                    ctx.record(Event::mark("1000 round trips"));
                    ctx.send_close(1000);
                }
                return false;
            };
            out.push_back(std::move(c));
        }
    }
}

// --- 10 Misc -----------------------------------------------------------------------------

void add_section10(std::vector<CaseSpec>& out) {
    const std::string payload(65536, '*');
    out.push_back(make_case(
        "10.1.1",
        "Send text message with payload of length 65536 auto-fragmented with autoFragmentSize = "
        "1300.",
        "Receive echo'ed text message (with payload as sent and transmitted frame counts as "
        "expected). Clean close with normal code.",
        [payload](CaseContext& c) {
            c.send_message(false, payload, 1300);
            c.kill_after(10);
        },
        {Event::text(payload)}, ExpectedClose{true, {1000}, true, false}));
}

}  // namespace wsb::conformance
