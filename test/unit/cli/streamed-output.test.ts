/**
 * `check`'s three output formats are written as the findings come, so the memory a run needs does
 * not grow with the number of findings (a 1 GB capture gives hundreds of thousands: collecting
 * them for SARIF took 1.8 GB of memory; docs/performance.md). Checked from outside: a capture with
 * 12 000 non-compliant re-registrations (72 000 findings, 80 MB of SARIF) goes through the bundled
 * CLI under a 40 MB JavaScript heap, which the collecting version exceeded; the summaries of
 * 12 000 bindings at the end of a capture go through a slow pipe under the same heap (standard
 * output is written with blocking writes, so nothing queues in memory); a closed pipe ends the
 * command quietly. And the streaming SARIF writer writes exactly the document `buildSarif` builds.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { buildSarif, SarifWriter, type SarifInput } from '../../../src/core/report/sarif';
import { buildPcap } from '../../helpers/captureBuilder';
import { repoRoot } from '../../helpers/paths';
import { registerText, replyText } from '../../fuzz/seeds';
import { udpFrame } from '../hostile/helpers';

const CLI = path.join(repoRoot, 'dist', 'cli.js');
const skipNoCli = fs.existsSync(CLI) ? false : 'dist/cli.js is missing: run `npm run build` (npm test does)';
const REREGISTRATIONS = 12000;

/** One binding refreshed every second, each REGISTER without `Require: pref` nor the IM User-Agent token. */
function floodCapture(file: string): void {
  const records = [];
  for (let i = 0; i < REREGISTRATIONS; i++) {
    const req = registerText({ cseq: i + 1, contact: '<sip:alice@192.0.2.10:5060>;expires=600' })
      .replace('Require: pref\r\n', '')
      .replace(/User-Agent: .*\r\n/, 'User-Agent: Plain/1.0\r\n');
    records.push({ sec: 1700000000 + i, frac: 0, data: udpFrame(req) });
    records.push({ sec: 1700000000 + i, frac: 500000, data: udpFrame(replyText(req, 200)) });
  }
  fs.writeFileSync(file, buildPcap({}, records).bytes);
}

