// Section 6 of the Autobahn testsuite: UTF-8 handling. 6.1-6.4 are fixed cases (fragmented
// text, fail-fast on invalid UTF-8); 6.5-6.23 come from Markus Kuhn's UTF-8 decoder stress
// test, one text frame each, in Autobahn's order.
#include <cstring>
#include <random>
#include <string>
#include <utility>

#include "conformance/cases/common.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::conformance {

using namespace cases;

namespace {

const std::string kKosme = unhex("cebae1bdb9cf83cebcceb5");  // κόσμε, 11 bytes

// Autobahn's 6.5-6.23 sequences: {subsection title, payloads}; validity is computed.
std::vector<std::pair<std::string, std::vector<std::string>>> kuhn_sequences() {
    std::vector<std::pair<std::string, std::vector<std::string>>> v;
    v.push_back(
        {"Some valid UTF-8 sequences",
         {"hello$world", "hello" + unhex("c2a2") + "world", "hello" + unhex("e282ac") + "world",
          "hello" + unhex("f0a4ada2") + "world", kKosme}});
    std::vector<std::string> prefixes;
    for (std::size_t i = 1; i <= kKosme.size(); ++i) prefixes.push_back(kKosme.substr(0, i));
    v.push_back(
        {"All prefixes of a valid UTF-8 string that contains multi-byte code points", prefixes});
    auto hx = [](std::initializer_list<const char*> l) {
        std::vector<std::string> r;
        for (const char* h : l) r.push_back(unhex(h));
        return r;
    };
    v.push_back(
        {"First possible sequence of a certain length", hx({"00", "c280", "e0a080", "f0908080"})});
    v.push_back({"First possible sequence length 5/6 (invalid codepoints)",
                 hx({"f888808080", "fc8480808080"})});
    v.push_back(
        {"Last possible sequence of a certain length", hx({"7f", "dfbf", "efbfbf", "f48fbfbf"})});
    v.push_back({"Last possible sequence length 4/5/6 (invalid codepoints)",
                 hx({"f7bfbfbf", "fbbfbfbfbf", "fdbfbfbfbfbf"})});
    v.push_back(
        {"Other boundary conditions", hx({"ed9fbf", "ee8080", "efbfbd", "f48fbfbf", "f4908080"})});
    {
        auto seqs = hx({"80", "bf", "80bf", "80bf80", "80bf80bf", "80bf80bf80", "80bf80bf80bf"});
        std::string all;
        for (int b = 0x80; b < 0xBF; ++b) all += static_cast<char>(b);
        seqs.push_back(all);
        v.push_back({"Unexpected continuation bytes", seqs});
    }
    {
        std::vector<std::string> seqs;
        const std::pair<int, int> ranges[] = {
            {0xC0, 0xDF}, {0xE0, 0xEF}, {0xF0, 0xF7}, {0xF8, 0xFB}, {0xFC, 0xFD}};
        for (auto [lo, hi] : ranges) {
            std::string s;
            for (int b = lo; b < hi; ++b) {
                s += static_cast<char>(b);
                s += ' ';
            }
            seqs.push_back(s);
        }
        v.push_back({"Lonely start characters", seqs});
    }
    const auto missing = hx({"c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf",
                             "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"});
    v.push_back({"Sequences with last continuation byte missing", missing});
    {
        std::string all;
        for (const auto& s : missing) all += s;
        v.push_back({"Concatenation of incomplete sequences", {all}});
    }
    v.push_back({"Impossible bytes", hx({"fe", "ff", "fefeffff"})});
    v.push_back({"Examples of an overlong ASCII character",
                 hx({"c0af", "e080af", "f08080af", "f8808080af", "fc80808080af"})});
    v.push_back({"Maximum overlong sequences",
                 hx({"c1bf", "e09fbf", "f08fbfbf", "f887bfbfbf", "fc83bfbfbfbf"})});
    v.push_back({"Overlong representation of the NUL character",
                 hx({"c080", "e08080", "f0808080", "f880808080", "fc8080808080"})});
    v.push_back({"Single UTF-16 surrogates",
                 hx({"eda080", "edadbf", "edae80", "edafbf", "edb080", "edbe80", "edbfbf"})});
    v.push_back({"Paired UTF-16 surrogates",
                 hx({"eda080edb080", "eda080edbfbf", "edadbfedb080", "edadbfedbfbf", "edae80edb080",
                     "edae80edbfbf", "edafbfedb080", "edafbfedbfbf"})});
    {
        std::vector<std::string> seqs = hx({"efbfbe", "efbfbf"});
        for (const char* z1 : {"f0", "f1", "f2", "f3", "f4"}) {
            for (const char* z2 : {"8f", "9f", "af", "bf"}) {
                if (std::strcmp(z1, "f4") == 0 && std::strcmp(z2, "8f") != 0) continue;
                if (std::strcmp(z1, "f0") == 0 && std::strcmp(z2, "8f") == 0) continue;
                for (const char* z3 : {"be", "bf"}) {
                    seqs.push_back(unhex(std::string(z1) + z2 + "bf" + z3));
                }
            }
        }
        v.push_back({"Non-character code points (valid UTF-8)", seqs});
    }
    v.push_back({"Unicode specials (i.e. replacement char)",
                 hx({"efbfb9", "efbfba", "efbfbb", "efbfbc", "efbfbd", "efbfbe", "efbfbf"})});
    return v;
}

std::string hex_of(const std::string& s) {
    static const char* h = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += h[c >> 4];
        out += h[c & 15];
    }
    return out;
}

