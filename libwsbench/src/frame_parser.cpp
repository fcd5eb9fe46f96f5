// FrameParser: header decoding (whole or split), validation, limits and payload hand-out.
#include "wsbench/frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace wsb {
namespace {

/// Header size implied by the second header byte: 2, plus 2 or 8 length bytes, plus 4 mask
/// key bytes (§5.2).
inline std::size_t header_size_from(std::uint8_t byte1) noexcept {
    const std::uint8_t len7 = byte1 & 0x7F;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((byte1 & 0x80) ? 4 : 0);
}

}  // namespace

void FrameParser::reset() noexcept { *this = FrameParser(options_); }

std::size_t FrameParser::fail(Errc e, std::size_t consumed, FrameEvent& ev) noexcept {
    error_ = e;
    ev.kind = FrameEvent::Kind::error;
    ev.error = e;
    ev.header = frame_;
    ev.data = nullptr;
    ev.size = 0;
    return consumed;
}

Errc FrameParser::begin_frame(const std::uint8_t* h) noexcept {
    frame_.fin = (h[0] & 0x80) != 0;
    frame_.rsv1 = (h[0] & 0x40) != 0;
    frame_.rsv2 = (h[0] & 0x20) != 0;
    frame_.rsv3 = (h[0] & 0x10) != 0;
    frame_.opcode = static_cast<Opcode>(h[0] & 0x0F);
    frame_.masked = (h[1] & 0x80) != 0;
    const std::uint8_t len7 = h[1] & 0x7F;
    std::size_t pos = 2;
    std::uint64_t length = len7;
    bool minimal = true;
    if (len7 == 126) {
        length = (std::uint64_t{h[2]} << 8) | h[3];
        pos = 4;
        minimal = length > 125;
    } else if (len7 == 127) {
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | h[i];
        pos = 10;
        minimal = length > 0xFFFF;
    }
    frame_.payload_length = length;
    if (frame_.masked) {
        std::memcpy(frame_.mask_key.data(), h + pos, 4);
    } else {
        frame_.mask_key = {};
    }

    if (options_.check) {
        ValidateContext ctx;
        ctx.receiver = options_.role;
        ctx.message_in_progress = in_message_;
        ctx.allow_rsv1 = options_.allow_rsv1;
        ctx.allow_rsv2 = options_.allow_rsv2;
        ctx.allow_rsv3 = options_.allow_rsv3;
        FrameHeader checked = frame_;
        if (options_.ignore_rsv) checked.rsv1 = checked.rsv2 = checked.rsv3 = false;
        if (const Errc e = validate(checked, ctx); e != Errc::ok) return e;
        if (!minimal) return Errc::non_minimal_length;
    }
    if (length > options_.max_frame_size) return Errc::frame_too_large;

    if (!is_control(frame_.opcode)) {
        // A stray continuation (only seen with check off) continues nothing: it starts its
        // own message, so offsets and the size limit do not carry over a finished message.
        if (frame_.opcode != Opcode::continuation || !in_message_) {
            message_opcode_ = frame_.opcode;
            message_size_ = 0;
        }
        // message_size_ never exceeds max_message_size, so the subtraction cannot wrap.
        if (length > options_.max_message_size - message_size_) return Errc::message_too_large;
        message_base_ = message_size_;
        message_size_ += length;
        in_message_ = !frame_.fin;
    }
    remaining_ = length;
    frame_offset_ = 0;
    state_ = State::payload;
    return Errc::ok;
}

std::size_t FrameParser::emit(const std::uint8_t* data, std::size_t size, std::size_t consumed,
                              FrameEvent& ev) noexcept {
    const bool control = is_control(frame_.opcode);
    ev.kind = FrameEvent::Kind::payload;
    ev.error = Errc::ok;
    ev.header = frame_;
    ev.message_opcode = control ? frame_.opcode : message_opcode_;
    ev.data = data;
    ev.size = size;
    ev.frame_offset = frame_offset_;
    ev.message_offset = control ? frame_offset_ : message_base_ + frame_offset_;
    frame_offset_ += size;
    remaining_ -= size;
    ev.frame_end = remaining_ == 0;
    ev.message_end = ev.frame_end && !control && frame_.fin;
    if (ev.frame_end) state_ = State::header;
    return consumed;
}

std::size_t FrameParser::parse(std::uint8_t* data, std::size_t size, FrameEvent& ev) noexcept {
    ev.kind = FrameEvent::Kind::need_more;
    if (error_ != Errc::ok) return fail(error_, 0, ev);

    std::size_t pos = 0;
    if (state_ == State::header) {
        const std::uint8_t* header = nullptr;
        if (header_have_ == 0 && size >= 2 && size >= header_size_from(data[1])) {
            // Fast path: the whole header is in the caller's buffer.
            header = data;
            pos = header_size_from(data[1]);
        } else {
            // Split header: gather it in header_buf_, first the two fixed bytes, then the
            // rest whose size they announce.
            for (;;) {
                const std::size_t need = header_have_ < 2 ? 2 : header_size_from(header_buf_[1]);
                const std::size_t take = std::min(need - header_have_, size - pos);
                // Guarded: `data` may be null when size is 0, and memcpy's source must not be.
                if (take != 0) std::memcpy(header_buf_.data() + header_have_, data + pos, take);
                header_have_ = static_cast<std::uint8_t>(header_have_ + take);
                pos += take;
                if (header_have_ < need) return pos;
                if (need > 2 || header_size_from(header_buf_[1]) == 2) break;
            }
            header = header_buf_.data();
            header_have_ = 0;
        }
        if (const Errc e = begin_frame(header); e != Errc::ok) return fail(e, pos, ev);
        if (remaining_ == 0) return emit(data + pos, 0, pos, ev);
        if (pos == size) return pos;
    }

    // Payload: as much of the current frame as this input holds.
    std::uint8_t* payload = data + pos;
    const std::size_t avail =
        static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size - pos));
    const bool unmask = options_.unmask && frame_.masked;

    if (is_control(frame_.opcode) && frame_.payload_length <= control_buf_.size()) {
        // Control payloads are handed out whole; buffer them only when they arrive split.
        if (control_have_ == 0 && avail == remaining_) {
            if (unmask) apply_mask(payload, avail, frame_.mask_key, 0);
            return emit(payload, avail, pos + avail, ev);
        }
        // remaining_ counts from the frame start until the payload is handed out.
        const std::size_t take = std::min<std::size_t>(remaining_ - control_have_, size - pos);
        if (take != 0) std::memcpy(control_buf_.data() + control_have_, payload, take);
        control_have_ = static_cast<std::uint8_t>(control_have_ + take);
        pos += take;
        if (control_have_ < frame_.payload_length) return pos;
        if (unmask) apply_mask(control_buf_.data(), control_have_, frame_.mask_key, 0);
        const std::size_t n = control_have_;
        control_have_ = 0;
        return emit(control_buf_.data(), n, pos, ev);
    }

    if (unmask)
        apply_mask(payload, avail, frame_.mask_key, static_cast<std::size_t>(frame_offset_));
    return emit(payload, avail, pos + avail, ev);
}

}  // namespace wsb
