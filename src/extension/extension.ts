/**
 * Entry point of the extension in a Node extension host (desktop, remote, code-server). Captures
 * and large logs are analysed in a worker thread; everything else is shared with other hosts
 * (host.ts). Returns the extension's API (host.ts ExtensionApi).
 */
import type * as vscode from 'vscode';
import { activateHost, type ExtensionApi } from './host';
import { nodeWorkerSpawner } from './nodeAnalyzer';
import * as templates from './templates/index';
import { createWorkerAnalyzers } from './workerProtocol';

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  return activateHost(context, createWorkerAnalyzers(nodeWorkerSpawner(context.extensionUri.fsPath)), templates);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
