// STOMP 1.2 under a session's steps (issue 15): CONNECT with the file's login, passcode, host
// and heart-beat, the steps started on CONNECTED (heart-beats then sent at the negotiated
// interval), stomp: frames with a receipt header when asked (the RECEIPT matched by its id),
// incoming MESSAGE and RECEIPT frames handed to the rules with their headers and body, an
// ERROR frame as a named error, DISCONNECT before the close. Frames may span WebSocket
// messages and several may share one: the decoder (wsbench/proto/stomp.hpp) takes care of both.
#include "session_proto_state.hpp"

namespace wsb::scenario {

void Session::stomp_connect(SessionOutput& out) {
    const StompOptions& o = s_.stomp;
    ProtoState& st = *proto_;
    st.values.assign(4, std::string());
    bool ok = o.host.render(ctx_, st.values[0]);
    if (o.login) ok = o.login->render(ctx_, st.values[1]) && ok;
    if (o.passcode) ok = o.passcode->render(ctx_, st.values[2]) && ok;
    if (!ok) ++stats_.template_errors;
    st.values[3] = std::to_string(o.heart_beat_ms) + "," + std::to_string(o.heart_beat_ms);
    st.out_headers.clear();
    st.out_headers.push_back({"accept-version", "1.2"});
    st.out_headers.push_back({"host", st.values[0]});
    if (o.login) st.out_headers.push_back({"login", st.values[1]});
    if (o.passcode) st.out_headers.push_back({"passcode", st.values[2]});
    st.out_headers.push_back({"heart-beat", st.values[3]});
    proto_buffer_.clear();
    stomp::encode_frame(proto_buffer_, "CONNECT", st.out_headers.data(), st.out_headers.size());
    out.send(MessageType::text, proto_buffer_);
}

void Session::stomp_send(const SendStep& send, SessionOutput& out) {
    ProtoState& st = *proto_;
    const std::size_t n = send.headers.size() + (send.receipt.empty() ? 0 : 1);
    if (st.values.size() < n) st.values.resize(n);
    for (std::size_t i = 0; i < send.headers.size(); ++i) {
        st.values[i].clear();
        if (!send.headers[i].second.render(ctx_, st.values[i])) ++stats_.template_errors;
    }
    st.out_headers.clear();
    for (std::size_t i = 0; i < send.headers.size(); ++i)
        st.out_headers.push_back({send.headers[i].first, st.values[i]});
    if (!send.receipt.empty()) {
        std::string& id = st.values[send.headers.size()];
        id = send.receipt;
        id += ':';
        id += std::to_string(ctx_.seq);
        st.out_headers.push_back({"receipt", id});
    }
    st.payload.clear();
    if (!send.body.render(ctx_, st.payload)) ++stats_.template_errors;
    buffer_.clear();
    stomp::encode_frame(buffer_, send.operation, st.out_headers.data(), st.out_headers.size(),
                        st.payload);
    out.send(MessageType::text, buffer_);
}

void Session::stomp_message(const IncomingMessage& msg, const SessionClock& now,
                            SessionOutput& out) {
    using stomp::Command;
    ProtoState& st = *proto_;
    st.stomp->feed(msg.payload);
    stomp::Frame f;
    while (!finished_) {
        const stomp::Decoder::Event e = st.stomp->next(f);
        if (e == stomp::Decoder::Event::need_more) return;
        if (e == stomp::Decoder::Event::heartbeat) continue;
        if (e == stomp::Decoder::Event::error) {
            fail("stomp: " + st.stomp->error_text(), out);
            return;
        }
        IncomingMessage app;
        app.type = MessageType::text;
        app.kind = static_cast<std::uint8_t>(f.command);
        switch (f.command) {
            case Command::connected: {
                stomp::HeartBeat hb;
                const std::uint32_t ms = s_.stomp.heart_beat_ms;
                if (stomp::negotiate_heart_beat(ms, ms, f.header("heart-beat"), hb)) {
                    if (hb.send_ms > 0) {
                        keepalive_every_ = std::chrono::milliseconds(hb.send_ms);
                        next_heartbeat_ = now.mono + keepalive_every_;
                    }
                    // STOMP 1.2 "Heart-beating": a server silent well past the interval it
                    // agreed to is gone; twice it is the tolerance.
                    st.peer_silence_limit =
                        std::chrono::milliseconds(2 * std::int64_t{hb.receive_ms});
                    st.silence_rule = "twice the heart-beat interval it agreed to (" +
                                      std::to_string(hb.receive_ms) + " ms)";
                }
                protocol_ready(now, out);
                continue;
            }
            case Command::error: {
                const std::string_view why = f.header("message");
                fail("stomp ERROR: " + std::string(why.empty() ? f.body.substr(0, 80) : why), out);
                return;
            }
            case Command::receipt:
                app.id = f.header("receipt-id");
                break;
            case Command::message:
                app.event = f.header("destination");
                break;
            default:
                continue;
        }
        st.in_headers.clear();
        for (std::size_t i = 0; i < f.header_count; ++i)
            st.in_headers.push_back({f.headers[i].name, f.headers[i].value});
        app.headers = st.in_headers.data();
        app.header_count = st.in_headers.size();
        app.payload = f.body;
        app.capacity = capacity_in(msg, f.body);
        on_app_message(app, now, out);
    }
}

}  // namespace wsb::scenario
