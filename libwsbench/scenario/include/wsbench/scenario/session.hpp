// One session of a scenario as a pure state machine: it runs the compiled step program,
// told the time and the incoming messages, and answers with sends and a close through an
// output interface. No socket and no clock: the load generator's worker owns those (wiring
// it into the workers is the next part of issue 14).
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wsbench/histogram.hpp"
#include "wsbench/scenario/model.hpp"

namespace wsb::scenario {

/// Counters and latencies of one report name (an expect's or a listen rule's).
struct StepStats {
    std::uint64_t count = 0;             ///< matched replies (expect) or messages (listen)
    std::uint64_t timeouts = 0;          ///< expects that saw no match within their timeout
    std::uint64_t capture_errors = 0;    ///< a capture that found nothing in the match
    std::uint64_t timestamp_errors = 0;  ///< listen: no integer at sent_at
    std::uint64_t protocol_errors = 0;   ///< a protocol's error reply (graphql-ws: error)
    std::uint64_t unmatched = 0;  ///< taken by nothing while this expect was the oldest waiting
    Histogram latency_us;         ///< from the intended send time (corrected)
    Histogram latency_uncorrected_us;  ///< from the actual send time
};

/// The statistics of the sessions of one worker, names as Scenario::step_names().
struct ScenarioStats {
    explicit ScenarioStats(const Scenario& s);

    std::vector<std::string> names;
    std::vector<StepStats> steps;            ///< by name index
    std::vector<std::uint32_t> expect_name;  ///< program index -> name index
    std::vector<std::uint32_t> listen_name;  ///< listen rule -> name index
    std::uint64_t sent = 0;                  ///< messages sent (heartbeats included)
    std::uint64_t received = 0;              ///< messages received
    std::uint64_t unmatched = 0;             ///< received, taken by no expect or rule
    std::uint64_t template_errors = 0;       ///< renders that failed (bad arithmetic)
    /// Sessions ended by a protocol error, by its description ("socketio connect_error: Not
    /// authorized"); at most kMaxErrorNames names, the rest under "other".
    std::vector<std::pair<std::string, std::uint64_t>> errors;
    static constexpr std::size_t kMaxErrorNames = 32;
    void count_error(std::string_view what);
    /// When set, every latency recorded (corrected) also goes to (*interval)[name index]: the
    /// worker's histograms of the current progress interval, which it swaps.
    std::vector<Histogram>* interval = nullptr;
};

/// The time as a session sees it: monotonic for latency and schedules, wall clock for
/// {{now_ms}}, {{now_us}} and sent_at.
struct SessionClock {
    Nanos mono{0};
    std::int64_t wall_us = 0;
};

/// Where a session's actions go (the worker's connection).
class SessionOutput {
  public:
    virtual ~SessionOutput() = default;
    virtual void send(MessageType type, std::string_view payload) = 0;
    virtual void close(std::uint16_t code, std::string_view reason) = 0;
};

/// One session: start(), then on_message() for every incoming message and on_time() once
/// the time reaches next_wakeup(). Expects outside a rate loop wait; inside one they stay
/// outstanding while the loop goes on, and each reply goes to the oldest one it matches.
class Session {
  public:
    static constexpr Nanos kNever = Nanos::max();

    Session(const Scenario& s, ScenarioStats& stats, JsonScratch& js, std::uint64_t conn_id,
            std::uint64_t session_id, std::uint64_t seed);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start(const SessionClock& now, SessionOutput& out);
    void on_message(const IncomingMessage& msg, const SessionClock& now, SessionOutput& out);
    void on_time(const SessionClock& now, SessionOutput& out);
    /// The server closed the WebSocket (`code`, `reason` from its close frame; 1005 without
    /// one). Under a protocol a session that had not finished fails with a named error
    /// ("graphql-ws: the server closed the connection: 4403 Forbidden"); raw sessions are
    /// unaffected (the connection's end is counted by the caller).
    void on_peer_close(std::uint16_t code, std::string_view reason);

    /// When on_time is next due (kNever: only a message can move the session on).
    Nanos next_wakeup() const;
    /// The session ended: its program ran out, a close step, or a protocol error (failed()).
    bool finished() const noexcept { return finished_; }
    /// It ended on a protocol error (counted in ScenarioStats::errors).
    bool failed() const noexcept { return failed_; }
    /// How long a protocol's handshake (socketio: Engine.IO open and namespace connect) may
    /// take before the session fails.
    static constexpr Nanos kHandshakeTimeout = std::chrono::seconds(10);
    std::size_t outstanding() const noexcept { return pending_.size(); }
    /// Renders `t` with this session's context (conn.id, session.id, data row, vars once
    /// started): the handshake's headers. False when the render failed (counted).
    bool render(const Template& t, const SessionClock& now, std::string& out);
    /// The vars and captures, by slot (Scenario::slots).
    const std::vector<std::string>& slots() const noexcept { return slots_; }

