/// <reference types="mocha" />
import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, closeAllEditors, fixture, waitFor } from './util';


suite('SIP Trace Inspector in a real editor', () => {
  suiteTeardown(closeAllEditors);

  test('runs in a real VS Code extension host', () => {
    console.log(`vscode.version=${vscode.version} appName=${vscode.env.appName} uiKind=${vscode.env.uiKind} remoteName=${vscode.env.remoteName}`);
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} is installed`);
  });

  test('activates when a .sip log is opened, with the sip-log language', async () => {
    const doc = await vscode.workspace.openTextDocument(fixture('broken-register.sip'));
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'sip-log');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    await waitFor('activation', () => ext?.isActive);
  });

  test('recognises a SIP log without a file extension by its first line', async () => {
    const doc = await vscode.workspace.openTextDocument(fixture('no-extension-register'));
    assert.strictEqual(doc.languageId, 'sip-log');
  });

  test('registers its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['sipTraceInspector.checkCapture', 'sipTraceInspector.showDecoded']) assert.ok(all.includes(c), `${c} registered`);
  });

  test('declares the capture summary editor as an option, not the default', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const editor = pkg.contributes.customEditors.find((e: { viewType: string }) => e.viewType === 'sipTraceInspector.captureSummary');
    assert.strictEqual(editor.priority, 'option');
    // Everything else activates implicitly; a restored decoded view (sip-trace:) needs this one.
    assert.deepStrictEqual(pkg.activationEvents, ['onFileSystem:sip-trace']);
    assert.strictEqual(pkg.capabilities.untrustedWorkspaces.supported, true);
    assert.strictEqual(pkg.capabilities.virtualWorkspaces, true);
  });
});
