// HdrHistogram-compatible histogram: O(1) recording, exact merges and the V2 compressed encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "wsbench/error.hpp"

namespace wsb {

/// One non-empty bucket of a Histogram, as visited by Histogram::recorded().
struct HistogramBucket {
    std::uint64_t
        value;  ///< highest value equivalent to the bucket (HdrHistogram's valueIteratedTo)
    std::uint64_t lowest;  ///< lowest value equivalent to the bucket
    std::uint64_t count;   ///< number of values recorded in the bucket
};

/// A High Dynamic Range histogram with the bucket layout of HdrHistogram (Java, C, JS), so that
/// counts, percentiles and encodings are interchangeable with those implementations.
///
/// Values are unsigned integers in any unit (wsbench records microseconds). Values from 0 to
/// highest_trackable_value() are kept with `significant_digits` decimal digits of precision:
/// two values are "equivalent" (share a bucket) when they differ by less than the resolution
/// at their magnitude. Counts are 64-bit.
///
/// Not thread-safe: each worker records into its own Histogram and the results are merged with
/// add() after the workers join.
class Histogram {
  public:
    /// Default lowest discernible value.
    static constexpr std::uint64_t default_lowest_discernible_value = 1;
    /// Default highest trackable value: one hour in microseconds.
    static constexpr std::uint64_t default_highest_trackable_value = 3'600'000'000;
    /// Default precision: 3 significant decimal digits (0.1 % resolution).
    static constexpr int default_significant_digits = 3;

    /// A histogram with the defaults: 1 to 3'600'000'000, 3 significant digits (about 188 KiB).
    Histogram();

    /// A histogram tracking values up to `highest_trackable_value` with `significant_digits`
    /// digits of precision; values below `lowest_discernible_value` are indistinguishable from 0.
    /// Throws std::invalid_argument when create() would return Errc::invalid_argument; use
    /// create() where the arguments come from users.
    Histogram(std::uint64_t lowest_discernible_value, std::uint64_t highest_trackable_value,
              int significant_digits);

    /// Builds a histogram into `out`. Returns Errc::invalid_argument (and leaves `out` untouched)
    /// unless, as in HdrHistogram: lowest >= 1, highest >= 2 * lowest, highest <= INT64_MAX,
    /// digits in 0..5 (1..5 is the useful range; 0 is accepted as HdrHistogram does), and the
    /// precision asked for fits above the lowest discernible value in 64 bits.
    static Errc create(std::uint64_t lowest_discernible_value,
                       std::uint64_t highest_trackable_value, int significant_digits,
                       Histogram& out);

    /// Records one occurrence of `value`: O(1), no allocation, no lock. Returns false and records
    /// nothing when `value` > highest_trackable_value() (the caller decides how to count those).
    bool record(std::uint64_t value) noexcept { return record(value, 1); }

    /// Records `count` occurrences of `value`; false (nothing recorded) when `value` is above
    /// highest_trackable_value(). A zero count records nothing and returns true for a value in
    /// range (HdrHistogram would still move its tracked min and max).
    bool record(std::uint64_t value, std::uint64_t count) noexcept {
        if (value > highest_trackable_value_) {
            return false;
        }
        if (count == 0) {
            return true;
        }
        counts_[counts_index(value)] += count;
        total_count_ += count;
        if (value > max_value_) {
            max_value_ = value;
        }
        if (value != 0 && value < min_non_zero_value_) {
            min_non_zero_value_ = value;
        }
        return true;
    }

    /// Records `value` corrected for coordinated omission, with HdrHistogram's
    /// recordValueWithExpectedInterval semantics: after `value` it also records
    /// value - interval, value - 2 * interval, ... for as long as the missing value is
    /// >= `expected_interval`. An interval of 0 records `value` alone. Costs O(value / interval).
    /// Returns false (nothing recorded) when `value` > highest_trackable_value().
    bool record_corrected(std::uint64_t value, std::uint64_t expected_interval) noexcept;

    /// Adds every count of `other` into this histogram. The merge is exact: the result holds the
    /// same counts as one histogram that recorded both sets of values. Allowed when both share
    /// the bucket layout (same significant digits and the same lowest discernible value rounded
    /// down to a power of two, as HdrHistogram's fast path requires); the highest trackable
    /// values may differ as long as every bucket `other` uses exists here.
    /// Returns Errc::histogram_incompatible for a different layout and
    /// Errc::histogram_value_out_of_range when `other` holds values above the last bucket of
    /// this histogram; this histogram is unchanged on error. Unlike HdrHistogram, histograms of
    /// different layouts are never re-quantised into each other, because that merge would not be
    /// exact.
    Errc add(const Histogram& other) noexcept;

