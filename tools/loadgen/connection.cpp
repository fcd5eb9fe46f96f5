// One open connection's state machine: sending, reading and matching replies, the close
// handshake (the opening is connection_open.cpp). The worker's open-loop schedule pass is here
// too, beside send_message, so the per-message path stays in one translation unit.
#include "loadgen/connection.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "loadgen/marker.hpp"
#include "loadgen/worker.hpp"
#include "wsbench/close.hpp"
#include "wsbench/system.hpp"

namespace wsb::loadgen {
namespace {

constexpr std::size_t kHeadLimit = 256;  // bytes of a split message kept to find its marker
constexpr int kReadsPerWakeup = 8;
constexpr std::size_t kMaxPending = 4 << 20;   // open loop: unsent bytes per connection
constexpr Ns kCloseTimeoutNs = 1'000'000'000;  // our close waits this long for the answer

}  // namespace

// ---- Writing ----------------------------------------------------------------------------------

void Connection::begin_sending(Ns now) {
    const Config& config = worker.config;
    if (config.scenario == Scenario::connect) return;
    const auto window =
        static_cast<std::uint64_t>(worker.shared.window_start.load(std::memory_order_relaxed));
    const double rate = worker.rate_;
    if (config.scenario == Scenario::broadcast) {
        // One publisher (connection 0) at the whole rate; every connection receives.
        if (rate > 0 && !worker.publisher_) worker.publisher_.emplace(rate, window, 0.0);
        if (id != 0) return;
    }
    if (rate > 0) {
        // Open loop. Echo connections spread evenly over one interval so the total rate is
        // smooth; the broadcast publisher starts at phase 0.
        const double phase =
            config.scenario == Scenario::broadcast ? 0.0 : connection_phase(id, config.connections);
        schedule.emplace(rate, window, phase);
        worker.push_due(static_cast<Ns>(schedule->due_ns(0)), local);
        worker.arm_send_timer();
        return;
    }
    last_reply = now;
    const unsigned burst = config.scenario == Scenario::broadcast ? 1 : config.pipeline;
    for (unsigned i = 0; i < burst && !send_done; ++i) send_message(now, now);
    flush();
}

void Connection::send_message(Ns now, Ns intended) {
    const Config& config = worker.config;
    if (config.messages_per_connection > 0 && messages_sent >= config.messages_per_connection) {
        send_done = true;
        return;
    }
    const std::uint32_t seq = next_seq++;
    // -n counts the messages of the measured window; warmup messages come on top.
    if (now >= worker.shared.measure_start()) ++messages_sent;
    if (config.messages_per_connection > 0 && messages_sent >= config.messages_per_connection) {
        send_done = true;
    }
    // The message: the marker, then -m's filler or a line of --payload-file.
    const std::uint8_t* body = worker.payload_.data() + kMarkerSize;
    std::size_t body_size = worker.payload_.size() - kMarkerSize;
    if (const auto& lines = config.payload_lines) {
        const std::size_t n = lines->size();
        const std::string& line =
            (*lines)[config.payload_random ? worker.rng_() % n : (std::size_t{id} + seq) % n];
        body = reinterpret_cast<const std::uint8_t*>(line.data());
        body_size = line.size();
    }
    const std::size_t size = kMarkerSize + body_size;
    std::uint8_t marker[kMarkerSize];
    write_marker(Marker{id, seq, static_cast<std::uint64_t>(now)}, marker);
    FrameHeader h;
    h.opcode = config.message_type == MessageType::text ? Opcode::text : Opcode::binary;
    h.masked = true;
    const std::uint64_t key = worker.rng_();
    std::memcpy(h.mask_key.data(), &key, 4);
    const std::vector<std::uint8_t>* z = nullptr;
    if (deflate) {
        // permessage-deflate: the whole payload compressed, RSV1 on (RFC 7692 §6).
        z = &deflate->compress(marker, kMarkerSize, body, body_size);
        h.rsv1 = true;
    }
    const std::size_t wire = z ? z->size() : size;
    h.payload_length = wire;
    const std::size_t header_size = encoded_header_size(h);
    const std::size_t at = pending.size();
    pending.resize(at + header_size + wire);
    std::uint8_t* out = pending.data() + at;
    encode_header(h, out, header_size);
    if (z) {
        apply_mask_copy(out + header_size, z->data(), wire, h.mask_key, 0);
    } else {
        apply_mask_copy(out + header_size, marker, kMarkerSize, h.mask_key, 0);
        apply_mask_copy(out + header_size + kMarkerSize, body, body_size, h.mask_key, kMarkerSize);
    }
    if (config.scenario == Scenario::echo) ++in_flight;
    // In the window by when it was due (open loop), so a send that a late pass made just
    // after the window's end still counts, as its reply does (on_message).
    if (worker.measuring(intended)) {
        RunResult& result = worker.result;
        ++result.messages_sent;
        result.bytes_sent += size;
        result.deflate.sent_bytes += size;
        result.deflate.sent_wire_bytes += wire;
        bump(worker.progress.sent, std::uint64_t{1});
        // Early (--coalesce) is no lag.
        if (worker.rate_ > 0)
            result.schedule_lag.record(to_us(now > intended ? now - intended : 0));
    }
}

void Connection::send_ping(Ns now) {
    last_ping = now;
    std::uint8_t marker[kMarkerSize];
    write_marker(Marker{id, next_seq++, static_cast<std::uint64_t>(now)}, marker);
    send_control(Opcode::ping, marker, sizeof marker);
    if (worker.measuring(now)) {
        ++worker.result.messages_sent;
        bump(worker.progress.sent, std::uint64_t{1});
    }
}

void Connection::expire_replies(Ns now) {
    worker.count_errors(ErrorKind::timeout, in_flight);
    const unsigned slots = in_flight;
    in_flight = 0;
    reply_next = next_seq;  // a late reply now counts as unmatched
    last_reply = now;
    for (unsigned i = 0; i < slots && !send_done && now < worker.shared.window_end(); ++i) {
        send_message(now, now);
    }
    flush();
}

void Connection::send_control(Opcode op, const std::uint8_t* payload, std::size_t size) {
    append_frame(op, payload, size);
    flush();
}

void Connection::append_frame(Opcode op, const std::uint8_t* payload, std::size_t size, bool rsv1) {
    FrameHeader h;
    h.opcode = op;
    h.rsv1 = rsv1;
    h.masked = true;
    const std::uint64_t key = worker.rng_();
    std::memcpy(h.mask_key.data(), &key, 4);
    const std::size_t at = pending.size();
    pending.resize(at + kMaxFrameHeaderSize + size);
    const std::size_t n =
        encode_frame(h, payload, size, pending.data() + at, kMaxFrameHeaderSize + size);
    pending.resize(at + n);
}

void Connection::flush() {
    if (writing || pending.empty() || state == State::closed) return;
    if (fd >= 0) {
        flush_direct();
        return;
    }
    writing = true;
    std::swap(pending, inflight);
    auto done = [this](const asio::error_code& e, std::size_t) {
        writing = false;
        inflight.clear();
        if (state == State::closed) return;
        if (e) {
            fail(ErrorKind::write);
            return;
        }
        flush();
        if (blocked) unblock();
    };
    stream.async_write(asio::buffer(inflight), done);
}

void Connection::unblock() {
    blocked = false;
    if (state != State::open || send_done || worker.window_over_ || !schedule) return;
    worker.push_due(static_cast<Ns>(schedule->due_ns(next_seq)), local);
    Worker& w = worker;
    asio::post(w.io, [&w] { w.run_schedule(w.shared.now()); });
}

// ---- Reading ----------------------------------------------------------------------------------

void Connection::arm_read() {
    if (state == State::closed || (fd < 0 && (waiting_read || worker.reactor_))) return;
    // --stall: a slow consumer reads nothing between its handshake and the window's end.
    const Config& config = worker.config;
    if (state == State::open && !worker.window_over_ && config.stall > 0 &&
        id >= config.connections - std::min<std::uint64_t>(config.stall, config.connections)) {
        waiting_read = false;  // fd: its input events are noted, not read
        return;
    }
    if (fd >= 0) {
        // Registered once, edge-triggered: input is read as its events come (on_events()).
        if (!waiting_read && input_missed && !read_queued) {
            read_queued = true;
            worker.read_again_.push_back(local);
        }
        waiting_read = true;
        input_missed = false;
        return;
    }
    waiting_read = true;
    if (stream.secure()) {
        // TLS decrypts into the connection's own buffer.
        stream.async_read_some(
            asio::buffer(*tls_buffer), [this](const asio::error_code& e, std::size_t n) {
                waiting_read = false;
                if (state == State::closed) return;
                if (n > 0) on_bytes(tls_buffer->data(), n, tls_buffer->size());
                if (state == State::closed) return;
                flush();
                if (e) {
                    if (state == State::closing) {
                        finish();
                    } else {
                        fail(e == asio::error::eof || e == asio::ssl::error::stream_truncated
                                 ? ErrorKind::closed_by_peer
                                 : ErrorKind::read);
                    }
                    return;
                }
                arm_read();
            });
        return;
    }
    // Plain TCP: wait for readability, then read into the worker's shared buffer, so an idle
    // connection holds no read buffer of its own.
    stream.socket().async_wait(asio::ip::tcp::socket::wait_read, [this](const asio::error_code& e) {
        waiting_read = false;
        if (state == State::closed || e == asio::error::operation_aborted) return;
        if (e) {
            fail(ErrorKind::read);
            return;
        }
        on_readable();
    });
}

void Connection::on_readable() {
    if (fd < 0 && !stream.socket().non_blocking()) {
        asio::error_code ignored;
        stream.socket().non_blocking(true, ignored);
    }
    std::vector<std::uint8_t>& buffer = worker.read_buffer_;
    for (int i = 0;; ++i) {
        if (i == kReadsPerWakeup) {
            // Fair to the other connections; fd (edge-triggered): the worker's loop reads on.
            if (fd >= 0 && !read_queued) {
                read_queued = true;
                worker.read_again_.push_back(local);
            }
            break;
        }
        asio::error_code e;
        const std::size_t n = read_plain(buffer.data(), buffer.size(), e);
        if (e == asio::error::would_block || e == asio::error::try_again) {
            drain_input = false;
            break;
        }
        if (e) {
            if (state == State::closing) {
                finish();
            } else {
                fail(e == asio::error::eof ? ErrorKind::closed_by_peer : ErrorKind::read);
            }
            return;
        }
        on_bytes(buffer.data(), n, buffer.size());
        if (state == State::closed) return;
        if (n < buffer.size() && !drain_input) break;
    }
    flush();
    arm_read();
}

void Connection::on_bytes(std::uint8_t* data, std::size_t size, std::size_t capacity) {
    if (state == State::handshaking) {
        on_handshake_bytes(data, size);
    } else {
        on_frames(data, size, capacity);
    }
}

void Connection::on_frames(std::uint8_t* data, std::size_t size, std::size_t capacity) {
    const Ns now = worker.shared.now();
    for (std::size_t pos = 0; pos < size;) {
        FrameEvent ev;
        pos += parser.parse(data + pos, size - pos, ev);
        if (ev.kind == FrameEvent::Kind::need_more) break;
        if (ev.kind == FrameEvent::Kind::error) {
            if (log_enabled(LogLevel::debug)) {
                log_line(LogLevel::debug,
                         "protocol error from server: " + std::string(to_string(ev.error)));
            }
            fail(ErrorKind::protocol, close_code_for(ev.error));
            return;
        }
        if (ev.is_control()) {
            on_control(ev, now);
            if (state == State::closed) return;
            continue;
        }
        if (deflate) {
            // The first frame of a data message says whether it is compressed (RFC 7692 §6).
            if (ev.header.opcode != Opcode::continuation && ev.frame_offset == 0) {
                deflate_message = ev.header.rsv1;
            }
            if (deflate_message) {
                on_compressed(ev, now);
                if (state == State::closed) return;
                continue;
            }
        }
        if (script) {
            on_script_frame(ev, now, capacity - static_cast<std::size_t>(ev.data - data));
            if (state == State::closed) return;
            continue;
        }
        if (ev.message_offset == 0 && ev.message_end) {
            // The whole message in this read: find the marker in place, no copy.
            on_message(ev.data, ev.size, ev.size, ev.size, now);
        } else {
            if (ev.message_offset == 0 && ev.frame_offset == 0) head.clear();
            if (head.size() < kHeadLimit) {
                head.append(reinterpret_cast<const char*>(ev.data),
                            std::min(ev.size, kHeadLimit - head.size()));
            }
            if (ev.message_end) {
                const std::uint64_t message_size = ev.message_offset + ev.size;
                on_message(reinterpret_cast<const std::uint8_t*>(head.data()), head.size(),
                           message_size, message_size, now);
                head.clear();
            }
        }
        if (state == State::closed) return;
    }
}

void Connection::on_message(const std::uint8_t* data, std::size_t size, std::uint64_t message_size,
                            std::uint64_t wire_size, Ns now) {
    Worker& w = worker;
    const Config& config = w.config;
    Marker m;
    if (!find_marker(data, size, m)) {
        if (w.window_seen_) w.count_error(ErrorKind::unmatched);
        return;
    }
    const Ns sent_at = static_cast<Ns>(m.send_ns);
    if (config.scenario == Scenario::echo) {
        // Exact matching: replies come back in the order sent (one TCP stream, an echo).
        if (m.connection != id || m.sequence >= next_seq) {
            w.count_error(ErrorKind::unmatched);
            return;
        }
        if (m.sequence < reply_next) {
            w.count_error(ErrorKind::duplicated);
            return;
        }
        // Replies skipped over never come: the server lost them.
        const std::uint32_t skipped = std::min(m.sequence - reply_next, in_flight - 1);
        w.count_errors(ErrorKind::lost, skipped);
        in_flight -= skipped + 1;
        reply_next = m.sequence + 1;
        last_reply = now;
    } else if (config.scenario == Scenario::broadcast) {
        if (m.sequence < broadcast_next) {
            if (w.measuring(sent_at)) w.count_error(ErrorKind::duplicated);
            return;
        }
        broadcast_next = m.sequence + 1;
    }
    // Open loop: the intended send time (the publisher's, for broadcast), which also decides
    // whether the message belongs to the window, as it did when it was sent.
    Ns intended = sent_at;
    if (w.rate_ > 0) {
        const OpenLoopSchedule* s =
            config.scenario == Scenario::broadcast ? &*w.publisher_ : &*schedule;
        intended = static_cast<Ns>(s->due_ns(m.sequence));
    }
    if (w.measuring(intended)) {
        ++w.result.messages_received;
        w.result.bytes_received += message_size;
        w.result.deflate.received_bytes += message_size;
        w.result.deflate.received_wire_bytes += wire_size;
        bump(w.progress.received, std::uint64_t{1});
        const Ns uncorrected = now - sent_at;
        const Ns corrected = std::max(uncorrected, now - intended);
        w.result.latency.record(to_us(corrected));
        w.result.latency_uncorrected.record(to_us(uncorrected));
        w.interval_[w.interval_active_].record(to_us(corrected));
    }
    // Closed loop: the reply frees a slot in the pipeline. The send time is read now, not
    // taken from the read: parsing the rest of a large read is not charged to the target.
    // The send time decides the window on both sides, so it is the one compared with its end.
    if (config.scenario == Scenario::echo && w.rate_ == 0 && !w.window_over_ && !send_done) {
        const Ns at = w.shared.now();
        if (at < w.shared.window_end()) send_message(at, at);
    } else if (config.scenario == Scenario::broadcast && w.rate_ == 0 && id == 0 &&
               m.connection == 0 && !w.window_over_ && !send_done) {
        const Ns at = w.shared.now();
        if (at < w.shared.window_end()) send_message(at, at);
    }
}

void Connection::on_control(const FrameEvent& ev, Ns now) {
    switch (ev.header.opcode) {
        case Opcode::ping:
            send_control(Opcode::pong, ev.data, ev.size);
            break;
        case Opcode::pong:
            on_pong(ev, now);
            break;
        case Opcode::close:
            on_close_frame(ev, now);
            break;
        default:
            break;
    }
}

void Connection::on_pong(const FrameEvent& ev, Ns now) {
    Worker& w = worker;
    Marker m;
    if (w.config.scenario == Scenario::connect && find_marker(ev.data, ev.size, m) &&
        m.connection == id) {
        const Ns rtt = now - static_cast<Ns>(m.send_ns);
        if (w.measuring(static_cast<Ns>(m.send_ns))) {
            w.result.latency.record(to_us(rtt));
            w.result.latency_uncorrected.record(to_us(rtt));
            w.interval_[w.interval_active_].record(to_us(rtt));
            ++w.result.messages_received;
            bump(w.progress.received, std::uint64_t{1});
        }
    }
}

// ---- Closing ----------------------------------------------------------------------------------

void Connection::on_close_frame(const FrameEvent& ev, Ns now) {
    ClosePayload cp;
    std::uint16_t code = 1005;
    if (parse_close_payload(ev.data, ev.size, cp) == Errc::ok && cp.has_code) code = cp.code;
    ++worker.result.close_codes[code];
    if (script && state != State::closing) {
        // A protocol's session names why the server ended it (e.g. graphql-ws 4403).
        script->session.on_peer_close(code, cp.reason);
    }
    if (state == State::closing) {
        // The answer to our close: the close handshake is complete.
        finish();
        return;
    }
    // The server closed first: answer with the same code (RFC 6455 §5.5.1).
    if (!worker.window_over_ && !worker.shared.stop.load()) {
        worker.count_error(ErrorKind::closed_by_peer);
    }
    std::uint8_t payload[2] = {static_cast<std::uint8_t>(code >> 8),
                               static_cast<std::uint8_t>(code)};
    send_control(Opcode::close, payload, code == 1005 ? 0 : 2);
    if (state == State::closed) return;
    leave_open();
    worker.count_errors(ErrorKind::timeout,
                        worker.window_seen_ ? in_flight : 0);  // replies lost with it
    in_flight = 0;
    state = State::closing;
    deadline = now + kCloseTimeoutNs;
}

void Connection::close(std::uint16_t code, std::string_view reason) {
    std::uint8_t payload[kMaxClosePayload];
    const std::size_t n = format_close_payload(
        code, reason.empty() && code == 1001 ? "going away" : reason, payload, sizeof payload);
    send_control(Opcode::close, payload, n);
    if (state == State::closed) return;
    leave_open();
    state = State::closing;
    deadline = worker.shared.now() + kCloseTimeoutNs;
    arm_read();  // a --stall connection reads again, so that it sees the close reply
}

void Connection::leave_open() {
    if (!counted_open) return;
    counted_open = false;
    --worker.open_;
    worker.progress.open.store(worker.open_, std::memory_order_relaxed);
}

void Connection::fail(ErrorKind kind, std::uint16_t close_code) {
    if (state == State::closed) return;
    worker.count_error(kind);
    // Messages in flight on a failed connection never get their reply.
    worker.count_errors(ErrorKind::timeout, worker.window_seen_ ? in_flight : 0);
    in_flight = 0;
    if (close_code != 0 && state == State::open) {
        // Fail the WebSocket connection (RFC 6455 §7.1.7): send our close, then drop.
        std::uint8_t payload[2] = {static_cast<std::uint8_t>(close_code >> 8),
                                   static_cast<std::uint8_t>(close_code)};
        FrameHeader h;
        h.opcode = Opcode::close;
        h.masked = true;
        std::uint8_t frame[kMaxFrameHeaderSize + 2];
        const std::size_t n = encode_frame(h, payload, 2, frame, sizeof frame);
        asio::error_code ignored;
        if (fd >= 0 && !writing) {
            [[maybe_unused]] const ssize_t sent = ::send(fd, frame, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        } else if (!stream.secure() && !writing) {
            asio::write(stream.socket(), asio::buffer(frame, n), ignored);
        }
    }
    finish();
}

void Connection::finish() {
    if (state == State::closed) return;
    if (state == State::connecting || state == State::tls || state == State::handshaking) {
        // Failed, or given up (stop requested), before it opened.
        worker.settle(false);
    }
    state = State::closed;
    if (fd >= 0) {
        close_direct();
    } else {
        stream.close();
    }
    handshake.reset();
    leave_open();
    worker.connection_closed(*this);
}

// ---- The worker's open-loop schedule pass (here so send_message inlines into it) ------------

void Worker::run_schedule(Ns now) {
    if (window_over_) return;
    last_pass_ = now;
    // Every send that is due, however late: the corrected latency charges the lateness. With
    // --coalesce, also those due within send_early_, early: their latency counts from when
    // they left, and the next pass is no sooner than the next send due after them.
    std::size_t sent_now = 0;
    while (!heap_.empty() && heap_.front().first <= now + send_early_) {
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
        const auto [due, local] = heap_.back();
        heap_.pop_back();
        Connection& c = *connections_[local];
        if (c.state != Connection::State::open || c.send_done) continue;
        if (due >= shared.window_end()) continue;
        if (c.writing && c.pending.size() >= kMaxPending) {
            // The target is not reading: hold this connection's schedule (no unbounded
            // buffering) until its write completes; the late sends are charged to the
            // target by the corrected latency.
            c.blocked = true;
            continue;
        }
        c.send_message(now, due);
        ++sent_now;
        if (!c.send_done) {
            // Written out rather than push_due(): GCC does not inline that call here.
            heap_.emplace_back(static_cast<Ns>(c.schedule->due_ns(c.next_seq)), local);
            std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
        }
        if (!c.writing) {
            if (c.pending.size() >= 64 * 1024) {
                c.flush();
            } else if (!c.dirty) {
                c.dirty = true;
                dirty_.push_back(local);
            }
        }
        // Keep the loop responsive under a backlog: yield after a large batch.
        if (sent_now >= 4096) break;
    }
    // One write per connection for everything that became due at once.
    for (const std::uint32_t local : dirty_) {
        Connection& c = *connections_[local];
        c.dirty = false;
        c.flush();
    }
    dirty_.clear();
    if (!heap_.empty() && heap_.front().first <= now) {
        pass_again(now);
        return;
    }
    arm_send_timer();
}

}  // namespace wsb::loadgen
