// wsbench-client's command line: the URL, every flag's value, and usage errors that name the
// flag and exit 2.
#include "client/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "parse_cli.hpp"

namespace wsb::client {
namespace {

using Parsed = test::ParsedCli<CliResult>;

Parsed parse(const std::vector<std::string>& args) {
    return test::parse_cli_as(parse_cli, "wsbench-client", args);
}

// A usage error: exit 2, nothing run, one line on stderr that contains `needle`.
void expect_usage_error(std::vector<std::string> args, const std::string& needle) {
    const Parsed p = parse(args);
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, ExitCode::usage);
    EXPECT_NE(p.err.find(needle), std::string::npos) << p.err;
    EXPECT_EQ(p.err.rfind("wsbench-client: ", 0), 0u) << p.err;
    EXPECT_EQ(p.err.find('\n'), p.err.size() - 1) << "one line: " << p.err;
}

TEST(ClientCli, AUrlAloneRunsWithTheDefaults) {
    const Parsed p = parse({"ws://127.0.0.1:9000/chat?room=1"});
    ASSERT_TRUE(p.result.run) << p.err;
    const Config& c = p.result.config;
    EXPECT_EQ(c.url.host, "127.0.0.1");
    EXPECT_EQ(c.url.port, 9000);
    EXPECT_EQ(c.url.resource(), "/chat?room=1");
    EXPECT_TRUE(c.execute.empty());
    EXPECT_FALSE(c.wait.has_value());
    EXPECT_EQ(c.count, 0u);
    EXPECT_FALSE(c.timeout.has_value());
    EXPECT_EQ(c.binary_as, BinaryAs::hex);
    EXPECT_EQ(c.connect_timeout, Millis(10000));
    EXPECT_EQ(c.max_message_size, 16u << 20);
    EXPECT_FALSE(c.reconnect);
    EXPECT_FALSE(c.verbose);
}

TEST(ClientCli, ReadsEveryFlag) {
    const Parsed p = parse({"-x",
                            "a,b",
                            "--execute",
                            "second",
                            "-w",
                            "1500ms",
                            "-n",
                            "3",
                            "--until",
                            "^ok",
                            "--timeout",
                            "5s",
                            "--json",
                            "--show-ping",
                            "--ping-interval",
                            "2s",
                            "--binary-as",
                            "base64",
                            "-H",
                            "Authorization: Bearer x, y",
                            "--subprotocol",
                            "chat",
                            "--subprotocol",
                            "v2.chat",
                            "--origin",
                            "http://a.example",
                            "--insecure",
                            "-v",
                            "--reconnect",
                            "--max-message-size",
                            "1KiB",
                            "--connect-timeout",
                            "250ms",
                            "wss://example.com/"});
    ASSERT_TRUE(p.result.run) << p.err;
    const Config& c = p.result.config;
    EXPECT_TRUE(c.url.secure);
    ASSERT_EQ(c.execute.size(), 2u);
    EXPECT_EQ(c.execute[0], "a,b");  // commas are no separators
    EXPECT_EQ(c.execute[1], "second");
    EXPECT_EQ(c.wait, Millis(1500));
    EXPECT_EQ(c.count, 3u);
    EXPECT_EQ(c.until, "^ok");
    EXPECT_EQ(c.timeout, Millis(5000));
    EXPECT_TRUE(c.json);
    EXPECT_TRUE(c.show_ping);
    EXPECT_EQ(c.ping_interval, Millis(2000));
    EXPECT_EQ(c.binary_as, BinaryAs::base64);
    ASSERT_EQ(c.headers.size(), 1u);
    EXPECT_EQ(c.headers[0].first, "Authorization");
    EXPECT_EQ(c.headers[0].second, "Bearer x, y");
    EXPECT_EQ(c.subprotocols, (std::vector<std::string>{"chat", "v2.chat"}));
    EXPECT_EQ(c.origin, "http://a.example");
    EXPECT_TRUE(c.insecure);
    EXPECT_TRUE(c.verbose);
    EXPECT_TRUE(c.reconnect);
    EXPECT_EQ(c.max_message_size, 1024u);
    EXPECT_EQ(c.connect_timeout, Millis(250));
}

TEST(ClientCli, WaitMinusOneIsForever) {
    const Parsed p = parse({"ws://h/", "-w", "-1"});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_EQ(p.result.config.wait, Millis(-1));
}

TEST(ClientCli, HelpListsFlagsAndExitCodes) {
    const Parsed p = parse({"--help"});
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, ExitCode::ok);
    for (const char* flag :
         {"--execute", "--wait", "--count", "--until", "--timeout", "--json", "--binary-as",
          "--show-ping", "--ping-interval", "--header", "--subprotocol", "--origin", "--insecure",
          "--ca", "--reconnect", "--max-message-size", "--connect-timeout", "Exit codes"}) {
        EXPECT_NE(p.out.find(flag), std::string::npos) << flag;
    }
}

TEST(ClientCli, VersionPrintsToolAndVersion) {
    const Parsed p = parse({"--version"});
    EXPECT_EQ(p.out, std::string("wsbench-client ") + WSBENCH_VERSION + "\n");
}

TEST(ClientCli, UsageErrorsNameTheFlag) {
    expect_usage_error({}, "which URL?");
    expect_usage_error({"http://x/"}, "URL 'http://x/'");
    expect_usage_error({"ws://h/", "extra"}, "unexpected argument 'extra'");
    expect_usage_error({"ws://h/", "-n", "0"}, "--count must be above 0");
    expect_usage_error({"ws://h/", "-n", "many"}, "--count 'many'");
    expect_usage_error({"ws://h/", "--until", "(x"}, "--until '(x': not a regular expression");
    expect_usage_error({"ws://h/", "--timeout", "5s"}, "--timeout bounds the wait for -n");
    expect_usage_error({"ws://h/", "-w", "soon"}, "--wait 'soon'");
    expect_usage_error({"ws://h/", "--binary-as", "octal"}, "--binary-as 'octal'");
    expect_usage_error({"ws://h/", "-H", "NoColon"}, "-H 'NoColon'");
    expect_usage_error({"ws://h/", "-H", "X: a\r\nY: b"}, "cannot hold CR/LF");
    expect_usage_error({"ws://h/", "--subprotocol", "a b"}, "--subprotocol 'a b'");
    expect_usage_error({"ws://h/", "--ca", "/nonexistent.pem"}, "--ca /nonexistent.pem");
    expect_usage_error({"ws://h/", "--connect-timeout", "0"}, "--connect-timeout must be above 0");
    expect_usage_error({"ws://h/", "--max-message-size", "0"}, "--max-message-size must be");
    expect_usage_error({"ws://h/", "-x"}, "-x/--execute is missing an argument");
}

}  // namespace
}  // namespace wsb::client
