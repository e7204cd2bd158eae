import dnsPacket from 'dns-packet';

/** Encodes a response the way an upstream would send it (no OPT unless given). */
export function response(fields: {
  name: string;
  type?: string;
  rcode?: string;
  answers?: dnsPacket.Answer[];
  authorities?: dnsPacket.Answer[];
  additionals?: dnsPacket.Answer[];
  flags?: number;
}): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: 4242,
    flags: (fields.flags ?? dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE) | rcodeBits(fields.rcode),
    questions: [{ name: fields.name, type: (fields.type ?? 'A') as 'A', class: 'IN' }],
    answers: fields.answers ?? [],
    authorities: fields.authorities ?? [],
    additionals: fields.additionals ?? [],
  });
}

function rcodeBits(rcode: string | undefined): number {
  return { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 }[rcode ?? 'NOERROR'] ?? 0;
}

/** An SOA record for negative answers. */
export function soa(zone: string, ttl: number, minimum: number): dnsPacket.Answer {
  return {
    type: 'SOA',
    name: zone,
    ttl,
    data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum },
  };
}
