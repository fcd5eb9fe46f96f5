// The protocol codecs allocate nothing per message once their buffers have grown: operator new
// is counted in this executable (its own binary, so no other test sees the replacement).
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

#include "wsbench/proto/graphql_ws.hpp"
#include "wsbench/proto/mqtt.hpp"
#include "wsbench/proto/stomp.hpp"

namespace {
std::size_t g_allocations = 0;
}

void* operator new(std::size_t size) {
    ++g_allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace wsb {
namespace {

using namespace std::string_literals;

TEST(CodecAllocation, StompDecoderAndEncoderAllocateNothingPerFrame) {
    std::string stream;
    stomp::encode_frame(stream, "MESSAGE",
                        {{"subscription", "0"},
                         {"message-id", "T_0@@session-1@@1"},
                         {"destination", "/queue/a\\b:c"},  // escaped: unescaped on decode
                         {"content-type", "application/json"}},
                        R"({"seq":1,"ts":1796657000123456})");
    stomp::encode_heartbeat(stream);
    const std::string whole = stream;
    const std::string head = stream.substr(0, 40);  // a frame split over two messages
    const std::string tail = stream.substr(40);
    stomp::Decoder d;
    stomp::Frame f;
    std::string out;
    std::size_t frames = 0;
    auto round = [&] {
        for (const std::string* part : {&whole, &head, &tail}) {
            d.feed(*part);
            for (;;) {
                const auto ev = d.next(f);
                if (ev == stomp::Decoder::Event::need_more) break;
                ASSERT_NE(ev, stomp::Decoder::Event::error) << d.error_text();
                if (ev == stomp::Decoder::Event::frame) {
                    ++frames;
                    EXPECT_EQ(f.header("destination"), "/queue/a\\b:c");
                }
            }
        }
        out.clear();
        stomp::encode_frame(out, "SEND", {{"destination", "/queue/a"}, {"receipt", "r-1"}},
                            R"({"seq":1})");
    };
    const std::size_t start = g_allocations;
    round();  // the buffers grow here
    EXPECT_GT(g_allocations, start) << "the counter sees the first round's allocations";
    const std::size_t before = g_allocations;
    for (int i = 0; i < 1000; ++i) round();
    EXPECT_EQ(g_allocations - before, 0u);
    EXPECT_EQ(frames, 2002u);
}

TEST(CodecAllocation, GraphqlWsDecoderAndEncodersAllocateNothingPerMessage) {
    const std::string next =
        R"({"id":"7","type":"next","payload":{"data":{"ticks":{"n":3,"sentAt":1796657000123456,)"
        R"("text":"a \"quoted\" word","list":[1,2,{"a":null}]}}}})";
    std::string out;
    out.reserve(512);
    const std::size_t before = g_allocations;
    for (int i = 0; i < 1000; ++i) {
        graphql_ws::Message m;
        ASSERT_EQ(graphql_ws::decode(next, m), graphql_ws::Errc::ok);
        EXPECT_EQ(m.id, "7");
        out.clear();
        graphql_ws::encode_subscribe(out, "17", "subscription { ticks { n sentAt } }", R"({"n":3})",
                                     "T");
        graphql_ws::encode_ping(out);
    }
    EXPECT_EQ(g_allocations - before, 0u);
}

TEST(CodecAllocation, MqttDecoderAndEncodersAllocateNothingPerPacket) {
    // What a broker sends: PUBLISH at QoS 1 (the same layout both ways), a PUBACK, a PINGRESP.
    std::string stream;
    mqtt::encode_publish(stream, mqtt::Version::v5, {"sensors/1/temp", R"({"ts":1})", 1, 9});
    mqtt::encode_puback(stream, mqtt::Version::v5, 9, 0x10);
    stream += "\xD0\x00"s;
    const std::string whole = stream;
    const std::string head = stream.substr(0, 7);  // a PUBLISH split over two messages
    const std::string tail = stream.substr(7);
    mqtt::Decoder d(mqtt::Version::v5);
    mqtt::Packet p;
    std::string out;
    std::size_t packets = 0;
    mqtt::ConnectOptions c;
    c.version = mqtt::Version::v5;
    c.client_id = "client-17";
    c.username = "user";
    c.password = "secret";
    auto round = [&] {
        for (const std::string* part : {&whole, &head, &tail}) {
            d.feed(*part);
            mqtt::Decoder::Status s;
            while ((s = d.next(p)) == mqtt::Decoder::Status::packet) ++packets;
            ASSERT_EQ(s, mqtt::Decoder::Status::need_more) << mqtt::error_name(d.error());
        }
        out.clear();
        mqtt::encode_connect(out, c);
        mqtt::encode_subscribe(out, mqtt::Version::v5, 1, "sensors/+/temp", {1});
        mqtt::encode_publish(out, mqtt::Version::v5, {"sensors/2/temp", "21.5", 1, 2});
        mqtt::encode_puback(out, mqtt::Version::v5, 3);
        mqtt::encode_pingreq(out);
    };
    const std::size_t start = g_allocations;
    round();  // the buffers grow here
    EXPECT_GT(g_allocations, start) << "the counter sees the first round's allocations";
    const std::size_t before = g_allocations;
    for (int i = 0; i < 1000; ++i) round();
    EXPECT_EQ(g_allocations - before, 0u);
    EXPECT_EQ(packets, 6006u);
}

}  // namespace
}  // namespace wsb
