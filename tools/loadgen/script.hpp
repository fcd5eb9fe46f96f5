// Scenario files in the load generator (issue 14): a worker's share of the run (ScriptRun:
// its phases, statistics and user slots) and the session riding one connection
// (ScriptSession: the pure scenario::Session, wired to the connection's frames).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "loadgen/config.hpp"
#include "loadgen/phases.hpp"
#include "loadgen/result.hpp"
#include "wsbench/report/loadgen.hpp"
#include "wsbench/scenario/session.hpp"

namespace wsb::loadgen {

class Connection;

/// The worker's heap entry that stands for "the next open-model arrival is due".
inline constexpr std::uint32_t kArrivalEntry = std::numeric_limits<std::uint32_t>::max();
/// A closed-model user whose session failed starts again no sooner than this: a target that
/// refuses connections is not hammered in a busy loop.
inline constexpr Ns kUserRetryNs = 100'000'000;

/// One worker's part of a scenario-file run.
struct ScriptRun {
    ScriptRun(const Config& config, unsigned worker);

    const scenario::Scenario& s;
    PhasePlan plan;
    scenario::ScenarioStats stats;
    scenario::JsonScratch json;
    report::SessionCounts sessions;
    std::vector<Histogram> interval[2];  ///< per step name: the progress interval's latencies

    Ns t0 = -1;                   ///< the run's time when the phases began (-1: not yet)
    PhaseNs arrival = -1;         ///< the next open-model arrival, intended (-1: none left)
    bool arrival_queued = false;  ///< an entry for it is on the worker's heap
    std::size_t users_phase = ~std::size_t{0};  ///< the phase whose users are kept
    std::vector<std::uint64_t> users;           ///< conn.id of each of its users, this worker's
    std::vector<std::uint8_t> user_running;     ///< by index in users
    std::vector<Ns> user_retry;                 ///< by index: earliest restart
    std::vector<std::uint32_t> live;            ///< the connections of sessions not ended
    std::vector<std::uint32_t> spare;           ///< connections free to carry a new session
    std::uint64_t failed_in_a_row = 0;          ///< sessions that failed to open, since one did
    bool over = false;                          ///< no session will start again
    Ns drain_deadline = 0;                      ///< running sessions are cut at this time
};

/// The session on one connection: the output side of scenario::Session writes frames into the
/// connection's pending buffer.
struct ScriptSession final : scenario::SessionOutput {
    ScriptSession(Connection& c, ScriptRun& run, std::uint64_t conn_id, std::uint64_t session_id,
                  std::uint64_t seed);

    void send(scenario::MessageType type, std::string_view payload) override;
    void close(std::uint16_t code, std::string_view reason) override;

    Connection& conn;
    scenario::Session session;
    std::uint64_t conn_id;
    std::uint64_t session_id;
    std::int64_t user = -1;  ///< closed model: index in ScriptRun::users; -1: open model
    Ns scheduled = std::numeric_limits<Ns>::max();  ///< the earliest heap entry for it
    bool ended = false;                             ///< counted as completed, failed or cut
    bool opened = false;                            ///< the handshake completed
    std::size_t live_at = 0;                        ///< index in ScriptRun::live
    std::string message;  ///< a message split over frames or reads, being assembled
    std::vector<std::pair<std::string, std::string>> headers;  ///< rendered for the handshake
};

/// The clock a session sees now: `now` (the run's steady ns) and the wall clock.
scenario::SessionClock session_clock(Ns now);

/// A worker's scenario statistics as the report's steps (names in file order).
std::map<std::string, report::StepReport> step_reports(const scenario::Scenario& s,
                                                       const scenario::ScenarioStats& stats);

}  // namespace wsb::loadgen
