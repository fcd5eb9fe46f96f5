// Sections 12-13 (permessage-deflate): Autobahn's ids, texts and offers, the 1000 messages a
// case sends (slices of its data set, wrapping), the echo check, and UNIMPLEMENTED.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "conformance/case.hpp"
#include "conformance/judge.hpp"

namespace wsb::conformance {
namespace {

const CaseSpec& find_case(const std::string& id) {
    for (const CaseSpec& c : all_cases()) {
        if (c.id == id) return c;
    }
    throw std::runtime_error("no case " + id);
}

std::vector<std::string> offers_of(const CaseSpec& c) {
    std::vector<std::string> out;
    for (const DeflateOffer& o : c.deflate_offers) out.push_back(format_deflate_offer(o));
    return out;
}

TEST(DeflateCases, CarryAutobahnsTextsAndOffers) {
    const CaseSpec& c = find_case("12.1.1");
    EXPECT_EQ(c.description,
              "Send 1000 compressed messages each of payload size 16, auto-fragment to 0 octets. "
              "Use default permessage-deflate offer.");
    EXPECT_EQ(c.expectation,
              "Receive echo'ed messages (with payload as sent). Timeout case after 60 secs.");
    EXPECT_EQ(offers_of(c),
              std::vector<std::string>{"permessage-deflate; client_no_context_takeover; "
                                       "client_max_window_bits"});
    EXPECT_EQ(find_case("12.5.18").description,
              "Send 1000 compressed messages each of payload size 131072, auto-fragment to 32768 "
              "octets. Use default permessage-deflate offer.");
    EXPECT_EQ(offers_of(find_case("13.3.1")),
              std::vector<std::string>{"permessage-deflate; client_no_context_takeover; "
                                       "client_max_window_bits; server_max_window_bits=9"});
    const CaseSpec& seven = find_case("13.7.11");
    EXPECT_NE(seven.description.find("[(True, 9), (True, 0), (False, 0)]"), std::string::npos);
    ASSERT_EQ(seven.deflate_offers.size(), 3u);
    EXPECT_TRUE(seven.deflate_offers[1].server_no_context_takeover);
    EXPECT_EQ(seven.deflate_offers[2].server_max_window_bits, 0);
    for (const CaseSpec& k : all_cases()) {
        const bool deflate = section_of(k.id) == "12" || section_of(k.id) == "13";
        EXPECT_EQ(!k.deflate_offers.empty(), deflate) << k.id;
    }
}

/// Plays a case's side of the connection without one: what it sends, what it records.
class FakeContext : public CaseContext {
  public:
    bool negotiated = true;
    std::vector<std::pair<bool, std::string>> sent;  // binary, plain payload
    std::vector<std::size_t> fragments;
    int closes = 0;
    double close_after_s = 0;

    void send_frame(std::uint8_t, const std::string&, const SendOptions&) override {}
    void send_message(bool, const std::string&, std::size_t, bool) override {}
    void send_raw(const std::string&) override {}
    void send_close(std::optional<std::uint16_t>, const std::string&) override { ++closes; }
    void kill_after(double) override {}
    void close_after(double s) override { close_after_s = s; }
    void continue_later(double, std::function<void()>) override {}
    void record(Event e) override { events_.push_back(std::move(e)); }
    const EventList& received() const override { return events_; }
    std::uint64_t& counter() override { return counter_; }
    bool deflate_negotiated() const override { return negotiated; }
    void send_compressed(bool binary, const std::uint8_t* data, std::size_t size,
                         std::size_t fragment_size) override {
        sent.emplace_back(binary, std::string(reinterpret_cast<const char*>(data), size));
        fragments.push_back(fragment_size);
    }

    /// Echoes the last message sent; returns what the case's on_message said.
    bool echo(const CaseSpec& c) {
        const auto& [binary, payload] = sent.back();
        Event e = binary ? Event::bin(payload) : Event::text(payload);
        const bool keep = c.on_message(*this, e);
        if (keep) record(e);
        return keep;
    }

  private:
    EventList events_;
    std::uint64_t counter_ = 0;
};

TEST(DeflateCases, SendThousandSlicesThatWrapAndCloseWhenAllCameBack) {
    const CaseSpec& c = find_case("12.1.10");  // 131072-octet JSON slices of a 194056-octet set
    FakeContext ctx;
    c.on_open(ctx);
    EXPECT_EQ(ctx.close_after_s, 480);
    for (int i = 0; i < 1000; ++i) {
        ASSERT_EQ(ctx.sent.size(), static_cast<std::size_t>(i + 1));
        ASSERT_FALSE(ctx.echo(c)) << i;
    }
    EXPECT_EQ(ctx.sent.size(), 1000u);
    EXPECT_EQ(ctx.closes, 1);
    EXPECT_TRUE(same_events(ctx.received(), c.expected.at(Behavior::ok)));
    // Text, 131072 octets each; the second slice wraps around the end of the data set.
    EXPECT_FALSE(ctx.sent[0].first);
    EXPECT_EQ(ctx.sent[1].second.size(), 131072u);
    EXPECT_EQ(ctx.sent[1].second.substr(194056 - 131072), ctx.sent[0].second.substr(0, 68088));
    EXPECT_EQ(ctx.sent[0].second.substr(0, 2), "[{");
}

TEST(DeflateCases, AWrongEchoIsRecordedAndClosesTheCase) {
    const CaseSpec& c = find_case("12.2.11");  // binary bitmap, 256-octet frames
    FakeContext ctx;
    c.on_open(ctx);
    EXPECT_EQ(ctx.fragments[0], 256u);
    EXPECT_TRUE(ctx.sent[0].first);
    Event wrong = Event::bin(ctx.sent[0].second);
    wrong.payload[100] ^= 1;
    EXPECT_TRUE(c.on_message(ctx, wrong));
    EXPECT_EQ(ctx.closes, 1);
    Event as_text = Event::text(ctx.sent[0].second);
    EXPECT_TRUE(c.on_message(ctx, as_text)) << "binary sent, text echoed";
}

Observation closed_by_runner() {
    Observation o;
    o.connected = o.handshake_done = true;
    o.closed_by_me = o.close_sent = o.close_received = true;
    o.remote_close_code = 1000;
    o.was_clean = o.peer_dropped_tcp = true;
    return o;
}

TEST(DeflateCases, DeclinedOfferIsUnimplementedAndClosesAtOnce) {
    const CaseSpec& c = find_case("13.3.1");
    FakeContext ctx;
    ctx.negotiated = false;
    c.on_open(ctx);
    EXPECT_TRUE(ctx.sent.empty());
    EXPECT_EQ(ctx.closes, 1);
    Observation o = closed_by_runner();
    const Verdict v = judge(c, o);
    EXPECT_EQ(v.behavior, Behavior::unimplemented);
    EXPECT_EQ(v.behavior_close, CloseBehavior::ok);
    EXPECT_FALSE(is_failure(v, true));

    o.deflate_negotiated = true;
    EXPECT_EQ(judge(c, o).behavior, Behavior::failed) << "negotiated, nothing echoed";
    o.received = {Event::mark("1000 compressed echoes")};
    EXPECT_EQ(judge(c, o).behavior, Behavior::ok);
}

}  // namespace
}  // namespace wsb::conformance
