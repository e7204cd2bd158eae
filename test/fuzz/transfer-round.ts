import { mkdtempSync, rmSync } from 'node:fs';
import { Endpoint, endpoint } from '../../src/config/address.js';
import net from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadZoneSource } from '../../src/sources/load-source.js';
import { ZoneSyntaxError } from '../../src/rpz/zone-syntax-error.js';
import { refreshFromPrimaries } from '../../src/sources/zone-transfer/secondary.js';
import { transfer } from '../../src/sources/zone-transfer/transfer.js';
import { recordLine, writeZoneCopy, applyDeltas } from '../../src/sources/zone-transfer/zone-copy.js';
import { toZoneRecord } from '../../src/sources/zone-transfer/record-text.js';
import { listRecords } from '../../src/dns/wire.js';
import { assertLoopback } from '../helpers/loopback-guard.js';
import { Campaign, type RoundOptions } from './campaign.js';
import { settledMemory } from './memory.js';
import { judgeError, processFaults } from './text-rounds.js';
import { baseZone, HELD_SERIAL, TRANSFER_ZONE, transferResponses } from './transfer-messages.js';
import { zoneConfig } from './zone-configs.js';
import { message, nameBytes, question } from './wire.js';

/** Every n-th input also goes through a real TCP exchange with the fuzzing primary (SOA query, IXFR or AXFR, fallback). */
const TCP_EVERY = 20;
const LIMITS = { timeoutMs: 5000, maxBytes: 4 * 1048576 };
/** The primary the in-process exchange stands for: only its label is ever used. */
const IN_PROCESS = new Endpoint('127.0.0.1', 0, 4, 'in-process');

/** Errors a transfer may end with: the reader's and the exchange's plain Errors, or the zone reader's ZoneSyntaxError; a TypeError or RangeError is a bug. */
const acceptable = (error: Error): boolean => error.constructor === Error || error instanceof ZoneSyntaxError;

/** Writes the copy a secondary holds at HELD_SERIAL (for IXFR inputs). */
async function writeBaseCopy(path: string): Promise<void> {
  const records = [transferResponsesSoa(), ...baseZone().records];
  const wire = message({ id: 0, flags: 0x8400 }, [question(nameBytes(TRANSFER_ZONE), 252)], records);
  const source = { file: 'base', origin: TRANSFER_ZONE };
  const lines = (listRecords(wire, 12 + nameBytes(TRANSFER_ZONE).length + 4) ?? []).map((at, i) => recordLine(toZoneRecord(wire, at, source, i + 1)!));
  await writeZoneCopy(path, lines);
}

function transferResponsesSoa(): Buffer {
  const fake = message({ id: 0, flags: 0 }, [question(nameBytes(TRANSFER_ZONE), 6)]);
  return transferResponses(0, 0, fake).messages[0]!.subarray(12 + nameBytes(TRANSFER_ZONE).length + 4);
}

/** A transferred zone as the server configures it: its copy is loaded with the limits and rules of remote content. */
const SECONDARY = zoneConfig(`{ name: ${TRANSFER_ZONE}, primaries: ["127.0.0.1:5300"] }`);

/** Checks that the loaded copy blocks every trigger an unbroken transfer carried. */
async function checkCopy(campaign: Campaign, index: number, copy: string, expected: readonly string[] | null, describe: string): Promise<void> {
  const zone = await loadZoneSource(SECONDARY, copy);
  campaign.count('copies loaded');
  for (const name of expected ?? []) {
    if (zone.indexes.qname.lookup(name) === null) campaign.fail('transferred trigger not in force', index, `${describe}: ${name}`);
  }
}

/**
 * AXFR/IXFR responses through the transfer reader, the last-good copy and the
 * zone reader, in this process (the messages handed to transfer() in place of
 * a TCP exchange); every TCP_EVERY-th input also through a real exchange with
 * a fuzzing primary on loopback (refreshFromPrimaries: SOA query, IXFR with
 * AXFR fallback). Each must succeed or fail with a plain Error whose message is
 * bounded; an unbroken transfer's triggers must all be in force from the copy.
 */
export async function transferRound(options: RoundOptions): Promise<Campaign> {
  const campaign = new Campaign('transfer', options, async () => settledMemory('heap'));
  const dir = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'stopzone-fuzz-xfr-'));
  const copy = join(dir, 'copy.zone');
  const next = join(dir, 'next.zone');
  const primary = await startFuzzingPrimary(options.seed);
  const stop = processFaults(campaign);
  try {
    await campaign.begin();
    for (let index = options.from, done = 1; index < options.from + options.count; index++, done++) {
      const ixfr = index % 2 === 1;
      primary.index = index;
      let expected: string[] | null = null;
      try {
        if (ixfr) await writeBaseCopy(copy);
        const result = await transfer(
          { kind: ixfr ? 'ixfr' : 'axfr', fromSerial: HELD_SERIAL, zone: TRANSFER_ZONE, primary: IN_PROCESS, ...LIMITS },
          async (query, limits, onMessage) => {
            const input = transferResponses(options.seed, index, query);
            expected = input.expected;
            let bytes = 0;
            for (const [i, m] of input.messages.entries()) {
              bytes += m.length + 2;
              if (onMessage(m, i)) return bytes;
            }
            throw new Error(`${limits.what}: the primary closed the connection after ${input.messages.length} messages, before the end`);
          },
        );
        campaign.count(`result ${result.kind}`);
        if (result.kind === 'axfr') await writeZoneCopy(copy, result.lines);
        else if (result.kind === 'ixfr') await applyDeltas(copy, result.deltas);
        if (result.kind !== 'up-to-date') await checkCopy(campaign, index, copy, expected, `in-process ${result.kind}`);
      } catch (error) {
        judgeError(campaign, index, error, `in-process ${ixfr ? 'IXFR' : 'AXFR'}`, acceptable);
        if (expected !== null) campaign.fail('unbroken transfer refused', index, String((error as Error).message).slice(0, 500));
      }
      if (index % TCP_EVERY === 0) {
        campaign.count('tcp exchanges');
        try {
          if (ixfr) await writeBaseCopy(copy);
          const outcome = await refreshFromPrimaries({ zone: TRANSFER_ZONE, primaries: [endpoint(primary.hostPort, 'primary')], ...LIMITS }, copy, ixfr ? HELD_SERIAL : null, next);
          if (outcome.kind !== 'up-to-date') await loadZoneSource(SECONDARY, next);
        } catch (error) {
          judgeError(campaign, index, error, 'tcp', acceptable);
        }
      }
      await campaign.progress(done);
    }
    await campaign.end();
  } finally {
    stop();
    await primary.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return campaign;
}

/** A primary on loopback that answers every query on a connection with transferResponses() for the current input. */
async function startFuzzingPrimary(seed: number): Promise<{ hostPort: string; index: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = { index: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const query = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + query.length);
        for (const m of transferResponses(seed, state.index, query).messages) socket.write(Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m.subarray(0, 65535)]));
        // Ends the connection after the responses: a transfer that needed more fails as "closed before the end".
        socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostPort = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  assertLoopback(hostPort);
  return Object.assign(state, {
    hostPort,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}
