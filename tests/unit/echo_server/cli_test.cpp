// wsbench-echo-server's command line: defaults, values with units, and usage errors that
// name the flag and exit 2.
#include "echo_server/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "parse_cli.hpp"

namespace wsb::echo {
namespace {

using Parsed = test::ParsedCli<CliResult>;

Parsed parse(const std::vector<std::string>& args) {
    return test::parse_cli_as(parse_cli, "wsbench-echo-server", args);
}

TEST(EchoCli, NoOptionsRunWithTheDocumentedDefaults) {
    const Parsed p = parse({});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::ok);
    EXPECT_TRUE(p.err.empty());
    const Config& c = p.result.config;
    const Config d;
    EXPECT_EQ(c.host, d.host);
    EXPECT_EQ(c.port, d.port);
    EXPECT_EQ(c.threads, 0u);
    EXPECT_EQ(c.engine, d.engine);
    EXPECT_EQ(c.mode, Mode::echo);
    EXPECT_EQ(c.max_message_size, 16u << 20);
    EXPECT_EQ(c.max_connections, 100000u);
    EXPECT_EQ(c.handshake_timeout, Millis(5000));
    EXPECT_EQ(c.idle_timeout, Millis(0));
    EXPECT_EQ(c.close_timeout, Millis(2000));
    EXPECT_EQ(c.max_send_queue, 32u << 20);
    EXPECT_EQ(c.high_water_mark, 1u << 20);
    EXPECT_FALSE(c.tls());
    EXPECT_FALSE(c.deflate);
    EXPECT_EQ(c.deflate_level, -1);  // zlib's own default
    EXPECT_FALSE(c.reuse_port);
    EXPECT_EQ(c.misbehave, Misbehave::none);
    EXPECT_EQ(c.verbosity, 0);
}

TEST(EchoCli, ReadsValuesWithUnits) {
    const Parsed p = parse({"--engine",
                            "fast",
                            "--port",
                            "0",
                            "-t",
                            "4",
                            "--mode",
                            "broadcast",
                            "--max-message-size",
                            "64KiB",
                            "--max-connections",
                            "10k",
                            "--idle-timeout",
                            "1500ms",
                            "--close-timeout",
                            "3s",
                            "--high-water-mark",
                            "2MiB",
                            "--reply-prefix",
                            "re: ",
                            "--deflate",
                            "--deflate-level",
                            "1",
                            "--misbehave",
                            "no-close-reply",
                            "-q"});
    ASSERT_TRUE(p.result.run) << p.err;
    const Config& c = p.result.config;
    EXPECT_EQ(c.engine, Engine::fast);
    EXPECT_EQ(c.port, 0);
    EXPECT_EQ(c.threads, 4u);
    EXPECT_EQ(c.mode, Mode::broadcast);
    EXPECT_EQ(c.max_message_size, 65536u);
    EXPECT_EQ(c.max_connections, 10000u);
    EXPECT_EQ(c.idle_timeout, Millis(1500));
    EXPECT_EQ(c.close_timeout, Millis(3000));
    EXPECT_EQ(c.high_water_mark, 2u << 20);
    EXPECT_EQ(c.reply_prefix, "re: ");
    EXPECT_TRUE(c.deflate);
    EXPECT_EQ(c.deflate_level, 1);
    EXPECT_EQ(c.misbehave, Misbehave::no_close_reply);
    EXPECT_EQ(c.verbosity, -1);
}

TEST(EchoCli, ConsoleIsOffByDefaultAndQuietImpliesIt) {
    EXPECT_FALSE(parse({}).result.config.console);
    Config c = parse({"--console"}).result.config;
    EXPECT_TRUE(c.console);
    EXPECT_FALSE(c.console_quiet);
    c = parse({"--console-quiet", "--engine", "websocketpp"}).result.config;
    EXPECT_TRUE(c.console);
    EXPECT_TRUE(c.console_quiet);
    EXPECT_NE(parse({"--help"}).out.find("--console-quiet"), std::string::npos);
}

TEST(EchoCli, HelpAndVersionGoToStdoutAndExit0) {
    for (const char* flag : {"--help", "--version"}) {
        const Parsed p = parse({flag});
        EXPECT_FALSE(p.result.run) << flag;
        EXPECT_EQ(p.result.exit_code, wsb::ExitCode::ok) << flag;
        EXPECT_NE(p.out.find("wsbench-echo-server"), std::string::npos) << flag;
        EXPECT_TRUE(p.err.empty()) << flag;
    }
    EXPECT_NE(parse({"--help"}).out.find("--max-connections"), std::string::npos);
}

/// Each bad command line, and the flag its error must name.
struct BadCase {
    std::vector<std::string> args;
    std::string names;
};

class EchoCliUsageError : public ::testing::TestWithParam<BadCase> {};

TEST_P(EchoCliUsageError, Exits2AndNamesTheFlagOnStderr) {
    const Parsed p = parse(GetParam().args);
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::usage);
    EXPECT_TRUE(p.out.empty()) << p.out;
    EXPECT_NE(p.err.find(GetParam().names), std::string::npos) << p.err;
}

INSTANTIATE_TEST_SUITE_P(
    BadFlags, EchoCliUsageError,
    ::testing::Values(
        BadCase{{"--port", "65536"}, "--port"}, BadCase{{"--port", "x"}, "--port"},
        BadCase{{"--threads", "-1"}, "--threads"}, BadCase{{"--threads", "2000"}, "--threads"},
        BadCase{{"--engine", "turbo"}, "--engine"}, BadCase{{"--mode", "chat"}, "--mode"},
        BadCase{{"--max-message-size", "lots"}, "--max-message-size"},
        BadCase{{"--max-message-size", "0"}, "--max-message-size"},
        BadCase{{"--max-connections", "0"}, "--max-connections"},
        BadCase{{"--handshake-timeout", "0"}, "--handshake-timeout"},
        BadCase{{"--close-timeout", "soon"}, "--close-timeout"},
        BadCase{{"--high-water-mark", "-5"}, "--high-water-mark"},
        BadCase{{"--tls-cert", "cert.pem"}, "--tls-key"},
        BadCase{{"--misbehave", "everything"}, "--misbehave"},
        BadCase{{"--deflate-level", "1"}, "--deflate-level needs --deflate"},
        BadCase{{"--deflate", "--deflate-level", "0"}, "--deflate-level"},
        BadCase{{"--deflate", "--deflate-level", "10"}, "--deflate-level"},
        BadCase{{"--deflate", "--deflate-level", "fast"}, "--deflate-level"},
        BadCase{{"--engine", "websocketpp", "--deflate", "--deflate-level", "1"}, "--engine fast"},
        BadCase{{"--engine", "websocketpp", "--reuse-port"}, "--reuse-port"},
        BadCase{{"--engine", "fast", "--reuse-port", "--port", "0"}, "--reuse-port"},
        BadCase{{"--engine", "websocketpp", "--misbehave", "ignore-rsv"}, "--misbehave"},
        BadCase{{"--no-such-flag"}, "no-such-flag"}, BadCase{{"stray"}, "stray"}));

}  // namespace
}  // namespace wsb::echo
