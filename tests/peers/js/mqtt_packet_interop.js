// MQTT 5 packets from and into mqtt-packet (npm; the codec of aedes and of MQTT.js), for the
// MQTT 5 half of the codec's interop test: aedes 1.x refuses MQTT 5, so its packet library
// stands in for a v5 broker.
//
//   node mqtt_packet_interop.js generate   one line of hex per broker packet listed below
//   node mqtt_packet_interop.js parse      reads lines "VERSION HEX" (4 or 5) on stdin, prints
//                                          one JSON line per packet parsed ({"error": ...}
//                                          when it does not parse), Buffers as UTF-8 strings
'use strict'

const mqttPacket = require('mqtt-packet')

// What a v5 broker sends; mqtt_peer_test.cpp expects these fields in this order.
const brokerPackets = [
  {
    cmd: 'connack',
    sessionPresent: true,
    reasonCode: 0,
    properties: {
      assignedClientIdentifier: 'abc',
      serverKeepAlive: 30,
      reasonString: 'ok',
      receiveMaximum: 10,
      maximumPacketSize: 1024,
      topicAliasMaximum: 5,
      userProperties: { k: 'v' }
    }
  },
  { cmd: 'connack', sessionPresent: false, reasonCode: 0x87 },
  { cmd: 'suback', messageId: 2, granted: [0, 1, 0x87], properties: { reasonString: 'x' } },
  { cmd: 'unsuback', messageId: 3, granted: [0x11, 0] },
  {
    cmd: 'publish',
    topic: 'a/b',
    payload: Buffer.from('data'),
    qos: 1,
    messageId: 9,
    retain: true,
    dup: false,
    properties: {
      payloadFormatIndicator: true,
      messageExpiryInterval: 60,
      topicAlias: 3,
      responseTopic: 'r/1',
      correlationData: Buffer.from('c'),
      userProperties: { k: ['v1', 'v2'] },
      subscriptionIdentifier: 200,
      contentType: 'text/plain'
    }
  },
  { cmd: 'publish', topic: 'q/0', payload: Buffer.from('x'), qos: 0, retain: false, dup: false },
  { cmd: 'puback', messageId: 7, reasonCode: 0x10, properties: { reasonString: 'no' } },
  { cmd: 'puback', messageId: 8, reasonCode: 0 },
  { cmd: 'pubrec', messageId: 9, reasonCode: 0x80 },
  { cmd: 'pubrel', messageId: 9, reasonCode: 0 },
  { cmd: 'pubcomp', messageId: 9, reasonCode: 0x92 },
  { cmd: 'pingresp' },
  { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'm', authenticationData: Buffer.from('d') } },
  { cmd: 'disconnect', reasonCode: 0x9c, properties: { serverReference: 'other', reasonString: 'bye' } }
]

function generate () {
  for (const packet of brokerPackets) {
    process.stdout.write(mqttPacket.generate(packet, { protocolVersion: 5 }).toString('hex') + '\n')
  }
}

function toJson (packet) {
  return JSON.stringify(packet, (key, value) =>
    value && value.type === 'Buffer' && Array.isArray(value.data)
      ? Buffer.from(value.data).toString('utf8')
      : value)
}

function parse () {
  let input = ''
  process.stdin.on('data', (chunk) => { input += chunk })
  process.stdin.on('end', () => {
    for (const line of input.split('\n')) {
      if (!line.trim()) continue
      const [version, hex] = line.trim().split(' ')
      const parser = mqttPacket.parser({ protocolVersion: Number(version) })
      let out = null
      parser.on('packet', (packet) => { out = out || toJson(packet) })
      parser.on('error', (err) => { out = out || JSON.stringify({ error: err.message }) })
      parser.parse(Buffer.from(hex, 'hex'))
      process.stdout.write((out || JSON.stringify({ error: 'incomplete packet' })) + '\n')
    }
  })
}

const mode = process.argv[2]
if (mode === 'generate') {
  generate()
} else if (mode === 'parse') {
  parse()
} else {
  process.stderr.write('usage: node mqtt_packet_interop.js generate|parse\n')
  process.exit(2)
}
