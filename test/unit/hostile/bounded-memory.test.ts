/**
 * Bounded memory, checked from outside: the worst hostile inputs are generated chunk by chunk by
 * a separate process (generate.ts, never holding them whole) and piped into the real CLI,
 * `node --max-old-space-size=128 dist/cli.js messages --json /dev/stdin`, which must finish with
 * exit code 0 (the heap limit is the memory check), the expected problems, the good messages
 * around the damage, and a peak resident size below the input's size (the input was never held
 * whole; memory targets are the benchmark's). When dist/cli.js has not been built, a small runner over
 * out/src/core (streamRunner.ts) reads stdin the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Problem } from '../../../src/core/types';
import { repoRoot } from '../../helpers/paths';
import { reg } from './helpers';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const runner = path.join(__dirname, 'streamRunner.js');
const generator = path.join(__dirname, 'generate.js');
const maxRss = path.join(__dirname, 'maxRss.js');
const MiB = 1024 * 1024;

interface Run {
  code: number | null;
  json: { format: string; messages: { callId?: string; frame?: number; line?: number }[]; problems: Problem[] };
  maxRssMb: number;
  bytes: number;
  ms: number;
  stderr: string;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `generate.js <stream> | node --max-old-space-size=128 <cli or runner>` through a real pipe. */
async function pipeThrough(stream: string, timeoutMs: number): Promise<Run> {
  const node = quote(process.execPath);
  const reader = fs.existsSync(cli) ? `${quote(cli)} messages --json /dev/stdin` : quote(runner);
  const script = `${node} ${quote(generator)} ${stream} | ${node} --max-old-space-size=128 --require ${quote(maxRss)} ${reader}`;
  const t0 = performance.now();
  // detached: a process group, so that a timeout kills the generator and the reader together
  const child = spawn('bash', ['-c', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  const text = Buffer.concat(out).toString('utf8');
  let json: Run['json'];
  try {
    json = JSON.parse(text);
  } catch {
    assert.fail(`no JSON from the reader (exit ${code}, ${Math.round(performance.now() - t0)} ms):\n${err.slice(-3000)}`);
  }
  const rss = /MAXRSS_KB=(\d+)/.exec(err);
  const bytes = /GENERATED_BYTES=(\d+)/.exec(err);
  return { code, json, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN, bytes: bytes ? Number(bytes[1]) : NaN, ms: performance.now() - t0, stderr: err };
}

/** Problems per code: the listed ones, and those the one summary per code past the limit stands for. */
function countCodes(problems: Problem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of problems) out[p.code] = (out[p.code] ?? 0) + (p.elided ?? 1);
  return out;
}

test('bounded memory: a log of one 200 MB line, streamed, under a 128 MB heap', { timeout: 200000 }, async (t) => {
  const r = await pipeThrough('log-200mb-line', 180000);
  t.diagnostic(`${(r.bytes / MiB).toFixed(0)} MiB in ${Math.round(r.ms)} ms, peak RSS ${r.maxRssMb.toFixed(0)} MB (${fs.existsSync(cli) ? 'dist/cli.js' : 'runner'})`);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.ok(r.bytes > 200 * MiB);
  assert.equal(r.json.format, 'log');
  assert.deepEqual(r.json.messages.map((m) => m.callId), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  const lineNo = reg(1).split('\r\n').length;
  assert.deepEqual(r.json.problems.map((p) => [p.code, p.line, p.column]), [['log-line-too-long', lineNo, 1048577]]);
  // not a memory target (the benchmark has those): the input was never held whole
  assert.ok(r.maxRssMb * MiB < r.bytes, `peak RSS ${r.maxRssMb} MB for a ${(r.bytes / MiB).toFixed(0)} MiB input`);
});

test('bounded memory: a capture of the worst cases (no CRLFCRLF for 192 MB, 20 000 unfinished datagrams, a 16 MB record, huge Content-Lengths), streamed, under a 128 MB heap', { timeout: 320000 }, async (t) => {
  const r = await pipeThrough('pcap-worst', 300000);
  t.diagnostic(`${(r.bytes / MiB).toFixed(0)} MiB in ${Math.round(r.ms)} ms, peak RSS ${r.maxRssMb.toFixed(0)} MB, ${r.json.problems.length} problems`);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.equal(r.json.format, 'pcap');
  assert.deepEqual(r.json.messages.map((m) => m.callId), [
    'hostile-1@192.0.2.10',
    'hostile-2@192.0.2.10',
    'hostile-3@192.0.2.10',
    'hostile-4@192.0.2.10',
    'hostile-5@192.0.2.10',
    'hostile-6@192.0.2.10',
    'hostile-7@192.0.2.10',
  ]);
  assert.deepEqual(countCodes(r.json.problems), {
    'sip-header-too-long': 1,
    'tcp-unframed-bytes': 1,
    'tcp-stream-abandoned': 1,
    'ip-fragments-evicted': 20000 - 256,
    'ip-fragments-incomplete': 256,
    'pcap-record-too-large': 1,
    'sip-content-length-too-large': 1,
    'tcp-message-too-large': 1,
  });
  assert.ok(r.json.problems.every((p) => p.frame !== undefined || p.offset !== undefined), 'every problem is located');
  // 19 744 evictions: the first 100 listed, the rest in one problem (problemLimit.ts).
  assert.equal(r.json.problems.filter((p) => p.code === 'ip-fragments-evicted').length, 101);
  const tooLarge = r.json.problems.find((p) => p.code === 'pcap-record-too-large')!;
  assert.equal(tooLarge.severity, 'warning');
  assert.match(tooLarge.message, /claims 16777216 captured bytes, more than the 262144 this reader buffers; the frame is skipped/);
  assert.ok(r.bytes > 240 * MiB);
  assert.ok(r.maxRssMb * MiB < r.bytes, `peak RSS ${r.maxRssMb} MB for a ${(r.bytes / MiB).toFixed(0)} MiB input`);
});
