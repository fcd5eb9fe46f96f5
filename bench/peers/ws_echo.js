// Echo server on Node's `ws` (npm), a peer for wsbench-conformance and the benchmarks; not part
// of the product. Prints the same readiness line as wsbench-echo-server.
//   node bench/peers/ws_echo.js [port]     (ws resolved from NODE_PATH or a local node_modules)
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] || 0) });
wss.on('listening', () => {
  console.log(`listening on ws://127.0.0.1:${wss.address().port}`);
});
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  // ws reports a protocol violation as an 'error' (after closing with the right code); an
  // unhandled 'error' event would end the process.
  socket.on('error', () => {});
});
