/**
 * Entry point in the web extension host (vscode.dev, github.dev): the same features as on the
 * desktop; traces are read through workspace.fs and analysed in a Web Worker when the host
 * offers one, else in place.
 */
import * as vscode from 'vscode';
import { activateHost, type ExtensionApi } from './host';
import * as templates from './templates/index';
import { createWorkerAnalyzers, type SpawnWorker, type WorkerHandle, type WorkerReply, type WorkerRequest } from './workerProtocol';
// Type only: importing webWorker.ts itself would run the worker's code in the extension host.
import type { WebWorkerReply } from './webWorker';

interface WebWorker {
  onmessage: ((e: { data: WebWorkerReply }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  postMessage(message: WorkerRequest, transfer?: unknown[]): void;
  terminate(): void;
}
/** How long a started worker may take to say it runs before the analysis is done in place. */
const WORKER_START_MS = 10000;

type WorkerCtor = new (url: string, options?: { name?: string }) => WebWorker;

/**
 * Where the worker script can be loaded from. The web extension host refuses `new Worker()` on a
 * vscode-remote: URI ("Creating workers from remote extensions is currently not supported"): an
 * extension installed on a remote server (code-server, Codespaces) then gets its script through
 * workspace.fs and starts the worker from a blob: URL. Other locations (https: on vscode.dev)
 * are loadable as they are.
 */
async function workerScriptUrl(script: vscode.Uri, blobs: string[]): Promise<string> {
  if (script.scheme === 'http' || script.scheme === 'https' || vscode.workspace.fs.isWritableFileSystem(script.scheme) === undefined) {
    return script.toString(true);
  }
  const code = await vscode.workspace.fs.readFile(script);
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  blobs.push(url);
  return url;
}

function webWorkerSpawner(extensionUri: vscode.Uri, blobs: string[]): SpawnWorker {
  const script = vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'worker.js');
  let scriptUrl: Promise<string> | undefined;
  return () => {
    const Ctor = (globalThis as unknown as { Worker?: WorkerCtor }).Worker;
    if (!Ctor) return undefined;
    const url = (scriptUrl ??= workerScriptUrl(script, blobs));
    url.catch(() => (scriptUrl = undefined)); // try again next time
    // The request (whose buffers are transferred, not copied) is held back until the worker said
    // it runs: a worker that fails to start must leave the bytes to the in-place fallback.
    let worker: WebWorker | undefined;
    let ready = false;
    let ended = false;
    const queued: [WorkerRequest, ArrayBuffer[] | undefined][] = [];
    let onReply: (r: WorkerReply) => void = () => undefined;
    let onFailure: (e: Error) => void = () => undefined;
    const fail = (e: Error) => {
      if (!ended) onFailure(e);
    };
    url.then(
      (u) => {
        if (ended) return;
        try {
          worker = new Ctor(u, { name: 'sip-trace-inspector-analysis' });
        } catch (e) {
          fail(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        // A script that never runs (blocked, or not loaded at all) must not hold the check forever.
        const startTimer = setTimeout(() => {
          if (ready || ended) return;
          worker?.terminate();
          fail(new Error('analysis worker did not start'));
        }, WORKER_START_MS);
        worker.onerror = () => {
          clearTimeout(startTimer);
          fail(new Error('analysis worker failed'));
        };
        worker.onmessage = (e) => {
          if (e.data.type !== 'worker-ready') {
            onReply(e.data);
            return;
          }
          clearTimeout(startTimer);
          ready = true;
          for (const [req, transfer] of queued.splice(0)) worker!.postMessage(req, transfer ?? []);
        };
      },
      (e) => fail(e instanceof Error ? e : new Error(String(e))),
    );
    const handle: WorkerHandle = {
      post: (req, transfer) => {
        if (worker && ready) worker.postMessage(req, transfer ?? []);
        else queued.push([req, transfer]);
      },
      onReply: (cb) => (onReply = cb),
      onFailure: (cb) => (onFailure = cb),
      terminate: () => {
        ended = true;
        worker?.terminate();
      },
    };
    return handle;
  };
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const blobs: string[] = [];
  context.subscriptions.push({ dispose: () => blobs.splice(0).forEach((u) => URL.revokeObjectURL(u)) });
  const { analyzeCapture, streamCapture, checkLog } = createWorkerAnalyzers(webWorkerSpawner(context.extensionUri, blobs));
  // No checkLogFile or streamCaptureFile: a Web Worker cannot read the workspace's files.
  return activateHost(context, { analyzeCapture, streamCapture, checkLog }, templates);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
