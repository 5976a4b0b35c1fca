/// <reference types="mocha" />
/** The registrations view (through the provider the extension exports) and the status bar item. */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { closeAllEditors, codeOf, extensionApi, fixture, lineOf, ourDiagnostics, showFixture, waitFor, waitForCheck, waitForDiagnostics } from './util';

interface TreeSnapshot {
  label: string;
  description?: string;
  children?: TreeSnapshot[];
}

function child(node: TreeSnapshot | undefined, label: string): TreeSnapshot {
  const c = node?.children?.find((x) => x.label === label);
  assert.ok(c, `"${label}" under "${node?.label}": ${node?.children?.map((x) => x.label).join(', ')}`);
  return c;
}

suite('Registrations view and status bar', () => {
  suiteTeardown(closeAllEditors);

  test('trace -> flow (AOR) -> exchange (kind, final status) -> finding, for a log', async () => {
    const api = await extensionApi();
    const uri = fixture('quick-fixes.siplog');
    await showFixture('quick-fixes.siplog');
    await waitForCheck(uri);
    const trace = await waitFor('the log in the view', () => (api.registrations.snapshot() as TreeSnapshot[]).find((t) => t.label === 'quick-fixes.siplog'), 5000);
    const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'heidi'];
    assert.deepStrictEqual(trace.children?.map((c) => c.label), names.map((n) => `sip:${n}@ims.example.net`));
    assert.match(trace.description ?? '', /^8 exchanges · \d+ errors, \d+ warnings$/);
    const heidi = child(trace, 'sip:heidi@ims.example.net');
    assert.strictEqual(heidi.description, '2 exchanges');
    assert.deepStrictEqual(heidi.children?.map((x) => x.label), ['initial → 200', 'refresh → 200']);
    assert.strictEqual(heidi.children?.[1].description, 'CSeq 2 · heidi-reg@fixture.invalid');
    const alice = child(child(trace, 'sip:alice@ims.example.net'), 'initial → 200');
    const rules = alice.children?.map((f) => f.description).sort();
    assert.deepStrictEqual(rules, ['FLOW-001', 'OMA-IM-REG-001', 'OMA-IM-REG-008', 'OMA-IM-REG-016']);
    assert.strictEqual(child(child(trace, 'sip:frank@ims.example.net'), 'full-deregistration → 200').children?.some((f) => f.description === 'OMA-IM-REG-019'), true);
  });

  test('a capture appears with its exchange and findings', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('sipTraceInspector.checkCapture', fixture('broken-register.pcap'), { show: false });
    const trace = await waitFor('the capture in the view', () => (api.registrations.snapshot() as TreeSnapshot[]).find((t) => t.label === 'broken-register.pcap'), 5000);
    const ex = child(child(trace, 'sip:alice@ims.example.net'), 'initial → 200');
    assert.deepStrictEqual(ex.children?.map((f) => f.description).sort(), ['FLOW-001', 'OMA-IM-REG-001', 'OMA-IM-REG-016']);
  });

  test('selecting a finding reveals it: the log line, selected', async () => {
    const api = await extensionApi();
    const uri = fixture('quick-fixes.siplog');
    const doc = await vscode.workspace.openTextDocument(uri);
    await waitForCheck(uri);
    const provider = api.registrations;
    const [traceNode] = provider.getChildren().filter((n: any) => n.trace.label === 'quick-fixes.siplog');
    const flow = provider.getChildren(traceNode).find((n: any) => n.aor === 'sip:erin@ims.example.net');
    const [exchange] = provider.getChildren(flow);
    const finding = provider.getChildren(exchange).find((n: any) => n.finding.ruleId === 'OMA-IM-REG-011');
    const item: vscode.TreeItem = provider.getTreeItem(finding);
    assert.strictEqual(item.command?.command, 'sipTraceInspector.reveal');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const editor = await waitFor('the log revealed', () => (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString() ? vscode.window.activeTextEditor : undefined));
    const line = lineOf(doc, 'User-Agent: IM-client/OMA1.1');
    assert.strictEqual(editor.selection.start.line, line);
    assert.strictEqual(doc.getText(editor.selection), 'OMA1.1');
    // An exchange reveals its REGISTER's start line.
    const exItem: vscode.TreeItem = provider.getTreeItem(exchange);
    await vscode.commands.executeCommand(exItem.command!.command, ...(exItem.command!.arguments ?? []));
    await waitFor('the REGISTER line selected', () => vscode.window.activeTextEditor?.selection.start.line === line - 11 || undefined);
  });

  test('selecting a capture finding opens the decoded view at it', async () => {
    const api = await extensionApi();
    const provider = api.registrations;
    const traceNode = provider.getChildren().find((n: any) => n.trace.label === 'broken-register.pcap');
    const [flow] = provider.getChildren(traceNode);
    const [exchange] = provider.getChildren(flow);
    const exItem: vscode.TreeItem = provider.getTreeItem(exchange);
    await vscode.commands.executeCommand(exItem.command!.command, ...(exItem.command!.arguments ?? []));
    const editor = await waitFor('decoded view', () => (vscode.window.activeTextEditor?.document.uri.scheme === 'sip-trace' ? vscode.window.activeTextEditor : undefined));
    assert.strictEqual(editor.selection.start.line, 2);
    assert.match(editor.document.lineAt(2).text, /^### frame 1 /);
  });

  test('the status bar counts the active trace\'s errors and warnings and opens the Problems panel', async () => {
    const api = await extensionApi();
    const uri = fixture('quick-fixes.siplog');
    await showFixture('quick-fixes.siplog');
    const ds = await waitForDiagnostics(uri, (d) => d.length > 0);
    const errors = ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    const warnings = ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
    const status = await waitFor('status bar for the log', () => {
      const s = api.statusBar();
      return s.visible && s.text === `SIP $(error) ${errors} $(warning) ${warnings}` ? s : undefined;
    });
    assert.strictEqual(status.command, 'workbench.actions.view.problems');
    assert.match(status.tooltip ?? '', /quick-fixes\.siplog \(8 REGISTER exchanges\)/);
    // Not a SIP trace: hidden.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixture('fenced.md')));
    await waitFor('status bar hidden', () => !api.statusBar().visible || undefined);
    assert.ok(ourDiagnostics(uri).some((d) => codeOf(d) === 'OMA-IM-REG-001'));
  });
});