    /// Forgets every recorded value; the configuration is kept.
    void reset() noexcept;

    /// The lowest discernible value the histogram was built with.
    std::uint64_t lowest_discernible_value() const noexcept { return lowest_discernible_value_; }
    /// The highest trackable value the histogram was built with.
    std::uint64_t highest_trackable_value() const noexcept { return highest_trackable_value_; }
    /// The number of significant decimal digits the histogram was built with.
    int significant_digits() const noexcept { return significant_digits_; }

    /// The number of recorded values.
    std::uint64_t total_count() const noexcept { return total_count_; }

    /// HdrHistogram's getMinValue(): 0 when the histogram is empty or holds a value equivalent
    /// to 0, otherwise the lowest value equivalent to the smallest recorded value.
    std::uint64_t min() const noexcept;

    /// HdrHistogram's getMaxValue(): 0 when empty, otherwise the highest value equivalent to
    /// the largest recorded value. Always equals value_at_percentile(100). The exact recorded
    /// extremes are deliberately not exposed: encodings do not carry them, so they would change
    /// across encode/decode and merges between hosts.
    std::uint64_t max() const noexcept;

    /// HdrHistogram's getMean(): the mean of the recorded values, each taken as the median
    /// equivalent value of its bucket; 0 when empty.
    double mean() const noexcept;

    /// HdrHistogram's getStdDeviation(): the population standard deviation around mean(), with
    /// the same bucket medians; 0 when empty.
    double stddev() const noexcept;

    /// HdrHistogram's getValueAtPercentile(): the highest value equivalent to the smallest
    /// recorded value that `percentile` % of the recorded values are less than or equivalent to.
    /// `percentile` is clamped to 0..100 (NaN counts as 0). For 0 (or less) the lowest
    /// equivalent value of the smallest recorded value is returned instead. Returns 0 for an empty
    /// histogram. The count at the percentile is rounded up after removing one ulp, as
    /// hdr-histogram-js does.
    std::uint64_t value_at_percentile(double percentile) const noexcept;

    /// The count recorded in the bucket holding `value`; 0 when `value` is beyond the range.
    std::uint64_t count_at_value(std::uint64_t value) const noexcept;

    /// The lowest value equivalent to `value` (for `value` <= INT64_MAX).
    std::uint64_t lowest_equivalent_value(std::uint64_t value) const noexcept;
    /// The highest value equivalent to `value` (for `value` <= INT64_MAX).
    std::uint64_t highest_equivalent_value(std::uint64_t value) const noexcept;
    /// The middle (rounded up) of the range of values equivalent to `value`.
    std::uint64_t median_equivalent_value(std::uint64_t value) const noexcept;
    /// The size of the range of values equivalent to `value`: the resolution at `value`.
    std::uint64_t size_of_equivalent_value_range(std::uint64_t value) const noexcept;

    /// Forward iterator over the non-empty buckets in increasing value order.
    class RecordedIterator {
      public:
        using iterator_category = std::forward_iterator_tag;  ///< forward, multi-pass
        using value_type = HistogramBucket;                   ///< one bucket
        using difference_type = std::ptrdiff_t;               ///< standard iterator typedef
        using pointer = const HistogramBucket*;               ///< standard iterator typedef
        using reference = HistogramBucket;                    ///< buckets are made on the fly

        /// A past-the-end iterator.
        RecordedIterator() = default;
        /// The bucket at the current position.
        HistogramBucket operator*() const noexcept;
        /// Moves to the next non-empty bucket.
        RecordedIterator& operator++() noexcept;
        /// Moves to the next non-empty bucket, returning the previous position.
        RecordedIterator operator++(int) noexcept {
            RecordedIterator old = *this;
            ++*this;
            return old;
        }
        /// True when both iterators are at the same position.
        friend bool operator==(const RecordedIterator& a, const RecordedIterator& b) noexcept {
            return a.histogram_ == b.histogram_ && a.index_ == b.index_;
        }
        /// True when the iterators are at different positions.
        friend bool operator!=(const RecordedIterator& a, const RecordedIterator& b) noexcept {
            return !(a == b);
        }

      private:
        friend class Histogram;
        RecordedIterator(const Histogram* h, std::size_t index) noexcept;
        void skip_empty() noexcept;
        const Histogram* histogram_ = nullptr;
        std::size_t index_ = 0;
    };

