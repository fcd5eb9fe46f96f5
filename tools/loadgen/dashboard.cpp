// The dashboard's listener (see loadgen/dashboard.hpp): a small HTTP/1.1 server on an io_context
// of its own thread. Every piece of its state lives on that thread; the coordinator only posts
// events to it.
#include "loadgen/dashboard.hpp"

#include <asio.hpp>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "loadgen/metrics_server.hpp"
#include "wsbench/http.hpp"

namespace wsb::loadgen {
namespace {

constexpr std::size_t kMaxRequestHead = 8192;
/// Unsent events a client may fall behind by (beyond its socket's buffer) before it is
/// dropped: minutes of events, far more than a browser that keeps up ever holds.
constexpr std::size_t kMaxPending = 64 * 1024;
/// The send buffer of an event stream's socket: fixed, so the kernel too holds a bounded
/// amount for a client that stops reading (autotuned, it grows to megabytes).
constexpr int kStreamSendBuffer = 64 * 1024;

std::string head(int status, std::string_view type, std::size_t length) {
    HeaderList extra{{"Cache-Control", "no-store"}};
    if (status == 405) extra.emplace_back("Allow", "GET");
    return http_reply_head(status, type, length, extra);
}

class Client;

}  // namespace

/// The listener's state, touched only on its thread (io).
struct DashboardServer {
    asio::io_context io{1};
    asio::ip::tcp::acceptor acceptor{io};
    std::thread thread;
    std::string page;
    std::vector<std::string> history;           ///< every event so far, in order
    std::shared_ptr<const std::string> report;  ///< the HTML report, once the run ended
    std::set<std::shared_ptr<Client>> streams;  ///< clients of /events

    void accept();
    void broadcast(const std::string& frame);
};

namespace {

/// One connection: a request head, then a reply and close, or the event stream.
class Client : public std::enable_shared_from_this<Client> {
  public:
    Client(asio::ip::tcp::socket s, DashboardServer& server)
        : socket_(std::move(s)), server_(server) {}

    void read() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(chunk_), [self](asio::error_code ec, std::size_t n) {
            if (ec) return;
            self->head_.append(self->chunk_.data(), n);
            HttpRequest req;
            std::size_t used = 0;
            const Errc e = parse_http_request(self->head_, req, used, kMaxRequestHead);
            if (e == Errc::http_incomplete) return self->read();
            self->answer(e == Errc::ok ? &req : nullptr);
        });
    }

    /// An event for a client of /events; drops the client when it is too far behind.
    void send(const std::string& frame) {
        if (closed_) return;
        if (pending_.size() + frame.size() > kMaxPending) return drop();
        pending_ += frame;
        if (!writing_) flush();
    }

  private:
    void answer(const HttpRequest* req) {
        const std::string_view text = "text/plain; charset=utf-8";
        std::string path = req ? req->target.substr(0, req->target.find('?')) : "";
        if (req == nullptr) {
            reply(head(400, text, 12) + "bad request\n");
        } else if (req->method != "GET") {
            reply(head(405, text, 9) + "only GET\n");
        } else if (path == "/") {
            reply(head(200, "text/html; charset=utf-8", server_.page.size()) + server_.page);
        } else if (path == "/report.html" && server_.report) {
            reply(head(200, "text/html; charset=utf-8", server_.report->size()) + *server_.report);
        } else if (path == "/report.html") {
            const std::string body = "the run is not over: the report comes at its end\n";
            reply(head(503, text, body.size()) + body);
        } else if (path == "/events") {
            stream();
        } else {
            const std::string body = "not found: the dashboard is at /\n";
            reply(head(404, text, body.size()) + body);
        }
    }

