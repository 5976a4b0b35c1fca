/**
 * Records by message index in a temporary file (src/node/indexedRecordFile.ts; `check` keeps a
 * log's line maps there): every record reads back exactly, from the write buffer or from the
 * file, replaced ones give their latest bytes, and a failing write (a full disk) keeps the rest
 * in memory without losing one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IndexedRecordFile } from '../../../src/node/indexedRecordFile';

/** Record `i`, `len` bytes long, recognisable. */
function rec(i: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let k = 0; k < len; k++) out[k] = (i * 31 + k) & 0xff;
  return out;
}

function lengthOf(i: number): number {
  // Mostly small (a line map of a few lines), now and then larger than the 256 KiB buffer.
  return i % 997 === 0 ? 300 * 1024 : 12 * (1 + (i % 40));
}

function check(store: IndexedRecordFile, n: number, skip: (i: number) => boolean, replaced: Set<number>): void {
  for (let i = 0; i < n; i++) {
    const got = store.get(i);
    if (skip(i) && !replaced.has(i)) assert.equal(got, undefined, `index ${i} was never set`);
    else assert.deepEqual(got, rec(replaced.has(i) ? i + 1 : i, replaced.has(i) ? 36 : lengthOf(i)), `index ${i}`);
  }
}

test('indexed record file: 20 000 records read back from the buffer and the file, replacements included', () => {
  const store = new IndexedRecordFile('test.bin');
  try {
    assert.equal(store.fallback, undefined);
    const n = 20000;
    const skip = (i: number): boolean => i % 7 === 3;
    const replaced = new Set<number>();
    for (let i = 0; i < n; i++) {
      if (skip(i)) continue;
      store.set(i, rec(i, lengthOf(i)));
      // The record just written reads back from the buffer.
      assert.deepEqual(store.get(i), rec(i, lengthOf(i)));
      if (i % 1000 === 500) {
        store.set(i - 100, rec(i - 99, 36));
        replaced.add(i - 100);
      }
    }
    check(store, n, skip, replaced);
    assert.ok(store.stats.fileReads > 10000, `file reads ${store.stats.fileReads}`);
    assert.ok(store.stats.bufferReads > 0);
    assert.equal(store.get(-1), undefined);
    assert.equal(store.get(n + 10), undefined);
  } finally {
    store.close();
  }
  assert.equal(store.get(0), undefined, 'nothing reads after close');
});

test('indexed record file: a write that fails (a full disk) keeps the buffered and later records in memory', () => {
  const store = new IndexedRecordFile('test.bin');
  const internal = store as unknown as { writeAt: (bytes: Uint8Array, position: number) => boolean };
  const writeAt = internal.writeAt.bind(store);
  let writes = 0;
  internal.writeAt = (bytes, position) => {
    if (++writes > 3) {
      (store as unknown as { failure: string }).failure = 'ENOSPC: no space left on device, write';
      return false;
    }
    return writeAt(bytes, position);
  };
  try {
    const n = 8000;
    for (let i = 0; i < n; i++) store.set(i, rec(i, lengthOf(i)));
    assert.match(store.fallback ?? '', /ENOSPC/);
    check(store, n, () => false, new Set());
    assert.ok(store.stats.fileReads > 0, 'the records written before the failure are still read from the file');
  } finally {
    store.close();
  }
});
