/**
 * Seed inputs of the mutation fuzzer: the repository's fixtures (captures, logs), the public
 * corpus beside the checkout when present (read in place, never copied), and a few captures
 * and messages built here so that every layer has something valid to start from even without
 * the corpus (IPv4/IPv6 fragments, TCP split over segments, two pcapng interfaces, SLL, VLAN).
 */
import * as fs from 'fs';
import * as path from 'path';
import { corpusRoot, fixturesRoot } from '../helpers/paths';
import {
  ascii, buildPcap, ethernet, fragmentIpv4, fragmentIpv6, ipv4, ipv6, PcapngBuilder, sll, tcp, udp,
} from '../helpers/captureBuilder';

export interface SeedPools {
  captures: Uint8Array[];
  logs: Uint8Array[];
  messages: Uint8Array[];
  /** REGISTER flows: each is a list of SIP message texts in order. */
  flows: string[][];
}

function listAll(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listAll(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

function read(p: string): Uint8Array {
  const b = fs.readFileSync(p);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function isCapture(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const m = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  return m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === 0xa1b2cd34 || m === 0x34cdb2a1 || m === 0x0a0d0d0a;
}

export const CRLF = '\r\n';

/** A REGISTER with OMA SIMPLE IM feature tags, in the shape the rules check. */
export function registerText(o: { cseq?: number; branch?: string; expires?: string; contact?: string; auth?: boolean; extra?: string[] } = {}): string {
  const cseq = o.cseq ?? 1;
  const lines = [
    'REGISTER sip:ims.example.net SIP/2.0',
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=${o.branch ?? `z9hG4bK-${cseq}`};rport`,
    'Max-Forwards: 70',
    'From: <sip:alice@ims.example.net>;tag=a1',
    'To: <sip:alice@ims.example.net>',
    'Call-ID: reg-1@192.0.2.10',
    `CSeq: ${cseq} REGISTER`,
    `Contact: ${o.contact ?? '<sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;expires=600'}`,
    `Expires: ${o.expires ?? '600'}`,
    'Require: pref',
    'Supported: path, gruu',
    'User-Agent: IM-client/OMA1.0 Example/1.0',
  ];
  if (o.auth) lines.push('Authorization: Digest username="alice@ims.example.net", realm="ims.example.net", nonce="abc", uri="sip:ims.example.net", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"');
  lines.push(...(o.extra ?? []), 'Content-Length: 0');
  return lines.join(CRLF) + CRLF + CRLF;
}

/** A response to `req` (Via, From, To, Call-ID, CSeq copied). */
export function replyText(req: string, status: number, extra: string[] = []): string {
  const reason: Record<number, string> = { 200: 'OK', 401: 'Unauthorized', 423: 'Interval Too Brief', 403: 'Forbidden', 100: 'Trying' };
  const keep = req.split(CRLF).filter((l) => /^(Via|From|To|Call-ID|CSeq|Contact):/i.test(l));
  const lines = [`SIP/2.0 ${status} ${reason[status] ?? 'Whatever'}`, ...keep.map((l) => (/^To:/i.test(l) && status > 100 ? l + ';tag=srv' : l))];
  if (status === 401) lines.push('WWW-Authenticate: Digest realm="ims.example.net", nonce="abc", algorithm=MD5, qop="auth"');
  if (status === 423) lines.push('Min-Expires: 1200');
  lines.push(...extra, 'Content-Length: 0');
  return lines.join(CRLF) + CRLF + CRLF;
}

export function publishText(): string {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\r\n<im-settings/>\r\n';
  return [
    'PUBLISH sip:alice@ims.example.net SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-pub1',
    'Max-Forwards: 70',
    'From: <sip:alice@ims.example.net>;tag=p1',
    'To: <sip:alice@ims.example.net>',
    'Call-ID: pub-1@192.0.2.10',
    'CSeq: 1 PUBLISH',
    'Event: oma-im-settings',
    'Expires: 3600',
    'Content-Type: application/vnd.oma.im.settings+xml',
    `Content-Length: ${body.length}`,
  ].join(CRLF) + CRLF + CRLF + body;
}

export function lifeCycle(): string[] {
  const r1 = registerText({ cseq: 1 });
  const r2 = registerText({ cseq: 2, auth: true });
  const r3 = registerText({ cseq: 3, auth: true });
  const r4 = registerText({ cseq: 4, auth: true, contact: '<sip:alice@192.0.2.10:5060>', expires: '0' });
  const p = publishText();
  return [r1, replyText(r1, 401), r2, replyText(r2, 200), p, replyText(p, 200), r3, replyText(r3, 423), r4, replyText(r4, 200)];
}

/** Built captures covering the layers the fixtures may miss. */
export function builtCaptures(): Uint8Array[] {
  const flow = lifeCycle();
  const msgs = flow.map(ascii);
  const out: Uint8Array[] = [];
  // Ethernet / IPv4 / UDP, one message per frame
  out.push(buildPcap({}, msgs.map((m, i) => ({ sec: 1700000000 + i, data: ethernet(0x0800, ipv4(udp(5060, 5060, m))) }))).bytes);
  // IPv4 fragments of a big REGISTER, out of order, plus a duplicate
  const big = ascii(registerText({ extra: Array.from({ length: 40 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(60)}`) }));
  const f4 = fragmentIpv4(udp(5060, 5060, big), 1480, { id: 77 });
  out.push(buildPcap({}, [f4[1], f4[0], f4[0], ...f4.slice(2)].map((d) => ({ data: ethernet(0x0800, d) }))).bytes);
  // IPv6 fragments over Linux SLL
  const f6 = fragmentIpv6(17, udp(5060, 5060, big), 1232, 0x1234);
  out.push(buildPcap({ linkType: 113 }, f6.map((d) => ({ data: sll(0x86dd, d) }))).bytes);
  // TCP: SYN, the flow as one stream split at odd places, out of order, with a retransmission
  const stream = ascii(flow.slice(0, 4).join(''));
  const segs: { seq: number; data: Uint8Array; flags?: number }[] = [{ seq: 999, data: new Uint8Array(0), flags: 0x02 }];
  const cuts = [0, 7, 300, 301, 700, 1500, stream.length];
  for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i] < stream.length) segs.push({ seq: 1000 + cuts[i], data: stream.subarray(cuts[i], Math.min(stream.length, cuts[i + 1])) });
  [segs[2], segs[3]] = [segs[3], segs[2]];
  segs.push(segs[4]);
  segs.push({ seq: 1000 + stream.length, data: new Uint8Array(0), flags: 0x11 });
  out.push(buildPcap({}, segs.map((s) => ({ data: ethernet(0x0800, ipv4(tcp(40000, 5060, s.data, { seq: s.seq, flags: s.flags ?? 0x18 }), { proto: 6 })) }))).bytes);
  // pcapng: two interfaces (Ethernet with VLAN, raw IPv6), ns resolution, one SPB
  const ng = new PcapngBuilder().section().iface(1, { tsresol: 9 }).iface(101, { snaplen: 65535 });
  msgs.slice(0, 4).forEach((m, i) => {
    if (i % 2 === 0) ng.epb(0, BigInt(1700000000 + i) * 1000000000n, ethernet(0x0800, ipv4(udp(5060, 5060, m)), [[0x8100, 10]]));
    else ng.epb(1, BigInt(1700000000 + i) * 1000000n, ipv6(udp(5060, 5060, m)));
  });
  ng.spb(ethernet(0x0800, ipv4(udp(5060, 5060, msgs[4]))));
  out.push(ng.bytes());
  // big-endian nanosecond pcap, one message per frame, with a snaplen cut on the last
  out.push(buildPcap({ le: false, nanos: true, snaplen: 200 }, msgs.slice(0, 3).map((m, i) => {
    const d = ethernet(0x0800, ipv4(udp(5060, 5060, m)));
    return i === 2 ? { data: d.subarray(0, 200), origLen: d.length } : { data: d };
  })).bytes);
  return out;
}

