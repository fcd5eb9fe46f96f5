#!/usr/bin/python3
# An echo server on python3-websockets' asyncio server, a peer for wsbench-client's tests (issue
# 16). Not part of the product. Prints "listening on ws://127.0.0.1:PORT" once it accepts.
#   /usr/bin/python3 tests/peers/python_websockets_server.py
# (Debian's interpreter: the package lives in /usr/lib/python3/dist-packages.)
#
# Each message is echoed with its type kept (text stays text, binary stays binary); the text
# "close CODE REASON" makes the server close with that code and reason, and "ping PAYLOAD"
# makes it send a ping first and echo after the pong.
import asyncio
import sys

import websockets


async def echo(ws, *_):
    async for message in ws:
        if isinstance(message, str) and message.startswith("close "):
            _, code, reason = (message.split(" ", 2) + [""])[:3]
            await ws.close(int(code), reason)
            return
        if isinstance(message, str) and message.startswith("ping "):
            await (await ws.ping(message[5:]))
        await ws.send(message)


async def main():
    # permessage-deflate as websockets does by default: accepted when a client offers it.
    async with websockets.serve(echo, "127.0.0.1", 0, subprotocols=["chat"],
                                compression="deflate") as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on ws://127.0.0.1:{port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
