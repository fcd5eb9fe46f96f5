// A client-conformance driver on websocketpp's client (issue 7's evidence), the loop of
// Autobahn's own testee clients: /getCaseCount, then /runCase for every case as an echo
// client, then /updateReports. Usage: websocketpp_client_driver ws://HOST:PORT AGENT
#include <iostream>
#include <string>
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

using Client = websocketpp::client<websocketpp::config::asio_client>;

namespace {

// Runs one connection to the end; returns the last text received (echo off) or "".
std::string run_one(Client& c, const std::string& uri, bool echo) {
    std::string last;
    c.set_message_handler([&](websocketpp::connection_hdl hdl, Client::message_ptr msg) {
        if (echo) {
            websocketpp::lib::error_code ec;
            c.send(hdl, msg->get_payload(), msg->get_opcode(), ec);
        } else {
            last = msg->get_payload();
        }
    });
    websocketpp::lib::error_code ec;
    Client::connection_ptr con = c.get_connection(uri, ec);
    if (ec) {
        std::cerr << "websocketpp_client_driver: " << uri << ": " << ec.message() << "\n";
        return last;
    }
    c.connect(con);
    c.run();
    c.reset();
    return last;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: websocketpp_client_driver ws://HOST:PORT AGENT\n";
        return 2;
    }
    const std::string base = argv[1];
    const std::string agent = argv[2];
    Client c;
    c.clear_access_channels(websocketpp::log::alevel::all);
    c.clear_error_channels(websocketpp::log::elevel::all);
    c.init_asio();
    const std::string count_text = run_one(c, base + "/getCaseCount", false);
    const int count = count_text.empty() ? 0 : std::stoi(count_text);
    for (int i = 1; i <= count; ++i) {
        run_one(c, base + "/runCase?case=" + std::to_string(i) + "&agent=" + agent, true);
    }
    run_one(c, base + "/updateReports?agent=" + agent, false);
    std::cout << "ran " << count << " cases\n";
    return count > 0 ? 0 : 1;
}
