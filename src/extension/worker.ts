/**
 * Worker-thread entry (bundled to dist/worker.js): analyses a capture off the extension host's
 * main thread, so a large capture never freezes other extensions. One request per worker: the
 * host transfers the bytes in, gets the Analysis back (structured clone) and terminates us.
 */
import { parentPort } from 'worker_threads';
import { analyzeBytes } from './analysis';
import type { Settings } from '../core/settings';

export interface WorkerRequest {
  bytes: Uint8Array;
  settings: Settings;
}

parentPort?.once('message', (req: WorkerRequest) => {
  try {
    parentPort?.postMessage({ ok: true, analysis: analyzeBytes(req.bytes, req.settings) });
  } catch (e) {
    // The core reports problems instead of throwing; this is a bug, passed on for the log.
    parentPort?.postMessage({ ok: false, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
