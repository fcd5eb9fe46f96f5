// The protocol under a session's steps (issue 15): the dispatch for every protocol, the
// handshake's start and end, a server's close named, and two protocols in full (MQTT and STOMP
// are in session_mqtt.cpp and session_stomp.cpp).
// - socketio: Socket.IO v5 over Engine.IO v4, the client side of its handshake (Engine.IO open,
//   then the namespace connect with `auth`), its pings answered, emits framed as event packets
//   with an ack id when asked, incoming events and acks handed to the rules with the arguments
//   as the payload.
// - graphql-ws: connection_init, the steps on connection_ack, pings answered, operations sent
//   as subscribe messages with ids "NAME:SEQ", their results handed to the rules by operation.
#include "session_proto_state.hpp"
#include "wsbench/proto/graphql_ws.hpp"
#include "wsbench/proto/mqtt.hpp"
#include "wsbench/proto/socketio.hpp"
#include "wsbench/proto/stomp.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::scenario {
namespace {

constexpr std::size_t kJsonPadding = 64;  // what simdjson may read past a message's end

// The message the rules see for an event or an ack: its arguments as an array. An event's
// `["name",a,b]` becomes `[a,b]` in place when the caller allows (the byte before the first
// argument turns into '['), else in `copy` with simdjson's padding; an ack's data is its
// arguments already. False when an event's data is not ["name", ...].
bool socketio_view(const IncomingMessage& msg, const socketio::Packet& p, std::string& copy,
                   IncomingMessage& app) {
    app.type = MessageType::text;
    app.kind = static_cast<std::uint8_t>(p.sio);
    app.id = p.id_text;
    const auto data_at = static_cast<std::size_t>(p.data.data() - msg.payload.data());
    if (p.sio != socketio::SioType::event) {
        app.payload = msg.payload.substr(data_at);
        app.capacity = msg.capacity - data_at;
        return true;
    }
    std::size_t args_at = 0;
    if (!socketio::split_event(p.data, app.event, args_at)) return false;
    const std::size_t from = data_at + args_at - 1;
    const std::size_t size = msg.payload.size() - from;
    if (msg.writable) {
        char* bytes = const_cast<char*>(msg.payload.data());  // NOLINT: the caller allowed it
        bytes[from] = '[';
        app.payload = std::string_view(bytes + from, size);
        app.capacity = msg.capacity - from;
    } else {
        copy.reserve(size + kJsonPadding);
        copy.assign(1, '[');
        copy.append(msg.payload.data() + from + 1, size - 1);
        app.payload = copy;
        app.capacity = copy.capacity();
    }
    return true;
}

}  // namespace

void Session::protocol_start(const SessionClock& now, SessionOutput& out) {
    wait_ = Wait::handshake;
    handshake_deadline_ = now.mono + kHandshakeTimeout;
    if (s_.protocol == Protocol::graphql_ws) {
        // graphql-ws: the client speaks first; Socket.IO: the server (its open packet).
        proto_buffer_.clear();
        std::string params;
        if (s_.graphql.connection_params && !s_.graphql.connection_params->render(ctx_, params)) {
            ++stats_.template_errors;
        }
        graphql_ws::encode_connection_init(proto_buffer_, params);
        out.send(MessageType::text, proto_buffer_);
    } else if (s_.protocol == Protocol::mqtt) {
        mqtt_connect(out);
    } else if (s_.protocol == Protocol::stomp) {
        stomp_connect(out);
    }
}

void Session::protocol_ready(const SessionClock& now, SessionOutput& out) {
    if (wait_ != Wait::handshake) return;
    proto_ready_ = true;
    wait_ = Wait::none;
    handshake_deadline_ = kNever;
    run(now, out);
}

void Session::on_peer_close(std::uint16_t code, std::string_view reason) {
    if (finished_ || s_.protocol == Protocol::raw) return;
    std::string what = std::string(to_string(s_.protocol)) +
                       ": the server closed the connection: " + std::to_string(code);
    if (s_.protocol == Protocol::graphql_ws) {
        const std::string_view name = graphql_ws::close_code_name(code);
        if (!name.empty()) what += " " + std::string(name);
    }
    if (!reason.empty()) what += " '" + std::string(reason.substr(0, 60)) + "'";
    stats_.count_error(what);
    failed_ = true;
    finished_ = true;
    pending_.clear();
}

