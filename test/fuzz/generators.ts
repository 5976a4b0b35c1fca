/**
 * fast-check arbitraries for SIP: URIs, name-addrs, Via, CSeq, credentials, products, token
 * lists, media types, parameters, whole messages (every header of the grammar table, unknown
 * headers, compact forms, odd case, folding, white space around separators, UTF-8), and the
 * shapes the network layers see (a SIP stream cut into segments, a datagram cut into
 * fragments). Values are mostly valid with a share of near misses, so that the parser's
 * successful paths and its error paths are both exercised.
 */
import fc from 'fast-check';
import { HEADER_TABLE, type HeaderSpec } from '../../src/core/sip/headerTable';

const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~';
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function charsFrom(chars: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...chars.split('')), minLength: min, maxLength: max });
}

export const token = charsFrom(TOKEN_CHARS, 1, 12);
const label = charsFrom(ALNUM, 1, 10);
export const hostname = fc.array(label, { minLength: 1, maxLength: 4 }).map((a) => a.join('.'));
export const host = fc.oneof(
  { weight: 4, arbitrary: hostname },
  { weight: 3, arbitrary: fc.ipV4() },
  { weight: 2, arbitrary: fc.ipV6().map((a) => `[${a}]`) },
  { weight: 1, arbitrary: fc.constantFrom('[::1', '1.2.3.999', '-bad-.example', '[::ffff:192.0.2.1]', '[2001:db8:::1]', '') },
);
export const port = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 65536, 99999999, 4294967296) });

const utf8Text = fc.string({ unit: 'grapheme', maxLength: 12 });
const quoted = fc.string({ unit: fc.oneof(fc.constantFrom(...'abc XYZ,;:<>@=/'.split('')), fc.constantFrom('\\"', '\\\\', 'é', '€', '\u{1F600}')), maxLength: 16 }).map((s) => `"${s}"`);

export const paramValue = fc.oneof(token, fc.ipV4(), fc.ipV6().map((a) => `[${a}]`), quoted, fc.integer({ min: 0, max: 4294967296 }).map(String));
export const genericParam = fc.tuple(token, fc.option(paramValue, { nil: undefined })).map(([n, v]) => (v === undefined ? n : `${n}=${v}`));
export const featureParam = fc.constantFrom('+g.oma.sip-im', '+g.oma.sip-im.system-message', '+g.oma.sip-im.large-message', '+sip.instance="<urn:uuid:00000000-0000-1000-8000-000000000001>"', 'expires=600', 'expires=0', 'q=0.5', 'q=1.0', 'reg-id=1', '+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"', 'methods="INVITE,MESSAGE"');
export const headerParams = fc.array(fc.oneof({ weight: 3, arbitrary: genericParam }, { weight: 2, arbitrary: featureParam }), { maxLength: 5 }).map((ps) => ps.map((p) => ';' + p).join(''));

const uriParamName = charsFrom('abcdefghijklmnopqrstuvwxyz-', 1, 8);
const uriParam = fc.oneof(fc.constantFrom('lr', 'transport=tcp', 'transport=udp', 'user=phone', 'ob', 'maddr=192.0.2.1', 'gr'), fc.tuple(uriParamName, fc.option(charsFrom(ALNUM + '%-', 1, 8), { nil: undefined })).map(([n, v]) => (v ? `${n}=${v}` : n)));
const userPart = fc.oneof(charsFrom(ALNUM + '-_.!~*\'()&=+$,;?/%', 1, 12), fc.constantFrom('alice', '+12015550123', 'a%20b', 'x%00y', 'user;par=1', ''));

