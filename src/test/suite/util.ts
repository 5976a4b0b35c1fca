/** Helpers for the in-editor suite: fixture URIs and polling for what the editor does asynchronously. */
import * as assert from 'assert';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'sip-trace-inspector.sip-trace-inspector';
export const SOURCE = 'SIP Trace Inspector';

/** The suite's workspace is src/test/fixtures (scripts/editor-tests.mjs and runTest.ts open it). */
export function fixture(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs src/test/fixtures open as the workspace folder');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Our diagnostics on `uri` once `accept` holds for them. */
export function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

export function waitForDiagnostics(uri: vscode.Uri, accept: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 10000): Promise<vscode.Diagnostic[]> {
  return waitFor(`diagnostics on ${uri.toString(true)}`, () => {
    const ds = ourDiagnostics(uri);
    return accept(ds) ? ds : undefined;
  }, timeoutMs);
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

export function rangeText(r: vscode.Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
