// The least a Node.js DNS server can do per query (bench/node-floor.ts, and compass.ts with BENCH_CHALLENGER=floor):
// dgram sockets set up as Stopzone's (literal-address lookup, 4 MiB receive buffer), each query answered with its own
// bytes, QR and RA set, NOERROR — except a unique miss (a name below miss.bench.test, the compass's misses), which is
// forwarded to the upstream on one connected socket and its answer relayed, as any forwarder must. No decoding, no
// cache, no policy, no metrics, no ID or port randomisation: what is left is Node's and the kernel's cost of the
// datagrams a forwarder cannot avoid (one in and one out a query; two more for a miss).
//
// Usage: node answer-echo.mjs HOST PORT [UPSTREAM_HOST:PORT [THREADS]]. With THREADS above 1, each of THREADS worker
// threads binds its own socket on PORT with SO_REUSEPORT, as Stopzone's workers do; "ready" once all are bound.
import dgram from 'node:dgram';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const [host, portText, upstream = '', threadsText = '1'] = isMainThread ? process.argv.slice(2) : workerData;
const port = Number(portText);
const threads = Number(threadsText);
const MISS = Buffer.from('\x04miss\x05bench\x04test\x00', 'latin1');
const literal = (address, _options, callback) => callback(null, address, 4);

if (isMainThread && threads > 1) {
  let bound = 0;
  for (let i = 0; i < threads; i++) {
    const worker = new Worker(new URL(import.meta.url), { workerData: [host, portText, upstream, '1'], name: `floor-dns-${i}` });
    worker.on('message', () => ++bound === threads && console.log('ready'));
    worker.on('error', (error) => {
      console.error(error);
      process.exit(1);
    });
  }
} else {
  answer();
}

function answer() {
  const socket = dgram.createSocket({ type: 'udp4', lookup: literal, reusePort: threads > 1 || !isMainThread });
  /** Per upstream ID (a counter): the client's port, address and own ID. */
  const waiting = new Array(65536);
  let nextId = 0;
  let relay = null;
  let connected = Promise.resolve();
  if (upstream !== '') {
    const [upstreamHost, upstreamPort] = upstream.split(':');
    relay = dgram.createSocket({ type: 'udp4', lookup: literal });
    connected = new Promise((resolve) => relay.connect(Number(upstreamPort), upstreamHost, resolve));
    relay.on('message', (answer) => {
      const id = answer.readUInt16BE(0);
      const client = waiting[id];
      if (client === undefined) return;
      waiting[id] = undefined;
      answer.writeUInt16BE(client.id, 0);
      socket.send(answer, client.port, client.address);
    });
  }
  socket.on('message', (raw, rinfo) => {
    if (relay !== null && raw.indexOf(MISS, 12) > 0) {
      const id = nextId;
      nextId = (nextId + 1) & 0xffff;
      waiting[id] = { port: rinfo.port, address: rinfo.address, id: raw.readUInt16BE(0) };
      const query = Buffer.from(raw);
      query.writeUInt16BE(id, 0);
      relay.send(query);
      return;
    }
    const reply = Buffer.from(raw);
    reply[2] |= 0x80;
    reply[3] = 0x80;
    socket.send(reply, rinfo.port, rinfo.address);
  });
  socket.bind(port, host, async () => {
    socket.setRecvBufferSize(4 * 1024 * 1024);
    await connected;
    if (isMainThread) console.log('ready');
    else parentPort.postMessage('bound');
  });
}
