// A session's protocol state that the header keeps opaque: MQTT's stream decoder (packets
// span WebSocket messages) and the scratch its sends render into.
#pragma once

#include <string>

#include "wsbench/proto/mqtt.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::scenario {

struct Session::ProtoState {
    explicit ProtoState(mqtt::Version v) : decoder(v) {}
    mqtt::Decoder decoder;
    std::string topic;    ///< a publish's or subscribe's rendered topic
    std::string payload;  ///< a publish's rendered payload
    char id[8] = {};      ///< an incoming ack's packet id as digits
};

}  // namespace wsb::scenario
