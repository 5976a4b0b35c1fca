/**
 * The analysis worker protocol. When the worker fails before answering, the trace is analysed in
 * place when its bytes are still at hand, and the failure is reported (not an empty result) when
 * they were transferred to the worker. Captures come back in paced parts (`capture-part`, each
 * after the host's ack, then `analysis`) that add up to exactly what one pass of
 * analyzeBytes gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../../src/core/settings';
import { AnalysisBuilder, analyzeBytes, CapturedMessage, fromWireMessage, type Analysis, type CaptureEnd } from '../../../src/extension/analysis';
import { nodeWorkerSpawner } from '../../../src/extension/nodeAnalyzer';
import { createWorkerAnalyzers, serve, type WorkerHandle, type WorkerReply, type WorkerRequest } from '../../../src/extension/workerProtocol';
import { corpusRoot, repoRoot } from '../../helpers/paths';

/** A worker that takes the request (transferring its buffers, as postMessage does) and dies. */
function dyingWorker(): WorkerHandle {
  let fail: ((e: Error) => void) | undefined;
  return {
    post(req: WorkerRequest, transfer?: ArrayBuffer[]) {
      structuredClone(req, { transfer: transfer ?? [] });
      setTimeout(() => fail?.(new Error('worker exited')), 0);
    },
    onReply() {},
    onFailure(cb) {
      fail = cb;
    },
    terminate() {},
  };
}

const pcap = new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-missing-sip-im-tag.pcapng')));

test('worker dies before answering: a transferred capture is reported, not analysed as empty', async () => {
  const { analyzeCapture } = createWorkerAnalyzers(dyingWorker);
  const whole = pcap.slice();
  await assert.rejects(analyzeCapture(whole, {}), /analysis worker stopped before answering/);
});

test('worker dies before answering: a capture sent as a copy is analysed in place', async () => {
  const { analyzeCapture } = createWorkerAnalyzers(dyingWorker);
  const inner = new Uint8Array(pcap.length + 8);
  inner.set(pcap, 4);
  // A view into a larger buffer is copied for the worker, so the host still has it.
  const a = await analyzeCapture(inner.subarray(4, 4 + pcap.length), {});
  assert.ok(a.messages.length > 0);
  assert.ok(a.findings.some((f) => f.ruleId === 'OMA-IM-REG-001'));
});

// ---------------------------------------------------------------------------------------------
// Captures streamed in parts: the same Analysis as one pass of analyzeBytes
// ---------------------------------------------------------------------------------------------

/** Every capture fixture and sample. */
function captureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap)$/i.test(e.name)) out.push(p);
    }
  };
  walk(join(repoRoot, 'test', 'fixtures'));
  walk(join(repoRoot, 'samples'));
  return out.sort();
}

/**
 * A classic pcap holding `copies` copies of `pcap`'s records, each copy an hour after the one
 * before (distinct in time, the same messages): a capture large enough for many parts.
 */
function repeatedPcap(pcap: Uint8Array, copies: number): Uint8Array {
  const v = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const le = v.getUint32(0, true) === 0xa1b2c3d4;
  const records: Uint8Array[] = [];
  for (let o = 24; o + 16 <= pcap.length; ) {
    const len = v.getUint32(o + 8, le);
    records.push(pcap.subarray(o, o + 16 + len));
    o += 16 + len;
  }
  const body = records.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(24 + copies * body);
  out.set(pcap.subarray(0, 24));
  const d = new DataView(out.buffer);
  let o = 24;
  for (let c = 0; c < copies; c++) {
    for (const r of records) {
      out.set(r, o);
      d.setUint32(o, new DataView(r.buffer, r.byteOffset).getUint32(0, le) + c * 3600, le);
      o += r.length;
    }
  }
  return out;
}

