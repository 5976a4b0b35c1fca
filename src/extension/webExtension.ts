/**
 * Entry point in the web extension host (vscode.dev, github.dev): the same features as on the
 * desktop; traces are read through workspace.fs and analysed in a Web Worker when the host
 * offers one, else in place.
 */
import * as vscode from 'vscode';
import { activateHost, type ExtensionApi } from './host';
import * as templates from './templates/index';
import { createWorkerAnalyzers, type SpawnWorker, type WorkerReply, type WorkerRequest } from './workerProtocol';

interface WebWorker {
  onmessage: ((e: { data: WorkerReply }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  postMessage(message: WorkerRequest, transfer?: unknown[]): void;
  terminate(): void;
}
type WorkerCtor = new (url: string) => WebWorker;

function webWorkerSpawner(extensionUri: vscode.Uri): SpawnWorker {
  const Ctor = (globalThis as unknown as { Worker?: WorkerCtor }).Worker;
  const script = vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'worker.js').toString(true);
  return () => {
    if (!Ctor) return undefined;
    const worker = new Ctor(script);
    return {
      post: (req, transfer) => worker.postMessage(req, transfer ?? []),
      onReply: (cb) => {
        worker.onmessage = (e) => cb(e.data);
      },
      onFailure: (cb) => {
        worker.onerror = () => cb(new Error('analysis worker failed'));
      },
      terminate: () => worker.terminate(),
    };
  };
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const { analyzeCapture, checkLog } = createWorkerAnalyzers(webWorkerSpawner(context.extensionUri));
  // No checkLogFile: a Web Worker cannot read the workspace's files.
  return activateHost(context, { analyzeCapture, checkLog }, templates);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
