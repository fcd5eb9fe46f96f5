// App (app.hpp): the client's loop, from the first connect to the exit code.
#include "client/app.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

#include "wsbench/close.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::client {
namespace {

constexpr std::size_t kMaxPendingPings = 32;
// Pipe mode stops reading stdin while this much is queued for the socket, so a fast producer
// and a slow server do not grow the client without bound.
constexpr std::size_t kInputHighWater = 1 << 20;
// A connection that stayed open this long resets the reconnection backoff.
constexpr std::chrono::seconds kStableConnection{5};

const char* close_code_name(std::uint16_t code) {
    switch (code) {
        case 1000:
            return "normal";
        case 1001:
            return "going away";
        case 1002:
            return "protocol error";
        case 1003:
            return "unsupported data";
        case 1007:
            return "invalid payload";
        case 1008:
            return "policy violation";
        case 1009:
            return "message too big";
        case 1010:
            return "mandatory extension";
        case 1011:
            return "internal error";
        case 1012:
            return "service restart";
        case 1013:
            return "try again later";
        case 1014:
            return "bad gateway";
        default:
            return nullptr;
    }
}

std::string close_text(std::uint16_t code, const std::string& reason) {
    if (code == 0) return "no status code (1005)";
    std::string s = std::to_string(code);
    if (const char* name = close_code_name(code)) s += std::string(" (") + name + ")";
    if (!reason.empty()) {
        s += " '";
        append_escaped(s, reason);
        s += "'";
    }
    return s;
}

std::string shown(std::string_view payload) {
    std::string s = "'";
    append_escaped(s, payload);
    return s + "'";
}

std::string millis_text(double ms) {
    std::ostringstream s;
    s.precision(3);
    s << std::fixed << ms << " ms";
    return s.str();
}

}  // namespace

ExitCode exit_code_for(const Ending& ending, std::optional<ExitCode> requested) {
    using K = Ending::Kind;
    switch (ending.kind) {
        case K::closed:
            if (requested) return *requested;
            return ending.code == 1000 ? ExitCode::ok : ExitCode::check_failed;
        case K::lost:
        case K::protocol_error:
        case K::close_timeout:
            return ExitCode::check_failed;
        case K::connect_failed:
        case K::handshake_failed:
        case K::connect_timeout:
            return requested ? *requested : ExitCode::cannot_run;
    }
    return ExitCode::check_failed;
}

std::string describe(const Ending& ending) {
    if (ending.kind != Ending::Kind::closed) return ending.message;
    if (!ending.message.empty()) return ending.message;
    if (ending.by_us)
        return "closed: the server answered with " + close_text(ending.code, ending.reason);
    return "closed by the server: " + close_text(ending.code, ending.reason);
}

App::App(asio::io_context& io, const Config& config, Console& console, asio::ssl::context* tls)
    : io_(io),
      config_(config),
      console_(console),
      tls_(tls),
      rules_(config.count, config.until),
      backoff_(config.reconnect_min, config.reconnect_max),
      rng_(std::random_device{}()),
      signals_(io, SIGINT, SIGTERM),
      wait_timer_(io),
      timeout_timer_(io),
      ping_timer_(io),
      reconnect_timer_(io) {}

ExitCode App::run() {
    signals_.async_wait([this](const asio::error_code& ec, int) {
        if (ec || stopped_) return;
        if (session_ && session_->is_open() && !requested_) {
            console_.note("interrupted: closing with 1000");
            close_and_exit(ExitCode::ok);
            // A second signal does not wait for the server.
            signals_.async_wait([this](const asio::error_code& e, int) {
                if (!e) stop(ExitCode::check_failed);
            });
            return;
        }
        console_.note("interrupted");
        stop(requested_ ? *requested_ : ExitCode::check_failed);
    });
    if (config_.timeout) {
        timeout_timer_.expires_after(*config_.timeout);
        timeout_timer_.async_wait([this](const asio::error_code& ec) {
            if (ec || stopped_ || requested_) return;
            console_.note("--timeout: still waiting for " + rules_.awaited());
            close_and_exit(ExitCode::check_failed);
        });
    }
    if (config_.execute.empty()) {
        console_.start_input([this](std::string line) { on_line(std::move(line)); },
                             [this] { on_input_end(); });
    }
    connect();
    io_.run();
    console_.stop_input();
    return exit_;
}

