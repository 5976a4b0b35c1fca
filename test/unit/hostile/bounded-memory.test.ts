/**
 * Bounded memory, checked from outside: the worst hostile inputs are streamed (generated chunk by
 * chunk here, never held whole) through a FIFO into the real CLI, `node --max-old-space-size=128
 * dist/cli.js messages --json <fifo>`, which must finish with exit code 0, the expected problems, the
 * good messages around the damage, and a peak resident size well below the input's size. When
 * dist/cli.js has not been built, a small runner over out/src/core does the same reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Problem } from '../../../src/core/types';
import { ascii, ByteWriter, ethernet, ipv4, tcp } from '../../helpers/captureBuilder';
import { repoRoot } from '../../helpers/paths';
import { reg, udpFrame } from './helpers';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const runner = path.join(__dirname, 'streamRunner.js');
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

/**
 * Streams `source` into the CLI (or the runner) under a 128 MB heap, through a FIFO (a real
 * pipe: the child reads a path, as the CLI reads files, and the writer waits on it).
 */
async function stream(source: () => AsyncGenerator<Uint8Array> | Generator<Uint8Array>): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sip-hostile-'));
  const fifo = path.join(dir, 'trace.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  const args = ['--max-old-space-size=128', '--require', maxRss, ...(fs.existsSync(cli) ? [cli, 'messages', '--json', fifo] : [runner, fifo])];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let bytes = 0;
  const sink = fs.createWriteStream(fifo);
  let broken = false;
  sink.on('error', () => (broken = true)); // a child that dies early closes the pipe
  for await (const chunk of source()) {
    if (broken || child.exitCode !== null) break;
    bytes += chunk.length;
    if (!sink.write(chunk)) await new Promise<void>((r) => { const go = () => r(); sink.once('drain', go); sink.once('error', go); child.once('close', go); });
  }
  await new Promise<void>((r) => sink.end(() => r()));
  const code = await done;
  fs.rmSync(dir, { recursive: true, force: true });
  const text = Buffer.concat(out).toString('utf8');
  const rss = /MAXRSS_KB=(\d+)/.exec(err);
  let json: Run['json'];
  try {
    json = JSON.parse(text);
  } catch {
    assert.fail(`no JSON from the child (exit ${code}):\n${err.slice(-3000)}`);
  }
  return { code, json, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN, bytes, ms: performance.now() - t0, stderr: err };
}

function countCodes(problems: Problem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of problems) out[p.code] = (out[p.code] ?? 0) + 1;
  return out;
}

test('bounded memory: a log of one 200 MB line, streamed, under a 128 MB heap', { timeout: 180000 }, async (t) => {
  const enc = new TextEncoder();
  const first = enc.encode(reg(1));
  const line = Buffer.alloc(MiB, 0x61);
  const r = await stream(function* () {
    yield first;
    for (let i = 0; i < 200; i++) yield line;
    yield enc.encode('\n' + reg(2));
  });
  t.diagnostic(`${(r.bytes / MiB).toFixed(0)} MiB in ${Math.round(r.ms)} ms, peak RSS ${r.maxRssMb.toFixed(0)} MB (${fs.existsSync(cli) ? 'dist/cli.js' : 'runner'})`);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.equal(r.json.format, 'log');
  assert.deepEqual(r.json.messages.map((m) => m.callId), ['hostile-1@192.0.2.10', 'hostile-2@192.0.2.10']);
  const lineNo = reg(1).split('\r\n').length;
  assert.deepEqual(r.json.problems.map((p) => [p.code, p.line, p.column]), [['log-line-too-long', lineNo, 1048577]]);
  assert.ok(r.maxRssMb < 180, `peak RSS ${r.maxRssMb} MB for a 200 MB input`);
});

