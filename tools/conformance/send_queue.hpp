// SendQueue: the plan of a Session's writes. A case prescribes how its octets go on the wire
// (Autobahn's chops): whole frames joined into one write, a frame in a write of its own, or a
// frame in pieces of N octets, each written alone. No sockets: the Session does the writes.
#pragma once

#include <asio/buffer.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wsb::conformance {

class SendQueue {
  public:
    /// One write: how many queued pieces it takes, their octets, and whether it is a piece
    /// written alone (then the Session pauses before the next write, as Autobahn does).
    struct Write {
        std::size_t pieces = 0;
        std::size_t octets = 0;
        bool alone = false;
    };

    /// Queues `bytes`: in pieces of `chop` octets, each written alone, when `chop` > 0;
    /// otherwise whole, written alone when `alone`, else joined with its queued neighbours.
    void push(std::shared_ptr<const std::string> bytes, std::size_t chop, bool alone);

    /// The next write into `gather` (cleared first): the front piece if it goes alone, else
    /// every piece up to the next one that goes alone. The queue must not be empty.
    Write next(std::vector<asio::const_buffer>& gather) const;

    /// The octets of the front piece (what the wire log shows of a write).
    std::string_view front() const;

    /// Drops the `pieces` written.
    void pop(std::size_t pieces);

    void clear() noexcept { pieces_.clear(); }
    bool empty() const noexcept { return pieces_.empty(); }
    std::size_t size() const noexcept { return pieces_.size(); }

  private:
    // Octets [off, off+len) of a shared buffer.
    struct Piece {
        std::shared_ptr<const std::string> buf;
        std::size_t off = 0;
        std::size_t len = 0;
        bool alone = false;
    };
    std::deque<Piece> pieces_;
};

}  // namespace wsb::conformance
