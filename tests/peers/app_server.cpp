// A test application server that behaves like a real one, for scenario files (issue 14): a
// chat-style auth/join protocol and JSON-RPC with random service delays (so replies come out
// of order), several replies to one request, unsolicited notifications, an auth that fails
// for some users, and a crash on demand. It counts what it saw and reports it: on a
// {"op":"stats"} message, and as one `stats {...}` line on stdout when it stops (SIGTERM).
//
// Usage: app_server [--port P] [--delay-max MS] [--progress K] [--notify-every MS]
//                   [--die-after N] [--seed S]
//   --delay-max MS     each JSON-RPC reply waits a uniform 0..MS ms (default 0: at once)
//   --progress K       each JSON-RPC request first gets K {"id":..,"progress":i} messages
//   --notify-every MS  every MS ms, {"method":"notify","ts_us":..} to each authenticated
//                      connection (default 0: none)
//   --die-after N      after the Nth JSON-RPC request, exit at once (code 3, no close)
// Protocol: {"op":"auth","user":U} -> {"op":"auth_ok","session":"s-N"}, or
// {"op":"auth_failed"} when U starts with "bad"; {"op":"join","room":R} ->
// {"op":"joined","room":R}; {"op":"say","id":I} -> {"op":"ack","id":I}; {"op":"ping"} ->
// {"op":"pong"}; {"id":I,"method":M,"params":P} -> {"jsonrpc":"2.0","id":I,"result":{"method":
// M,"params":P}} ({"error":..} for method "fail"). Prints `listening on ws://127.0.0.1:PORT`.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

using Server = websocketpp::server<websocketpp::config::asio>;
using Hdl = websocketpp::connection_hdl;
using nlohmann::json;

namespace {

struct Options {
    std::uint16_t port = 0;
    int delay_max_ms = 0;
    int progress = 0;
    int notify_every_ms = 0;
    long die_after = 0;
    unsigned seed = 1;
};

// What the server saw and sent; the tests compare the load generator's counts with these.
struct Stats {
    std::uint64_t connections = 0;
    std::uint64_t auth_ok = 0;
    std::uint64_t auth_failed = 0;
    std::uint64_t joins = 0;
    std::uint64_t says = 0;
    std::uint64_t pings = 0;
    std::uint64_t requests = 0;
    std::uint64_t replies = 0;
    std::uint64_t progress = 0;
    std::uint64_t notifications = 0;
    std::uint64_t malformed = 0;
    std::uint64_t binary = 0;
    std::map<std::uint16_t, std::uint64_t> close_codes;

    json to_json() const {
        json codes = json::object();
        for (const auto& [code, n] : close_codes) codes[std::to_string(code)] = n;
        return {{"connections", connections},
                {"auth_ok", auth_ok},
                {"auth_failed", auth_failed},
                {"joins", joins},
                {"says", says},
                {"pings", pings},
                {"requests", requests},
                {"replies", replies},
                {"progress", progress},
                {"notifications", notifications},
                {"malformed", malformed},
                {"binary", binary},
                {"close_codes", codes}};
    }
};

class App {
  public:
    App(Server& server, const Options& o) : server_(server), o_(o), rng_(o.seed) {}

    void on_open(Hdl) { ++stats_.connections; }
    void on_close(Hdl h) {
        authed_.erase(h);
        Server::connection_ptr c = server_.get_con_from_hdl(h);
        ++stats_.close_codes[c->get_remote_close_code()];
    }
    void on_message(Hdl h, Server::message_ptr msg) {
        if (msg->get_opcode() != websocketpp::frame::opcode::text) {
            ++stats_.binary;
            return;
        }
        const json in = json::parse(msg->get_payload(), nullptr, false);
        if (in.is_discarded() || !in.is_object()) {
            ++stats_.malformed;
            return;
        }
        if (in.contains("op")) {
            on_op(h, in);
        } else if (in.contains("method") && in.contains("id")) {
            on_request(h, in);
        } else {
            ++stats_.malformed;
        }
    }
    void start_notifications() {
        if (o_.notify_every_ms <= 0) return;
        notify_timer_ = std::make_unique<asio::steady_timer>(server_.get_io_service());
        arm_notify();
    }
    const Stats& stats() const { return stats_; }

