/**
 * Entry point of the extension in a Node extension host (desktop, remote, code-server). Captures
 * are analysed in a worker thread; everything else is shared with other hosts (host.ts).
 */
import type * as vscode from 'vscode';
import { activateHost } from './host';
import { createWorkerAnalyzer } from './nodeAnalyzer';

export function activate(context: vscode.ExtensionContext): void {
  activateHost(context, createWorkerAnalyzer(context.extensionUri.fsPath));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
