/**
 * The extension's features in a Node extension host: captures and large logs are analysed in a
 * worker thread (dist/worker.js); everything else is shared with other hosts (host.ts). Bundled
 * as dist/extension-main.js and loaded on first use by the activation (extension.ts).
 */
import type * as vscode from 'vscode';
import { activateHost, type ExtensionApi, type HostOptions } from './host';
import { nodeWorkerSpawner } from './nodeAnalyzer';
import * as templates from './templates/index';
import { createWorkerAnalyzers } from './workerProtocol';

export function startHost(context: vscode.ExtensionContext, options: HostOptions): ExtensionApi {
  return activateHost(context, createWorkerAnalyzers(nodeWorkerSpawner(context.extensionUri.fsPath)), templates, options);
}
