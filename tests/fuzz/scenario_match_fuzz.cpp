// libFuzzer target for the matcher on incoming messages, the untrusted side of a scenario
// (whatever the server sends): json subset matches, captures and sent_at integers on any
// bytes, read in place (padded) or copied, never crash; every rule asked twice about one
// message answers the same (the message's index is rewound between rules, and indexed again
// after an error), and a message matches the same alone as after other rules looked at it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/scenario/matcher.hpp"

using namespace wsb::scenario;

namespace {

JsonField scalar(std::string key, std::uint32_t index) {
    JsonField f;
    f.key = std::move(key);
    f.value_index = index;
    return f;
}

// {"id": V0, "result": {"method": V1}, "params": [V2]}
Matcher rpc_matcher() {
    Matcher m;
    m.has_json = true;
    m.json.push_back(scalar("id", 0));
    JsonField result;
    result.key = "result";
    result.kind = JsonField::Kind::object;
    result.children.push_back(scalar("method", 1));
    m.json.push_back(result);
    JsonField params;
    params.key = "params";
    params.kind = JsonField::Kind::array;
    params.children.push_back(scalar("", 2));
    m.json.push_back(params);
    return m;
}

struct Answers {
    bool full = false;
    bool id = false;
    bool captured = false;
    std::string capture;
    bool has_ts = false;
    std::int64_t ts = 0;
};

Answers ask(const IncomingMessage& msg, JsonScratch& js, const Matcher& full, const Matcher& id) {
    static const BoundValues bound{"7", "echo", "x"};
    Capture c;
    c.pointer = "/result/method";
    Answers a;
    js.new_message();
    a.full = full.matches(msg, bound, js);
    a.id = id.matches(msg, bound, js);
    a.captured = c.extract(msg, js, a.capture);
    a.has_ts = extract_integer(msg, "/ts_us", js, a.ts);
    // Asked again about the same message: the same answers.
    FUZZ_CHECK(full.matches(msg, bound, js) == a.full);
    FUZZ_CHECK(id.matches(msg, bound, js) == a.id);
    std::string again;
    FUZZ_CHECK(c.extract(msg, js, again) == a.captured);
    if (a.captured) FUZZ_CHECK(again == a.capture);
    return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Matcher full = rpc_matcher();
    static const Matcher id = [] {
        Matcher m;
        m.has_json = true;
        m.json.push_back(scalar("id", 0));
        return m;
    }();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    JsonScratch js;
    // Copied (no room after the message), then in place (a read buffer with room to spare).
    const Answers copied = ask({MessageType::text, text, text.size()}, js, full, id);
    std::string padded(text);
    padded.resize(text.size() + 128, ' ');
    const Answers in_place =
        ask({MessageType::text, std::string_view(padded.data(), text.size()), padded.size()}, js,
            full, id);
    FUZZ_CHECK(copied.full == in_place.full && copied.id == in_place.id);
    FUZZ_CHECK(copied.captured == in_place.captured && copied.capture == in_place.capture);
    FUZZ_CHECK(copied.has_ts == in_place.has_ts && copied.ts == in_place.ts);
    if (copied.full) FUZZ_CHECK(copied.id && copied.captured && copied.capture == "echo");
    return 0;
}
