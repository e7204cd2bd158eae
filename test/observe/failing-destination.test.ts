import { EventEmitter } from 'node:events';
import t from 'tap';
import { watchFailures } from '../../src/observe/failing-destination.js';

t.test('a failing destination is reported once when it starts failing and once when it writes again; its flushSync does nothing meanwhile', async (t) => {
  let flushedSync = 0;
  const destination = Object.assign(new EventEmitter(), { flushSync: () => void flushedSync++ });
  const reports: Array<string | null> = [];
  watchFailures(destination as never, (failing) => reports.push(failing));
  destination.emit('write', 100);
  t.same(reports, [], 'a write while it works: nothing to say');
  destination.emit('error', new Error('ENOSPC: no space left on device, write'));
  destination.emit('error', new Error('ENOSPC: no space left on device, write'));
  t.same(reports, ['ENOSPC: no space left on device, write'], 'once while it fails');
  destination.flushSync();
  t.equal(flushedSync, 0, 'flushSync (at exit) does not retry a failing write for ever');
  destination.emit('write', 4096);
  t.same(reports, ['ENOSPC: no space left on device, write', null], 'and once when it writes again');
  destination.flushSync();
  t.equal(flushedSync, 1, 'its own flushSync back');
});
