/**
 * The template generator: every template of every kind, for every option combination, passes the
 * rule checker with zero errors (catalog §13), in its flow (the 401 before the credentials, the 2xx
 * before a refresh); the messages have the content of catalog §12; trace prefill takes the fields
 * of a real flow (fixtures made with Kamailio + SIPp).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SipMessage } from '../../../src/core/types';
import { firstHeader, headersOf, parseSipMessage } from '../../../src/core/sip/parser';
import { readTraceBytes } from '../../../src/core/trace';
import { RegisterChecker } from '../../../src/core/register/index';
import { resolveSettings } from '../../../src/core/settings';
import {
  OPTION_SPACE,
  TEMPLATE_KINDS,
  availableKinds,
  blankFields,
  checkTemplate,
  generateCheckedTemplate,
  generateFlow,
  generateTemplate,
  prefillFromTrace,
  seededRng,
  type TemplateKind,
  type TemplateOptions,
} from '../../../src/core/templates/index';
import { fixturesRoot } from '../../helpers/paths';

function* optionCombinations(): Generator<TemplateOptions> {
  const keys = Object.keys(OPTION_SPACE) as (keyof TemplateOptions)[];
  const walk = function* (i: number, acc: Partial<TemplateOptions>): Generator<TemplateOptions> {
    if (i === keys.length) {
      yield { ...acc } as TemplateOptions;
      return;
    }
    for (const v of OPTION_SPACE[keys[i]] as readonly unknown[]) yield* walk(i + 1, { ...acc, [keys[i]]: v });
  };
  yield* walk(0, {});
}

const EXPECTED_CLASS: Record<Exclude<TemplateKind, 'publish'>, { phase: string; attempt: string }> = {
  initial: { phase: 'initial', attempt: 'first' },
  credentials: { phase: 'initial', attempt: 'auth-resend' },
  refresh: { phase: 'refresh', attempt: 'first' },
  'im-deregistration': { phase: 'im-deregistration', attempt: 'first' },
  'full-deregistration': { phase: 'full-deregistration', attempt: 'first' },
};

function describeFindings(fs: readonly { ruleId: string; severity: string; message: string }[]): string {
  return fs.map((f) => `${f.ruleId} ${f.severity}: ${f.message}`).join('\n');
}

/** Parse problems of the shown text may only sit on a «placeholder». */
function problemsOutsidePlaceholders(sip: SipMessage): string[] {
  const ranges: [number, number][] = [];
  const re = /«[^»]*»/g;
  for (let m = re.exec(sip.text); m; m = re.exec(sip.text)) ranges.push([m.index, m.index + m[0].length]);
  return sip.problems
    .filter((p) => p.severity === 'error' && !ranges.some(([s, e]) => p.span.start < e && p.span.end > s && p.span.start >= s - 1))
    .map((p) => `${p.code} ${p.message} @${p.span.start}`);
}

test('every template kind x every option combination: zero error findings, correct classification, clean parse', () => {
  const rng = seededRng(2024);
  let count = 0;
  const warnings = new Set<string>();
  for (const o of optionCombinations()) {
    const fields = blankFields(o.profile, { rng });
    for (const kind of availableKinds(o)) {
      const c = generateCheckedTemplate(kind, fields, o, {}, rng);
      count++;
      const label = `${kind} ${JSON.stringify(o)}`;
      const errors = c.findings.filter((f) => f.severity === 'error');
      assert.equal(errors.length, 0, `${label}\n${describeFindings(errors)}\n${c.template.checkText}`);
      const ctxErrors = c.contextFindings.filter((f) => f.severity === 'error');
      assert.equal(ctxErrors.length, 0, `history of ${label}\n${describeFindings(ctxErrors)}`);
      for (const f of c.findings) if (f.severity === 'warning') warnings.add(`${kind} ${f.ruleId}`);
      // What the checker read parses without a problem; the shown text only fails on placeholders.
      assert.deepEqual(c.messages[c.templateIndex].sip.problems.filter((p) => p.severity === 'error'), [], label);
      assert.deepEqual(problemsOutsidePlaceholders(parseSipMessage(c.template.text, { octets: 'utf8' })), [], `${label}\n${c.template.text}`);
      if (kind !== 'publish') {
        assert.ok(c.exchange, `${label}: the checker saw a REGISTER exchange`);
        assert.equal(c.exchange.phase, EXPECTED_CLASS[kind].phase, label);
        assert.equal(c.exchange.attempt, EXPECTED_CLASS[kind].attempt, label);
      }
    }
  }
  assert.ok(count >= 3000, `walked ${count} templates`);
  assert.deepEqual([...warnings], [], 'no warnings either');
});

