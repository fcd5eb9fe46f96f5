// The output queue of one fast-engine connection: a growable byte buffer that never
// zero-fills, written at the end and drained from the front.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace wsb::echo::fast {

/// Bytes not yet written to a connection. reserve()/commit() let frames be encoded straight
/// into it (the one copy of an echo); consume() drops what the socket took.
class OutputBuffer {
  public:
    std::size_t size() const noexcept { return end_ - begin_; }
    bool empty() const noexcept { return end_ == begin_; }
    const std::uint8_t* data() const noexcept { return buf_.get() + begin_; }
    std::size_t capacity() const noexcept { return cap_; }

    /// `n` writable bytes at the end; commit() what was written. Growing doubles the
    /// storage, but not beyond `cap_hint` (a queue limit): past it the consumed front is
    /// reused first, so a queue held under a limit keeps about that much memory.
    std::uint8_t* reserve(std::size_t n, std::size_t cap_hint = SIZE_MAX) {
        if (cap_ - end_ < n) grow(n, cap_hint);
        return buf_.get() + end_;
    }
    void commit(std::size_t n) noexcept { end_ += n; }
    void append(const void* p, std::size_t n, std::size_t cap_hint = SIZE_MAX) {
        if (n == 0) return;
        std::memcpy(reserve(n, cap_hint), p, n);
        end_ += n;
    }
    /// Drops `n` bytes from the front (they were written).
    void consume(std::size_t n) noexcept {
        begin_ += n;
        if (begin_ == end_) begin_ = end_ = 0;
    }
    /// Drops everything after the first `n` bytes (never written yet).
    void truncate(std::size_t n) noexcept {
        if (n < size()) end_ = begin_ + n;
        if (begin_ == end_) begin_ = end_ = 0;
    }
    /// Frees the storage when empty and larger than `keep`.
    void trim(std::size_t keep) noexcept {
        if (empty() && cap_ > keep) {
            buf_.reset();
            cap_ = 0;
        }
    }

  private:
    void grow(std::size_t n, std::size_t cap_hint) {
        const std::size_t live = size();
        const bool at_hint = cap_ >= cap_hint / 2;  // doubling would pass the hint
        if (begin_ > 0 && cap_ - live >= n && (begin_ >= live || at_hint)) {
            std::memmove(buf_.get(), buf_.get() + begin_, live);  // reuse the consumed front
        } else {
            const std::size_t doubled = std::max(std::min(cap_ * 2, cap_hint), cap_);
            const std::size_t cap = std::max<std::size_t>({live + n, doubled, 256});
            std::unique_ptr<std::uint8_t[]> next(new std::uint8_t[cap]);
            if (live) std::memcpy(next.get(), buf_.get() + begin_, live);
            buf_ = std::move(next);
            cap_ = cap;
        }
        begin_ = 0;
        end_ = live;
    }

    std::unique_ptr<std::uint8_t[]> buf_;
    std::size_t cap_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace wsb::echo::fast