ExpectedClose fails_1007() { return server_fails({1007}, true); }

// 6.4.x: a text message whose invalid part arrives after a pause; the server should fail the
// connection right after the invalid part (OK) and at the latest after the whole message
// (NON-STRICT), never on the valid prefix (FAILED).
CaseSpec fail_fast_case(std::string id, std::vector<std::string> parts, bool one_frame) {
    std::string desc =
        std::string("Send invalid UTF-8 text message in 3 ") +
        (one_frame ? "chops of the same frame" : "fragments (frames)") +
        ". First part is valid UTF-8 " +
        (parts[0].size() == 11 ? "" : "(ending inside a code point) ") +
        "and sent, then after 1 s the part that makes it invalid, then after another 1 s the rest.";
    CaseSpec c = make_case(
        std::move(id), desc,
        "The connection is failed immediately after the invalid part (OK) or after the whole "
        "message (NON-STRICT), with 1007, but not on the valid first part.",
        [parts, one_frame](CaseContext& ctx) {
            if (one_frame) {
                std::string payload = parts[0] + parts[1] + parts[2];
                FrameHeader h;
                h.opcode = Opcode::text;
                h.masked = ctx.masks_frames();  // unmasked in serve mode (server role)
                std::random_device rd;
                for (auto& b : h.mask_key) b = static_cast<std::uint8_t>(rd());
                std::string frame(kMaxFrameHeaderSize + payload.size(), '\0');
                frame.resize(encode_frame(h, payload.data(), payload.size(),
                                          reinterpret_cast<std::uint8_t*>(frame.data()),
                                          frame.size()));
                const std::size_t hl = frame.size() - payload.size();
                const std::size_t a = hl + parts[0].size();
                const std::size_t b = a + parts[1].size();
                ctx.send_raw(frame.substr(0, a));
                ctx.continue_later(1, [&ctx, frame, a, b] {
                    ctx.record(Event::timeout("A"));
                    ctx.send_raw(frame.substr(a, b - a));
                    ctx.continue_later(1, [&ctx, frame, b] {
                        ctx.record(Event::timeout("B"));
                        ctx.send_raw(frame.substr(b));
                        ctx.kill_after(1);
                    });
                });
            } else {
                ctx.send_frame(kText, parts[0], opts(false));
                ctx.continue_later(1, [&ctx, parts] {
                    ctx.record(Event::timeout("A"));
                    ctx.send_frame(kCont, parts[1], opts(false));
                    ctx.continue_later(1, [&ctx, parts] {
                        ctx.record(Event::timeout("B"));
                        ctx.send_frame(kCont, parts[2], opts(true));
                        ctx.kill_after(1);
                    });
                });
            }
        },
        {Event::timeout("A")}, fails_1007());
    c.expected[Behavior::non_strict] = {Event::timeout("A"), Event::timeout("B")};
    return c;
}

}  // namespace

