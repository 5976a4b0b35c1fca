import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FragmentReassembler } from '../../../src/core/net/fragments';
import type { Problem } from '../../../src/core/types';
import {
  concat, decodeFrames, ethernet, fragmentIpv4, fragmentIpv6, ipv4, ipv6Ext, tcp, udp, type FrameIn,
} from '../../helpers/captureBuilder';

/** A UDP datagram of 3000 payload bytes: fragments of 1480 bytes -> 3 fragments. */
const BIG = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
const UDP_BIG = udp(5060, 5060, BIG);
const v4frags = (o = {}) => fragmentIpv4(UDP_BIG, 1480, { id: 0x1234, src: '10.1.1.1', dst: '10.2.2.2', ...o }).map((p) => ethernet(0x0800, p));
const eth = (data: Uint8Array, extra: Partial<FrameIn> = {}): FrameIn => ({ linkType: 1, data, ...extra });

test('IPv4 fragments in order: delivered at the completing frame, without a file offset', () => {
  const f = v4frags();
  assert.equal(f.length, 3);
  const r = decodeFrames(f.map((d) => eth(d)));
  assert.deepEqual(r.problems, []);
  assert.equal(r.udp.length, 1);
  const p = r.udp[0];
  assert.deepEqual([p.frame, p.ts, p.src, p.dst, p.fileOffset, 'fileOffset' in p], [3, { sec: 1002, nsec: 0 }, { ip: '10.1.1.1', port: 5060 }, { ip: '10.2.2.2', port: 5060 }, undefined, false]);
  assert.deepEqual(p.data, BIG);
});

test('IPv4 fragments out of order, with duplicates and a late duplicate after completion', () => {
  const [a, b, c] = v4frags();
  const r = decodeFrames([c, a, a, b, b, c].map((d) => eth(d)));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.udp.map((p) => p.frame), [4]);
  assert.deepEqual(r.udp[0].data, BIG);
});

test('overlapping fragments are reported; the first-arrived bytes win', () => {
  const [a, , c] = v4frags();
  // A second fragment covering bytes 1480..2968 whose content differs, and one overlapping a at 1400.
  const mid = UDP_BIG.slice(1480, 2960);
  const altered = mid.slice();
  altered.fill(0xab, 0, 100);
  const overlapping = ipv4(UDP_BIG.subarray(1400, 2960), { id: 0x1234, src: '10.1.1.1', dst: '10.2.2.2', fragOffset: 1400, more: true });
  const r = decodeFrames([
    eth(a),
    eth(ethernet(0x0800, ipv4(mid, { id: 0x1234, src: '10.1.1.1', dst: '10.2.2.2', fragOffset: 1480, more: true }))),
    eth(ethernet(0x0800, ipv4(altered, { id: 0x1234, src: '10.1.1.1', dst: '10.2.2.2', fragOffset: 1480, more: true }))),
    eth(ethernet(0x0800, overlapping)),
    eth(c),
  ]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['ip-fragment-overlap', 3], ['ip-fragment-overlap', 4]]);
  assert.match(r.problems[0].message, /with different content; the earlier bytes are kept/);
  assert.doesNotMatch(r.problems[1].message, /different content/);
  assert.deepEqual(r.udp.map((p) => p.frame), [5]);
  assert.deepEqual(r.udp[0].data, BIG);
});

test('a datagram that never completes is reported at end() naming its frames', () => {
  const [a, , c] = v4frags();
  const r = decodeFrames([eth(a), eth(ethernet(0x0800, ipv4(udp(1, 2, new Uint8Array(4))))), eth(c)]);
  assert.deepEqual(r.udp.map((p) => p.frame), [2]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame, p.severity]), [['ip-fragments-incomplete', 1, 'warning']]);
  assert.equal(r.problems[0].message, 'IPv4 datagram 10.1.1.1 -> 10.2.2.2 id 0x1234 (UDP): fragments in frames 1, 3 never completed (1528 of 3008 bytes).');
});

test('an incomplete datagram times out after 30 s of capture time (configurable)', () => {
  const [a, b, c] = v4frags();
  const later = (sec: number, d: Uint8Array): FrameIn => eth(d, { ts: { sec, nsec: 0 } });
  const r = decodeFrames([later(100, a), later(129, b), later(131, c)]);
  // Fragment c starts a new datagram after the timeout; it never completes either.
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['ip-fragments-timeout', 1], ['ip-fragments-incomplete', 3]]);
  assert.match(r.problems[0].message, /frames 1, 2 timed out after 30 s/);
  assert.equal(r.udp.length, 0);
  const short = decodeFrames([later(100, a), later(102, b), later(103, c)], { fragmentTimeoutSec: 1 });
  assert.deepEqual(short.problems.map((p) => [p.code, p.frame]), [['ip-fragments-timeout', 1], ['ip-fragments-incomplete', 2]]);
  const ok = decodeFrames([later(100, a), later(129, b), later(130, c)]);
  assert.deepEqual([ok.problems, ok.udp.map((p) => p.frame)], [[], [3]]);
});

