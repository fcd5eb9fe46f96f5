// Timeouts of one kind for the fast engine: an intrusive list of nodes ordered by deadline.
#pragma once

#include <cstdint>

namespace wsb::echo::fast {

template <class Node>
class TimerList;

/// The links a node carries to sit in one TimerList at a time (derive from it).
template <class Node>
struct TimerHook {
    std::int64_t deadline_ns = 0;
    TimerList<Node>* tlist = nullptr;  ///< the list the node is in, or none
    Node* tprev = nullptr;
    Node* tnext = nullptr;
};

/// Nodes ordered by deadline. Each list holds one kind of timeout, whose duration is fixed,
/// so appending keeps it sorted and a sweep only looks at the front. Nothing allocates:
/// the links live in the nodes.
template <class Node>
class TimerList {
  public:
    explicit TimerList(std::int64_t timeout_ns = 0) noexcept : timeout_ns_(timeout_ns) {}
    TimerList(const TimerList&) = delete;
    TimerList& operator=(const TimerList&) = delete;

    std::int64_t timeout_ns() const noexcept { return timeout_ns_; }
    void set_timeout_ns(std::int64_t t) noexcept { timeout_ns_ = t; }

    /// The earliest deadline's node, or nullptr when the list is empty.
    Node* front() const noexcept { return head_; }
    bool empty() const noexcept { return head_ == nullptr; }
    bool contains(const Node& n) const noexcept { return n.tlist == this; }

    /// The front node when its deadline is at or before `now`, else nullptr.
    Node* expired(std::int64_t now) const noexcept {
        return head_ && head_->deadline_ns <= now ? head_ : nullptr;
    }

    /// Moves `n` (from whichever list holds it) to the back, due at now + timeout.
    void push(Node& n, std::int64_t now) noexcept {
        remove(n);
        n.deadline_ns = now + timeout_ns_;
        n.tlist = this;
        n.tprev = tail_;
        n.tnext = nullptr;
        (tail_ ? tail_->tnext : head_) = &n;
        tail_ = &n;
    }

    /// Takes `n` out of the list that holds it, if any.
    static void remove(Node& n) noexcept {
        TimerList* l = n.tlist;
        if (!l) return;
        (n.tprev ? n.tprev->tnext : l->head_) = n.tnext;
        (n.tnext ? n.tnext->tprev : l->tail_) = n.tprev;
        n.tprev = n.tnext = nullptr;
        n.tlist = nullptr;
    }

  private:
    Node* head_ = nullptr;
    Node* tail_ = nullptr;
    std::int64_t timeout_ns_ = 0;
};

}  // namespace wsb::echo::fast