    // A whole reply, then close.
    void reply(std::string bytes) {
        out_ = std::move(bytes);
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(out_), [self](asio::error_code, std::size_t) {
            asio::error_code ignored;
            self->socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        });
    }

    // /events: the head and the history in one write, then each event as it comes; reads on
    // to see the client go.
    void stream() {
        pending_ =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
            "Connection: close\r\n\r\n";
        for (const std::string& frame : server_.history) pending_ += frame;
        asio::error_code ignored;
        socket_.set_option(asio::socket_base::send_buffer_size(kStreamSendBuffer), ignored);
        server_.streams.insert(shared_from_this());
        flush();
        watch();
    }

    void flush() {
        writing_ = true;
        out_.swap(pending_);
        pending_.clear();
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(out_), [self](asio::error_code ec, std::size_t) {
            self->writing_ = false;
            if (ec) return self->drop();
            if (!self->pending_.empty() && !self->closed_) self->flush();
        });
    }

    void watch() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(chunk_), [self](asio::error_code ec, std::size_t) {
            if (ec) return self->drop();
            self->watch();
        });
    }

    void drop() {
        if (closed_) return;
        closed_ = true;
        asio::error_code ignored;
        socket_.close(ignored);
        server_.streams.erase(shared_from_this());
    }

    asio::ip::tcp::socket socket_;
    DashboardServer& server_;
    std::array<char, 2048> chunk_{};
    std::string head_;
    std::string out_;      ///< being written
    std::string pending_;  ///< /events: what waits for the write under way
    bool writing_ = false;
    bool closed_ = false;
};

}  // namespace

void DashboardServer::accept() {
    acceptor.async_accept([this](asio::error_code ec, asio::ip::tcp::socket s) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) std::make_shared<Client>(std::move(s), *this)->read();
        accept();
    });
}

void DashboardServer::broadcast(const std::string& frame) {
    history.push_back(frame);
    // A copy: send() may drop a client, which leaves the set.
    const std::vector<std::shared_ptr<Client>> now(streams.begin(), streams.end());
    for (const auto& c : now) c->send(frame);
}

Dashboard::Dashboard(const Config& config, std::ostream& err)
    : server_(std::make_unique<DashboardServer>()) {
    std::string host;
    std::uint16_t port = 0;
    std::string why;
    if (!parse_host_port(config.dashboard, host, port, why)) {
        throw std::runtime_error("--dashboard " + config.dashboard + ": " + why);
    }
    asio::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    asio::ip::tcp::endpoint at(address, port);
    auto& acceptor = server_->acceptor;
    if (!ec) acceptor.open(at.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(at, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("--dashboard: cannot listen on " + config.dashboard + ": " +
                                 ec.message());
    }
    port_ = acceptor.local_endpoint().port();
    const nlohmann::json hello = hello_event(config);
    server_->page = dashboard_page(hello.value("title", "wsbench-loadgen"));
    server_->history.push_back(sse_event("hello", hello));
    server_->accept();
    server_->thread = std::thread([s = server_.get()] { s->io.run(); });
    const std::string shown = address.is_v6() ? "[" + host + "]" : host;
    err << "dashboard on http://" << shown << ":" << port_ << "/" << std::endl;
}

Dashboard::~Dashboard() {
    // The events posted so far (the end above all) reach the clients' sockets before the stop:
    // a barrier after them, waited for a moment.
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> passed = done->get_future();
    asio::post(server_->io, [done] { done->set_value(); });
    passed.wait_for(std::chrono::seconds(1));
    server_->io.stop();
    if (server_->thread.joinable()) server_->thread.join();
    server_->streams.clear();
}

void Dashboard::post(std::string frame, std::shared_ptr<const std::string> report) {
    DashboardServer* s = server_.get();
    asio::post(s->io, [s, frame = std::move(frame), report = std::move(report)] {
        if (report) s->report = report;
        s->broadcast(frame);
    });
}

void Dashboard::second(const LiveSecond& s, const LiveCounters& totals) {
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    post(sse_event("second", second_event(t, s, totals)));
}

void Dashboard::capacity_step(const LiveCapacityStep& step) {
    post(sse_event("step", capacity_step_event(step)));
}

void Dashboard::end(std::string report_html, const report::LoadgenReport& r) {
    post(sse_event("end", end_event(r, "/report.html")),
         std::make_shared<const std::string>(std::move(report_html)));
}

}  // namespace wsb::loadgen