void App::connect() {
    if (console_.interactive()) console_.note("connecting to " + config_.url.str());
    session_ = std::make_shared<Session>(io_, config_, tls_, *this);
    session_->start();
}

void App::on_request(std::string_view head) {
    if (!config_.verbose) return;
    std::istringstream lines{std::string(head)};
    for (std::string line; std::getline(lines, line) && line != "\r";) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        console_.detail("> " + line);
    }
}

void App::on_response(std::string_view head) {
    if (!config_.verbose) return;
    std::istringstream lines{std::string(head)};
    for (std::string line; std::getline(lines, line) && line != "\r";) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        console_.detail("< " + line);
    }
}

void App::on_open(const OpenInfo& info) {
    was_open_ = true;
    opened_at_ = Clock::now();
    if (console_.interactive()) {
        std::string s = "connected to " + config_.url.str();
        if (!info.subprotocol.empty()) s += " (subprotocol " + info.subprotocol + ")";
        if (!info.extensions.empty()) s += " (" + info.extensions + ")";
        console_.note(s + "; /help lists the commands");
    }
    on_writable();  // stdin paused behind a lost connection reads again
    for (const std::string& m : config_.execute) send(Opcode::text, m);
    while (!queued_.empty() && session_->is_open()) {
        std::string line = std::move(queued_.front());
        queued_.pop_front();
        on_line(std::move(line));
    }
    arm_ping_timer();
    if (!session_->is_open()) return;
    if (!config_.execute.empty() && !sent_initial_) {
        sent_initial_ = true;
        done_sending();
    } else if (input_ended_) {
        done_sending();
    }
}

void App::on_message(bool binary, std::string_view payload) {
    if (rules_.met()) return;  // -n 2 prints two messages, even if more arrive while closing
    console_.message(Direction::in, binary, payload);
    if (requested_ || !rules_.any()) return;
    if (rules_.on_message(payload)) close_and_exit(ExitCode::ok);
}

void App::on_ping(std::string_view payload) {
    if (!config_.show_ping) return;
    console_.detail("received ping " + shown(payload));
    console_.detail("sent pong " + shown(payload));
}

void App::on_pong(std::string_view payload) {
    for (auto it = pings_.begin(); it != pings_.end(); ++it) {
        if (it->first != payload) continue;
        const std::chrono::duration<double, std::milli> rtt = Clock::now() - it->second;
        pings_.erase(it);
        console_.detail("pong " + shown(payload) + ": round trip " + millis_text(rtt.count()));
        return;
    }
    if (config_.show_ping) console_.detail("received pong " + shown(payload) + " (unsolicited)");
}

void App::on_writable() {
    if (!input_paused_) return;
    input_paused_ = false;
    console_.resume_input();
}

void App::on_end(const Ending& ending) {
    ping_timer_.cancel();
    pings_.clear();
    if (stopped_) return;
    const bool clean_and_asked = requested_ && ending.kind == Ending::Kind::closed;
    if (console_.interactive() || !clean_and_asked) console_.note(describe(ending));
    if (!requested_ && config_.reconnect) {
        schedule_reconnect();
        return;
    }
    stop(exit_code_for(ending, requested_));
}

void App::on_line(std::string line) {
    if (stopped_ || requested_) return;
    const bool open = session_ && session_->is_open();
    if (!open && !console_.interactive()) {
        queued_.push_back(std::move(line));
        return;
    }
    // In pipe mode every line is a message as it is; commands are for the terminal.
    if (!console_.interactive()) {
        send(Opcode::text, line);
        if (!input_paused_ && session_->buffered() > kInputHighWater) {
            input_paused_ = true;
            console_.pause_input();
        }
        return;
    }
    Command command = parse_command(line);
    using K = Command::Kind;
    const bool sends = command.kind == K::text || command.kind == K::json ||
                       command.kind == K::binary || command.kind == K::file ||
                       command.kind == K::ping;
    if (!open && sends) {  // /quit, /close, /reconnect and /help act at once
        console_.note("not connected yet: sent once the connection opens");
        queued_.push_back(std::move(line));
        return;
    }
    run_command(std::move(command));
}

