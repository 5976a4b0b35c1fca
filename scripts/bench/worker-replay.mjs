#!/usr/bin/env node
// The extension's analysis worker on a capture file, outside VS Code: how long it takes and how
// much memory the process needs (worker included), the way the editor asks for it
// (`capture-file`: the worker reads the file itself) or the way it did before 2026-11-25 (the
// whole file read first, then analysed: `--whole`). The host side only acknowledges the parts
// (it keeps nothing), so the figure is the worker's.
//
//   npx tsc -p . && node scripts/bench/worker-replay.mjs bench-data/capture-200m.pcapng [--whole]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

if (isMainThread) {
  const file = process.argv[2];
  const whole = process.argv.includes('--whole');
  if (!file) {
    console.error('usage: node scripts/bench/worker-replay.mjs CAPTURE [--whole]');
    process.exit(2);
  }
  const worker = whole ? new Worker(fileURLToPath(import.meta.url), { workerData: { file } }) : new Worker(join(ROOT, 'out', 'src', 'extension', 'worker.js'));
  const t0 = Date.now();
  let parts = 0;
  let findings = 0;
  let messages = 0;
  worker.on('message', (r) => {
    if (r.type === 'capture-part') {
      parts++;
      findings += r.findings.length;
      messages += r.messages.length;
      worker.postMessage({ kind: 'ack' });
    } else if (r.type === 'analysis') {
      const rss = process.resourceUsage().maxRSS / 1024;
      console.log(`${whole ? 'whole file first' : 'capture-file (chunks)'}: ${Date.now() - t0} ms, ${messages} messages, ${findings} findings in ${parts} parts, peak RSS ${rss.toFixed(0)} MB`);
      void worker.terminate();
    } else if (r.type === 'error') {
      console.error(`worker: ${r.error}`);
      process.exitCode = 1;
      void worker.terminate();
    }
  });
  worker.postMessage(whole ? { kind: 'go' } : { kind: 'capture-file', path: resolve(file), settings: {} });
} else {
  // The old way: the whole file in memory, then `serve` (what worker.ts did before).
  const { serve } = require(join(ROOT, 'out', 'src', 'extension', 'workerProtocol.js'));
  let wake;
  let pending = 0;
  const acked = () => (pending > 0 ? (pending--, Promise.resolve()) : new Promise((r) => (wake = r)));
  parentPort.on('message', (m) => {
    if (m.kind === 'ack') {
      if (wake) {
        const w = wake;
        wake = undefined;
        w();
      } else pending++;
      return;
    }
    const bytes = new Uint8Array(readFileSync(workerData.file));
    void serve({ kind: 'capture', bytes, settings: {} }, (r, t) => parentPort.postMessage(r, t ?? []), acked);
  });
}
