// Tests of wsbench-loadgen's option parsing: every flag, options after the URL, errors that
// name the flag, contradictions, --source-ip range expansion, --help and --version.

#include "loadgen/cli.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "parse_cli.hpp"
#include "scratch_dir.hpp"
#include "tls_cert.hpp"
namespace wsb::loadgen {
namespace {

using namespace std::chrono_literals;

using Parsed = test::ParsedCli<CliResult>;

Parsed parse(const std::vector<std::string>& args) {
    return test::parse_cli_as(parse_cli, "wsbench-loadgen", args);
}

// Scratch files for --ca and friends.
// Per process: ctest runs every case as its own process, in parallel, and they all build
// the parameter tables; a shared path would be truncated by one while another reads it.
// Removed when the process exits.
struct ScratchFile {
    explicit ScratchFile(const std::string& name, const std::string& content)
        : path(::testing::TempDir() + "wsbench_loadgen_cli_test_" + name + "." +
               std::to_string(::getpid())) {
        std::ofstream(path) << content;
    }
    ~ScratchFile() { std::remove(path.c_str()); }
    std::string path;
};

// A real certificate: the CLI checks that --ca holds PEM certificates (net::check_ca_file).
std::string ca_file() {
    static const wsb::test::ScratchDir dir;
    static const std::string path = [] {
        const std::string cert = dir.path() + "/ca.pem";
        std::string error;
        if (!wsb::test::write_self_signed_cert(cert, dir.path() + "/key.pem", error)) {
            ADD_FAILURE() << "cannot write a test certificate: " << error;
        }
        return cert;
    }();
    return path;
}

std::string empty_file() {
    static const ScratchFile file("empty.pem", "");
    return file.path;
}

const std::string kUrl = "ws://127.0.0.1:9001/echo";

// Table rows give their own URL first (anything with "://"), or get kUrl at the end.
std::vector<std::string> with_url(std::vector<std::string> args) {
    if (args.empty() || args.front().find("://") == std::string::npos) args.push_back(kUrl);
    return args;
}

// ---------------------------------------------------------------------------------------------
// Defaults, URL, help, version

TEST(LoadgenCli, UrlAloneRunsWithTheDocumentedDefaults) {
    const Parsed p = parse({kUrl});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::ok);
    EXPECT_EQ(p.err, "");
    const Config& c = p.result.config;
    const Config d;
    EXPECT_EQ(c.url_text, kUrl);
    EXPECT_EQ(c.url.host, "127.0.0.1");
    EXPECT_EQ(c.url.port, 9001);
    EXPECT_EQ(c.url.path, "/echo");
    EXPECT_FALSE(c.url.secure);
    EXPECT_EQ(c.scenario, d.scenario);
    EXPECT_EQ(c.connections, d.connections);
    EXPECT_EQ(c.threads, d.threads);
    EXPECT_EQ(c.duration, d.duration);
    EXPECT_EQ(c.messages_per_connection, d.messages_per_connection);
    EXPECT_EQ(c.warmup, d.warmup);
    EXPECT_EQ(c.rate, d.rate);
    EXPECT_EQ(c.per_connection_rate, d.per_connection_rate);
    EXPECT_EQ(c.pipeline, d.pipeline);
    EXPECT_EQ(c.message_size, d.message_size);
    EXPECT_EQ(c.message_type, d.message_type);
    EXPECT_EQ(c.connect_rate, d.connect_rate);
    EXPECT_EQ(c.connect_timeout, d.connect_timeout);
    EXPECT_EQ(c.drain_timeout, d.drain_timeout);
    EXPECT_EQ(c.ping_interval, d.ping_interval);
    EXPECT_TRUE(c.headers.empty());
    EXPECT_TRUE(c.subprotocols.empty());
    EXPECT_EQ(c.origin, "");
    EXPECT_FALSE(c.insecure);
    EXPECT_EQ(c.ca_file, "");
    EXPECT_TRUE(c.source_ips.empty());
    EXPECT_EQ(c.json_path, "");
    EXPECT_TRUE(c.slo.empty());
    EXPECT_FALSE(c.quiet);
    EXPECT_EQ(c.verbosity, 0);
    EXPECT_FALSE(c.open_loop());
}

TEST(LoadgenCli, OptionsMayComeBeforeOrAfterTheUrl) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"-c", "5", "-d", "2s", kUrl},
                                               {kUrl, "-c", "5", "-d", "2s"},
                                               {"-c", "5", kUrl, "-d", "2s"},
                                               {"--connections=5", kUrl, "--duration=2s"}}) {
        const Parsed p = parse(args);
        ASSERT_TRUE(p.result.run) << p.err;
        EXPECT_EQ(p.result.config.connections, 5u);
        EXPECT_EQ(p.result.config.duration, 2s);
        EXPECT_EQ(p.result.config.url_text, kUrl);
    }
}

