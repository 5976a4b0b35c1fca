/// <reference types="mocha" />
import * as assert from 'assert';
import * as vscode from 'vscode';
import { analyzeBytes } from '../../extension/analysis';
import { renderDecoded } from '../../extension/decoded';
import { closeAllEditors, codeActionsFor, codeOf, extensionApi, fixture, rangeText, waitFor, waitForDiagnostics } from './util';

interface CheckCaptureResult {
  capture: string;
  decoded: string;
  format: string | undefined;
  messages: number;
  exchanges: number;
  findings: number;
  problems: number;
  shown: boolean;
}

const CONTACT_VALUE = '<sip:alice@192.0.2.10:5060>;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message';

suite('Captures', () => {
  suiteTeardown(closeAllEditors);

  test('"Check registrations in capture" reads the pcap and opens the decoded view', async () => {
    const r = await vscode.commands.executeCommand<CheckCaptureResult>('sipTraceInspector.checkCapture', fixture('broken-register.pcap'));
    assert.ok(r, 'the command returns its result');
    assert.strictEqual(r.format, 'pcap');
    assert.strictEqual(r.messages, 2);
    assert.strictEqual(r.exchanges, 1);
    assert.strictEqual(r.problems, 0);
    assert.strictEqual(r.findings, 3);
    assert.strictEqual(r.shown, true);
    const decoded = vscode.Uri.parse(r.decoded);
    assert.strictEqual(decoded.scheme, 'sip-trace');
    const editor = await waitFor('decoded view in an editor', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === decoded.toString()),
    );
    const doc = editor.document;
    assert.strictEqual(doc.languageId, 'sip-log');
    assert.match(doc.lineAt(0).text, /^### broken-register\.pcap · 2 SIP messages, 1 REGISTER exchanges/);
    assert.strictEqual(doc.lineAt(2).text, '### frame 1 · 2024-01-01T00:00:00.000000Z · UDP 192.0.2.10:5060 → 192.0.2.1:5060');
    assert.strictEqual(doc.lineAt(3).text, 'REGISTER sip:ims.example.net SIP/2.0');
  });

  test('capture findings are diagnostics with exact ranges in the decoded view', async () => {
    const decoded = vscode.Uri.parse(
      (await vscode.commands.executeCommand<CheckCaptureResult>('sipTraceInspector.checkCapture', fixture('broken-register.pcap'), { show: false }))!.decoded,
    );
    const ds = await waitForDiagnostics(decoded, (d) => d.some((x) => codeOf(x) === 'OMA-IM-REG-001'));
    // The same findings as for the same messages in a log (broken-register.sip).
    assert.deepStrictEqual(ds.map(codeOf).sort(), ['FLOW-001', 'OMA-IM-REG-001', 'OMA-IM-REG-016']);
    const d = ds.find((x) => codeOf(x) === 'OMA-IM-REG-001')!;
    const doc = await vscode.workspace.openTextDocument(decoded);
    // Heading on line 2, REGISTER on line 3, Contact is the message's 8th line: line 10.
    assert.strictEqual(rangeText(d.range), `10:9-10:${9 + CONTACT_VALUE.length}`);
    assert.strictEqual(doc.getText(d.range), CONTACT_VALUE);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    const flow = ds.find((x) => codeOf(x) === 'FLOW-001')!;
    assert.strictEqual(rangeText(flow.range), '3:0-3:36');
  });

  test('the read-only decoded view offers documentation, disable and template actions, but no edits', async () => {
    const decoded = vscode.Uri.parse(
      (await vscode.commands.executeCommand<CheckCaptureResult>('sipTraceInspector.checkCapture', fixture('broken-register.pcap'), { show: false }))!.decoded,
    );
    const ds = await waitForDiagnostics(decoded, (d) => d.some((x) => codeOf(x) === 'OMA-IM-REG-001'));
    const d = ds.find((x) => codeOf(x) === 'OMA-IM-REG-001')!;
    const actions = await codeActionsFor(decoded, d);
    assert.ok(actions.some((a) => a.command?.command === 'sipTraceInspector.showRuleDocumentation' && a.command.arguments?.[0] === 'OMA-IM-REG-001'));
    assert.ok(actions.some((a) => a.command?.command === 'sipTraceInspector.disableRule'));
    const templates = actions.find((a) => a.command?.command === 'sipTraceInspector.openTemplates');
    assert.deepStrictEqual(templates?.command?.arguments, [{ capture: fixture('broken-register.pcap').toString(), messageIndex: 0 }]);
    assert.deepStrictEqual(actions.filter((a) => a.edit), []);
  });

  test('the summary editor opens a pcap on request ("Reopen Editor With…")', async () => {
    const uri = fixture('broken-register.pcap');
    await vscode.commands.executeCommand('vscode.openWith', uri, 'sipTraceInspector.captureSummary');
    const tab = await waitFor('summary tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === 'sipTraceInspector.captureSummary'),
    );
    assert.strictEqual((tab.input as vscode.TabInputCustom).uri.toString(), uri.toString());
    // From the active summary editor the command needs no argument.
    const shown = await vscode.commands.executeCommand<string>('sipTraceInspector.showDecoded');
    assert.strictEqual(vscode.Uri.parse(shown).scheme, 'sip-trace');
  });

  test('a capture above maxFileSizeMB is not read on open: its summary offers "Check Anyway", which reads it', async () => {
    const api = await extensionApi<{ captureSummaryState(uri: vscode.Uri): string | undefined }>();
    const uri = fixture('large-capture.pcap');
    await vscode.workspace.fs.writeFile(uri, padCapture(await vscode.workspace.fs.readFile(fixture('broken-register.pcap')), 150 * 1024));
    const config = vscode.workspace.getConfiguration('sipTraceInspector');
    const before = config.inspect<number>('maxFileSizeMB')?.workspaceValue;
    await config.update('maxFileSizeMB', 0.1, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, 'sipTraceInspector.captureSummary');
      await waitFor('the summary waiting for the user', () => api.captureSummaryState(uri) === 'too-large' || undefined);
      const decodedOf = () => vscode.languages.getDiagnostics().filter(([u]) => u.scheme === 'sip-trace' && u.path.includes('large-capture'));
      await new Promise((r) => setTimeout(r, 500));
      assert.strictEqual(api.captureSummaryState(uri), 'too-large', 'nothing read on open');
      assert.deepStrictEqual(decodedOf(), []);
      // The page's "Check Anyway" link runs exactly this command.
      const r = await vscode.commands.executeCommand<CheckCaptureResult>('sipTraceInspector.checkCapture', uri.toString(), { show: false });
      assert.ok(r && r.messages === 2 && r.findings > 0, JSON.stringify(r));
      await waitFor('the summary after the check', () => api.captureSummaryState(uri) === 'summary' || undefined);
      await waitForDiagnostics(vscode.Uri.parse(r.decoded), (ds) => ds.some((d) => codeOf(d) === 'OMA-IM-REG-001'));
    } finally {
      await closeAllEditors();
      await config.update('maxFileSizeMB', before, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(uri);
      await removeEmptyWorkspaceSettings();
    }
  });

  test('closing the summary of a capture while it is read stops the read: the worker ends, no diagnostics stay', async () => {
    const api = await extensionApi<{ captureReads(): { inFlight: string[]; cancelled: string[] } }>();
    const uri = fixture('closed-while-read.pcap');
    const key = uri.toString();
    // ~60 000 SIP messages: several seconds of reading.
    await vscode.workspace.fs.writeFile(uri, repeatCapture(await vscode.workspace.fs.readFile(fixture('broken-register.pcap')), 30000));
    const config = vscode.workspace.getConfiguration('sipTraceInspector');
    const before = config.inspect<number>('maxFileSizeMB')?.workspaceValue;
    await config.update('maxFileSizeMB', 1000, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, 'sipTraceInspector.captureSummary');
      // The summary editor is open while the capture is read ("Reading…").
      await waitFor('the capture being read', () => api.captureReads().inFlight.includes(key) || undefined);
      await closeAllEditors();
      await waitFor('the read stopped', () => !api.captureReads().inFlight.includes(key) || undefined);
      assert.ok(api.captureReads().cancelled.includes(key), 'cancelled, not completed');
      await new Promise((r) => setTimeout(r, 1000));
      const decoded = vscode.languages.getDiagnostics().filter(([u]) => u.scheme === 'sip-trace' && u.path.includes('closed-while-read'));
      assert.deepStrictEqual(decoded.map(([u, ds]) => [u.toString(), ds.length]), []);
    } finally {
      await closeAllEditors();
      await config.update('maxFileSizeMB', before, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(uri);
      await removeEmptyWorkspaceSettings();
    }
  });

  test('a capture with thousands of findings: at most 1000 diagnostics (errors first), the first line says how many in all', async () => {
    const uri = fixture('many-findings.pcap');
    await vscode.workspace.fs.writeFile(uri, repeatCapture(await vscode.workspace.fs.readFile(fixture('broken-register.pcap')), 600));
    try {
      const r = await vscode.commands.executeCommand<CheckCaptureResult>('sipTraceInspector.checkCapture', uri.toString(), { show: false });
      assert.ok(r, 'the command returns its result');
      assert.strictEqual(r.messages, 1200);
      assert.strictEqual(r.findings, 2401);
      assert.strictEqual(r.shown, false, 'show: false');
      const decoded = vscode.Uri.parse(r.decoded);
      const ds = await waitForDiagnostics(decoded, (d) => d.length === 1000);
      assert.ok(ds.every((d) => d.severity === vscode.DiagnosticSeverity.Error));
      const doc = await vscode.workspace.openTextDocument(decoded);
      assert.match(doc.lineAt(0).text, /^### many-findings\.pcap · 1200 SIP messages, \d+ REGISTER exchanges, 2401 findings, 0 reading problems$/);
      // The last message's block is where the append-only layout put it.
      assert.strictEqual(doc.lineAt(doc.lineCount - 1).text, '');
      const last = ds.find((d) => doc.getText(d.range) === CONTACT_VALUE);
      assert.ok(last, 'a finding with its exact range');
    } finally {
      await closeAllEditors();
      await vscode.workspace.fs.delete(uri);
    }
  });
});

suite('Decoded view text', () => {
  test('built in slices (a macrotask apart), it is exactly the text built at once', async () => {
    const bytes = repeatCapture(await vscode.workspace.fs.readFile(fixture('broken-register.pcap')), 600);
    const layout = renderDecoded(analyzeBytes(bytes, {}), 'many.pcap');
    const whole = layout.text;
    assert.ok(whole.length > 500000, `${whole.length} characters`);
    let pauses = 0;
    const pause = () => new Promise<void>((resolve) => setTimeout(() => (pauses++, resolve()), 0));
    for (const perSlice of [1, 7, 1000, 2000, 5000]) {
      pauses = 0;
      assert.strictEqual(await layout.textInSlices(pause, perSlice), whole, `${perSlice} messages a slice`);
      assert.strictEqual(pauses, Math.ceil(1200 / perSlice) - 1, `pauses with ${perSlice} messages a slice`);
    }
    // No messages: the first line only.
    const empty = renderDecoded(analyzeBytes(new Uint8Array(0), {}), 'empty.pcap');
    assert.strictEqual(await empty.textInSlices(pause), empty.text);
  });
});

/** A classic pcap with `copies` copies of `pcap`'s records, each copy an hour after the one before. */
function repeatCapture(pcap: Uint8Array, copies: number): Uint8Array {
  const v = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const le = v.getUint32(0, true) === 0xa1b2c3d4;
  const records: Uint8Array[] = [];
  for (let o = 24; o + 16 <= pcap.length; ) {
    const len = v.getUint32(o + 8, le);
    records.push(pcap.subarray(o, o + 16 + len));
    o += 16 + len;
  }
  const body = records.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(24 + copies * body);
  out.set(pcap.subarray(0, 24));
  const d = new DataView(out.buffer);
  let o = 24;
  for (let c = 0; c < copies; c++) {
    for (const r of records) {
      out.set(r, o);
      d.setUint32(o, new DataView(r.buffer, r.byteOffset).getUint32(0, le) + c * 3600, le);
      o += r.length;
    }
  }
  return out;
}

/** The pcap with UDP junk records (port 9, zero payload) appended until it has `size` bytes. */
function padCapture(pcap: Uint8Array, size: number): Uint8Array {
  const le = pcap[0] === 0xd4;
  const frame = new Uint8Array(14 + 20 + 8 + 1400);
  const f = new DataView(frame.buffer);
  f.setUint16(12, 0x0800);
  frame[14] = 0x45;
  f.setUint16(16, 20 + 8 + 1400);
  frame[22] = 64;
  frame[23] = 17;
  frame.set([192, 0, 2, 99, 192, 0, 2, 98], 26);
  f.setUint16(34, 9);
  f.setUint16(36, 9);
  f.setUint16(38, 8 + 1400);
  const count = Math.ceil((size - pcap.length) / (16 + frame.length));
  const out = new Uint8Array(pcap.length + count * (16 + frame.length));
  out.set(pcap);
  const d = new DataView(out.buffer);
  for (let i = 0, o = pcap.length; i < count; i++, o += 16 + frame.length) {
    d.setUint32(o, 2000 + i, le);
    d.setUint32(o + 8, frame.length, le);
    d.setUint32(o + 12, frame.length, le);
    out.set(frame, o + 16);
  }
  return out;
}

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
