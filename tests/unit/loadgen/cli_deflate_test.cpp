// Tests of wsbench-loadgen's compression and payload options: --deflate and its four
// permessage-deflate parameters (RFC 7692 §7.1), --payload-file and --payload-order, with
// errors that name the flag, and how they appear in the report's config.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "loadgen/cli.hpp"
#include "loadgen/marker.hpp"
#include "loadgen/run_report.hpp"
#include "parse_cli.hpp"

namespace wsb::loadgen {
namespace {

using Parsed = test::ParsedCli<CliResult>;
constexpr const char* kUrl = "ws://127.0.0.1:9001/";

Parsed parse(std::vector<std::string> args) {
    args.insert(args.begin(), kUrl);
    return test::parse_cli_as(parse_cli, "wsbench-loadgen", args);
}

// A scratch file of this process (ctest runs cases in parallel), removed at the end.
struct ScratchFile {
    ScratchFile(const std::string& name, const std::string& content)
        : path(::testing::TempDir() + "wsbench_loadgen_cli_deflate_" + name + "." +
               std::to_string(::getpid())) {
        std::ofstream(path, std::ios::binary) << content;
    }
    ~ScratchFile() { std::remove(path.c_str()); }
    std::string path;
};

void expect_usage_error(const Parsed& p, const std::vector<std::string>& mentions) {
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, ExitCode::usage);
    EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << "one line: " << p.err;
    for (const std::string& m : mentions) {
        EXPECT_NE(p.err.find(m), std::string::npos) << "error lacks '" << m << "': " << p.err;
    }
}

TEST(LoadgenCliDeflate, OffIsTheDefault) {
    const Parsed p = parse({});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_FALSE(p.result.config.deflate);
    EXPECT_FALSE(settings_of(p.result.config).deflate);
    EXPECT_EQ(p.result.config.payload_lines, nullptr);
}

TEST(LoadgenCliDeflate, DeflateAloneOffersClientMaxWindowBitsWithoutAValue) {
    const Parsed p = parse({"--deflate"});
    ASSERT_TRUE(p.result.run) << p.err;
    const Config& c = p.result.config;
    EXPECT_TRUE(c.deflate);
    EXPECT_EQ(c.deflate_offer.client_max_window_bits, 0);
    EXPECT_EQ(c.deflate_offer.server_max_window_bits, 0);
    EXPECT_FALSE(c.deflate_offer.client_no_context_takeover);
    EXPECT_FALSE(c.deflate_offer.server_no_context_takeover);
    const auto s = settings_of(c);
    ASSERT_TRUE(s.deflate);
    EXPECT_EQ(s.deflate->offer, "permessage-deflate; client_max_window_bits");
    EXPECT_EQ(s.deflate->client_max_window_bits, 0u);
}

TEST(LoadgenCliDeflate, EveryParameterIsOfferedAsGiven) {
    const Parsed p = parse(
        {"--deflate", "--deflate-client-max-window-bits", "9", "--deflate-server-max-window-bits",
         "10", "--deflate-client-no-context-takeover", "--deflate-server-no-context-takeover"});
    ASSERT_TRUE(p.result.run) << p.err;
    const DeflateOffer& o = p.result.config.deflate_offer;
    EXPECT_EQ(o.client_max_window_bits, 9);
    EXPECT_EQ(o.server_max_window_bits, 10);
    EXPECT_TRUE(o.client_no_context_takeover);
    EXPECT_TRUE(o.server_no_context_takeover);
    const auto s = settings_of(p.result.config);
    ASSERT_TRUE(s.deflate);
    EXPECT_EQ(s.deflate->offer,
              "permessage-deflate; client_no_context_takeover; client_max_window_bits=9; "
              "server_no_context_takeover; server_max_window_bits=10");
    EXPECT_EQ(s.deflate->server_max_window_bits, 10u);
}

TEST(LoadgenCliDeflate, WindowBitsOutsideEightToFifteenAreRefusedNamingTheFlag) {
    for (const char* flag :
         {"--deflate-client-max-window-bits", "--deflate-server-max-window-bits"}) {
        for (const char* value : {"7", "16", "0", "x"}) {
            SCOPED_TRACE(std::string(flag) + " " + value);
            expect_usage_error(parse({"--deflate", flag, value}), {flag, value});
        }
    }
}

TEST(LoadgenCliDeflate, ParametersWithoutDeflateAreRefused) {
    expect_usage_error(parse({"--deflate-client-max-window-bits", "10"}),
                       {"--deflate-client-max-window-bits", "needs --deflate"});
    expect_usage_error(parse({"--deflate-server-no-context-takeover"}),
                       {"--deflate-server-no-context-takeover", "needs --deflate"});
}

TEST(LoadgenCliDeflate, ExtensionsHeaderPointsToDeflate) {
    expect_usage_error(parse({"-H", "Sec-WebSocket-Extensions: permessage-deflate"}),
                       {"--header", "--deflate"});
}

TEST(LoadgenCliDeflate, HelpListsTheCompressionOptions) {
    const Parsed p = test::parse_cli_as(parse_cli, "wsbench-loadgen", {"--help"});
    for (const char* flag :
         {"--deflate ", "--deflate-client-max-window-bits", "--deflate-server-max-window-bits",
          "--deflate-client-no-context-takeover", "--deflate-server-no-context-takeover",
          "--payload-file", "--payload-order"}) {
        EXPECT_NE(p.out.find(flag), std::string::npos) << flag;
    }
}

TEST(LoadgenCliPayloadFile, LinesBecomeTheMessagesInOrderSkippingEmptyOnesAndCr) {
    const ScratchFile f("lines", "{\"a\":1}\r\n\nsecond line\nthird");
    const Parsed p = parse({"--payload-file", f.path});
    ASSERT_TRUE(p.result.run) << p.err;
    const Config& c = p.result.config;
    ASSERT_NE(c.payload_lines, nullptr);
    EXPECT_EQ(*c.payload_lines, (std::vector<std::string>{"{\"a\":1}", "second line", "third"}));
    EXPECT_FALSE(c.payload_random);
    EXPECT_EQ(c.message_size, kMarkerSize + std::string("second line").size());
    const auto s = settings_of(c);
    EXPECT_EQ(s.payload_file, f.path);
    EXPECT_EQ(s.payload_order, "order");
}

TEST(LoadgenCliPayloadFile, RandomOrder) {
    const ScratchFile f("random", "a\nb\n");
    const Parsed p = parse({"--payload-file", f.path, "--payload-order", "random"});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_TRUE(p.result.config.payload_random);
    EXPECT_EQ(settings_of(p.result.config).payload_order, "random");
}

TEST(LoadgenCliPayloadFile, BadFilesAndCombinationsAreUsageErrors) {
    const ScratchFile empty("empty", "\n\r\n\n");
    const ScratchFile latin1("latin1", "caf\xe9\n");
    const ScratchFile good("good", "x\n");
    expect_usage_error(parse({"--payload-file", "/nonexistent/lines.txt"}),
                       {"--payload-file", "/nonexistent/lines.txt", "cannot be read"});
    expect_usage_error(parse({"--payload-file", empty.path}),
                       {"--payload-file", empty.path, "no non-empty line"});
    expect_usage_error(parse({"--payload-file", latin1.path, "--message-type", "text"}),
                       {"--payload-file", "line 1", "UTF-8"});
    EXPECT_TRUE(parse({"--payload-file", latin1.path}).result.run) << "binary takes any bytes";
    expect_usage_error(parse({"--payload-file", good.path, "-m", "100"}),
                       {"--message-size", "--payload-file"});
    expect_usage_error(parse({"--payload-file", good.path, "--scenario", "connect"}),
                       {"--payload-file", "echo"});
    expect_usage_error(parse({"--payload-order", "random"}), {"--payload-order", "--payload-file"});
    expect_usage_error(parse({"--payload-file", good.path, "--payload-order", "shuffled"}),
                       {"--payload-order", "shuffled"});
}

}  // namespace
}  // namespace wsb::loadgen
