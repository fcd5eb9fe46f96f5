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

    /// Bytes moved or copied to make room (the consumed front reused, or new storage), since
    /// construction. For tests: they must stay in proportion to the bytes appended, however
    /// slowly the reader drains.
    std::uint64_t bytes_moved() const noexcept { return moved_; }

  private:
    void grow(std::size_t n, std::size_t cap_hint) {
        const std::size_t live = size();
        const bool at_hint = cap_ >= cap_hint / 2;  // doubling would pass the hint
        // The consumed front is reused when it is at least as large as what must move, or, at
        // the hint, at least an eighth of the storage: each move then follows at least cap/8
        // bytes appended, so a reader that drains a little at a time costs a bounded copy
        // per byte, not a move of the whole queue per message.
        if (begin_ > 0 && cap_ - live >= n && (begin_ >= live || (at_hint && begin_ >= cap_ / 8))) {
            std::memmove(buf_.get(), buf_.get() + begin_, live);
            moved_ += live;
        } else {
            // Below the hint: double, up to it. At the hint, a reader that drained a little
            // gets an eighth more (then the front grows to an eighth before the next move);
            // one that drained nothing gets what this append needs, and the queue limit
            // closes it soon after.
            std::size_t doubled = std::max(std::min(cap_ * 2, cap_hint), cap_);
            if (cap_ >= cap_hint) doubled = begin_ > 0 ? cap_ + cap_ / 8 : cap_;
            const std::size_t cap = std::max<std::size_t>({live + n, doubled, 256});
            std::unique_ptr<std::uint8_t[]> next(new std::uint8_t[cap]);
            if (live) std::memcpy(next.get(), buf_.get() + begin_, live);
            moved_ += live;
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
    std::uint64_t moved_ = 0;
};

}  // namespace wsb::echo::fast
