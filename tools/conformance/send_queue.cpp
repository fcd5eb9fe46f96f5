// SendQueue: pieces and the writes they make (see send_queue.hpp).
#include "conformance/send_queue.hpp"

#include <algorithm>

namespace wsb::conformance {

void SendQueue::push(std::shared_ptr<const std::string> bytes, std::size_t chop, bool alone) {
    if (chop > 0) {
        for (std::size_t off = 0; off < bytes->size(); off += chop) {
            pieces_.push_back({bytes, off, std::min(chop, bytes->size() - off), true});
        }
        return;
    }
    const std::size_t n = bytes->size();
    pieces_.push_back({std::move(bytes), 0, n, alone});
}

SendQueue::Write SendQueue::next(std::vector<asio::const_buffer>& gather) const {
    gather.clear();
    Write w;
    if (pieces_.front().alone) {
        const Piece& p = pieces_.front();
        gather.push_back(asio::buffer(p.buf->data() + p.off, p.len));
        w.pieces = 1;
        w.octets = p.len;
        w.alone = true;
        return w;
    }
    for (const Piece& p : pieces_) {
        if (p.alone) break;
        gather.push_back(asio::buffer(p.buf->data() + p.off, p.len));
        ++w.pieces;
        w.octets += p.len;
    }
    return w;
}

std::string_view SendQueue::front() const {
    const Piece& p = pieces_.front();
    return std::string_view(p.buf->data() + p.off, p.len);
}

void SendQueue::pop(std::size_t pieces) {
    for (std::size_t i = 0; i < pieces && !pieces_.empty(); ++i) pieces_.pop_front();
}

}  // namespace wsb::conformance