void App::on_input_end() {
    input_ended_ = true;
    if (session_ && session_->is_open() && queued_.empty()) done_sending();
}

void App::run_command(Command command) {
    using K = Command::Kind;
    switch (command.kind) {
        case K::text:
        case K::json:
            send(Opcode::text, command.payload);
            return;
        case K::binary:
            send(Opcode::binary, command.payload);
            return;
        case K::file:
            send_file(command.payload);
            return;
        case K::ping:
            send_ping(std::move(command.payload));
            return;
        case K::close:
            close_and_exit(ExitCode::ok, command.code, command.payload);
            return;
        case K::reconnect:
            reconnect_timer_.cancel();
            if (session_) session_->abort();
            backoff_.reset();
            connect();
            return;
        case K::help: {
            std::istringstream help(command_help());
            for (std::string line; std::getline(help, line);) console_.note(line);
            return;
        }
        case K::quit:
            close_and_exit(ExitCode::ok);
            return;
        case K::error:
            console_.note(command.payload);
            return;
    }
}

void App::send(Opcode opcode, std::string_view payload) {
    if (!session_ || !session_->is_open()) return;
    if (opcode == Opcode::text && !is_valid_utf8(payload)) {
        console_.note("not sent: not valid UTF-8, which a text message must be (RFC 6455 §8.1)");
        return;
    }
    session_->send(opcode, payload);
    console_.message(Direction::out, opcode == Opcode::binary, payload);
}

void App::send_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        console_.note("/file " + path + ": cannot read it");
        return;
    }
    if (!in.is_open()) {
        console_.note("/file " + path + ": cannot open it");
        return;
    }
    send(Opcode::binary, bytes);
}

void App::send_ping(std::string payload) {
    if (!session_ || !session_->is_open()) return;
    if (payload.empty()) payload = "wsbench-" + std::to_string(++ping_counter_);
    if (pings_.size() == kMaxPendingPings) pings_.pop_front();
    pings_.emplace_back(payload, Clock::now());
    session_->send(Opcode::ping, payload);
    if (config_.show_ping) console_.detail("sent ping " + shown(payload));
}

// The -x messages went out, or stdin ended: wait for -n/--until, or -w, then close.
void App::done_sending() {
    if (requested_ || stopped_) return;
    if (rules_.any() && !rules_.met()) return;
    if (!config_.wait) {
        close_and_exit(ExitCode::ok);
        return;
    }
    if (config_.wait->count() < 0) return;  // -w -1: until the server closes or Ctrl-C
    wait_timer_.expires_after(*config_.wait);
    wait_timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) close_and_exit(ExitCode::ok);
    });
}

void App::close_and_exit(ExitCode code, std::uint16_t close_code, std::string_view reason) {
    if (requested_ || stopped_) return;
    requested_ = code;
    reconnect_timer_.cancel();
    if (session_ && !session_->done()) {
        session_->close(close_code, reason);  // on_end follows
        return;
    }
    stop(code);
}

void App::schedule_reconnect() {
    if (was_open_ && Clock::now() - opened_at_ >= kStableConnection) backoff_.reset();
    was_open_ = false;
    const Millis delay = backoff_.next(rng_);
    console_.note("reconnecting in " + std::to_string(delay.count()) + " ms (attempt " +
                  std::to_string(backoff_.attempts()) + ")");
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec && !stopped_ && !requested_) connect();
    });
}

void App::arm_ping_timer() {
    if (config_.ping_interval.count() <= 0) return;
    ping_timer_.expires_after(config_.ping_interval);
    ping_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || stopped_ || !session_ || !session_->is_open()) return;
        send_ping({});
        arm_ping_timer();
    });
}

void App::stop(ExitCode code) {
    if (stopped_) return;
    stopped_ = true;
    exit_ = code;
    asio::error_code ignored;
    signals_.cancel(ignored);
    wait_timer_.cancel();
    timeout_timer_.cancel();
    ping_timer_.cancel();
    reconnect_timer_.cancel();
    console_.stop_input();
    if (session_) session_->abort();
    io_.stop();
}

}  // namespace wsb::client