    /// The non-empty buckets, for range-for (what HdrHistogram's recordedValues() visits).
    struct RecordedRange {
        RecordedIterator first;  ///< first non-empty bucket
        RecordedIterator last;   ///< past the end
        /// First non-empty bucket.
        RecordedIterator begin() const noexcept { return first; }
        /// Past the end.
        RecordedIterator end() const noexcept { return last; }
    };

    /// The non-empty buckets in increasing value order; invalidated by any change to the
    /// histogram.
    RecordedRange recorded() const noexcept;

    /// The histogram in HdrHistogram's V2 compressed encoding, base64'd (RFC 4648): cookie
    /// 0x1c849314 (the 0x1c849304 base with HdrHistogram's word-size nibble), the deflated
    /// length, then the zlib stream of encode_v2(). This is the form HdrHistogram log files,
    /// Java's encodeIntoCompressedByteBuffer and hdr-histogram-js's encodeIntoCompressedBase64
    /// use, and the form wsbench reports carry.
    std::string encode_base64() const;

    /// The uncompressed V2 encoding: cookie 0x1c849313, payload length, normalizing index
    /// offset 0, significant digits, lowest, highest, integer-to-double ratio 1.0 (all big
    /// endian), then the counts as ZigZag LEB128-64b9B varints where a negative number -n
    /// stands for n consecutive zero counts. Counts stop at the bucket of the largest value.
    std::vector<std::uint8_t> encode_v2() const;

    /// Decodes encode_base64() output, or the base64 of an uncompressed V2 encoding, into `out`.
    /// Returns Errc::histogram_bad_encoding for anything else: bad base64 (whitespace included),
    /// an unknown cookie, lengths that disagree with the data (trailing bytes included), a
    /// corrupt zlib stream, an invalid configuration, counts beyond the histogram's range or
    /// summing past 2^64. `out` is only written on success. The normalizing index offset and
    /// the integer-to-double ratio are ignored, as hdr-histogram-js does (it writes 1 and the
    /// int64 1 there). Memory is bounded by the configuration in the header: at most about
    /// 49 MiB for 5 digits from 1 to INT64_MAX; inflating never takes more than 1032 bytes
    /// (deflate's largest expansion) per compressed byte.
    static Errc decode_base64(std::string_view text, Histogram& out);

    /// decode_base64() on raw bytes (compressed or uncompressed V2), e.g. from a fuzzer.
    static Errc decode(const std::uint8_t* data, std::size_t size, Histogram& out);

    /// True when both have the same configuration and the same counts in every bucket.
    friend bool operator==(const Histogram& a, const Histogram& b) noexcept;
    /// Negation of operator==.
    friend bool operator!=(const Histogram& a, const Histogram& b) noexcept { return !(a == b); }

  private:
    struct Validated {};  // tags the constructor for arguments create() has already checked
    Histogram(Validated, std::uint64_t lowest_discernible_value,
              std::uint64_t highest_trackable_value, int significant_digits);
    Errc read_counts(const std::uint8_t* p, const std::uint8_t* end) noexcept;

    std::size_t bucket_index(std::uint64_t value) const noexcept {
        return static_cast<std::size_t>(leading_zero_count_base_ -
                                        __builtin_clzll(value | sub_bucket_mask_));
    }
    std::size_t counts_index(std::uint64_t value) const noexcept {
        const std::size_t bucket = bucket_index(value);
        const std::uint64_t sub_bucket = value >> (bucket + unit_magnitude_);
        // Bucket 0 uses all sub-buckets, every later bucket only its upper half.
        return (bucket << sub_bucket_half_count_magnitude_) + static_cast<std::size_t>(sub_bucket);
    }
    std::uint64_t value_from_index(std::size_t index) const noexcept;
    std::size_t counts_limit() const noexcept { return counts_index(max_value_) + 1; }
    void establish_tracking_values() noexcept;

    std::uint64_t lowest_discernible_value_ = 0;
    std::uint64_t highest_trackable_value_ = 0;
    int significant_digits_ = 0;
    int unit_magnitude_ = 0;
    int sub_bucket_half_count_magnitude_ = 0;
    int leading_zero_count_base_ = 0;
    std::uint64_t sub_bucket_half_count_ = 0;
    std::uint64_t sub_bucket_mask_ = 0;
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_count_ = 0;
    std::uint64_t max_value_ = 0;  // largest recorded value, or any value of its bucket
    std::uint64_t min_non_zero_value_ = UINT64_MAX;
};

}  // namespace wsb