  private:
    void send(Hdl h, const json& j) {
        websocketpp::lib::error_code ec;
        server_.send(h, j.dump(), websocketpp::frame::opcode::text, ec);
    }
    void on_op(Hdl h, const json& in) {
        const std::string op = in["op"].is_string() ? in["op"].get<std::string>() : "";
        if (op == "auth") {
            const std::string user = in.value("user", "");
            if (user.rfind("bad", 0) == 0) {
                ++stats_.auth_failed;
                send(h, {{"op", "auth_failed"}, {"user", user}});
                return;
            }
            ++stats_.auth_ok;
            authed_.insert(h);
            send(h, {{"op", "auth_ok"}, {"session", "s-" + std::to_string(stats_.auth_ok)}});
        } else if (op == "join") {
            ++stats_.joins;
            send(h, {{"op", "joined"}, {"room", in.value("room", json())}});
        } else if (op == "say") {
            ++stats_.says;
            send(h, {{"op", "ack"}, {"id", in.value("id", json())}});
        } else if (op == "ping") {
            ++stats_.pings;
            send(h, {{"op", "pong"}});
        } else if (op == "stats") {
            json out = stats_.to_json();
            out["op"] = "stats";
            send(h, out);
        } else {
            ++stats_.malformed;
        }
    }
    void on_request(Hdl h, const json& in) {
        ++stats_.requests;
        if (o_.die_after > 0 && static_cast<long>(stats_.requests) >= o_.die_after) {
            std::cout << "stats " << stats_.to_json().dump() << std::endl;
            std::_Exit(3);  // a crash: no close frames, no goodbye
        }
        for (int i = 0; i < o_.progress; ++i) {
            ++stats_.progress;
            send(h, {{"id", in["id"]}, {"progress", i}});
        }
        json reply = {{"jsonrpc", "2.0"}, {"id", in["id"]}};
        const std::string method = in["method"].is_string() ? in["method"].get<std::string>() : "";
        if (method == "fail") {
            reply["error"] = {{"code", -32000}, {"message", "failed on purpose"}};
        } else {
            reply["result"] = {{"method", method}, {"params", in.value("params", json())}};
        }
        const int delay =
            o_.delay_max_ms > 0 ? std::uniform_int_distribution<int>(0, o_.delay_max_ms)(rng_) : 0;
        if (delay == 0) {
            ++stats_.replies;
            send(h, reply);
            return;
        }
        auto timer = std::make_shared<asio::steady_timer>(server_.get_io_service(),
                                                          std::chrono::milliseconds(delay));
        timer->async_wait([this, h, reply, timer](const std::error_code& ec) {
            if (ec) return;
            ++stats_.replies;
            send(h, reply);
        });
    }
    void arm_notify() {
        notify_timer_->expires_after(std::chrono::milliseconds(o_.notify_every_ms));
        notify_timer_->async_wait([this](const std::error_code& ec) {
            if (ec) return;
            const auto now = std::chrono::system_clock::now().time_since_epoch();
            const json n = {
                {"method", "notify"},
                {"ts_us", std::chrono::duration_cast<std::chrono::microseconds>(now).count()}};
            for (const Hdl& h : authed_) {
                ++stats_.notifications;
                send(h, n);
            }
            arm_notify();
        });
    }

    Server& server_;
    Options o_;
    std::mt19937 rng_;
    Stats stats_;
    std::set<Hdl, std::owner_less<Hdl>> authed_;
    std::unique_ptr<asio::steady_timer> notify_timer_;
};

bool parse_options(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) return false;
        const long v = std::strtol(argv[++i], nullptr, 10);
        if (a == "--port") {
            o.port = static_cast<std::uint16_t>(v);
        } else if (a == "--delay-max") {
            o.delay_max_ms = static_cast<int>(v);
        } else if (a == "--progress") {
            o.progress = static_cast<int>(v);
        } else if (a == "--notify-every") {
            o.notify_every_ms = static_cast<int>(v);
        } else if (a == "--die-after") {
            o.die_after = v;
        } else if (a == "--seed") {
            o.seed = static_cast<unsigned>(v);
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse_options(argc, argv, o)) {
        std::cerr << "usage: app_server [--port P] [--delay-max MS] [--progress K] "
                     "[--notify-every MS] [--die-after N] [--seed S]\n";
        return 2;
    }
    Server server;
    server.clear_access_channels(websocketpp::log::alevel::all);
    server.clear_error_channels(websocketpp::log::elevel::all);
    server.init_asio();
    server.set_reuse_addr(true);
    App app(server, o);
    server.set_open_handler([&](Hdl h) { app.on_open(h); });
    server.set_close_handler([&](Hdl h) { app.on_close(h); });
    server.set_message_handler([&](Hdl h, Server::message_ptr m) { app.on_message(h, m); });

    asio::signal_set signals(server.get_io_service(), SIGINT, SIGTERM);
    signals.async_wait([&](const std::error_code&, int) {
        server.stop_listening();
        std::cout << "stats " << app.stats().to_json().dump() << std::endl;
        server.stop();
    });
    websocketpp::lib::error_code ec;
    server.listen(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), o.port), ec);
    if (!ec) server.start_accept(ec);
    const auto local = server.get_local_endpoint(ec);
    if (ec) {
        std::cerr << "app_server: cannot listen: " << ec.message() << "\n";
        return 3;
    }
    std::cout << "listening on ws://127.0.0.1:" << local.port() << std::endl;
    app.start_notifications();
    server.run();
    return 0;
}