TEST(LoadgenCli, DoubleDashEndsTheOptions) {
    const Parsed p = parse({"-c", "3", "--", kUrl});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_EQ(p.result.config.connections, 3u);
    EXPECT_EQ(p.result.config.url_text, kUrl);
}

TEST(LoadgenCli, WssUrlIsSecureWithTheDefaultPort) {
    const Parsed p = parse({"wss://example.com/chat?room=1"});
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_TRUE(p.result.config.url.secure);
    EXPECT_EQ(p.result.config.url.port, 443);
    EXPECT_EQ(p.result.config.url.resource(), "/chat?room=1");
}

TEST(LoadgenCli, HelpExitsZeroAndShowsTheRealDefaultsAndExitCodes) {
    const Parsed p = parse({"--help"});
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::ok);
    EXPECT_EQ(p.err, "");
    for (const char* text : {"URL",
                             "-c, --connections",
                             "-t, --threads",
                             "-d, --duration",
                             "-n, --messages",
                             "--warmup",
                             "-R, --rate",
                             "--per-connection-rate",
                             "--pipeline",
                             "-m, --message-size",
                             "--message-type",
                             "--scenario",
                             "--connect-rate",
                             "--connect-timeout",
                             "--drain-timeout",
                             "--ping-interval",
                             "-H, --header",
                             "--subprotocol",
                             "--origin",
                             "--insecure",
                             "--ca",
                             "--source-ip",
                             "--json",
                             "--slo",
                             "-q, --quiet",
                             "-v, --verbose",
                             "--version",
                             "(default: 10s)",
                             "(default: 64)",
                             "(default: 2s)",
                             "(default: echo)",
                             "(default: binary)",
                             "Exit codes: 0",
                             "1 an --slo term failed",
                             "2 usage error",
                             "3 could not run"}) {
        EXPECT_NE(p.out.find(text), std::string::npos) << "help lacks '" << text << "'";
    }
}

TEST(LoadgenCli, HelpWinsOverOtherwiseBadOptions) {
    const Parsed p = parse({"-c", "zero", "-h"});
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::ok);
}

TEST(LoadgenCli, VersionPrintsTheToolNameAndExitsZero) {
    const Parsed p = parse({"--version"});
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::ok);
    EXPECT_EQ(p.out.rfind("wsbench-loadgen ", 0), 0u) << p.out;
}

// ---------------------------------------------------------------------------------------------
// Every flag

struct FlagCase {
    const char* name;
    std::vector<std::string> args;  // see with_url()
    std::function<void(const Config&)> check;
};

void PrintTo(const FlagCase& c, std::ostream* os) { *os << c.name; }

class LoadgenCliFlag : public ::testing::TestWithParam<FlagCase> {};