export const sipUri = fc.record({
  scheme: fc.constantFrom('sip', 'sips', 'SIP'),
  user: fc.option(userPart, { nil: undefined }),
  password: fc.option(charsFrom(ALNUM, 1, 6), { freq: 8, nil: undefined }),
  host,
  port: fc.option(port, { freq: 2, nil: undefined }),
  params: fc.array(uriParam, { maxLength: 3 }),
  headers: fc.option(fc.constantFrom('subject=hi', 'Route=%3Csip:p.example%3E', 'a=b&c=d'), { freq: 8, nil: undefined }),
}).map((u) => `${u.scheme}:${u.user !== undefined ? u.user + (u.password ? ':' + u.password : '') + '@' : ''}${u.host}${u.port !== undefined ? ':' + u.port : ''}${u.params.map((p) => ';' + p).join('')}${u.headers ? '?' + u.headers : ''}`);

export const anyUri = fc.oneof(
  { weight: 8, arbitrary: sipUri },
  { weight: 1, arbitrary: fc.constantFrom('tel:+1-201-555-0123;phone-context=example.com', 'urn:uuid:1', 'mailto:a@b', 'http://example.com/x', 'nobodyKnowsThisScheme:totallyopaquecontent', 'sip:', ':', 'sip:[') },
);

const displayName = fc.oneof(token.map((t) => t + ' '), fc.array(token, { minLength: 1, maxLength: 3 }).map((a) => a.join(' ') + ' '), quoted.map((q) => q + ' '), quoted, fc.constant(''));
export const nameAddr = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(displayName, anyUri, headerParams).map(([d, u, p]) => `${d}<${u}>${p}`) },
  { weight: 2, arbitrary: fc.tuple(sipUri, fc.array(genericParam, { maxLength: 2 })).map(([u, ps]) => `${u.replace(/[;?].*$/, '')}${ps.map((p) => ';' + p).join('')}`) },
  { weight: 1, arbitrary: fc.constantFrom('*', '<sip:a@b', '"no end <sip:a@b>', '<>', 'sip:a@b>', ' <sip:a@b> ;tag') },
);

export const via = fc.record({
  transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS', 'udp', 'UNKNOWN'),
  host,
  port: fc.option(port, { nil: undefined }),
  branch: fc.oneof(token.map((t) => 'z9hG4bK' + t), token, fc.constant('z9hG4bK')),
  more: fc.array(fc.oneof(fc.constantFrom('rport', 'rport=5060', 'received=192.0.2.1', 'received=2001:db8::1', 'received=[2001:db8::1]', 'ttl=1', 'maddr=224.0.0.1'), genericParam), { maxLength: 3 }),
}).map((v) => `SIP/2.0/${v.transport} ${v.host}${v.port !== undefined ? ':' + v.port : ''};branch=${v.branch}${v.more.map((p) => ';' + p).join('')}`);

const number = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 100000 }).map(String) }, { weight: 2, arbitrary: fc.constantFrom('0', '00001', '4294967295', '4294967296', '18446744073709551616', '-1', '1.5', '', 'abc') });
const method = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('REGISTER', 'INVITE', 'PUBLISH', 'OPTIONS', 'MESSAGE', 'SUBSCRIBE') }, { weight: 1, arbitrary: token });
const authParam = fc.oneof(
  fc.constantFrom('username="alice"', 'realm="ims.example.net"', 'nonce="abc=="', 'uri="sip:ims.example.net"', 'response="0123456789abcdef0123456789abcdef"', 'algorithm=MD5', 'algorithm=AKAv1-MD5', 'qop=auth', 'qop="auth,auth-int"', 'nc=00000001', 'cnonce="x"', 'opaque=""', 'stale=FALSE', 'integrity-protected="yes"'),
  fc.tuple(token, fc.oneof(token, quoted)).map(([n, v]) => `${n}=${v}`),
);
const credentials = fc.tuple(fc.constantFrom('Digest', 'digest', 'Basic', 'NoOneKnowsThisScheme'), fc.array(authParam, { maxLength: 8 })).map(([s, ps]) => `${s} ${ps.join(', ')}`);
const product = fc.oneof(fc.tuple(token, fc.option(token, { nil: undefined })).map(([p, v]) => (v ? `${p}/${v}` : p)), fc.constantFrom('(comment)', '(nested (comment))', 'IM-client/OMA1.0', 'IM-client/OMA2.0'));
const products = fc.array(product, { minLength: 1, maxLength: 4 }).map((a) => a.join(' '));
const tokenList = fc.array(token, { maxLength: 5 }).map((a) => a.join(', '));
const mediaType = fc.tuple(fc.constantFrom('application', 'text', 'multipart', '*'), fc.constantFrom('sdp', 'pidf+xml', 'vnd.oma.im.settings+xml', 'plain', 'mixed', '*'), fc.array(genericParam, { maxLength: 2 })).map(([t, s, ps]) => `${t}/${s}${ps.map((p) => ';' + p).join('')}`);
const date = fc.oneof(fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }).map((d) => d.toUTCString()), fc.constantFrom('Sat, 13 Nov 2010 23:29:00 EST', 'not a date'));
const warning = fc.tuple(fc.integer({ min: 0, max: 1000 }), hostname, quoted).map(([c, a, t]) => `${c} ${a} ${t}`);
const tokenParams = fc.tuple(token, headerParams).map(([t, p]) => t + p);
const freeText = fc.oneof(utf8Text, token, fc.constantFrom('', ';;,,;;,;', '"', '<', '\\'));

