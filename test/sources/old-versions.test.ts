import { runInNewContext } from 'node:vm';
import t from 'tap';
import { majorCollection, OldVersions } from '../../src/sources/old-versions.js';

/**
 * A replaced zone version must be freed even on a quiet server: V8 does not
 * count the SharedArrayBuffers its indexes live in, so it has no reason of its
 * own to collect it. OldVersions asks for a collection once the grace period
 * has passed and the version is still alive.
 */

// OldVersions' timers do not keep a process alive (the server's sockets do); here this does.
const alive = setInterval(() => {}, 60_000);
t.teardown(() => clearInterval(alive));
/** What the tests hold on purpose until the file ends (a version in use, a registry that must call back). */
const kept: object[] = [];

t.test('a replaced version nothing holds is collected once the grace period has passed', async (t) => {
  const collect = majorCollection();
  let asked = 0;
  const versions = new OldVersions(10, () => {
    asked++;
    return collect();
  });
  t.teardown(() => versions.close());
  let freed: (held: string) => void;
  const collected = new Promise<string>((resolve) => (freed = resolve));
  // Held until the end of the test: a registry that is itself collected calls nobody.
  const registry = new FinalizationRegistry<string>((held) => freed(held));
  kept.push(registry);
  let version: object | null = { indexes: new Int32Array(new SharedArrayBuffer(1 << 20)) };
  registry.register(version, 'the old version');
  // Two young collections move it to the old generation, as a zone in force for a while is: only a major collection frees it.
  const gc = runInNewContext('gc') as (options: { type: 'minor' }) => void;
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  versions.replaced(version);
  version = null;
  t.equal(await collected, 'the old version');
  t.ok(asked >= 1, `a collection was asked for (${asked})`);
});

t.test('a version still held (a query in flight) is tried again, three times in all', async (t) => {
  const held = { indexes: new Int32Array(4) };
  kept.push(held);
  let asked = 0;
  let third: () => void;
  const thrice = new Promise<void>((resolve) => (third = resolve));
  const versions = new OldVersions(1, async () => {
    if (++asked === 3) third();
  });
  t.teardown(() => versions.close());
  versions.replaced(held);
  await thrice;
  t.equal(asked, 3);
});

t.test('a version replaced while an older one is still alive asks at once, without waiting for the grace period', async (t) => {
  let asked = 0;
  const versions = new OldVersions(3_600_000, async () => {
    asked++;
  });
  t.teardown(() => versions.close());
  const first = { serial: 1 };
  const second = { serial: 2 };
  kept.push(first, second);
  versions.replaced(first);
  t.equal(asked, 0, 'one old version waits for the grace period');
  versions.replaced(second);
  t.equal(asked, 1, 'two: a collection is asked for at once');
});
