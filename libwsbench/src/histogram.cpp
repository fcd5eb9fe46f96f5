// HdrHistogram-compatible histogram: layout, statistics and the V2 (compressed) codec.
#include "wsbench/histogram.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>

#include "wsbench/base64.hpp"

namespace wsb {

namespace {

constexpr std::uint64_t int64_max = static_cast<std::uint64_t>(INT64_MAX);

// Cookies of HdrHistogram's V2 encodings. The 0xf0 nibble carries a word size: HdrHistogram
// writes 0x10 there (LEB128 with zero runs) and ignores it when reading a V2 cookie.
constexpr std::uint32_t v2_cookie_base = 0x1c849303;
constexpr std::uint32_t v2_compressed_cookie_base = 0x1c849304;
constexpr std::uint32_t cookie_word_size_bits = 0x10;
constexpr std::uint32_t cookie_base(std::uint32_t cookie) { return cookie & ~0xf0u; }

constexpr std::size_t v2_header_size = 40;
constexpr std::size_t max_varint_size = 9;         // LEB128-64b9B: 8 x 7 bits, then 8 bits
constexpr std::uint64_t max_inflate_ratio = 1032;  // deflate's best: 258-byte matches in 2 bits
constexpr std::uint64_t double_one_bits = 0x3ff0000000000000;  // IEEE 754 bits of 1.0

// floor(log2(v)) for v >= 1.
int floor_log2(std::uint64_t v) { return 63 - __builtin_clzll(v); }

// A checked configuration and the bucket layout derived from it.
struct Layout {
    std::uint64_t lowest = 0;
    std::uint64_t highest = 0;
    int digits = 0;
    int unit_magnitude = 0;
    int sub_bucket_half_count_magnitude = 0;
    std::size_t counts_length = 0;
};

// HdrHistogram's constructor checks and AbstractHistogram.init() / getBucketsNeededToCoverValue(),
// in exact integer arithmetic. False for an invalid configuration.
bool compute_layout(std::uint64_t lowest, std::uint64_t highest, int digits, Layout* layout) {
    if (lowest < 1 || highest > int64_max || highest / 2 < lowest || digits < 0 || digits > 5) {
        return false;
    }
    std::uint64_t largest_single_unit = 2;  // 2 * 10^digits: single-unit resolution below it
    for (int i = 0; i < digits; ++i) {
        largest_single_unit *= 10;
    }
    // ceil(log2(largest_single_unit)).
    const int sub_bucket_count_magnitude = floor_log2(largest_single_unit - 1) + 1;
    const int half_magnitude = std::max(sub_bucket_count_magnitude, 1) - 1;
    const int unit_magnitude = floor_log2(lowest);
    if (unit_magnitude + half_magnitude > 61) {
        return false;  // the precision asked for does not fit above `lowest` in 63 bits
    }
    const std::uint64_t sub_bucket_count = std::uint64_t{1} << (half_magnitude + 1);

    // Buckets needed so that `highest` is below the top of the last one.
    std::uint64_t smallest_untrackable = sub_bucket_count << unit_magnitude;
    std::size_t buckets = 1;
    while (smallest_untrackable <= highest) {
        if (smallest_untrackable > int64_max / 2) {
            ++buckets;  // the next doubling would pass INT64_MAX: this bucket is the last
            break;
        }
        smallest_untrackable <<= 1;
        ++buckets;
    }
    layout->lowest = lowest;
    layout->highest = highest;
    layout->digits = digits;
    layout->unit_magnitude = unit_magnitude;
    layout->sub_bucket_half_count_magnitude = half_magnitude;
    layout->counts_length = (buckets + 1) * static_cast<std::size_t>(sub_bucket_count / 2);
    return true;
}

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

void put_be64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

std::uint32_t get_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

std::uint64_t get_be64(const std::uint8_t* p) {
    return (std::uint64_t{get_be32(p)} << 32) | get_be32(p + 4);
}

// ZigZag then LEB128-64b9B (HdrHistogram's ZigZagEncoding): seven bits per byte, low first,
// high bit set while more follow; a ninth byte, if needed, carries the last eight bits whole.
void put_varint(std::vector<std::uint8_t>& out, std::int64_t value) {
    const auto u = static_cast<std::uint64_t>(value);
    std::uint64_t v = value >= 0 ? u << 1 : ((~u) << 1) | 1;
    for (int i = 0; i < 8; ++i) {
        if (v < 0x80) {
            out.push_back(static_cast<std::uint8_t>(v));
            return;
        }
        out.push_back(static_cast<std::uint8_t>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

// Reads one varint from [*p, end); false when the data ends inside it.
bool get_varint(const std::uint8_t** p, const std::uint8_t* end, std::int64_t* value) {
    std::uint64_t v = 0;
    bool complete = false;
    for (int i = 0; i < 8 && !complete; ++i) {
        if (*p == end) {
            return false;
        }
        const std::uint8_t b = *(*p)++;
        v |= std::uint64_t{b & 0x7fu} << (7 * i);
        complete = (b & 0x80) == 0;
    }
    if (!complete) {
        if (*p == end) {
            return false;
        }
        v |= std::uint64_t{*(*p)++} << 56;
    }
    // Undo ZigZag without relying on signed shifts: odd codes are negative.
    const std::uint64_t magnitude = v >> 1;
    *value =
        (v & 1) ? -static_cast<std::int64_t>(magnitude) - 1 : static_cast<std::int64_t>(magnitude);
    return true;
}

// The fixed 40-byte header of an uncompressed V2 encoding.
struct V2Header {
    std::uint32_t payload_length = 0;
    Layout layout;
};

// Parses and validates a V2 header (at least v2_header_size bytes at `p`).
bool parse_v2_header(const std::uint8_t* p, V2Header* header) {
    if (cookie_base(get_be32(p)) != v2_cookie_base) {
        return false;
    }
    const std::uint32_t payload_length = get_be32(p + 4);
    // p + 8: normalizing index offset, p + 32: integer-to-double ratio. Both are ignored: the
    // counts are always in logical index order, and hdr-histogram-js writes 1 and int64 1.
    const std::uint32_t digits = get_be32(p + 12);
    const std::uint64_t lowest = get_be64(p + 16);
    const std::uint64_t highest = get_be64(p + 24);
    if (payload_length > static_cast<std::uint32_t>(INT32_MAX) || digits > 5) {
        return false;
    }
    if (!compute_layout(lowest, highest, static_cast<int>(digits), &header->layout)) {
        return false;
    }
    // Every varint takes at most 9 bytes and advances at least one index.
    if (payload_length > header->layout.counts_length * max_varint_size) {
        return false;
    }
    header->payload_length = payload_length;
    return true;
}

// Inflates exactly `out_size` bytes from the zlib stream `in`; the stream must end there and
// use all of `in`.
bool inflate_exact(const std::uint8_t* in, std::size_t in_size, std::uint8_t* out,
                   std::size_t out_size, bool require_end) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) {
        return false;
    }
    zs.next_in = const_cast<Bytef*>(in);
    zs.avail_in = static_cast<uInt>(in_size);
    zs.next_out = out;
    zs.avail_out = static_cast<uInt>(out_size);
    int rc = Z_OK;
    while (rc == Z_OK && zs.avail_out > 0) {
        rc = inflate(&zs, Z_NO_FLUSH);
    }
    bool ok = zs.avail_out == 0 && (rc == Z_OK || rc == Z_STREAM_END);
    if (ok && require_end) {
        if (rc != Z_STREAM_END) {
            // All output is in; the stream must still end (checksum) without more output.
            std::uint8_t extra = 0;
            zs.next_out = &extra;
            zs.avail_out = 1;
            rc = inflate(&zs, Z_FINISH);
            ok = rc == Z_STREAM_END && zs.avail_out == 1;
        }
        ok = ok && zs.avail_in == 0;
    }
    inflateEnd(&zs);
    return ok;
}

}  // namespace

Histogram::Histogram()
    : Histogram(default_lowest_discernible_value, default_highest_trackable_value,
                default_significant_digits) {}

Histogram::Histogram(std::uint64_t lowest_discernible_value, std::uint64_t highest_trackable_value,
                     int significant_digits) {
    Layout layout;
    if (!compute_layout(lowest_discernible_value, highest_trackable_value, significant_digits,
                        &layout)) {
        throw std::invalid_argument(
            "histogram: need lowest >= 1, highest >= 2 * lowest, highest <= INT64_MAX and "
            "significant digits in 0..5");
    }
    *this = Histogram(Validated{}, lowest_discernible_value, highest_trackable_value,
                      significant_digits);
}

Histogram::Histogram(Validated, std::uint64_t lowest_discernible_value,
                     std::uint64_t highest_trackable_value, int significant_digits) {
    Layout layout;
    compute_layout(lowest_discernible_value, highest_trackable_value, significant_digits, &layout);
    lowest_discernible_value_ = layout.lowest;
    highest_trackable_value_ = layout.highest;
    significant_digits_ = layout.digits;
    unit_magnitude_ = layout.unit_magnitude;
    sub_bucket_half_count_magnitude_ = layout.sub_bucket_half_count_magnitude;
    leading_zero_count_base_ = 64 - unit_magnitude_ - sub_bucket_half_count_magnitude_ - 1;
    sub_bucket_half_count_ = std::uint64_t{1} << sub_bucket_half_count_magnitude_;
    sub_bucket_mask_ = ((sub_bucket_half_count_ << 1) - 1) << unit_magnitude_;
    counts_.assign(layout.counts_length, 0);
}

Errc Histogram::create(std::uint64_t lowest_discernible_value,
                       std::uint64_t highest_trackable_value, int significant_digits,
                       Histogram& out) {
    Layout layout;
    if (!compute_layout(lowest_discernible_value, highest_trackable_value, significant_digits,
                        &layout)) {
        return Errc::invalid_argument;
    }
    out = Histogram(Validated{}, lowest_discernible_value, highest_trackable_value,
                    significant_digits);
    return Errc::ok;
}

bool Histogram::record_corrected(std::uint64_t value, std::uint64_t expected_interval) noexcept {
    if (!record(value)) {
        return false;
    }
    if (expected_interval == 0 || value < expected_interval) {
        return true;
    }
    // The missing values are all below `value`, so none of them can be out of range.
    for (std::uint64_t missing = value - expected_interval; missing >= expected_interval;
         missing -= expected_interval) {
        record(missing);
    }
    return true;
}

Errc Histogram::add(const Histogram& other) noexcept {
    if (unit_magnitude_ != other.unit_magnitude_ ||
        sub_bucket_half_count_magnitude_ != other.sub_bucket_half_count_magnitude_) {
        return Errc::histogram_incompatible;
    }
    if (other.total_count_ == 0) {
        return Errc::ok;
    }
    // Same layout: index i means the same values in both, so adding counts is exact.
    const std::size_t limit = other.counts_limit();
    if (limit > counts_.size()) {
        return Errc::histogram_value_out_of_range;
    }
    for (std::size_t i = 0; i < limit; ++i) {
        counts_[i] += other.counts_[i];
    }
    total_count_ += other.total_count_;
    max_value_ = std::max(max_value_, other.max_value_);
    min_non_zero_value_ = std::min(min_non_zero_value_, other.min_non_zero_value_);
    return Errc::ok;
}

void Histogram::reset() noexcept {
    std::fill(counts_.begin(), counts_.end(), 0);
    total_count_ = 0;
    max_value_ = 0;
    min_non_zero_value_ = UINT64_MAX;
}

std::uint64_t Histogram::value_from_index(std::size_t index) const noexcept {
    std::size_t bucket = index >> sub_bucket_half_count_magnitude_;
    std::uint64_t sub_bucket = (index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
    if (bucket == 0) {
        sub_bucket -= sub_bucket_half_count_;  // bucket 0 also uses its lower half
    } else {
        --bucket;
    }
    return sub_bucket << (bucket + unit_magnitude_);
}

std::uint64_t Histogram::lowest_equivalent_value(std::uint64_t value) const noexcept {
    const std::size_t bucket = bucket_index(value);
    const int shift = static_cast<int>(bucket) + unit_magnitude_;
    return (value >> shift) << shift;
}

std::uint64_t Histogram::size_of_equivalent_value_range(std::uint64_t value) const noexcept {
    return std::uint64_t{1} << (bucket_index(value) + unit_magnitude_);
}

std::uint64_t Histogram::highest_equivalent_value(std::uint64_t value) const noexcept {
    return lowest_equivalent_value(value) + size_of_equivalent_value_range(value) - 1;
}

std::uint64_t Histogram::median_equivalent_value(std::uint64_t value) const noexcept {
    return lowest_equivalent_value(value) + (size_of_equivalent_value_range(value) >> 1);
}

std::uint64_t Histogram::count_at_value(std::uint64_t value) const noexcept {
    if (value > int64_max) {
        return 0;
    }
    const std::size_t index = counts_index(value);
    return index < counts_.size() ? counts_[index] : 0;
}

std::uint64_t Histogram::min() const noexcept {
    if (total_count_ == 0 || counts_[0] > 0) {
        return 0;
    }
    return lowest_equivalent_value(min_non_zero_value_);
}

std::uint64_t Histogram::max() const noexcept {
    // Empty is told by the count, not by max_value_ == 0 (HdrHistogram's test): values
    // equivalent to 0 have a highest equivalent value above 0 when lowest > 1, and
    // value_at_percentile(100) reports it.
    return total_count_ == 0 ? 0 : highest_equivalent_value(max_value_);
}

double Histogram::mean() const noexcept {
    if (total_count_ == 0) {
        return 0.0;
    }
    // Same operations in the same order as HdrHistogram, so the doubles agree bit for bit.
    double total = 0.0;
    const std::size_t limit = counts_limit();
    for (std::size_t i = 0; i < limit; ++i) {
        if (counts_[i] != 0) {
            total += static_cast<double>(median_equivalent_value(value_from_index(i))) *
                     static_cast<double>(counts_[i]);
        }
    }
    return total / static_cast<double>(total_count_);
}

double Histogram::stddev() const noexcept {
    if (total_count_ == 0) {
        return 0.0;
    }
    const double m = mean();
    double total = 0.0;
    const std::size_t limit = counts_limit();
    for (std::size_t i = 0; i < limit; ++i) {
        if (counts_[i] != 0) {
            const double deviation =
                static_cast<double>(median_equivalent_value(value_from_index(i))) - m;
            total += deviation * deviation * static_cast<double>(counts_[i]);
        }
    }
    return std::sqrt(total / static_cast<double>(total_count_));
}

std::uint64_t Histogram::value_at_percentile(double percentile) const noexcept {
    double requested = percentile;
    if (!(requested >= 0.0)) {
        requested = 0.0;  // negative or NaN
    }
    requested = std::min(requested, 100.0);
    // hdr-histogram-js: count = max(ceil(fp - ulp(fp)), 1). Removing one ulp keeps a product
    // such as 0.999 * 1000 = 999.0000000000001 from rounding up to the next count.
    const double fp_count = (requested / 100.0) * static_cast<double>(total_count_);
    const double ulp = fp_count > 0.0 ? std::ldexp(1.0, std::ilogb(fp_count) - 52) : 0.0;
    const double rounded = std::ceil(fp_count - ulp);
    std::uint64_t count_at_percentile = rounded < 1.0 ? 1 : static_cast<std::uint64_t>(rounded);
    if (requested == 100.0) {
        // Exact even past 2^53 values, where the double product falls short of the total.
        count_at_percentile = total_count_;
    }
    std::uint64_t running = 0;
    const std::size_t limit = total_count_ == 0 ? 0 : counts_limit();
    for (std::size_t i = 0; i < limit; ++i) {
        running += counts_[i];
        if (running >= count_at_percentile) {
            const std::uint64_t value = value_from_index(i);
            return requested == 0.0 ? lowest_equivalent_value(value)
                                    : highest_equivalent_value(value);
        }
    }
    return 0;
}

Histogram::RecordedIterator::RecordedIterator(const Histogram* h, std::size_t index) noexcept
    : histogram_(h), index_(index) {
    skip_empty();
}

void Histogram::RecordedIterator::skip_empty() noexcept {
    const std::size_t limit = histogram_->counts_.size();
    while (index_ < limit && histogram_->counts_[index_] == 0) {
        ++index_;
    }
}

HistogramBucket Histogram::RecordedIterator::operator*() const noexcept {
    const std::uint64_t lowest = histogram_->value_from_index(index_);
    return {histogram_->highest_equivalent_value(lowest), lowest, histogram_->counts_[index_]};
}

Histogram::RecordedIterator& Histogram::RecordedIterator::operator++() noexcept {
    ++index_;
    skip_empty();
    return *this;
}

Histogram::RecordedRange Histogram::recorded() const noexcept {
    return {RecordedIterator(this, 0), RecordedIterator(this, counts_.size())};
}

std::vector<std::uint8_t> Histogram::encode_v2() const {
    std::vector<std::uint8_t> out;
    const std::size_t limit = counts_limit();
    out.reserve(v2_header_size + 16);
    put_be32(out, v2_cookie_base | cookie_word_size_bits);
    put_be32(out, 0);  // payload length, patched below
    put_be32(out, 0);  // normalizing index offset
    put_be32(out, static_cast<std::uint32_t>(significant_digits_));
    put_be64(out, lowest_discernible_value_);
    put_be64(out, highest_trackable_value_);
    put_be64(out, double_one_bits);  // integer-to-double conversion ratio
    for (std::size_t i = 0; i < limit;) {
        const std::uint64_t count = counts_[i++];
        if (count != 0) {
            put_varint(out, static_cast<std::int64_t>(count));
            continue;
        }
        std::int64_t zeros = 1;
        while (i < limit && counts_[i] == 0) {
            ++zeros;
            ++i;
        }
        put_varint(out, zeros > 1 ? -zeros : 0);  // a lone zero is written as a count of 0
    }
    const auto payload_length = static_cast<std::uint32_t>(out.size() - v2_header_size);
    for (int k = 0; k < 4; ++k) {
        out[4 + k] = static_cast<std::uint8_t>(payload_length >> (24 - 8 * k));
    }
    return out;
}

std::string Histogram::encode_base64() const {
    const std::vector<std::uint8_t> raw = encode_v2();
    uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> out(8 + compressed_size);
    // Level 6 (zlib's default) as Java's Deflater and Node's deflateSync use by default.
    const int rc = compress2(out.data() + 8, &compressed_size, raw.data(),
                             static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION);
    if (rc != Z_OK) {
        throw std::bad_alloc();  // the only failure possible with a compressBound() buffer
    }
    out.resize(8 + compressed_size);
    const std::uint32_t cookie = v2_compressed_cookie_base | cookie_word_size_bits;
    const auto length = static_cast<std::uint32_t>(compressed_size);
    for (int k = 0; k < 4; ++k) {
        out[k] = static_cast<std::uint8_t>(cookie >> (24 - 8 * k));
        out[4 + k] = static_cast<std::uint8_t>(length >> (24 - 8 * k));
    }
    return base64_encode(out.data(), out.size());
}

void Histogram::establish_tracking_values() noexcept {
    max_value_ = 0;
    min_non_zero_value_ = UINT64_MAX;
    for (std::size_t i = counts_.size(); i-- > 0;) {
        if (counts_[i] != 0) {
            max_value_ = value_from_index(i);
            break;
        }
    }
    for (std::size_t i = 1; i < counts_.size(); ++i) {
        if (counts_[i] != 0) {
            min_non_zero_value_ = value_from_index(i);
            break;
        }
    }
}

Errc Histogram::read_counts(const std::uint8_t* p, const std::uint8_t* end) noexcept {
    const std::size_t length = counts_.size();
    std::size_t index = 0;
    std::uint64_t total = 0;
    while (p < end) {
        std::int64_t count = 0;
        if (!get_varint(&p, end, &count)) {
            return Errc::histogram_bad_encoding;
        }
        if (count < 0) {
            const std::uint64_t zeros = 0 - static_cast<std::uint64_t>(count);
            if (zeros > length - index) {
                return Errc::histogram_bad_encoding;
            }
            index += static_cast<std::size_t>(zeros);
            continue;
        }
        const auto c = static_cast<std::uint64_t>(count);
        if (index >= length || total + c < total) {
            return Errc::histogram_bad_encoding;  // beyond the range, or the total overflows
        }
        counts_[index++] = c;
        total += c;
    }
    total_count_ = total;
    establish_tracking_values();
    return Errc::ok;
}

Errc Histogram::decode(const std::uint8_t* data, std::size_t size, Histogram& out) {
    if (data == nullptr || size < 8) {
        return Errc::histogram_bad_encoding;
    }
    const std::uint8_t* payload = nullptr;
    std::size_t payload_size = 0;
    std::vector<std::uint8_t> inflated;
    V2Header header;
    const std::uint32_t cookie = get_be32(data);
    if (cookie_base(cookie) == v2_cookie_base) {
        if (size < v2_header_size || !parse_v2_header(data, &header)) {
            return Errc::histogram_bad_encoding;
        }
        payload = data + v2_header_size;
        payload_size = size - v2_header_size;
    } else if (cookie_base(cookie) == v2_compressed_cookie_base) {
        const std::uint32_t compressed_length = get_be32(data + 4);
        if (compressed_length != size - 8) {
            return Errc::histogram_bad_encoding;
        }
        // Inflate the header first: it bounds how much the payload may inflate to.
        std::uint8_t head[v2_header_size];
        if (!inflate_exact(data + 8, compressed_length, head, sizeof head, false) ||
            !parse_v2_header(head, &header)) {
            return Errc::histogram_bad_encoding;
        }
        // Deflate expands at most 1032:1 (a 258-byte match in two bits), so a payload length
        // the compressed bytes cannot hold is refused before a buffer is allocated for it.
        if (v2_header_size + std::uint64_t{header.payload_length} >
            std::uint64_t{compressed_length} * max_inflate_ratio) {
            return Errc::histogram_bad_encoding;
        }
        inflated.resize(v2_header_size + header.payload_length);
        if (!inflate_exact(data + 8, compressed_length, inflated.data(), inflated.size(), true)) {
            return Errc::histogram_bad_encoding;
        }
        payload = inflated.data() + v2_header_size;
        payload_size = header.payload_length;
    } else {
        return Errc::histogram_bad_encoding;
    }
    if (payload_size != header.payload_length) {
        return Errc::histogram_bad_encoding;  // truncated, or trailing bytes
    }
    Histogram h(Validated{}, header.layout.lowest, header.layout.highest, header.layout.digits);
    if (const Errc err = h.read_counts(payload, payload + payload_size); err != Errc::ok) {
        return err;
    }
    out = std::move(h);
    return Errc::ok;
}

Errc Histogram::decode_base64(std::string_view text, Histogram& out) {
    const std::optional<std::vector<std::uint8_t>> bytes = base64_decode(text);
    if (!bytes) {
        return Errc::histogram_bad_encoding;
    }
    return decode(bytes->data(), bytes->size(), out);
}

bool operator==(const Histogram& a, const Histogram& b) noexcept {
    return a.lowest_discernible_value_ == b.lowest_discernible_value_ &&
           a.highest_trackable_value_ == b.highest_trackable_value_ &&
           a.significant_digits_ == b.significant_digits_ && a.total_count_ == b.total_count_ &&
           a.counts_ == b.counts_;
}

}  // namespace wsb
