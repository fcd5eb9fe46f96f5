// The live metrics' listener and pusher (see loadgen/metrics_server.hpp): a small HTTP/1.1
// server on an io_context of its own thread, one request per connection, and a blocking
// client with a deadline for the Pushgateway.
#include "loadgen/metrics_server.hpp"

#include <sys/resource.h>

#include <asio.hpp>
#include <functional>
#include <stdexcept>

#include "wsbench/http.hpp"
#include "wsbench/prometheus.hpp"
#include "wsbench/report/html.hpp"
#include "wsbench/system.hpp"

namespace wsb::loadgen {
namespace {

constexpr std::size_t kMaxRequestHead = 8192;
constexpr std::chrono::milliseconds kPushTimeout{5000};

double process_cpu_seconds() {
    rusage u{};
    if (::getrusage(RUSAGE_SELF, &u) != 0) return 0;
    const auto secs = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return secs(u.ru_utime) + secs(u.ru_stime);
}

std::string response(int status, std::string_view type, const std::string& body,
                     const HeaderList& extra = {}) {
    return http_reply_head(status, type, body.size(), extra) + body;
}

/// One connection to the listener: reads a request head, answers, closes.
class MetricsConnection : public std::enable_shared_from_this<MetricsConnection> {
  public:
    MetricsConnection(asio::ip::tcp::socket s, const MetricsService& service)
        : socket_(std::move(s)), service_(service) {}

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

  private:
    void answer(const HttpRequest* req) {
        const std::string_view text = "text/plain; charset=utf-8";
        if (req == nullptr) {
            out_ = response(400, text, "bad request\n");
        } else if (req->method != "GET") {
            out_ = response(405, text, "only GET\n", {{"Allow", "GET"}});
        } else if (req->target != "/metrics" && req->target.rfind("/metrics?", 0) != 0) {
            out_ = response(404, text, "not found: the metrics are at /metrics\n");
        } else {
            out_ = response(200, kPrometheusContentType, *service_.snapshot());
        }
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(out_), [self](asio::error_code, std::size_t) {
            asio::error_code ignored;
            self->socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        });
    }

    asio::ip::tcp::socket socket_;
    const MetricsService& service_;
    std::array<char, 2048> chunk_{};
    std::string head_;
    std::string out_;
};

}  // namespace

/// The /metrics listener: an acceptor on an io_context run by a thread of its own.
struct MetricsService::Listener {
    asio::io_context io{1};
    asio::ip::tcp::acceptor acceptor{io};
    std::thread thread;

    void accept(const MetricsService& service) {
        acceptor.async_accept([this, &service](asio::error_code ec, asio::ip::tcp::socket s) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) std::make_shared<MetricsConnection>(std::move(s), service)->read();
            accept(service);
        });
    }
};

bool parse_host_port(const std::string& text, std::string& host, std::uint16_t& port,
                     std::string& why) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        why = "expected HOST:PORT such as 127.0.0.1:9464 (port 0: any free port)";
        return false;
    }
    host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const std::string digits = text.substr(colon + 1);
    if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(digits) > 65535) {
        why = "the port must be a number from 0 to 65535";
        return false;
    }
    port = static_cast<std::uint16_t>(std::stoul(digits));
    return true;
}

bool parse_http_target(const std::string& url, HttpTarget& out, std::string& why) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) {
        why = "expected an http:// URL such as http://127.0.0.1:9091 (the Pushgateway)";
        return false;
    }
    const std::string rest = url.substr(scheme.size());
    const std::size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    out.path = slash == std::string::npos ? "" : rest.substr(slash);
    while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
    if (authority.empty()) {
        why = "the URL has no host";
        return false;
    }
    const bool has_port = authority.back() != ']' && authority.find(':') != std::string::npos;
    if (!has_port) {
        out.host = authority.front() == '[' ? authority.substr(1, authority.size() - 2) : authority;
        out.port = 80;
        return true;
    }
    if (!parse_host_port(authority, out.host, out.port, why)) return false;
    if (out.port == 0) {
        why = "port 0 cannot be pushed to";
        return false;
    }
    return true;
}

std::string push_path(const HttpTarget& gateway, std::uint64_t shard) {
    return gateway.path + "/metrics/job/wsbench-loadgen/shard/" + std::to_string(shard);
}

std::string http_send(const HttpTarget& target, const std::string& method, const std::string& path,
                      const std::string& body, std::chrono::milliseconds timeout) {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    asio::ip::tcp::socket socket(io);
    std::string request = method + " " + path + " HTTP/1.1\r\n";
    append_http_field(request, "Host", target.host + ":" + std::to_string(target.port));
    append_http_field(request, "Content-Type", kPrometheusContentType);
    append_http_field(request, "Content-Length", std::to_string(body.size()));
    append_http_field(request, "Connection", "close");
    request += "\r\n";
    request += body;
    std::string reply;
    std::string error = "timed out after " + std::to_string(timeout.count()) + " ms";
    std::array<char, 4096> chunk{};
    std::function<void()> read_more = [&] {
        socket.async_read_some(asio::buffer(chunk), [&](asio::error_code ec, std::size_t n) {
            reply.append(chunk.data(), n);
            if (!ec) return read_more();
            error = ec == asio::error::eof ? "" : "read: " + ec.message();
        });
    };
    resolver.async_resolve(
        target.host, std::to_string(target.port), [&](asio::error_code ec, auto endpoints) {
            if (ec) {
                error = "resolve " + target.host + ": " + ec.message();
                return;
            }
            asio::async_connect(socket, endpoints, [&](asio::error_code ec2, const auto&) {
                if (ec2) {
                    error = "connect: " + ec2.message();
                    return;
                }
                asio::async_write(socket, asio::buffer(request),
                                  [&](asio::error_code ec3, std::size_t) {
                                      if (ec3) {
                                          error = "write: " + ec3.message();
                                          return;
                                      }
                                      read_more();
                                  });
            });
        });
    io.run_for(timeout);
    if (!error.empty()) return error;
    HttpResponse head;
    std::size_t used = 0;
    if (parse_http_response(reply, head, used) != Errc::ok) return "a malformed HTTP response";
    if (head.status < 200 || head.status > 299) {
        std::string detail = reply.substr(used, 200);
        while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) {
            detail.pop_back();
        }
        return "HTTP " + std::to_string(head.status) + (detail.empty() ? "" : ": " + detail);
    }
    return "";
}

