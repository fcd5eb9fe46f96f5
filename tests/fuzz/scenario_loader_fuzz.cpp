// libFuzzer target for the scenario loader: any text, read as YAML or as JSON, either
// compiles or is refused with ScenarioError (one line naming the file and, when known, the
// line and column); nothing else may escape and nothing may crash. A compiled scenario is
// then rendered and matched once, and one Session runs it against a few replies with time
// jumping to each wakeup: one close at most, and nothing due after the end.
//
// Input: [mode: 1 byte (bit 0: JSON)][scenario text...]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "wsbench/scenario/loader.hpp"
#include "wsbench/scenario/session.hpp"

namespace {

using namespace wsb::scenario;

void exercise(const Scenario& s) {
    std::vector<std::string> slots(s.slots.size(), "7");
    Rng rng(1);
    RenderContext ctx;
    ctx.slots = &slots;
    ctx.rng = &rng;
    if (s.data) ctx.data_row = &s.data->row_for(0);
    JsonScratch js;
    std::string out;
    BoundValues bound;
    const IncomingMessage msg{MessageType::text, R"({"id":0,"op":"x","a":[1,{"b":"c"}]})", 36};
    for (const Step& step : s.program) {
        if (const auto* send = std::get_if<SendStep>(&step.what)) {
            out.clear();
            (void)send->body.render(ctx, out);
        } else if (const auto* e = std::get_if<ExpectStep>(&step.what)) {
            FUZZ_CHECK(!e->name.empty());
            (void)e->match.bind(ctx, bound);
            (void)e->match.matches(msg, bound, js);
            for (const Capture& c : e->captures) {
                FUZZ_CHECK(c.slot < slots.size());
                (void)c.extract(msg, js, out);
            }
        } else if (const auto* loop = std::get_if<LoopStep>(&step.what)) {
            FUZZ_CHECK(loop->end < s.program.size());
            FUZZ_CHECK(std::holds_alternative<LoopEnd>(s.program[loop->end].what));
        }
    }
}

struct NullOutput : SessionOutput {
    std::size_t sends = 0;
    bool closed = false;
    void send(MessageType, std::string_view) override { ++sends; }
    void close(std::uint16_t, std::string_view) override {
        FUZZ_CHECK(!closed);  // one close per session
        closed = true;
    }
};

// One session driven by the messages below and by time jumping to every wakeup.
void run_session(const Scenario& s) {
    ScenarioStats stats(s);
    JsonScratch js;
    Session session(s, stats, js, 1, 2, 3);
    NullOutput out;
    session.start({Nanos(0), 0}, out);
    const std::string_view replies[] = {R"({"id":0,"op":"x"})", "pong", R"({"id":1})"};
    Nanos t{0};
    for (int i = 0; i < 64 && !session.finished(); ++i) {
        const std::string_view r = replies[i % 3];
        session.on_message({MessageType::text, r, r.size()}, {t, t.count() / 1000}, out);
        const Nanos next = session.next_wakeup();
        if (next == Session::kNever) break;
        t = std::max(t, next);
        session.on_time({t, t.count() / 1000}, out);
    }
    FUZZ_CHECK(!session.finished() || out.closed);
    FUZZ_CHECK(!session.finished() || session.next_wakeup() == Session::kNever);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wsb::fuzz::OptionBytes in(data, size);
    const bool json = (in.u8() & 1) != 0;
    const std::string_view text(reinterpret_cast<const char*>(in.rest()), in.rest_size());
    LoadOptions options;
    options.allow_files = false;  // never read files the input names
    try {
        const Scenario s = load_scenario_text(text, "fuzz.yaml", json, options);
        exercise(s);
        run_session(s);
    } catch (const ScenarioError& e) {
        const std::string_view what = e.what();
        FUZZ_CHECK(what.rfind("fuzz.yaml", 0) == 0);
    }
    return 0;
}
