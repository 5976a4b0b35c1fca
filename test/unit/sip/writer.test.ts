/**
 * Writer: formats params, URIs, name-addrs, Via, credentials, headers and whole messages with
 * the same grammar table the parser validates with. Round trips: parse -> write -> parse gives
 * the same structures, over built REGISTER templates and over the public corpus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SipHeader, SipMessage } from '../../../src/core/types';
import {
  firstHeader,
  formatCredentials,
  formatHeader,
  formatMessage,
  formatNameAddr,
  formatParams,
  formatParsedHeader,
  formatProducts,
  formatUri,
  formatVia,
  headerSpec,
  paramValue,
  parseCredentials,
  parseCSeq,
  parseNameAddr,
  parseNameAddrList,
  parseNumberHeader,
  parseProducts,
  parseSipMessage,
  parseTokenList,
  parseValueParams,
  parseVia,
} from '../../../src/core/sip/index';

test('formatParams: flags, numbers, explicit and automatic quoting', () => {
  assert.equal(
    formatParams([
      { name: 'lr' },
      { name: 'expires', value: 600 },
      { name: '+sip.instance', value: '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>', quote: true },
      { name: '+g.3gpp.icsi-ref', value: '"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"' },
      { name: 'x', value: 'a b' },
      { name: 'received', value: '2001:db8::1' },
      { name: 'q', value: 'say "hi"', quote: true },
    ]),
    ';lr;expires=600;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel";x="a b";received=2001:db8::1;q="say \\"hi\\""',
  );
  assert.equal(formatParams(undefined), '');
  assert.equal(formatParams([{ name: 'p', value: 'a b;c' }], 'uri'), ';p=a%20b%3Bc');
});

test('formatUri / formatNameAddr / formatVia / formatCredentials / formatProducts', () => {
  assert.equal(formatUri({ scheme: 'sip', user: 'alice', host: '192.0.2.1', port: 5060, params: [{ name: 'transport', value: 'tcp' }] }), 'sip:alice@192.0.2.1:5060;transport=tcp');
  assert.equal(formatUri({ host: 'ims.example.net' }), 'sip:ims.example.net');
  assert.equal(formatUri({ scheme: 'SIPS', user: 'a', password: 'pw', host: '[2001:db8::1]', headers: 'subject=x' }), 'sips:a:pw@[2001:db8::1]?subject=x');
  assert.equal(formatUri({ scheme: 'tel', user: '+1-201-555-0123', params: [{ name: 'phone-context', value: 'example.com' }] }), 'tel:+1-201-555-0123;phone-context=example.com');
  assert.equal(formatUri({ scheme: 'urn', text: 'urn:uuid:1' }), 'urn:uuid:1');
  assert.equal(formatUri('sip:raw@example.com'), 'sip:raw@example.com');

  assert.equal(formatNameAddr({ displayName: 'Alice "A"', uri: { user: 'alice', host: 'x.example' }, params: [{ name: 'tag', value: '1' }] }), '"Alice \\"A\\"" <sip:alice@x.example>;tag=1');
  assert.equal(formatNameAddr({ uri: 'sip:bob@b.example', bracketed: false, params: [{ name: 'tag', value: '9' }] }), 'sip:bob@b.example;tag=9');
  // a URI with parameters cannot be written as addr-spec: its ;params would become header params
  assert.equal(formatNameAddr({ uri: { host: 'p.example', params: [{ name: 'lr' }] }, bracketed: false }), '<sip:p.example;lr>');
  assert.equal(formatNameAddr({ star: true }), '*');

  assert.equal(formatVia({ transport: 'tcp', host: '192.0.2.1', port: 5060, params: [{ name: 'branch', value: 'z9hG4bK1' }, { name: 'rport' }] }), 'SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK1;rport');
  assert.equal(formatVia({ protocol: 'SIP/2.0/WSS', host: 'h.invalid' }), 'SIP/2.0/WSS h.invalid');

  assert.equal(
    formatCredentials({
      scheme: 'Digest',
      params: [
        { name: 'username', value: 'alice@ims.example.net' },
        { name: 'realm', value: 'ims.example.net' },
        { name: 'nonce', value: '' },
        { name: 'uri', value: 'sip:ims.example.net' },
        { name: 'response', value: '' },
        { name: 'algorithm', value: 'MD5' },
        { name: 'nc', value: '00000001' },
      ],
    }),
    'Digest username="alice@ims.example.net", realm="ims.example.net", nonce="", uri="sip:ims.example.net", response="", algorithm=MD5, nc=00000001',
  );
  assert.equal(formatProducts([{ product: 'IM-client', version: 'OMA1.0' }, { product: 'Acme' }, { product: 'build 7', isComment: true }]), 'IM-client/OMA1.0 Acme (build 7)');
});

test('formatHeader: canonical and compact names from the table; lists; no header injection', () => {
  assert.equal(formatHeader('call-id', 'abc@host'), 'Call-ID: abc@host');
  assert.equal(formatHeader('i', 'abc@host'), 'Call-ID: abc@host');
  assert.equal(formatHeader('Contact', { uri: 'sip:a@b' }, { compact: true }), 'm: <sip:a@b>');
  assert.equal(formatHeader('Expires', 600), 'Expires: 600');
  assert.equal(formatHeader('CSeq', { num: 2, method: 'REGISTER' }), 'CSeq: 2 REGISTER');
  assert.equal(formatHeader('Require', ['pref', 'sec-agree']), 'Require: pref, sec-agree');
  assert.equal(formatHeader('Contact', [{ uri: 'sip:a@b' }, { uri: 'sip:c@d', params: [{ name: 'q', value: '0.5' }] }]), 'Contact: <sip:a@b>, <sip:c@d>;q=0.5');
  assert.equal(formatHeader('Via', [{ host: 'a' }, { host: 'b', transport: 'TCP' }]), 'Via: SIP/2.0/UDP a, SIP/2.0/TCP b');
  assert.equal(formatHeader('Content-Type', { value: 'application/sdp', params: [{ name: 'charset', value: 'utf-8' }] }), 'Content-Type: application/sdp;charset=utf-8');
  assert.equal(formatHeader('User-Agent', [{ product: 'IM-client', version: 'OMA1.0' }]), 'User-Agent: IM-client/OMA1.0');
  assert.equal(formatHeader('X-Custom', 'v'), 'X-Custom: v');
  assert.equal(formatHeader('Subject', 'a\r\nVia: evil'), 'Subject: a Via: evil');
  assert.equal(formatHeader('Contact', { displayName: 'x\r\ny', uri: 'sip:a@b' }), 'Contact: "x y" <sip:a@b>');
});

function registerTemplate(): string {
  return formatMessage({
    startLine: { method: 'REGISTER', uri: { host: 'ims.example.net' } },
    headers: [
      ['Via', { transport: 'UDP', host: '192.0.2.10', port: 5060, params: [{ name: 'branch', value: 'z9hG4bK776asdhds' }, { name: 'rport' }] }],
      ['Max-Forwards', 70],
      ['From', { uri: { user: 'alice', host: 'ims.example.net' }, params: [{ name: 'tag', value: 'a73kszlfl' }] }],
      ['To', { uri: { user: 'alice', host: 'ims.example.net' } }],
      ['Call-ID', '1j9FpLxk3uxtm8tn@192.0.2.10'],
      ['CSeq', { num: 1, method: 'REGISTER' }],
      [
        'Contact',
        {
          uri: { user: 'alice', host: '192.0.2.10', port: 5060 },
          params: [
            { name: '+g.oma.sip-im' },
            { name: '+g.oma.sip-im.large-message' },
            { name: '+sip.instance', value: '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>', quote: true },
            { name: 'expires', value: 600 },
          ],
        },
      ],
      ['Require', ['pref']],
      ['Supported', ['path', 'gruu']],
      ['Expires', 600],
      ['User-Agent', [{ product: 'IM-client', version: 'OMA1.0' }, { product: 'Acme-IM', version: '2.1' }]],
      ['Authorization', { scheme: 'Digest', params: [{ name: 'username', value: 'alice@ims.example.net' }, { name: 'realm', value: 'ims.example.net' }, { name: 'nonce', value: '' }, { name: 'uri', value: 'sip:ims.example.net' }, { name: 'response', value: '' }] }],
    ],
  });
}

test('a REGISTER template written by the table parses with no problem and the same values', () => {
  const text = registerTemplate();
  assert.ok(text.startsWith('REGISTER sip:ims.example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n'));
  assert.ok(text.endsWith('\r\nContent-Length: 0\r\n\r\n'));
  const m = parseSipMessage(text);
  assert.deepEqual(m.problems, []);
  const contact = parseNameAddrList(m, firstHeader(m, 'contact')!).values[0];
  assert.equal(contact.uri?.text, 'sip:alice@192.0.2.10:5060');
  assert.equal(paramValue(contact.params, '+sip.instance')?.unquoted, '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>');
  assert.equal(paramValue(contact.params, 'expires')?.value, '600');
  assert.deepEqual(parseTokenList(m, firstHeader(m, 'require')!).map((t) => t.token), ['pref']);
  assert.deepEqual(parseProducts(m, firstHeader(m, 'user-agent')!).map((p) => [p.product, p.version]), [['IM-client', 'OMA1.0'], ['Acme-IM', '2.1']]);
  assert.equal(parseCSeq(m)?.num, 1);
  assert.equal(parseNumberHeader(m, firstHeader(m, 'expires')!).value, 600);
  assert.equal(paramValue(parseCredentials(m, firstHeader(m, 'authorization')!)!.params, 'username')?.unquoted, 'alice@ims.example.net');
  assert.equal(m.contentLength, 0);
});

test('formatMessage: body, Content-Length in UTF-8 octets, status lines, raw header lines', () => {
  const text = formatMessage({ startLine: { status: 200, reason: 'OK' }, headers: ['Call-ID: x@y', { name: 'CSeq', value: '1 MESSAGE' }], body: 'héllo' });
  assert.equal(text, 'SIP/2.0 200 OK\r\nCall-ID: x@y\r\nCSeq: 1 MESSAGE\r\nContent-Length: 6\r\n\r\nhéllo');
  const m = parseSipMessage(text, { octets: 'utf8' });
  assert.equal(m.text.slice(m.bodySpan.start, m.bodySpan.end), 'héllo');
  assert.deepEqual(m.problems, []);
  // an explicit Content-Length (any spelling) is kept
  assert.equal(formatMessage({ startLine: 'OPTIONS sip:a SIP/2.0', headers: [['l', 0]] }), 'OPTIONS sip:a SIP/2.0\r\nContent-Length: 0\r\n\r\n');
});

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

/** The parsed structure of one header by its table grammar, spans removed. */
function structOf(m: SipMessage, h: SipHeader): unknown {
  const g = headerSpec(h.key)?.grammar ?? 'text';
  let v: unknown;
  switch (g) {
    case 'name-addr':
      v = parseNameAddr(m, h).value;
      break;
    case 'name-addr-list':
      v = parseNameAddrList(m, h).values;
      break;
    case 'via':
      v = parseVia(m, h).values;
      break;
    case 'cseq': {
      const c = parseCSeq({ ...m, headers: [h] });
      v = c && [c.num, c.method];
      break;
    }
    case 'token-list':
      v = parseTokenList(m, h).map((t) => t.token);
      break;
    case 'products':
      v = parseProducts(m, h);
      break;
    case 'credentials':
      v = parseCredentials(m, h);
      break;
    case 'delta-seconds':
    case 'integer':
      v = parseNumberHeader(m, h).value;
      break;
    case 'token-params':
    case 'media-type':
      v = parseValueParams(m, h, g === 'media-type' ? 'media-type' : 'token', false).values;
      break;
    case 'token-params-list':
    case 'media-range-list':
    case 'star-params-list':
      v = parseValueParams(m, h, g === 'star-params-list' ? 'star' : g === 'media-range-list' ? 'media-range' : 'token').values;
      break;
    default:
      v = h.value;
  }
  return noSpans(v);
}