TEST_P(LoadgenCliFlag, SetsItsConfigField) {
    const std::vector<std::string> args = with_url(GetParam().args);
    const Parsed p = parse(args);
    ASSERT_TRUE(p.result.run) << p.err;
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::ok);
    GetParam().check(p.result.config);
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Table, LoadgenCliFlag,
    ::testing::Values(
        FlagCase{"ConnectionsShort", {"-c", "100"}, [](const Config& c) { EXPECT_EQ(c.connections, 100u); }},
        FlagCase{"ConnectionsWithSuffix", {"--connections", "10k"}, [](const Config& c) { EXPECT_EQ(c.connections, 10000u); }},
        FlagCase{"Threads", {"-t", "4"}, [](const Config& c) { EXPECT_EQ(c.threads, 4u); }},
        FlagCase{"ThreadsZeroMeansOnePerCore", {"--threads", "0"}, [](const Config& c) { EXPECT_EQ(c.threads, 0u); }},
        FlagCase{"DurationSeconds", {"-d", "30s"}, [](const Config& c) { EXPECT_EQ(c.duration, 30s); }},
        FlagCase{"DurationChained", {"--duration", "1m30s"}, [](const Config& c) { EXPECT_EQ(c.duration, 90s); }},
        FlagCase{"DurationBareNumberIsSeconds", {"-d", "5"}, [](const Config& c) { EXPECT_EQ(c.duration, 5s); }},
        FlagCase{"Messages", {"-n", "1k"}, [](const Config& c) { EXPECT_EQ(c.messages_per_connection, 1000u); }},
        FlagCase{"Warmup", {"--warmup", "500ms"}, [](const Config& c) { EXPECT_EQ(c.warmup, 500ms); }},
        FlagCase{"RatePlain", {"-R", "5000"}, [](const Config& c) { EXPECT_EQ(c.rate, 5000); EXPECT_TRUE(c.open_loop()); }},
        FlagCase{"RateWithSuffix", {"--rate", "5k"}, [](const Config& c) { EXPECT_EQ(c.rate, 5000); }},
        FlagCase{"Coalesce", {"-R", "5k", "--coalesce", "1ms"}, [](const Config& c) { EXPECT_EQ(c.coalesce, 1ms); }},
        FlagCase{"CoalesceOffByDefault", {"-R", "5k"}, [](const Config& c) { EXPECT_EQ(c.coalesce.count(), 0); }},
        FlagCase{"RatePerSecond", {"-R", "5k/s"}, [](const Config& c) { EXPECT_EQ(c.rate, 5000); }},
        FlagCase{"RatePerMinute", {"-R", "300/m"}, [](const Config& c) { EXPECT_EQ(c.rate, 5); }},
        FlagCase{"RateZeroIsClosedLoop", {"-R", "0"}, [](const Config& c) { EXPECT_FALSE(c.open_loop()); }},
        FlagCase{"PerConnectionRate", {"-c", "10", "--per-connection-rate", "20/s"},
                 [](const Config& c) { EXPECT_EQ(c.per_connection_rate, 20); EXPECT_EQ(c.connection_rate(), 20); }},
        FlagCase{"Pipeline", {"--pipeline", "16"}, [](const Config& c) { EXPECT_EQ(c.pipeline, 16u); }},
        FlagCase{"MessageSize", {"-m", "1KiB"}, [](const Config& c) { EXPECT_EQ(c.message_size, 1024u); }},
        FlagCase{"MessageSizeOfExactlyTheMarker", {"--message-size", "24"}, [](const Config& c) { EXPECT_EQ(c.message_size, 24u); }},
        FlagCase{"MessageTypeText", {"--message-type", "text"}, [](const Config& c) { EXPECT_EQ(c.message_type, MessageType::text); }},
        FlagCase{"MessageTypeBinary", {"--message-type", "binary"}, [](const Config& c) { EXPECT_EQ(c.message_type, MessageType::binary); }},
        FlagCase{"ScenarioBroadcast", {"--scenario", "broadcast", "-R", "100"}, [](const Config& c) { EXPECT_EQ(c.scenario, Scenario::broadcast); }},
        FlagCase{"ScenarioConnect", {"--scenario", "connect"}, [](const Config& c) { EXPECT_EQ(c.scenario, Scenario::connect); }},
        FlagCase{"ConnectScenarioAcceptsAnyMessageSize", {"--scenario", "connect", "-m", "0"}, [](const Config& c) { EXPECT_EQ(c.message_size, 0u); }},
        FlagCase{"ConnectRatePlain", {"--connect-rate", "5000"}, [](const Config& c) { EXPECT_EQ(c.connect_rate, 5000); }},
        FlagCase{"ConnectRateSuffix", {"--connect-rate", "5k"}, [](const Config& c) { EXPECT_EQ(c.connect_rate, 5000); }},
        FlagCase{"ConnectRatePerSecond", {"--connect-rate", "5k/s"}, [](const Config& c) { EXPECT_EQ(c.connect_rate, 5000); }},
        FlagCase{"MaxConnectingDefault", {}, [](const Config& c) { EXPECT_EQ(c.max_connecting, 1000u); }},
        FlagCase{"MaxConnecting", {"--max-connecting", "2k"}, [](const Config& c) { EXPECT_EQ(c.max_connecting, 2000u); }},
        FlagCase{"MaxConnectingZeroIsUnlimited", {"--max-connecting", "0"}, [](const Config& c) { EXPECT_EQ(c.max_connecting, 0u); }},
        FlagCase{"ConnectTimeout", {"--connect-timeout", "3s"}, [](const Config& c) { EXPECT_EQ(c.connect_timeout, 3s); }},
        FlagCase{"DrainTimeoutMayBeZero", {"--drain-timeout", "0"}, [](const Config& c) { EXPECT_EQ(c.drain_timeout, 0s); }},
        FlagCase{"PingInterval", {"--scenario", "connect", "--ping-interval", "30s"}, [](const Config& c) { EXPECT_EQ(c.ping_interval, 30s); }},
        FlagCase{"HeadersRepeatInOrder", {"-H", "Authorization: Bearer x", "--header", "X-Trace:abc", "-H", "Host: example.com"},
                 [](const Config& c) {
                     ASSERT_EQ(c.headers.size(), 3u);
                     EXPECT_EQ(c.headers[0], (std::pair<std::string, std::string>{"Authorization", "Bearer x"}));
                     EXPECT_EQ(c.headers[1], (std::pair<std::string, std::string>{"X-Trace", "abc"}));
                     EXPECT_EQ(c.headers[2], (std::pair<std::string, std::string>{"Host", "example.com"}));
                 }},
        FlagCase{"HeaderValueKeepsCommasAndInnerSpaces", {"-H", "Accept:  a, b ;q=1  "},
                 [](const Config& c) { ASSERT_EQ(c.headers.size(), 1u); EXPECT_EQ(c.headers[0].second, "a, b ;q=1"); }},
        FlagCase{"HeaderWithEmptyValue", {"-H", "X-Empty:"},
                 [](const Config& c) { ASSERT_EQ(c.headers.size(), 1u); EXPECT_EQ(c.headers[0].second, ""); }},
        FlagCase{"SubprotocolsRepeatAndSplitOnCommas", {"--subprotocol", "chat", "--subprotocol", "v2.json, mqtt"},
                 [](const Config& c) { EXPECT_EQ(c.subprotocols, (std::vector<std::string>{"chat", "v2.json", "mqtt"})); }},
        FlagCase{"Origin", {"--origin", "https://example.com"}, [](const Config& c) { EXPECT_EQ(c.origin, "https://example.com"); }},
        FlagCase{"OriginAsHeader", {"-H", "Origin: https://a.example"}, [](const Config& c) { EXPECT_EQ(c.headers.size(), 1u); }},
        FlagCase{"InsecureWithWss", {"wss://127.0.0.1:9443/", "--insecure"}, [](const Config& c) { EXPECT_TRUE(c.insecure); }},
        FlagCase{"CaWithWss", {"wss://127.0.0.1:9443/", "--ca", ca_file()}, [](const Config& c) { EXPECT_EQ(c.ca_file, ca_file()); }},
        FlagCase{"SourceIpSingle", {"--source-ip", "127.0.0.2"}, [](const Config& c) { EXPECT_EQ(c.source_ips, (std::vector<std::string>{"127.0.0.2"})); }},
        FlagCase{"SourceIpIpv6IsCanonicalised", {"--source-ip", "0:0:0:0:0:0:0:1"}, [](const Config& c) { EXPECT_EQ(c.source_ips, (std::vector<std::string>{"::1"})); }},
        FlagCase{"JsonFile", {"--json", ::testing::TempDir() + "report.json"}, [](const Config& c) { EXPECT_EQ(c.json_path, ::testing::TempDir() + "report.json"); }},
        FlagCase{"JsonInTheCurrentDirectory", {"--json", "report.json"}, [](const Config& c) { EXPECT_EQ(c.json_path, "report.json"); }},
        FlagCase{"JsonToStdout", {"--json", "-"}, [](const Config& c) { EXPECT_EQ(c.json_path, "-"); }},
        FlagCase{"Slo", {"--slo", "p99<5ms,errors<0.1%"},
                 [](const Config& c) { EXPECT_EQ(c.slo_text, "p99<5ms,errors<0.1%"); EXPECT_EQ(c.slo.size(), 2u); }},
        FlagCase{"Quiet", {"-q"}, [](const Config& c) { EXPECT_TRUE(c.quiet); }},
        FlagCase{"QuietLong", {"--quiet"}, [](const Config& c) { EXPECT_TRUE(c.quiet); }},
        FlagCase{"VerboseOnce", {"-v"}, [](const Config& c) { EXPECT_EQ(c.verbosity, 1); }},
        FlagCase{"VerboseGrouped", {"-vv"}, [](const Config& c) { EXPECT_EQ(c.verbosity, 2); }},
        FlagCase{"VerboseRepeated", {"-v", "--verbose", "-v"}, [](const Config& c) { EXPECT_EQ(c.verbosity, 3); }},
        FlagCase{"LastValueOfASingleValueOptionWins", {"-c", "5", "-c", "7"}, [](const Config& c) { EXPECT_EQ(c.connections, 7u); }},
        FlagCase{"NotShardedByDefault", {}, [](const Config& c) { EXPECT_EQ(c.shard_index, 0u); EXPECT_EQ(c.shard_count, 1u); }},
        FlagCase{"Shard", {"--shard", "2/3", "-c", "10", "-R", "1k"},
                 [](const Config& c) {
                     EXPECT_EQ(c.shard_index, 2u);
                     EXPECT_EQ(c.shard_count, 3u);
                     EXPECT_EQ(c.connections, 10u) << "-c stays the total";
                     EXPECT_EQ(c.rate, 1000) << "-R stays the total";
                 }},
        FlagCase{"ShardAfterTheUrl", {kUrl, "-c", "4", "--shard", "0/4"}, [](const Config& c) { EXPECT_EQ(c.shard_count, 4u); }},
        FlagCase{"ShardOfOne", {"--shard", "0/1"}, [](const Config& c) { EXPECT_EQ(c.shard_count, 1u); }}),
    [](const ::testing::TestParamInfo<FlagCase>& p) { return std::string(p.param.name); });
