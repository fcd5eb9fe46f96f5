// An echo server on Node's `ws` (Debian's node-ws), a peer for wsbench-client's tests (issue
// 16). Not part of the product. Prints "listening on ws://127.0.0.1:PORT" once it accepts.
//   NODE_PATH=/usr/share/nodejs node tests/peers/ws_server.js
// Each message is echoed with its type kept; the text "close CODE REASON" makes the server
// close with that code and reason, "ping PAYLOAD" makes it ping first and echo after the pong,
// and "binary TEXT" answers with TEXT's bytes as a binary message.
const { WebSocketServer } = require('ws');

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
});
server.on('listening', () => {
  console.log(`listening on ws://127.0.0.1:${server.address().port}`);
});
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    if (text.startsWith('close ')) {
      const [, code, ...reason] = text.split(' ');
      ws.close(Number(code), reason.join(' '));
    } else if (text.startsWith('ping ')) {
      ws.once('pong', () => ws.send(text));
      ws.ping(text.slice(5));
    } else if (text.startsWith('binary ')) {
      ws.send(Buffer.from(text.slice(7)), { binary: true });
    } else {
      ws.send(data, { binary: isBinary });
    }
  });
});
process.on('SIGTERM', () => process.exit(0));
