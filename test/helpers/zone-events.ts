import type { ZoneStatus } from '../../src/model/zone-status.js';
import type { TestServer } from './stopzone.js';

/**
 * Resolves with the first zone status, from now on, that satisfies `wanted`
 * (or the current status of zone `index` when it already does, for events
 * that may have happened before the call). Rejects after `withinMs`: a bound
 * on the test, not a sleep.
 */
export function zoneStatusWhere(server: TestServer, wanted: (status: ZoneStatus) => boolean, withinMs: number, options: { index?: number; now?: boolean } = {}): Promise<ZoneStatus> {
  const current = server.server.zones.status()[options.index ?? 0];
  if (options.now === true && current !== undefined && wanted(current)) return Promise.resolve(current);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      server.server.zones.off('reload', onReload);
      reject(new Error(`no matching zone status within ${withinMs} ms; status: ${JSON.stringify(server.server.zones.status())}`));
    }, withinMs);
    const onReload = (status: ZoneStatus): void => {
      if (!wanted(status)) return;
      clearTimeout(timer);
      server.server.zones.off('reload', onReload);
      resolve(status);
    };
    server.server.zones.on('reload', onReload);
  });
}
