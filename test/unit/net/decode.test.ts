import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpFlags } from '../../../src/core/types';
import {
  ascii, concat, decodeFrames, ethernet, gre, ipv4, ipv6, ipv6Ah, ipv6Ext, nullLink, sll, sll2, tcp, udp, ByteWriter, type FrameIn,
} from '../../helpers/captureBuilder';

const decode = decodeFrames;

const SIP = ascii('OPTIONS sip:a@b SIP/2.0\r\n\r\n');
const text = (d: Uint8Array) => String.fromCharCode(...d);
const udpSip = (o = {}) => ipv4(udp(5060, 5070, SIP), o);

test('Ethernet IPv4 UDP: endpoints, payload, frame, timestamp, file offset', () => {
  const r = decode([{ linkType: 1, data: ethernet(0x0800, udpSip({ src: '192.0.2.1', dst: '198.51.100.7' })) }]);
  assert.deepEqual(r.problems, []);
  assert.equal(r.udp.length, 1);
  const p = r.udp[0];
  assert.deepEqual([p.frame, p.ts, p.transport, p.src, p.dst, p.fileOffset], [1, { sec: 1000, nsec: 0 }, 'UDP', { ip: '192.0.2.1', port: 5060 }, { ip: '198.51.100.7', port: 5070 }, 1000 + 14 + 20 + 8]);
  assert.equal(text(p.data), text(SIP));
});

test('Ethernet padding and a trailing FCS are cut off by the IP total length', () => {
  const small = ipv4(udp(1, 2, ascii('hi')));
  const r = decode([{ linkType: 1, data: concat(ethernet(0x0800, small), new Uint8Array(16).fill(0xee)) }]);
  assert.deepEqual(r.udp.map((p) => text(p.data)), ['hi']);
});

test('VLAN tags: 802.1Q, QinQ (802.1ad), 0x9100 and a triple stack', () => {
  const ip = udpSip();
  const stacks: [number, number][][] = [[[0x8100, 100]], [[0x88a8, 10], [0x8100, 20]], [[0x9100, 1], [0x8100, 2]], [[0x88a8, 1], [0x9100, 2], [0x8100, 3]]];
  const r = decode(stacks.map((tags) => ({ linkType: 1, data: ethernet(0x0800, ip, tags) })));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.fileOffset]), stacks.map((tags, i) => [i + 1, 1000 * (i + 1) + 14 + 4 * tags.length + 28]));
});

test('Linux SLL and SLL2 (IPv4 and IPv6); netlink captures are ignored', () => {
  const v6 = ipv6(tcp(5060, 40000, SIP, { seq: 7, flags: 0x18 }), { nextHeader: 6, src: '2001:db8::10', dst: '2001:db8::20' });
  const r = decode([
    { linkType: 113, data: sll(0x0800, udpSip()) },
    { linkType: 113, data: sll(0x86dd, v6) },
    { linkType: 276, data: sll2(0x0800, udpSip()) },
    { linkType: 276, data: sll2(0x86dd, v6) },
    { linkType: 113, data: sll(0x0800, udpSip(), 824) },
    { linkType: 113, data: sll(0x8100, concat([0, 5, 0x08, 0x00], udpSip())) },
  ]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.fileOffset]), [[1, 1000 + 16 + 28], [3, 3000 + 20 + 28], [6, 6000 + 20 + 28]]);
  assert.deepEqual(r.tcp.map((s) => [s.frame, s.src.ip, s.dst.ip, s.seq, s.flags, s.fileOffset]), [
    [2, '2001:db8::10', '2001:db8::20', 7, 0x18, 2000 + 16 + 40 + 20],
    [4, '2001:db8::10', '2001:db8::20', 7, 0x18, 4000 + 20 + 40 + 20],
  ]);
});

