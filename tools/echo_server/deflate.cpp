// permessage-deflate (RFC 7692): negotiation and per-connection zlib streams.
#include "echo_server/deflate.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace wsb::echo {
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

/// A window-bits value: 8-15, no sign, no leading zero (RFC 7692 §7.1.2).
bool parse_bits(std::string v, int& out) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty() || v.size() > 2 || v[0] == '0') return false;
    for (char ch : v) {
        if (ch < '0' || ch > '9') return false;
    }
    out = std::stoi(v);
    return out >= 8 && out <= 15;
}

constexpr std::uint8_t kTail[4] = {0x00, 0x00, 0xFF, 0xFF};

}  // namespace

bool negotiate_deflate(const std::string& offer, DeflateParams& out, std::string& response) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t semi = offer.find(';', start);
        parts.push_back(trim(offer.substr(start, semi == std::string::npos ? semi : semi - start)));
        if (semi == std::string::npos) break;
        start = semi + 1;
    }
    if (lower(parts[0]) != "permessage-deflate") return false;
    DeflateParams p;
    bool seen[4] = {false, false, false, false};
    bool client_bits_valued = false;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::size_t eq = parts[i].find('=');
        const std::string name = lower(trim(parts[i].substr(0, eq)));
        const bool has_value = eq != std::string::npos;
        const std::string value = has_value ? trim(parts[i].substr(eq + 1)) : std::string();
        int which = -1;
        if (name == "server_no_context_takeover") {
            which = 0;
            if (has_value) return false;
            p.server_no_context_takeover = true;
        } else if (name == "client_no_context_takeover") {
            which = 1;
            if (has_value) return false;
            p.client_no_context_takeover = true;
        } else if (name == "server_max_window_bits") {
            which = 2;
            if (!has_value || !parse_bits(value, p.server_max_window_bits)) return false;
            if (p.server_max_window_bits == 8) return false;  // zlib cannot keep to 256 bytes
        } else if (name == "client_max_window_bits") {
            which = 3;
            if (has_value) {
                if (!parse_bits(value, p.client_max_window_bits)) return false;
                client_bits_valued = true;
            }
        } else {
            return false;  // unknown parameter: decline this offer
        }
        if (seen[which]) return false;
        seen[which] = true;
    }
    response = "permessage-deflate";
    if (p.server_no_context_takeover) response += "; server_no_context_takeover";
    if (p.client_no_context_takeover) response += "; client_no_context_takeover";
    if (seen[2]) response += "; server_max_window_bits=" + std::to_string(p.server_max_window_bits);
    if (client_bits_valued) {
        response += "; client_max_window_bits=" + std::to_string(p.client_max_window_bits);
    }
    out = p;
    return true;
}

std::unique_ptr<Deflate> Deflate::negotiate(const std::vector<std::string>& offers,
                                            std::string& response) {
    for (const std::string& offer : offers) {
        DeflateParams p;
        if (negotiate_deflate(offer, p, response)) return std::make_unique<Deflate>(p);
    }
    return nullptr;
}

Deflate::Deflate(const DeflateParams& params) : params_(params) {
    // Raw deflate streams (negative window bits): RFC 7692 strips zlib's header.
    if (inflateInit2(&in_, -std::max(params_.client_max_window_bits, 9)) != Z_OK ||
        deflateInit2(&out_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -params_.server_max_window_bits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("zlib initialisation failed");
    }
}

Deflate::~Deflate() {
    inflateEnd(&in_);
    deflateEnd(&out_);
}

Deflate::Result Deflate::inflate(const std::uint8_t* data, std::size_t size, std::uint64_t limit) {
    inflated_.clear();
    auto run = [&](const std::uint8_t* p, std::size_t n) -> Result {
        in_.next_in = const_cast<Bytef*>(p);
        in_.avail_in = static_cast<uInt>(n);
        do {
            if (inflated_.size() == inflated_.capacity()) {
                inflated_.reserve(std::max<std::size_t>(inflated_.capacity() * 2, 4096));
            }
            const std::size_t have = inflated_.size();
            const std::size_t room = inflated_.capacity() - have;
            inflated_.resize(inflated_.capacity());
            in_.next_out = inflated_.data() + have;
            in_.avail_out = static_cast<uInt>(room);
            const int rc = ::inflate(&in_, Z_SYNC_FLUSH);
            inflated_.resize(have + (room - in_.avail_out));
            if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return Result::error;
            if (inflated_.size() > limit) return Result::too_large;
            if (rc == Z_BUF_ERROR && in_.avail_out != 0) break;  // no progress possible
        } while (in_.avail_in > 0 || in_.avail_out == 0);
        return Result::ok;
    };
    Result r = run(data, size);
    if (r == Result::ok) r = run(kTail, sizeof kTail);  // §7.2.2: the stripped tail
    if (params_.client_no_context_takeover || r != Result::ok) inflateReset(&in_);
    return r;
}

const std::vector<std::uint8_t>& Deflate::compress(const std::uint8_t* a, std::size_t na,
                                                   const std::uint8_t* b, std::size_t nb) {
    compressed_buf_.clear();
    const std::size_t bound = deflateBound(&out_, static_cast<uLong>(na + nb)) + 16;
    compressed_buf_.resize(bound);
    out_.next_out = compressed_buf_.data();
    out_.avail_out = static_cast<uInt>(bound);
    out_.next_in = const_cast<Bytef*>(a);
    out_.avail_in = static_cast<uInt>(na);
    if (na) ::deflate(&out_, Z_NO_FLUSH);
    out_.next_in = const_cast<Bytef*>(b);
    out_.avail_in = static_cast<uInt>(nb);
    while (::deflate(&out_, Z_SYNC_FLUSH) == Z_OK && out_.avail_out == 0) {
        const std::size_t used = compressed_buf_.size();
        compressed_buf_.resize(used * 2);
        out_.next_out = compressed_buf_.data() + used;
        out_.avail_out = static_cast<uInt>(used);
    }
    std::size_t n = compressed_buf_.size() - out_.avail_out;
    // §7.2.1: drop the 00 00 FF FF a sync flush ends with.
    if (n >= 4 && std::equal(kTail, kTail + 4, compressed_buf_.data() + n - 4)) n -= 4;
    compressed_buf_.resize(n);
    if (n == 0) compressed_buf_.push_back(0x00);  // an empty message: one empty stored block
    if (params_.server_no_context_takeover) deflateReset(&out_);
    return compressed_buf_;
}

}  // namespace wsb::echo
