/**
 * Packed AOR records in a temporary file (src/cli/packedRecordFile.ts): the same semantics as the
 * in-memory store (a Map of byte arrays), compaction that keeps every live record, nothing left
 * behind, and the checker's findings unchanged when its records live in the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readTraceBytes } from '../../../src/core/trace';
import { RegisterChecker } from '../../../src/core/register/checker';
import { MemoryRecords, type PackedRecordStore } from '../../../src/core/register/cold';
import { resolveSettings } from '../../../src/core/settings';
import type { Finding } from '../../../src/core/types';
import { PackedRecordFile } from '../../../src/node/packedRecordFile';
import { fixturesRoot, listFiles } from '../../helpers/paths';

/** A small deterministic PRNG (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function dump(s: PackedRecordStore): [string, number[]][] {
  return [...s.entries()].map(([k, v]) => [k, [...v]]);
}

test('the record file behaves as a Map of byte arrays under 20 000 random operations, across compactions', () => {
  const rand = rng(7);
  const file = new PackedRecordFile(2048);
  const mem = new MemoryRecords();
  try {
    for (let i = 0; i < 20000; i++) {
      const name = `sip:u${Math.floor(rand() * 300)}@example.com`;
      const op = rand();
      if (op < 0.45) {
        const len = Math.floor(rand() * 400);
        const rec = new Uint8Array(len);
        for (let k = 0; k < len; k++) rec[k] = Math.floor(rand() * 256);
        file.set(name, rec);
        mem.set(name, rec);
      } else if (op < 0.7) {
        assert.equal(file.delete(name), mem.delete(name));
      } else if (op < 0.99) {
        assert.equal(file.has(name), mem.has(name));
        const a = file.get(name);
        const b = mem.get(name);
        assert.deepEqual(a && [...a], b && [...b], `get ${name} at op ${i}`);
      } else {
        assert.deepEqual(dump(file), dump(mem), `entries at op ${i}`);
      }
      assert.equal(file.size, mem.size);
    }
    assert.deepEqual(dump(file), dump(mem));
    assert.ok(file.stats.compactions > 10, `compactions: ${file.stats.compactions}`);
    // Dead bytes never outnumber the live ones by more than the threshold and one record.
    const live = [...mem.values()].reduce((n, r) => n + r.length, 0);
    assert.ok(file.fileBytes <= Math.max(2 * live, live + 2048) + 400, `file ${file.fileBytes} B for ${live} live B`);
  } finally {
    file.close();
  }
  assert.equal(file.size, 0);
});

test('the record file leaves nothing in the temporary folder, closed or not yet', () => {
  // Its own folder, not a listing of the temporary folder: other test files running at the same
  // time make (and remove) folders of the same prefix.
  const file = new PackedRecordFile();
  const folder = file.folder;
  assert.ok(folder.startsWith(tmpdir()), folder);
  file.set('a', new Uint8Array([48, 1, 2, 3]));
  if (process.platform !== 'win32') assert.equal(existsSync(folder), false, 'unlinked as soon as it is open');
  assert.deepEqual([...(file.get('a') ?? [])], [48, 1, 2, 3]);
  file.close();
  file.close();
  assert.equal(existsSync(folder), false);
});

test('every fixture trace: the same batches and results with the packed records in a file as in memory', () => {
  const traces = listFiles(fixturesRoot, (n) => /\.(pcap|pcapng|cap|log|sip|txt)$/.test(n));
  assert.ok(traces.length > 40, `fixtures found: ${traces.length}`);
  let written = 0;
  let read = 0;
  for (const file of traces) {
    const { messages } = readTraceBytes(new Uint8Array(readFileSync(file)));
    const runs = [undefined, new PackedRecordFile(256)].map((records) => {
      const batches: Finding[][] = [];
      const c = new RegisterChecker(resolveSettings({}), undefined, { findings: (b) => batches.push(b), exchanges: true, packAfterSeconds: 0, packedRecords: records });
      for (const m of messages) c.add(m);
      const result = c.end();
      const packing = c.packing;
      if (records) {
        written += records.stats.writes;
        read += records.stats.reads;
        records.close();
      }
      return { batches, result, packing };
    });
    assert.deepEqual(runs[1], runs[0], file);
  }
  // Packing after 0 s packs and unpacks on most fixtures: the file is really used.
  assert.ok(written > 20 && read > 10, `records written ${written}, read ${read}`);
});

/** Makes the store's writes fail (as on a full disk) after `ok` successful ones. */
function failWritesAfter(store: PackedRecordFile, ok: number): void {
  const internal = store as unknown as { write: (bytes: Uint8Array, position: number) => void };
  const write = internal.write.bind(store);
  let n = 0;
  internal.write = (bytes, position) => {
    if (++n > ok) throw new Error('ENOSPC: no space left on device, write');
    write(bytes, position);
  };
}

test('a write that fails (a full disk): later records stay in memory, still a Map of byte arrays', () => {
  for (const ok of [0, 5, 200]) {
    const rand = rng(11 + ok);
    const file = new PackedRecordFile(2048);
    failWritesAfter(file, ok);
    const mem = new MemoryRecords();
    try {
      for (let i = 0; i < 5000; i++) {
        const name = `sip:u${Math.floor(rand() * 100)}@example.com`;
        const op = rand();
        if (op < 0.5) {
          const rec = new Uint8Array(1 + Math.floor(rand() * 300)).map(() => Math.floor(rand() * 256));
          file.set(name, rec);
          mem.set(name, rec);
        } else if (op < 0.75) {
          assert.equal(file.delete(name), mem.delete(name));
        } else {
          const a = file.get(name);
          const b = mem.get(name);
          assert.deepEqual(a && [...a], b && [...b], `get ${name} at op ${i}`);
        }
        assert.equal(file.size, mem.size);
      }
      assert.deepEqual(dump(file), dump(mem));
      assert.match(file.fallback ?? '', /ENOSPC/);
    } finally {
      file.close();
    }
  }
});

test('every fixture trace: the same results when the record file fails after a few writes', () => {
  const traces = listFiles(fixturesRoot, (n) => /\.(pcap|pcapng|cap|log|sip|txt)$/.test(n));
  let fellBack = 0;
  for (const file of traces) {
    const { messages } = readTraceBytes(new Uint8Array(readFileSync(file)));
    const runs = [undefined, new PackedRecordFile(256)].map((records) => {
      if (records) failWritesAfter(records, 2);
      const batches: Finding[][] = [];
      const c = new RegisterChecker(resolveSettings({}), undefined, { findings: (b) => batches.push(b), exchanges: true, packAfterSeconds: 0, packedRecords: records });
      for (const m of messages) c.add(m);
      const result = c.end();
      if (records?.fallback) fellBack++;
      records?.close();
      return { batches, result };
    });
    assert.deepEqual(runs[1], runs[0], file);
  }
  assert.ok(fellBack > 5, `fixtures where the file failed: ${fellBack}`);
});