// clang-format on

// ---------------------------------------------------------------------------------------------
// Usage errors

struct BadCase {
    const char* name;
    std::vector<std::string> args;      // see with_url()
    std::vector<std::string> mentions;  // the error line must contain each
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class LoadgenCliRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(LoadgenCliRejects, WithExitCodeTwoAndAnErrorThatNamesTheFlag) {
    const std::vector<std::string> args = with_url(GetParam().args);
    const Parsed p = parse(args);
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::usage);
    EXPECT_EQ(p.out, "");
    EXPECT_EQ(p.err.rfind("wsbench-loadgen: ", 0), 0u) << p.err;
    EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << "one line: " << p.err;
    for (const std::string& m : GetParam().mentions) {
        EXPECT_NE(p.err.find(m), std::string::npos) << "error lacks '" << m << "': " << p.err;
    }
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    BadValues, LoadgenCliRejects,
    ::testing::Values(
        BadCase{"ConnectionsNotACount", {"-c", "many"}, {"--connections", "many"}},
        BadCase{"ConnectionsZero", {"-c", "0"}, {"--connections"}},
        BadCase{"CoalesceInClosedLoop", {"--coalesce", "1ms"}, {"--coalesce needs an open-loop rate"}},
        BadCase{"CoalesceAboveASecond", {"-R", "10", "--coalesce", "2s"}, {"--coalesce", "at most 1s"}},
        BadCase{"CoalesceWithConnect", {"--scenario", "connect", "--coalesce", "1ms"}, {"--coalesce does not apply to --scenario connect"}},
        BadCase{"CoalesceNotADuration", {"-R", "10", "--coalesce", "soon"}, {"--coalesce", "soon"}},
        BadCase{"ConnectionsAboveTheMarkerField", {"-c", "5G"}, {"--connections", "marker"}},
        BadCase{"ThreadsNegative", {"-t", "-1"}, {"--threads", "-1"}},
        BadCase{"ThreadsTooMany", {"-t", "5000"}, {"--threads", "1024"}},
        BadCase{"DurationWithoutUnitSense", {"-d", "10x"}, {"--duration", "10x"}},
        BadCase{"DurationZero", {"-d", "0s"}, {"--duration"}},
        BadCase{"MessagesNotACount", {"-n", "1.5"}, {"--messages", "1.5"}},
        BadCase{"MessagesAboveTheSequenceField", {"-n", "5G"}, {"--messages", "sequence"}},
        BadCase{"WarmupNotADuration", {"--warmup", "soon"}, {"--warmup", "soon"}},
        BadCase{"RateNotARate", {"-R", "fast"}, {"--rate", "fast"}},
        BadCase{"RateNegative", {"-R", "-5"}, {"--rate", "-5"}},
        BadCase{"PerConnectionRateZero", {"--per-connection-rate", "0"}, {"--per-connection-rate"}},
        BadCase{"PipelineZero", {"--pipeline", "0"}, {"--pipeline"}},
        BadCase{"MessageSizeBelowTheMarker", {"-m", "23"}, {"--message-size", "23", "24"}},
        BadCase{"MessageSizeNotASize", {"-m", "big"}, {"--message-size", "big"}},
        BadCase{"MessageSizeAboveOneGiB", {"-m", "2GiB"}, {"--message-size"}},
        BadCase{"MessageTypeUnknown", {"--message-type", "json"}, {"--message-type", "json"}},
        BadCase{"ScenarioUnknown", {"--scenario", "pubsub"}, {"--scenario", "pubsub"}},
        BadCase{"ConnectRateNotARate", {"--connect-rate", "quick"}, {"--connect-rate", "quick"}},
        BadCase{"MaxConnectingNotACount", {"--max-connecting", "many"}, {"--max-connecting", "many"}},
        BadCase{"ConnectTimeoutZero", {"--connect-timeout", "0"}, {"--connect-timeout"}},
        BadCase{"DrainTimeoutNotADuration", {"--drain-timeout", "x"}, {"--drain-timeout"}},
        BadCase{"PingIntervalNotADuration", {"--scenario", "connect", "--ping-interval", "often"}, {"--ping-interval", "often"}},
        BadCase{"HeaderWithoutColon", {"-H", "Authorization Bearer x"}, {"--header", "Authorization Bearer x"}},
        BadCase{"HeaderWithEmptyName", {"-H", ": value"}, {"--header"}},
        BadCase{"HeaderNameWithSpace", {"-H", "X Trace: 1"}, {"--header", "X Trace"}},
        BadCase{"HeaderValueWithNewline", {"-H", "X-A: 1\r\nX-B: 2"}, {"--header", "'X-A: 1\\r\\nX-B: 2'", "control"}},
        BadCase{"HeaderReplacingTheKey", {"-H", "Sec-WebSocket-Key: abc"}, {"--header", "Sec-WebSocket-Key"}},
        BadCase{"HeaderReplacingUpgrade", {"-H", "upgrade: h2c"}, {"--header", "Upgrade"}},
        BadCase{"HeaderOfferingSubprotocols", {"-H", "Sec-WebSocket-Protocol: chat"}, {"--header", "--subprotocol"}},
        BadCase{"HeaderOfferingExtensions", {"-H", "Sec-WebSocket-Extensions: permessage-deflate"}, {"--header", "extensions"}},
        BadCase{"SubprotocolNotAToken", {"--subprotocol", "chat room"}, {"--subprotocol", "chat room"}},
        BadCase{"SubprotocolEmptyInList", {"--subprotocol", "a,,b"}, {"--subprotocol"}},
        BadCase{"SubprotocolTwice", {"--subprotocol", "chat", "--subprotocol", "chat"}, {"--subprotocol", "twice"}},
        BadCase{"OriginEmpty", {"--origin", ""}, {"--origin"}},
        BadCase{"CaMissingFile", {"wss://h/", "--ca", "/nonexistent/ca.pem"}, {"--ca", "/nonexistent/ca.pem"}},
        BadCase{"CaDirectory", {"wss://h/", "--ca", "/"}, {"--ca", "directory"}},
        BadCase{"CaEmptyFile", {"wss://h/", "--ca", empty_file()}, {"--ca", empty_file()}},
        BadCase{"SourceIpNotAnAddress", {"--source-ip", "localhost"}, {"--source-ip", "localhost"}},
        BadCase{"SourceIpBadOctet", {"--source-ip", "127.0.0.256"}, {"--source-ip", "127.0.0.256"}},
        BadCase{"SourceIpEmptyListItem", {"--source-ip", "127.0.0.1,,127.0.0.2"}, {"--source-ip", "empty"}},
        BadCase{"SourceIpReversedRange", {"--source-ip", "127.0.0.9-127.0.0.1"}, {"--source-ip", "ends before"}},
        BadCase{"SourceIpRangeOverTheLimit", {"--source-ip", "10.0.0.0-10.1.0.0"}, {"--source-ip", "65537", "65536"}},
        BadCase{"SourceIpIpv6Range", {"--source-ip", "::1-::5"}, {"--source-ip", "IPv4"}},
        BadCase{"SourceIpHalfRange", {"--source-ip", "127.0.0.1-"}, {"--source-ip", "127.0.0.1-"}},
        BadCase{"SourceIpListedTwice", {"--source-ip", "127.0.0.1-127.0.0.5", "--source-ip", "127.0.0.3"}, {"--source-ip", "127.0.0.3", "twice"}},
        BadCase{"JsonDirectory", {"--json", "/"}, {"--json", "directory"}},
        BadCase{"JsonInAMissingDirectory", {"--json", "/nonexistent/dir/report.json"}, {"--json", "/nonexistent/dir"}},
        BadCase{"SloMalformed", {"--slo", "p99<5"}, {"--slo", "p99<5"}},
        BadCase{"UnknownOption", {"--frobnicate"}, {"--frobnicate"}},
        BadCase{"UnknownShortOption", {"-x"}, {"-x"}},
        BadCase{"OptionMissingItsValue", {kUrl, "-c"}, {"-c/--connections", "missing"}},
        BadCase{"LongOptionMissingItsValue", {kUrl, "--json"}, {"--json", "missing"}},
        BadCase{"TwoUrls", {kUrl, "ws://127.0.0.1:9002/"}, {"ws://127.0.0.1:9002/", "one URL"}},
        BadCase{"HttpUrlNamesItself", {"http://127.0.0.1:9001/"}, {"http://127.0.0.1:9001/", "ws://"}},
        BadCase{"UrlWithBadPortNamesItself", {"ws://127.0.0.1:99999/"}, {"ws://127.0.0.1:99999/", "port"}},
        BadCase{"UrlWithoutSchemeNamesItself", {"127.0.0.1:9001://x"}, {"127.0.0.1:9001://x"}}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return std::string(p.param.name); });