/** Parses one header line inside a minimal message. */
function reparse(line: string): { m: SipMessage; h: SipHeader } {
  const m = parseSipMessage(`SIP/2.0 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`);
  return { m, h: m.headers[0] };
}

test('round trip over the REGISTER template: every header parses -> writes -> parses the same', () => {
  const m = parseSipMessage(registerTemplate());
  for (const h of m.headers) {
    const line = formatParsedHeader(m, h);
    assert.ok(line !== undefined, h.name);
    assert.equal(line, m.text.slice(h.span.start, h.span.end), `${h.name} is written back identically`);
  }
});

test('round trip over the public corpus: parse -> write -> parse gives the same structures', (t) => {
  const corpus = resolve(process.cwd(), '../shared/corpus/public');
  if (!existsSync(corpus)) return t.skip(`corpus absent: ${corpus}`);
  const files: string[] = [];
  for (const d of ['rfc4475/resiprocate', 'rfc5118/ersip', 'messages/kamailio-test-misc-sip', 'messages/npm-sip-message-examples']) {
    const dir = join(corpus, d);
    if (existsSync(dir)) for (const f of readdirSync(dir)) if (!/\.(md|tsv)$/.test(f)) files.push(join(dir, f));
  }
  let headersChecked = 0;
  let messagesChecked = 0;
  for (const f of files) {
    const m = parseSipMessage(readFileSync(f).toString('latin1'));
    if (!m.startLine) continue;
    // headers whose own value parses cleanly must survive a write/parse cycle unchanged
    const clean = m.headers.filter((h) => !m.problems.some((p) => p.span.start >= h.span.start && p.span.end <= h.span.end && p.severity !== 'info'));
    for (const h of clean) {
      const line = formatParsedHeader(m, h);
      assert.ok(line !== undefined, `${f}: ${h.name}`);
      const r = reparse(line);
      assert.equal(r.h.key, h.key, `${f}: ${line}`);
      assert.deepEqual(structOf(r.m, r.h), structOf(m, h), `${f}: ${h.name}\n  was:     ${h.value}\n  written: ${line}`);
      const own = r.m.problems.filter((p) => p.span.start < r.h.span.end && p.severity !== 'info');
      assert.deepEqual(own, [], `${f}: written '${line}' has problems`);
      headersChecked++;
    }
    // whole message: start line, clean headers rewritten, body kept
    const sl = m.text.slice(m.startLine.span.start, m.startLine.span.end);
    const body = m.text.slice(m.bodySpan.start, m.bodySpan.end);
    const rewritten = formatMessage({
      startLine: sl,
      headers: clean.filter((h) => h.key !== 'content-length').map((h) => formatParsedHeader(m, h)!),
      body,
    });
    const again = parseSipMessage(rewritten);
    assert.deepEqual(noSpans(again.startLine), noSpans(m.startLine), f);
    assert.deepEqual(again.headers.map((h) => h.key), [...clean.filter((h) => h.key !== 'content-length').map((h) => h.key), 'content-length'], f);
    assert.equal(again.text.slice(again.bodySpan.start, again.bodySpan.end), body);
    messagesChecked++;
  }
  assert.ok(headersChecked > 500, `checked ${headersChecked} headers`);
  assert.ok(messagesChecked > 100, `checked ${messagesChecked} messages`);
});

function noSpans(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null, (k, x) => (/^span$|Span$/.test(k) ? undefined : x)));
}
