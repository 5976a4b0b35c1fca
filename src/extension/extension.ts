/**
 * Entry point of the extension in a Node extension host (desktop, remote, code-server): the
 * activation (activation.ts) registers stand-ins; the features are in a second bundle,
 * dist/extension-main.js (nodeHost.ts), loaded on first use. Returns the extension's API
 * (host.ts ExtensionApi).
 */
import type * as vscode from 'vscode';
import { activateLazily } from './activation';
import type { ExtensionApi } from './host';
import type * as NodeHost from './nodeHost';

/**
 * Node's own `require` inside the webpack bundle (a plain `require` would be bundled): the second
 * bundle is loaded from next to this one. This module only runs bundled (dist/extension.js).
 */
declare const __non_webpack_require__: NodeJS.Require;

function loadNodeHost(): typeof NodeHost {
  return __non_webpack_require__('./extension-main.js') as typeof NodeHost;
}

/** When this bundle was evaluated (the benchmark's breakdown of an activation). */
const bundleEvaluatedAt = performance.now();

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  return activateLazily(context, () => loadNodeHost().startHost, bundleEvaluatedAt);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
