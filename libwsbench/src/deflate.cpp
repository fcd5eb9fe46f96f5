// permessage-deflate (RFC 7692): extension negotiation and per-connection zlib streams.
#include "wsbench/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace wsb {
namespace {

std::string trim(const std::string& s) {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return s.substr(b, e - b);
}

std::string lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

/// A window-bits value: 8-15, no sign, no leading zero, maybe quoted (RFC 7692 §7.1.2).
bool parse_bits(std::string v, int& out) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty() || v.size() > 2 || v[0] == '0') return false;
    for (char ch : v) {
        if (ch < '0' || ch > '9') return false;
    }
    out = std::stoi(v);
    return out >= 8 && out <= 15;
}

/// One element's parameters, parsed and checked for syntax (§7: an unknown, repeated or
/// invalid parameter declines an offer and fails a response).
struct Element {
    bool server_nct = false;
    bool client_nct = false;
    int server_bits = 0;   ///< 0: absent
    int client_bits = -1;  ///< -1: absent; 0: without a value
};

bool parse_element(const std::string& element, Element& e) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t semi = element.find(';', start);
        parts.push_back(
            trim(element.substr(start, semi == std::string::npos ? semi : semi - start)));
        if (semi == std::string::npos) break;
        start = semi + 1;
    }
    if (lower(parts[0]) != "permessage-deflate") return false;
    bool seen[4] = {false, false, false, false};
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::size_t eq = parts[i].find('=');
        const std::string name = lower(trim(parts[i].substr(0, eq)));
        const bool has_value = eq != std::string::npos;
        const std::string value = has_value ? trim(parts[i].substr(eq + 1)) : std::string();
        int which = -1;
        if (name == "server_no_context_takeover" || name == "client_no_context_takeover") {
            which = name[0] == 's' ? 0 : 1;
            if (has_value) return false;
            (which == 0 ? e.server_nct : e.client_nct) = true;
        } else if (name == "server_max_window_bits") {
            which = 2;
            if (!has_value || !parse_bits(value, e.server_bits)) return false;
        } else if (name == "client_max_window_bits") {
            which = 3;
            e.client_bits = 0;
            if (has_value && !parse_bits(value, e.client_bits)) return false;
        } else {
            return false;
        }
        if (seen[which]) return false;
        seen[which] = true;
    }
    return true;
}

/// Why a client must refuse `e` as the answer to `offer`; empty when it may accept it.
std::string check_answer(const Element& e, const DeflateOffer& offer, DeflateParams& p) {
    if (offer.server_no_context_takeover && !e.server_nct) {
        return "the server ignored server_no_context_takeover";
    }
    if (e.server_bits != 0 && offer.server_max_window_bits != 0 &&
        e.server_bits > offer.server_max_window_bits) {
        return "server_max_window_bits=" + std::to_string(e.server_bits) + " is above the " +
               std::to_string(offer.server_max_window_bits) + " offered";
    }
    if (e.client_bits != -1) {
        if (offer.client_max_window_bits == -1) {
            return "client_max_window_bits was not offered";
        }
        if (e.client_bits == 0) return "client_max_window_bits has no value";
        if (offer.client_max_window_bits > 0 && e.client_bits > offer.client_max_window_bits) {
            return "client_max_window_bits=" + std::to_string(e.client_bits) + " is above the " +
                   std::to_string(offer.client_max_window_bits) + " offered";
        }
    }
    p = DeflateParams{};
    p.server_no_context_takeover = e.server_nct;
    p.client_no_context_takeover = e.client_nct || offer.client_no_context_takeover;
    p.server_max_window_bits = e.server_bits != 0 ? e.server_bits : 15;
    int client_bits = 15;
    if (offer.client_max_window_bits > 0) client_bits = offer.client_max_window_bits;
    if (e.client_bits > 0) client_bits = std::min(client_bits, e.client_bits);
    if (client_bits == 8) return "client_max_window_bits=8: zlib cannot compress in 256 bytes";
    p.client_max_window_bits = client_bits;
    return {};
}

constexpr std::uint8_t kTail[4] = {0x00, 0x00, 0xFF, 0xFF};

}  // namespace