test('credentials against every challenge shape (algorithm, qop, opaque, 401/407, with/without password): zero errors, digest computed when it can be', () => {
  const rng = seededRng(7);
  const algorithms = [undefined, 'MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256'];
  const qops = [undefined, 'auth', 'auth,auth-int', 'auth-int'];
  let count = 0;
  for (const profile of ['generic', 'ims'] as const) {
    for (const algorithm of algorithms) {
      for (const qop of qops) {
        for (const opaque of [undefined, 'op/aque+1']) {
          for (const password of [undefined, 'imsecret']) {
            for (const proxyChallenge of [false, true]) {
              const fields = { ...blankFields(profile, { rng }), password, challenge: { realm: 'ims.example.net', nonce: 'nOnCe/42+=', algorithm, qop, opaque } };
              for (const kind of ['credentials', 'refresh', 'im-deregistration', 'full-deregistration'] as const) {
                const c = generateCheckedTemplate(kind, fields, { profile, auth: 'digest', proxyChallenge }, {}, rng);
                count++;
                const label = `${kind} ${profile} ${algorithm} ${qop} ${opaque} ${password} ${proxyChallenge}`;
                assert.deepEqual(c.findings.filter((f) => f.severity !== 'info').map((f) => f.ruleId), [], `${label}\n${describeFindings(c.findings)}`);
                const supported = algorithm !== 'SHA-512-256';
                assert.equal(c.template.digest, password && supported ? 'computed' : 'placeholder', label);
                const h = firstHeader(c.messages[c.templateIndex].sip, proxyChallenge ? 'proxy-authorization' : 'authorization');
                assert.ok(h, label);
                assert.equal(firstHeader(c.messages[c.templateIndex].sip, proxyChallenge ? 'authorization' : 'proxy-authorization'), undefined, label);
                assert.match(h.value, /nonce="nOnCe\/42\+="/, label);
                if (opaque) assert.match(h.value, /opaque="op\/aque\+1"/, label);
                if (qop === 'auth-int') assert.match(h.value, /qop=auth-int/, label);
                else if (qop) assert.match(h.value, /qop=auth, nc=0000000\d, cnonce="[0-9a-f]{16}"/, label);
                else assert.doesNotMatch(h.value, /qop|nc=|cnonce/, label);
              }
            }
          }
        }
      }
    }
  }
  assert.equal(count, 2 * 6 * 4 * 2 * 2 * 2 * 4);
});