function valueFor(spec: HeaderSpec | undefined): fc.Arbitrary<string> {
  switch (spec?.grammar) {
    case 'name-addr':
      return nameAddr;
    case 'name-addr-list':
      return fc.array(nameAddr, { minLength: 1, maxLength: 3 }).map((a) => a.join(', '));
    case 'star-params-list':
      return fc.array(fc.tuple(fc.constant('*'), headerParams).map(([s, p]) => s + p), { minLength: 1, maxLength: 2 }).map((a) => a.join(', '));
    case 'via':
      return fc.array(via, { minLength: 1, maxLength: 3 }).map((a) => a.join(', '));
    case 'cseq':
      return fc.tuple(number, method).map(([n, m]) => `${n} ${m}`);
    case 'call-id':
      return fc.oneof(fc.tuple(token, fc.option(hostname, { nil: undefined })).map(([a, h]) => (h ? `${a}@${h}` : a)), fc.constantFrom('', 'a b', 'x@y@z'));
    case 'token':
      return token;
    case 'token-list':
      return tokenList;
    case 'token-params':
      return tokenParams;
    case 'token-params-list':
      return fc.array(tokenParams, { minLength: 1, maxLength: 3 }).map((a) => a.join(', '));
    case 'media-type':
      return mediaType;
    case 'media-range-list':
      return fc.array(mediaType, { maxLength: 3 }).map((a) => a.join(', '));
    case 'credentials':
    case 'auth-params':
      return spec.grammar === 'credentials' ? credentials : fc.array(authParam, { minLength: 1, maxLength: 4 }).map((a) => a.join(', '));
    case 'products':
      return products;
    case 'delta-seconds':
    case 'integer':
      return number;
    case 'retry-after':
      return fc.tuple(number, fc.option(fc.constantFrom(' (lunch)', ';duration=60', ';refresher=uac'), { nil: undefined })).map(([n, x]) => n + (x ?? ''));
    case 'date':
      return date;
    case 'warning':
      return fc.array(warning, { minLength: 1, maxLength: 2 }).map((a) => a.join(', '));
    default:
      return freeText;
  }
}

const TABLE_SPECS = HEADER_TABLE.filter((s) => s.key !== 'content-length');

/** Names as written: canonical, lower, upper, random case, compact. */
function nameAs(spec: HeaderSpec): fc.Arbitrary<string> {
  const forms = [spec.name, spec.key, spec.name.toUpperCase()];
  if (spec.compact) forms.push(spec.compact, spec.compact.toUpperCase());
  return fc.constantFrom(...forms);
}

export interface GeneratedHeader {
  name: string;
  value: string;
  /** Separator between name and value (': ' usually). */
  sep: string;
}