void add_section6(std::vector<CaseSpec>& out) {
    auto echo = [](const std::string& p) { return EventList{Event::text(p)}; };
    out.push_back(make_case(
        "6.1.1", "Send text message of length 0.",
        "A message is echo'ed back to us (with empty payload).",
        [](CaseContext& c) {
            c.send_frame(kText, "");
            c.kill_after(1);
        },
        echo(""), runner_closes()));
    out.push_back(make_case(
        "6.1.2", "Send fragmented text message, 3 fragments each of length 0.",
        "A message is echo'ed back to us (with empty payload).",
        [](CaseContext& c) {
            c.send_frame(kText, "", opts(false));
            c.send_frame(kCont, "", opts(false));
            c.send_frame(kCont, "", opts(true));
            c.kill_after(1);
        },
        echo(""), runner_closes()));
    out.push_back(make_case(
        "6.1.3",
        "Send fragmented text message, 3 fragments, first and last of length 0, middle "
        "non-empty.",
        "A message is echo'ed back to us (with payload = payload of middle fragment).",
        [](CaseContext& c) {
            c.send_frame(kText, "", opts(false));
            c.send_frame(kCont, "middle frame payload", opts(false));
            c.send_frame(kCont, "", opts(true));
            c.kill_after(1);
        },
        echo("middle frame payload"), runner_closes()));

    const std::string hello =
        "Hello-" + unhex("c2b5") + "@" + unhex("c39fc3b6c3a4c3bcc3a0c3a1") + "-UTF-8!!";
    out.push_back(make_case(
        "6.2.1", "Send a valid UTF-8 text message in one fragment. Payload: " + hello,
        "The message is echo'ed back to us.",
        [hello](CaseContext& c) {
            c.send_message(false, hello);
            c.kill_after(1);
        },
        echo(hello), runner_closes()));
    out.push_back(make_case(
        "6.2.2",
        "Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point "
        "boundary.",
        "The message is echo'ed back to us.",
        [hello](CaseContext& c) {
            c.send_frame(kText, hello.substr(0, 15), opts(false));
            c.send_frame(kCont, hello.substr(15), opts(true));
            c.kill_after(1);
        },
        echo(hello), runner_closes()));
    out.push_back(make_case(
        "6.2.3",
        "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames "
        "ending on positions which are not code point ends.",
        "The message is echo'ed back to us.",
        [hello](CaseContext& c) {
            c.send_message(false, hello, 1);
            c.kill_after(1);
        },
        echo(hello), runner_closes()));
    out.push_back(make_case(
        "6.2.4", "Send a valid UTF-8 text message (κόσμε) in fragments of 1 octet.",
        "The message is echo'ed back to us.",
        [](CaseContext& c) {
            c.send_message(false, kKosme, 1);
            c.kill_after(1);
        },
        echo(kKosme), runner_closes()));

    const std::string invalid = kKosme + unhex("eda080") + "edited";
    out.push_back(make_case(
        "6.3.1", "Send invalid UTF-8 text message unfragmented. Payload: 0x" + hex_of(invalid),
        "The connection is failed immediately, since the payload is not valid UTF-8.",
        [invalid](CaseContext& c) {
            c.send_message(false, invalid);
            c.kill_after(1);
        },
        {}, fails_1007()));
    out.push_back(make_case(
        "6.3.2",
        "Send invalid UTF-8 text message in fragments of 1 octet. Payload: 0x" + hex_of(invalid),
        "The connection is failed immediately, since the payload is not valid UTF-8.",
        [invalid](CaseContext& c) {
            c.send_message(false, invalid, 1);
            c.kill_after(1);
        },
        {}, fails_1007()));

    const std::string p1 = kKosme;
    const std::string p2 = unhex("f4908080");
    const std::string p3 = "edited";
    out.push_back(fail_fast_case("6.4.1", {p1, p2, p3}, false));
    out.push_back(
        fail_fast_case("6.4.2", {p1 + unhex("f4"), unhex("90"), unhex("8080") + p3}, false));
    out.push_back(fail_fast_case("6.4.3", {p1, p2, p3}, true));
    out.push_back(
        fail_fast_case("6.4.4", {p1 + unhex("f4"), unhex("90"), unhex("8080") + p3}, true));

    int sub = 5;
    for (const auto& [title, seqs] : kuhn_sequences()) {
        int n = 1;
        for (const std::string& p : seqs) {
            const bool valid = is_valid_utf8(p);
            const std::string id = "6." + std::to_string(sub) + "." + std::to_string(n++);
            const std::string desc =
                std::string(valid ? "Send a text message with payload which is valid UTF-8 in "
                                    "one fragment."
                                  : "Send a text message with payload which is not valid UTF-8 "
                                    "in one fragment.") +
                " (" + title + ") Payload: 0x" + hex_of(p);
            out.push_back(make_case(
                id, desc,
                valid ? "The message is echo'ed back to us."
                      : "The connection is failed immediately, since the payload is not valid "
                        "UTF-8.",
                [p](CaseContext& c) {
                    c.send_message(false, p);
                    c.kill_after(0.5);
                },
                valid ? echo(p) : EventList{}, valid ? runner_closes() : fails_1007()));
        }
        ++sub;
    }
}

}  // namespace wsb::conformance
