/// <reference types="mocha" />
/**
 * Quick fixes in a real editor, on a log whose every line carries a prefix
 * ("2024-01-01 10:00:05.000 proxy[42]: "): each main fix is applied through the editor's own
 * code-action machinery, and its diagnostic must be gone after the debounced re-check; new header
 * lines must repeat the prefix of the header line next to them.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import {
  closeAllEditors,
  codeActionsFor,
  codeOf,
  diagnosticsAt,
  extensionApi,
  fixture,
  lineOf,
  ourDiagnostics,
  revertFixture,
  showFixture,
  waitFor,
  waitForDiagnostics,
} from './util';

const FILE = 'quick-fixes.siplog';
const PREFIX = /^2024-01-01 10:00:\d\d\.000 proxy\[42\]: /;

/**
 * Applies the preferred quick fix titled like `title` offered at the diagnostic `code` on `line`
 * (other diagnostics may share its range, so the title tells which fix is meant).
 */
async function applyPreferred(uri: vscode.Uri, code: string, line: number, title: RegExp): Promise<vscode.CodeAction> {
  const [d] = await waitFor(`${code} on line ${line + 1}`, () => {
    const ds = diagnosticsAt(uri, code, line);
    return ds.length ? ds : undefined;
  });
  const actions = await codeActionsFor(uri, d);
  const fix = actions.find((a) => a.isPreferred && a.edit && title.test(a.title));
  assert.ok(fix, `a preferred fix ${title} for ${code}; offered: ${actions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`).join(' | ')}`);
  assert.ok(await vscode.workspace.applyEdit(fix.edit!), 'the edit applies');
  return fix;
}

/** Waits until the re-check of the edited document no longer reports `code` on `line`. */
async function gone(uri: vscode.Uri, code: string, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await waitFor(`${code} gone from line ${line + 1} after the re-check`, () => (doc.isDirty && diagnosticsAt(uri, code, line).length === 0) || undefined);
}

suite('Quick fixes on a SIP log with line prefixes', () => {
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;

  suiteSetup(async () => {
    uri = fixture(FILE);
    doc = (await showFixture(FILE)).document;
    await waitForDiagnostics(uri, (ds) => ds.some((d) => codeOf(d) === 'OMA-IM-REG-019'));
  });
  teardown(() => revertFixture(uri));
  suiteTeardown(closeAllEditors);

  test('the fixture reports what the fixes are for', () => {
    const codes = new Set(ourDiagnostics(uri).map(codeOf));
    for (const id of ['001', '004', '005', '006', '008', '009', '010', '011', '016', '019']) assert.ok(codes.has(`OMA-IM-REG-${id}`), `OMA-IM-REG-${id} reported`);
  });

  test('OMA-IM-REG-001: adds +g.oma.sip-im to the Contact (and the partial set, 016, goes too)', async () => {
    const line = lineOf(doc, 'Contact: <sip:alice@');
    await applyPreferred(uri, 'OMA-IM-REG-001', line, /Add \+g\.oma\.sip-im to the Contact/);
    await gone(uri, 'OMA-IM-REG-001', line);
    assert.strictEqual(diagnosticsAt(uri, 'OMA-IM-REG-016', line).length, 0);
    assert.match(doc.lineAt(line).text, PREFIX);
    assert.ok(doc.lineAt(line).text.endsWith('<sip:alice@192.0.2.10:5060>;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;+g.oma.sip-im'), doc.lineAt(line).text);
  });

  test('OMA-IM-REG-008: inserts "Require: pref" with the prefix of the neighbouring header line', async () => {
    const start = lineOf(doc, 'REGISTER sip:ims.example.net SIP/2.0');
    const supported = lineOf(doc, 'Supported: path', start);
    const prefix = doc.lineAt(supported).text.slice(0, doc.lineAt(supported).text.indexOf('Supported'));
    await applyPreferred(uri, 'OMA-IM-REG-008', start, /Require: pref/);
    await gone(uri, 'OMA-IM-REG-008', start);
    assert.strictEqual(doc.lineAt(supported + 1).text, `${prefix}Require: pref`);
    assert.match(prefix, PREFIX);
  });

  test('OMA-IM-REG-006: moves +g.oma.sip-im from the URI to the Contact parameters (001 goes too)', async () => {
    const line = lineOf(doc, 'Contact: <sip:bob@');
    await applyPreferred(uri, 'OMA-IM-REG-006', line, /Move the IM tags/);
    await gone(uri, 'OMA-IM-REG-006', line);
    assert.strictEqual(diagnosticsAt(uri, 'OMA-IM-REG-001', line).length, 0);
    assert.ok(doc.lineAt(line).text.endsWith('Contact: <sip:bob@192.0.2.11:5060>;+g.oma.sip-im.system-message;+g.oma.sip-im.large_message;+g.oma.sip-im'), doc.lineAt(line).text);
  });

  test('OMA-IM-REG-005: corrects the misspelled tag (003 goes too)', async () => {
    const line = lineOf(doc, 'Contact: <sip:bob@');
    await applyPreferred(uri, 'OMA-IM-REG-005', line, /Change to \+g\.oma\.sip-im\.large-message/);
    await gone(uri, 'OMA-IM-REG-005', line);
    assert.strictEqual(diagnosticsAt(uri, 'OMA-IM-REG-003', line).length, 0);
    assert.ok(doc.lineAt(line).text.includes(';+g.oma.sip-im.large-message'), doc.lineAt(line).text);
  });

  test('OMA-IM-REG-004: writes the IM tag without a value', async () => {
    const line = lineOf(doc, 'Contact: <sip:carol@');
    await applyPreferred(uri, 'OMA-IM-REG-004', line, /Write \+g\.oma\.sip-im without a value/);
    await gone(uri, 'OMA-IM-REG-004', line);
    assert.ok(doc.lineAt(line).text.endsWith('<sip:carol@192.0.2.12:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message'), doc.lineAt(line).text);
  });

  test('OMA-IM-REG-010: puts IM-client/OMA1.0 first in User-Agent', async () => {
    const line = lineOf(doc, 'User-Agent: Fixture/1.0 (Linux)');
    await applyPreferred(uri, 'OMA-IM-REG-010', line, /Put IM-client\/OMA1\.0 first in User-Agent/);
    await gone(uri, 'OMA-IM-REG-010', line);
    assert.ok(doc.lineAt(line).text.endsWith('User-Agent: IM-client/OMA1.0 Fixture/1.0 (Linux)'), doc.lineAt(line).text);
  });

  test('OMA-IM-REG-009: adds a User-Agent line with the prefix of its neighbour', async () => {
    const contact = lineOf(doc, 'Contact: <sip:dave@');
    const start = lineOf(doc, 'REGISTER sip:', contact - 8);
    const supported = lineOf(doc, 'Supported: path', contact);
    await applyPreferred(uri, 'OMA-IM-REG-009', start, /Add "User-Agent: IM-client\/OMA1\.0"/);
    await gone(uri, 'OMA-IM-REG-009', start);
    const inserted = doc.lineAt(supported + 1).text;
    assert.match(inserted, PREFIX);
    assert.ok(inserted.endsWith(': User-Agent: IM-client/OMA1.0'), inserted);
  });

  test('OMA-IM-REG-011: replaces an unknown IM release with the configured one', async () => {
    const line = lineOf(doc, 'User-Agent: IM-client/OMA1.1');
    await applyPreferred(uri, 'OMA-IM-REG-011', line, /OMA1\.0/);
    await gone(uri, 'OMA-IM-REG-011', line);
    assert.ok(doc.lineAt(line).text.endsWith('User-Agent: IM-client/OMA1.0 Fixture/1.0'), doc.lineAt(line).text);
  });

  test('OMA-IM-REG-019: adds "Expires: 0" to a full de-registration that used expires=0 only', async () => {
    const line = lineOf(doc, 'Contact: <sip:frank@');
    await applyPreferred(uri, 'OMA-IM-REG-019', line, /Expires: 0/);
    await gone(uri, 'OMA-IM-REG-019', line);
    assert.match(doc.lineAt(line + 1).text, PREFIX);
    assert.ok(doc.lineAt(line + 1).text.endsWith(': Expires: 0'), doc.lineAt(line + 1).text);
  });

  test('OMA-IM-REG-016 on a refresh that dropped some tags: removing the rest (IM-only de-registration) is preferred', async () => {
    const line = lineOf(doc, 'Contact: <sip:heidi@192.0.2.16:5060>;+g.oma.sip-im.large-message');
    const [d] = await waitFor('016 on heidi', () => {
      const ds = diagnosticsAt(uri, 'OMA-IM-REG-016', line);
      return ds.length ? ds : undefined;
    });
    const titles = (await codeActionsFor(uri, d)).map((a) => a.title);
    assert.ok(titles.some((t) => /Add the missing IM tags/.test(t)), `adding is offered too: ${titles.join(' | ')}`);
    await applyPreferred(uri, 'OMA-IM-REG-016', line, /Remove the remaining IM tags/);
    await gone(uri, 'OMA-IM-REG-016', line);
    assert.ok(doc.lineAt(line).text.endsWith('Contact: <sip:heidi@192.0.2.16:5060>'), doc.lineAt(line).text);
    // Now a proper IM-only de-registration: the notice says so.
    await waitForDiagnostics(uri, (ds) => ds.some((x) => codeOf(x) === 'OMA-IM-REG-018' && x.range.start.line === line));
  });

  test('every finding offers "Show documentation" and "Disable"; the page is the rule\'s own', async () => {
    const line = lineOf(doc, 'Contact: <sip:alice@');
    const d = diagnosticsAt(uri, 'OMA-IM-REG-001', line)[0];
    const actions = await codeActionsFor(uri, d);
    const docs = actions.find((a) => a.command?.command === 'sipTraceInspector.showRuleDocumentation' && a.command.arguments?.[0] === 'OMA-IM-REG-001');
    const off = actions.find((a) => a.command?.command === 'sipTraceInspector.disableRule' && a.command.arguments?.[0] === 'OMA-IM-REG-001');
    assert.deepStrictEqual(docs?.command?.arguments, ['OMA-IM-REG-001']);
    assert.deepStrictEqual(off?.command?.arguments, ['OMA-IM-REG-001']);
    assert.match(docs!.title, /Show documentation for OMA-IM-REG-001/);
    const api = await extensionApi();
    assert.match(await api.ruleDocumentationUri('OMA-IM-REG-001'), /\/docs\/rules\/OMA-IM-REG-001\.md$/);
    const templates = actions.find((a) => a.command?.command === 'sipTraceInspector.openTemplates');
    assert.ok(templates, `"Open a compliant REGISTER template" offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.deepStrictEqual(templates.command?.arguments, [{ capture: uri.toString(), messageIndex: 0 }]);
  });

  test('"Open a compliant REGISTER template" opens the templates panel on the finding\'s flow', async () => {
    const line = lineOf(doc, 'Contact: <sip:alice@');
    const d = diagnosticsAt(uri, 'OMA-IM-REG-001', line)[0];
    const templates = (await codeActionsFor(uri, d)).find((a) => a.command?.command === 'sipTraceInspector.openTemplates');
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>(templates!.command!.command, ...(templates!.command!.arguments ?? []));
    assert.ok(panel, 'the panel opened');
    assert.match(panel.title, /quick-fixes\.siplog/);
    panel.dispose();
  });

  test('"Disable this rule" writes "off" to the workspace settings and the finding goes', async () => {
    const line = lineOf(doc, 'User-Agent: IM-client/OMA1.1');
    await waitFor('011 present', () => diagnosticsAt(uri, 'OMA-IM-REG-011', line).length > 0 || undefined);
    const config = () => vscode.workspace.getConfiguration('sipTraceInspector');
    const before = config().inspect<Record<string, string>>('rules')?.workspaceValue;
    try {
      assert.strictEqual(await vscode.commands.executeCommand('sipTraceInspector.disableRule', 'OMA-IM-REG-011'), 'OMA-IM-REG-011');
      assert.strictEqual(config().inspect<Record<string, string>>('rules')?.workspaceValue?.['OMA-IM-REG-011'], 'off');
      await waitFor('011 gone after the settings change', () => diagnosticsAt(uri, 'OMA-IM-REG-011', line).length === 0 || undefined);
    } finally {
      await config().update('rules', before, vscode.ConfigurationTarget.Workspace);
      await removeEmptyWorkspaceSettings();
    }
    await waitFor('011 back', () => diagnosticsAt(uri, 'OMA-IM-REG-011', line).length > 0 || undefined);
  });

  test('"Fix all" (source.fixAll) fixes every auto-fixable finding of the file at once', async () => {
    const fixable = ['001', '002', '003', '004', '005', '006', '008', '009', '010', '011', '016', '019'].map((n) => `OMA-IM-REG-${n}`);
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const all = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, whole, 'source.fixAll')) ?? [];
    const fixAll = all.find((a) => a.kind?.value === 'source.fixAll.sipTraceInspector');
    assert.ok(fixAll?.edit, `a fix-all action: ${all.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
    const left = await waitForDiagnostics(uri, (ds) => doc.isDirty && !ds.some((d) => fixable.includes(codeOf(d))) && ds.length > 0);
    assert.deepStrictEqual(left.filter((d) => fixable.includes(codeOf(d))), []);
    // No duplicate tags were written (RFC3840-005 would say so).
    assert.ok(!left.some((d) => codeOf(d) === 'RFC3840-005'), left.map((d) => `${codeOf(d)}@${d.range.start.line + 1}`).join(', '));
  });
});

/** The test wrote .vscode/settings.json into the fixtures folder: remove it once it holds nothing. */
async function removeEmptyWorkspaceSettings(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) return;
  const file = vscode.Uri.joinPath(folder, '.vscode', 'settings.json');
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    if (text.replace(/\/\/.*$/gm, '').replace(/\s/g, '') === '{}') await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, '.vscode'), { recursive: true });
  } catch {
    /* nothing written */
  }
}