export const header: fc.Arbitrary<GeneratedHeader> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...TABLE_SPECS).chain((spec) => fc.record({ name: nameAs(spec), value: valueFor(spec), sep: fc.constantFrom(': ', ':', ' : ', ':\t', ':  ') })) },
  { weight: 1, arbitrary: fc.record({ name: token, value: freeText, sep: fc.constant(': ') }) },
);

const reason = fc.oneof(fc.constantFrom('OK', 'Unauthorized', 'Interval Too Brief', ''), utf8Text);
export const startLine = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(method, anyUri).map(([m, u]) => `${m} ${u} SIP/2.0`) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 100, max: 699 }), reason).map(([s, r]) => `SIP/2.0 ${s} ${r}`) },
  { weight: 1, arbitrary: fc.constantFrom('REGISTER sip:a SIP/2.0 ', 'REGISTER  sip:a SIP/2.0', 'SIP/2.0 4294967301 x', 'INVITE <sip:a> SIP/2.0', 'OPTIONS sip:a SIP/3.0', 'SIP/2.0 20 OK', 'x', '') },
);

const body = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constantFrom('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n', '<?xml version="1.0"?>\r\n<x/>', 'Hello world!') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
);

export interface GeneratedMessage {
  startLine: string;
  headers: GeneratedHeader[];
  body: string;
  /** How Content-Length is written: correct, absent, wrong. */
  contentLength: 'correct' | 'absent' | 'short' | 'long' | 'huge';
  /** Fold some header values over several lines. */
  fold: boolean;
  /** Line end used: CRLF (right) or bare LF (logs). */
  lf: boolean;
}

export const message: fc.Arbitrary<GeneratedMessage> = fc.record({
  startLine,
  headers: fc.array(header, { maxLength: 14 }),
  body,
  contentLength: fc.oneof({ weight: 8, arbitrary: fc.constant('correct' as const) }, { weight: 1, arbitrary: fc.constantFrom('absent' as const, 'short' as const, 'long' as const, 'huge' as const) }),
  fold: fc.boolean(),
  lf: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** The text of a generated message. */
export function messageText(m: GeneratedMessage): string {
  const eol = m.lf ? '\n' : '\r\n';
  const lines = [m.startLine];
  m.headers.forEach((h, i) => {
    let v = h.value;
    if (m.fold && i % 3 === 1) {
      const sp = v.indexOf(' ');
      if (sp > 0) v = v.slice(0, sp) + eol + ' ' + v.slice(sp + 1);
    }
    lines.push(`${h.name}${h.sep}${v}`);
  });
  const n = utf8Length(m.body);
  const cl = { correct: n, short: Math.max(0, n - 3), long: n + 7, huge: 4294967295, absent: -1 }[m.contentLength];
  if (cl >= 0) lines.push(`Content-Length: ${cl}`);
  return lines.join(eol) + eol + eol + m.body;
}

/** A well-formed message: the framing layers must deliver exactly this text. */
export const wellFormedMessage: fc.Arbitrary<string> = fc.record({
  startLine: fc.oneof(fc.tuple(method, sipUri).map(([m, u]) => `${m} ${u} SIP/2.0`), fc.tuple(fc.integer({ min: 100, max: 699 }), fc.constantFrom('OK', 'Trying', 'Unauthorized')).map(([s, r]) => `SIP/2.0 ${s} ${r}`)),
  headers: fc.array(header, { maxLength: 8 }),
  body: fc.oneof(fc.constant(''), fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.constantFrom('v=0\r\ns=-\r\n', '\r\n\r\n', 'REGISTER sip:x SIP/2.0\r\n')),
}).map((m) => {
  const lines = [m.startLine];
  for (const h of m.headers) {
    // no line breaks and no stray Content-Length inside header values
    if (/content-length|^l$/i.test(h.name)) continue;
    lines.push(`${h.name}: ${h.value.replace(/[\r\n]/g, ' ')}`);
  }
  lines.push(`Content-Length: ${m.body.length}`);
  return lines.join('\r\n') + '\r\n\r\n' + m.body;
});

/** A SIP stream cut into segments, delivered with reordering and duplicates (no loss). */
export interface StreamCase {
  messages: string[];
  /** Cut points in the stream, sorted, inside (0, length). */
  cuts: number[];
  /** Initial sequence number (near 2^32 to exercise wrap-around). */
  isn: number;
  /** Segment delivery order: a permutation with small displacement, plus duplicates. */
  order: number[];
  keepAlives: boolean;
  syn: boolean;
}

export const streamCase: fc.Arbitrary<StreamCase> = fc
  .record({
    messages: fc.array(wellFormedMessage, { minLength: 1, maxLength: 5 }),
    cutFractions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
    isn: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0xffffffff, 0xfffffff0, 0xffffff00, 0)),
    swaps: fc.array(fc.nat(), { maxLength: 6 }),
    dups: fc.array(fc.nat(), { maxLength: 4 }),
    keepAlives: fc.boolean(),
    syn: fc.boolean(),
  })
  .map((r) => {
    const messages = r.keepAlives ? r.messages.map((m, i) => (i % 2 ? '\r\n\r\n' + m : m)) : r.messages;
    const len = messages.reduce((n, m) => n + m.length, 0);
    const cuts = [...new Set(r.cutFractions.map((f) => Math.floor(f * len)).filter((c) => c > 0 && c < len))].sort((a, b) => a - b);
    const n = cuts.length + 1;
    const order = Array.from({ length: n }, (_, i) => i);
    for (const s of r.swaps) {
      const i = s % n;
      if (i + 1 < n) [order[i], order[i + 1]] = [order[i + 1], order[i]];
    }
    for (const d of r.dups) order.splice(Math.min(order.length, (d % n) + 1), 0, order[d % order.length]);
    return { messages, cuts, isn: r.isn, order, keepAlives: r.keepAlives, syn: r.syn };
  });

