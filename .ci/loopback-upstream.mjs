// A stand-in upstream resolver for .ci/container-check.sh, on loopback only.
// UDP and TCP on 127.0.0.1:PORT (argv[2], default 0: a free port). It answers
// A for any name under ci.test with 192.0.2.7 and NXDOMAIN for the rest, and
// never sends a packet except a reply to whoever asked. Prints "port N" once
// listening, then "query NAME TYPE TRANSPORT" per question, so the check can
// tell what Stopzone forwarded (and that blocked names never arrive).
import dgram from 'node:dgram';
import net from 'node:net';
import packet from 'dns-packet';

const ANSWER = '192.0.2.7';

/** The reply to one query, as bytes; null for bytes that are not a query. */
function reply(bytes, transport) {
  let query;
  try {
    query = packet.decode(bytes);
  } catch {
    return null;
  }
  const question = query.questions?.[0];
  if (query.type !== 'query' || question === undefined) return null;
  console.log(`query ${question.name.toLowerCase()} ${question.type} ${transport}`);
  const ours = /(^|\.)ci\.test$/i.test(question.name);
  return packet.encode({
    id: query.id,
    type: 'response',
    // dns-packet takes the RCODE in the low four bits of flags: 0 NOERROR, 3 NXDOMAIN.
    flags: packet.AUTHORITATIVE_ANSWER | (query.flags & packet.RECURSION_DESIRED) | packet.RECURSION_AVAILABLE | (ours ? 0 : 3),
    questions: [question],
    answers: ours && question.type === 'A' ? [{ name: question.name, type: 'A', class: 'IN', ttl: 60, data: ANSWER }] : [],
  });
}

/** UDP and TCP on one port; with port 0 the kernel picks it, and another is tried if TCP finds it taken. */
async function listen(wanted) {
  for (let attempt = 1; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (bytes, from) => {
      const out = reply(bytes, 'udp');
      if (out !== null) udp.send(out, from.port, from.address);
    });
    await new Promise((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(wanted, '127.0.0.1', resolve);
    });
    const { port } = udp.address();
    const tcp = net.createServer(serveTcp);
    try {
      await new Promise((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', resolve);
      });
      return { udp, tcp, port };
    } catch (error) {
      udp.close();
      if (wanted !== 0 || attempt >= 10) throw error;
    }
  }
}

/** TCP: a two-byte length before each message (RFC 1035 section 4.2.2). */
function serveTcp(socket) {
  let buffered = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const length = buffered.readUInt16BE(0);
      const out = reply(buffered.subarray(2, 2 + length), 'tcp');
      buffered = buffered.subarray(2 + length);
      if (out === null) return socket.destroy();
      const framed = Buffer.alloc(2 + out.length);
      framed.writeUInt16BE(out.length, 0);
      out.copy(framed, 2);
      socket.write(framed);
    }
  });
}

const { udp, tcp, port } = await listen(Number(process.argv[2] ?? 0));
console.log(`port ${port}`);

const stop = () => {
  udp.close();
  tcp.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
