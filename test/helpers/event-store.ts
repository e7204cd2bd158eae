import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { StoredEvent } from '../../src/store/event-store.js';
import { SqliteEventStore, type SqliteStoreOptions } from '../../src/store/sqlite-event-store.js';

/** An event as the block log hands it to the store, with `fields` in place of the defaults. */
export function storedEvent(fields: Partial<Omit<StoredEvent, 'id'>> = {}): Omit<StoredEvent, 'id'> {
  return {
    time: Date.UTC(2026, 0, 12, 9, 30),
    msg: 'blocked',
    ref: '16RE6BQR',
    client: '192.0.2.10',
    qname: 'games.example',
    qtype: 'A',
    zone: 'school.rpz',
    list: 'School policy',
    rule: 'games.example.school.rpz',
    trigger: 'qname',
    action: 'nxdomain',
    group: 'default',
    ede: 15,
    transport: 'udp',
    listener: '127.0.0.1:53',
    ...fields,
  };
}

/** A directory of the test's own, removed at its end. */
export function testDir(t: Test, prefix = 'stopzone-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An SQLite store on a real file in a fresh directory, open (awaited), closed at the test's end.
 * No retention runs unless the test calls retain(); no batch is sent by time unless the test says so.
 */
export async function openTestStore(t: Test, options: Partial<SqliteStoreOptions> = {}): Promise<SqliteEventStore> {
  const dir = mkdtempSync(join(tmpdir(), 'stopzone-store-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), retentionDays: 90, queueLimit: 10_000, retentionEveryMs: 0, searchBudgetMs: Infinity, flushMs: 3_600_000, ...options });
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.ready;
  return store;
}
