// A client-conformance driver on Node's `ws` client (npm; issue 7), the loop of Autobahn's
// testee clients: /getCaseCount, /runCase for every case as an echo client, then
// /updateReports. Not part of the product.
//   NODE_PATH=build/peers-node/node_modules node tests/peers/ws_client.js ws://HOST:PORT AGENT
// Library defaults throughout (perMessageDeflate offered, maxPayload 100 MiB, maxFragments
// 16384, UTF-8 validation on).
const WebSocket = require('ws');

const [base, agent] = process.argv.slice(2);
const verbose = process.argv.includes('-v');

// Opens `url`, echoes every message with its type when `echo` is set, and resolves with the
// last text received once the connection is closed (after an error too: ws always emits
// 'close' last). ws answers pings and the server's close frame itself, and fails the
// connection (1002, 1007, 1009) when the server breaks the protocol.
function runOne(url, echo) {
  return new Promise((resolve) => {
    let last = '';
    const ws = new WebSocket(url);
    ws.on('message', (data, isBinary) => {
      if (echo) ws.send(data, { binary: isBinary });
      else if (!isBinary) last = data.toString();
    });
    // A refused handshake (section C) or a protocol error: the case's verdict says whether
    // that was right. An unhandled 'error' would end the process.
    ws.on('error', (e) => {
      if (verbose) console.error(`${url}: ${e.message}`);
    });
    ws.on('close', () => resolve(last));
  });
}

async function main() {
  if (!base || !agent) {
    console.error('usage: ws_client.js ws://HOST:PORT AGENT [-v]');
    return 2;
  }
  const count = Number(await runOne(`${base}/getCaseCount`, false)) || 0;
  for (let n = 1; n <= count; n++) {
    await runOne(`${base}/runCase?case=${n}&agent=${encodeURIComponent(agent)}`, true);
  }
  await runOne(`${base}/updateReports?agent=${encodeURIComponent(agent)}`, false);
  console.log(`ran ${count} cases`);
  return count > 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; });