/** A classic pcap written record by record (snaplen 2^32-1, Ethernet). */
function* pcapStream(): Generator<Uint8Array> {
  const hdr = new ByteWriter(true).u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(0xffffffff).u32(1).out();
  yield hdr;
  let frame = 0;
  const rec = (data: Uint8Array, origLen = data.length, inclLen = data.length) => {
    frame++;
    return new ByteWriter(true).u32(1700000000 + Math.floor(frame / 1000)).u32((frame % 1000) * 1000).u32(inclLen).u32(origLen).bytes(data).out();
  };
  yield rec(udpFrame(reg(1)));
  // 1. a TCP connection that sends 192 MB of header lines and never an empty line (more than the
  //    peak RSS allowed, so holding it would show); records are batched into 1 MiB chunks
  const head = ascii('REGISTER sip:ims.example.net SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK1\r\n');
  let seq = 1000;
  yield rec(ethernet(0x0800, ipv4(tcp(40000, 5060, head, { seq }), { proto: 6 })));
  seq += head.length;
  const filler = ascii('X-Filler: ' + 'f'.repeat(1386) + '\r\n');
  const template = rec(ethernet(0x0800, ipv4(tcp(40000, 5060, filler, { seq }), { proto: 6 })));
  frame--;
  const seqAt = 16 + 14 + 20 + 4; // record header, Ethernet, IPv4, then the TCP sequence number
  const perChunk = Math.floor(MiB / template.length);
  for (let sent = 0; sent < 192 * MiB; sent += perChunk * filler.length) {
    const chunk = new Uint8Array(perChunk * template.length);
    for (let k = 0; k < perChunk; k++) {
      const o = k * template.length;
      chunk.set(template, o);
      chunk[o + seqAt] = seq >>> 24;
      chunk[o + seqAt + 1] = (seq >>> 16) & 0xff;
      chunk[o + seqAt + 2] = (seq >>> 8) & 0xff;
      chunk[o + seqAt + 3] = seq & 0xff;
      seq = (seq + filler.length) >>> 0;
      frame++;
    }
    yield chunk;
  }
  yield rec(udpFrame(reg(2)));
  // 2. twenty thousand IPv4 datagrams whose fragments never complete
  const piece = new Uint8Array(1400);
  for (let id = 0; id < 20000; id++) yield rec(ethernet(0x0800, ipv4(piece, { id: id & 0xffff, src: `10.1.${id >> 8}.${id & 255}`, more: true })));
  // 3. a 16 MB record the file header allows (snaplen 2^32-1): skipped as it streams past
  const big = 16 * MiB;
  yield new ByteWriter(true).u32(1700000100).u32(0).u32(big).u32(big).out();
  frame++;
  const zeros = new Uint8Array(MiB);
  for (let i = 0; i < big / MiB; i++) yield zeros;
  yield rec(udpFrame(reg(3)));
  // 4. Content-Length: 4294967295 in a datagram
  yield rec(udpFrame(reg(4).replace('Content-Length: 0', 'Content-Length: 4294967295')));
  // 5. a TCP message announcing a 10 MB body, and sending it
  const long = ascii(reg(5).replace('Content-Length: 0', 'Content-Length: 10000000'));
  let s2 = 7000;
  yield rec(ethernet(0x0800, ipv4(tcp(40001, 5060, long, { seq: s2 }), { proto: 6 })));
  s2 += long.length;
  const body = new Uint8Array(1400).fill(0x62);
  for (let sent = 0; sent < 10000000; sent += body.length) {
    const n = Math.min(body.length, 10000000 - sent);
    yield rec(ethernet(0x0800, ipv4(tcp(40001, 5060, body.subarray(0, n), { seq: s2 }), { proto: 6 })));
    s2 += n;
  }
  yield rec(ethernet(0x0800, ipv4(tcp(40001, 5060, ascii(reg(6)), { seq: s2 }), { proto: 6 })));
  yield rec(udpFrame(reg(7)));
}

test('bounded memory: a capture of the worst cases (no CRLFCRLF for 192 MB, 20 000 unfinished datagrams, a 16 MB record, huge Content-Lengths), streamed, under a 128 MB heap', { timeout: 300000 }, async (t) => {
  const r = await stream(pcapStream);
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
  const tooLarge = r.json.problems.find((p) => p.code === 'pcap-record-too-large')!;
  assert.equal(tooLarge.severity, 'warning');
  assert.match(tooLarge.message, /claims 16777216 captured bytes, more than the 262144 this reader buffers; the frame is skipped/);
  assert.ok(r.bytes > 240 * MiB);
  assert.ok(r.maxRssMb < 200, `peak RSS ${r.maxRssMb} MB for a ${(r.bytes / MiB).toFixed(0)} MiB input`);
});
