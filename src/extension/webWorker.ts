/**
 * Web Worker entry (bundled to dist/web/worker.js): the browser twin of worker.ts, so a trace
 * opened on vscode.dev is analysed off the web extension host's thread.
 */
import { serve, type WorkerReply, type WorkerRequest } from './workerProtocol';

/**
 * First message of the worker, before any request: it runs. Only the web host's spawner sees it
 * (webExtension.ts); it sends the request, whose buffers it transfers, only then.
 */
export type WebWorkerReply = WorkerReply | { type: 'worker-ready' };

interface WorkerScope {
  onmessage: ((e: { data: WorkerRequest }) => void) | null;
  postMessage(message: WebWorkerReply, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let request: WorkerRequest | undefined;
let wake: (() => void) | undefined;
let pendingAcks = 0;

function acked(): Promise<void> {
  if (pendingAcks > 0) {
    pendingAcks--;
    return Promise.resolve();
  }
  return new Promise((resolve) => (wake = resolve));
}

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.kind === 'ack') {
    if (wake) {
      const w = wake;
      wake = undefined;
      w();
    } else pendingAcks++;
    return;
  }
  if (request) return; // one request per worker
  request = msg;
  void serve(msg, (reply, transfer) => scope.postMessage(reply, transfer ?? []), acked);
};
scope.postMessage({ type: 'worker-ready' });
