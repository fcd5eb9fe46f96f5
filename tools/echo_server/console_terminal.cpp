// The server console on a terminal: libedit's readline interface in callback mode, driven by
// the console's own poll loop, with history; what the console prints goes above the line being
// edited, which is drawn again below it.
#include <editline/readline.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "echo_server/console.hpp"

namespace wsb::echo {
namespace {

// libedit calls back a plain function: the one console that edits lines.
Console* g_console = nullptr;

void write_all(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
}

constexpr const char* kPrompt = "> ";

}  // namespace

void Console::start_editor() {
    g_console = this;
    using_history();
    rl_callback_handler_install(kPrompt, &Console::on_edited_line);
    editing_ = true;
}

void Console::read_terminal() {
    fresh_line_ = false;  // set by on_edited_line when this key completes a line
    rl_callback_read_char();
    // libedit leaves the terminal in cooked mode (echo on) after it hands out a line, so keys
    // typed before the next read would be echoed by the terminal, not edited. Its line buffer
    // keeps the line until the next key: fresh_line_ stays set until then.
    if (fresh_line_ && reading_) rl_prep_terminal(1);
}

void Console::release_editor() {
    if (!g_console) return;
    editing_ = false;
    rl_callback_handler_remove();  // gives the terminal back its own mode
    write_all("\r\x1b[K");
    g_console = nullptr;
}

void Console::on_edited_line(char* line) {
    Console* self = g_console;
    if (!self) {
        std::free(line);
        return;
    }
    self->in_handler_ = true;
    self->fresh_line_ = true;
    if (!line) {
        write_all("\n");
        self->on_input_end();  // Ctrl-D
    } else {
        if (*line) add_history(line);
        std::string text(line);
        std::free(line);
        self->on_line(std::move(text));
    }
    self->in_handler_ = false;
}

void Console::print_on_terminal(const std::string& text) {
    if (!editing_ || in_handler_) {
        write_all(text);
        return;
    }
    // Clear the edit line, print above it, then draw the prompt and the line being edited
    // again with the cursor where it was (saved and restored by the terminal, which knows the
    // width of wide characters). rl_line_buffer, rl_point and rl_end follow each key; after a
    // line is handed out they hold it until the next key (fresh_line_).
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

}  // namespace wsb::echo
