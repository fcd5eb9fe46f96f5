// A conformance case as data: id, description, expectation, what it sends (a small function
// over CaseContext) and what it expects, in the shape of the Autobahn testsuite's cases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wsbench/deflate.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/report/conformance.hpp"

namespace wsb {
struct ServerHandshakeInfo;
}

namespace wsb::conformance {

/// One thing the runner observed that the case compares with its expectation (Autobahn's
/// `received` list): a message, a pong, or a timeout mark the case inserted itself.
struct Event {
    enum class Kind : std::uint8_t { message, pong, timeout, mark };
    Kind kind = Kind::message;
    std::string payload;       ///< message or pong payload; the tag of a timeout mark
    bool binary = false;       ///< messages: binary (true) or text
    std::uint64_t length = 0;  ///< payload size; the only thing kept when payloads are not stored

    static Event text(std::string p) { return {Kind::message, p, false, p.size()}; }
    static Event bin(std::string p) { return {Kind::message, p, true, p.size()}; }
    static Event pong(std::string p) { return {Kind::pong, p, false, p.size()}; }
    static Event timeout(std::string tag) { return {Kind::timeout, tag, false, 0}; }
    static Event mark(std::string tag) { return {Kind::mark, tag, false, 0}; }
};

using EventList = std::vector<Event>;

/// True when `a` and `b` are the same ordered events; with `length_only`, message payloads
/// compare by size and type only (Autobahn's 9.x performance cases).
bool same_events(const EventList& a, const EventList& b, bool length_only = false);

/// How the connection must end (Autobahn's expectedClose).
struct ExpectedClose {
    bool closed_by_me = true;                ///< the runner starts the closing handshake
    std::vector<std::uint16_t> codes{1000};  ///< close codes the server may send
    bool require_clean = true;               ///< both close frames exchanged, server dropped TCP
    bool wrong_endpoint_fatal = false;       ///< closing by the wrong side fails `behavior` too
};

/// How a frame goes on the wire (Autobahn's sendFrame options).
struct SendOptions {
    bool fin = true;
    unsigned rsv = 0;             ///< 3 bits: 4 = RSV1, 2 = RSV2, 1 = RSV3
    std::size_t chop = 0;         ///< write the frame in pieces of this many bytes, each alone
    bool sync = false;            ///< write the frame alone (frame-wise chops)
    std::uint64_t repeat_to = 0;  ///< repeat the payload cyclically up to this length
    bool masked = true;           ///< a client masks every frame (§5.3); M.x cases do not
};

/// What a case can do on its connection; the runner's Session implements it. Every method is
/// called from the connection's own event loop thread.
class CaseContext {
  public:
    virtual ~CaseContext() = default;
    /// Sends one raw frame: any opcode, RSV bits, FIN, length, chopped as asked.
    virtual void send_frame(std::uint8_t opcode, const std::string& payload,
                            const SendOptions& options = {}) = 0;
    /// Sends a data message, split into frames of `fragment_size` bytes when not 0.
    virtual void send_message(bool binary, const std::string& payload,
                              std::size_t fragment_size = 0, bool sync = false) = 0;
    /// Writes raw bytes as one write (a frame header announcing a payload sent later).
    virtual void send_raw(const std::string& bytes) = 0;
    /// Starts the closing handshake with `code` (none: an empty close payload).
    virtual void send_close(std::optional<std::uint16_t> code, const std::string& reason = {}) = 0;
    /// Fails the connection (close 1001 "Going Away") if still open after `seconds` (scaled).
    virtual void kill_after(double seconds) = 0;
    /// Sends an empty close if still open after `seconds` (scaled).
    virtual void close_after(double seconds) = 0;
    /// Runs `step` after `seconds` (not scaled: part of the case's design) if still open.
    virtual void continue_later(double seconds, std::function<void()> step) = 0;
    /// Appends an event of the case's own (a timeout mark) to the received list.
    virtual void record(Event e) = 0;
    /// Events received so far.
    virtual const EventList& received() const = 0;
    /// A counter of the connection's own, 0 at open, for cases that keep state (9.7 counts
    /// round trips); the CaseSpec itself is shared and immutable.
    virtual std::uint64_t& counter() = 0;
    /// True when our frames must be masked: we are the client (testing a server). False in
    /// serve mode (testing a client), for cases that build frames by hand for send_raw().
    virtual bool masks_frames() const { return true; }
    /// Sections 12-13: true when the peer accepted one of the case's permessage-deflate
    /// offers (CaseSpec::deflate_offers).
    virtual bool deflate_negotiated() const { return false; }
    /// Sections 12-13: sends a data message compressed with the negotiated permessage-deflate
    /// (RFC 7692 §7.2.1), RSV1 on its first frame, the compressed payload split into frames
    /// of `fragment_size` octets (0: one frame). Does nothing when none was negotiated.
    virtual void send_compressed(bool binary, const std::uint8_t* data, std::size_t size,
                                 std::size_t fragment_size) {
        (void)binary, (void)data, (void)size, (void)fragment_size;
    }
};

/// Autobahn's `behavior` and `behaviorClose` words: the report model's (one definition, shared
/// with wsbench-report).
using Behavior = report::Behavior;
using CloseBehavior = report::CloseBehavior;
using report::to_string;

struct Observation;

/// The opening handshake of a letter-section case (H.x) that bends the request.
struct HandshakeProbe {
    /// Builds the request head from the URL's host, authority, resource and a fresh key.
    std::function<std::string(const std::string& authority, const std::string& resource,
                              const std::string& key)>
        request;
    std::size_t chop = 0;  ///< write the request in pieces of this many bytes
    /// Judges the response (status 0: none came): sets behavior and a text; returns true when
    /// the connection goes on as a WebSocket (101 expected and received).
    std::function<bool(const Observation& obs, Behavior& behavior, std::string& result)> judge;
};

/// One case. `on_open` runs when the connection is open; `on_message` (optional) sees every
/// message before it is recorded and may send (9.7 round trips); return false to not record.
struct CaseSpec {
    std::string id;           ///< "1.1.1", "H.1.1"
    std::string description;  ///< what is sent
    std::string expectation;  ///< what a conformant server does
    std::function<void(CaseContext&)> on_open;
    std::function<bool(CaseContext&, const Event&)> on_message;
    std::map<Behavior, EventList> expected;  ///< OK and maybe NON-STRICT
    ExpectedClose expected_close;
    bool informational = false;  ///< 7.1.6, 7.13.x: both verdicts INFORMATIONAL
    bool performance = false;    ///< 9.x: run apart, compare lengths only, keep no wire log
    bool close_code_in_behavior = false;      ///< section 7: WRONG CODE fails `behavior` too
    std::optional<HandshakeProbe> handshake;  ///< H.x: a bent opening handshake
    std::function<bool(const Observation&, std::string&)> verify;  ///< extra check after the run
    /// Serve mode only (C.x): the response head to send instead of a correct 101, built from
    /// the client's request (its accept key, the subprotocols and extensions it offered); a
    /// client MUST fail such a connection (§4.1) or not take it as open at all (non-101).
    std::function<std::string(const ServerHandshakeInfo& request)> serve_response;
    /// Sections 12-13: the permessage-deflate elements offered, in order of preference (one
    /// Sec-WebSocket-Extensions value); empty: none. UNIMPLEMENTED when none is accepted.
    std::vector<DeflateOffer> deflate_offers;
};

/// Every case, in Autobahn's order (1-13), then the letter sections.
const std::vector<CaseSpec>& all_cases();

// Section tables (cases/<section>.cpp), appended to `out` in order.
void add_section1(std::vector<CaseSpec>& out);
void add_section2(std::vector<CaseSpec>& out);
void add_section3(std::vector<CaseSpec>& out);
void add_section4(std::vector<CaseSpec>& out);
void add_section5(std::vector<CaseSpec>& out);
void add_section6(std::vector<CaseSpec>& out);
void add_section7(std::vector<CaseSpec>& out);
void add_section9(std::vector<CaseSpec>& out);
void add_section10(std::vector<CaseSpec>& out);
void add_section12(std::vector<CaseSpec>& out);
void add_section13(std::vector<CaseSpec>& out);
void add_section_handshake(std::vector<CaseSpec>& out);
void add_section_masking(std::vector<CaseSpec>& out);

/// Section M with its texts for the role wsbench plays: Role::client (the table above, its
/// frames unmasked) or Role::server (serve mode, where Session masks them instead, §5.1).
std::vector<CaseSpec> masking_cases(Role ours);

/// The section of a case id: "1.1.1" -> "1", "H.2.1" -> "H".
std::string section_of(const std::string& id);

/// Compares case ids numerically part by part ("1.1.10" after "1.1.9"); letters after numbers
/// (report::case_id_less, the order wsbench-report uses too).
inline bool id_less(const std::string& a, const std::string& b) {
    return report::case_id_less(a, b);
}

}  // namespace wsb::conformance
