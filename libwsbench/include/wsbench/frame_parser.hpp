// FrameParser: a push parser for RFC 6455 frames that resumes at any byte boundary, unmasks
// in place and hands out payload views without allocating.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "wsbench/error.hpp"
#include "wsbench/frame.hpp"

namespace wsb {

/// Settings of a FrameParser.
struct ParserOptions {
    static constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

    Role role = Role::server;  ///< our side: a server parses masked client frames (§5.1)
    std::uint64_t max_frame_size = kNoLimit;    ///< larger frame payload: frame_too_large (1009)
    std::uint64_t max_message_size = kNoLimit;  ///< larger message: message_too_large (1009)
    bool allow_rsv1 = false;  ///< RSV1 defined by a negotiated extension (permessage-deflate)
    bool allow_rsv2 = false;
    bool allow_rsv3 = false;
    bool ignore_rsv = false;  ///< accept reserved bits on any frame, even control frames
                              ///< (breaks §5.2 on purpose: the echo server's --misbehave)
    bool unmask = true;       ///< unmask masked payloads in the caller's buffer
    bool check = true;        ///< enforce validate() and the minimal length rule; false decodes
                              ///< anything (for observers such as the conformance runner)
};

/// One result of FrameParser::parse().
struct FrameEvent {
    enum class Kind : std::uint8_t {
        need_more,  ///< every byte given was consumed; call again with more
        payload,    ///< a piece of a frame's payload (possibly empty), see data/size
        error,      ///< the stream broke a rule; `error` says which, the parser stays failed
    };
    Kind kind = Kind::need_more;
    Errc error = Errc::ok;
    FrameHeader header;  ///< header of the frame the payload belongs to
    /// text/binary of the message a data frame continues (continuation for a stray one,
    /// check off); the opcode of a control frame
    Opcode message_opcode = Opcode::continuation;
    const std::uint8_t* data = nullptr;  ///< payload bytes, unmasked when options.unmask
    std::size_t size = 0;
    std::uint64_t frame_offset = 0;    ///< offset of `data` in the frame's payload
    std::uint64_t message_offset = 0;  ///< offset of `data` in the message (data frames)
    bool frame_end = false;            ///< this piece completes the frame
    bool message_end = false;  ///< ...and the frame was the final (FIN) frame of a data message

    bool is_control() const noexcept { return wsb::is_control(header.opcode); }
};

/// Push parser for a stream of frames (RFC 6455 §5.2).
///
/// Feed it the bytes read from a connection:
/// ```
/// for (size_t pos = 0; pos < n;) {
///     pos += parser.parse(buf + pos, n - pos, ev);
///     if (ev.kind == FrameEvent::Kind::payload) ... else if (ev.kind == error) ...
/// }
/// ```
/// Each call returns at most one event and the number of bytes it consumed. Data frame
/// payloads are handed out in pieces as they arrive, as views into the caller's buffer
/// (unmasked in place, so the buffer must be writable). Control frame payloads (at most
/// 125 bytes) are always handed out whole in one event, copied into the parser only when
/// they arrive split. A frame with an empty payload yields one event with size 0.
/// The parser allocates nothing and never reads past `size`.
///
/// Errors: everything validate() reports, non_minimal_length, frame_too_large and
/// message_too_large; close_code_for(error) is the close code to fail the connection with.
class FrameParser {
  public:
    explicit FrameParser(const ParserOptions& options = {}) noexcept : options_(options) {}

    /// Consumes bytes from `data` until one event is ready or the input runs out; fills
    /// `ev` and returns the number of bytes consumed. Once an error was reported every
    /// later call reports it again and consumes nothing. `data` may be null when `size` is 0.
    std::size_t parse(std::uint8_t* data, std::size_t size, FrameEvent& ev) noexcept;

    /// Back to the start of a stream, keeping the options.
    void reset() noexcept;

    /// The error that stopped the parser, or Errc::ok.
    Errc error() const noexcept { return error_; }
    /// A fragmented data message has begun and its final frame has not ended yet.
    bool message_in_progress() const noexcept { return in_message_; }
    /// No partial frame is buffered or pending: the stream is at a frame boundary.
    bool at_frame_boundary() const noexcept { return state_ == State::header && header_have_ == 0; }
    const ParserOptions& options() const noexcept { return options_; }

  private:
    enum class State : std::uint8_t { header, payload };

    std::size_t fail(Errc e, std::size_t consumed, FrameEvent& ev) noexcept;
    Errc begin_frame(const std::uint8_t* header) noexcept;
    std::size_t emit(const std::uint8_t* data, std::size_t size, std::size_t consumed,
                     FrameEvent& ev) noexcept;

    ParserOptions options_;
    State state_ = State::header;
    Errc error_ = Errc::ok;

    FrameHeader frame_;               // header of the current frame
    std::uint64_t remaining_ = 0;     // payload bytes of the current frame still to come
    std::uint64_t frame_offset_ = 0;  // payload bytes of the current frame already handed out

    bool in_message_ = false;                       // a data message is open
    Opcode message_opcode_ = Opcode::continuation;  // its opcode (text/binary)
    std::uint64_t message_size_ = 0;                // its payload bytes up to this frame's end
    std::uint64_t message_base_ = 0;                // its payload bytes before this frame

    std::uint8_t header_have_ = 0;   // bytes of a split header buffered in header_buf_
    std::uint8_t control_have_ = 0;  // bytes of a split control payload buffered
    std::array<std::uint8_t, kMaxFrameHeaderSize> header_buf_{};
    std::array<std::uint8_t, 125> control_buf_{};
};

}  // namespace wsb
