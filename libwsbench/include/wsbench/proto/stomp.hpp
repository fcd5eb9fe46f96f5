// STOMP 1.2 codec (https://stomp.github.io/stomp-specification-1.2.html): a frame encoder that
// appends to a reused string, an incremental decoder that hands out views, and the heart-beat
// negotiation. Pure: no sockets, no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace wsb::stomp {

/// The WebSocket subprotocol of STOMP 1.2 (RabbitMQ web-stomp, Spring, ActiveMQ).
constexpr std::string_view kSubprotocol = "v12.stomp";

/// The frame commands of STOMP 1.2 (§"Client Frames", §"Server Frames").
enum class Command : std::uint8_t {
    unknown,  ///< any other command line (see Frame::command_text)
    connect,
    stomp,
    connected,
    send,
    subscribe,
    unsubscribe,
    ack,
    nack,
    begin,
    commit,
    abort,
    disconnect,
    message,
    receipt,
    error,
};

/// The command's name on the wire ("SEND"); "" for unknown.
std::string_view to_string(Command c) noexcept;
/// The command named `text` (exact, upper case), or Command::unknown.
Command command_from(std::string_view text) noexcept;

/// Why the decoder stopped. The decoder stays failed after one (the stream cannot be resynced).
enum class Errc : std::uint8_t {
    ok = 0,
    frame_too_large,     ///< no complete frame within max_frame_size bytes
    bad_eol,             ///< a CR not followed by LF
    nul_in_headers,      ///< a NUL before the blank line that ends the headers
    bad_header,          ///< a header line without ':' or with an empty name
    bad_escape,          ///< a backslash not followed by \ n c r (§"Value Encoding")
    bad_content_length,  ///< content-length not a decimal number of bytes
    missing_nul,         ///< the content-length bytes of the body are not followed by NUL
};

/// A short, stable identifier ("bad_escape").
std::string_view to_string(Errc e) noexcept;

/// One header as received (unescaped) or to send (escaped by the encoder).
struct Header {
    std::string_view name;
    std::string_view value;
};

/// Whether headers of `command` are escaped: all but CONNECT and CONNECTED (§"Value Encoding",
/// kept unescaped for STOMP 1.0 compatibility).
bool escapes_headers(std::string_view command) noexcept;

/// Appends `s` escaped per §"Value Encoding": \ -> \\, LF -> \n, ':' -> \c, CR -> \r.
void append_escaped(std::string& out, std::string_view s);

/// When the encoder adds a content-length header.
enum class ContentLength : std::uint8_t {
    if_body,  ///< when the body is not empty (the default)
    always,   ///< also content-length:0
    never,    ///< not at all (a body holding NUL then ends the frame early)
};

/// Appends one frame to `out`: `command` EOL, each header `name:value` EOL (escaped unless the
/// command is CONNECT or CONNECTED), content-length as asked, EOL, `body`, NUL. Encodes what it
/// is given, repeated and invalid headers included (validation is the caller's business).
void encode_frame(std::string& out, std::string_view command, const Header* headers,
                  std::size_t header_count, std::string_view body = {},
                  ContentLength content_length = ContentLength::if_body);
inline void encode_frame(std::string& out, std::string_view command,
                         std::initializer_list<Header> headers, std::string_view body = {},
                         ContentLength content_length = ContentLength::if_body) {
    encode_frame(out, command, headers.begin(), headers.size(), body, content_length);
}

/// Appends one heart-beat: an EOL (§"Heart-beating").
inline void encode_heartbeat(std::string& out) { out.push_back('\n'); }

/// A decoded frame. Its views point into the decoder (or into the bytes last fed) and stay
/// valid until the next feed().
struct Frame {
    Command command = Command::unknown;
    std::string_view command_text;    ///< the command line as sent, CR removed
    const Header* headers = nullptr;  ///< every header in wire order, repeats included
    std::size_t header_count = 0;
    std::string_view body;  ///< content-length bytes, else up to the first NUL

    /// The first header called `name` (§"Repeated Header Entries": the first one wins);
    /// nullptr when absent.
    const Header* find(std::string_view name) const noexcept;
    /// Its value, or "" when absent.
    std::string_view header(std::string_view name) const noexcept;
};

struct DecoderOptions {
    /// Largest frame (command line to the NUL) accepted; a longer one is frame_too_large.
    std::size_t max_frame_size = std::size_t{1} << 20;
};

