// Sections 12 and 13 of the Autobahn testsuite: permessage-deflate (RFC 7692). Each case
// offers compression, then sends 1000 compressed messages one at a time (the next when the
// echo of the last is back), each a slice of a test data set continuing where the last ended
// and wrapping around, and checks every echo's type and content. 12.x: the default offer, five
// data sets; 13.x: the JSON data set under seven offers. UNIMPLEMENTED when the server
// declines every offer (the runner closes at once).
//
// Autobahn's data files (Faust, a bitmap, a PDF...) are not shipped here: the data sets are
// generated, deterministic, of the same sizes and kinds (text sent as text or as binary), so
// their compression behaves alike.
#include <cstring>
#include <memory>
#include <string>

#include "conformance/cases/common.hpp"

namespace wsb::conformance {

using namespace cases;

namespace {

/// One test data set: Autobahn's description, size and message type.
struct DataSet {
    const char* desc;
    std::size_t size;
    bool binary;
    std::string (*make)(std::size_t size);
};

/// A small deterministic generator (xorshift64*).
struct Rng {
    std::uint64_t x;
    std::uint64_t next() {
        x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
        return x * 2685821657736338717ull;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

const char* const kWords[] = {"the",   "data",     "server", "message", "frame",  "window",
                              "value", "compress", "socket", "stream",  "client", "context",
                              "bits",  "deflate",  "echo",   "request", "answer", "result"};

std::string make_json(std::size_t size) {
    Rng r{0x4a534f4e};
    std::string s = "[";
    for (std::size_t id = 1; s.size() < size; ++id) {
        s += "{\"id\":" + std::to_string(id) + ",\"name\":\"" + kWords[r.below(18)] + " " +
             kWords[r.below(18)] + "\",\"score\":" + std::to_string(r.below(100000) / 100.0) +
             ",\"active\":" + (r.below(2) ? "true" : "false") + ",\"tags\":[\"" +
             kWords[r.below(18)] + "\",\"" + kWords[r.below(18)] + "\"]},\n";
    }
    s.resize(size);
    return s;
}

std::string make_bitmap(std::size_t size) {
    // A 512x512 8-bit grey bitmap: 54 octets of header, a 1024-octet palette, smooth pixels.
    std::string s(size, '\0');
    const char head[] = "BM";
    std::memcpy(&s[0], head, 2);
    for (std::size_t i = 0; i < 256 && 54 + i * 4 + 3 < size; ++i) {
        for (int c = 0; c < 3; ++c)
            s[54 + i * 4 + static_cast<std::size_t>(c)] = static_cast<char>(i);
    }
    Rng r{0x4c454e41};
    for (std::size_t i = 1078; i < size; ++i) {
        const std::size_t x = (i - 1078) % 512;
        const std::size_t y = (i - 1078) / 512;
        const std::size_t v = (x * 3 + y * 5 + (x * y) / 64) % 200 + r.below(24);
        s[i] = static_cast<char>(v);
    }
    return s;
}

std::string make_prose(std::size_t size) {
    // German verse, UTF-8 (umlauts), as Faust: sent as binary.
    const char* const words[] = {
        "Habe", "nun",       "ach",      "Philosophie", "Juristerei", "Medizin", "und",    "leider",
        "auch", "Theologie", "durchaus", "studiert",    "mit",        "heißem",  "Bemühn", "Da",
        "steh", "ich",       "armer",    "Tor",         "König",      "Größe",   "Gefühl", "Geist"};
    Rng r{0x46415553};
    std::string s;
    while (s.size() < size) {
        const std::size_t n = 4 + r.below(6);
        for (std::size_t i = 0; i < n; ++i)
            s += std::string(words[r.below(24)]) + (i + 1 < n ? " " : "");
        s += r.below(3) ? ",\n" : ".\n\n";
    }
    s.resize(size);
    return s;
}

std::string make_html(std::size_t size) {
    Rng r{0x48544d4c};
    std::string s = "<!DOCTYPE html>\n<html><head><title>data</title></head><body>\n";
    while (s.size() < size) {
        s += "<div class=\"item\"><h2>" + std::string(kWords[r.below(18)]) + "</h2><p>";
        for (std::size_t i = 0, n = 8 + r.below(20); i < n; ++i) {
            s += std::string(kWords[r.below(18)]) + " ";
        }
        s += "<a href=\"/" + std::string(kWords[r.below(18)]) + "/" +
             std::to_string(r.below(10000)) + "\">more</a></p></div>\n";
    }
    s.resize(size);
    return s;
}

std::string make_pdf(std::size_t size) {
    // Mostly compressed streams (random octets) between small text dictionaries, as a PDF.
    Rng r{0x50444621};
    std::string s = "%PDF-1.4\n";
    for (int obj = 1; s.size() < size; ++obj) {
        s += std::to_string(obj) + " 0 obj\n<< /Length 4096 /Filter /FlateDecode >>\nstream\n";
        for (int i = 0; i < 4096; ++i) s += static_cast<char>(r.next() >> 56);
        s += "\nendstream\nendobj\n";
    }
    s.resize(size);
    return s;
}

// Autobahn's data sets, in its order (12.1-12.5), with its file sizes.
const DataSet kDataSets[] = {
    {"Large JSON data file", 194056, false, make_json},
    {"Lena Picture, Bitmap 512x512 bw", 263222, true, make_bitmap},
    {"Human readable text, Goethe's Faust I (German)", 222218, true, make_prose},
    {"Large HTML file", 263647, false, make_html},
    {"A larger PDF", 1042328, true, make_pdf},
};

/// Payload length, message count, case timeout (s), auto-fragment size: Autobahn's MSG_SIZES.
struct MsgSize {
    std::size_t length;
    std::uint64_t count;
    double timeout;
    std::size_t fragment;
};
const MsgSize kSizes[] = {
    {16, 1000, 60, 0},         {64, 1000, 60, 0},         {256, 1000, 120, 0},
    {1024, 1000, 240, 0},      {4096, 1000, 480, 0},      {8192, 1000, 480, 0},
    {16384, 1000, 480, 0},     {32768, 1000, 480, 0},     {65536, 1000, 480, 0},
    {131072, 1000, 480, 0},    {8192, 1000, 480, 256},    {16384, 1000, 480, 256},
    {32768, 1000, 480, 256},   {65536, 1000, 480, 256},   {131072, 1000, 480, 256},
    {131072, 1000, 480, 1024}, {131072, 1000, 480, 4096}, {131072, 1000, 480, 32768},
};

/// The data set's octets, generated once per process and shared by every case.
const std::string& data_of(std::size_t set) {
    static const std::unique_ptr<const std::string> all[5] = {
        std::make_unique<const std::string>(kDataSets[0].make(kDataSets[0].size)),
        std::make_unique<const std::string>(kDataSets[1].make(kDataSets[1].size)),
        std::make_unique<const std::string>(kDataSets[2].make(kDataSets[2].size)),
        std::make_unique<const std::string>(kDataSets[3].make(kDataSets[3].size)),
        std::make_unique<const std::string>(kDataSets[4].make(kDataSets[4].size)),
    };
    return *all[set];
}

/// Message `k` (0-based): `length` octets from offset k*length, wrapping (Autobahn's sendOne).
/// A contiguous slice is returned in place; a wrapped one is built in `scratch`.
std::pair<const std::uint8_t*, std::size_t> slice(const std::string& data, std::size_t length,
                                                  std::uint64_t k, std::string& scratch) {
    const std::size_t n = data.size();
    const std::size_t from = static_cast<std::size_t>((k * length) % n);
    const auto* base = reinterpret_cast<const std::uint8_t*>(data.data());
    if (from + length <= n) return {base + from, length};
    scratch.assign(data, from, n - from);
    scratch.append(data, 0, length - (n - from));
    return {reinterpret_cast<const std::uint8_t*>(scratch.data()), length};
}

void send_one(CaseContext& ctx, const std::string& data, bool binary, const MsgSize& m) {
    std::string scratch;
    const auto [p, n] = slice(data, m.length, ctx.counter(), scratch);
    ctx.send_compressed(binary, p, n, m.fragment);
}

const char* const kDone = "1000 compressed echoes";

CaseSpec deflate_case(std::string id, std::string desc, std::size_t set,
                      std::vector<DeflateOffer> offers, const MsgSize& m) {
    const bool binary = kDataSets[set].binary;
    CaseSpec c = make_case(
        std::move(id), std::move(desc),
        "Receive echo'ed messages (with payload as sent). Timeout case after " +
            std::to_string(static_cast<int>(m.timeout)) + " secs.",
        [set, binary, m](CaseContext& ctx) {
            if (!ctx.deflate_negotiated()) {
                ctx.send_close(1000);  // UNIMPLEMENTED (judge.cpp)
                return;
            }
            ctx.close_after(m.timeout);
            send_one(ctx, data_of(set), binary, m);
        },
        {Event::mark(kDone)}, runner_closes());
    c.deflate_offers = std::move(offers);
    // Each echo must be the message sent: type, length and octets (Autobahn checks SHA-1).
    c.on_message = [set, binary, m](CaseContext& ctx, const Event& e) {
        std::string scratch;
        const auto [p, n] = slice(data_of(set), m.length, ctx.counter(), scratch);
        if (e.binary != binary || e.length != n || std::memcmp(e.payload.data(), p, n) != 0) {
            ctx.send_close(1000);
            return true;  // recorded: the events differ, FAILED
        }
        if (++ctx.counter() < m.count) {
            send_one(ctx, data_of(set), binary, m);
        } else {
            ctx.record(Event::mark(kDone));
            ctx.send_close(1000);
        }
        return false;
    };
    return c;
}

std::string message_text(const MsgSize& m) {
    return "Send " + std::to_string(m.count) + " compressed messages each of payload size " +
           std::to_string(m.length) + ", auto-fragment to " + std::to_string(m.fragment) +
           " octets.";
}

}  // namespace

void add_section12(std::vector<CaseSpec>& out) {
    DeflateOffer plain;  // Autobahn's default offer
    plain.client_no_context_takeover = true;
    plain.client_max_window_bits = 0;
    for (std::size_t set = 0; set < 5; ++set) {
        for (std::size_t i = 0; i < 18; ++i) {
            out.push_back(
                deflate_case("12." + std::to_string(set + 1) + "." + std::to_string(i + 1),
                             message_text(kSizes[i]) + " Use default permessage-deflate offer.",
                             set, {plain}, kSizes[i]));
        }
    }
}

void add_section13(std::vector<CaseSpec>& out) {
    // Autobahn's client offers (requestNoContextTakeover, requestMaxWindowBits) per 13.x. Its
    // 0.10.9 asks for 8 bits, which zlib cannot honour (it uses 9): we ask for 9.
    struct Request {
        bool no_context_takeover;
        int max_window_bits;
    };
    const std::vector<std::vector<Request>> params = {
        {{false, 0}},
        {{true, 0}},
        {{false, 9}},
        {{false, 15}},
        {{true, 9}},
        {{true, 15}},
        {{true, 9}, {true, 0}, {false, 0}},
    };
    for (std::size_t j = 0; j < params.size(); ++j) {
        std::vector<DeflateOffer> offers;
        std::string desc;
        for (const Request& r : params[j]) {
            DeflateOffer o;
            o.client_no_context_takeover = true;
            o.client_max_window_bits = 0;
            o.server_no_context_takeover = r.no_context_takeover;
            o.server_max_window_bits = r.max_window_bits;
            offers.push_back(o);
            desc += std::string(desc.empty() ? "" : ", ") + "(" +
                    (r.no_context_takeover ? "True" : "False") + ", " +
                    std::to_string(r.max_window_bits) + ")";
        }
        for (std::size_t i = 0; i < 18; ++i) {
            out.push_back(
                deflate_case("13." + std::to_string(j + 1) + "." + std::to_string(i + 1),
                             message_text(kSizes[i]) +
                                 " Use permessage-deflate client offers (requestNoContextTakeover, "
                                 "requestMaxWindowBits): [" +
                                 desc + "]",
                             0, offers, kSizes[i]));
        }
    }
}

}  // namespace wsb::conformance
