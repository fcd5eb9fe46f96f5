// What the runner observed on one case's connection, and the verdicts Autobahn would give
// (behavior and behaviorClose), in its order of judgement. Pure: no sockets, unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conformance/case.hpp"

namespace wsb::conformance {

/// One line of the bounded wire log: what went out or came in, when.
struct WireEntry {
    double t_ms = 0;   ///< since the TCP connection was established
    std::string dir;   ///< "TX" octets sent, "RX" received, "TF"/"RF" frames, "EV" runner events
    std::string text;  ///< frame summary or hex of the octets (cut)
};

/// Everything the runner saw on the connection of one case.
struct Observation {
    bool connected = false;       ///< TCP connected
    std::string connect_error;    ///< why not ("connection refused")
    bool handshake_done = false;  ///< 101 received and checked: the WebSocket is open
    std::string handshake_error;  ///< why the opening handshake failed
    int http_status = 0;          ///< status of the handshake response; 0 when none came
    std::string http_request;     ///< the request head as sent
    std::string http_response;    ///< the response head as received
    std::vector<std::pair<std::string, std::string>> response_headers;

    EventList received;  ///< messages, pongs, timeout marks, in order

    bool closed_by_me = false;   ///< we sent the first close frame
    bool failed_by_me = false;   ///< we failed the connection (protocol error, kill timer)
    bool dropped_by_me = false;  ///< we closed TCP
    bool close_sent = false;
    bool close_received = false;
    bool peer_dropped_tcp = false;  ///< FIN or RST from the server
    bool reset_by_peer = false;     ///< ...and it was a RST
    bool was_clean = false;
    std::string not_clean_reason;
    std::optional<std::uint16_t> local_close_code;
    std::string local_close_reason;
    std::optional<std::uint16_t> remote_close_code;
    std::string remote_close_reason;
    std::string protocol_error;       ///< what the server sent that broke RFC 6455, if anything
    bool deflate_negotiated = false;  ///< sections 12-13: the server accepted an offer
    bool interrupted = false;         ///< the run was stopped (SIGINT) during this case
    /// Serve mode: we were the server and the peer a client under test, so texts about the
    /// connection name "the server" for us and "the client" for the peer.
    bool served = false;

    double duration_ms = 0;   ///< WebSocket open to TCP close (Autobahn's duration)
    double handshake_ms = 0;  ///< TCP connect to 101
    std::vector<WireEntry> wire_log;
    std::uint64_t wire_log_dropped = 0;  ///< entries left out to bound the log
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
};

/// The verdicts of one case with Autobahn's human texts.
struct Verdict {
    Behavior behavior = Behavior::failed;
    CloseBehavior behavior_close = CloseBehavior::failed;
    std::string result;        ///< why `behavior`
    std::string result_close;  ///< why `behavior_close`
};

/// Judges `obs` against `spec` the way Autobahn does (reference §2): behavior from the
/// received events against each expected list (OK first), behaviorClose by the first rule
/// that applies: handshake never completed, closed by the wrong endpoint, not clean when
/// required, wrong close code, dropped by us; then the section 7 and 6.x amendments, and
/// INFORMATIONAL for informational cases. Handshake probes (H.x) judge themselves.
Verdict judge(const CaseSpec& spec, const Observation& obs);

/// True when `v` fails a run: FAILED, WRONG CODE, UNCLEAN, FAILED BY CLIENT in either column;
/// with `strict`, NON-STRICT too. UNIMPLEMENTED passes (nothing in 1-10 can be).
bool is_failure(const Verdict& v, bool strict) noexcept;

/// Human text of an event list, payloads cut to 64 bytes (hex when not UTF-8).
std::string describe(const EventList& events, std::size_t max_chars = 1000);

}  // namespace wsb::conformance
