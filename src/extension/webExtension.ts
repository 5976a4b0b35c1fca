/**
 * Entry point in the web extension host (vscode.dev, github.dev): the same features as on the
 * desktop; captures are read through workspace.fs and analysed in a Web Worker when the host
 * offers one, else in place.
 */
import * as vscode from 'vscode';
import { analyzeBytes, type Analysis } from './analysis';
import { activateHost, type Analyzer } from './host';
import type { Settings } from '../core/settings';

interface WebWorker {
  onmessage: ((e: { data: { ok: true; analysis: Analysis } | { ok: false; error: string } }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  postMessage(message: unknown, transfer?: unknown[]): void;
  terminate(): void;
}
type WorkerCtor = new (url: string) => WebWorker;

function createWebAnalyzer(extensionUri: vscode.Uri): Analyzer {
  const Ctor = (globalThis as unknown as { Worker?: WorkerCtor }).Worker;
  const script = vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'worker.js').toString(true);
  return (bytes: Uint8Array, settings: Settings) =>
    new Promise<Analysis>((resolve, reject) => {
      let worker: WebWorker;
      try {
        if (!Ctor) throw new Error('no Worker');
        worker = new Ctor(script);
      } catch {
        resolve(analyzeBytes(bytes, settings));
        return;
      }
      worker.onmessage = (e) => {
        worker.terminate();
        if (e.data.ok) resolve(e.data.analysis);
        else reject(new Error(e.data.error));
      };
      worker.onerror = () => {
        // Worker scripts may be refused by the host's CSP: analyse in place rather than fail.
        worker.terminate();
        try {
          resolve(analyzeBytes(bytes, settings));
        } catch (err) {
          reject(err);
        }
      };
      worker.postMessage({ bytes, settings });
    });
}

export function activate(context: vscode.ExtensionContext): void {
  activateHost(context, createWebAnalyzer(context.extensionUri));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