test('NULL and LOOP: family in either byte order; every OS value of AF_INET6', () => {
  const v6 = ipv6(udp(1, 2, SIP));
  const frames: FrameIn[] = [
    { linkType: 0, data: nullLink(2, udpSip(), true) },
    { linkType: 0, data: nullLink(2, udpSip(), false) },
    { linkType: 108, data: nullLink(2, udpSip(), false) },
    ...[10, 23, 24, 26, 28, 30].map((fam) => ({ linkType: 0, data: nullLink(fam, v6, true) })),
    { linkType: 108, data: nullLink(30, v6, false) },
    { linkType: 0, data: nullLink(7, udpSip(), true) }, // not IP
  ];
  const r = decode(frames);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.udp.map((p) => p.frame), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(r.udp[3].src.ip, 'fd00::1');
});

test('raw IP link types 101, 12, 14, 228 (IPv4) and 229 (IPv6)', () => {
  const v6 = ipv6(udp(1, 2, SIP));
  const r = decode([
    { linkType: 101, data: udpSip() },
    { linkType: 101, data: v6 },
    { linkType: 12, data: udpSip() },
    { linkType: 14, data: v6 },
    { linkType: 228, data: udpSip() },
    { linkType: 229, data: v6 },
    { linkType: 101, data: new Uint8Array([0x50, 0, 0, 0]) },
  ]);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.fileOffset]), [[1, 1028], [2, 2048], [3, 3028], [4, 4048], [5, 5028], [6, 6048]]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame, p.offset]), [['ip-malformed', 7, 7000]]);
});

test('an unknown link type is reported once per interface, not per frame', () => {
  const r = decode([
    { linkType: 147, data: new Uint8Array(10) },
    { linkType: 147, data: new Uint8Array(10) },
    { linkType: 147, data: new Uint8Array(10), interfaceId: 1 },
    { linkType: 147, data: new Uint8Array(10), interfaceId: 1 },
  ]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame, p.offset]), [['link-type-unsupported', 1, 1000], ['link-type-unsupported', 3, 3000]]);
  assert.match(r.problems[0].message, /LINKTYPE_USER0 \(147\)/);
});

test('TCP: sequence, flags, options; SYN/FIN/RST without data are emitted, pure ACKs are not', () => {
  const seg = (flags: number, payload: Uint8Array = new Uint8Array(0), options?: number[]) =>
    ({ linkType: 1, data: ethernet(0x0800, ipv4(tcp(40000, 5060, payload, { seq: 0xfffffff0, flags, options }), { proto: 6 })) });
  const r = decode([
    seg(TcpFlags.SYN, undefined, [2, 4, 5, 0xb4, 1, 1, 4, 2]),
    seg(TcpFlags.ACK),
    seg(TcpFlags.ACK | TcpFlags.PSH, SIP, [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]),
    seg(TcpFlags.FIN | TcpFlags.ACK),
    seg(TcpFlags.RST),
  ]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.tcp.map((s) => [s.frame, s.seq, s.flags, s.data.length, s.transport]), [
    [1, 0xfffffff0, TcpFlags.SYN, 0, 'TCP'],
    [3, 0xfffffff0, TcpFlags.ACK | TcpFlags.PSH, SIP.length, 'TCP'],
    [4, 0xfffffff0, TcpFlags.FIN | TcpFlags.ACK, 0, 'TCP'],
    [5, 0xfffffff0, TcpFlags.RST, 0, 'TCP'],
  ]);
  assert.equal(r.tcp[1].fileOffset, 3000 + 14 + 20 + 32);
  assert.equal(text(r.tcp[1].data), text(SIP));
});

test('IPv6 extension headers: hop-by-hop, routing, destination options, AH are skipped; ESP and no-next stop', () => {
  const payload = udp(5060, 5060, SIP);
  const chain = concat(ipv6Ext(43, 1), ipv6Ext(60, 2), ipv6Ext(51, 1), ipv6Ah(17, 3), payload);
  const r = decode([
    { linkType: 229, data: ipv6(chain, { nextHeader: 0 }) },
    { linkType: 229, data: ipv6(concat(ipv6Ext(50, 1), new Uint8Array(40)), { nextHeader: 0 }) },
    { linkType: 229, data: ipv6(ipv6Ext(59, 1), { nextHeader: 60 }) },
  ]);
  // ESP stops the walk: its content is encrypted (counted for the CAPTURE-001 notice at the end).
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame, p.severity]), [['sip-not-inspectable', 2, 'info']]);
  assert.deepEqual(r.udp.map((p) => [p.frame, text(p.data), p.fileOffset]), [[1, text(SIP), 1000 + 40 + 8 + 16 + 8 + 24 + 8]]);
  const bad = decode([{ linkType: 229, data: ipv6(concat([17, 9], new Uint8Array(6)), { nextHeader: 0 }) }]);
  assert.deepEqual(bad.problems.map((p) => [p.code, p.frame]), [['ipv6-malformed', 1]]);
});

