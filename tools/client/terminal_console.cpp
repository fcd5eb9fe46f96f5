// TerminalConsole (terminal_console.hpp) on libedit's readline interface.
#include "client/terminal_console.hpp"

#include <editline/readline.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace wsb::client {
namespace {

// libedit calls back a plain function: the one console that edits lines.
TerminalConsole* g_console = nullptr;

void write_all(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
}

constexpr const char* kPrompt = "";

ClockTime now() { return clock_time(std::chrono::system_clock::now()); }

}  // namespace

TerminalConsole::TerminalConsole(asio::io_context& io, const Config& config)
    : watcher_(io, STDIN_FILENO) {
    format_.terminal = true;
    format_.binary_as = config.binary_as;
    format_.json = config.json;
}

TerminalConsole::~TerminalConsole() { stop_input(); }

void TerminalConsole::start_input(LineHandler line, EndHandler end) {
    line_ = std::move(line);
    end_ = std::move(end);
    g_console = this;
    using_history();
    rl_callback_handler_install(kPrompt, &TerminalConsole::on_edited_line);
    editing_ = true;
    watcher_.start([this] {
        delivered_ = false;
        reading_ = true;
        rl_callback_read_char();
        reading_ = false;
        if (!editing_) {  // a line ended the session: libedit may be let go only now
            release_editor();
            return false;
        }
        // libedit leaves the terminal in cooked mode (echo on) after it hands out a line, so
        // keys typed before the next read would be echoed by the terminal, not edited.
        if (delivered_ && editing_) rl_prep_terminal(1);
        // libedit empties its line buffer only when the next key arrives: until then its
        // redisplay would draw the line just sent.
        fresh_line_ = delivered_;
        return editing_;
    });
}

void TerminalConsole::stop_input() {
    watcher_.stop();
    if (!editing_) return;
    editing_ = false;
    // Inside rl_callback_read_char (a typed /quit stopping the loop) libedit still uses its
    // editor after the handler returns: it is released when that call is over.
    if (!reading_) release_editor();
}

void TerminalConsole::release_editor() {
    if (!g_console) return;
    rl_callback_handler_remove();  // gives the terminal back its own mode
    write_all("\r\x1b[K");
    g_console = nullptr;
}

void TerminalConsole::on_edited_line(char* line) {
    TerminalConsole* self = g_console;
    if (!self) {
        std::free(line);
        return;
    }
    self->in_handler_ = true;
    self->delivered_ = true;
    if (!line) {
        write_all("\n");
        self->end_();
    } else {
        // The line as typed stays on screen only as the timestamped "> " line of what was sent.
        write_all("\x1b[1A\r\x1b[2K");
        if (*line) add_history(line);
        std::string text(line);
        std::free(line);
        self->line_(std::move(text));
    }
    self->in_handler_ = false;
}

void TerminalConsole::print(const std::string& text) {
    if (!editing_ || in_handler_) {
        write_all(text);
        return;
    }
    // Clear the edit line, print above it, then draw the prompt and the line being edited
    // again, the cursor where it was: saved and restored by the terminal, which knows the
    // width of wide characters. libedit's own redisplay (rl_forced_update_display) loses track
    // of its rows after text is printed above it. rl_line_buffer, rl_point and rl_end follow
    // each key; after a line is handed out they hold it until the next key (fresh_line_).
    std::string s = "\r\x1b[K" + text + kPrompt;
    if (!fresh_line_ && rl_line_buffer && rl_end > 0) {
        const auto end = static_cast<std::size_t>(rl_end);
        const std::size_t point = std::min(end, static_cast<std::size_t>(std::max(rl_point, 0)));
        s.append(rl_line_buffer, point);
        s += "\x1b"
             "7";
        s.append(rl_line_buffer + point, end - point);
        s += "\x1b"
             "8";
    }
    write_all(s);
}

void TerminalConsole::message(Direction dir, bool binary, std::string_view payload) {
    out_.clear();
    format_message(out_, dir, binary, payload, format_, now());
    print(out_);
}

void TerminalConsole::note(std::string_view text) {
    out_.clear();
    format_note(out_, text, now());
    print(out_);
}

}  // namespace wsb::client
