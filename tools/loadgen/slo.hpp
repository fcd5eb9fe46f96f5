// Service-level objectives of --slo: parsing 'p99<5ms,errors<0.1%' and judging a run against them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loadgen/config.hpp"
#include "loadgen/result.hpp"
#include "wsbench/error.hpp"

namespace wsb::loadgen {

/// Parses the --slo option: terms separated by commas, each `METRIC OP VALUE` with OP `<` or
/// `>` and spaces allowed around each part. Metrics:
/// - `pNN` or `pNN.N` (also `pNN_N`, as in report keys): a percentile in (0, 100] of the
///   corrected latency, e.g. p50, p90, p99, p99.9, p99.99; `max` and `mean` latency. The value
///   is a duration with a unit (us, ms, s, ...: wsb::parse_duration; a bare number is refused
///   because "p99<5" is ambiguous);
/// - `errors`: `errors<0.1%` bounds the error rate (loadgen::error_rate(), 0-100 %),
///   `errors<10` the error count (a count: 10, 1k);
/// - `throughput`: received messages per second of the measured window, a rate (10000, 10k,
///   10k/s: wsb::parse_rate), normally with `>`.
/// A term may name a step of a scenario file first, `STEP.METRIC` (rpc.p99<20ms): the step's
/// name is what precedes the first dot that a metric name follows, so step names may hold dots
/// ("user.login.p99.9<5ms" is step "user.login"); it keeps its case. Per step: `pNN`, `max`,
/// `mean` of its corrected latency; `timeouts<0.1%` (timeouts / (count + timeouts)) or
/// `timeouts<N`; `errors<0.1%` (its errors / (count + timeouts)) or `errors<N`; `count>N`
/// (matched replies, or messages a listen rule took). `throughput` is the whole run's alone;
/// `timeouts` and `count` are a step's alone.
/// Comparisons are strict: `p99<5ms` holds when p99 is below 5 ms, `errors<1` when there were
/// no errors. Metric names are ASCII case-insensitive. On success returns Errc::ok and replaces
/// `out` (one SloTerm per term, `text` the term as written, trimmed). On error leaves `out`
/// unchanged, sets `error_message` to a sentence naming the bad term ("--slo term 'p99<5':
/// give the latency a unit, e.g. 5ms") and returns Errc::invalid_argument for a bad structure
/// (no terms, an empty term, no operator, an unknown metric, a bound that can never hold) or
/// the units error of the value (Errc::unit_malformed, unit_bad_suffix, unit_out_of_range).
Errc parse_slo(std::string_view text, std::vector<SloTerm>& out, std::string& error_message);

/// Judges `result` against every term; returns one message per breached term, in order, e.g.
/// "p99 latency 7.20 ms is not < 5 ms" or "error rate 0.25 % (3 errors in 1200 attempts) is not <
/// 0.1 %"; a step's term reads RunResult::steps and its message starts "step rpc: ". Empty when
/// every term holds. A latency term is breached when no latency was recorded: a gate must not
/// pass on a run that measured nothing. A term naming a step the run does not have is breached:
/// "step 'rpc' is not in this run (steps: auth, price)".
std::vector<std::string> evaluate_slo(const std::vector<SloTerm>& terms, const RunResult& result);

}  // namespace wsb::loadgen
