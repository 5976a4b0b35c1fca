/// <reference types="mocha" />
import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, closeAllEditors, fixture, waitFor } from './util';

const COMMANDS = [
  'sipTraceInspector.checkCapture',
  'sipTraceInspector.showDecoded',
  'sipTraceInspector.checkLog',
  'sipTraceInspector.fixAll',
  'sipTraceInspector.showRuleDocumentation',
  'sipTraceInspector.disableRule',
  'sipTraceInspector.openTemplates',
  'sipTraceInspector.reveal',
];

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

  test('registers its commands, each declared with a localised title', async () => {
    const all = await vscode.commands.getCommands(true);
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const declared = pkg.contributes.commands as { command: string; title: string; category: string }[];
    for (const c of COMMANDS) {
      assert.ok(all.includes(c), `${c} registered`);
      const d = declared.find((x) => x.command === c);
      assert.ok(d, `${c} declared`);
      assert.ok(d.title && !d.title.startsWith('%'), `${c} has a resolved title (package.nls.json): ${d.title}`);
      assert.strictEqual(d.category, 'SIP');
    }
  });

  test('every setting has a markdownDescription (resolved from package.nls.json)', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const props = pkg.contributes.configuration.properties as Record<string, { markdownDescription?: string }>;
    assert.ok(props['sipTraceInspector.maxFileSizeMB'], 'maxFileSizeMB declared');
    for (const [k, v] of Object.entries(props)) {
      assert.ok(v.markdownDescription && !v.markdownDescription.startsWith('%'), `${k} documented: ${v.markdownDescription}`);
    }
    assert.strictEqual(vscode.workspace.getConfiguration('sipTraceInspector').get('maxFileSizeMB'), 10);
  });

  test('declares the capture summary editor as an option, trust and virtual workspaces, the view', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const editor = pkg.contributes.customEditors.find((e: { viewType: string }) => e.viewType === 'sipTraceInspector.captureSummary');
    assert.strictEqual(editor.priority, 'option');
    // Everything else activates implicitly; a restored decoded view (sip-trace:) and a restored
    // templates panel need these.
    assert.deepStrictEqual(pkg.activationEvents, ['onFileSystem:sip-trace', 'onWebviewPanel:sipTraceInspector.templates']);
    assert.strictEqual(pkg.capabilities.untrustedWorkspaces.supported, true);
    assert.strictEqual(pkg.capabilities.virtualWorkspaces, true);
    assert.deepStrictEqual(pkg.contributes.views.explorer.map((v: { id: string }) => v.id), ['sipTraceInspector.registrations']);
  });
});
