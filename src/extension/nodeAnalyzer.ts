/** Desktop/remote hosts: runs a capture analysis in a worker thread (dist/worker.js). */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { analyzeBytes, type Analysis } from './analysis';
import type { Settings } from '../core/settings';
import type { Analyzer } from './host';

export function createWorkerAnalyzer(extensionPath: string): Analyzer {
  const script = path.join(extensionPath, 'dist', 'worker.js');
  return (bytes: Uint8Array, settings: Settings) =>
    new Promise<Analysis>((resolve, reject) => {
      let worker: Worker;
      try {
        worker = new Worker(script);
      } catch {
        // No worker available (unusual host): analyse in place rather than not at all.
        resolve(analyzeBytes(bytes, settings));
        return;
      }
      const finish = () => void worker.terminate();
      worker.once('message', (r: { ok: true; analysis: Analysis } | { ok: false; error: string }) => {
        finish();
        if (r.ok) resolve(r.analysis);
        else reject(new Error(r.error));
      });
      worker.once('error', (e) => {
        finish();
        reject(e);
      });
      worker.once('exit', (code) => reject(new Error(`analysis worker exited with code ${code}`)));
      // Transfer, do not copy: the host does not need the bytes afterwards.
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      worker.postMessage({ bytes: owned, settings }, [owned.buffer as ArrayBuffer]);
    });
}
