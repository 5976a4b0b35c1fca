/// <reference types="mocha" />
import * as assert from 'assert';
import * as vscode from 'vscode';
import { SOURCE, closeAllEditors, codeOf, fixture, ourDiagnostics, rangeText, waitForDiagnostics } from './util';

const CONTACT_VALUE = '<sip:alice@192.0.2.10:5060>;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message';

suite('Diagnostics on a SIP log', () => {
  suiteTeardown(closeAllEditors);

  test('a REGISTER without +g.oma.sip-im gets OMA-IM-REG-001 on its Contact value', async () => {
    const uri = fixture('broken-register.sip');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const ds = await waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepStrictEqual(ds.map(codeOf).sort(), ['FLOW-001', 'OMA-IM-REG-001', 'OMA-IM-REG-016']);
    const reg001 = ds.filter((d) => codeOf(d) === 'OMA-IM-REG-001');
    assert.strictEqual(reg001.length, 1, `one OMA-IM-REG-001 in ${ds.map(codeOf).join(', ')}`);
    const d = reg001[0];
    assert.strictEqual(d.source, SOURCE);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    // Line 8 of the file (0-based 7): "Contact: " is 9 characters.
    assert.strictEqual(rangeText(d.range), `7:9-7:${9 + CONTACT_VALUE.length}`);
    assert.strictEqual(doc.getText(d.range), CONTACT_VALUE);
    assert.ok(typeof d.code === 'object' && d.code.target instanceof vscode.Uri, 'code links to the rule page');
    assert.match(String((d.code as { target: vscode.Uri }).target), /\/docs\/rules\/OMA-IM-REG-001\.md$/);
    // The partial IM tag set (OMA-IM-REG-016) is about the same Contact value.
    const reg016 = ds.find((x) => codeOf(x) === 'OMA-IM-REG-016')!;
    assert.strictEqual(rangeText(reg016.range), rangeText(d.range));
    // The binding summary (FLOW-001, information) sits on the REGISTER's start line.
    const flow = ds.find((x) => codeOf(x) === 'FLOW-001')!;
    assert.strictEqual(flow.severity, vscode.DiagnosticSeverity.Information);
    assert.strictEqual(doc.getText(flow.range), 'REGISTER sip:ims.example.net SIP/2.0');
    assert.strictEqual(rangeText(flow.range), '0:0-0:36');
  });

  test('related information points at the other message (CSeq jump -> previous REGISTER)', async () => {
    const uri = fixture('cseq-jump.sip');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const ds = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'RFC3261-REG-011'));
    const d = ds.find((x) => codeOf(x) === 'RFC3261-REG-011')!;
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    // Third message (line 24, 1-based), its 7th line "CSeq: 5 REGISTER": the "5".
    assert.strictEqual(rangeText(d.range), '29:6-29:7');
    assert.strictEqual(doc.getText(d.range), '5');
    assert.strictEqual(d.relatedInformation?.length, 1);
    const rel = d.relatedInformation[0];
    assert.strictEqual(rel.location.uri.toString(), uri.toString());
    assert.strictEqual(rangeText(rel.location.range), '6:6-6:16');
    assert.strictEqual(doc.getText(rel.location.range), '1 REGISTER');
    assert.match(rel.message, /previous REGISTER/);
  });

  test('every finding carries a rule id with a documentation link', async () => {
    const uri = fixture('broken-register.sip');
    const ds = await waitForDiagnostics(uri, (d) => d.length > 0);
    for (const d of ds) {
      assert.ok(typeof d.code === 'object', `code of "${d.message}" is { value, target }`);
      assert.match(codeOf(d), /^[A-Z0-9]+(-[A-Z0-9]+)+$/);
    }
  });

  test('an edit that adds the missing tag clears OMA-IM-REG-001 (debounced re-check)', async () => {
    const uri = fixture('broken-register.sip');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(7);
    const at = line.text.indexOf('>;') + 1;
    try {
      assert.ok(await editor.edit((e) => e.insert(new vscode.Position(7, at), ';+g.oma.sip-im')));
      await waitForDiagnostics(uri, (d) => !d.some((x) => codeOf(x) === 'OMA-IM-REG-001'));
    } finally {
      // Back to the file on disk so other tests see the fixture as written.
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'OMA-IM-REG-001'));
  });

  test('a compliant REGISTER (no extension, detected by first line) has no OMA-IM-REG-001', async () => {
    const uri = fixture('no-extension-register');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'sip-log');
    // Wait for the check to have run: the first check happens on open, synchronously in the host.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepStrictEqual(ourDiagnostics(uri).filter((d) => codeOf(d).startsWith('OMA-IM-REG-00')).map(codeOf), []);
  });
});