/** An Analysis to compare: messages whose parse tree the host rebuilt compare as plain TraceMessages. */
const comparable = (a: Analysis) => ({ ...a, elapsedMs: 0, messages: a.messages.map((m) => (m instanceof CapturedMessage ? m.toJSON() : m)) });

/**
 * Streams a capture through `serve` as a worker would, checking the pacing: no part is posted
 * before the host acknowledged the previous one. Replies are structured-cloned, as postMessage does.
 */
async function streamedThroughServe(bytes: Uint8Array, settings: Settings = {}): Promise<{ analysis: Analysis; parts: number; maxMessagesPerPart: number }> {
  const builder = new AnalysisBuilder();
  let end: CaptureEnd | undefined;
  let parts = 0;
  let maxMessagesPerPart = 0;
  let unacked = false;
  let error: string | undefined;
  const post = (reply: WorkerReply) => {
    const r = structuredClone(reply);
    if (r.type === 'capture-part') {
      assert.equal(unacked, false, 'a part posted before the previous one was acknowledged');
      unacked = true;
      parts++;
      maxMessagesPerPart = Math.max(maxMessagesPerPart, r.messages.length);
      // Captured messages travel without their parse tree (the host rebuilds it from the text).
      for (const m of r.messages) if (m.frame !== undefined) assert.ok(!('sip' in m) && typeof (m as { sipText?: unknown }).sipText === 'string', 'a captured message in wire form');
      builder.add({ messages: r.messages.map((m) => fromWireMessage(m)), findings: r.findings, problems: r.problems, exchanges: r.exchanges });
      if (r.exchanges) assert.ok(r.exchanges.length <= 2000 && r.messages.length === 0, 'exchanges come after the messages, a few thousand per part');
    } else if (r.type === 'analysis') {
      assert.equal(unacked, false, 'the end posted before the last part was acknowledged');
      assert.deepStrictEqual(r.analysis.exchanges, [], 'the exchanges came in parts, not in one reply');
      end = r.analysis;
    } else if (r.type === 'error') error = r.error;
  };
  // The host acknowledges each part a task later (workerProtocol.ts run: setTimeout 0).
  const acked = () =>
    new Promise<void>((resolve) =>
      setTimeout(() => {
        unacked = false;
        resolve();
      }, 0),
    );
  await serve({ kind: 'capture', bytes, settings }, post, acked);
  assert.equal(error, undefined);
  assert.ok(end, '`analysis` posted');
  return { analysis: builder.finish(end), parts, maxMessagesPerPart };
}

test('every capture fixture streamed in parts gives the Analysis of analyzeBytes', async () => {
  const files = captureFiles();
  assert.ok(files.length >= 50, `${files.length} capture fixtures`);
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(f));
    const whole = analyzeBytes(bytes, {});
    const { analysis } = await streamedThroughServe(bytes.slice());
    assert.deepStrictEqual(comparable(analysis), comparable(whole), f);
  }
});

