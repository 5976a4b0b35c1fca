/// <reference types="mocha" />
/** Hovers through the editor's own hover machinery (vscode.executeHoverProvider). */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { closeAllEditors, fixture, lineOf } from './util';

/** The text of our hover at the first occurrence of `word` on the line holding `lineText`. */
async function hoverText(doc: vscode.TextDocument, lineText: string, word: string, nth = 0): Promise<string> {
  const line = lineOf(doc, lineText);
  let col = -1;
  for (let i = 0; i <= nth; i++) col = doc.lineAt(line).text.indexOf(word, col + 1);
  assert.ok(col >= 0, `${word} on line ${line + 1}`);
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col + 1))) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

suite('Hovers on headers, feature tags and option tags', () => {
  let log: vscode.TextDocument;
  let outbound: vscode.TextDocument;

  suiteSetup(async () => {
    log = await vscode.workspace.openTextDocument(fixture('quick-fixes.siplog'));
    outbound = await vscode.workspace.openTextDocument(fixture('outbound-register.sip'));
  });
  suiteTeardown(closeAllEditors);

  test('a header name behind a log prefix: what it is, and the rules that check it (linked)', async () => {
    const text = await hoverText(log, 'Contact: <sip:alice@', 'Contact');
    assert.match(text, /\*\*Contact\*\*/);
    assert.match(text, /RFC 3261 §10\.2\.1/);
    assert.match(text, /\[OMA-IM-REG-001\]\(command:sipTraceInspector\.showRuleDocumentation\?/);
  });

  test('Require and User-Agent name the OMA rules', async () => {
    assert.match(await hoverText(outbound, 'Require: pref', 'Require'), /OMA-IM-REG-008/);
    assert.match(await hoverText(outbound, 'User-Agent:', 'User-Agent'), /OMA-IM-REG-010/);
  });

  test('IM feature tags, +sip.instance, reg-id and expires as Contact parameters', async () => {
    const tag = await hoverText(outbound, 'Contact:', '+g.oma.sip-im.system-message');
    assert.match(tag, /System Message/);
    assert.match(tag, /OMA-IM-REG-002/);
    assert.match(await hoverText(outbound, 'Contact:', '+g.oma.sip-im'), /OMA-IM-REG-001/);
    assert.match(await hoverText(outbound, 'Contact:', '+sip.instance'), /RFC 5626/);
    assert.match(await hoverText(outbound, 'Contact:', 'reg-id'), /SIP Outbound/);
    assert.match(await hoverText(outbound, 'Contact:', 'expires'), /RFC3261-REG-016/);
  });

  test('a misspelled IM tag says what it should be', async () => {
    assert.match(await hoverText(log, 'Contact: <sip:bob@', '+g.oma.sip-im.large_message'), /spelled `\+g\.oma\.sip-im\.large-message`/);
  });

  test('option tags pref, path, gruu and outbound', async () => {
    assert.match(await hoverText(outbound, 'Require: pref', 'pref'), /OMA-IM-REG-008/);
    assert.match(await hoverText(outbound, 'Supported:', 'path'), /RFC 3327/);
    assert.match(await hoverText(outbound, 'Supported:', 'gruu'), /RFC 5627/);
    assert.match(await hoverText(outbound, 'Supported:', 'outbound'), /RFC 5626/);
  });

  test('no hover on ordinary text (a URI user, a header value)', async () => {
    assert.strictEqual(await hoverText(outbound, 'From: <sip:grace@', 'grace'), '');
  });
});
