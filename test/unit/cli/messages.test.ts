/**
 * `sip-inspect messages` on every capture and log of the fixtures and of the public corpus:
 * readable, the right number of SIP messages, problems with locations, and the documented JSON.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { listMessages } from '../../../src/cli/messagesCommand';
import { corpusPresent, corpusRoot, fixturesRoot, listFiles, repoRoot } from '../../helpers/paths';

interface ManifestEntry {
  path: string;
  sipMessages?: number;
  sipMessagesDecoded?: number;
}
const manifest: ManifestEntry[] = JSON.parse(fs.readFileSync(path.join(fixturesRoot, 'MANIFEST.json'), 'utf8')).fixtures;

/**
 * Where the right count differs from what tshark sees (MANIFEST sipMessages/sipMessagesDecoded
 * are tshark's counts), the correct count and why.
 */
const TRUE_COUNTS: Record<string, { count: number; why: string }> = {
  'test/fixtures/captures/tcp/tcp-out-of-order.pcap': { count: 4, why: 'tshark 4.0 does not reassemble the reordered REGISTER (MANIFEST notes)' },
};

test('messages: every fixture capture and log gives the expected number of SIP messages', async () => {
  assert.ok(manifest.length >= 50);
  const wrong: string[] = [];
  for (const f of manifest) {
    const expected = TRUE_COUNTS[f.path]?.count ?? f.sipMessagesDecoded ?? f.sipMessages;
    if (expected === undefined) continue;
    const r = await listMessages(path.join(repoRoot, f.path));
    assert.equal(r.unreadable, false, f.path);
    if (r.messages.length !== expected) wrong.push(`${f.path}: ${r.messages.length} messages, expected ${expected}`);
    for (const p of r.problems) {
      assert.ok(p.frame !== undefined || p.offset !== undefined || p.line !== undefined, `${f.path}: problem ${p.code} has a location`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('messages: the damaged capture reports its truncated record with a location and keeps the rest', async () => {
  const r = await listMessages(path.join(fixturesRoot, 'captures/damaged/truncated-mid-record.pcap'));
  assert.equal(r.format, 'pcap');
  assert.equal(r.messages.length, 6);
  const cut = r.problems.find((p) => /truncat/.test(p.code));
  assert.ok(cut, JSON.stringify(r.problems));
  assert.equal(typeof cut.offset, 'number');
});

test('messages: every capture and log of the public corpus is read', { skip: corpusPresent ? false : `corpus absent at ${corpusRoot}` }, async () => {
  const files = [
    ...listFiles(path.join(corpusRoot, 'pcap'), (n) => /\.(pcap|pcapng|cap)$/.test(n)),
    ...listFiles(path.join(corpusRoot, 'logs'), () => true),
    ...listFiles(path.join(corpusRoot, 'messages'), (n) => n.endsWith('.sip')),
  ];
  assert.ok(files.length >= 80, `${files.length} corpus files`);
  let total = 0;
  for (const file of files) {
    const r = await listMessages(file);
    assert.equal(r.unreadable, false, file);
    total += r.messages.length;
    // The sibling .tshark.txt lists one line per SIP frame (tshark 4.0.17): we find at least that many.
    const sibling = `${file}.tshark.txt`;
    if (fs.existsSync(sibling)) {
      const frames = fs.readFileSync(sibling, 'utf8').split('\n').filter((l) => /^\d+\t/.test(l)).length;
      assert.ok(r.messages.length >= frames, `${file}: ${r.messages.length} messages < ${frames} SIP frames in tshark's listing`);
    }
  }
  // 87 files, 494 messages (captures: at least tshark's 398 SIP frames, more where a frame holds
  // several messages or tshark misses one). A change here means we now find more or fewer
  // messages in third-party data: find out which tool is right before updating the figure.
  assert.equal(total, 494);
});

test('messages --json: one object with file, format, messages (frame or line, time, transport, src, dst, method or status, Call-ID, CSeq) and problems', () => {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) return assert.fail('dist/cli.js is missing: npm test builds it');
  const pcap = spawnSync(process.execPath, [cli, 'messages', '--json', path.join(fixturesRoot, 'captures/link/compliant-nanosecond.pcap')], { encoding: 'utf8' });
  assert.equal(pcap.status, 0, pcap.stderr);
  const out = JSON.parse(pcap.stdout);
  assert.equal(out.format, 'pcap');
  assert.deepEqual(Object.keys(out), ['file', 'format', 'messages', 'problems']);
  const first = out.messages[0];
  assert.equal(first.frame, 1);
  assert.match(first.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/, 'nanosecond capture keeps 9 digits');
  assert.equal(first.transport, 'UDP');
  assert.match(first.src, /^127\.0\.0\.1:\d+$/);
  assert.equal(first.method, 'REGISTER');
  assert.equal(first.callId, 'fx-compliant-reg@fixture.invalid');
  assert.equal(first.cseq, '1 REGISTER');
  assert.equal(out.messages[1].status, 401);
  const log = spawnSync(process.execPath, [cli, 'messages', '--json', path.join(fixturesRoot, 'logs/generated/sipp/compliant.messages.log')], { encoding: 'utf8' });
  const lo = JSON.parse(log.stdout);
  assert.equal(lo.format, 'log');
  assert.equal(typeof lo.messages[0].line, 'number');
  assert.equal(lo.messages[0].frame, undefined);
  const missing = spawnSync(process.execPath, [cli, 'messages', path.join(fixturesRoot, 'nope.pcap')], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
});