test('initial REGISTER has the content of catalog 12.1 (generic) and 12.8 (IMS AKA)', () => {
  const rng = seededRng(1);
  const fields = { ...blankFields('generic', { rng }), callId: 'b84c3e0f7d2a4c6e@192.0.2.10', fromTag: '4fa3c1', instanceId: 'urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71', branch: 'z9hG4bKr7Qk1a' };
  const t = generateTemplate('initial', fields, { profile: 'generic', auth: 'digest', gruu: true }, rng);
  assert.equal(
    t.text,
    [
      'REGISTER sip:ims.example.net SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr7Qk1a;rport',
      'Max-Forwards: 70',
      'From: <sip:alice@ims.example.net>;tag=4fa3c1',
      'To: <sip:alice@ims.example.net>',
      'Call-ID: b84c3e0f7d2a4c6e@192.0.2.10',
      'CSeq: 1 REGISTER',
      'Contact: <sip:alice@192.0.2.10:5060>;+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message;+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"',
      'Expires: 3600',
      'Require: pref',
      'Supported: path, gruu',
      'User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  assert.equal(t.ready, true);
  assert.deepEqual(t.placeholders, []);

  const ims = generateTemplate('initial', { ...blankFields('ims', { rng }), aor: 'sip:001010123456789@ims.mnc001.mcc001.3gppnetwork.org', registrar: 'sip:ims.mnc001.mcc001.3gppnetwork.org', contactHost: '2001:db8:1::10' }, { profile: 'ims', auth: 'ims-aka' }, rng);
  const sip = parseSipMessage(ims.text);
  assert.equal(firstHeader(sip, 'expires')?.value, '600000');
  assert.equal(firstHeader(sip, 'authorization')?.value, 'Digest username="001010123456789@ims.mnc001.mcc001.3gppnetwork.org", realm="ims.mnc001.mcc001.3gppnetwork.org", uri="sip:ims.mnc001.mcc001.3gppnetwork.org", nonce="", response=""');
  assert.equal(firstHeader(sip, 'require')?.value, 'pref, sec-agree');
  assert.equal(firstHeader(sip, 'proxy-require')?.value, 'sec-agree');
  assert.match(firstHeader(sip, 'security-client')?.value ?? '', /^ipsec-3gpp;alg=hmac-sha-1-96;.*port-s=5064$/);
  assert.match(firstHeader(sip, 'via')?.value ?? '', /^SIP\/2\.0\/UDP \[2001:db8:1::10\]:5060;branch=z9hG4bK/);
  assert.match(firstHeader(sip, 'contact')?.value ?? '', /^<sip:001010123456789@\[2001:db8:1::10\]:5060>;\+g\.oma\.sip-im;/);
  assert.equal(ims.digest, 'empty');
});

test('credentials: the Digest response is computed locally and equals RFC 2617 with Node crypto', () => {
  const rng = seededRng(3);
  const fields = { ...blankFields('generic', { rng }), password: 'imsecret', cnonce: 'a1b2c3d4', challenge: { realm: 'ims.example.net', nonce: '5c1e9b3f0a7d42e18c6b', algorithm: 'MD5', qop: 'auth' } };
  const t = generateTemplate('credentials', fields, { auth: 'digest' }, rng);
  const H = (s: string) => createHash('md5').update(s).digest('hex');
  const expected = H(`${H('alice:ims.example.net:imsecret')}:5c1e9b3f0a7d42e18c6b:00000001:a1b2c3d4:auth:${H('REGISTER:sip:ims.example.net')}`);
  const auth = firstHeader(parseSipMessage(t.text), 'authorization')?.value;
  assert.equal(auth, `Digest username="alice", realm="ims.example.net", nonce="5c1e9b3f0a7d42e18c6b", uri="sip:ims.example.net", response="${expected}", algorithm=MD5, qop=auth, nc=00000001, cnonce="a1b2c3d4"`);
  assert.equal(t.digest, 'computed');
  assert.equal(firstHeader(parseSipMessage(t.text), 'cseq')?.value, '2 REGISTER');

  // Without a password the response is a visible placeholder; without a challenge the nonce too.
  const blank = generateTemplate('credentials', blankFields('generic', { rng }), { auth: 'digest' }, rng);
  assert.match(blank.text, /nonce="«nonce»"/);
  assert.match(blank.text, /response="«response»"/);
  assert.deepEqual(blank.placeholders.map((p) => p.name), ['nonce', 'response']);
  assert.equal(blank.ready, true, 'Digest placeholders do not block (only the catalog 11.1 ones do)');
  assert.match(blank.checkText, /nonce="5c1e9b3f0a7d42e18c6b"/);
  assert.doesNotMatch(blank.checkText, /«|»/);
});

test('de-registrations: IM-only drops exactly the three tags; full uses Expires: 0; wildcard only on request', () => {
  const rng = seededRng(5);
  const fields = blankFields('generic', { rng });
  const reg = parseSipMessage(generateTemplate('refresh', fields, {}, rng).text);
  const im = parseSipMessage(generateTemplate('im-deregistration', fields, {}, rng).text);
  const full = parseSipMessage(generateTemplate('full-deregistration', fields, {}, rng).text);
  const star = parseSipMessage(generateTemplate('full-deregistration', fields, { wildcard: true }, rng).text);
  const regContact = firstHeader(reg, 'contact')!.value;
  assert.equal(firstHeader(im, 'contact')!.value, regContact.replace(';+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message', ''));
  assert.equal(firstHeader(im, 'expires')!.value, '3600');
  assert.equal(firstHeader(im, 'require')!.value, 'pref');
  assert.equal(firstHeader(full, 'contact')!.value, firstHeader(im, 'contact')!.value);
  assert.equal(firstHeader(full, 'expires')!.value, '0');
  assert.equal(firstHeader(full, 'require'), undefined);
  assert.equal(firstHeader(star, 'contact')!.value, '*');
  assert.equal(firstHeader(star, 'expires')!.value, '0');
  assert.deepEqual([reg, im, full].map((m) => firstHeader(m, 'cseq')!.value), ['3 REGISTER', '4 REGISTER', '5 REGISTER']);
});

test('outbound and GRUU need an instance id; TCP/TLS go into Via and the Contact URI', () => {
  const rng = seededRng(6);
  const fields = blankFields('generic', { rng });
  const ob = parseSipMessage(generateTemplate('initial', fields, { outbound: true, gruu: true, transport: 'TCP' }, rng).text);
  assert.match(firstHeader(ob, 'contact')!.value, /^<sip:alice@192\.0\.2\.10:5060;transport=tcp>;.*;\+sip\.instance="<urn:uuid:[0-9a-f-]{36}>";reg-id=1$/);
  assert.equal(firstHeader(ob, 'supported')!.value, 'path, gruu, outbound');
  assert.match(firstHeader(ob, 'via')!.value, /^SIP\/2\.0\/TCP /);
  const tls = parseSipMessage(generateTemplate('initial', { ...fields, contactPort: undefined }, { transport: 'TLS' }, rng).text);
  assert.match(firstHeader(tls, 'via')!.value, /^SIP\/2\.0\/TLS 192\.0\.2\.10:5061;/);
  const noInstance = generateTemplate('initial', { ...fields, instanceId: '' }, { outbound: true, gruu: true }, rng);
  const sip = parseSipMessage(noInstance.text);
  assert.equal(firstHeader(sip, 'supported')!.value, 'path');
  assert.doesNotMatch(firstHeader(sip, 'contact')!.value, /reg-id|instance/);
  assert.equal(noInstance.notes.filter((n) => /needs \+sip\.instance/.test(n)).length, 2);
});

test('settings PUBLISH: placeholders block until filled or accepted (catalog 12.9); Route = proxy + Service-Route', () => {
  const rng = seededRng(8);
  const fields = blankFields('ims', { rng });
  const open = generateTemplate('publish', fields, { profile: 'ims', auth: 'digest' }, rng);
  assert.equal(open.ready, false);
  assert.deepEqual(open.placeholders.map((p) => [p.name, p.blocking]), [
    ['im-settings-event-package', true],
    ['im-settings-mime-type', true],
    ['im-service-settings-document', true],
  ]);
  const sip = parseSipMessage(open.text);
  assert.equal(firstHeader(sip, 'event')?.value, '«im-settings-event-package»');
  assert.equal(firstHeader(sip, 'route')?.value, '<sip:pcscf.ims.example.net;lr>, <sip:orig@scscf.ims.example.net;lr>');
  assert.equal(sip.startLine?.kind === 'request' && sip.startLine.method, 'PUBLISH');
  assert.equal(generateTemplate('publish', fields, { profile: 'ims', acceptPlaceholders: true }, rng).ready, true);

  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<service-settings xmlns="urn:oma:xml:im:service-settings"><active>true</active></service-settings>\n';
  const filled = generateTemplate('publish', { ...fields, eventPackage: 'im-settings', contentType: 'application/im-settings+xml', settingsBody: body }, { profile: 'ims' }, rng);
  assert.equal(filled.ready, true);
  assert.deepEqual(filled.placeholders, []);
  const fs = parseSipMessage(filled.text);
  assert.equal(fs.contentLength, Buffer.byteLength(body.replace(/\n/g, '\r\n')));
  assert.deepEqual(fs.problems.filter((p) => p.severity === 'error'), []);
  const c = checkTemplate(filled, { settingsEventPackage: 'im-settings', settingsContentType: 'application/im-settings+xml' }, rng);
  assert.deepEqual(c.findings.map((f) => f.ruleId), []);
});

test('a flow keeps one Call-ID and From tag, CSeq + 1 and a new branch per request, nonce count + 1', () => {
  const rng = seededRng(9);
  const fields = { ...blankFields('generic', { rng }), password: 'pw', challenge: { realm: 'ims.example.net', nonce: 'abc', qop: 'auth' } };
  const flow = generateFlow(TEMPLATE_KINDS, fields, { auth: 'digest' }, rng);
  assert.deepEqual(flow.map((t) => t.kind), ['initial', 'credentials', 'publish', 'refresh', 'im-deregistration', 'full-deregistration']);
  const msgs = flow.map((t) => parseSipMessage(t.text));
  const regs = msgs.filter((m) => m.startLine?.kind === 'request' && m.startLine.method === 'REGISTER');
  assert.deepEqual(regs.map((m) => firstHeader(m, 'cseq')!.value), ['1 REGISTER', '2 REGISTER', '3 REGISTER', '4 REGISTER', '5 REGISTER']);
  assert.equal(new Set(regs.map((m) => firstHeader(m, 'call-id')!.value)).size, 1);
  assert.equal(new Set(regs.map((m) => /tag=([^;]+)/.exec(firstHeader(m, 'from')!.value)![1])).size, 1);
  assert.equal(new Set(msgs.map((m) => /branch=([^;]+)/.exec(firstHeader(m, 'via')!.value)![1])).size, msgs.length);
  assert.deepEqual(regs.slice(1).map((m) => /nc=(\w+)/.exec(firstHeader(m, 'authorization')!.value)![1]), ['00000001', '00000002', '00000003', '00000004']);
  assert.notEqual(firstHeader(msgs[2], 'call-id')!.value, firstHeader(msgs[0], 'call-id')!.value);
  // The whole flow, with registrar answers in between, passes the checker.
  const c = checkTemplate(flow[5], {}, rng);
  assert.equal(c.counts.error, 0);
});

test('hostile field values cannot add header lines or break the message', () => {
  const rng = seededRng(10);
  const evil = '<img src=x onerror=alert(1)>\r\nX-Injected: 1\r\n\r\nbody';
  const fields = { ...blankFields('generic', { rng }), vendorProduct: `Evil/1.0 ${evil}`, callId: `abc${evil}`, fromTag: 't\r\nX-Injected: 2', eventPackage: 'ev\nX-Injected: 3' };
  for (const kind of availableKinds({ auth: 'digest' })) {
    const t = generateTemplate(kind, fields, { acceptPlaceholders: true }, rng);
    const sip = parseSipMessage(t.text);
    assert.equal(headersOf(sip, 'x-injected').length, 0, kind);
    assert.equal(sip.text.split('\r\n\r\n').length, 2, `${kind}: one header/body separator`);
  }
});

function checked(file: string) {
  const { messages } = readTraceBytes(new Uint8Array(readFileSync(join(fixturesRoot, 'captures', 'flows', file))));
  const c = new RegisterChecker(resolveSettings({}));
  for (const m of messages) c.add(m);
  return { messages, ...c.end() };
}

test('prefill from a real trace (Kamailio + SIPp compliant flow): fields, next CSeq, last challenge, next nonce count', () => {
  const t = checked('compliant.pcap');
  const p = prefillFromTrace(t.messages, t.exchanges, { exchangeId: 2 });
  assert.equal(p.exchange?.id, 2);
  assert.equal(p.fields.aor, 'sip:alice@ims.example.net');
  assert.equal(p.fields.registrar, 'sip:ims.example.net');
  assert.equal(p.fields.callId, 'fx-compliant-reg@fixture.invalid');
  assert.equal(p.fields.fromTag, 'fx-compliant-ftag');
  assert.equal(p.fields.cseq, 6);
  assert.equal(p.fields.contactHost, '127.0.0.1');
  assert.equal(p.fields.contactPort, 5062);
  assert.equal(p.fields.instanceId, undefined, 'the client registered without +sip.instance');
  assert.equal(p.fields.vendorProduct, 'Fixture/1.0');
  assert.equal(p.fields.imRelease, 'OMA1.0');
  assert.equal(p.fields.expires, 3600);
  assert.equal(p.fields.username, 'alice');
  assert.equal(p.fields.challenge?.realm, 'ims.example.net');
  assert.equal(p.fields.challenge?.qop, 'auth');
  assert.ok(p.fields.challenge?.nonce);
  assert.equal(p.fields.nonceCount, 5, 'four requests used the nonce');
  assert.equal(p.fields.eventPackage, 'im-settings');
  assert.equal(p.fields.contentType, 'application/im-settings+xml');
  assert.deepEqual(p.options, { transport: 'UDP', gruu: false, proxyChallenge: false, auth: 'digest', profile: 'generic' });
  assert.equal(p.suggestedKind, 'initial', 'the flow ended with a full de-registration');
  assert.deepEqual(p.messageIndexes, t.messages.map((m) => m.index));
  assert.ok(p.fromTrace.includes('challenge'));

  // Every template continuing this flow passes the checker.
  const rng = seededRng(11);
  for (const kind of availableKinds({ auth: 'digest' })) {
    const c = generateCheckedTemplate(kind, { ...p.fields, password: 'imsecret' }, p.options, {}, rng);
    assert.equal(c.counts.error, 0, `${kind}: ${describeFindings(c.findings)}`);
    if (kind !== 'initial' && kind !== 'publish') assert.equal(c.template.digest, 'computed', kind);
  }
});

test('prefill: after an unanswered challenge the next template is the credentials resend with CSeq + 1', () => {
  const t = checked('oma-im-reg-014-no-credentials-after-401.pcap');
  const p = prefillFromTrace(t.messages, t.exchanges, { messageIndex: t.messages.length - 1 });
  assert.equal(p.suggestedKind, 'credentials');
  const last401 = t.exchanges.filter((e) => e.finalStatus === 401).pop()!;
  assert.equal(p.fields.cseq, last401.cseq + 1);
  assert.equal(p.fields.nonceCount, 1);
  const c = generateCheckedTemplate('credentials', { ...p.fields, password: 'imsecret' }, p.options, {}, seededRng(12));
  assert.equal(c.counts.error, 0);
  assert.equal(c.exchange?.attempt, 'auth-resend');
});

test('prefill of an empty trace is the blank form', () => {
  const p = prefillFromTrace([], []);
  assert.equal(p.exchange, undefined);
  assert.equal(p.suggestedKind, 'initial');
  assert.deepEqual(p.messageIndexes, []);
  assert.equal(p.fields.aor, 'sip:alice@ims.example.net');
});

test('IMS AKA: the resend repeats Security-Client and echoes Security-Server; re-registrations offer new SPIs and port-c, same port-s', () => {
  const rng = seededRng(13);
  const securityServer = 'ipsec-3gpp;q=0.1;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=201;spi-s=202;port-c=5066;port-s=5068';
  const fields = { ...blankFields('ims', { rng }), securityServer, challenge: { realm: 'ims.example.net', nonce: 'A7yH2mzU', algorithm: 'AKAv1-MD5', qop: 'auth' } };
  const header = (kind: TemplateKind, name: string) => firstHeader(parseSipMessage(generateTemplate(kind, fields, { profile: 'ims', auth: 'ims-aka' }, rng).text), name)?.value;
  assert.equal(header('initial', 'security-client'), nextSecurityClientOf(0));
  assert.equal(header('credentials', 'security-client'), nextSecurityClientOf(0));
  assert.equal(header('credentials', 'security-verify'), securityServer);
  assert.equal(header('refresh', 'security-client'), nextSecurityClientOf(1));
  assert.equal(header('full-deregistration', 'security-client'), nextSecurityClientOf(1));
  // Requests after the challenge go over the SA: Via and Contact carry the protected port-s.
  assert.match(header('credentials', 'via') ?? '', /^SIP\/2\.0\/UDP 192\.0\.2\.10:5064;/);
  assert.match(header('initial', 'via') ?? '', /^SIP\/2\.0\/UDP 192\.0\.2\.10:5060;/);
  // With the RES (hex) as the password the AKAv1-MD5 response is computed.
  const withRes = generateTemplate('credentials', { ...fields, password: 'a5b6c7d8e9f00112' }, { profile: 'ims', auth: 'ims-aka' }, rng);
  assert.equal(withRes.digest, 'computed');
  const notHex = generateTemplate('credentials', { ...fields, password: 'not hex' }, { profile: 'ims', auth: 'ims-aka' }, rng);
  assert.equal(notHex.digest, 'placeholder');
  assert.ok(notHex.notes.some((n) => /RES must be given in hex/.test(n)));
});

function nextSecurityClientOf(generation: number): string {
  return `ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=${101 + 2 * generation};spi-s=${102 + 2 * generation};port-c=${5062 + 8 * generation};port-s=5064`;
}
