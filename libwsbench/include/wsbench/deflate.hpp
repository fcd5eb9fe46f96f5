// permessage-deflate (RFC 7692): the Sec-WebSocket-Extensions offer and answer of either side,
// and one connection's compressor and decompressor (zlib raw deflate streams).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct z_stream_s;  // zlib's z_stream; zlib.h stays out of this header

namespace wsb {

/// The parameters agreed for one connection (RFC 7692 §7.1).
struct DeflateParams {
    bool server_no_context_takeover = false;  ///< §7.1.1.1
    bool client_no_context_takeover = false;  ///< §7.1.1.2
    int server_max_window_bits = 15;          ///< the server's compressor window (§7.1.2.1)
    int client_max_window_bits = 15;          ///< the client's compressor window (§7.1.2.2)
};

/// What a client offers in one extension element (RFC 7692 §7.1).
struct DeflateOffer {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    int server_max_window_bits = 0;   ///< 0: not offered; else 8-15
    int client_max_window_bits = -1;  ///< -1: not offered; 0: offered without a value; else 8-15
};

/// The offer's element, parameters in Autobahn's order: client_no_context_takeover,
/// client_max_window_bits, server_no_context_takeover, server_max_window_bits.
std::string format_deflate_offer(const DeflateOffer& offer);

/// Splits a Sec-WebSocket-Extensions value into its elements at the commas outside quotes
/// (RFC 6455 §9.1), each trimmed; empty elements are dropped.
std::vector<std::string> split_extensions(const std::string& header);

/// Parses one offered element as a server reads it. False when it is not permessage-deflate or
/// has an unknown, repeated or invalid parameter (§7: decline that offer).
bool parse_deflate_offer(const std::string& element, DeflateOffer& out);

/// Answers one offered element as a server would: accepts every parameter offered (echoing
/// server_max_window_bits, and client_max_window_bits when it has a value). False when the
/// element is declined (parse_deflate_offer) or asks for a window zlib cannot keep to
/// (server_max_window_bits=8: zlib has no 256-byte window). `response` gets the answer.
bool negotiate_deflate(const std::string& offer, DeflateParams& out, std::string& response);

/// Checks a server's answer as a client must (§7.1): one permessage-deflate element, no
/// unknown, repeated or invalid parameter, server_no_context_takeover present when offered,
/// server_max_window_bits no larger than offered, client_max_window_bits only when offered
/// and no larger than its value, and no window of 8 bits for our own compressor (zlib cannot).
/// Tries each of `offers` (the elements sent, in order); true with `out` set when the answer
/// fits one, else false with `error` naming what the client must refuse.
bool accept_deflate_response(const std::string& response, const std::vector<DeflateOffer>& offers,
                             DeflateParams& out, std::string& error);

/// Which side of the connection a DeflateCodec is: it compresses with its own side's window
/// and context takeover and inflates with the peer's.
enum class DeflateRole : std::uint8_t { server, client };

/// One connection's compression state (§7.2). The buffers grow to the largest message and are
/// reused: no allocation per message once warm. Throws std::runtime_error when zlib cannot
/// initialise (a window of 8 bits for our compressor).
class DeflateCodec {
  public:
    enum class Result : std::uint8_t { ok, too_large, error };

    /// `level`: zlib's compression level (-1: its default, 1: fastest).
    DeflateCodec(const DeflateParams& params, DeflateRole role, int level = -1);
    ~DeflateCodec();
    DeflateCodec(const DeflateCodec&) = delete;
    DeflateCodec& operator=(const DeflateCodec&) = delete;

    const DeflateParams& params() const noexcept { return params_; }
    /// True when our compressor starts afresh for every message (our side's no_context_takeover):
    /// the same payload then always compresses to the same bytes.
    bool compress_resets() const noexcept { return compress_resets_; }

    /// A data message starts; `rsv1` is the RSV1 bit of its first frame (§6).
    void begin_message(bool rsv1) noexcept { compressed_ = rsv1; }
    bool message_compressed() const noexcept { return compressed_; }

    /// Decompresses a whole message (§7.2.2: the stripped 00 00 FF FF is appended) into
    /// inflated(). too_large as soon as the output passes `limit` (a decompression bomb costs at
    /// most about `limit` bytes: close 1009); error on invalid data (close 1007). A message
    /// ending the stream (a BFINAL block) starts a fresh stream for the next one.
    Result inflate(const std::uint8_t* data, std::size_t size, std::uint64_t limit);
    const std::vector<std::uint8_t>& inflated() const noexcept { return inflated_; }

    /// Compresses `a` then `b` as one message (§7.2.1, tail removed); returns the frame payload.
    /// Valid until the next call.
    const std::vector<std::uint8_t>& compress(const std::uint8_t* a, std::size_t na,
                                              const std::uint8_t* b, std::size_t nb);
    const std::vector<std::uint8_t>& compress(const std::uint8_t* data, std::size_t size) {
        return compress(nullptr, 0, data, size);
    }

  private:
    Result run_inflate(const std::uint8_t* data, std::size_t size, std::uint64_t limit);

    struct StreamDeleter {
        bool deflater;
        void operator()(z_stream_s* s) const noexcept;
    };
    using Stream = std::unique_ptr<z_stream_s, StreamDeleter>;

    DeflateParams params_;
    bool compress_resets_ = false;
    bool inflate_resets_ = false;
    bool compressed_ = false;
    bool stream_ended_ = false;
    Stream in_;
    Stream out_;
    std::vector<std::uint8_t> inflated_;
    std::vector<std::uint8_t> compressed_buf_;
};

}  // namespace wsb
