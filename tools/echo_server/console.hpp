// The echo server's operator console (--console): stdin lines become messages to the open
// clients or commands (/list, /send, /close ...), and what the clients send is printed with
// their id. It runs on a thread of its own and hands each action to the engine, whose own
// threads do it (asio::post); engines call it only while it is on, so without --console it
// costs nothing and stdin is never read.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "echo_server/config.hpp"
#include "echo_server/console_command.hpp"
#include "echo_server/console_format.hpp"

namespace wsb::echo {

/// One action on clients, done by the engine on its own threads.
struct ClientOp {
    enum class Kind : std::uint8_t {
        send,   ///< `payload` as a text (`text`) or binary message
        list,   ///< a ClientRow for each client
        close,  ///< start the closing handshake with `code` and `payload` as the reason
    };
    Kind kind = Kind::list;
    std::uint64_t id = 0;  ///< the one client to act on; 0: every open client
    bool text = true;
    std::string payload;
    std::uint16_t code = 1000;
};

/// What one part of an engine did with a ClientOp.
struct ClientOpResult {
    std::size_t matched = 0;      ///< open clients it acted on
    std::vector<ClientRow> rows;  ///< for list
};

/// What the console asks of an engine. Called on the console's thread; each call returns at
/// once and the work runs on the engine's threads.
class ConsoleEngine {
  public:
    using Done = std::function<void(ClientOpResult)>;
    virtual ~ConsoleEngine() = default;

    /// How many times apply() calls its `done`: once per part of the engine that owns clients
    /// (a fast-engine worker thread; the websocketpp engine is one part).
    virtual unsigned parts() const = 0;
    /// Does `op` on the open clients; each part calls `done` once, on its own thread, with
    /// what it did (also when it had no client to act on).
    virtual void apply(std::shared_ptr<const ClientOp> op, Done done) = 0;
    /// The /stats document, serialised.
    virtual std::string stats_json() const = 0;
    /// Shuts down as on SIGINT.
    virtual void quit() = 0;
};

/// The console: reads stdin (libedit's line editing on a terminal, plain lines from a pipe or
/// file), runs the commands against a ConsoleEngine and prints to stdout. Engines call
/// received(), opened() and closed() from any thread.
class Console {
  public:
    explicit Console(const Config& config);
    ~Console();
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    /// Starts the console's thread, once the server listens.
    void start(ConsoleEngine& engine);
    /// Prints what is queued, gives the terminal back and joins the thread. Call it after the
    /// engine's threads are done, before the engine goes away; idempotent.
    void stop();

    /// False with --console-quiet: the engines then call none of the three below.
    bool shows_messages() const noexcept { return !quiet_; }
    /// A data message from client `id`: "#ID < TEXT".
    void received(std::uint64_t id, bool text, const void* data, std::size_t size);
    /// Client `id` completed its opening handshake.
    void opened(std::uint64_t id, const std::string& peer, const std::string& resource);
    /// Client `id`'s connection ended with close code `code` (1006: no close frame).
    void closed(std::uint64_t id, std::uint16_t code);

  private:
    struct Gather;

    // Any thread.
    void post(std::function<void()> task);
    void print(std::string text);
    // The console's thread.
    void loop();
    void run_tasks();
    void read_pipe();
    void on_input_end();
    void write_out(const std::string& text);
    void note(const std::string& text);
    void on_line(std::string line);
    void run_op(ClientOp op);
    void report(const ClientOp& op, ClientOpResult& result);
    // The console's thread, on a terminal (console_terminal.cpp).
    void start_editor();
    void read_terminal();
    void release_editor();
    void print_on_terminal(const std::string& text);
    static void on_edited_line(char* line);

    const bool quiet_;
    const bool terminal_;  // stdin and stdout are a terminal: libedit edits the lines
    ConsoleEngine* engine_ = nullptr;
    std::thread thread_;
    int wake_fd_ = -1;  // an eventfd: tasks are queued, or stop() was called
    std::atomic<bool> stopping_{false};

    std::mutex mutex_;  // guards tasks_ (posted from the engine's threads)
    std::vector<std::function<void()>> tasks_;

    // The console's thread only.
    bool reading_ = true;   // stdin is still read
    bool editing_ = false;  // libedit shows the line being edited
    bool in_handler_ = false;
    bool fresh_line_ = false;  // a line was handed out and no key read since
    std::string partial_;      // pipe input after the last newline
};

}  // namespace wsb::echo
