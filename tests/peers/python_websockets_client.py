#!/usr/bin/python3
# A client-conformance driver on python3-websockets' asyncio client (issue 7), the loop of
# Autobahn's testee clients: /getCaseCount, /runCase for every case as an echo client, then
# /updateReports. Not part of the product.
#   /usr/bin/python3 tests/peers/python_websockets_client.py ws://HOST:PORT AGENT
# (Debian's interpreter: the package lives in /usr/lib/python3/dist-packages.)
#
# Library defaults throughout, but max_size: its 1 MiB default would refuse section 9's
# messages of up to 16 MiB (1009), a limit of the configuration, not of the library. The
# default compression="deflate" stays: the client offers permessage-deflate, the server does
# not accept it, so no message is compressed.
import asyncio
import sys
import urllib.parse

import websockets


async def fetch_text(url):
    """The last text message a control URL sends before it closes ("" when none)."""
    text = ""
    try:
        async with websockets.connect(url, max_size=None) as ws:
            async for message in ws:
                if isinstance(message, str):
                    text = message
    except (websockets.WebSocketException, OSError) as e:
        print(f"{url}: {type(e).__name__}: {e}", file=sys.stderr)
    return text


async def run_case(url):
    """Echoes every message with its type until the connection ends.

    The library answers pings and the server's close frame itself, and fails the connection
    (1002, 1007, 1009) when the server breaks the protocol; any error ends the case.
    """
    try:
        async with websockets.connect(url, max_size=None) as ws:
            async for message in ws:
                await ws.send(message)  # str goes out as text, bytes as binary
    except (websockets.WebSocketException, OSError, asyncio.TimeoutError) as e:
        # A refused handshake (section C) or a failed connection: the case's verdict says
        # whether that was right; only note it.
        if "-v" in sys.argv[3:]:
            print(f"{url}: {type(e).__name__}: {e}", file=sys.stderr)


async def main(base, agent):
    agent = urllib.parse.quote(agent, safe="")
    count = int(await fetch_text(f"{base}/getCaseCount") or 0)
    for n in range(1, count + 1):
        await run_case(f"{base}/runCase?case={n}&agent={agent}")
    await fetch_text(f"{base}/updateReports?agent={agent}")
    print(f"ran {count} cases")
    return 0 if count > 0 else 1


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print("usage: python_websockets_client.py ws://HOST:PORT AGENT [-v]", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
