#!/usr/bin/env node
// A small Socket.IO 4 chat application for wsbench's scenario tests (issue 15): the real
// `socket.io` server from npm, on 127.0.0.1, port 0 unless --port is given.
//
//   node socketio_server.js [--port N] [--token T] [--ping-interval MS] [--disconnect-after N]
//
// Namespaces "/" and "/chat", each with:
//   join {room}          -> ack {ok, room, members}; then "joined" {room, members} to the sender
//   msg {text, ts}       -> "msg" with the same data to everyone in the sender's rooms (sender
//                           included), or back to the sender when it joined none
//   echo ...args         -> ack with the same arguments
// --token T: a namespace connect whose auth.token is not T fails ("Not authorized").
// --disconnect-after N: a socket is disconnected by the server after its Nth msg.
// Prints `listening on ws://127.0.0.1:PORT` once ready; when stdin closes or on SIGTERM it
// prints what it saw as one JSON line and exits.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const token = option("--token", null);
const pingInterval = Number(option("--ping-interval", "25000"));
const disconnectAfter = Number(option("--disconnect-after", "0"));

const counts = {
  connections: 0, refused: 0, disconnects: 0, joins: 0, msgs: 0, deliveries: 0, echoes: 0,
  acks: 0, server_disconnects: 0,
};

const httpServer = http.createServer();
const io = new Server(httpServer, {
  transports: ["websocket"],
  pingInterval,
  pingTimeout: Math.max(1000, Math.min(20000, pingInterval)),
  serveClient: false,
});

function setup(nsp) {
  if (token !== null) {
    nsp.use((socket, next) => {
      if (socket.handshake.auth && socket.handshake.auth.token === token) return next();
      counts.refused++;
      next(new Error("Not authorized"));
    });
  }
  nsp.on("connection", (socket) => {
    counts.connections++;
    let sent = 0;
    socket.on("disconnect", () => counts.disconnects++);
    socket.on("join", (data, ack) => {
      counts.joins++;
      const room = data && data.room ? String(data.room) : "lobby";
      socket.join(room);
      const members = nsp.adapter.rooms.get(room).size;
      if (typeof ack === "function") {
        counts.acks++;
        ack({ ok: true, room, members });
      }
      socket.emit("joined", { room, members });
    });
    socket.on("msg", (data) => {
      counts.msgs++;
      const rooms = [...socket.rooms].filter((r) => r !== socket.id);
      if (rooms.length === 0) {
        counts.deliveries++;
        socket.emit("msg", data);
      } else {
        for (const r of rooms) counts.deliveries += nsp.adapter.rooms.get(r).size;
        nsp.to(rooms).emit("msg", data);
      }
      if (disconnectAfter > 0 && ++sent >= disconnectAfter) {
        counts.server_disconnects++;
        socket.disconnect(true);
      }
    });
    socket.on("echo", (...args) => {
      counts.echoes++;
      const ack = args.length > 0 && typeof args[args.length - 1] === "function" ? args.pop() : null;
      if (ack) {
        counts.acks++;
        ack(...args);
      }
    });
  });
}
setup(io.of("/"));
setup(io.of("/chat"));

let done = false;
function finish() {
  if (done) return;
  done = true;
  process.stdout.write(JSON.stringify(counts) + "\n", () => process.exit(0));
}
process.on("SIGTERM", finish);
process.on("SIGINT", finish);
process.stdin.on("end", finish);
process.stdin.on("close", finish);
process.stdin.resume();

httpServer.listen(Number(option("--port", "0")), "127.0.0.1", () => {
  process.stdout.write(`listening on ws://127.0.0.1:${httpServer.address().port}\n`);
});