  private:
    enum class Wait : std::uint8_t { none, until, expect, drain, handshake };
    struct Pending {
        std::uint32_t step = 0;
        std::uint32_t name = 0;
        bool blocking = false;
        Nanos deadline{0};
        Nanos sent_intended{0};
        Nanos sent_actual{0};
        BoundValues bound;
    };
    struct LoopFrame {
        std::uint32_t begin = 0;
        std::uint64_t iterations = 0;
        Nanos start{0};
        Nanos intended{0};  ///< the current iteration's intended start
    };

    void run(const SessionClock& now, SessionOutput& out);
    void on_app_message(const IncomingMessage& msg, const SessionClock& now, SessionOutput& out);
    void fail(std::string_view what, SessionOutput& out);
    // session_protocol.cpp: the protocol under the steps.
    void protocol_start(const SessionClock& now, SessionOutput& out);
    void protocol_message(const IncomingMessage& msg, const SessionClock& now, SessionOutput& out);
    void socketio_message(const IncomingMessage& msg, const SessionClock& now, SessionOutput& out);
    void graphql_message(const IncomingMessage& msg, const SessionClock& now, SessionOutput& out);
    void mqtt_message(const IncomingMessage& msg, const SessionClock& now, SessionOutput& out);
    void mqtt_send(const SendStep& send, SessionOutput& out);
    void mqtt_connect(SessionOutput& out);
    void stomp_connect(SessionOutput& out);
    void stomp_send(const SendStep& send, SessionOutput& out);
    void stomp_message(const IncomingMessage& msg, const SessionClock& now, SessionOutput& out);
    /// True (the session failed) when the server has been silent past what its protocol allows
    /// (stomp: twice its heart-beat; socketio: pingInterval + pingTimeout).
    bool server_silent(const SessionClock& now, SessionOutput& out);
    void socketio_open(std::string_view json, const SessionClock& now, SessionOutput& out);
    void protocol_init();
    void send_keepalive(SessionOutput& out);
    void protocol_ready(const SessionClock& now, SessionOutput& out);
    void protocol_send(const SendStep& send, SessionOutput& out);
    void protocol_finish(SessionOutput& out);
    void do_send(const SendStep& send, const SessionClock& now, SessionOutput& out);
    void do_expect(const ExpectStep& e, const SessionClock& now);
    bool do_loop_end(const SessionClock& now);
    void finish(std::uint16_t code, std::string_view reason, SessionOutput& out);
    void matched(std::size_t i, const IncomingMessage& msg, const SessionClock& now);
    void retire(std::size_t i);       ///< pending_[i] is done: its buffers go to spare_
    Nanos earliest_deadline() const;  ///< of the outstanding expects (kNever: none)
    bool offer_to_listen(const IncomingMessage& msg, const SessionClock& now);
    void sync_context(const SessionClock& now);

    const Scenario& s_;
    ScenarioStats& stats_;
    JsonScratch& js_;
    Rng rng_;
    RenderContext ctx_;
    std::vector<std::string> slots_;
    std::string buffer_;
    BoundValues listen_bound_;
    std::vector<Nanos> sent_actual_;    ///< by program index: the last send's time
    std::vector<Nanos> sent_intended_;  ///< ... and its intended time
    std::vector<LoopFrame> loops_;
    /// Oldest first. Replies usually match the oldest and timeouts expire the oldest, so the
    /// entries leave from the front: a deque, not a vector shifted per reply.
    std::deque<Pending> pending_;
    std::vector<Pending> spare_;  ///< retired, kept for their buffers
    /// Outstanding expects per program index, and how many indexes have any: the entries of
    /// one expect step share its timeout, so their deadlines rise in push order and the
    /// earliest deadline is among the first entry of each step.
    std::vector<std::uint32_t> pending_per_step_;
    std::uint32_t pending_steps_ = 0;
    mutable std::vector<std::uint64_t> seen_;  ///< earliest_deadline(): step -> epoch
    mutable std::uint64_t epoch_ = 0;
    std::uint64_t next_seq_ = 0;
    std::uint32_t pc_ = 0;
    Wait wait_ = Wait::none;
    Nanos wake_{0};
    Nanos next_heartbeat_ = kNever;
    Nanos handshake_deadline_ = kNever;
    Nanos keepalive_every_{0};  ///< mqtt PINGREQ, stomp heart-beat interval (0: none)
    std::string proto_buffer_;  ///< a protocol's own packets, and reshaped messages
    bool proto_ready_ = false;  ///< the protocol's handshake is done
    struct ProtoState;          ///< a protocol's decoder and scratch (session_protocol.cpp)
    std::unique_ptr<ProtoState> proto_;  ///< mqtt, stomp, socketio
    bool finished_ = false;
    bool failed_ = false;
};

}  // namespace wsb::scenario
