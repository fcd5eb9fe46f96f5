// wsbench-conformance's pure parts: the case table (Autobahn's ids and counts), globs and
// selection, and the judge (verdicts from observed events, in Autobahn's order).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "conformance/case.hpp"
#include "conformance/judge.hpp"
#include "conformance/runner.hpp"
#include "wsbench/utf8.hpp"

namespace wsb::conformance {
namespace {

// --- The case table ------------------------------------------------------------------------

void add_range(std::vector<std::string>& ids, const std::string& prefix, int n) {
    for (int i = 1; i <= n; ++i) ids.push_back(prefix + std::to_string(i));
}

// Autobahn's case ids for sections 1-10 (autobahn-testsuite case/__init__.py and
// case6_x_x.py, see shared/reference/autobahn-cases.md §1), in its order.
std::vector<std::string> autobahn_ids() {
    std::vector<std::string> ids;
    add_range(ids, "1.1.", 8);
    add_range(ids, "1.2.", 8);
    add_range(ids, "2.", 11);
    add_range(ids, "3.", 7);
    add_range(ids, "4.1.", 5);
    add_range(ids, "4.2.", 5);
    add_range(ids, "5.", 20);
    const int six[] = {3, 4, 2, 4, 5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7};
    for (int s = 0; s < 23; ++s) add_range(ids, "6." + std::to_string(s + 1) + ".", six[s]);
    add_range(ids, "7.1.", 6);
    add_range(ids, "7.3.", 6);
    add_range(ids, "7.5.", 1);
    add_range(ids, "7.7.", 13);
    add_range(ids, "7.9.", 9);
    add_range(ids, "7.13.", 2);
    const int nine[] = {6, 6, 9, 9, 6, 6, 6, 6};
    for (int s = 0; s < 8; ++s) add_range(ids, "9." + std::to_string(s + 1) + ".", nine[s]);
    add_range(ids, "10.1.", 1);
    for (int s = 1; s <= 5; ++s) add_range(ids, "12." + std::to_string(s) + ".", 18);
    for (int s = 1; s <= 7; ++s) add_range(ids, "13." + std::to_string(s) + ".", 18);
    return ids;
}

TEST(CaseTable, HasAutobahnsCaseCountPerSection) {
    std::map<std::string, int> per_section;
    for (const CaseSpec& c : all_cases()) ++per_section[section_of(c.id)];
    const std::map<std::string, int> autobahn = {{"1", 16}, {"2", 11},  {"3", 7},   {"4", 10},
                                                 {"5", 20}, {"6", 145}, {"7", 37},  {"9", 54},
                                                 {"10", 1}, {"12", 90}, {"13", 126}};
    int total = 0;
    for (const auto& [section, n] : autobahn) {
        EXPECT_EQ(per_section[section], n) << "section " << section;
        total += per_section[section];
    }
    EXPECT_EQ(total, 301 + 216);
}

TEST(CaseTable, NumberedIdsAreExactlyAutobahnsInItsOrder) {
    std::vector<std::string> ids;
    for (const CaseSpec& c : all_cases()) {
        if (std::isdigit(static_cast<unsigned char>(c.id[0]))) ids.push_back(c.id);
    }
    EXPECT_EQ(ids, autobahn_ids());
}

TEST(CaseTable, IdsAreUniqueAndLetterSectionsNeverLookLikeNumbers) {
    std::set<std::string> seen;
    for (const CaseSpec& c : all_cases()) {
        EXPECT_TRUE(seen.insert(c.id).second) << c.id;
        EXPECT_FALSE(c.description.empty()) << c.id;
        EXPECT_FALSE(c.expectation.empty()) << c.id;
        EXPECT_TRUE(c.expected.count(Behavior::ok)) << c.id;
        const std::string s = section_of(c.id);
        if (!std::isdigit(static_cast<unsigned char>(s[0]))) {
            EXPECT_TRUE(s == "H" || s == "M") << c.id;
        }
    }
}

TEST(CaseTable, Section6Has70ValidAnd75InvalidTexts) {
    int valid = 0, invalid = 0;
    for (const CaseSpec& c : all_cases()) {
        if (section_of(c.id) != "6") continue;
        (c.expected_close.closed_by_me ? valid : invalid) += 1;
        if (!c.expected_close.closed_by_me) {
            EXPECT_EQ(c.expected_close.codes, std::vector<std::uint16_t>{1007}) << c.id;
            EXPECT_TRUE(c.expected_close.wrong_endpoint_fatal) << c.id;
        }
    }
    EXPECT_EQ(valid, 70);
    EXPECT_EQ(invalid, 75);
}

TEST(CaseTable, OnlyAutobahnsFourteenCasesHaveANonStrictOutcome) {
    std::set<std::string> non_strict;
    for (const CaseSpec& c : all_cases()) {
        if (c.expected.count(Behavior::non_strict) && !c.informational && section_of(c.id) != "M") {
            non_strict.insert(c.id);
        }
    }
    const std::set<std::string> autobahn = {"3.2",   "3.3",   "3.4",   "4.1.3", "4.1.4",
                                            "4.1.5", "4.2.3", "4.2.4", "4.2.5", "5.15",
                                            "6.4.1", "6.4.2", "6.4.3", "6.4.4"};
    EXPECT_EQ(non_strict, autobahn);
}

TEST(CaseTable, PerformanceCasesAreSection9Only) {
    for (const CaseSpec& c : all_cases()) EXPECT_EQ(c.performance, section_of(c.id) == "9") << c.id;
}

TEST(CaseIds, CompareNumericallyPartByPart) {
    EXPECT_TRUE(id_less("1.1.9", "1.1.10"));
    EXPECT_TRUE(id_less("6.2.4", "6.10.1"));
    EXPECT_TRUE(id_less("9.8.6", "10.1.1"));
    EXPECT_TRUE(id_less("10.1.1", "H.1.1"));
    EXPECT_TRUE(id_less("2.1", "2.1.1"));
    EXPECT_FALSE(id_less("2.10", "2.9"));
    EXPECT_FALSE(id_less("5.1", "5.1"));
}

// --- Globs and selection ---------------------------------------------------------------------

TEST(Glob, MatchesWholeIdsWithStarAndQuestionMark) {
    EXPECT_TRUE(glob_match("*", "6.23.7"));
    EXPECT_TRUE(glob_match("6.*", "6.1.1"));
    EXPECT_FALSE(glob_match("6.*", "16.1.1"));
    EXPECT_FALSE(glob_match("1.*", "10.1.1"));
    EXPECT_TRUE(glob_match("1*", "10.1.1"));
    EXPECT_TRUE(glob_match("7.1.?", "7.1.6"));
    EXPECT_FALSE(glob_match("7.1.?", "7.13.1"));
    EXPECT_TRUE(glob_match("2.1", "2.1"));
    EXPECT_FALSE(glob_match("2.1", "2.10"));
    EXPECT_TRUE(glob_match("*.4.*", "6.4.1"));
    EXPECT_TRUE(glob_match("**1", "9.1.1"));
    EXPECT_FALSE(glob_match("", "1"));
}

TEST(Selection, IncludesMinusExcludesInAutobahnOrder) {
    const Selection s = select_cases(all_cases(), {"6.*", "7.1.*"}, {"6.2*", "6.5.*"});
    ASSERT_FALSE(s.cases.empty());
    EXPECT_TRUE(s.unmatched.empty());
    std::size_t n6 = 0, n71 = 0;
    for (const CaseSpec* c : s.cases) {
        EXPECT_TRUE(c->id.rfind("6.", 0) == 0 || c->id.rfind("7.1.", 0) == 0) << c->id;
        EXPECT_NE(c->id.rfind("6.2", 0), 0u) << c->id;
        EXPECT_NE(c->id.rfind("6.5.", 0), 0u) << c->id;
        (c->id[0] == '6' ? n6 : n71) += 1;
    }
    EXPECT_EQ(n71, 6u);
    // 145 minus 6.2.x (4), 6.20-6.23 (7+8+34+7) and 6.5.x (5).
    EXPECT_EQ(n6, 145u - 4 - 56 - 5);
    for (std::size_t i = 1; i < s.cases.size(); ++i) {
        EXPECT_TRUE(id_less(s.cases[i - 1]->id, s.cases[i]->id));
    }
}

TEST(Selection, PatternsMatchingNothingAreReportedAndIgnored) {
    const Selection s = select_cases(all_cases(), {"*"}, {"14.*", "9.*", "15.*"});
    EXPECT_EQ(s.unmatched, (std::vector<std::string>{"14.*", "15.*"}));
    EXPECT_EQ(s.cases.size(), all_cases().size() - 54);
}

TEST(Selection, DeflateSectionsSelectAndExcludeLikeTheOthers) {
    EXPECT_EQ(select_cases(all_cases(), {"12.*"}, {}).cases.size(), 90u);
    EXPECT_EQ(select_cases(all_cases(), {"12.*", "13.*"}, {"13.7.*"}).cases.size(), 198u);
    EXPECT_EQ(select_cases(all_cases(), {"*"}, {"12.*", "13.*"}).cases.size(),
              all_cases().size() - 216);
}

// --- The judge -------------------------------------------------------------------------------

const CaseSpec& find_case(const std::string& id) {
    for (const CaseSpec& c : all_cases()) {
        if (c.id == id) return c;
    }
    throw std::runtime_error("no case " + id);
}

// A connection closed cleanly after `events`, by the runner or the server.
Observation closed(EventList events, bool by_me, std::optional<std::uint16_t> remote_code) {
    Observation o;
    o.connected = true;
    o.handshake_done = true;
    o.received = std::move(events);
    o.closed_by_me = by_me;
    o.close_sent = true;
    o.close_received = remote_code.has_value();
    o.remote_close_code = remote_code;
    o.was_clean = true;
    o.peer_dropped_tcp = true;
    return o;
}

TEST(Judge, EchoAndCleanCloseIsOkOk) {
    const Verdict v =
        judge(find_case("1.1.2"), closed({Event::text(std::string(125, '*'))}, true, 1000));
    EXPECT_EQ(v.behavior, Behavior::ok);
    EXPECT_EQ(v.behavior_close, CloseBehavior::ok);
    EXPECT_FALSE(is_failure(v, true));
}

TEST(Judge, WrongEchoFailsBehaviorButNotTheClose) {
    const Verdict v = judge(find_case("1.1.2"), closed({Event::text("x")}, true, 1000));
    EXPECT_EQ(v.behavior, Behavior::failed);
    EXPECT_EQ(v.behavior_close, CloseBehavior::ok);
    EXPECT_TRUE(is_failure(v, false));
}

TEST(Judge, HandshakeNeverCompletedFailsBoth) {
    Observation o;
    o.handshake_error = "the server answered 403";
    const Verdict v = judge(find_case("1.1.1"), o);
    EXPECT_EQ(v.behavior, Behavior::failed);
    EXPECT_EQ(v.behavior_close, CloseBehavior::failed);
    EXPECT_NE(v.result.find("403"), std::string::npos);
}

TEST(Judge, ClosedByTheWrongEndpointIsFailedFirst) {
    // 3.1: the server ignored RSV and our kill timer closed; nothing was received, so the
    // events match but the close is FAILED (Autobahn's order: wrong endpoint before codes).
    Observation o = closed({}, true, 1000);
    o.failed_by_me = true;
    const Verdict v = judge(find_case("3.1"), o);
    EXPECT_EQ(v.behavior, Behavior::ok);
    EXPECT_EQ(v.behavior_close, CloseBehavior::failed);
}

TEST(Judge, NotCleanWhenRequiredIsUnclean) {
    Observation o = closed({Event::text("")}, true, 1000);
    o.was_clean = false;
    o.dropped_by_me = true;
    o.not_clean_reason = "server did not drop TCP connection (in time)";
    const Verdict v = judge(find_case("1.1.1"), o);
    EXPECT_EQ(v.behavior_close, CloseBehavior::unclean);
    EXPECT_NE(v.result_close.find("in time"), std::string::npos);
}

TEST(Judge, DroppedByUsWhenCleanIsNotRequiredIsFailedByClient) {
    Observation o = closed({}, false, 1002);
    o.was_clean = false;
    o.dropped_by_me = true;
    const Verdict v = judge(find_case("2.5"), o);
    EXPECT_EQ(v.behavior_close, CloseBehavior::failed_by_client);
}

TEST(Judge, ServerDroppingTcpWithoutCloseFramePassesAFailCase) {
    Observation o;
    o.handshake_done = true;
    o.peer_dropped_tcp = true;
    o.reset_by_peer = true;
    const Verdict v = judge(find_case("4.1.1"), o);
    EXPECT_EQ(v.behavior, Behavior::ok);
    EXPECT_EQ(v.behavior_close, CloseBehavior::ok);
}

TEST(Judge, UnexpectedCloseCodeIsWrongCode) {
    const Verdict v = judge(find_case("2.5"), closed({}, false, 1000));
    EXPECT_EQ(v.behavior, Behavior::ok);
    EXPECT_EQ(v.behavior_close, CloseBehavior::wrong_code);
}

TEST(Judge, CloseFrameWithoutCodePassesTheCodeCheck) {
    const Verdict v = judge(find_case("2.5"), closed({}, false, std::nullopt));
    EXPECT_EQ(v.behavior_close, CloseBehavior::ok);
}

TEST(Judge, AlternativeOutcomeIsNonStrictAndFailsOnlyWhenStrict) {
    const Verdict v = judge(find_case("3.2"), closed({}, false, 1002));
    EXPECT_EQ(v.behavior, Behavior::non_strict);
    EXPECT_FALSE(is_failure(v, false));
    EXPECT_TRUE(is_failure(v, true));
    const Verdict ok = judge(find_case("3.2"), closed({Event::text("Hello, world!")}, false, 1002));
    EXPECT_EQ(ok.behavior, Behavior::ok);
}

TEST(Judge, FailFastUtf8MarksDecideBetweenOkNonStrictAndFailed) {
    const CaseSpec& c = find_case("6.4.1");
    EXPECT_EQ(judge(c, closed({Event::timeout("A")}, false, 1007)).behavior, Behavior::ok);
    EXPECT_EQ(judge(c, closed({Event::timeout("A"), Event::timeout("B")}, false, 1007)).behavior,
              Behavior::non_strict);
    EXPECT_EQ(judge(c, closed({}, false, 1007)).behavior, Behavior::failed);
}

TEST(Judge, InvalidUtf8ClosedByTheRunnerFailsBehaviorToo) {
    // 6.3.1 received nothing (which matches), but the runner had to close: the server never
    // noticed the invalid text.
    const Verdict v = judge(find_case("6.3.1"), closed({}, true, 1000));
    EXPECT_EQ(v.behavior, Behavior::failed);
    EXPECT_EQ(v.behavior_close, CloseBehavior::failed);
}

TEST(Judge, Section7WrongCodeFailsBehaviorToo) {
    const Verdict v = judge(find_case("7.9.1"), closed({}, true, 1000));
    EXPECT_EQ(v.behavior_close, CloseBehavior::wrong_code);
    EXPECT_EQ(v.behavior, Behavior::failed);
    // The same wrong code outside section 7 leaves behavior alone.
    EXPECT_EQ(judge(find_case("2.5"), closed({}, false, 1000)).behavior, Behavior::ok);
}

TEST(Judge, EchoedCloseCodeIsAcceptedIn7_7) {
    EXPECT_EQ(judge(find_case("7.7.2"), closed({}, true, 1001)).behavior_close, CloseBehavior::ok);
    EXPECT_EQ(judge(find_case("7.7.2"), closed({}, true, 1000)).behavior_close, CloseBehavior::ok);
    EXPECT_EQ(judge(find_case("7.7.2"), closed({}, true, 1002)).behavior_close,
              CloseBehavior::wrong_code);
}

TEST(Judge, InformationalCasesAreInformationalWhateverHappened) {
    for (const char* id : {"7.1.6", "7.13.1", "7.13.2"}) {
        const Verdict v = judge(find_case(id), closed({Event::text("?")}, true, 1002));
        EXPECT_EQ(v.behavior, Behavior::informational) << id;
        EXPECT_EQ(v.behavior_close, CloseBehavior::informational) << id;
        EXPECT_FALSE(is_failure(v, true)) << id;
    }
}

TEST(Judge, PerformanceCasesCompareTypeAndLengthOnly) {
    const CaseSpec& c = find_case("9.1.1");
    Event echo{Event::Kind::message, "", false, 64 * 1024};
    EXPECT_EQ(judge(c, closed({echo}, true, 1000)).behavior, Behavior::ok);
    echo.length -= 1;
    EXPECT_EQ(judge(c, closed({echo}, true, 1000)).behavior, Behavior::failed);
    Event binary{Event::Kind::message, "", true, 64 * 1024};
    EXPECT_EQ(judge(c, closed({binary}, true, 1000)).behavior, Behavior::failed);
}

TEST(Judge, InterruptedCaseFails) {
    Observation o = closed({Event::text("")}, true, 1000);
    o.interrupted = true;
    EXPECT_EQ(judge(find_case("1.1.1"), o).behavior, Behavior::failed);
}

TEST(Judge, HandshakeProbesFollowTheRfcsWords) {
    const CaseSpec& key = find_case("H.1.1");
    Observation o;
    o.http_status = 400;
    Verdict v = judge(key, o);
    EXPECT_EQ(v.behavior, Behavior::ok);
    EXPECT_EQ(v.behavior_close, CloseBehavior::ok);
    o.http_status = 403;
    EXPECT_EQ(judge(key, o).behavior, Behavior::non_strict);
    o.http_status = 500;
    EXPECT_EQ(judge(key, o).behavior, Behavior::failed);
    o.http_status = 101;
    o.handshake_done = true;
    EXPECT_EQ(judge(key, o).behavior, Behavior::failed);

    // Without an Upgrade header the request is plain HTTP: answering it as such is fine.
    Observation plain;
    plain.http_status = 200;
    EXPECT_EQ(judge(find_case("H.4.1"), plain).behavior, Behavior::ok);
    EXPECT_EQ(judge(find_case("H.1.1"), plain).behavior, Behavior::failed);
    // 505 is the status HTTP/1.0 calls for, though not a 4xx.
    plain.http_status = 505;
    EXPECT_EQ(judge(find_case("H.3.2"), plain).behavior, Behavior::ok);

    const CaseSpec& version = find_case("H.2.2");
    Observation r;
    r.http_status = 426;
    r.response_headers = {{"Sec-WebSocket-Version", "13"}};
    EXPECT_EQ(judge(version, r).behavior, Behavior::ok);
    r.http_status = 400;
    EXPECT_EQ(judge(version, r).behavior, Behavior::non_strict);
    r.response_headers.clear();
    EXPECT_EQ(judge(version, r).behavior, Behavior::failed);  // MUST send the version header
}

TEST(Judge, SubprotocolNotOfferedIsFailed) {
    const CaseSpec& c = find_case("H.6.2");
    Observation o = closed({Event::text("Hello, handshake!")}, true, 1000);
    o.http_status = 101;
    o.http_request = "GET / HTTP/1.1\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    o.response_headers = {{"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}};
    EXPECT_EQ(judge(c, o).behavior, Behavior::ok);
    o.response_headers.push_back({"Sec-WebSocket-Protocol", "chat"});
    EXPECT_EQ(judge(c, o).behavior, Behavior::failed);
}

TEST(Describe, CutsPayloadsAndShowsBinaryAsHex) {
    const std::string d =
        describe({Event::text(std::string(100, 'a')), Event::bin(std::string("\xff\x00", 2)),
                  Event::pong("p"), Event::timeout("A")});
    EXPECT_NE(d.find("(100 bytes)"), std::string::npos);
    EXPECT_NE(d.find("0xff00"), std::string::npos);
    EXPECT_NE(d.find("pong 'p'"), std::string::npos);
    EXPECT_NE(d.find("timeout A"), std::string::npos);
}

}  // namespace
}  // namespace wsb::conformance