test('IPv6 addresses in RFC 5952 form', () => {
  const cases: [string, string][] = [
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'],
  ];
  const r = decode(cases.map(([a]) => ({ linkType: 229, data: ipv6(udp(1, 2, SIP), { src: a, dst: a }) })));
  assert.deepEqual(r.udp.map((p) => p.src.ip), cases.map(([, b]) => b));
});

test('IP-in-IP: IPv4 in IPv4, IPv6 in IPv4, IPv4 in IPv6; innermost endpoints are reported', () => {
  const inner4 = ipv4(udp(5060, 5060, SIP), { src: '172.16.0.1', dst: '172.16.0.2' });
  const inner6 = ipv6(udp(5060, 5060, SIP), { src: '2001:db8::a', dst: '2001:db8::b' });
  const r = decode([
    { linkType: 1, data: ethernet(0x0800, ipv4(inner4, { proto: 4 })) },
    { linkType: 1, data: ethernet(0x0800, ipv4(inner6, { proto: 41 })) },
    { linkType: 1, data: ethernet(0x86dd, ipv6(inner4, { nextHeader: 4 })) },
  ]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.src.ip, p.dst.ip, p.fileOffset]), [
    [1, '172.16.0.1', '172.16.0.2', 1000 + 14 + 20 + 28],
    [2, '2001:db8::a', '2001:db8::b', 2000 + 14 + 20 + 48],
    [3, '172.16.0.1', '172.16.0.2', 3000 + 14 + 40 + 28],
  ]);
});

test('nested tunnels beyond the limit are reported', () => {
  let pkt: Uint8Array = udpSip();
  for (let i = 0; i < 10; i++) pkt = ipv4(pkt, { proto: 4 });
  const r = decode([{ linkType: 101, data: pkt }]);
  assert.equal(r.udp.length, 0);
  assert.deepEqual(r.problems.map((p) => p.code), ['tunnel-too-deep']);
});

test('GRE: IPv4, IPv6, checksum/key/sequence, transparent Ethernet bridging, ERSPAN II, PPTP enhanced GRE', () => {
  const inner4 = ipv4(udp(5060, 5060, SIP), { src: '10.9.9.1', dst: '10.9.9.2' });
  const inner6 = ipv6(udp(5060, 5060, SIP), { src: '2001:db8::a', dst: '2001:db8::b' });
  const outer = (g: Uint8Array) => ({ linkType: 1, data: ethernet(0x0800, ipv4(g, { proto: 47 })) });
  const enhanced = new ByteWriter(false).u16(0x3081).u16(0x880b).u16(inner4.length + 4).u16(7).u32(1).u32(2).bytes([0xff, 0x03, 0x00, 0x21]).bytes(inner4).out();
  const enhancedCompressed = new ByteWriter(false).u16(0x2001).u16(0x880b).u16(inner4.length + 1).u16(7).bytes([0x21]).bytes(inner4).out();
  const r = decode([
    outer(gre(0x0800, inner4)),
    outer(gre(0x86dd, inner6)),
    outer(gre(0x0800, inner4, { checksum: true, key: 42, seq: 9 })),
    outer(gre(0x6558, ethernet(0x0800, inner4, [[0x8100, 5]]), { key: 1 })),
    outer(gre(0x88be, concat(new Uint8Array(8), ethernet(0x0800, inner4)), { seq: 1 })),
    outer(enhanced),
    outer(enhancedCompressed),
    outer(gre(0x0800, inner4).subarray(0, 2)),
  ]);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.src.ip, p.fileOffset! - 1000 * p.frame]), [
    [1, '10.9.9.1', 14 + 20 + 4 + 28],
    [2, '2001:db8::a', 14 + 20 + 4 + 48],
    [3, '10.9.9.1', 14 + 20 + 16 + 28],
    [4, '10.9.9.1', 14 + 20 + 8 + 18 + 28],
    [5, '10.9.9.1', 14 + 20 + 8 + 8 + 14 + 28],
    [6, '10.9.9.1', 14 + 20 + 16 + 4 + 28],
    [7, '10.9.9.1', 14 + 20 + 8 + 1 + 28],
  ]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['gre-malformed', 8]]);
});

