import { EdeCode } from '../../dns/ede.js';
import { emptyReply } from '../../dns/replies.js';
import { Rcode, RRType } from '../../dns/types.js';
import type { Answer, Query, Stage } from '../../model/query.js';

const CLASS_IN = 1;

/**
 * Questions a filtering forwarder does not pass on: zone transfers (AXFR,
 * IXFR: a whole zone, unfiltered, from whatever the upstream serves), the rest
 * of the meta range (RFC 6895 section 3.1: TKEY, TSIG, MAILA, MAILB and the
 * unassigned 128-248), OPT as a question (RFC 6891 section 6.1.1), and any
 * class but IN, which policy zones do not speak for. ANY stays: policy covers it.
 */
function outOfScope(query: Query): string | null {
  const { type, class: klass } = query.question;
  if (klass !== CLASS_IN) return `class ${klass}: only class IN is answered`;
  if (type === 251 || type === 252) return 'zone transfers are not served';
  if (type === RRType.OPT || (type >= 128 && type < RRType.ANY)) return `query type ${type} is not served`;
  return null;
}

/** Refuses what outOfScope names (REFUSED with EDE 21 Not Supported, RFC 8914 section 4.22); everything else goes on. */
export function scopeStage(): Stage {
  return (query, next) => {
    const reason = outOfScope(query);
    if (reason === null) return next(query);
    const refused: Answer = { message: emptyReply(query.raw, Rcode.REFUSED, query.questionEnd), source: 'local', rcode: Rcode.REFUSED, ede: { code: EdeCode.NOT_SUPPORTED, text: reason } };
    return refused;
  };
}
