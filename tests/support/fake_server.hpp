// A fake server for tests of clients (the load generator): a TCP listener on 127.0.0.1, port
// 0, where each connection plays a script the test writes with blocking reads and writes.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wsb::test {

/// One accepted connection, as a script sees it.
class FakeConnection {
  public:
    FakeConnection(int fd, int index) : fd_(fd), index_(index) {}
    ~FakeConnection();
    FakeConnection(const FakeConnection&) = delete;
    FakeConnection& operator=(const FakeConnection&) = delete;

    /// 0 for the first connection accepted, 1 for the next...
    int index() const { return index_; }
    /// Reads up to the end of an HTTP head ("\r\n\r\n"); the head, or "" when the peer
    /// closes first. What follows the head stays for read_some.
    std::string read_head();
    /// The next bytes from the peer; "" when it closed (or the server stops).
    std::string read_some();
    bool send(const std::string& bytes);
    /// Closes with a TCP reset instead of a FIN.
    void reset();

    void shutdown();  ///< unblocks a read (the server stopping)

  private:
    std::mutex mutex_;  // fd_ between the script's reset and the server's shutdown
    int fd_;
    int index_;
    std::string in_;
};

/// A listener on 127.0.0.1 port 0 that runs `script` on a thread per accepted connection. A
/// connection stays open after its script returns (a silent peer) until the server goes.
class FakeServer {
  public:
    using Script = std::function<void(FakeConnection&)>;
    explicit FakeServer(Script script);  ///< throws std::runtime_error when it cannot listen
    ~FakeServer();
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    unsigned short port() const { return port_; }
    std::string url() const;  ///< ws://127.0.0.1:PORT/

  private:
    void accept_loop();

    Script script_;
    int listen_fd_ = -1;
    unsigned short port_ = 0;
    std::mutex mutex_;
    bool stopping_ = false;
    std::vector<std::shared_ptr<FakeConnection>> connections_;
    std::vector<std::thread> scripts_;
    std::thread acceptor_;
};

/// The 101 response that completes the opening handshake `request_head` asks for (with the
/// right Sec-WebSocket-Accept), or "" when it is no WebSocket request.
std::string accept_handshake(const std::string& request_head);

}  // namespace wsb::test