// clang-format on

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Contradictions, LoadgenCliRejects,
    ::testing::Values(
        BadCase{"TotalRateWithPerConnectionRate", {"-R", "1000", "--per-connection-rate", "10"}, {"--rate", "--per-connection-rate"}},
        BadCase{"PipelineWithTotalRate", {"--pipeline", "4", "-R", "1000"}, {"--pipeline", "--rate"}},
        BadCase{"PipelineWithPerConnectionRate", {"--pipeline", "4", "--per-connection-rate", "10"}, {"--pipeline", "--per-connection-rate"}},
        BadCase{"PipelineWithBroadcast", {"--pipeline", "4", "--scenario", "broadcast"}, {"--pipeline", "echo"}},
        BadCase{"MessagesWithConnectScenario", {"-n", "10", "--scenario", "connect"}, {"--messages", "connect"}},
        BadCase{"RateWithConnectScenario", {"-R", "10", "--scenario", "connect"}, {"--rate", "connect"}},
        BadCase{"PerConnectionRateWithBroadcast", {"--per-connection-rate", "10", "--scenario", "broadcast"}, {"--per-connection-rate", "broadcast"}},
        BadCase{"PingIntervalOutsideConnectScenario", {"--ping-interval", "1s"}, {"--ping-interval", "connect"}},
        BadCase{"InsecureWithWs", {"--insecure"}, {"--insecure", "wss://", kUrl}},
        BadCase{"CaWithWs", {"--ca", ca_file()}, {"--ca", "wss://"}},
        BadCase{"InsecureWithCa", {"wss://h/", "--insecure", "--ca", ca_file()}, {"--insecure", "--ca"}},
        BadCase{"OriginTwice", {"--origin", "https://a", "-H", "Origin: https://b"}, {"--origin", "Origin"}},
        BadCase{"ShardWithoutCount", {"--shard", "1"}, {"--shard", "'1'", "I/N"}},
        BadCase{"ShardNotNumbers", {"--shard", "a/b"}, {"--shard", "a/b"}},
        BadCase{"ShardNegative", {"--shard", "-1/2"}, {"--shard"}},
        BadCase{"ShardIndexNotBelowCount", {"-c", "10", "--shard", "4/4"}, {"--shard", "4/4", "below"}},
        BadCase{"ShardCountZero", {"--shard", "0/0"}, {"--shard", "0/0"}},
        BadCase{"ShardsOutnumberConnections", {"-c", "2", "--shard", "0/3"}, {"--shard", "-c 2", "connection"}},
        BadCase{"ShardWithBroadcast", {"--scenario", "broadcast", "-c", "4", "--shard", "0/2"}, {"--shard", "broadcast"}}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return std::string(p.param.name); });
