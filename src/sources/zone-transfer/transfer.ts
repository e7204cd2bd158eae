import { listRecords } from '../../dns/wire.js';
import type { TsigKey } from './tsig-key.js';
import { signMessage, type Clock } from './tsig.js';
import { TsigVerifier } from './tsig-stream.js';
import { toZoneRecord } from './record-text.js';
import type { Endpoint } from '../../config/address.js';
import { exchangeWithPrimary } from './primary-exchange.js';
import { RRType } from '../../dns/types.js';
import { buildQuery, checkResponse, type Expected } from './transfer-message.js';
import { TransferReader, type TransferResult } from './transfer-reader.js';

export type { TransferResult } from './transfer-reader.js';

/** Where to transfer a policy zone from, and within what limits. */
export interface TransferOptions {
  primary: Endpoint;
  /** The zone, with or without the trailing dot. */
  zone: string;
  /** Signs the query and requires signed responses (RFC 8945). */
  key?: TsigKey;
  /** For the whole exchange, connecting included. */
  timeoutMs: number;
  /** Bytes received, for the whole exchange. */
  maxBytes: number;
  /** The clock for TSIG, in milliseconds; Date.now by default. */
  now?: Clock;
}

/** An AXFR, or an IXFR from the serial the client holds. */
export type TransferRequest = (TransferOptions & { kind: 'axfr' }) | (TransferOptions & { kind: 'ixfr'; fromSerial: number });

/** Asks the primary for the zone's SOA over TCP (signed when a key is given) and returns its serial. */
export async function querySoaSerial(options: TransferOptions): Promise<number> {
  const zone = zoneOf(options.zone);
  const exchange = start(options, zone, RRType.SOA, `the SOA query for ${zone}`);
  let serial: number | undefined;
  await exchangeWithPrimary(exchange.query, { ...options, what: exchange.expected.what }, (message) => {
    const questionEnd = checkResponse(message, exchange.expected);
    const source = { file: `axfr://${options.primary.label}/${zone}`, origin: zone };
    for (const at of listRecords(message, questionEnd) ?? []) {
      if (at.section !== 'answer' || at.type !== RRType.SOA) continue;
      const record = toZoneRecord(message, at, source, 1);
      if (record?.owner === zone) serial = Number(record.rdata[2]);
    }
    exchange.expected.verifier?.finish();
    return true;
  });
  if (serial === undefined) throw new Error(`the primary ${options.primary.label} has no SOA for ${zone}: is it authoritative for the zone?`);
  return serial;
}

/**
 * Transfers the zone over TCP: AXFR (RFC 5936) or IXFR (RFC 1995). An IXFR
 * may come back as the full zone ('axfr'), deltas ('ixfr') or 'up-to-date'.
 * Records are in the zone reader's shape, `file` = axfr://primary/zone and
 * `line` = the record's 1-based index in the transfer. `exchange` carries the
 * messages (the fuzz harness hands them over in-process).
 */
export async function transfer(request: TransferRequest, exchange: typeof exchangeWithPrimary = exchangeWithPrimary): Promise<TransferResult & { bytes: number }> {
  const zone = zoneOf(request.zone);
  const qtype = request.kind === 'axfr' ? RRType.AXFR : RRType.IXFR;
  const what = `the ${request.kind.toUpperCase()} of ${zone}`;
  const started = start(request, zone, qtype, what, request.kind === 'ixfr' ? request.fromSerial : undefined);
  const reader = new TransferReader(request.kind, request.maxBytes);
  const source = { file: `axfr://${request.primary.label}/${zone}`, origin: zone };
  let index = 0;
  const bytes = await exchange(started.query, { ...request, what }, (message, messageIndex) => {
    const questionEnd = checkResponse(message, started.expected);
    const records = listRecords(message, questionEnd);
    if (records === null) throw new Error(`the primary ${request.primary.label} sent a malformed message during ${what} (message ${messageIndex + 1})`);
    for (const at of records) {
      if (at.section !== 'answer') continue;
      const record = toZoneRecord(message, at, source, ++index);
      if (record === null) throw new Error(`the primary ${request.primary.label} sent a malformed record (number ${index}) during ${what}`);
      try {
        reader.add(record);
      } catch (error) {
        throw new Error(`${what} from ${request.primary.label}: ${(error as Error).message}`);
      }
    }
    reader.endOfMessage(messageIndex);
    if (reader.done) started.expected.verifier?.finish();
    return reader.done;
  });
  const result = reader.result();
  if (result.kind === 'ixfr' && request.kind === 'ixfr' && result.fromSerial !== request.fromSerial) {
    throw new Error(`${what} from ${request.primary.label} starts at serial ${result.fromSerial}; we asked for the changes since ${request.fromSerial}`);
  }
  return { ...result, bytes };
}

/** The query (signed when a key is given) and what its responses must match. */
function start(options: TransferOptions, zone: string, qtype: number, what: string, soaSerial?: number): { query: Buffer; expected: Expected } {
  const unsigned = buildQuery(zone, qtype, soaSerial);
  const id = unsigned.readUInt16BE(0);
  const base = { id, zone, qtype, primary: options.primary.label, what };
  if (options.key === undefined) return { query: unsigned, expected: base };
  const signed = signMessage(unsigned, options.key, { now: options.now });
  return { query: signed.message, expected: { ...base, verifier: new TsigVerifier(options.key, signed.mac, options.now) } };
}

function zoneOf(zone: string): string {
  return zone.toLowerCase().replace(/\.$/, '');
}
