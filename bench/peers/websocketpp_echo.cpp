// Benchmark peer, not part of the product: the plain websocketpp echo server (the library's
// own minimal example, on standalone Asio, one thread), to measure wsbench-echo-server's
// websocketpp engine against. Usage: websocketpp_echo PORT (0 picks one); prints the
// listening line like our tools.
#include <iostream>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

using Server = websocketpp::server<websocketpp::config::asio>;

int main(int argc, char** argv) {
    Server server;
    server.clear_access_channels(websocketpp::log::alevel::all);
    server.clear_error_channels(websocketpp::log::elevel::all);
    server.init_asio();
    server.set_reuse_addr(true);
    server.set_message_handler([&server](websocketpp::connection_hdl hdl, Server::message_ptr msg) {
        server.send(hdl, msg->get_payload(), msg->get_opcode());
    });
    server.listen("127.0.0.1", argc > 1 ? argv[1] : "0");
    server.start_accept();
    asio::error_code ec;
    std::cout << "listening on ws://127.0.0.1:" << server.get_local_endpoint(ec).port()
              << std::endl;
    server.run();
}