// clang-format on

// ---------------------------------------------------------------------------------------------
// --shard I/N: the share of each shard

TEST(LoadgenShard, SharesSumExactlyToTheTotalsWithDisjointConnectionRanges) {
    for (std::uint64_t connections : {1u, 7u, 10u, 1000u, 1001u}) {
        for (std::uint64_t n : {1u, 2u, 3u, 7u}) {
            if (n > connections) continue;
            Config c;
            c.connections = connections;
            c.rate = 12345.5;
            c.connect_rate = 100;
            c.shard_count = n;
            std::uint64_t next = 0;
            double rate = 0;
            double connect_rate = 0;
            for (std::uint64_t i = 0; i < n; ++i) {
                c.shard_index = i;
                const ShardShare s = shard_share(c);
                EXPECT_EQ(s.first_connection, next) << "shard " << i << "/" << n;
                EXPECT_GE(s.connections, connections / n);
                EXPECT_LE(s.connections, connections / n + 1) << "remainders spread one each";
                next += s.connections;
                rate += s.rate;
                connect_rate += s.connect_rate;
                // Every connection sends at the same rate, whatever its shard.
                EXPECT_DOUBLE_EQ(s.rate / static_cast<double>(s.connections),
                                 c.rate / static_cast<double>(connections));
            }
            EXPECT_EQ(next, connections) << n << " shards of " << connections;
            EXPECT_NEAR(rate, c.rate, 1e-6);
            EXPECT_NEAR(connect_rate, c.connect_rate, 1e-9);
        }
    }
}

