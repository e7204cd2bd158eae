// The least a Node.js DNS server can do per query (bench/node-floor.ts): one dgram socket set up as Stopzone's
// (literal-address lookup, 4 MiB receive buffer), each query answered with its own bytes, QR and RA set, NOERROR.
// No decoding, no cache, no metrics: what is left is Node's and the kernel's cost of one datagram in and one out.
import dgram from 'node:dgram';

const [host, port] = [process.argv[2], Number(process.argv[3])];
const socket = dgram.createSocket({ type: 'udp4', lookup: (address, _options, callback) => callback(null, address, 4) });
socket.on('message', (raw, rinfo) => {
  const reply = Buffer.from(raw);
  reply[2] |= 0x80;
  reply[3] = 0x80;
  socket.send(reply, rinfo.port, rinfo.address);
});
socket.bind(port, host, () => {
  socket.setRecvBufferSize(4 * 1024 * 1024);
  console.log('ready');
});
