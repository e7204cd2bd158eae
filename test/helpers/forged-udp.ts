import { spawnSync } from 'node:child_process';
import { assertLoopback } from './loopback-guard.js';

/**
 * UDP datagrams whose source port no socket can bind (0): only a raw socket can send them, so Python's (root,
 * or CAP_NET_RAW) writes the IPv4 and UDP headers itself. The kernel fills in the IP checksum and length; the
 * UDP checksum is 0 ("none", allowed over IPv4). Loopback only, as every test helper.
 */
const OPEN_RAW = `
import socket, sys
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
except PermissionError as e:
    print('a raw socket needs root or CAP_NET_RAW: ' + str(e)); sys.exit(3)
`;

const SEND = `${OPEN_RAW}
import struct
dst, port = sys.argv[1], int(sys.argv[2])
for hexed in sys.argv[3:]:
    payload = bytes.fromhex(hexed)
    udp = struct.pack('!HHHH', 0, port, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 0, 0, 0, 64, 17, 0, socket.inet_aton('127.0.0.1'), socket.inet_aton(dst))
    s.sendto(ip + udp, (dst, 0))
`;

function python(script: string, args: string[]): { status: number | null; stdout: string; stderr: string; error?: Error } {
  return spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 10_000 });
}

/** Why datagrams cannot be forged here (no python3, no permission for a raw socket), or null when they can. */
export function forgingUnavailable(): string | null {
  const run = python(OPEN_RAW, []);
  if (run.error !== undefined) return `python3 could not be run (${run.error.message})`;
  if (run.status === 3) return run.stdout.trim();
  if (run.status !== 0) return `python3 failed: ${run.stderr.trim()}`;
  return null;
}

/** Sends `payloads` to `to` from 127.0.0.1 port 0; when it returns they are in the receiver's socket buffer. */
export function sendFromPortZero(to: { address: string; port: number }, payloads: readonly Buffer[]): void {
  assertLoopback(to.address);
  const run = python(SEND, [to.address, String(to.port), ...payloads.map((p) => p.toString('hex'))]);
  if (run.error !== undefined || run.status !== 0) throw new Error(`sending from port 0 failed (exit ${String(run.status)}): ${run.error?.message ?? run.stderr}`);
}
