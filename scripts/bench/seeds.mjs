// Seeds for the benchmark inputs: the SIP messages of the real-software fixtures
// (test/fixtures/captures/**, made by Kamailio, SIPp and baresip; test/fixtures/logs/generated/sipp)
// turned into flow templates, and the per-flow rewrite that replicates a template with new
// addresses, users, Call-IDs, tags and branches.
//
// The fixture captures are read by a deliberately small reader of its own (little-endian pcap,
// Ethernet, IPv4/IPv6, UDP/TCP) rather than by the code under test, and the number of messages
// it finds is checked against test/fixtures/MANIFEST.json, so the ground truth of the benchmark
// does not depend on the engine it measures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Capture fixtures replicated as REGISTER flows (each one life cycle of one user). */
export const CAPTURE_TEMPLATES = [
  'test/fixtures/captures/flows/compliant.pcap',
  'test/fixtures/captures/flows/compliant-tcp.pcap',
  'test/fixtures/captures/flows/interval-too-brief-423-retry-ok.pcap',
  'test/fixtures/captures/flows/oma-im-reg-001-missing-sip-im.pcap',
  'test/fixtures/captures/flows/oma-im-reg-002-missing-system-message.pcap',
  'test/fixtures/captures/flows/oma-im-reg-003-missing-large-message.pcap',
  'test/fixtures/captures/flows/oma-im-reg-004-tag-value-false.pcap',
  'test/fixtures/captures/flows/oma-im-reg-005-misspelled-tag.pcap',
  'test/fixtures/captures/flows/oma-im-reg-006-tags-as-uri-params.pcap',
  'test/fixtures/captures/flows/oma-im-reg-008-no-require-pref.pcap',
  'test/fixtures/captures/flows/oma-im-reg-009-no-user-agent.pcap',
  'test/fixtures/captures/flows/oma-im-reg-010-no-release-token.pcap',
  'test/fixtures/captures/flows/oma-im-reg-011-unknown-release.pcap',
  'test/fixtures/captures/flows/oma-im-reg-014-no-credentials-after-401.pcap',
  'test/fixtures/captures/flows/oma-im-reg-015-no-publish.pcap',
  'test/fixtures/captures/flows/oma-im-reg-016-partial-tag-set-on-im-dereg.pcap',
  'test/fixtures/captures/flows/oma-im-reg-019-contact-expires-0-no-expires-header.pcap',
  'test/fixtures/captures/flows/rfc3261-reg-011-cseq-not-incremented.pcap',
  'test/fixtures/captures/flows/rfc3261-reg-013-star-without-expires-0.pcap',
  'test/fixtures/captures/flows/rfc3261-rsp-005-gives-up-after-401.pcap',
  'test/fixtures/captures/flows/rfc3261-rsp-007-retry-ignores-min-expires.pcap',
  'test/fixtures/captures/ua/baresip-register.pcap',
  'test/fixtures/captures/syntax/compact-headers.pcap',
  'test/fixtures/captures/syntax/folded-headers.pcap',
  'test/fixtures/captures/syntax/mixed-case-headers.pcap',
];

/** SIPp -trace_msg logs replicated into the large text log. */
export const LOG_TEMPLATES = [
  'test/fixtures/logs/generated/sipp/compliant.messages.log',
  'test/fixtures/logs/generated/sipp/compliant-tcp.messages.log',
  'test/fixtures/logs/generated/sipp/oma-im-reg-001-missing-sip-im.messages.log',
  'test/fixtures/logs/generated/sipp/oma-im-reg-014-no-credentials-after-401.messages.log',
  'test/fixtures/logs/generated/sipp/rfc3261-rsp-007-retry-ignores-min-expires.messages.log',
];

// ---------------------------------------------------------------------------------------------
// Fixture captures -> templates
// ---------------------------------------------------------------------------------------------

function ipText(b, o, v6) {
  if (!v6) return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  const g = [];
  for (let i = 0; i < 8; i++) g.push(((b[o + 2 * i] << 8) | b[o + 2 * i + 1]).toString(16));
  return g.join(':');
}

