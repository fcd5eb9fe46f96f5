#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/<target>/.

Deterministic: rerunning it rewrites the same files. Each seed is small and stands for one
shape of input (a frame kind, a real client's handshake, a UTF-8 edge case, ...); libFuzzer
mutates from there. The report seed (report_reader_fuzz/loadgen_report.json) is a real
wsbench-loadgen report and is kept as is; pass --report FILE to replace it.
"""
import argparse
import base64
import json
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
FIXTURES = os.path.join(HERE, "..", "fixtures", "hdr", "hdr_js_fixtures.json")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- frame_parser_fuzz: [flags][max frame][max message][seed hi][seed lo][frames...] --------
CLIENT, RSV1, RSV2, RSV3, NO_UNMASK, NO_CHECK = 1, 2, 4, 8, 16, 32
TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA
MASK = bytes([0x37, 0xFA, 0x21, 0x3D])  # RFC 6455 §5.7


def frame(op, payload=b"", fin=True, mask=None, rsv=0, length=None, enc=None):
    """One frame; `length` overrides the announced length, `enc` forces 16 or 64-bit form."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    out = bytearray([(0x80 if fin else 0) | (rsv << 4) | op])
    m = 0x80 if mask else 0
    if enc is None:
        enc = 7 if n < 126 else 16 if n < 65536 else 64
    if enc == 7:
        out.append(m | n)
    elif enc == 16:
        out += bytes([m | 126]) + struct.pack(">H", n)
    else:
        out += bytes([m | 127]) + struct.pack(">Q", n)
    if mask:
        out += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes(out) + payload


def limit(n):
    """The option byte for a size limit of n bytes (0-199), as frame_parser_fuzz reads it."""
    return n + 1


def opts(flags=0, max_frame=0, max_message=0, seed=0x1234):
    return bytes([flags, max_frame, max_message, seed >> 8, seed & 0xFF])


def frame_parser_seeds():
    t = "frame_parser_fuzz"
    m = MASK
    close_payload = struct.pack(">H", 1000) + b"bye"
    # RFC 6455 §5.7 examples.
    write(t, "rfc_client_hello_fragments_ping", opts(CLIENT) + frame(TEXT, "Hello")
          + frame(TEXT, "Hel", fin=False) + frame(CONT, "lo") + frame(PING, "Hello"))
    write(t, "rfc_server_masked_hello", opts() + frame(TEXT, "Hello", mask=m))
    write(t, "server_fragmented_with_control", opts(seed=7)
          + frame(BINARY, "frag1-", fin=False, mask=m) + frame(PING, "are you there", mask=m)
          + frame(CONT, "", fin=False, mask=m) + frame(PONG, "", mask=m)
          + frame(CONT, "-frag3", mask=m) + frame(CLOSE, close_payload, mask=m))
    write(t, "client_lengths_16_and_64", opts(CLIENT, seed=3) + frame(BINARY, b"x" * 126)
          + frame(BINARY, b"y" * 300, enc=16) + frame(TEXT, b"z" * 40, enc=64))
    write(t, "server_64bit_length_truncated", opts()
          + frame(BINARY, b"\0" * 64, mask=m, length=70000))
    write(t, "empty_frames_and_close", opts(CLIENT) + frame(TEXT) + frame(BINARY) + frame(PING)
          + frame(CLOSE, close_payload))
    write(t, "deflate_rsv1", opts(CLIENT | RSV1) + frame(TEXT, b"\xf2\x48\xcd\xc9\xc9\x07\x00",
                                                        rsv=4))
    write(t, "split_control_payload", opts(seed=1) + frame(PING, b"p" * 125, mask=m)
          + frame(CLOSE, close_payload, mask=m))
    # Limits: a message over 10 bytes in two frames; a frame over 5.
    write(t, "message_limit", opts(CLIENT, limit(8), limit(10)) + frame(TEXT, "1234567", fin=False)
          + frame(CONT, "89abc"))
    write(t, "frame_limit", opts(0, limit(5), 0) + frame(BINARY, "123456", mask=m))
    # Every rule broken once.
    write(t, "err_unmasked_to_server", opts() + frame(TEXT, "hi"))
    write(t, "err_masked_to_client", opts(CLIENT) + frame(TEXT, "hi", mask=m))
    write(t, "err_reserved_opcode", opts(CLIENT) + frame(0x3, "x") + frame(0xB, ""))
    write(t, "err_control_too_long", opts(CLIENT) + frame(PING, b"p" * 126))
    write(t, "err_fragmented_control", opts(CLIENT) + frame(PING, "p", fin=False))
    write(t, "err_unexpected_continuation", opts(CLIENT) + frame(CONT, "x"))
    write(t, "err_expected_continuation", opts(CLIENT) + frame(TEXT, "a", fin=False)
          + frame(TEXT, "b"))
    write(t, "err_non_minimal_length", opts(CLIENT) + frame(TEXT, "short", enc=16))
    write(t, "err_top_bit_length", opts(CLIENT) + frame(BINARY, length=1 << 63, enc=64))
    write(t, "err_rsv2", opts(CLIENT) + frame(BINARY, "x", rsv=2))
    # Decoding anything (checks off) and keeping the mask (unmask off).
    write(t, "checks_off", opts(NO_CHECK) + frame(0xB, "odd", fin=False, rsv=2)
          + frame(CONT, "x") + frame(PING, b"p" * 200))
    write(t, "unmask_off", opts(NO_UNMASK) + frame(TEXT, "Hello", mask=m))


# --- handshake_*_fuzz: [max head: 2 bytes][seed: 2 bytes][head...] -------------------------
RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def head(lines, eol="\r\n"):
    return eol.join(lines) + eol + eol


def hs(text, max_head=0, seed=0x0101):
    return struct.pack(">HH", max_head, seed) + text.encode()


def handshake_seeds():
    t = "handshake_request_fuzz"
    write(t, "rfc6455_1_2", hs(head([
        "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket",
        "Connection: Upgrade", f"Sec-WebSocket-Key: {RFC_KEY}", "Origin: http://example.com",
        "Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Version: 13"])))
    write(t, "chrome", hs(head([
        "GET /socket?room=1 HTTP/1.1", "Host: localhost:9001", "Connection: Upgrade",
        "Pragma: no-cache", "Cache-Control: no-cache",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "Upgrade: websocket", "Origin: http://localhost:8080", "Sec-WebSocket-Version: 13",
        "Accept-Encoding: gzip, deflate, br", "Accept-Language: en-US,en;q=0.9",
        "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"]), seed=9))
    write(t, "firefox", hs(head([
        "GET / HTTP/1.1", "Host: echo.example.org",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Accept: */*", "Accept-Language: en-US,en;q=0.5", "Accept-Encoding: gzip, deflate, br",
        "Sec-WebSocket-Version: 13", "Origin: https://example.org",
        "Sec-WebSocket-Extensions: permessage-deflate",
        "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==",
        "Connection: keep-alive, Upgrade", "Sec-Fetch-Dest: empty", "Sec-Fetch-Mode: websocket",
        "Sec-Fetch-Site: same-site", "Pragma: no-cache", "Cache-Control: no-cache",
        "Upgrade: websocket"]), seed=1))
    write(t, "websocketpp_client", hs(head([
        "GET /echo HTTP/1.1", "Connection: Upgrade", "Host: 127.0.0.1:9002",
        "Sec-WebSocket-Key: E4WSEcseoWr4csPLS2QJHA==", "Sec-WebSocket-Version: 13",
        "Upgrade: websocket", "User-Agent: WebSocket++/0.8.2"])))
    write(t, "python_websockets_lf_only", hs(head([
        "GET / HTTP/1.1", "Host: [::1]:8765", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: 9bQuZIN64KrRsqgxuR1CxQ==", "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: chat", "User-Agent: Python/3.11 websockets/10.4"], eol="\n")))
    write(t, "leading_empty_line", hs("\r\n" + head([
        "GET / HTTP/1.1", "Host: a", "Upgrade: WebSocket", "Connection: upgrade",
        f"Sec-WebSocket-Key: {RFC_KEY}", "Sec-WebSocket-Version: 13"])))
    write(t, "bad_version_426", hs(head([
        "GET / HTTP/1.1", "Host: a", "Upgrade: websocket", "Connection: Upgrade",
        f"Sec-WebSocket-Key: {RFC_KEY}", "Sec-WebSocket-Version: 8"])))
    write(t, "plain_http_post", hs(head([
        "POST /form HTTP/1.0", "Host: a", "Content-Length: 3"]) + "a=b"))
    write(t, "too_large_at_64", hs(head([
        "GET / HTTP/1.1", "Host: a", "X-Padding: " + "a" * 80]), max_head=0x8000 | 64))
    write(t, "tls_client_hello", struct.pack(">HH", 0, 5)
          + bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]))

    t = "handshake_response_fuzz"
    write(t, "rfc6455_1_3", hs(head([
        "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {RFC_ACCEPT}", "Sec-WebSocket-Protocol: chat"])))
    write(t, "websocketpp_server", hs(head([
        "HTTP/1.1 101 Switching Protocols", "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {RFC_ACCEPT}", "Server: WebSocket++/0.8.2",
        "Upgrade: websocket"]), seed=9))
    write(t, "nginx_proxy", hs(head([
        "HTTP/1.1 101 Switching Protocols", "Server: nginx/1.22.1",
        "Date: Mon, 01 Jan 2024 00:00:00 GMT", "Connection: upgrade", "Upgrade: websocket",
        f"Sec-WebSocket-Accept: {RFC_ACCEPT}"]), seed=1))
    write(t, "node_ws_deflate", hs(head([
        "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {RFC_ACCEPT}",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15"])))
    write(t, "frame_after_head", hs(head([
        "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {RFC_ACCEPT}"]) + "\x81\x05Hello"))
    write(t, "lf_only_empty_reason", hs(head([
        "HTTP/1.1 101", "upgrade: WebSocket", "connection: keep-alive, Upgrade",
        f"sec-websocket-accept: {RFC_ACCEPT}"], eol="\n")))
    write(t, "reject_426", hs(head([
        "HTTP/1.1 426 Upgrade Required", "Sec-WebSocket-Version: 13", "Connection: close",
        "Content-Length: 0"])))
    write(t, "plain_200", hs(head([
        "HTTP/1.1 200 OK", "Content-Type: text/html", "Content-Length: 13"]) + "<html></html>"))
    write(t, "wrong_accept", hs(head([
        "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "Sec-WebSocket-Protocol: other"])))
    write(t, "garbage", struct.pack(">HH", 0, 3) + b"SSH-2.0-OpenSSH_9.2\r\n")


# --- utf8_fuzz: [seed: 2 bytes][bytes...] ----------------------------------------------------
def utf8_seeds():
    t = "utf8_fuzz"
    cases = {
        "ascii_long": b"The quick brown fox jumps over the lazy dog. " * 3,
        "kosme": "κόσμε".encode(),  # Autobahn 6.2.1
        "boundaries": "\u0080\u07ff\u0800\uffff\U00010000\U0010ffff".encode(),
        "emoji_after_ascii": b"0123456789abcdef" + "😀".encode() + b"0123456789abcde"
                             + "€".encode(),
        "overlong_c0_80": b"a\xc0\x80b",
        "overlong_e0_80": b"\xe0\x80\xafx",
        "surrogate_ed_a0": b"\xed\xa0\x80",
        "above_10ffff": b"\xf4\x90\x80\x80",
        "f5_ff": b"\xf5\xff",
        "lone_continuation": b"abc\x80def",
        "truncated_4byte": b"\xf0\x9f\x98",
        "autobahn_6_3_1": b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited",
        "nul_and_del": b"\x00\x7f\x00",
        "empty": b"",
    }
    for i, (name, text) in enumerate(sorted(cases.items())):
        write(t, name, struct.pack(">H", 2 + 7 * i) + text)


# --- histogram_decode_fuzz: [mode][bytes...]; mode % 3: 0 base64, 1 raw, 2 raw via base64 --
def v2(payload_len, digits, lowest, highest, counts=b""):
    header = struct.pack(">IIIIQQd", 0x1C849313, payload_len, 0, digits, lowest, highest, 1.0)
    return header + counts


def histogram_seeds():
    t = "histogram_decode_fuzz"
    with open(FIXTURES) as f:
        fixtures = json.load(f)["cases"]
    for c in fixtures:
        if len(c["encoded"]) > 3000:
            continue  # keep seeds small
        write(t, "b64_" + c["name"], b"\x00" + c["encoded"].encode())
        write(t, "raw_" + c["name"], b"\x01" + base64.b64decode(c["encoded"]))
    # Uncompressed V2: one count of 1 at value 0, then a run of zeros and a count of 3.
    write(t, "v2_plain", b"\x02" + v2(3, 3, 1, 3600000000, b"\x02\x05\x06"))
    # The decompression bomb of histogram_test (a header claiming 55 MB, nothing behind it).
    bomb = zlib.compress(v2(6160384 * 9, 5, 1, (1 << 63) - 1), 9)
    write(t, "raw_claimed_length_bomb", b"\x01" + struct.pack(">II", 0x1C849314, len(bomb)) + bomb)


# --- report_reader_fuzz: a loadgen report --------------------------------------------------
def report_seeds(report):
    t = "report_reader_fuzz"
    with open(FIXTURES) as f:
        fixtures = {c["name"]: c["encoded"] for c in json.load(f)["cases"]}
    tiny = {"schema": "wsbench.loadgen/1", "tool": {"name": "wsbench-loadgen", "version": "0.1.0"},
            "interrupted": False,
            "histograms": {"latency": fixtures["small_values"], "connect": fixtures["empty"],
                           "handshake": "not base64", "schedule_lag": 7}}
    write(t, "tiny_report.json", json.dumps(tiny, indent=1, sort_keys=True) + "\n")
    if report:
        shutil.copyfile(report, os.path.join(CORPUS, t, "loadgen_report.json"))


def client_command_seeds():
    """wsbench-client's console lines: one per command, with and without arguments."""
    for name, line in [
        ("text", "hello"), ("slash", "//slash"), ("hex", "/hex 00ff 10:20"),
        ("base64", "/base64 AAEC/w=="), ("json", '/json {"a": [1, 2.5, "x"]}'),
        ("close", "/close 4000 bye"), ("ping", "/ping abc"), ("file", "/file /tmp/x"),
        ("quit", "/quit"),
    ]:
        write("client_command_fuzz", name, line.encode())


def echo_console_command_seeds():
    """wsbench-echo-server's console lines: one per command, with and without arguments."""
    for name, line in [
        ("text", "hello 世界"), ("slash", "//slash"), ("hex", "/hex 00ff 10:20"),
        ("binary", "/binary  two "), ("send", "/send 12 hi there"), ("close", "/close 3 4000 bye"),
        ("close_all", "/close-all 1001"), ("list", "/list"), ("file", "/file /tmp/x"),
        ("stats", "/stats"), ("quit", "/quit"),
    ]:
        write("echo_console_command_fuzz", name, line.encode())


def deflate_seeds():
    """permessage-deflate: extension headers (offers and answers), and compressed messages
    behind [flags][window bits][limit hi][limit lo] for the inflater."""
    for name, value in [
        ("plain", "permessage-deflate"),
        ("chrome", "permessage-deflate; client_max_window_bits"),
        ("all", "permessage-deflate; client_no_context_takeover; server_no_context_takeover; "
                "client_max_window_bits=9; server_max_window_bits=9"),
        ("quoted", 'permessage-deflate; client_max_window_bits="10", x-webkit-deflate-frame'),
        ("autobahn_13_7", "permessage-deflate; client_no_context_takeover; "
                          "client_max_window_bits; server_no_context_takeover; "
                          "server_max_window_bits=9, permessage-deflate; "
                          "client_no_context_takeover; client_max_window_bits; "
                          "server_no_context_takeover, permessage-deflate; "
                          "client_no_context_takeover; client_max_window_bits"),
        ("repeated", "permessage-deflate; server_no_context_takeover; server_no_context_takeover"),
        ("bits8", "permessage-deflate; server_max_window_bits=8; client_max_window_bits=8"),
    ]:
        write("deflate_extensions_fuzz", name, value)

    def raw(data, bits=15, level=6):
        c = zlib.compressobj(level, zlib.DEFLATED, -bits)
        z = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
        return z[:-4] if z.endswith(b"\x00\x00\xff\xff") else z

    hello = b"Hello, permessage-deflate! " * 8
    write("deflate_inflate_fuzz", "hello", bytes([0, 6, 0, 64]) + raw(hello))
    write("deflate_inflate_fuzz", "two_messages",
          bytes([0, 6, 0, 64]) + raw(hello) + b"\xff\x00" + raw(b"again"))
    write("deflate_inflate_fuzz", "window9", bytes([3, 0, 0, 64]) + raw(hello, bits=9))
    write("deflate_inflate_fuzz", "bomb", bytes([0, 6, 0, 1]) + raw(bytes(1 << 16), level=9))
    write("deflate_inflate_fuzz", "final_block", bytes([0, 6, 0, 64]) + zlib.compress(hello)[2:-4])
    write("deflate_inflate_fuzz", "truncated", bytes([0, 6, 0, 64]) + raw(hello)[:7])
    write("deflate_inflate_fuzz", "empty_stored", bytes([0, 6, 0, 64]) + b"\x00")


# --- mqtt_decode_fuzz: [flags: bit 0 MQTT 5][max packet size][seed hi][seed lo][packets...] ---
def mqtt_decode_seeds():
    t = "mqtt_decode_fuzz"

    def o(v5=False, max_size=0, seed=0x0203):
        return bytes([1 if v5 else 0, max_size, seed >> 8, seed & 0xFF])

    h = bytes.fromhex
    # 3.1.1: every packet a broker sends, then a PUBLISH with a two-byte Remaining Length.
    write(t, "v311_session", o() + h("20020000 900400010180 30070003612f626869"
                                     "3306000161000a78 40020001 50020002 62020003 70020004"
                                     "b0020005 d000") + h("30c8010001 74") + b"p" * 197)
    write(t, "v311_refused", o() + h("20020005"))
    write(t, "v311_publish_qos2_dup", o(seed=0x0011) + h("3c0900037473740102") + b"xy")
    # 5.0: CONNACK with properties, PUBLISH with properties and a Topic Alias, acks with
    # reasons, SUBACK and UNSUBACK with properties, AUTH and DISCONNECT.
    write(t, "v5_session", o(True) + h(
        "200b0000081300 1e12000269 64"
        "9005000200 8701 320f0001610009050101230003 64617461 30080000032300037879"
        "40090007970 51f00026e6f 40020008 7003000792 b00500030011 00 d000 f0021800 e0018e"
        .replace(" ", "")))
    write(t, "v5_connack_properties", o(True) + h(
        "2023010020 120003616263 13001e 1f00026f6b 21000a 2700000400 220005 2600016b000176"
        .replace(" ", "")))
    write(t, "v5_disconnect_server_reference", o(True) + h("e00a9c081c00056f74686572"))
    write(t, "v5_refused_as_311", o(True) + h("20020001"))
    # Limits and errors.
    write(t, "too_large", o(max_size=13) + h("300d000161") + b"0123456789")
    write(t, "bad_remaining_length", o() + h("30ffffffff01"))
    write(t, "qos3", o() + h("3605000161 0001".replace(" ", "")))
    write(t, "bad_utf8_topic", o() + h("30040002c328"))
    write(t, "v5_unknown_property", o(True) + h("40060001000205 00".replace(" ", "")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", help="a wsbench-loadgen --json report to use as a seed")
    args = ap.parse_args()
    frame_parser_seeds()
    handshake_seeds()
    utf8_seeds()
    histogram_seeds()
    report_seeds(args.report)
    client_command_seeds()
    echo_console_command_seeds()
    deflate_seeds()
    mqtt_decode_seeds()


if __name__ == "__main__":
    main()
