// TerminalConsole: the interactive console on a terminal: line editing and history (libedit's
// readline interface in callback mode, driven by the Asio loop), and received messages, sent
// messages and notes printed above the line being edited, each with a timestamp.
#pragma once

#include <string>

#include "client/console.hpp"

namespace wsb::client {

class TerminalConsole : public Console {
  public:
    TerminalConsole(asio::io_context& io, const Config& config);
    ~TerminalConsole() override;

    void start_input(LineHandler line, EndHandler end) override;
    void stop_input() override;
    void message(Direction dir, bool binary, std::string_view payload) override;
    void note(std::string_view text) override;
    void detail(std::string_view text) override { note(text); }
    bool interactive() const override { return true; }

  private:
    static void on_edited_line(char* line);
    void release_editor();
    void print(const std::string& text);

    InputWatcher watcher_;
    FormatOptions format_;
    LineHandler line_;
    EndHandler end_;
    bool editing_ = false;     // libedit shows the prompt and owns the current line
    bool in_handler_ = false;  // inside on_edited_line: the prompt is not shown
    bool delivered_ = false;   // the last read completed a line (or the input's end)
    bool reading_ = false;     // inside rl_callback_read_char
    bool fresh_line_ = false;  // a line was delivered and no key read since: the line is empty
    std::string out_;          // formatting buffer, reused
};

}  // namespace wsb::client
