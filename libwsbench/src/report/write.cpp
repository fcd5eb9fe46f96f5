// Atomic report files and markup escaping shared by every tool.
#include "wsbench/report/write.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "wsbench/utf8.hpp"

namespace wsb {
namespace {

using json = nlohmann::json;

std::string system_error_text(const std::string& what, const std::string& file, int err) {
    return what + " " + file + ": " + std::strerror(err);
}

// Writes all of `data` to `fd`, retrying short writes and EINTR; false with errno set on error.
bool write_all(int fd, const std::string& data) {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return true;
}

Errc fail(std::string* detail, std::string message) {
    if (detail != nullptr) *detail = std::move(message);
    return Errc::io_error;
}

// Writes into an existing file that is not a regular one (a device, a FIFO): no rename there.
Errc write_in_place(const std::string& path, const std::string& text, std::string* detail) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fail(detail, system_error_text("cannot open", path, errno));
    const bool ok = write_all(fd, text);
    const int err = errno;
    ::close(fd);
    if (!ok) return fail(detail, system_error_text("cannot write", path, err));
    return Errc::ok;
}

}  // namespace

Errc write_file(const std::string& path, const std::string& text, std::string* detail, Sync sync) {
    if (path.empty()) return fail(detail, "no file given");
    if (path == "-") {
        std::fflush(stdout);
        if (!write_all(STDOUT_FILENO, text)) {
            return fail(detail, std::string("cannot write to stdout: ") + std::strerror(errno));
        }
        return Errc::ok;
    }

    // Replace what the path names: through a symlink, its target; a device or FIFO in place.
    std::string target = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            if (S_ISDIR(st.st_mode)) return fail(detail, path + " is a directory");
            return write_in_place(path, text, detail);
        }
        if (char* real = ::realpath(path.c_str(), nullptr)) {
            target = real;
            std::free(real);
        }
    }

    const std::string temp = target + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return fail(detail, system_error_text("cannot create", temp, errno));
    bool ok = write_all(fd, text) && (sync == Sync::no || ::fsync(fd) == 0);
    int err = errno;
    if (::close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        ::unlink(temp.c_str());
        return fail(detail, system_error_text("cannot write", temp, err));
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        err = errno;
        ::unlink(temp.c_str());
        return fail(detail, system_error_text("cannot rename " + temp + " to", target, err));
    }
    return Errc::ok;
}

Errc write_report(const json& report, const std::string& path, std::string* detail) {
    if (path.empty()) return fail(detail, "no report file given");
    return write_file(path, report.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                      detail, Sync::yes);
}

std::string escape_markup(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                if (c < 0x20 && ch != '\n' && ch != '\t') break;  // not allowed in XML 1.0
                out += ch;
        }
    }
    // Bytes that are not UTF-8 would make the document invalid: replace them.
    if (!is_valid_utf8(out)) {
        std::string clean;
        for (unsigned char c : out) clean += c < 0x80 ? static_cast<char>(c) : '?';
        return clean;
    }
    return out;
}

}  // namespace wsb
