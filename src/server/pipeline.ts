import type { Next, Stage } from '../model/query.js';

/**
 * Chains stages so that each one's `next` is the rest of the chain. The
 * last stage must answer; falling off the end is a programming error.
 */
export function compose(stages: readonly Stage[]): Next {
  const end: Next = () => {
    throw new Error('the pipeline ended without an answer');
  };
  return stages.reduceRight<Next>((next, stage) => (query) => stage(query, next), end);
}