test('PPPoE sessions and MPLS label stacks on Ethernet', () => {
  const pppoe = new ByteWriter(false).u8(0x11).u8(0).u16(0x1234).u16(udpSip().length + 2).u16(0x0021).bytes(udpSip()).out();
  const mpls = new ByteWriter(false).u32((100 << 12) | 64).u32((200 << 12) | 0x100 | 64).bytes(udpSip()).out();
  const r = decode([{ linkType: 1, data: ethernet(0x8864, pppoe) }, { linkType: 1, data: ethernet(0x8847, mpls) }]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.fileOffset! - 1000 * p.frame]), [[1, 14 + 8 + 28], [2, 14 + 8 + 28]]);
});

test('snaplen: a cut UDP/TCP payload is reported once per frame and the captured part emitted', () => {
  const full = ethernet(0x0800, udpSip());
  const fullTcp = ethernet(0x0800, ipv4(tcp(1, 2, SIP, { flags: 0x18 }), { proto: 6 }));
  const icmp = ethernet(0x0800, ipv4(new Uint8Array(100), { proto: 1 }));
  const padded = concat(full, new Uint8Array(10));
  const r = decode([
    { linkType: 1, data: full.subarray(0, 50), origLen: full.length },
    { linkType: 1, data: fullTcp.subarray(0, 64), origLen: fullTcp.length },
    { linkType: 1, data: icmp.subarray(0, 40), origLen: icmp.length },
    { linkType: 1, data: padded.subarray(0, full.length), origLen: padded.length },
    { linkType: 1, data: full.subarray(0, 38), origLen: full.length },
  ]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [['packet-truncated', 1], ['packet-truncated', 2], ['packet-truncated', 5]]);
  assert.deepEqual(r.udp.map((p) => [p.frame, p.data.length]), [[1, 8], [4, SIP.length]]);
  assert.deepEqual(r.tcp.map((s) => [s.frame, s.data.length]), [[2, 10]]);
});

test('bogus lengths and headers are reported once per frame', () => {
  const r = decode([
    { linkType: 101, data: ipv4(udp(1, 2, SIP), { totalLength: 500 }) },
    { linkType: 101, data: ipv4(udp(1, 2, SIP, { length: 4 })) },
    { linkType: 101, data: ipv4(udp(1, 2, SIP, { length: 200 })) },
    { linkType: 101, data: ipv4(tcp(1, 2, SIP, { dataOffset: 3 }), { proto: 6 }) },
    { linkType: 101, data: ipv4(tcp(1, 2, SIP, { dataOffset: 15 }), { proto: 6 }) },
    { linkType: 101, data: ipv4(udp(1, 2, SIP), { totalLength: 10 }) },
    { linkType: 1, data: ethernet(0x0800, new Uint8Array(12)) },
    { linkType: 229, data: ipv6(udp(1, 2, SIP), { payloadLength: 300 }) },
  ]);
  assert.deepEqual(r.problems.map((p) => [p.code, p.frame]), [
    ['ipv4-bad-length', 1], ['udp-malformed', 2], ['udp-bad-length', 3], ['tcp-malformed', 4], ['tcp-malformed', 5],
    ['ipv4-malformed', 6], ['ipv4-malformed', 7], ['ipv6-bad-length', 8],
  ]);
  // Like Wireshark, a frame whose IP length overstates it is still read as far as it goes.
  assert.deepEqual(r.udp.map((p) => [p.frame, p.data.length]), [[1, SIP.length], [3, SIP.length], [8, SIP.length]]);
  assert.ok(r.problems.every((p) => p.offset !== undefined && p.severity === 'warning'));
});

