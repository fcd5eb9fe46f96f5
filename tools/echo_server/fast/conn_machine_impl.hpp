// The member functions of ConnMachine<Host> (included by conn_machine.hpp only).
#pragma once

namespace wsb::echo::fast {

// --- input ------------------------------------------------------------------------------------

template <class Host>
void ConnMachine<Host>::consume(Conn& c, std::uint8_t* data, std::size_t n) {
    switch (c.phase) {
        case Phase::handshake:
            consume_head(c, data, n);
            break;
        case Phase::open:
        case Phase::closing:
            consume_frames(c, data, n);
            break;
        default:
            break;  // answered, failed or ignoring: input is discarded
    }
    if (c.phase != Phase::dead) check_backpressure(c);
}

template <class Host>
void ConnMachine<Host>::consume_head(Conn& c, std::uint8_t* data, std::size_t n) {
    std::string& head = *c.head;
    head.append(reinterpret_cast<const char*>(data), n);
    HttpRequest req;
    std::size_t head_size = 0;
    const Errc parsed = parse_http_request(head, req, head_size);
    if (parsed == Errc::http_incomplete) return;
    if (parsed != Errc::ok) return refuse(c, parsed);
    // Plain HTTP: /stats, else a hint that this is a WebSocket server.
    if (!req.headers.has_token("Upgrade", "websocket")) return answer_plain_http(c, req);
    ServerHandshakeInfo info;
    if (const Errc e = check_client_request(req, info); e != Errc::ok) return refuse(c, e);
    if (!admit(c)) return;
    open(c, req, info);
    // Frames the client sent right behind its head.
    std::string rest = head.substr(head_size);
    c.head.reset();
    if (host_.shutting_down()) start_close(c, 1001, "server shutting down");
    if (!rest.empty()) consume_frames(c, reinterpret_cast<std::uint8_t*>(rest.data()), rest.size());
}

template <class Host>
void ConnMachine<Host>::refuse(Conn& c, Errc e) {
    stats_.on_handshake_failed();
    const int status = reject_status_for(e);
    if (config_.log_connections) {
        log_line(LogLevel::info, "fail id=" + std::to_string(c.id) + " peer=" + c.peer.str() +
                                     " error=\"" + std::string(to_string(e)) +
                                     "\" status=" + std::to_string(status));
    }
    answer_http(c, build_reject_response(status, {}, {}, std::string(to_string(e)) + "\n"));
}

template <class Host>
void ConnMachine<Host>::answer_plain_http(Conn& c, const HttpRequest& req) {
    if (req.method == "GET" && req.target == "/stats") {
        answer_http(c, stats_response(host_.stats_doc()));
        return;
    }
    if (req.method == "GET" && req.target == "/metrics") {
        answer_http(c, metrics_response(host_.stats_doc()));
        return;
    }
    answer_http(c, build_reject_response(426, {}, {},
                                         "wsbench-echo-server: connect with WebSocket; GET /stats "
                                         "or /metrics (Prometheus) for statistics\n"));
}

template <class Host>
bool ConnMachine<Host>::admit(Conn& c) {
    if (host_.shutting_down()) {
        stats_.on_rejected();
        answer_http(c, build_reject_response(503, {}, {}, "server shutting down\n"));
        return false;
    }
    if (!host_.admit()) {
        stats_.on_rejected();
        if (config_.log_connections) {
            log_line(LogLevel::info, "reject id=" + std::to_string(c.id) + " peer=" + c.peer.str() +
                                         " status=503 (max connections)");
        }
        answer_http(c, build_reject_response(503, {}, {},
                                             "too many connections (--max-connections " +
                                                 std::to_string(config_.max_connections) + ")\n"));
        return false;
    }
    c.admitted = true;
    return true;
}

template <class Host>
void ConnMachine<Host>::open(Conn& c, const HttpRequest& req, const ServerHandshakeInfo& info) {
    HeaderList extra;
    extra.emplace_back("Server", server_agent());
    if (config_.deflate) {
        std::string accepted;
        if (auto d = Deflate::negotiate(info.extensions, accepted, config_.deflate_level)) {
            c.deflate = std::move(d);
            extra.emplace_back("Sec-WebSocket-Extensions", accepted);
        }
    }
    const std::string response = build_server_response(info.accept_key, {}, extra);
    c.out.append(response.data(), response.size());
    // Broadcast: the response is not a frame; it is written whole and never dropped.
    if (config_.mode == Mode::broadcast) c.frame_rest = c.out.size();
    c.release_out = true;  // a connection at rest keeps no output buffer
    mark_dirty(c);
    c.phase = Phase::open;
    c.opened = true;
    stats_.on_open();
    const std::int64_t now = host_.now_ns();
    ConnTimers::remove(c);
    if (config_.idle_timeout.count() > 0) idles_.push(c, now);
    if (config_.log_connections) {
        log_line(LogLevel::info, "open id=" + std::to_string(c.id) + " peer=" + c.peer.str() +
                                     " resource=" + req.target);
    }
    if (config_.console) {
        c.labels = std::make_unique<ConnLabels>(
            ConnLabels{req.target, req.headers.combined("Sec-WebSocket-Protocol")});
    }
    if (console_) console_->opened(c.id, c.peer.str(), req.target);
}

template <class Host>
void ConnMachine<Host>::answer_http(Conn& c, std::string response) {
    c.out.append(response.data(), response.size());
    c.head.reset();
    c.phase = Phase::http;
    c.close_after_flush = true;
    mark_dirty(c);
}

template <class Host>
ParserOptions ConnMachine<Host>::parser_options(const Conn& c) const {
    ParserOptions po;
    po.role = Role::server;
    po.max_message_size = config_.max_message_size;
    po.ignore_rsv = config_.misbehave == Misbehave::ignore_rsv;
    po.allow_rsv1 = c.deflate != nullptr;  // permessage-deflate defines RSV1
    return po;
}

template <class Host>
void ConnMachine<Host>::consume_frames(Conn& c, std::uint8_t* data, std::size_t n) {
    Partial* p = c.partial.get();
    if (!p) {
        // At rest: parse with the worker's state, and keep it only if the read ends mid-way.
        p = &scratch_;
        p->parser = FrameParser(parser_options(c));
        p->in_message = false;
        p->msg.clear();
    }
    FrameEvent ev;
    std::size_t pos = 0;
    while (pos < n && (c.phase == Phase::open || c.phase == Phase::closing)) {
        pos += p->parser.parse(data + pos, n - pos, ev);
        if (ev.kind == FrameEvent::Kind::need_more) break;
        if (ev.kind == FrameEvent::Kind::error) {
            fail(c, close_code_for(ev.error), to_string(ev.error));
            break;
        }
        if (ev.is_control()) {
            on_control(c, ev);
        } else if (c.phase == Phase::open) {
            on_data(c, *p, ev);
        }
    }
    const bool live = c.phase == Phase::open || c.phase == Phase::closing;
    if (p == &scratch_) {
        if (live && !p->at_rest()) c.partial = std::make_unique<Partial>(std::move(scratch_));
    } else if (!live || p->at_rest()) {
        c.partial.reset();
    }
}

template <class Host>
void ConnMachine<Host>::on_control(Conn& c, const FrameEvent& ev) {
    switch (ev.header.opcode) {
        case Opcode::ping:
            touch(c);
            if (c.phase == Phase::open && config_.misbehave != Misbehave::no_pong) {
                write_frame(c, Opcode::pong, ev.data, ev.size);
            }
            return;
        case Opcode::pong:
            touch(c);
            return;
        case Opcode::close:
            on_close_frame(c, ev);
            return;
        default:
            return;  // reserved control opcodes fail in the parser
    }
}

template <class Host>
void ConnMachine<Host>::on_close_frame(Conn& c, const FrameEvent& ev) {
    ClosePayload cp;
    const Errc e = parse_close_payload(ev.data, ev.size, cp);
    if (c.phase == Phase::closing) {
        // The client answered our close: done once our output is written.
        c.remote_code = e == Errc::ok ? (cp.has_code ? cp.code : kNoCode) : kAbnormal;
        if (e == Errc::ok) keep_reason(c, cp.reason);
        c.phase = Phase::replied;
        c.close_after_flush = true;
        mark_dirty(c);
        return;
    }
    if (e != Errc::ok) {
        fail(c, close_code_for(e), to_string(e));
        return;
    }
    c.remote_code = cp.has_code ? cp.code : kNoCode;
    keep_reason(c, cp.reason);
    ConnTimers::remove(c);
    if (config_.misbehave == Misbehave::no_close_reply) {
        c.phase = Phase::lingering;  // wait for the client to give up and drop TCP
        closings_.push(c, host_.now_ns());
        return;
    }
    if (config_.misbehave == Misbehave::wrong_close_code) {
        write_close(c, 1002, "");
    } else if (cp.has_code) {
        write_close(c, cp.code, "");  // echo the code (§5.5.1)
    } else {
        write_frame(c, Opcode::close, nullptr, 0);
        c.local_code = kNoCode;
    }
    // The server closes TCP first (§7.1.1) once the close is written.
    c.phase = Phase::replied;
    c.close_after_flush = true;
    closings_.push(c, host_.now_ns());
}

template <class Host>
void ConnMachine<Host>::keep_reason(Conn& c, std::string_view reason) {
    if (config_.log_connections && !reason.empty()) {
        c.close_reason = std::make_unique<std::string>(reason);
    }
}

// --- messages ---------------------------------------------------------------------------------

template <class Host>
void ConnMachine<Host>::on_data(Conn& c, Partial& p, const FrameEvent& ev) {
    if (!p.in_message) {
        p.in_message = true;
        p.text = ev.message_opcode == Opcode::text;
        p.utf8.reset();
        if (c.deflate) c.deflate->begin_message(ev.header.rsv1);
    }
    const bool compressed = c.deflate && c.deflate->message_compressed();
    if (p.text && !compressed && config_.misbehave != Misbehave::no_utf8_check) {
        const Utf8Status st = p.utf8.feed(ev.data, ev.size);
        if (st == Utf8Status::invalid || (ev.message_end && st != Utf8Status::complete)) {
            fail(c, 1007, "invalid UTF-8 in a text message");
            return;
        }
    }
    if (ev.message_end && p.msg.empty() && ev.message_offset == 0) {
        p.in_message = false;
        deliver(c, p.text, ev.data, ev.size, compressed);  // the whole message in one piece
        return;
    }
    p.msg.insert(p.msg.end(), ev.data, ev.data + ev.size);
    if (!ev.message_end) return;
    p.in_message = false;
    deliver(c, p.text, p.msg.data(), p.msg.size(), compressed);
    p.msg.clear();
    if (p.msg.capacity() > kKeepCapacity) std::vector<std::uint8_t>().swap(p.msg);
}

template <class Host>
bool ConnMachine<Host>::inflate(Conn& c, bool text, const std::uint8_t*& data, std::size_t& size) {
    // Inflate into the connection's scratch, then check the plain message.
    const Deflate::Result r = c.deflate->inflate(data, size, config_.max_message_size);
    if (r == Deflate::Result::too_large) {
        fail(c, 1009, "message too large");
        return false;
    }
    if (r == Deflate::Result::error) {
        fail(c, 1007, "invalid permessage-deflate data");
        return false;
    }
    const std::vector<std::uint8_t>& plain = c.deflate->inflated();
    if (text && config_.misbehave != Misbehave::no_utf8_check &&
        !is_valid_utf8(plain.data(), plain.size())) {
        fail(c, 1007, "invalid UTF-8 in a text message");
        return false;
    }
    data = plain.data();
    size = plain.size();
    return true;
}

template <class Host>
void ConnMachine<Host>::deliver(Conn& c, bool text, const std::uint8_t* data, std::size_t size,
                                bool compressed) {
    if (compressed && !inflate(c, text, data, size)) return;
    shard_->in[text ? 0 : 1].add(size);
    ++c.messages_in;
    if (console_) console_->received(c.id, text, data, size);
    touch(c);
    if (config_.mode == Mode::broadcast) {
        broadcast_message(text, data, size);
        return;
    }
    const std::string& prefix = config_.reply_prefix;
    const Opcode op = text ? Opcode::text : Opcode::binary;
    if (c.deflate) {
        // Compress prefix + message as the reply.
        const std::vector<std::uint8_t>& z = c.deflate->compress(
            reinterpret_cast<const std::uint8_t*>(prefix.data()), prefix.size(), data, size);
        write_frame(c, op, z.data(), z.size(), true);
    } else if (prefix.empty()) {
        write_frame(c, op, data, size);
    } else {
        FrameHeader h;
        h.opcode = op;
        h.payload_length = prefix.size() + size;
        std::uint8_t* p = c.out.reserve(kMaxFrameHeaderSize + h.payload_length);
        const std::size_t hs = encode_header(h, p, kMaxFrameHeaderSize);
        std::memcpy(p + hs, prefix.data(), prefix.size());
        if (size) std::memcpy(p + hs + prefix.size(), data, size);
        c.out.commit(hs + h.payload_length);
        mark_dirty(c);
    }
    shard_->out[text ? 0 : 1].add(prefix.size() + size);
    ++c.messages_out;
}

template <class Host>
void ConnMachine<Host>::broadcast_message(bool text, const std::uint8_t* data, std::size_t size) {
    const std::string& prefix = config_.reply_prefix;
    auto f = std::make_shared<SharedFrame>();
    f->text = text;
    f->payload = prefix.size() + size;
    FrameHeader h;
    h.opcode = text ? Opcode::text : Opcode::binary;
    h.payload_length = f->payload;
    f->bytes.resize(encoded_header_size(h) + f->payload);
    std::size_t pos = encode_header(h, f->bytes.data(), f->bytes.size());
    std::memcpy(f->bytes.data() + pos, prefix.data(), prefix.size());
    if (size) std::memcpy(f->bytes.data() + pos + prefix.size(), data, size);
    host_.broadcast(std::move(f));
}

template <class Host>
void ConnMachine<Host>::broadcast_to(Conn& c, const SharedFrame& f) {
    if (c.phase != Phase::open) return;
    // Counted when due to `c`: `out` includes what a close for its queue drops.
    shard_->out[f.text ? 0 : 1].add(f.payload);
    if (c.out.size() + f.bytes.size() > config_.max_send_queue) {
        close_for_send_queue(c, f);
        return;
    }
    c.out.append(f.bytes.data(), f.bytes.size(), config_.max_send_queue);
    ++c.messages_out;
    mark_dirty(c);
}

template <class Host>
void ConnMachine<Host>::console_send(Conn& c, const SharedFrame& f) {
    if (config_.mode == Mode::broadcast) return broadcast_to(c, f);
    if (c.phase != Phase::open) return;
    shard_->out[f.text ? 0 : 1].add(f.payload);
    c.out.append(f.bytes.data(), f.bytes.size());
    ++c.messages_out;
    mark_dirty(c);
}

template <class Host>
void ConnMachine<Host>::close_for_send_queue(Conn& c, const SharedFrame& f) {
    // Keep the frame being written (its first bytes are in the socket already) and, under
    // TLS, the record OpenSSL may have to retry with the same bytes; drop every whole
    // message behind them, so our close follows a clean prefix of the stream at once
    // instead of waiting behind what the client would never read in time.
    constexpr std::size_t kTlsRetry = 16 * 1024 + 1;
    std::size_t keep = c.frame_rest;
    while (c.ssl && keep < kTlsRetry && keep < c.out.size()) {
        keep += frame_extent(c.out.data() + keep).size;
    }
    std::uint64_t messages = 1;  // `f` itself
    std::uint64_t bytes = f.payload;
    count_unsent(c, keep, messages, bytes);
    c.out.truncate(keep);
    c.queue_full = true;
    c.lost_messages = messages;
    c.lost_bytes = bytes;
    stats_.on_send_queue_close(messages, bytes);
    log_line(LogLevel::info, "closing id=" + std::to_string(c.id) + " peer=" + c.peer.str() +
                                 " with 1008: send queue above --max-send-queue " +
                                 std::to_string(config_.max_send_queue) +
                                 " bytes (client not reading); " + std::to_string(messages) +
                                 " message(s), " + std::to_string(bytes) + " bytes, not delivered");
    start_close(c, 1008, "send queue limit exceeded");
}

template <class Host>
void ConnMachine<Host>::count_unsent(const Conn& c, std::size_t from, std::uint64_t& messages,
                                     std::uint64_t& bytes) const {
    // `from` is a frame boundary in `out`; every frame from there on is whole.
    for (std::size_t pos = from; pos < c.out.size();) {
        const FrameExtent e = frame_extent(c.out.data() + pos);
        if (e.data) {
            ++messages;
            bytes += e.payload;
        }
        pos += e.size;
    }
}

// --- output -----------------------------------------------------------------------------------

template <class Host>
void ConnMachine<Host>::write_frame(Conn& c, Opcode op, const std::uint8_t* data, std::size_t size,
                                    bool rsv1) {
    FrameHeader h;
    h.opcode = op;
    h.rsv1 = rsv1;
    h.payload_length = size;
    std::uint8_t* p = c.out.reserve(kMaxFrameHeaderSize + size);
    const std::size_t hs = encode_header(h, p, kMaxFrameHeaderSize);
    if (size) std::memcpy(p + hs, data, size);
    c.out.commit(hs + size);
    mark_dirty(c);
}

template <class Host>
void ConnMachine<Host>::write_close(Conn& c, std::uint16_t code, std::string_view reason) {
    std::uint8_t payload[kMaxClosePayload];
    const std::size_t n = format_close_payload(code, reason, payload, sizeof payload);
    write_frame(c, Opcode::close, payload, n);
    c.local_code = code;
}

template <class Host>
void ConnMachine<Host>::mark_dirty(Conn& c) {
    if (c.dirty) return;
    c.dirty = true;
    dirty_.push_back(&c);
}

template <class Host>
void ConnMachine<Host>::check_backpressure(Conn& c) {
    if (c.out.size() < kFlushEarly && c.out.size() <= config_.high_water_mark) return;
    host_.flush(c);
    // Stop reading while the replies wait, so a client that sends faster than it reads
    // cannot grow our memory: its own writes stall instead.
    if (c.phase != Phase::dead && c.out.size() > config_.high_water_mark) c.paused = true;
}

template <class Host>
void ConnMachine<Host>::written(Conn& c, std::size_t n) {
    const bool track = config_.mode == Mode::broadcast && c.opened;
    if (track && n >= c.frame_rest) {
        // Step over the headers of the frames this write finished (one read per frame).
        std::size_t pos = c.frame_rest;
        while (pos < n) {
            const FrameExtent e = frame_extent(c.out.data() + pos);
            pos += e.size;
            c.front_payload = e.data ? e.payload : 0;
        }
        c.frame_rest = pos - n;
    } else if (track) {
        c.frame_rest -= n;
    }
    c.out.consume(n);
}

template <class Host>
void ConnMachine<Host>::after_drain(Conn& c) {
    if (c.paused && c.out.size() <= config_.high_water_mark / 2) {
        c.paused = false;
        if (c.readable) host_.resume_reading(c);  // on the next turn
    }
    if (!c.out.empty()) return;
    c.out.trim(c.release_out ? 0 : kKeepCapacity);
    c.release_out = false;
    if (c.close_after_flush) {
        host_.close_conn(c, nullptr);
    } else if (c.shut_after_flush) {
        c.shut_after_flush = false;
        host_.shutdown_write(c);  // the client sees our close, then EOF
    }
}

// --- closing ----------------------------------------------------------------------------------

template <class Host>
void ConnMachine<Host>::touch(Conn& c) {
    if (idles_.contains(c)) idles_.push(c, host_.now_ns());
}

template <class Host>
void ConnMachine<Host>::start_close(Conn& c, std::uint16_t code, std::string_view reason) {
    if (c.phase != Phase::open) return;
    write_close(c, code, reason);
    c.phase = Phase::closing;
    closings_.push(c, host_.now_ns());
}

template <class Host>
void ConnMachine<Host>::fail(Conn& c, std::uint16_t code, std::string_view reason) {
    if (c.phase != Phase::open && c.phase != Phase::closing) return;
    if (c.phase == Phase::open) write_close(c, code, reason);
    // Fail the connection (§7.1.7): our close, then EOF; discard what the client still
    // sends until it drops too or the close timeout passes.
    c.phase = Phase::draining;
    c.shut_after_flush = true;
    c.paused = false;
    closings_.push(c, host_.now_ns());
    mark_dirty(c);
}

template <class Host>
void ConnMachine<Host>::sweep(std::int64_t now) {
    while (Conn* c = handshakes_.expired(now)) host_.close_conn(*c, "handshake timeout");
    while (Conn* c = idles_.expired(now)) {
        if (config_.log_connections) {
            log_line(LogLevel::info, "idle id=" + std::to_string(c->id) + " peer=" + c->peer.str());
        }
        start_close(*c, 1001, "idle timeout");
        if (idles_.contains(*c)) ConnTimers::remove(*c);  // start_close moved it unless closing
    }
    while (Conn* c = closings_.expired(now)) {
        // A client that takes none of our output (our close is still queued) gets a reset,
        // not an orphaned socket the kernel would keep retrying and then drop in silence.
        c->reset = !c->out.empty();
        host_.close_conn(*c, "close timeout");
    }
}

template <class Host>
void ConnMachine<Host>::finish(Conn& c, const char* why) {
    if (c.phase == Phase::dead) return;
    const Phase was = c.phase;
    c.phase = Phase::dead;
    ConnTimers::remove(c);
    if (c.queue_full && !c.out.empty()) {
        // TCP dropped with our output unwritten: the message being written is lost too.
        std::uint64_t messages = c.frame_rest > 0 && c.front_payload > 0 ? 1 : 0;
        std::uint64_t bytes = messages ? c.front_payload : 0;
        count_unsent(c, c.frame_rest, messages, bytes);
        stats_.on_undelivered(messages, bytes);
        c.lost_messages += messages;
        c.lost_bytes += bytes;
    }
    if (c.opened) {
        const bool remote_real = c.remote_code != kNoCode && c.remote_code != kAbnormal;
        const std::uint16_t code = remote_real ? c.remote_code : c.local_code;
        stats_.on_close(code);
        if (config_.log_connections) log_close(c, code);
        if (console_) console_->closed(c.id, code);
    } else if (was == Phase::handshake) {
        stats_.on_handshake_failed();
        if (config_.log_connections) {
            log_line(LogLevel::info, "fail id=" + std::to_string(c.id) + " peer=" + c.peer.str() +
                                         " error=\"" + (why ? why : "closed") + "\" status=0");
        }
    }
    c.out = OutputBuffer();
    c.partial.reset();
    c.deflate.reset();
    c.labels.reset();
}

template <class Host>
void ConnMachine<Host>::log_close(const Conn& c, std::uint16_t code) {
    char dur[32];
    std::snprintf(dur, sizeof dur, "%.3f",
                  static_cast<double>(host_.now_ns() - c.accepted_ns) / 1e9);
    log_line(LogLevel::info,
             "close id=" + std::to_string(c.id) + " peer=" + c.peer.str() +
                 " code=" + std::to_string(code) + " remote_code=" + std::to_string(c.remote_code) +
                 " local_code=" + std::to_string(c.local_code) + " reason=\"" +
                 (c.close_reason ? *c.close_reason : std::string()) + "\" duration_s=" + dur +
                 (c.queue_full ? send_queue_full_fields(c.lost_messages, c.lost_bytes) : ""));
}

}  // namespace wsb::echo::fast