TEST(LoadgenShard, RemaindersGoToTheFirstShards) {
    Config c;
    c.connections = 10;
    c.shard_count = 4;
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t i = 0; i < 4; ++i) {
        c.shard_index = i;
        sizes.push_back(shard_share(c).connections);
    }
    EXPECT_EQ(sizes, (std::vector<std::uint64_t>{3, 3, 2, 2}));
}

TEST(LoadgenShard, UnshardedRunIsTheWholeRun) {
    Config c;
    c.connections = 10;
    c.rate = 500;
    c.connect_rate = 20;
    const ShardShare s = shard_share(c);
    EXPECT_EQ(s.first_connection, 0u);
    EXPECT_EQ(s.connections, 10u);
    EXPECT_EQ(s.rate, 500);
    EXPECT_EQ(s.connect_rate, 20);
}

TEST(LoadgenCli, HelpDescribesShard) {
    const Parsed p = parse({"--help"});
    EXPECT_NE(p.out.find("--shard I/N"), std::string::npos) << p.out;
}

TEST(LoadgenCli, MissingUrlIsAUsageError) {
    const Parsed p = parse({"-c", "10"});
    EXPECT_FALSE(p.result.run);
    EXPECT_EQ(p.result.exit_code, wsb::ExitCode::usage);
    EXPECT_NE(p.err.find("URL"), std::string::npos) << p.err;
}

