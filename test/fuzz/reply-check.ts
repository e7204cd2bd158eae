import dnsPacket from 'dns-packet';
import { LISTED_NAME, LISTED_V4, LISTED_V4_NETWORK, LISTED_V6, WILDCARD_PARENT } from './policy.js';

/** Whether a name is listed by QNAME in the fuzz zone (exact, or below the wildcard). */
function listedName(name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return lower === LISTED_NAME || lower.endsWith(`.${WILDCARD_PARENT}`);
}

function listedAddress(type: string, data: string): boolean {
  return (type === 'A' && (data === LISTED_V4 || data.startsWith(LISTED_V4_NETWORK))) || (type === 'AAAA' && data === LISTED_V6);
}

/**
 * What is wrong with a decoded reply as far as the policy goes, or null:
 * an answer record owned by a listed name or carrying a listed address.
 * Every trigger of the fuzz zone rewrites to NXDOMAIN, so none may reach a
 * client; a CNAME may point at a listed name (the chain is kept up to it, as
 * BIND does). `inChain` says whether the record is on the CNAME chain from
 * the question (what a stub follows) or an unrelated record relayed beside it.
 */
export function listedDataIn(packet: dnsPacket.Packet): { inChain: boolean; record: string } | null {
  let current = (packet.questions?.[0]?.name ?? '').toLowerCase();
  for (const answer of packet.answers ?? []) {
    const record = answer as { name: string; type: string; data?: unknown };
    const owner = record.name.toLowerCase();
    const inChain = owner === current;
    if (inChain && record.type === 'CNAME') current = String(record.data).toLowerCase();
    if (listedName(owner)) return { inChain, record: `${record.name} ${record.type} ${String(record.data)} (owned by a listed name)` };
    if (listedAddress(record.type, String(record.data))) return { inChain, record: `${record.name} ${record.type} ${String(record.data)} (a listed address)` };
  }
  return null;
}

/** Decodes a reply; the error's message when dns-packet cannot. */
export function decodeOrReason(raw: Buffer): dnsPacket.Packet | string {
  try {
    return dnsPacket.decode(raw);
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

/** The first `max` bytes as hex, for finding details. */
export function hex(raw: Buffer, max = 160): string {
  return raw.subarray(0, max).toString('hex') + (raw.length > max ? `... (${raw.length} bytes)` : ` (${raw.length} bytes)`);
}
