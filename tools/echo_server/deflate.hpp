// permessage-deflate (RFC 7692) for the fast engine: the server's side of the negotiation
// and one connection's compressor and decompressor.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wsb::echo {

/// The parameters agreed for one connection (RFC 7692 §7.1).
struct DeflateParams {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    int server_max_window_bits = 15;  ///< our compressor's window
    int client_max_window_bits = 15;  ///< the client's compressor's window (our inflater's)
};

/// Parses one offered element ("permessage-deflate; client_max_window_bits") into `out`,
/// answering as a server would. False when the element is not permessage-deflate, or has
/// an unknown, repeated or invalid parameter (RFC 7692 §7: decline that offer), or asks
/// for a window we cannot honour (zlib has no 256-byte window, so server_max_window_bits=8
/// is declined). `response` gets the Sec-WebSocket-Extensions value to answer with.
bool negotiate_deflate(const std::string& offer, DeflateParams& out, std::string& response);

/// One connection's compression state. Allocated only for connections that negotiated
/// the extension; the buffers grow to the largest message and are reused.
class Deflate {
  public:
    enum class Result { ok, too_large, error };

    /// The first acceptable offer among `offers` (in the client's order), or nullptr.
    static std::unique_ptr<Deflate> negotiate(const std::vector<std::string>& offers,
                                              std::string& response);

    explicit Deflate(const DeflateParams& params);
    ~Deflate();
    Deflate(const Deflate&) = delete;
    Deflate& operator=(const Deflate&) = delete;

    /// A data message starts; `rsv1` is the RSV1 bit of its first frame.
    void begin_message(bool rsv1) noexcept { compressed_ = rsv1; }
    bool message_compressed() const noexcept { return compressed_; }

    /// Decompresses a whole message into inflated(); too_large once it passes `limit`.
    Result inflate(const std::uint8_t* data, std::size_t size, std::uint64_t limit);
    const std::vector<std::uint8_t>& inflated() const noexcept { return inflated_; }

    /// Compresses `a` then `b` as one message; returns the bytes for the frame payload.
    const std::vector<std::uint8_t>& compress(const std::uint8_t* a, std::size_t na,
                                              const std::uint8_t* b, std::size_t nb);

  private:
    DeflateParams params_;
    z_stream in_{};
    z_stream out_{};
    bool compressed_ = false;
    std::vector<std::uint8_t> inflated_;
    std::vector<std::uint8_t> compressed_buf_;
};

}  // namespace wsb::echo