test('a capture of thousands of messages comes in paced parts of at most a few hundred messages, the same Analysis', async () => {
  const bytes = repeatedPcap(new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-compliant-registration.pcap'))), 400);
  const whole = analyzeBytes(bytes, {});
  assert.ok(whole.messages.length >= 2000, `${whole.messages.length} messages`);
  assert.ok(whole.findings.length > 0);
  const { analysis, parts, maxMessagesPerPart } = await streamedThroughServe(bytes.slice());
  assert.ok(parts >= 8, `${parts} parts`);
  assert.ok(maxMessagesPerPart <= 600, `${maxMessagesPerPart} messages in a part`);
  assert.deepStrictEqual(comparable(analysis), comparable(whole));
});

test('settings reach the streamed analysis (a rule switched off)', async () => {
  const bytes = new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-missing-sip-im-tag.pcapng')));
  const settings: Settings = { rules: { 'OMA-IM-REG-001': 'off' } };
  const { analysis } = await streamedThroughServe(bytes.slice(), settings);
  assert.deepStrictEqual(comparable(analysis), comparable(analyzeBytes(bytes, settings)));
  assert.ok(!analysis.findings.some((f) => f.ruleId === 'OMA-IM-REG-001'));
});

test('the public corpus\'s largest SIP capture streamed in parts gives the Analysis of analyzeBytes', async (t) => {
  const file = join(corpusRoot, 'pcap', 'gprshome-wireshark', 'sip.pcap');
  if (!existsSync(file)) {
    t.skip(`corpus absent: ${file}`);
    return;
  }
  const bytes = new Uint8Array(readFileSync(file));
  const whole = analyzeBytes(bytes, {});
  const { analysis, parts } = await streamedThroughServe(bytes.slice());
  assert.ok(parts >= 1);
  assert.deepStrictEqual(comparable(analysis), comparable(whole));
});

/**
 * A worker running `serve` in this thread: requests and replies are structured-cloned (buffers
 * transferred) and delivered a task later, acks wake the pending part, as worker.ts does.
 */
function inProcessWorker(log: { requests: WorkerRequest['kind'][]; replies: WorkerReply['type'][] }): WorkerHandle {
  let onReply: ((r: WorkerReply) => void) | undefined;
  let wake: (() => void) | undefined;
  let pendingAcks = 0;
  let terminated = false;
  const acked = () => {
    if (pendingAcks > 0) {
      pendingAcks--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => (wake = resolve));
  };
  return {
    post(req, transfer) {
      const msg = structuredClone(req, { transfer: transfer ?? [] });
      log.requests.push(msg.kind);
      setTimeout(() => {
        if (terminated) return;
        if (msg.kind === 'ack') {
          if (wake) {
            const w = wake;
            wake = undefined;
            w();
          } else pendingAcks++;
          return;
        }
        void serve(
          msg,
          (reply, replyTransfer) => {
            const r = structuredClone(reply, { transfer: replyTransfer ?? [] });
            log.replies.push(r.type);
            setTimeout(() => !terminated && onReply?.(r), 0);
          },
          acked,
        );
      }, 0);
    },
    onReply(cb) {
      onReply = cb;
    },
    onFailure() {},
    terminate() {
      terminated = true;
    },
  };
}

test('host side: streamCapture hands over every part and ends with the same Analysis; analyzeCapture too', async () => {
  const bytes = repeatedPcap(new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-compliant-registration.pcap'))), 200);
  const whole = analyzeBytes(bytes, {});
  const log = { requests: [] as WorkerRequest['kind'][], replies: [] as WorkerReply['type'][] };
  const { streamCapture, analyzeCapture } = createWorkerAnalyzers(() => inProcessWorker(log));
  const builder = new AnalysisBuilder();
  let parts = 0;
  const end = await streamCapture(bytes.slice(), {}, {
    onPart: (p) => {
      parts++;
      builder.add(p);
    },
  });
  assert.deepStrictEqual(comparable(builder.finish(end)), comparable(whole));
  assert.ok(parts >= 4, `${parts} parts`);
  // One ack per part but the last (the worker waits for it before its final reply).
  assert.equal(log.requests.filter((k) => k === 'ack').length, parts);
  assert.equal(log.replies.filter((k) => k === 'capture-part').length, parts);
  assert.equal(log.replies.at(-1), 'analysis');
  assert.deepStrictEqual(comparable(await analyzeCapture(bytes.slice(), {})), comparable(whole));
});

test('host side: with no worker the capture is streamed in place, the same Analysis', async () => {
  const bytes = repeatedPcap(new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-compliant-registration.pcap'))), 100);
  const { streamCapture } = createWorkerAnalyzers(() => undefined);
  const builder = new AnalysisBuilder();
  let parts = 0;
  const end = await streamCapture(bytes, {}, {
    onPart: (p) => {
      parts++;
      builder.add(p);
    },
  });
  assert.ok(parts >= 2, `${parts} parts`);
  assert.deepStrictEqual(comparable(builder.finish(end)), comparable(analyzeBytes(bytes, {})));
});

test('a worker that cannot read files answers capture-file with an error (the host then sends the bytes)', async () => {
  const replies: WorkerReply[] = [];
  await serve({ kind: 'capture-file', path: '/nowhere.pcap', settings: {} }, (r) => replies.push(r), () => Promise.resolve());
  assert.equal(replies.length, 1);
  assert.equal(replies[0].type, 'error');
});

// ---------------------------------------------------------------------------------------------
// The Node worker (worker.ts) reading a capture file itself
// ---------------------------------------------------------------------------------------------

/** The worker's tsc output (what dist/worker.js bundles). */
const nodeWorkerScript = join(repoRoot, 'out', 'src', 'extension', 'worker.js');

function openDescriptors(): number | undefined {
  return process.platform === 'linux' ? readdirSync('/proc/self/fd').length : undefined;
}

function tempCapture(bytes: Uint8Array): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sip-worker-test-'));
  const path = join(dir, 'capture.pcap');
  writeFileSync(path, bytes);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a Node worker reads a capture file a chunk at a time: the same Analysis as analyzeBytes, no descriptor left open', async () => {
  const bytes = repeatedPcap(new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-compliant-registration.pcap'))), 400);
  const file = tempCapture(bytes);
  const before = openDescriptors();
  try {
    const handle = nodeWorkerSpawner(repoRoot, nodeWorkerScript)();
    assert.ok(handle);
    const builder = new AnalysisBuilder();
    const progress: number[] = [];
    const analysis = await new Promise<Analysis>((resolve, reject) => {
      handle.onFailure(reject);
      handle.onReply((r) => {
        if (r.type === 'capture-part') {
          builder.add({ messages: r.messages.map((m) => fromWireMessage(m)), findings: r.findings, problems: r.problems, exchanges: r.exchanges });
          handle.post({ kind: 'ack' });
        } else if (r.type === 'progress') progress.push(r.done, r.total);
        else if (r.type === 'analysis') resolve(builder.finish(r.analysis));
        else if (r.type === 'error') reject(new Error(r.error));
      });
      handle.post({ kind: 'capture-file', path: file.path, settings: {} });
    });
    handle.terminate();
    assert.deepStrictEqual(comparable(analysis), comparable(analyzeBytes(bytes, {})));
    assert.equal(progress[progress.length - 2], bytes.length, 'progress ends at the whole file');
    assert.equal(progress[progress.length - 1], bytes.length);
    if (before !== undefined) await until('the worker released its descriptors', () => openDescriptors() === before);
  } finally {
    file.remove();
  }
});

test('a Node worker terminated mid-read (a cancel) leaves no descriptor open (Node closes what a terminated worker opened)', async (t) => {
  if (process.platform !== 'linux') {
    t.skip('counts descriptors in /proc/self/fd (Linux only)');
    return;
  }
  const bytes = repeatedPcap(new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-compliant-registration.pcap'))), 400);
  const file = tempCapture(bytes);
  const before = openDescriptors() as number;
  try {
    const handle = nodeWorkerSpawner(repoRoot, nodeWorkerScript)();
    assert.ok(handle);
    // The first part is never acknowledged: the worker waits, holding the capture file (and its
    // packed-records file) open.
    await new Promise<void>((resolve, reject) => {
      handle.onFailure(reject);
      handle.onReply((r) => {
        if (r.type === 'capture-part') resolve();
        else if (r.type === 'error') reject(new Error(r.error));
      });
      handle.post({ kind: 'capture-file', path: file.path, settings: {} });
    });
    const held = openDescriptors() as number;
    assert.ok(held >= before + 2, `descriptors while reading: ${held}, before: ${before}`);
    handle.terminate();
    await until('the terminated worker\'s descriptors closed', () => openDescriptors() === before);
  } finally {
    file.remove();
  }
});
