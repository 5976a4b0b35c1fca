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

/** The extension's exported API (src/extension/host.ts ExtensionApi), activating it if needed. */
export async function extensionApi<T = any>(): Promise<T> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return (ext.isActive ? ext.exports : await ext.activate()) as T;
}

/** Opens a fixture in an editor (so that "revert" can act on it). */
export async function showFixture(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixture(name));
  return vscode.window.showTextDocument(doc);
}

/** Puts a fixture back as it is on disk (after a test edited it) and waits for its re-check. */
export async function revertFixture(uri: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  if (!doc.isDirty) return;
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor(`${uri.path} reverted`, () => !doc.isDirty || undefined);
  await waitForCheck(uri);
}

/** Waits until the extension has checked the document's current version. */
export async function waitForCheck(uri: vscode.Uri): Promise<void> {
  const api = await extensionApi();
  const doc = await vscode.workspace.openTextDocument(uri);
  await waitFor(`${uri.path} checked at version ${doc.version}`, () => api.logResult(uri)?.version === doc.version || undefined);
}

/** Our diagnostics with rule id `code` whose range starts on `line` (0-based). */
export function diagnosticsAt(uri: vscode.Uri, code: string, line: number): vscode.Diagnostic[] {
  return ourDiagnostics(uri).filter((d) => codeOf(d) === code && d.range.start.line === line);
}

/**
 * The code actions the editor offers at a diagnostic's range (as the light bulb would list them).
 * `vscode.executeCodeActionProvider` does not return the actions' `diagnostics`, so callers pick
 * actions by title or command.
 */
export async function codeActionsFor(uri: vscode.Uri, d: vscode.Diagnostic, kind = vscode.CodeActionKind.QuickFix.value): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, kind)) ?? [];
}

/** The line of the document that contains `text` (0-based), searching from `from`. */
export function lineOf(doc: vscode.TextDocument, text: string, from = 0): number {
  for (let i = from; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(text)) return i;
  throw new Error(`no line containing ${JSON.stringify(text)} after line ${from}`);
}
