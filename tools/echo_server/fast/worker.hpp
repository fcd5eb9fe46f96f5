// One fast-engine thread: its io_context, SO_REUSEPORT listener, edge-triggered epoll set
// and connections, whose protocol its ConnMachine runs.
#pragma once

#include <sys/types.h>

#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "echo_server/config.hpp"
#include "echo_server/console.hpp"
#include "echo_server/fast/conn.hpp"
#include "echo_server/fast/conn_machine.hpp"

namespace wsb::echo::fast {

class FastServer;

/// The loop of one thread. Asio waits on the epoll descriptor and runs the sweep timer and
/// the posts between threads; each wake-up takes every ready event in one epoll_wait, reads
/// into one buffer per thread, hands the bytes to the ConnMachine and writes every dirty
/// connection once when the turn ends. It is the ConnMachine's Host.
class Worker {
  public:
    /// Takes ownership of `listen_fd`. Throws std::runtime_error when epoll cannot be set up.
    Worker(FastServer& engine, int listen_fd);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    /// Runs the loop on the calling thread until post_stop().
    void run();

    /// Posted from any thread.
    void post_shutdown();
    void post_broadcast(std::shared_ptr<const SharedFrame> frame);
    void post_stop();
    /// Does the console's `op` on this worker's open clients (`frame` is the message of a
    /// send), then calls `done` with what it did, on this worker's thread.
    void post_console(std::shared_ptr<const ClientOp> op, std::shared_ptr<const SharedFrame> frame,
                      ConsoleEngine::Done done);

  private:
    friend class ConnMachine<Worker>;

    // The loop.
    void arm();
    void on_epoll();
    void finish_turn();
    void run_ready();
    void queue_read(Conn* c);
    void schedule_sweep();
    void sweep();
    void shutdown_now();
    void console_op(const ClientOp& op, const SharedFrame* frame, ClientOpResult& result);

    // Sockets.
    void accept_some();
    void pause_listening();
    void add_conn(int fd, const PeerAddr& peer);
    void on_event(Conn* c, std::uint32_t events);
    void read_some(Conn* c);
    void flush(Conn& c);
    void unlink(Conn& c);

    // The rest of the ConnMachine's Host.
    std::int64_t now_ns() const { return steady_now_ns(); }
    void broadcast(std::shared_ptr<const SharedFrame> frame);
    nlohmann::json stats_doc() const;
    bool shutting_down() const;
    bool admit();
    void close_conn(Conn& c, const char* why);
    void resume_reading(Conn& c) { queue_read(&c); }
    void shutdown_write(Conn& c);

    FastServer& engine_;
    asio::io_context io_{1};
    asio::posix::stream_descriptor epoll_desc_;
    asio::steady_timer sweep_timer_;
    int epfd_ = -1;
    int listen_fd_ = -1;
    bool listen_paused_ = false;
    bool stopping_ = false;
    bool ready_posted_ = false;

    ConnMachine<Worker> machine_;
    std::vector<std::uint8_t> rbuf_;
    std::vector<Conn*> ready_;
    std::vector<Conn*> again_;  // ready_ being served (kept to reuse its storage)
    std::vector<Conn*> graveyard_;
    Conn* all_ = nullptr;
};

}  // namespace wsb::echo::fast
