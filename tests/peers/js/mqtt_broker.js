// A real MQTT broker for the integration tests: aedes (npm) over WebSocket (the `ws` package),
// subprotocol `mqtt`, on 127.0.0.1 and a free port. Prints `listening on ws://127.0.0.1:PORT`
// once it accepts connections, and when stdin closes or on SIGTERM one JSON line of what
// passed on the wire (CONNECTs, CONNACKs accepted and refused by return code, SUBSCRIBE and
// UNSUBSCRIBE filters, PUBLISHes from clients by QoS, PINGREQs, DISCONNECTs), then exits 0.
//
//   node mqtt_broker.js [--auth USER:PASS]
//
// --auth: a CONNECT without exactly these credentials is refused with CONNACK return code 5
// (not authorized).
'use strict'

const counts = {
  connects: 0, // CONNECT packets
  connacks_accepted: 0,
  connacks_refused: 0,
  refused_codes: {}, // return code -> count
  subscribes: 0, // topic filters subscribed
  unsubscribes: 0,
  publishes: { 0: 0, 1: 0, 2: 0 }, // PUBLISH packets from clients, by QoS
  pingreqs: 0,
  disconnects: 0 // DISCONNECT packets
}

function parseArgs (argv) {
  const opts = { auth: null }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--auth' && i + 1 < argv.length) {
      const value = argv[++i]
      const colon = value.indexOf(':')
      if (colon < 0) usage(`--auth wants USER:PASS, got '${value}'`)
      opts.auth = { user: value.slice(0, colon), pass: value.slice(colon + 1) }
    } else {
      usage(`unknown argument '${argv[i]}'`)
    }
  }
  return opts
}

function usage (message) {
  process.stderr.write(`mqtt_broker.js: ${message}\nusage: node mqtt_broker.js [--auth USER:PASS]\n`)
  process.exit(2)
}

// Counts the packets on the wire of one connection, both ways, as they pass: what a client
// sent is counted before aedes acts on it, and a CONNACK before the client can read it, so
// the counts printed after the client's last answer are complete (aedes' own events come a
// turn of the event loop later).
function tap (socket, mqttPacket) {
  const incoming = mqttPacket.parser()
  incoming.on('packet', (packet) => {
    switch (packet.cmd) {
      case 'connect': counts.connects++; break
      case 'subscribe': counts.subscribes += packet.subscriptions.length; break
      case 'unsubscribe': counts.unsubscribes += packet.unsubscriptions.length; break
      case 'publish': counts.publishes[packet.qos]++; break
      case 'pingreq': counts.pingreqs++; break
      case 'disconnect': counts.disconnects++; break
    }
  })
  incoming.on('error', () => {}) // aedes reports and closes
  socket.on('message', (data) => incoming.parse(Buffer.from(data)))

  const outgoing = mqttPacket.parser()
  outgoing.on('packet', (packet) => {
    if (packet.cmd !== 'connack') return
    if (packet.returnCode === 0) {
      counts.connacks_accepted++
    } else {
      counts.connacks_refused++
      counts.refused_codes[packet.returnCode] = (counts.refused_codes[packet.returnCode] || 0) + 1
    }
  })
  const send = socket.send.bind(socket)
  socket.send = (data, ...rest) => {
    outgoing.parse(Buffer.from(data))
    return send(data, ...rest)
  }
}

async function main () {
  const opts = parseArgs(process.argv.slice(2))
  const { Aedes } = await import('aedes')
  const { WebSocketServer, createWebSocketStream } = require('ws')
  const mqttPacket = require('mqtt-packet') // aedes' own packet codec

  const broker = await Aedes.createBroker()
  if (opts.auth) {
    broker.authenticate = (client, username, password, callback) => {
      const ok = username === opts.auth.user && password !== undefined &&
        password !== null && password.toString() === opts.auth.pass
      if (ok) return callback(null, true)
      const error = new Error('not authorized')
      error.returnCode = 5
      callback(error, false)
    }
  }
  broker.on('clientError', (client, err) => {
    process.stderr.write(`mqtt_broker.js: client ${client && client.id}: ${err.message}\n`)
  })
  broker.on('connectionError', (client, err) => {
    process.stderr.write(`mqtt_broker.js: connection error: ${err.message}\n`)
  })

  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    // MQTT over WebSocket: the subprotocol is `mqtt` (5.0 §6, 3.1.1 §6).
    handleProtocols: (protocols) => protocols.has('mqtt') ? 'mqtt' : false
  })
  wss.on('connection', (socket) => {
    tap(socket, mqttPacket)
    const stream = createWebSocketStream(socket)
    stream.on('error', () => {}) // the client went away; aedes sees the close
    broker.handle(stream)
  })
  wss.on('listening', () => {
    process.stdout.write(`listening on ws://127.0.0.1:${wss.address().port}\n`)
  })

  let done = false
  const finish = () => {
    if (done) return
    done = true
    process.stdout.write(JSON.stringify(counts) + '\n', () => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      broker.close(() => process.exit(0))
      setTimeout(() => process.exit(0), 1000).unref()
    })
  }
  process.on('SIGTERM', finish)
  process.stdin.on('end', finish)
  process.stdin.on('error', finish)
  process.stdin.resume()
}

main().catch((err) => {
  process.stderr.write(`mqtt_broker.js: ${err.stack || err}\n`)
  process.exit(3)
})