void Session::protocol_send(const SendStep& send, SessionOutput& out) {
    if (send.kind == SendKind::stomp_frame) {
        stomp_send(send, out);
        return;
    }
    if (send.kind == SendKind::mqtt_subscribe || send.kind == SendKind::mqtt_publish) {
        mqtt_send(send, out);
        return;
    }
    std::string& b = buffer_;
    b.clear();
    if (send.kind == SendKind::operation) {
        // graphql-ws: {"id":"NAME:SEQ","type":"subscribe","payload":{"query":...}}
        b += "{\"id\":\"";
        b += send.operation;
        b += ':';
        b += std::to_string(ctx_.seq);
        b += "\",\"type\":\"subscribe\",\"payload\":";
        if (!send.body.render(ctx_, b)) ++stats_.template_errors;
        b += '}';
        out.send(MessageType::text, b);
        return;
    }
    // Socket.IO: 42[nsp,][id]["event",args...]
    socketio::append_event_start(b, s_.socketio.nsp,
                                 send.ack ? static_cast<std::int64_t>(ctx_.seq) : -1);
    b += send.event;
    const std::size_t mark = b.size();
    b += ',';
    if (!send.body.render(ctx_, b)) ++stats_.template_errors;
    if (b.size() == mark + 1) b.pop_back();  // no arguments
    b += ']';
    out.send(MessageType::text, b);
}

void Session::protocol_finish(SessionOutput& out) {
    if (!proto_ready_) return;
    proto_buffer_.clear();
    if (s_.protocol == Protocol::socketio) {
        // Leaving the namespace before the close, as Socket.IO's client does.
        socketio::append_disconnect(proto_buffer_, s_.socketio.nsp);
        out.send(MessageType::text, proto_buffer_);
    } else if (s_.protocol == Protocol::mqtt) {
        mqtt::encode_disconnect(proto_buffer_,
                                s_.mqtt.version == 5 ? mqtt::Version::v5 : mqtt::Version::v311);
        out.send(MessageType::binary, proto_buffer_);
    } else if (s_.protocol == Protocol::stomp) {
        stomp::encode_frame(proto_buffer_, "DISCONNECT", {});
        out.send(MessageType::text, proto_buffer_);
    }
}

void Session::protocol_message(const IncomingMessage& msg, const SessionClock& now,
                               SessionOutput& out) {
    if (proto_) proto_->last_input = now.mono;
    if (s_.protocol == Protocol::graphql_ws) {
        graphql_message(msg, now, out);
    } else if (s_.protocol == Protocol::mqtt) {
        mqtt_message(msg, now, out);
    } else if (s_.protocol == Protocol::stomp) {
        stomp_message(msg, now, out);
    } else {
        socketio_message(msg, now, out);
    }
}

void Session::graphql_message(const IncomingMessage& msg, const SessionClock& now,
                              SessionOutput& out) {
    using graphql_ws::Type;
    graphql_ws::Message m;
    const graphql_ws::Errc e = graphql_ws::decode(msg.payload, m);
    if (e != graphql_ws::Errc::ok) {
        fail("graphql-ws: " + std::string(graphql_ws::to_string(e)), out);
        return;
    }
    switch (m.type) {
        case Type::connection_ack:
            protocol_ready(now, out);
            return;
        case Type::ping:
            proto_buffer_.clear();
            graphql_ws::encode_pong(proto_buffer_);
            out.send(MessageType::text, proto_buffer_);
            return;
        case Type::pong:
        case Type::complete:  // the end of an operation: its results were counted as they came
            return;
        case Type::next:
        case Type::error:
            break;
        default:
            fail("graphql-ws: an unexpected " + std::string(m.type_text) + " message", out);
            return;
    }
    // The rules see the payload; the operation is the id's prefix (ids are "NAME:SEQ").
    IncomingMessage app;
    app.type = MessageType::text;
    app.kind = static_cast<std::uint8_t>(m.type);
    app.id = m.id;
    const std::size_t colon = m.id.rfind(':');
    app.event = colon == std::string_view::npos ? m.id : m.id.substr(0, colon);
    app.is_error = m.type == Type::error;
    const auto at = static_cast<std::size_t>(m.payload.data() - msg.payload.data());
    app.payload = m.payload;
    app.capacity = m.payload.empty() ? 0 : msg.capacity - at;
    on_app_message(app, now, out);
}