/** Packets of a little-endian Ethernet pcap: { usec, src, dst, sport, dport, proto, seq, payload }. */
function readFixturePcap(file) {
  const b = readFileSync(file);
  const magic = b.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`${file}: not a little-endian pcap`);
  const nanos = magic === 0xa1b23c4d;
  if ((b.readUInt32LE(20) & 0xffff) !== 1) throw new Error(`${file}: not Ethernet`);
  const out = [];
  for (let off = 24; off + 16 <= b.length;) {
    const sec = b.readUInt32LE(off);
    const frac = b.readUInt32LE(off + 4);
    const incl = b.readUInt32LE(off + 8);
    const d = b.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const usec = sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac);
    const et = d.readUInt16BE(12);
    let p = 14, proto, src, dst, end;
    if (et === 0x0800) {
      const ihl = (d[p] & 15) * 4;
      proto = d[p + 9];
      src = ipText(d, p + 12, false);
      dst = ipText(d, p + 16, false);
      end = p + d.readUInt16BE(p + 2);
      p += ihl;
    } else if (et === 0x86dd) {
      proto = d[p + 6];
      src = ipText(d, p + 8, true);
      dst = ipText(d, p + 24, true);
      end = p + 40 + d.readUInt16BE(p + 4);
      p += 40;
    } else continue;
    if (proto === 17) {
      out.push({ usec, src, dst, sport: d.readUInt16BE(p), dport: d.readUInt16BE(p + 2), proto: 'udp', payload: d.subarray(p + 8, end) });
    } else if (proto === 6) {
      const doff = (d[p + 12] >> 4) * 4;
      out.push({ usec, src, dst, sport: d.readUInt16BE(p), dport: d.readUInt16BE(p + 2), proto: 'tcp', seq: d.readUInt32BE(p + 4), flags: d[p + 13], payload: d.subarray(p + doff, end) });
    }
  }
  return out;
}

/** Splits a SIP byte stream by its Content-Length headers (the fixtures always carry one). */
function splitStream(text) {
  const msgs = [];
  let p = 0;
  while (p < text.length) {
    while (p < text.length && (text[p] === '\r' || text[p] === '\n')) p++;
    if (p >= text.length) break;
    const he = text.indexOf('\r\n\r\n', p);
    if (he < 0) throw new Error('seed: TCP stream without an end of header section');
    const head = text.slice(p, he);
    const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
    if (!m) throw new Error('seed: TCP message without Content-Length');
    const end = he + 4 + Number(m[1]);
    msgs.push({ start: p, end });
    p = end;
  }
  return msgs;
}

/**
 * One fixture capture as a template: the client (sender of the first message), the server, and
 * each message's direction, time offset (µs from the first) and text (latin1, byte = char).
 */