/** A datagram cut into IP fragments, delivered shuffled with duplicates. */
export interface FragmentCase {
  message: string;
  v6: boolean;
  /** Fragment payload size (multiple of 8). */
  size: number;
  /** Swaps applied to the fragment order, and fragments sent twice (indexes modulo the count). */
  shuffle: number[];
  dups: number[];
  id: number;
}

export const fragmentCase: fc.Arbitrary<FragmentCase> = fc
  .record({
    message: wellFormedMessage,
    pad: fc.integer({ min: 0, max: 9000 }),
    v6: fc.boolean(),
    units: fc.integer({ min: 1, max: 200 }),
    shuffle: fc.array(fc.nat(), { maxLength: 30 }),
    dups: fc.array(fc.nat(), { maxLength: 3 }),
    id: fc.integer({ min: 0, max: 0xffff }),
  })
  .map((r) => ({ message: r.message.replace('\r\n', `\r\nX-Pad: ${'x'.repeat(r.pad)}\r\n`), v6: r.v6, size: r.units * 8, shuffle: r.shuffle, dups: r.dups, id: r.id }));

/** The delivery order of `count` fragments for a case. */
export function fragmentOrder(c: FragmentCase, count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < c.shuffle.length; i++) {
    const a = i % count, b = c.shuffle[i] % count;
    [order[a], order[b]] = [order[b], order[a]];
  }
  // A datagram that needed no fragmenting is a whole packet: sending it twice gives it twice.
  if (count > 1) for (const d of c.dups) order.push(d % count);
  return order;
}

/** Deterministic sample number `index` of `arb` under `seed`. */
export function sampleAt<T>(arb: fc.Arbitrary<T>, seed: number, index: number): T {
  return fc.sample(arb, { seed: (Math.imul(seed ^ 0x5bd1e995, 0x01000193) + index * 0x9e3779b1) | 0, numRuns: 1 })[0];
}
