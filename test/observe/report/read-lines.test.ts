import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { MAX_LINE, readLines, type LineSource } from '../../../src/observe/report/read-lines.js';

const source = (chunks: Array<Buffer | string>): LineSource => ({ name: 'test', open: () => Readable.from(chunks) });
const lines = async (chunks: Array<Buffer | string>): Promise<string[]> => {
  const out: string[] = [];
  await readLines(source(chunks), (line) => out.push(line));
  return out;
};

t.test('lines across chunks, a last line without newline, empty lines kept', async (t) => {
  t.same(await lines(['a\nb', 'c\n\nd', '\ne']), ['a', 'bc', '', 'd', 'e']);
  t.same(await lines([]), []);
  t.same(await lines(['x\n']), ['x']);
});

t.test('a UTF-8 character split between chunks', async (t) => {
  const bytes = Buffer.from('bücher.example\n');
  t.same(await lines([bytes.subarray(0, 2), bytes.subarray(2)]), ['bücher.example']);
});

t.test('gzip by magic bytes, even split after one byte; concatenated members', async (t) => {
  const gz = Buffer.concat([gzipSync('one\ntwo\n'), gzipSync('three\n')]);
  t.same(await lines([gz.subarray(0, 1), gz.subarray(1)]), ['one', 'two', 'three']);
  let bytes = 0;
  await readLines(source([gz]), () => undefined, (n) => (bytes += n));
  t.equal(bytes, gz.length, 'bytes counted as read, compressed');
});

t.test('an overlong line is cut: one line, and the next line is whole', async (t) => {
  const long = 'x'.repeat(MAX_LINE + 10);
  t.same(await lines([`a\n${long.slice(0, 1000)}`, long, 'y\nb\n']), ['a', '', 'b']);
});
