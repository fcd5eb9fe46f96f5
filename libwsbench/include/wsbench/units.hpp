// Counts, sizes, durations and rates: parsing command-line values and formatting table cells.
//
// Common grammar: a non-negative decimal number (digits, optionally '.' and more digits; no
// sign, no exponent), an optional single space, then a suffix. Suffixes are case-sensitive
// because 'm' (minute, milli) and 'M' (mega) differ. Errors, the same for every parser:
// - Errc::unit_malformed: no number, a stray character, or a fraction that does not give a
//   whole count / byte / nanosecond ("1.5" as a count, "0.5B");
// - Errc::unit_bad_suffix: a well-formed number followed by unknown letters ("10x", "5mb");
// - Errc::unit_out_of_range: the value does not fit the result type.
// On error the output argument is left unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "wsbench/error.hpp"

namespace wsb {

/// Parses a count ("10k" -> 10000): suffixes k or K (10^3), M (10^6), G (10^9), T (10^12),
/// none for 1.
/// Decimals are allowed when the result is whole ("1.5k" -> 1500; "1.5" and "1.0001k" are
/// Errc::unit_malformed). Errors as in the file comment.
Errc parse_count(std::string_view text, std::uint64_t& out);

/// Parses a size in bytes. Decimal (SI) suffixes are powers of 1000, as for counts:
/// k, K, kB, KB (10^3); M, MB (10^6); G, GB (10^9); T, TB (10^12). Binary (IEC) suffixes are
/// powers of 1024: KiB, MiB, GiB, TiB. "B" or no suffix means bytes. Decimals allowed when
/// the result is a whole number of bytes ("1.5KiB" -> 1536). Errors as in the file comment.
Errc parse_size(std::string_view text, std::uint64_t& out);

/// Parses a duration to nanoseconds: units ns, us (or µs), ms, s, m (minutes), h. A bare
/// number means seconds ("30" -> 30 s). Components may be chained from larger to smaller
/// units, each unit once ("1m30s", "1h2m3.5s"); every component needs a unit then.
/// Errors as in the file comment; out of range above about 292 years (int64 nanoseconds).
Errc parse_duration(std::string_view text, std::chrono::nanoseconds& out);

/// Parses a rate to events per second. Forms: a count ("5000", "5k", "2.5", fractions
/// allowed), optionally followed by "/" and a unit of time (us, ms, s, m, h, with an optional
/// leading number: "5k/s", "300/m", "10/ms", "100/10s", "1/500ms"). No "/unit" means per
/// second. Errors as in the file comment; a zero period ("1/0s") is Errc::unit_out_of_range.
Errc parse_rate(std::string_view text, double& out);

/// A count for a human table: below 1000 as is ("999"), else one decimal and k/M/G/T
/// (12345 -> "12.3k", 1500000 -> "1.5M").
std::string format_count(std::uint64_t n);

/// A size for a human table: below 1024 in bytes ("512 B"), else one decimal and a binary
/// unit (1536 -> "1.5 KiB", then MiB, GiB, TiB).
std::string format_size(std::uint64_t bytes);

/// A duration given in microseconds (the report unit) for a human table, two decimals in the
/// largest fitting unit: "850.00 us", "1.50 ms", "2.25 s", "1.50 m", "2.00 h".
std::string format_duration_us(double us);

/// A per-second rate for a human table: one decimal, k/M/G above 1000 ("5.0/s", "12.3k/s").
std::string format_rate(double per_second);

/// printf into a std::string (up to 511 characters; longer output is cut): for table cells
/// and chart labels.
std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace wsb