test('IPv4 total length 0 (TCP segmentation offload) takes the captured length', () => {
  const r = decode([{ linkType: 1, data: ethernet(0x0800, ipv4(tcp(1, 2, SIP), { proto: 6, totalLength: 0 })) }]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.tcp.map((s) => s.data.length), [SIP.length]);
});

test('empty UDP datagrams and non-IP frames produce nothing', () => {
  const r = decode([
    { linkType: 1, data: ethernet(0x0800, ipv4(udp(1, 2, new Uint8Array(0)))) },
    { linkType: 1, data: ethernet(0x0806, new Uint8Array(28)) },
    { linkType: 1, data: ethernet(0x0800, ipv4(new Uint8Array(8), { proto: 1 })) },
    { linkType: 1, data: new Uint8Array(5) },
  ]);
  assert.deepEqual(r, { udp: [], tcp: [], problems: [] });
});

test('CAPTURE-001: SIP over TLS on 5061, IPsec ESP and SigComp are counted and reported once each, the rest still decoded', async () => {
  const { buildPcap } = await import('../../helpers/captureBuilder');
  const { readTraceBytes } = await import('../../../src/core/trace');
  const tlsHello = concat([22, 3, 1, 0, 5], new Uint8Array(5));
  const tlsData = concat([23, 3, 3, 0, 4], new Uint8Array(4));
  const esp = concat([0, 0, 0x10, 0x01, 0, 0, 0, 1], new Uint8Array(32).fill(0x5a));
  const sigcomp = concat([0xf8, 0x01, 0x02], new Uint8Array(20));
  const register = ascii('REGISTER sip:example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\nFrom: <sip:a@example.net>;tag=1\r\nTo: <sip:a@example.net>\r\nContent-Length: 0\r\n\r\n');
  const frames = [
    ethernet(0x0800, ipv4(tcp(40000, 5061, tlsHello), { proto: 6 })),
    ethernet(0x0800, ipv4(tcp(5061, 40000, tlsData), { proto: 6, src: '10.0.0.2', dst: '10.0.0.1' })),
    ethernet(0x0800, ipv4(esp, { proto: 50 })),
    ethernet(0x0800, ipv4(udp(5060, 5060, register))),
    ethernet(0x0800, ipv4(udp(5060, 5060, sigcomp))),
    ethernet(0x0800, ipv4(tcp(40001, 5061, tlsData), { proto: 6 })),
    // TLS elsewhere (HTTPS) is none of our business; a byte >= 0xf8 on another UDP port neither.
    ethernet(0x0800, ipv4(tcp(40002, 443, tlsHello), { proto: 6 })),
    ethernet(0x0800, ipv4(udp(30000, 30002, sigcomp))),
  ];
  const { bytes } = buildPcap({}, frames.map((data, i) => ({ sec: 1000 + i, data })));
  const r = readTraceBytes(bytes);
  assert.equal(r.messages.length, 1, 'the plain REGISTER is still read');
  const notices = r.problems.filter((p) => p.code === 'sip-not-inspectable');
  assert.equal(notices.length, 3, JSON.stringify(r.problems));
  const byText = (s: string) => notices.find((p) => p.message.includes(s));
  const tls = byText('SIP over TLS');
  assert.ok(tls && tls.message.startsWith('CAPTURE-001: 3 frames of SIP over TLS') && tls.frame === 1 && tls.severity === 'info', tls?.message);
  const espNotice = byText('IPsec ESP');
  assert.ok(espNotice && espNotice.message.includes('1 frame of') && espNotice.frame === 3, espNotice?.message);
  const sc = byText('SigComp');
  assert.ok(sc && sc.frame === 5 && sc.offset !== undefined && bytes[sc.offset] === 0xf8, sc?.message);
});
