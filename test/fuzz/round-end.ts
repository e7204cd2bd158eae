import type { Campaign } from './campaign.js';
import type { FuzzServer } from './fuzz-server.js';
import { policyFailures } from './policy.js';

/** The checks every server round ends with: the policy holds, the process reported nothing, memory measured. */
export async function finish(campaign: Campaign, server: FuzzServer): Promise<void> {
  for (const failure of await policyFailures(server.dns)) campaign.fail('policy no longer holds', -1, failure);
  await campaign.end();
  const sample = await server.sample();
  campaign.count('block-log lines', sample.blockLines);
  for (const [line, n] of Object.entries(sample.logs)) campaign.count(`log ${line}`, n);
  for (const fault of server.faults) campaign.fail(fault.kind, -1, fault.detail);
}