MetricsService::MetricsService(const Config& config, std::ostream& err)
    : config_(config), err_(err), text_(std::make_shared<const std::string>()) {
    begin(config);
    if (!config.metrics_listen.empty()) {
        std::string host;
        std::uint16_t port = 0;
        std::string why;
        if (!parse_host_port(config.metrics_listen, host, port, why)) {
            throw std::runtime_error("--metrics-listen " + config.metrics_listen + ": " + why);
        }
        listener_ = std::make_unique<Listener>();
        asio::error_code ec;
        const auto address = asio::ip::make_address(host, ec);
        asio::ip::tcp::endpoint at(address, port);
        if (!ec) listener_->acceptor.open(at.protocol(), ec);
        if (!ec) listener_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) listener_->acceptor.bind(at, ec);
        if (!ec) listener_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            throw std::runtime_error("--metrics-listen: cannot listen on " + config.metrics_listen +
                                     ": " + ec.message());
        }
        port_ = listener_->acceptor.local_endpoint().port();
        listener_->accept(*this);
        listener_->thread = std::thread([l = listener_.get()] { l->io.run(); });
        const std::string shown = address.is_v6() ? "[" + host + "]" : host;
        err_ << "metrics on http://" << shown << ":" << port_ << "/metrics" << std::endl;
    }
    if (!config.dashboard.empty()) dashboard_ = std::make_unique<Dashboard>(config, err_);
    if (!config.metrics_push.empty()) {
        std::string why;
        if (!parse_http_target(config.metrics_push, gateway_, why)) {
            throw std::runtime_error("--metrics-push " + config.metrics_push + ": " + why);
        }
        push_path_ = push_path(gateway_, config.shard_index);
        pusher_ = std::thread([this] { push_loop(); });
    }
}

MetricsService::~MetricsService() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (pusher_.joinable()) pusher_.join();
    if (listener_) {
        listener_->io.stop();
        if (listener_->thread.joinable()) listener_->thread.join();
    }
}

void MetricsService::begin(const Config& run_config) {
    labels_ = live_labels(run_config);
    LiveCounters zero;
    zero.steps.resize(labels_.step_names.size());
    publish(zero, true);
}

void MetricsService::publish(const LiveCounters& totals, bool running) {
    auto text = std::make_shared<const std::string>(
        live_metrics_text(totals, labels_, process_cpu_seconds(), running));
    if (dashboard_) totals_ = totals;
    std::lock_guard<std::mutex> lock(mutex_);
    text_ = std::move(text);
    over_ = !running;
}

void MetricsService::second(const LiveSecond& s) {
    if (dashboard_) dashboard_->second(s, totals_);
}

void MetricsService::capacity_step(const LiveCapacityStep& step) {
    if (dashboard_) dashboard_->capacity_step(step);
}

void MetricsService::report(const nlohmann::json& report, const std::string& path) {
    if (!dashboard_) return;
    try {
        // What `wsbench-report html PATH` makes: the model read back from the report's text.
        const std::string text =
            report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        report::LoadgenFile file{path.empty() || path == "-" ? "report.json" : path,
                                 nlohmann::json::parse(text).get<report::LoadgenReport>()};
        dashboard_->end(report::render_html({file}), file.report);
    } catch (const std::exception& e) {
        log_line(LogLevel::warn, std::string("--dashboard: no HTML report: ") + e.what());
    }
}

std::shared_ptr<const std::string> MetricsService::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
}

void MetricsService::push_now() {
    const std::string error = http_send(gateway_, "PUT", push_path_, *snapshot(), kPushTimeout);
    if (!error.empty() && !push_failing_) {
        log_line(LogLevel::warn, "--metrics-push to " + config_.metrics_push +
                                     push_path_.substr(gateway_.path.size()) + " failed: " + error);
    } else if (error.empty() && push_failing_) {
        log_line(LogLevel::info, "--metrics-push works again");
    }
    push_failing_ = !error.empty();
}

void MetricsService::push_loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        if (wake_.wait_for(lock, config_.metrics_push_interval, [this] { return stopping_; })) {
            break;
        }
        lock.unlock();
        push_now();
        lock.lock();
    }
}

void MetricsService::finish(const std::atomic<bool>& interrupt) {
    bool over = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        over = over_;
    }
    // A run that stopped before its workers started (preflight) published no end: say so.
    if (!over) {
        LiveCounters zero;
        zero.steps.resize(labels_.step_names.size());
        publish(zero, false);
    }
    if (pusher_.joinable()) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        pusher_.join();
        push_now();  // the final values
    }
    if ((listener_ || dashboard_) && config_.metrics_linger.count() > 0) {
        const auto until = std::chrono::steady_clock::now() + config_.metrics_linger;
        while (std::chrono::steady_clock::now() < until && !interrupt.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

}  // namespace wsb::loadgen