test('check streams SARIF and JSON: 72 000 findings under a 40 MB heap', { skip: skipNoCli, timeout: 120000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sip-inspect-stream-'));
  try {
    const capture = path.join(dir, 'flood.pcap');
    floodCapture(capture);
    const counts: Record<string, number> = {};
    for (const format of ['sarif', 'json']) {
      const out = path.join(dir, `out.${format}`);
      const fd = fs.openSync(out, 'w');
      const r = spawnSync(process.execPath, ['--max-old-space-size=40', CLI, 'check', '--format', format, '--fail-on', 'never', capture], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      fs.closeSync(fd);
      assert.equal(r.status, 0, `${format}: exit ${r.status} ${r.signal ?? ''}\n${r.stderr.slice(-1500)}`);
      const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
      if (format === 'sarif') {
        const results = doc.runs[0].results as { ruleId: string; ruleIndex: number }[];
        const rules = doc.runs[0].tool.driver.rules as { id: string }[];
        assert.ok(results.every((x) => rules[x.ruleIndex].id === x.ruleId), 'every ruleIndex names its rule');
        assert.equal(doc.runs[0].artifacts[0].mimeType, 'application/vnd.tcpdump.pcap');
        counts.sarif = results.length;
      } else {
        assert.equal(doc.files[0].exchanges.length, REREGISTRATIONS);
        counts.json = doc.files[0].findings.length;
      }
      fs.rmSync(out);
    }
    // Per REGISTER: OMA-IM-REG-008 (no Require: pref) and the User-Agent rule at least.
    assert.ok(counts.sarif > 4 * REREGISTRATIONS, `${counts.sarif} results`);
    assert.equal(counts.sarif, counts.json);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** 12 000 bindings (distinct AORs), each registered once: the end of the capture summarises each. */
function bindingsCapture(file: string, n: number): void {
  const records = [];
  for (let i = 0; i < n; i++) {
    const req = registerText({ cseq: 1, contact: `<sip:u${i}@192.0.2.10:5060>;expires=600` })
      .replace(/alice/g, `u${i}`)
      .replace('reg-1@', `binding-${i}@`);
    records.push({ sec: 1700000000 + i, frac: 0, data: udpFrame(req) });
    records.push({ sec: 1700000000 + i, frac: 500000, data: udpFrame(replyText(req, 200)) });
  }
  fs.writeFileSync(file, buildPcap({}, records).bytes);
}

/** Runs the CLI with its output to a pipe read by `consume`; resolves with the exit status and stderr. */
function throughPipe(args: string[], consume: (out: NodeJS.ReadableStream, stop: () => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    consume(child.stdout, () => child.stdout.destroy());
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

test('check --format sarif through a slow pipe: the end-of-capture summaries of 12 000 bindings under a 40 MB heap', { skip: skipNoCli, timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sip-inspect-stream-'));
  try {
    const capture = path.join(dir, 'bindings.pcap');
    bindingsCapture(capture, 12000);
    let bytes = 0;
    let summaries = 0;
    let tail = '';
    let last = '';
    const r = await throughPipe(['--max-old-space-size=40', CLI, 'check', '--format', 'sarif', '--fail-on', 'never', capture], (out) => {
      // A reader slower than the checker: 20 ms pauses now and then.
      out.on('data', (d: Buffer) => {
        bytes += d.length;
        const text = tail + d.toString('latin1');
        const lines = text.split('\n');
        tail = lines.pop() ?? '';
        if (lines.length > 0) last = lines[lines.length - 1];
        summaries += lines.filter((l) => l.trim() === '"ruleId": "FLOW-001",').length;
        out.pause();
        setTimeout(() => out.resume(), bytes % 7 === 0 ? 20 : 0);
      });
    });
    assert.equal(r.code, 0, `exit ${r.code} ${r.signal ?? ''}\n${r.stderr.slice(-1500)}`);
    assert.equal(summaries, 12000, 'one summary per binding');
    assert.equal(last, '}', 'the document is complete');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('check | head: the reader closes the pipe; check stops quietly with status 141 (as SIGPIPE would)', { skip: skipNoCli, timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sip-inspect-stream-'));
  try {
    const capture = path.join(dir, 'flood.pcap');
    floodCapture(capture);
    let first = '';
    const r = await throughPipe([CLI, 'check', capture], (out, stop) => {
      out.once('data', (d: Buffer) => {
        first = d.toString('utf8').split('\n')[0];
        stop();
      });
    });
    assert.match(first, /flood\.pcap#frame 1: error /);
    assert.equal(r.code, 141, r.stderr);
    assert.equal(r.stderr, '', 'no stack trace, no message');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const INPUT: SarifInput = {
  toolVersion: '1.2.3',
  informationUri: 'https://example.invalid/tool',
  rules: [
    { id: 'OMA-IM-REG-008', title: 'Require: pref', defaultSeverity: 'error', helpText: 'what why', helpMarkdown: '**md**', helpUri: 'https://example.invalid/008', clause: '§5.2.1' },
    { id: 'FLOW-001', title: 'Binding', defaultSeverity: 'info', helpText: 'flow', helpUri: 'https://example.invalid/f1' },
  ],
  files: [
    { path: 'a dir/trace.pcap', format: 'pcap' },
    { path: 'log.txt', format: 'log' },
  ],
  results: [
    { ruleId: 'OMA-IM-REG-008', severity: 'error', message: 'no "Require: pref"\n(two lines)', file: 'a dir/trace.pcap', location: { kind: 'binary', frame: 3, byteOffset: 120, byteLength: 14 }, related: [{ message: 'the 200 OK', location: { kind: 'binary', frame: 4 } }], fingerprint: 'OMA-IM-REG-008:3:120' },
    { ruleId: 'FLOW-001', severity: 'info', message: 'binding', file: 'log.txt', location: { kind: 'text', startLine: 7, startColumn: 1, endLine: 7, endColumn: 9, snippet: 'REGISTER sip:x SIP/2.0' } },
    { ruleId: 'NOT-A-RULE', severity: 'warning', message: 'unknown rule: no ruleIndex', file: 'log.txt', location: { kind: 'text', startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 } },
  ],
  notifications: [{ file: 'log.txt', message: 'log-line-too-long: a line', severity: 'warning', location: { kind: 'text', startLine: 9, startColumn: 1, endLine: 9, endColumn: 2 } }],
};

function written(input: SarifInput): string {
  const w = new SarifWriter({ ...input, files: input.files.map((f) => f.path) });
  let text = w.begin();
  for (const r of input.results) text += w.result(r);
  return text + w.end(input.files, input.notifications ?? []);
}

test('SarifWriter writes, piece by piece, exactly the text of JSON.stringify(buildSarif(input), null, 2)', () => {
  for (const input of [INPUT, { ...INPUT, results: [], notifications: [] }, { ...INPUT, results: INPUT.results.slice(0, 1), notifications: undefined }]) {
    assert.equal(written(input), JSON.stringify(buildSarif(input), null, 2));
  }
  const doc = JSON.parse(written(INPUT));
  assert.deepEqual(
    doc.runs[0].results.map((r: { ruleIndex?: number }) => r.ruleIndex),
    [0, 1, undefined],
  );
});