// ---------------------------------------------------------------------------------------------
// --source-ip expansion

std::vector<std::string> source_ips(const std::vector<std::string>& specs) {
    std::vector<std::string> args;
    for (const auto& s : specs) {
        args.push_back("--source-ip");
        args.push_back(s);
    }
    args.push_back(kUrl);
    const Parsed p = parse(args);
    EXPECT_TRUE(p.result.run) << p.err;
    return p.result.config.source_ips;
}

TEST(LoadgenCliSourceIp, ExpandsAnIpv4RangeInclusivelyInOrder) {
    const auto ips = source_ips({"127.0.0.1-127.0.0.20"});
    ASSERT_EQ(ips.size(), 20u);
    for (std::size_t i = 0; i < ips.size(); ++i) {
        EXPECT_EQ(ips[i], "127.0.0." + std::to_string(i + 1));
    }
}

TEST(LoadgenCliSourceIp, RangeCrossesOctetBoundaries) {
    const auto ips = source_ips({"10.0.0.254-10.0.1.1"});
    EXPECT_EQ(ips, (std::vector<std::string>{"10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"}));
}

TEST(LoadgenCliSourceIp, RangeOfOneAddress) {
    EXPECT_EQ(source_ips({"127.0.0.7-127.0.0.7"}), (std::vector<std::string>{"127.0.0.7"}));
}

TEST(LoadgenCliSourceIp, RangeOfExactlyTheLimitIsAccepted) {
    const auto ips = source_ips({"10.0.0.0-10.0.255.255"});
    ASSERT_EQ(ips.size(), 65536u);
    EXPECT_EQ(ips.front(), "10.0.0.0");
    EXPECT_EQ(ips.back(), "10.0.255.255");
}

TEST(LoadgenCliSourceIp, CommaListsRangesAndRepeatsConcatenateInOrder) {
    const auto ips =
        source_ips({"127.0.0.1, 127.0.0.5-127.0.0.6", "::1", "192.168.1.10 - 192.168.1.11"});
    EXPECT_EQ(ips, (std::vector<std::string>{"127.0.0.1", "127.0.0.5", "127.0.0.6", "::1",
                                             "192.168.1.10", "192.168.1.11"}));
}

}  // namespace
}  // namespace wsb::loadgen