std::string format_deflate_offer(const DeflateOffer& offer) {
    std::string s = "permessage-deflate";
    if (offer.client_no_context_takeover) s += "; client_no_context_takeover";
    if (offer.client_max_window_bits == 0) s += "; client_max_window_bits";
    if (offer.client_max_window_bits > 0) {
        s += "; client_max_window_bits=" + std::to_string(offer.client_max_window_bits);
    }
    if (offer.server_no_context_takeover) s += "; server_no_context_takeover";
    if (offer.server_max_window_bits > 0) {
        s += "; server_max_window_bits=" + std::to_string(offer.server_max_window_bits);
    }
    return s;
}

std::vector<std::string> split_extensions(const std::string& header) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (char ch : header) {
        if (ch == '"') quoted = !quoted;
        if (ch == ',' && !quoted) {
            cur = trim(cur);
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    cur = trim(cur);
    if (!cur.empty()) out.push_back(cur);
    return out;
}

bool parse_deflate_offer(const std::string& element, DeflateOffer& out) {
    Element e;
    if (!parse_element(element, e)) return false;
    out.server_no_context_takeover = e.server_nct;
    out.client_no_context_takeover = e.client_nct;
    out.server_max_window_bits = e.server_bits;
    out.client_max_window_bits = e.client_bits;
    return true;
}

bool negotiate_deflate(const std::string& offer, DeflateParams& out, std::string& response) {
    DeflateOffer o;
    if (!parse_deflate_offer(offer, o)) return false;
    if (o.server_max_window_bits == 8) return false;  // zlib cannot keep to 256 bytes
    DeflateParams p;
    p.server_no_context_takeover = o.server_no_context_takeover;
    p.client_no_context_takeover = o.client_no_context_takeover;
    if (o.server_max_window_bits > 0) p.server_max_window_bits = o.server_max_window_bits;
    if (o.client_max_window_bits > 0) p.client_max_window_bits = o.client_max_window_bits;
    response = "permessage-deflate";
    if (p.server_no_context_takeover) response += "; server_no_context_takeover";
    if (p.client_no_context_takeover) response += "; client_no_context_takeover";
    if (o.server_max_window_bits > 0) {
        response += "; server_max_window_bits=" + std::to_string(p.server_max_window_bits);
    }
    if (o.client_max_window_bits > 0) {
        response += "; client_max_window_bits=" + std::to_string(p.client_max_window_bits);
    }
    out = p;
    return true;
}

bool accept_deflate_response(const std::string& response, const std::vector<DeflateOffer>& offers,
                             DeflateParams& out, std::string& error) {
    const std::vector<std::string> elements = split_extensions(response);
    if (elements.size() != 1) {
        error = elements.empty() ? "no extension accepted" : "more than one extension accepted";
        return false;
    }
    Element e;
    if (!parse_element(elements[0], e)) {
        error = "not a valid permessage-deflate answer: " + elements[0];
        return false;
    }
    if (offers.empty()) {
        error = "permessage-deflate was not offered";
        return false;
    }
    for (const DeflateOffer& offer : offers) {
        DeflateParams p;
        std::string why = check_answer(e, offer, p);
        if (why.empty()) {
            out = p;
            error.clear();
            return true;
        }
        if (&offer == &offers.front()) error = std::move(why);
    }
    return false;
}

void DeflateCodec::StreamDeleter::operator()(z_stream_s* s) const noexcept {
    if (deflater) {
        deflateEnd(s);
    } else {
        inflateEnd(s);
    }
    delete s;
}

DeflateCodec::DeflateCodec(const DeflateParams& params, DeflateRole role, int level)
    : params_(params), in_(nullptr, StreamDeleter{false}), out_(nullptr, StreamDeleter{true}) {
    const bool server = role == DeflateRole::server;
    compress_resets_ =
        server ? params.server_no_context_takeover : params.client_no_context_takeover;
    inflate_resets_ =
        server ? params.client_no_context_takeover : params.server_no_context_takeover;
    const int our_bits = server ? params.server_max_window_bits : params.client_max_window_bits;
    const int peer_bits = server ? params.client_max_window_bits : params.server_max_window_bits;
    // Raw deflate streams (negative window bits): RFC 7692 strips zlib's header. The inflater
    // takes at least 9 bits: zlib's own compressors use 512 bytes when asked for 256.
    auto in = std::make_unique<z_stream_s>();
    if (inflateInit2(in.get(), -std::max(peer_bits, 9)) != Z_OK) {
        throw std::runtime_error("zlib inflateInit2 failed");
    }
    in_.reset(in.release());
    auto out = std::make_unique<z_stream_s>();
    if (deflateInit2(out.get(), level, Z_DEFLATED, -our_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("zlib deflateInit2 failed (window bits " +
                                 std::to_string(our_bits) + ")");
    }
    out_.reset(out.release());
}

DeflateCodec::~DeflateCodec() = default;

DeflateCodec::Result DeflateCodec::run_inflate(const std::uint8_t* p, std::size_t n,
                                               std::uint64_t limit) {
    z_stream_s& in = *in_;
    in.next_in = const_cast<Bytef*>(p);
    in.avail_in = static_cast<uInt>(n);
    do {
        if (inflated_.size() == inflated_.capacity()) {
            // Grow by doubling, but never past the limit (+1 to see it passed).
            const std::uint64_t cap = std::max<std::uint64_t>(inflated_.capacity() * 2, 4096);
            inflated_.reserve(static_cast<std::size_t>(std::min(cap, limit + 1)));
        }
        const std::size_t have = inflated_.size();
        const std::size_t room = inflated_.capacity() - have;
        inflated_.resize(inflated_.capacity());
        in.next_out = inflated_.data() + have;
        in.avail_out = static_cast<uInt>(room);
        const int rc = ::inflate(&in, Z_SYNC_FLUSH);
        inflated_.resize(have + (room - in.avail_out));
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return Result::error;
        if (inflated_.size() > limit) return Result::too_large;
        if (rc == Z_STREAM_END) {
            stream_ended_ = true;  // a BFINAL block: what follows in this message is ignored
            break;
        }
        if (rc == Z_BUF_ERROR && in.avail_out != 0) break;  // no progress possible
    } while (in.avail_in > 0 || in.avail_out == 0);
    return Result::ok;
}

DeflateCodec::Result DeflateCodec::inflate(const std::uint8_t* data, std::size_t size,
                                           std::uint64_t limit) {
    inflated_.clear();
    stream_ended_ = false;
    Result r = run_inflate(data, size, limit);
    if (r == Result::ok && !stream_ended_) r = run_inflate(kTail, sizeof kTail, limit);  // §7.2.2
    if (inflate_resets_ || stream_ended_ || r != Result::ok) inflateReset(in_.get());
    return r;
}

const std::vector<std::uint8_t>& DeflateCodec::compress(const std::uint8_t* a, std::size_t na,
                                                        const std::uint8_t* b, std::size_t nb) {
    z_stream_s& out = *out_;
    compressed_buf_.clear();
    const std::size_t bound = deflateBound(&out, static_cast<uLong>(na + nb)) + 16;
    compressed_buf_.resize(bound);
    out.next_out = compressed_buf_.data();
    out.avail_out = static_cast<uInt>(bound);
    out.next_in = const_cast<Bytef*>(a);
    out.avail_in = static_cast<uInt>(na);
    if (na) ::deflate(&out, Z_NO_FLUSH);
    out.next_in = const_cast<Bytef*>(b);
    out.avail_in = static_cast<uInt>(nb);
    while (::deflate(&out, Z_SYNC_FLUSH) == Z_OK && out.avail_out == 0) {
        const std::size_t used = compressed_buf_.size();
        compressed_buf_.resize(used * 2);
        out.next_out = compressed_buf_.data() + used;
        out.avail_out = static_cast<uInt>(used);
    }
    std::size_t n = compressed_buf_.size() - out.avail_out;
    // §7.2.1: drop the 00 00 FF FF a sync flush ends with.
    if (n >= 4 && std::equal(kTail, kTail + 4, compressed_buf_.data() + n - 4)) n -= 4;
    compressed_buf_.resize(n);
    if (n == 0) compressed_buf_.push_back(0x00);  // an empty message: one empty stored block
    if (compress_resets_) deflateReset(&out);
    return compressed_buf_;
}

}  // namespace wsb
