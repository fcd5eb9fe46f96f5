// A session's protocol state that the header keeps opaque: the stream decoders of MQTT and
// STOMP (packets and frames span WebSocket messages) and the scratch their sends render into.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wsbench/proto/mqtt.hpp"
#include "wsbench/proto/stomp.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::scenario {

struct Session::ProtoState {
    std::optional<mqtt::Decoder> mqtt;
    std::optional<stomp::Decoder> stomp;
    std::string topic;                       ///< mqtt: a publish's or subscribe's rendered topic
    std::string payload;                     ///< a publish's or frame's rendered body
    char id[8] = {};                         ///< mqtt: an incoming ack's packet id as digits
    std::vector<std::string> values;         ///< stomp: a frame's rendered header values
    std::vector<stomp::Header> out_headers;  ///< stomp: the frame's headers, views of those
    std::vector<MessageHeader> in_headers;   ///< stomp: an incoming frame's, for the rules
    /// stomp, socketio: how long the server may stay silent (stomp: twice the heart-beat it
    /// agreed to send; socketio: its pingInterval + pingTimeout; 0: no limit), when it last sent
    /// anything (a heart-beat counts), and the rule in words for the error.
    Nanos peer_silence_limit{0};
    Nanos last_input{0};
    std::string silence_rule;
};

/// How many bytes may be read from `part`, a view the decoder gave: to the end of the message's
/// room when it lies in the message (simdjson reads in place), else only its own (copied).
inline std::size_t capacity_in(const IncomingMessage& msg, std::string_view part) {
    const char* const begin = msg.payload.data();
    const bool inside =
        part.data() >= begin && part.data() + part.size() <= begin + msg.payload.size();
    return inside ? msg.capacity - static_cast<std::size_t>(part.data() - begin) : part.size();
}

}  // namespace wsb::scenario
