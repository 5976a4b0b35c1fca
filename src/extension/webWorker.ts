/**
 * Web Worker entry (bundled to dist/web/worker.js): the browser twin of worker.ts, so a capture
 * opened on vscode.dev is analysed off the web extension host's thread.
 */
import { analyzeBytes } from './analysis';
import type { Settings } from '../core/settings';

interface WorkerScope {
  onmessage: ((e: { data: { bytes: Uint8Array; settings: Settings } }) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (e) => {
  try {
    scope.postMessage({ ok: true, analysis: analyzeBytes(e.data.bytes, e.data.settings) });
  } catch (err) {
    scope.postMessage({ ok: false, error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) });
  }
};
