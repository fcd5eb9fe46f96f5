// MQTT 3.1.1 and 5 under a session's steps (issue 15): CONNECT with the file's client id,
// keep alive and credentials, the CONNACK awaited, SUBSCRIBE and PUBLISH steps (their SUBACK
// and QoS 1 PUBACK matched by packet id), incoming PUBLISH packets handed to the rules by topic
// (QoS 1 acknowledged), PINGREQ at half the keep alive, DISCONNECT before the close. One
// WebSocket message may hold several packets and a packet may span messages: the decoder
// (wsbench/proto/mqtt.hpp) takes care of both.
#include <charconv>

#include "session_proto_state.hpp"

namespace wsb::scenario {

namespace {

mqtt::Version version_of(const Scenario& s) {
    return s.mqtt.version == 5 ? mqtt::Version::v5 : mqtt::Version::v311;
}

std::uint16_t packet_id(std::uint64_t seq) { return static_cast<std::uint16_t>(seq % 65535 + 1); }

// What the rules see of an incoming PUBLISH: its topic and payload, read in place when the
// packet lay whole in the message (simdjson's padding is the message's room after it).
void publish_view(const mqtt::Packet& p, const IncomingMessage& msg, IncomingMessage& app) {
    app.event = p.topic;
    app.payload = p.payload;
    app.capacity = capacity_in(msg, p.payload);
}

// A SUBACK's or PUBACK's packet id as digits (in `digits`), and whether it refuses.
void ack_view(mqtt::Version v, const mqtt::Packet& p, char (&digits)[8], IncomingMessage& app) {
    const auto r = std::to_chars(digits, digits + sizeof digits, p.packet_id);
    app.id = std::string_view(digits, static_cast<std::size_t>(r.ptr - digits));
    if (p.type == mqtt::PacketType::suback) {
        for (const char c : p.reason_codes) {
            app.is_error =
                app.is_error || mqtt::is_failure(v, p.type, static_cast<std::uint8_t>(c));
        }
    } else {
        app.is_error = mqtt::is_failure(v, p.type, p.reason_code);
    }
}

}  // namespace

void Session::protocol_init() {
    if (s_.protocol == Protocol::mqtt) {
        proto_ = std::make_unique<ProtoState>();
        proto_->mqtt.emplace(version_of(s_));
    } else if (s_.protocol == Protocol::stomp) {
        proto_ = std::make_unique<ProtoState>();
        proto_->stomp.emplace();
    } else if (s_.protocol == Protocol::socketio) {
        proto_ = std::make_unique<ProtoState>();  // the watchdog on the server's pings
    }
}

void Session::mqtt_connect(SessionOutput& out) {
    const MqttOptions& o = s_.mqtt;
    std::string client_id, username, password;
    bool ok = o.client_id.render(ctx_, client_id);
    if (o.username) ok = o.username->render(ctx_, username) && ok;
    if (o.password) ok = o.password->render(ctx_, password) && ok;
    if (!ok) ++stats_.template_errors;
    mqtt::ConnectOptions c;
    c.version = version_of(s_);
    c.client_id = client_id;
    c.keepalive_s = static_cast<std::uint16_t>(
        std::chrono::duration_cast<std::chrono::seconds>(o.keepalive).count());
    c.clean_start = o.clean_start;
    if (o.username) c.username = username;
    if (o.password) c.password = password;
    proto_buffer_.clear();
    if (mqtt::encode_connect(proto_buffer_, c) != mqtt::Error::ok) {
        fail("mqtt: the CONNECT does not fit (a field above 65535 bytes)", out);
        return;
    }
    out.send(MessageType::binary, proto_buffer_);
}

void Session::send_keepalive(SessionOutput& out) {
    if (s_.heartbeat) {
        buffer_.clear();
        if (!s_.heartbeat->send.body.render(ctx_, buffer_)) ++stats_.template_errors;
        out.send(s_.heartbeat->send.type, buffer_);
        ++stats_.sent;
        return;
    }
    proto_buffer_.clear();
    if (s_.protocol == Protocol::stomp) {
        stomp::encode_heartbeat(proto_buffer_);
        out.send(MessageType::text, proto_buffer_);
        return;
    }
    mqtt::encode_pingreq(proto_buffer_);
    out.send(MessageType::binary, proto_buffer_);
}

void Session::mqtt_send(const SendStep& send, SessionOutput& out) {
    ProtoState& p = *proto_;
    p.topic.clear();
    if (!send.target.render(ctx_, p.topic)) ++stats_.template_errors;
    std::string& b = buffer_;
    b.clear();
    mqtt::Error e = mqtt::Error::ok;
    if (send.kind == SendKind::mqtt_subscribe) {
        mqtt::SubscribeOptions o;
        o.qos = send.qos;
        e = mqtt::encode_subscribe(b, version_of(s_), packet_id(ctx_.seq), p.topic, o);
    } else {
        p.payload.clear();
        if (!send.body.render(ctx_, p.payload)) ++stats_.template_errors;
        mqtt::Publish pub;
        pub.topic = p.topic;
        pub.payload = p.payload;
        pub.qos = send.qos;
        pub.packet_id = send.qos > 0 ? packet_id(ctx_.seq) : 0;
        pub.retain = send.retain;
        e = mqtt::encode_publish(b, version_of(s_), pub);
    }
    if (e != mqtt::Error::ok) {
        fail("mqtt: " + std::string(mqtt::error_name(e)) + " in a " +
                 (send.kind == SendKind::mqtt_subscribe ? "SUBSCRIBE" : "PUBLISH"),
             out);
        return;
    }
    out.send(MessageType::binary, b);
}

void Session::mqtt_message(const IncomingMessage& msg, const SessionClock& now,
                           SessionOutput& out) {
    using mqtt::PacketType;
    ProtoState& st = *proto_;
    const mqtt::Version v = version_of(s_);
    st.mqtt->feed(msg.payload);
    mqtt::Packet p;
    while (!finished_) {
        const mqtt::Decoder::Status status = st.mqtt->next(p);
        if (status == mqtt::Decoder::Status::need_more) return;
        if (status == mqtt::Decoder::Status::error) {
            const std::string_view field = st.mqtt->error_field();
            fail("mqtt: " + std::string(mqtt::error_name(st.mqtt->error())) +
                     (field.empty() ? "" : " (" + std::string(field) + ")"),
                 out);
            return;
        }
        IncomingMessage app;
        app.type = MessageType::text;
        app.kind = static_cast<std::uint8_t>(p.type);
        switch (p.type) {
            case PacketType::connack:
                if (mqtt::is_failure(v, p.type, p.reason_code) ||
                    (v == mqtt::Version::v311 && p.reason_code != 0)) {
                    fail(
                        "mqtt connack: " + std::string(mqtt::reason_name(v, p.type, p.reason_code)),
                        out);
                    return;
                }
                protocol_ready(now, out);
                continue;
            case PacketType::publish: {
                if (p.qos == 1) {
                    proto_buffer_.clear();
                    mqtt::encode_puback(proto_buffer_, v, p.packet_id);
                    out.send(MessageType::binary, proto_buffer_);
                } else if (p.qos == 2) {
                    proto_buffer_.clear();
                    mqtt::encode_pubrec(proto_buffer_, v, p.packet_id);
                    out.send(MessageType::binary, proto_buffer_);
                }
                publish_view(p, msg, app);
                break;
            }
            case PacketType::puback:
            case PacketType::suback: {
                ack_view(v, p, st.id, app);
                break;
            }
            case PacketType::pubrel:
                proto_buffer_.clear();
                mqtt::encode_pubcomp(proto_buffer_, v, p.packet_id);
                out.send(MessageType::binary, proto_buffer_);
                continue;
            case PacketType::disconnect:
                fail("mqtt: the server sent DISCONNECT: " +
                         std::string(mqtt::reason_name(v, p.type, p.reason_code)),
                     out);
                return;
            default:
                continue;  // PINGRESP, UNSUBACK, PUBREC, PUBCOMP, AUTH
        }
        on_app_message(app, now, out);
    }
}

}  // namespace wsb::scenario