// The Engine.IO open packet: the watchdog's limit from its pingInterval + pingTimeout (a
// server that sends nothing, its pings included, for that long is gone; values past a day are
// no watchdog, and would overflow in nanoseconds), then the namespace connect with `auth`.
void Session::socketio_open(std::string_view json, const SessionClock& now, SessionOutput& out) {
    constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
    socketio::OpenInfo info;
    if (socketio::parse_open(json, info) && info.ping_interval_ms > 0 && info.ping_timeout_ms > 0 &&
        info.ping_interval_ms <= kDayMs && info.ping_timeout_ms <= kDayMs) {
        proto_->peer_silence_limit =
            std::chrono::milliseconds(info.ping_interval_ms + info.ping_timeout_ms);
        proto_->silence_rule = "its pingInterval + pingTimeout (" +
                               std::to_string(info.ping_interval_ms) + " + " +
                               std::to_string(info.ping_timeout_ms) + " ms)";
    }
    proto_buffer_.clear();
    socketio::append_connect(proto_buffer_, s_.socketio.nsp, {});
    if (s_.socketio.auth) {
        sync_context(now);
        if (!s_.socketio.auth->render(ctx_, proto_buffer_)) ++stats_.template_errors;
    }
    out.send(MessageType::text, proto_buffer_);
}

void Session::socketio_message(const IncomingMessage& msg, const SessionClock& now,
                               SessionOutput& out) {
    using socketio::EioType;
    using socketio::SioType;
    if (msg.type != MessageType::text) {
        fail("socketio: a binary message (attachments are not supported)", out);
        return;
    }
    socketio::Packet p;
    std::string_view error;
    if (!socketio::decode(msg.payload, p, error)) {
        fail("socketio: " + std::string(error), out);
        return;
    }
    switch (p.eio) {
        case EioType::open:
            socketio_open(p.data, now, out);
            return;
        case EioType::ping:
            proto_buffer_.clear();
            socketio::append_pong(proto_buffer_, p.data);
            out.send(MessageType::text, proto_buffer_);
            return;
        case EioType::close:
            fail("socketio: the server closed the Engine.IO session", out);
            return;
        case EioType::message:
            break;
        default:
            return;  // pong, upgrade, noop
    }
    if (p.nsp != s_.socketio.nsp) {
        ++stats_.unmatched;  // another namespace's packet: not this session's
        return;
    }
    switch (p.sio) {
        case SioType::connect:
            protocol_ready(now, out);
            return;
        case SioType::connect_error:
            fail("socketio connect_error: " + std::string(socketio::connect_error_message(p.data)),
                 out);
            return;
        case SioType::disconnect:
            fail("socketio: the server disconnected namespace " + std::string(p.nsp), out);
            return;
        case SioType::binary_event:
        case SioType::binary_ack:
            fail("socketio: a binary event (attachments are not supported)", out);
            return;
        case SioType::event:
        case SioType::ack:
            break;
    }
    IncomingMessage app;
    if (!socketio_view(msg, p, proto_buffer_, app)) {
        fail("socketio: an event whose data is not [\"name\", ...]", out);
        return;
    }
    on_app_message(app, now, out);
}

bool Session::server_silent(const SessionClock& now, SessionOutput& out) {
    const ProtoState& st = *proto_;
    if (st.peer_silence_limit.count() == 0 || now.mono - st.last_input < st.peer_silence_limit) {
        return false;
    }
    fail(std::string(to_string(s_.protocol)) + ": nothing from the server for " +
             std::to_string((now.mono - st.last_input).count() / 1'000'000) + " ms, " +
             st.silence_rule,
         out);
    return true;
}

const char* to_string(Protocol p) {
    switch (p) {
        case Protocol::raw:
            return "raw";
        case Protocol::socketio:
            return "socketio";
        case Protocol::graphql_ws:
            return "graphql-ws";
        case Protocol::mqtt:
            return "mqtt";
        case Protocol::stomp:
            return "stomp";
    }
    return "?";
}

std::string Scenario::handshake_target(const std::string& url_target) const {
    if (protocol != Protocol::socketio) return url_target;
    std::string t = socketio.path + "?EIO=4&transport=websocket";
    const std::size_t q = url_target.find('?');
    if (q != std::string::npos && q + 1 < url_target.size()) t += "&" + url_target.substr(q + 1);
    return t;
}

}  // namespace wsb::scenario