/// Incremental STOMP decoder for the bytes a server sends, in any split: one frame per
/// WebSocket message, several per message, or one frame over several messages.
///
/// ```
/// decoder.feed(message.data(), message.size());
/// for (;;) {
///     auto ev = decoder.next(frame);
///     if (ev == Decoder::Event::need_more) break;
///     if (ev == Decoder::Event::error) { fail(decoder.error_text()); break; }
///     if (ev == Decoder::Event::frame) handle(frame);  // heartbeat: an EOL between frames
/// }
/// ```
/// feed() does not copy when the previous input was used up: frames are then views into the
/// fed bytes, which must stay alive until the next feed(). What a frame left unfinished is
/// copied inside, once. Header values are unescaped into storage that is reused from frame to
/// frame; nothing is allocated per frame once the buffers have grown.
class Decoder {
  public:
    enum class Event : std::uint8_t {
        need_more,  ///< every byte fed was used; feed more
        frame,      ///< `frame` holds the next frame
        heartbeat,  ///< an EOL between frames (a heart-beat, or the EOLs after a NUL)
        error,      ///< the stream is malformed: error(), error_offset(), error_text()
    };

    explicit Decoder(const DecoderOptions& options = {}) : options_(options) {}

    /// Adds bytes received; invalidates the views of frames handed out before.
    void feed(const char* data, std::size_t size);
    void feed(std::string_view bytes) { feed(bytes.data(), bytes.size()); }
    /// A temporary string would be gone before next() reads it.
    void feed(std::string&&) = delete;
    /// The next frame or heart-beat of what was fed.
    Event next(Frame& frame);

    /// Back to the start of a stream, keeping the options and the grown buffers.
    void reset() noexcept;

    Errc error() const noexcept { return error_; }
    /// Offset in the whole stream (every byte fed since the start or reset()) of the byte that
    /// broke the rule.
    std::uint64_t error_offset() const noexcept { return error_offset_; }
    /// What and where, e.g. "bad_escape: a backslash not followed by \, n, c or r ('\t' in
    /// header 'foo') at byte 23 in the frame that starts at byte 10".
    const std::string& error_text() const noexcept { return error_text_; }
    /// Bytes of an unfinished frame held (0 at a frame boundary).
    std::size_t pending() const noexcept { return size_ - pos_; }

  private:
    enum class State : std::uint8_t { frame_start, headers, body };

    Event fail(Errc e, std::size_t at, std::string_view detail = {});
    Event stash();          // keeps the unfinished rest, returns need_more
    void shift() noexcept;  // offsets after the unfinished frame moved to buf_'s front
    Event scan_headers();
    Event find_content_length();
    Event complete(std::size_t nul, Frame& frame);
    Event parse_header_line(const char* line, std::size_t size, bool escaped);
    bool unescape(std::string_view in, std::string_view& out, std::size_t& bad);

    DecoderOptions options_;
    std::string buf_;              // an unfinished frame and what followed it
    bool in_buf_ = false;          // cur_ is buf_ (else the caller's bytes)
    const char* cur_ = nullptr;    // the bytes being decoded
    std::size_t size_ = 0;         // their size
    std::size_t pos_ = 0;          // start of the current frame in cur_
    std::size_t scan_ = 0;         // where the search for the next EOL or NUL resumes
    std::size_t checked_ = 0;      // the unfinished header line holds no NUL before this
    std::size_t body_start_ = 0;   // after the blank line that ends the headers
    std::size_t body_length_ = 0;  // from content-length
    bool has_length_ = false;
    State state_ = State::frame_start;
    std::uint64_t base_ = 0;  // stream offset of cur_[0]

    std::vector<Header> headers_;  // of the last frame
    std::string values_;           // unescaped names and values of the last frame

    Errc error_ = Errc::ok;
    std::uint64_t error_offset_ = 0;
    std::string error_text_;
};

/// The heart-beat intervals agreed on a connection (§"Heart-beating"), in milliseconds; 0 = none.
struct HeartBeat {
    std::uint32_t send_ms = 0;     ///< we send something at least this often
    std::uint32_t receive_ms = 0;  ///< the server sends something at least this often
};

/// Parses a heart-beat header value "x,y" (two decimal numbers of milliseconds); false when
/// malformed.
bool parse_heart_beat(std::string_view value, std::uint32_t& x, std::uint32_t& y) noexcept;

/// Negotiates from our CONNECT `heart-beat:cx,cy` and the CONNECTED frame's heart-beat value
/// (`server`, "" when the header is absent: no heart-beats): send every max(cx, sy) unless
/// either is 0, expect to receive every max(sx, cy) unless either is 0. False (and `out` all 0)
/// when `server` is malformed.
bool negotiate_heart_beat(std::uint32_t cx, std::uint32_t cy, std::string_view server,
                          HeartBeat& out) noexcept;

}  // namespace wsb::stomp