/** Log texts built here (plain dump, sipp-like, kamailio-like, syslog-escaped). */
export function builtLogs(): Uint8Array[] {
  const flow = lifeCycle();
  const plain = flow.join('\r\n');
  const sipp = flow.map((m, i) => `----------------------------------------------- 2024-01-01 10:00:0${i % 10}.000000\nUDP message ${i % 2 ? 'sent' : 'received'} [${m.length}] bytes :\n\n${m.replace(/\r\n/g, '\n')}\n`).join('');
  const kam = flow.map((m) => m.split('\r\n').map((l) => `Jan  1 10:00:00 host kamailio[123]: DEBUG: <core> msg: ${l}`).join('\n')).join('\n');
  const esc = flow.map((m) => `Jan  1 10:00:00 host opensips[9]: ${m.replace(/\r\n/g, '#015#012')}`).join('\n');
  return [plain, sipp, kam, esc].map((s) => new TextEncoder().encode(s));
}

let cached: SeedPools | undefined;

/** Every seed, in a stable order (files sorted by path). `maxBytes` drops bigger files. */
export function loadSeeds(maxBytes = 256 * 1024): SeedPools {
  if (cached) return cached;
  const captures: Uint8Array[] = [];
  const logs: Uint8Array[] = [];
  const messages: Uint8Array[] = [];
  const files = [...listAll(path.join(fixturesRoot, 'captures')), ...listAll(path.join(fixturesRoot, 'logs')), ...listAll(path.join(corpusRoot, 'pcap')), ...listAll(path.join(corpusRoot, 'logs'))];
  for (const f of files) {
    const b = read(f);
    if (b.length === 0 || b.length > maxBytes) continue;
    if (isCapture(b)) captures.push(b);
    else logs.push(b);
  }
  // The named hostile fixtures seed campaigns too (not found/, so that saving a find does not
  // change which input a seed and index give).
  for (const f of listAll(path.join(fixturesRoot, 'hostile'))) {
    if (/\.(md|json)$/.test(f) || f.includes(`${path.sep}found${path.sep}`)) continue;
    const b = read(f);
    if (b.length === 0 || b.length > maxBytes) continue;
    if (isCapture(b)) captures.push(b);
    else if (/\.sip$/.test(f)) messages.push(b);
    else logs.push(b);
  }
  for (const dir of ['messages', 'rfc4475/resiprocate', 'rfc4475/ersip-variants', 'rfc5118/ersip']) {
    for (const f of listAll(path.join(corpusRoot, dir))) {
      if (/\.(md|tsv)$/.test(f)) continue;
      const b = read(f);
      if (b.length > 0 && b.length <= maxBytes) messages.push(b);
    }
  }
  captures.push(...builtCaptures());
  logs.push(...builtLogs());
  const flow = lifeCycle();
  messages.push(...flow.map((t) => new TextEncoder().encode(t)));
  cached = { captures, logs, messages, flows: [flow, flow.slice(0, 4), [flow[0], flow[0], flow[1], flow[2], flow[3], flow[3]]] };
  return cached;
}