export function captureTemplate(root, rel) {
  const pkts = readFixturePcap(join(root, rel)).filter((p) => p.payload.length > 0 || p.proto === 'tcp');
  const first = pkts.find((p) => p.payload.length > 0);
  const client = { ip: first.src, port: first.sport };
  const server = { ip: first.dst, port: first.dport };
  const messages = [];
  if (first.proto === 'udp') {
    for (const p of pkts) {
      if (p.proto !== 'udp' || p.payload.length === 0) continue;
      const c2s = p.sport === client.port && p.src === client.ip;
      messages.push({ c2s, usec: p.usec, text: p.payload.toString('latin1') });
    }
  } else {
    // Per direction, payload in sequence order (the loopback fixtures are in order), with the
    // time of the segment each message starts in.
    for (const c2s of [true, false]) {
      const segs = pkts
        .filter((p) => p.proto === 'tcp' && p.payload.length > 0 && (p.sport === client.port) === c2s)
        .sort((a, b) => (a.seq - b.seq) | 0);
      let text = '';
      const starts = [];
      for (const s of segs) {
        starts.push({ at: text.length, usec: s.usec });
        text += s.payload.toString('latin1');
      }
      for (const m of splitStream(text)) {
        let usec = starts[0].usec;
        for (const s of starts) if (s.at <= m.start) usec = s.usec;
        messages.push({ c2s, usec, text: text.slice(m.start, m.end) });
      }
    }
    messages.sort((a, b) => a.usec - b.usec);
  }
  const t0 = messages[0].usec;
  for (const m of messages) m.usec -= t0;
  return { name: rel.replace(/^.*\//, '').replace(/\.pcap$/, ''), transport: first.proto, client, server, messages };
}

export function loadCaptureTemplates(root) {
  const manifest = JSON.parse(readFileSync(join(root, 'test/fixtures/MANIFEST.json'), 'utf8'));
  const expected = new Map(manifest.fixtures.map((f) => [f.path, f.sipMessagesDecoded]));
  return CAPTURE_TEMPLATES.map((rel) => {
    const t = captureTemplate(root, rel);
    const want = expected.get(rel);
    if (want !== undefined && want !== t.messages.length) {
      throw new Error(`seed ${rel}: read ${t.messages.length} SIP messages, MANIFEST.json says ${want}`);
    }
    return t;
  });
}

// ---------------------------------------------------------------------------------------------
// SIPp -trace_msg logs -> templates
// ---------------------------------------------------------------------------------------------

const SIPP_ENTRY = /^-{47} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\n(UDP|TCP) message (sent|received) (?:\((\d+) bytes\)|\[(\d+)\] bytes) ?:\n\n/gm;

function sippTime(s) {
  return Date.parse(s.slice(0, 19).replace(' ', 'T') + 'Z') * 1000 + Number(s.slice(20));
}

/**
 * One SIPp trace: { transport, client, server, messages: [{ c2s (sent), usec, text }] }. SIPp
 * writes each entry as: separator with the time, the marker line, an empty line, the message
 * bytes exactly as sent or received (CRLF lines), and one LF.
 */
export function logTemplate(root, rel) {
  const raw = readFileSync(join(root, rel), 'latin1');
  const entries = [...raw.matchAll(SIPP_ENTRY)];
  const messages = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const from = e.index + e[0].length;
    const to = (i + 1 < entries.length ? entries[i + 1].index : raw.length) - 1;
    const text = raw.slice(from, to);
    const count = Number(e[4] ?? e[5]);
    if (count !== text.length) throw new Error(`seed ${rel}: entry ${i + 1} holds ${text.length} bytes, its marker says ${count}`);
    messages.push({ c2s: e[3] === 'sent', usec: sippTime(e[1]), text });
  }
  const t0 = messages[0].usec;
  for (const m of messages) m.usec -= t0;
  const via = /^Via:[ \t]*SIP\/2\.0\/\w+[ \t]+([\d.]+):(\d+)/im.exec(messages.find((m) => m.c2s).text);
  const client = { ip: via[1], port: Number(via[2]) };
  return { name: rel.replace(/^.*\//, ''), transport: entries[0][2], client, server: { ip: client.ip, port: 5060 }, messages };
}

export function loadLogTemplates(root) {
  return LOG_TEMPLATES.map((rel) => logTemplate(root, rel));
}

// ---------------------------------------------------------------------------------------------
// Replication
// ---------------------------------------------------------------------------------------------

const CALL_ID = /^(call-id|i)([ \t]*:[ \t]*)(.+?)[ \t]*$/gim;
const TAG = /(;[ \t]*tag=)([^;>\s,]+)/gi;
const BRANCH = /(;[ \t]*branch=)([^;>\s,]+)/gi;
const USER = /\b(alice|bob)\b/g;
const IPV4 = /(received=)?\b(127\.0\.0\.1|192\.0\.2\.\d{1,3})\b(?::(\d+))?/g;
const VIA_TRANSPORT = /(SIP\/2\.0\/)(UDP|TCP)\b/gi;
const CONTENT_LENGTH = /^((?:content-length|l)[ \t]*:[ \t]*)\d+/im;

/**
 * Rewrites one template message for flow `f`: { user, client {ip, port}, server {ip, port},
 * transport 'UDP'|'TCP', ids: Map (old value -> new), token() }. Returns latin1 text whose
 * Content-Length matches its body.
 */
export function rewriteMessage(text, f, tpl) {
  const map = (old, make) => {
    let v = f.ids.get(old);
    if (v === undefined) {
      v = make();
      f.ids.set(old, v);
    }
    return v;
  };
  const host = (e) => (e.ip.includes(':') ? `[${e.ip}]` : e.ip);
  let out = text
    .replace(CALL_ID, (_m, name, colon, value) => `${name}${colon}${map('cid:' + value, () => `${value.includes('///') ? 'pub///' : ''}${f.token()}-${f.id}@bench.invalid`)}`)
    .replace(TAG, (_m, pre, v) => pre + map('tag:' + v, () => f.token()))
    .replace(BRANCH, (_m, pre, v) => pre + map('br:' + v, () => 'z9hG4bK' + f.token()))
    .replace(USER, f.user)
    .replace(IPV4, (_m, received, ip, port) => {
      if (received) return received + f.client.ip;
      const c = tpl.client, s = tpl.server;
      const p = port === undefined ? undefined : Number(port);
      let toClient;
      if (p !== undefined && ip === c.ip && p === c.port) toClient = true;
      else if (p !== undefined && ip === s.ip && p === s.port) toClient = false;
      else toClient = ip === c.ip && c.ip !== s.ip;
      const e = toClient ? f.client : f.server;
      if (p === undefined) return host(e);
      return `${host(e)}:${p === c.port || p === s.port ? e.port : p}`;
    })
    .replace(VIA_TRANSPORT, (_m, pre) => pre + f.transport);
  const he = out.indexOf('\r\n\r\n');
  if (he >= 0) {
    const bodyLen = Buffer.byteLength(out.slice(he + 4), 'latin1');
    const head = out.slice(0, he).replace(CONTENT_LENGTH, (_m, pre) => pre + bodyLen);
    out = head + out.slice(he);
  }
  return out;
}
