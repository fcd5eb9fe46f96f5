// A GraphQL over WebSocket server (graphql-ws's useServer on a `ws` WebSocketServer, protocol
// graphql-transport-ws), a peer for the integration tests of the graphql-ws protocol (issue
// 15). Not part of the product. Prints "listening on ws://127.0.0.1:PORT" once it accepts.
//   node tests/peers/js/graphql_server.js [--token SECRET]
// Schema:
//   query        { hello }                          -> "world"
//   mutation     { post(text: "hi") { id text } }   -> numbered posts
//   subscription { ticks(n: 3, everyMs: 100) { n sentAt } }   n ticks, sentAt in microseconds
//                                                             since the epoch
//   subscription { fail(after: 1) { n sentAt } }    `after` ticks, then an error message
// With --token, connection_init must carry {"token": SECRET}, else the server closes with 4403
// (Forbidden). What it saw is printed as one JSON line on stdout when stdin closes or on
// SIGTERM/SIGINT, then it exits: connections, acks, refused, subscribes by operation name
// ("(anonymous)" without one), nexts and errors sent, completes.
'use strict';
const path = require('path');
const { WebSocketServer } = require('ws');
const { useServer } = require('graphql-ws/use/ws');
const {
  GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLInt, GraphQLFloat, GraphQLNonNull,
} = require('graphql');

const args = process.argv.slice(2);
const tokenAt = args.indexOf('--token');
const token = tokenAt >= 0 ? args[tokenAt + 1] : undefined;
if (tokenAt >= 0 && token === undefined) {
  console.error(`${path.basename(__filename)}: --token needs a value`);
  process.exit(2);
}

const counts = {
  connections: 0, acks: 0, refused: 0, subscribes: {}, nexts: 0, errors: 0, completes: 0,
};

// Wall-clock microseconds: the epoch at start plus the monotonic clock since.
const epochBase = BigInt(Date.now()) * 1000n - process.hrtime.bigint() / 1000n;
const nowMicros = () => Number(epochBase + process.hrtime.bigint() / 1000n);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const Tick = new GraphQLObjectType({
  name: 'Tick',
  fields: { n: { type: new GraphQLNonNull(GraphQLInt) }, sentAt: { type: GraphQLFloat } },
});
const Post = new GraphQLObjectType({
  name: 'Post', fields: { id: { type: GraphQLInt }, text: { type: GraphQLString } },
});

let posts = 0;
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query', fields: { hello: { type: GraphQLString, resolve: () => 'world' } },
  }),
  mutation: new GraphQLObjectType({
    name: 'Mutation',
    fields: {
      post: {
        type: Post,
        args: { text: { type: new GraphQLNonNull(GraphQLString) } },
        resolve: (_, { text }) => ({ id: ++posts, text }),
      },
    },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      ticks: {
        type: Tick,
        args: { n: { type: GraphQLInt, defaultValue: 3 }, everyMs: { type: GraphQLInt, defaultValue: 100 } },
        subscribe: async function* ticks(_, { n, everyMs }) {
          for (let i = 1; i <= n; i++) {
            await sleep(everyMs);
            yield { ticks: { n: i, sentAt: nowMicros() } };
          }
        },
      },
      fail: {
        type: Tick,
        args: { after: { type: GraphQLInt, defaultValue: 1 } },
        subscribe: async function* fail(_, { after }) {
          for (let i = 1; i <= after; i++) yield { fail: { n: i, sentAt: nowMicros() } };
          throw new Error(`fail after ${after}`);
        },
      },
    },
  }),
});

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
useServer({
  schema,
  onConnect: (ctx) => {
    counts.connections++;
    if (token !== undefined && (ctx.connectionParams || {}).token !== token) {
      counts.refused++;
      return false;  // closes with 4403 Forbidden
    }
    counts.acks++;
    return true;
  },
  onSubscribe: (ctx, id, payload) => {
    const name = payload.operationName || '(anonymous)';
    counts.subscribes[name] = (counts.subscribes[name] || 0) + 1;
  },
  onNext: () => { counts.nexts++; },
  onError: () => { counts.errors++; },
  onComplete: () => { counts.completes++; },
}, wss);

wss.on('listening', () => console.log(`listening on ws://127.0.0.1:${wss.address().port}`));

let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  process.stdout.write(`${JSON.stringify(counts)}\n`, () => process.exit(0));
  for (const client of wss.clients) client.terminate();
  wss.close();
}
process.stdin.on('end', finish);
process.stdin.on('error', finish);
process.stdin.resume();
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