test('too many pending datagrams: the oldest is evicted with a problem', () => {
  const firsts = [1, 2, 3].map((id) => v4frags({ id })[0]);
  const r = decodeFrames(firsts.map((d) => eth(d)), { maxPendingDatagrams: 2 });
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['ip-fragments-evicted', 1], ['ip-fragments-incomplete', 2], ['ip-fragments-incomplete', 3]]);
  assert.match(r.problems[0].message, /id 0x1 .*dropped at frame 3/);
});

test('a fragment past the datagram size limit is dropped with a problem', () => {
  const f = v4frags();
  const r = decodeFrames(f.map((d) => eth(d)), { maxFragmentBytes: 2000 });
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['ip-fragment-too-large', 2], ['ip-fragment-too-large', 3], ['ip-fragments-incomplete', 1]]);
  assert.equal(r.udp.length, 0);
});

test('different source, protocol or id: different datagrams', () => {
  const [a1, b1] = fragmentIpv4(udp(1, 2, new Uint8Array(20)), 16, { id: 5, src: '10.0.0.1' });
  const [a2, b2] = fragmentIpv4(udp(1, 2, new Uint8Array(20)), 16, { id: 5, src: '10.0.0.9' });
  const [a3, b3, none] = fragmentIpv4(tcp(1, 2, new Uint8Array(4)), 16, { id: 5, src: '10.0.0.1', proto: 6 });
  assert.equal(none, undefined);
  const r = decodeFrames([a1, a2, a3, b3, b2, b1].map((d) => ({ linkType: 101, data: d })));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.src.ip]), [[5, '10.0.0.9'], [6, '10.0.0.1']]);
  assert.deepEqual(r.tcp.map((s) => [s.frame, s.data.length]), [[4, 4]]);
});

test('malformed and snaplen-cut fragments', () => {
  const [a, b] = v4frags();
  const odd = ipv4(new Uint8Array(13), { id: 9, more: true });
  const r = decodeFrames([
    { linkType: 101, data: odd },
    eth(a.subarray(0, 200), { origLen: a.length }),
    eth(b),
  ]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['ip-fragment-malformed', 1], ['packet-truncated', 2], ['ip-fragments-incomplete', 3]]);
});

test('IPv6 fragments out of order, with an extension header in the fragmentable part', () => {
  const upper = concat(ipv6Ext(17, 1), UDP_BIG);
  const frags = fragmentIpv6(60, upper, 1232, 0xdeadbeef, { src: '2001:db8::1', dst: '2001:db8::2' });
  assert.equal(frags.length, 3);
  const r = decodeFrames([frags[1], frags[2], frags[0]].map((d) => ({ linkType: 229, data: d })));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.src.ip, p.dst.ip, p.fileOffset]), [[3, '2001:db8::1', '2001:db8::2', undefined]]);
  assert.deepEqual(r.udp[0].data, BIG);
  const lost = decodeFrames([frags[0], frags[2]].map((d) => ({ linkType: 229, data: d })));
  assert.deepEqual(lost.problems.map((p) => [p.code, p.frame]), [['ip-fragments-incomplete', 1]]);
  assert.match(lost.problems[0].message, /^IPv6 datagram 2001:db8::1 -> 2001:db8::2 id 0xdeadbeef \(protocol 60\): fragments in frames 1, 2/);
});

test('IPv6 atomic fragment (offset 0, M = 0) is a whole packet', () => {
  const [whole] = fragmentIpv6(17, udp(1, 2, new Uint8Array(10)), 1232, 7);
  const r = decodeFrames([{ linkType: 229, data: whole }]);
  assert.deepEqual([r.problems, r.udp.map((p) => [p.frame, p.data.length, p.fileOffset])], [[], [[1, 10, 1000 + 40 + 8 + 8]]]);
});

test('FragmentReassembler: inconsistent last fragments and memory bound', () => {
  const problems: Problem[] = [];
  const fr = new FragmentReassembler({ problem: (p) => problems.push(p) });
  const label = () => 'D';
  assert.equal(fr.add('k', label, 1, 0, 0, true, new Uint8Array(16)), undefined);
  assert.equal(fr.add('k', label, 2, 0, 32, false, new Uint8Array(8)), undefined);
  assert.equal(fr.add('k', label, 3, 0, 16, false, new Uint8Array(8)), undefined); // second "last" ending at 24
  assert.equal(fr.add('k', label, 4, 0, 40, true, new Uint8Array(8)), undefined); // past the end
  const done = fr.add('k', label, 5, 0, 16, true, new Uint8Array(16).fill(1));
  assert.deepEqual(done?.frames, [1, 2, 5]);
  assert.equal(done?.data.length, 40);
  assert.equal(fr.pendingCount, 0);
  assert.deepEqual(problems.map((p) => [p.code, p.frame]), [['ip-fragment-inconsistent', 3], ['ip-fragment-inconsistent', 4]]);
});
