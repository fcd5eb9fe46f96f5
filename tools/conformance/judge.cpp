// Autobahn's two verdicts from an Observation, in its order of judgement (see judge.hpp).
#include "conformance/judge.hpp"

#include <algorithm>
#include <sstream>

#include "wsbench/utf8.hpp"

namespace wsb::conformance {

bool same_events(const EventList& a, const EventList& b, bool length_only) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Event& x = a[i];
        const Event& y = b[i];
        if (x.kind != y.kind) return false;
        if (x.kind == Event::Kind::message) {
            if (x.binary != y.binary || x.length != y.length) return false;
            if (!length_only && x.payload != y.payload) return false;
        } else if (x.payload != y.payload) {
            return false;
        }
    }
    return true;
}

namespace {

std::string show_payload(const std::string& p, std::uint64_t length) {
    std::string shown = p.substr(0, 64);
    std::string out;
    if (is_valid_utf8(shown) ||
        validate_utf8(shown.data(), shown.size()) == Utf8Status::incomplete) {
        out = "'" + shown + "'";
    } else {
        static const char* hex = "0123456789abcdef";
        out = "0x";
        for (unsigned char c : shown) {
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (length > shown.size()) out += "... (" + std::to_string(length) + " bytes)";
    return out;
}

}  // namespace

std::string describe(const EventList& events, std::size_t max_chars) {
    std::ostringstream s;
    s << "[";
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        if (i) s << ", ";
        switch (e.kind) {
            case Event::Kind::message:
                s << (e.binary ? "binary " : "text ") << show_payload(e.payload, e.length);
                break;
            case Event::Kind::pong:
                s << "pong " << show_payload(e.payload, e.length);
                break;
            case Event::Kind::timeout:
                s << "timeout " << e.payload;
                break;
            case Event::Kind::mark:
                s << e.payload;
                break;
        }
        if (static_cast<std::size_t>(s.tellp()) > max_chars) {
            s << ", ... (" << events.size() << " events)";
            break;
        }
    }
    s << "]";
    return s.str();
}

namespace {

/// The endpoints by role in the verdict texts: against a server we are "the runner"; serving a
/// client under test, "the server".
const char* me_of(const Observation& obs) { return obs.served ? "the server" : "the runner"; }
const char* peer_of(const Observation& obs) { return obs.served ? "the client" : "the server"; }

/// behavior: the received events against each expected list, OK before NON-STRICT.
void judge_events(const CaseSpec& spec, const Observation& obs, Verdict& v) {
    v.result = "Actual events differ from any expected: received " + describe(obs.received) + ".";
    for (const auto& [behavior, events] : spec.expected) {
        if (same_events(obs.received, events, spec.performance)) {
            v.behavior = behavior;
            v.result = "Actual events match at least one expected.";
            break;
        }
    }
}

/// behaviorClose: the first rule that applies wins.
void judge_close(const CaseSpec& spec, const Observation& obs, Verdict& v) {
    const char* me = me_of(obs);
    const char* peer = peer_of(obs);
    const ExpectedClose& ec = spec.expected_close;
    auto codes_text = [&] {
        std::string t;
        for (std::uint16_t c : ec.codes) t += (t.empty() ? "" : ",") + std::to_string(c);
        return t;
    };
    if (ec.closed_by_me != obs.closed_by_me) {
        v.behavior_close = CloseBehavior::failed;
        v.result_close = std::string("The connection was failed by the wrong endpoint (expected ") +
                         (ec.closed_by_me ? me : peer) + " to close first).";
    } else if (ec.require_clean && !obs.was_clean) {
        v.behavior_close = CloseBehavior::unclean;
        v.result_close =
            "The spec requires the connection to be closed cleanly here" +
            (obs.not_clean_reason.empty() ? std::string() : " (" + obs.not_clean_reason + ")") +
            ".";
    } else if (obs.remote_close_code && std::find(ec.codes.begin(), ec.codes.end(),
                                                  *obs.remote_close_code) == ec.codes.end()) {
        v.behavior_close = CloseBehavior::wrong_code;
        v.result_close = "The close code should have been " + codes_text() + " or empty, was " +
                         std::to_string(*obs.remote_close_code) + ".";
    } else if (obs.dropped_by_me) {
        v.behavior_close = CloseBehavior::failed_by_client;
        // Autobahn's words against a server; serving, the server drops TCP after every
        // closing handshake (§7.1.1), so dropping it here means the client did not answer.
        v.result_close = obs.served ? "The client did not answer the server's close frame in "
                                      "time, so the server dropped the TCP connection."
                                    : "It is preferred that the server close the TCP connection.";
    } else {
        v.behavior_close = CloseBehavior::ok;
        v.result_close = "Connection was properly closed.";
    }
}

/// The rules of particular cases, applied over the two verdicts in this order.
void apply_case_rules(const CaseSpec& spec, const Observation& obs, Verdict& v) {
    const ExpectedClose& ec = spec.expected_close;
    // The 6.x UTF-8 cases: closing by the wrong endpoint means the server did not detect the
    // invalid text at all.
    if (ec.wrong_endpoint_fatal && ec.closed_by_me != obs.closed_by_me) {
        v.behavior = Behavior::failed;
        v.result = std::string(obs.served ? "The client" : "The server") +
                   " did not fail the connection (it was closed by " + me_of(obs) + ").";
    }
    // Section 7: a wrong close code is a failed behaviour too.
    if (spec.close_code_in_behavior && v.behavior_close == CloseBehavior::wrong_code) {
        v.behavior = Behavior::failed;
        v.result = v.result_close;
    }
    if (spec.verify && v.behavior != Behavior::failed) {
        std::string why;
        if (!spec.verify(obs, why)) {
            v.behavior = Behavior::failed;
            v.result = why;
        }
    }
    if (spec.informational) {
        v.behavior = Behavior::informational;
        v.behavior_close = CloseBehavior::informational;
        v.result = "Informational: received " + describe(obs.received) + ".";
        v.result_close =
            "Informational: remote close code " +
            (obs.remote_close_code ? std::to_string(*obs.remote_close_code) : std::string("none")) +
            ".";
    }
    if (spec.handshake) {
        Behavior b = Behavior::failed;
        std::string why;
        const bool upgraded = spec.handshake->judge(obs, b, why);
        if (!upgraded) {
            v.behavior = b;
            v.result = why;
            v.behavior_close = CloseBehavior::ok;
            v.result_close = "No WebSocket connection was opened, so there was none to close.";
        } else if (b != Behavior::ok && v.behavior != Behavior::failed) {
            v.behavior = b;
            v.result = why;
        }
    }
    // Sections 12-13: a server that declines every permessage-deflate offer does not implement
    // the extension; Autobahn reports UNIMPLEMENTED and closes at once.
    if (!spec.deflate_offers.empty() && !obs.deflate_negotiated) {
        v.behavior = Behavior::unimplemented;
        v.result = std::string(obs.served ? "The client" : "The server") +
                   " did not accept the permessage-deflate offer.";
    }
    if (obs.interrupted && !spec.informational) {
        v.behavior = Behavior::failed;
        v.result = "Interrupted before the case finished.";
    }
}

}  // namespace

Verdict judge(const CaseSpec& spec, const Observation& obs) {
    Verdict v;
    if (!obs.handshake_done && !spec.handshake) {
        v.behavior = Behavior::failed;
        v.behavior_close = CloseBehavior::failed;
        v.result = "The opening handshake was never completed" +
                   (obs.handshake_error.empty() ? std::string() : ": " + obs.handshake_error) + ".";
        v.result_close = v.result;
        return v;
    }

    judge_events(spec, obs, v);
    judge_close(spec, obs, v);
    apply_case_rules(spec, obs, v);
    return v;
}

bool is_failure(const Verdict& v, bool strict) noexcept {
    return report::fails(v.behavior, v.behavior_close, strict);
}

}  // namespace wsb::conformance
