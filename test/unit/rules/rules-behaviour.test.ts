/**
 * Rule behaviour beyond the documented examples: false-positive guards, the other severity cases,
 * decisions of catalog §11, and the network-side rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EX, IM_CONTACT, PLAIN_CONTACT, digestAnswer, imRegistration, publish, register, reply, request } from '../../../src/core/rules/examples';
import { featureValueProblem } from '../../../src/core/rules/rfc3840';
import { misspelledImTag } from '../../../src/core/rules/oma-im-tags';
import { tokenizeServerVal } from '../../../src/core/rules/helpers';
import { xmlRoot } from '../../../src/core/rules/oma-im-pub';
import { byRule, ids, run, serious, spanText, traceOf } from './helpers';
import { checkMessages } from '../../../src/core/rules/run-example';


test('OMA-IM-REG-005: near misses are caught, real tags and other feature tags are not', () => {
  assert.equal(misspelledImTag('g.oma.sip-im'), '+g.oma.sip-im');
  assert.equal(misspelledImTag('+g.oma.sipim'), '+g.oma.sip-im');
  assert.equal(misspelledImTag('+g.oma.sip_im'), '+g.oma.sip-im');
  assert.equal(misspelledImTag('+g.oma.sip-im.largemessage'), '+g.oma.sip-im.large-message');
  assert.equal(misspelledImTag('+g.oma.sip-im.system-msg'), '+g.oma.sip-im.system-message');
  assert.equal(misspelledImTag('+G.OMA.SIP-IM'), undefined, 'case only: RFC3840-006');
  assert.equal(misspelledImTag('+g.oma.sip-im.large-message'), undefined);
  assert.equal(misspelledImTag('+g.3gpp.icsi-ref'), undefined);
  assert.equal(misspelledImTag('+sip.instance'), undefined);
  assert.equal(misspelledImTag('+g.poc.talkburst'), undefined);
});

test('OMA-IM-REG-004: "TRUE" accepted; "FALSE" warned and counted absent; other quoted values warned but present', () => {
  const falsy = run([register({ contact: `<${EX.contactUri}>;+g.oma.sip-im="FALSE";+g.oma.sip-im.system-message;+g.oma.sip-im.large-message` })]);
  assert.deepEqual(byRule(falsy, 'OMA-IM-REG-004').map((f) => [f.severity, spanText(falsy, f)]), [['warning', '+g.oma.sip-im="FALSE"']]);
  assert.match(byRule(falsy, 'OMA-IM-REG-001')[0].message, /FALSE/);
  const yes = run([register({ contact: `<${EX.contactUri}>;+g.oma.sip-im="yes";+g.oma.sip-im.system-message;+g.oma.sip-im.large-message` })]);
  assert.deepEqual(ids(yes, 'warning'), ['OMA-IM-REG-004']);
  const ok = run([register({ contact: `<${EX.contactUri}>;+g.oma.sip-im="TRUE";+g.oma.sip-im.system-message="true";+g.oma.sip-im.large-message` })]);
  assert.deepEqual(serious(ok), []);
});

test('OMA-IM-REG-001 hint: tags only in Accept-Contact', () => {
  const r = run([register({ contact: PLAIN_CONTACT, extra: ['Accept-Contact: *;+g.oma.sip-im'] })]);
  assert.match(byRule(r, 'OMA-IM-REG-001')[0].message, /only in Accept-Contact/);
  assert.equal(byRule(r, 'RFC3841-001').length, 1);
});

test('OMA-IM-REG-008: after a 420 naming pref the message says so (decision 11.19), and 022 flags the network', () => {
  const a = register({ cseq: 1 });
  const b = register({ cseq: 2, require: null });
  const r = run([a, reply(a, 420, { extra: ['Unsupported: pref'] }), b]);
  assert.deepEqual(byRule(r, 'OMA-IM-REG-022').map((f) => [f.messageIndex, spanText(r, f)]), [[1, 'pref']]);
  const f = byRule(r, 'OMA-IM-REG-008');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /420 Bad Extension/);
  assert.equal(f[0].related?.[0].messageIndex, 1);
});

test('OMA-IM-REG-010/011/012: product position, case and comments', () => {
  const notFirst = run([register({ userAgent: 'ExampleIM/2.3.1 IM-client/OMA1.0' })]);
  assert.deepEqual(serious(notFirst), []);
  assert.deepEqual(byRule(notFirst, 'OMA-IM-REG-010').map((f) => [f.severity, spanText(notFirst, f)]), [['info', 'IM-client/OMA1.0']]);
  const cpm = run([register({ userAgent: 'CPM-client/OMA2.2 ExampleIM/2.3.1' })]);
  assert.match(byRule(cpm, 'OMA-IM-REG-010')[0].message, /CPM-client/);
  const v2 = run([register({ userAgent: 'IM-client/OMA2.0 ExampleIM/2.3.1' })]);
  assert.deepEqual(byRule(v2, 'OMA-IM-REG-011').map((f) => f.severity), ['info'], 'valid release that differs from imRelease');
  assert.equal(byRule(run([register({ userAgent: 'IM-client/OMA2.0 X/1' })], { imRelease: 'OMA2.0' }), 'OMA-IM-REG-011').length, 0);
  const comment = tokenizeServerVal('IM-client/OMA1.0 (Linux; Android 14) ExampleIM/2.3.1', { start: 0, end: 52 });
  assert.deepEqual(comment.problems, []);
  assert.deepEqual(comment.items.map((i) => i.kind), ['product', 'comment', 'product']);
  assert.deepEqual(tokenizeServerVal('a/1 (x', { start: 0, end: 6 }).problems.map((p) => p.message), ['unbalanced comment: "(" without its ")"']);
});

test('OMA-IM-REG-013 only runs when the SIP/IP Core addresses are configured', () => {
  assert.equal(byRule(run([register()]), 'OMA-IM-REG-013').length, 0);
  const toCore = run([register()], { sipIpCoreAddresses: ['198.51.100.1'] });
  assert.equal(byRule(toCore, 'OMA-IM-REG-013').length, 0, 'test messages carry no destination, nothing to compare');
});

test('OMA-IM-REG-014: AKA challenge answered with an empty response (IMS invalid-challenge signalling) is not reported', () => {
  const a = register({ cseq: 1, extra: ['Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;spi-s=2;port-c=5062;port-s=5064'] });
  const challenge = reply(a, 401).replace('algorithm=MD5, qop="auth"', 'algorithm=AKAv1-MD5');
  const b = register({ cseq: 2, authorization: `Digest username="alice", realm="${EX.realm}", nonce="${EX.nonce}", uri="sip:${EX.domain}", response="", algorithm=AKAv1-MD5` });
  const r = run([a, challenge, b]);
  assert.equal(r.profile, 'ims');
  assert.deepEqual(byRule(r, 'OMA-IM-REG-014'), []);
});

test('OMA-IM-REG-014: wrong uri, algorithm, missing opaque and cnonce each point at their place', () => {
  const a = register({ cseq: 1 });
  const challenge = reply(a, 401).replace('qop="auth"', 'qop="auth", opaque="op1"');
  const b = register({
    cseq: 2,
    authorization: `Digest username="alice", realm="${EX.realm}", nonce="${EX.nonce}", uri="sip:other.example.net", response="0123", algorithm=SHA-256, qop=auth, nc=00000001`,
  });
  const r = run([a, challenge, b]);
  assert.deepEqual(
    byRule(r, 'OMA-IM-REG-014').map((f) => spanText(r, f).slice(0, 28)),
    ['Digest username="alice", rea', 'Digest username="alice", rea', 'uri="sip:other.example.net"', 'algorithm=SHA-256'],
  );
  assert.deepEqual(
    byRule(r, 'OMA-IM-REG-014').map((f) => /opaque|cnonce|uri|algorithm/.exec(f.message)?.[0]),
    ['cnonce', 'opaque', 'uri', 'algorithm'],
  );
});

test('OMA-IM-REG-017: expiry 0 on one of the contacts of an IM-only de-registration is a warning', () => {
  const r = run([...imRegistration({ contact: `${IM_CONTACT}, <sip:alice@192.0.2.10:5070>;${EX.imTags}` }), register({ cseq: 2, contact: `${PLAIN_CONTACT}, <sip:alice@192.0.2.10:5070>;expires=0` })]);
  assert.equal(r.exchanges[1].kind, 'im-deregistration');
  assert.deepEqual(byRule(r, 'OMA-IM-REG-017').map((f) => [f.severity, spanText(r, f)]), [['warning', 'expires=0']]);
});

test('OMA-IM-REG-019: Contact: * with Expires: 0 and a plain Expires: 0 are the compliant forms', () => {
  assert.equal(byRule(run([register({ contact: '*', expires: '0' })]), 'OMA-IM-REG-019').length, 0);
  assert.equal(byRule(run([register({ contact: `${PLAIN_CONTACT};expires=0`, expires: '0' })]), 'OMA-IM-REG-019').length, 0);
});

test('OMA-IM-PUB-002: SIP-If-Match on the initial publication, a foreign Request-URI, no body', () => {
  const base = [register(), reply(register(), 200)];
  const r = run([...base, publish({ ifMatch: 'e9', requestUri: 'sip:mallory@ims.example.net' })]);
  assert.deepEqual(byRule(r, 'OMA-IM-PUB-002').map((f) => spanText(r, f)), ['sip:mallory@ims.example.net', 'SIP-If-Match: e9']);
  const empty = run([...base, publish({ body: null })]);
  assert.match(byRule(empty, 'OMA-IM-PUB-002')[0].message, /no body/);
});

test('OMA-IM-PUB-006: a refresh without SIP-If-Match is warned; 2xx without SIP-ETag is warned', () => {
  const refresh = publish({ cseq: 2, body: null });
  const r = run([...imRegistration(), { text: refresh, gap: 600 }]);
  assert.deepEqual(byRule(r, 'OMA-IM-PUB-006').map((f) => [f.severity, spanText(r, f)]), [['warning', 'PUBLISH sip:alice@ims.example.net SIP/2.0']]);
  const ok = run([...imRegistration().slice(0, 2), { text: publish({ cseq: 2, body: null, ifMatch: 'e1' }), gap: 600 }]);
  assert.equal(byRule(ok, 'OMA-IM-PUB-006').length, 0);
  const noEtag = run([register(), reply(register(), 200), publish(), reply(publish(), 200)]);
  assert.deepEqual(byRule(noEtag, 'OMA-IM-PUB-006').map((f) => [f.severity, spanText(noEtag, f)]), [['warning', 'SIP/2.0 200 OK']]);
});

test('OMA-IM-PUB-003: configured values that match give nothing; nothing configured gives one info', () => {
  const steps = imRegistration();
  assert.equal(byRule(run(steps, { settingsEventPackage: 'im-settings', settingsContentType: 'application/im-settings+xml' }), 'OMA-IM-PUB-003').length, 0);
  const info = byRule(run(steps), 'OMA-IM-PUB-003');
  assert.deepEqual(info.map((f) => f.severity), ['info']);
  assert.match(info[0].message, /Event: im-settings, Content-Type: application\/im-settings\+xml/);
});

test('OMA-IM-PUB-004 / xmlRoot: prolog, comments and prefixed roots', () => {
  const doc = '<?xml version="1.0"?>\n<!-- c -->\n<s:settings xmlns:s="urn:oma:xml:im:service-settings"><a/></s:settings>';
  assert.deepEqual(xmlRoot(doc, 0, doc.length)?.namespace, 'urn:oma:xml:im:service-settings');
  assert.equal(xmlRoot('no xml', 0, 6), undefined);
});

test('OMA-IM-PUB-005: Service-Route is enforced as warning in the IMS profile', () => {
  const a = register();
  const steps = [a, reply(a, 200, { extra: ['Service-Route: <sip:orig@scscf.ims.example.net;lr>'] }), publish()];
  assert.deepEqual(byRule(run(steps, { profile: 'ims' }), 'OMA-IM-PUB-005').map((f) => f.severity), ['warning']);
});

test('RFC3261-REG-010: a new Call-ID after the binding was removed is not reported', () => {
  const steps = [...imRegistration(), register({ cseq: 2, contact: PLAIN_CONTACT, expires: '0' }), reply(register({ cseq: 2, contact: PLAIN_CONTACT, expires: '0' }), 200), register({ cseq: 1, callId: 'new@192.0.2.10' })];
  assert.equal(byRule(run(steps), 'RFC3261-REG-010').length, 0);
});

test('RFC3261-REG-012: without timestamps the overlap cannot be judged; a lost response gives a warning', () => {
  const a = register({ cseq: 4 });
  const b = register({ cseq: 5 });
  assert.equal(byRule(run([a, b, reply(a, 200), reply(b, 200)], {}, { timestamps: false }), 'RFC3261-REG-012').length, 0);
  const lost = run([a, { text: b, gap: 2 }, reply(b, 200), { text: register({ cseq: 6 }), gap: 60 }]);
  assert.deepEqual(byRule(lost, 'RFC3261-REG-012').map((f) => [f.messageIndex, f.severity]), [[1, 'warning']]);
});

test('RFC3261-RSP-005: resending the rejected credentials with no new nonce is an error (loop)', () => {
  const a = register({ cseq: 1, authorization: true });
  const b = register({ cseq: 2, authorization: digestAnswer(1) });
  const r = run([a, reply(a, 401), b]);
  assert.deepEqual(byRule(r, 'RFC3261-RSP-005').map((f) => [f.severity, f.messageIndex]), [['error', 2]]);
});

test('RFC3261-RSP-001: Via list and To URI must be echoed', () => {
  const a = register();
  const bad = reply(a, 200).replace('To: <sip:alice@ims.example.net>', 'To: <sip:bob@ims.example.net>').replace('192.0.2.10:5060;branch', '192.0.2.11:5060;branch');
  const r = run([a, bad]);
  assert.deepEqual(byRule(r, 'RFC3261-RSP-001').map((f) => f.message.slice(0, 14)), ['Via list (1 va', 'To URI differs']);
});

test('RFC3261-REG-022: missing Content-Length is an error on TCP, info on UDP', () => {
  const msg = register({ contentLength: '' });
  assert.deepEqual(byRule(run([msg]), 'RFC3261-REG-022').map((f) => f.severity), ['info']);
  const tcp = traceOf([msg]);
  tcp[0].transport = 'TCP';
  const r = checkMessages(tcp);
  assert.deepEqual(r.findings.filter((f) => f.ruleId === 'RFC3261-REG-022').map((f) => [f.severity, tcp[0].sip.text.slice(f.span.start, f.span.end)]), [['error', 'REGISTER sip:ims.example.net SIP/2.0']]);
});

test('RFC3840-003 value grammar', () => {
  assert.equal(featureValueProblem('"<urn:uuid:1>"'), undefined);
  assert.equal(featureValueProblem('"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel,urn%3Aa"'), undefined);
  assert.equal(featureValueProblem('"!fixed"'), undefined);
  assert.equal(featureValueProblem('"#>=3"'), undefined);
  assert.equal(featureValueProblem('"#1:10"'), undefined);
  assert.match(featureValueProblem('"a, b"') ?? '', /whitespace/);
  assert.match(featureValueProblem('"<a<b>"') ?? '', /cannot contain/);
  assert.match(featureValueProblem('"#x"') ?? '', /numeric/);
  assert.match(featureValueProblem('""') ?? '', /empty/);
});

test('FLOW-002: an MSRP INVITE after full de-registration; FLOW-004: voice INVITEs are left alone', () => {
  const dereg = register({ cseq: 2, contact: PLAIN_CONTACT, expires: '0' });
  const sdp = 'v=0\no=- 1 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=message 7654 TCP/MSRP *\na=accept-types:text/plain\n';
  const r = run([...imRegistration(), dereg, reply(dereg, 200), request('INVITE', { body: sdp, contentType: 'application/sdp' })]);
  assert.deepEqual(byRule(r, 'FLOW-002').map((f) => spanText(r, f)), ['m=message 7654 TCP/MSRP *']);
  assert.match(byRule(r, 'FLOW-002')[0].message, /de-registered/);
  const voice = run([request('INVITE', { body: 'v=0\nm=audio 4000 RTP/AVP 0\n', contentType: 'application/sdp' })]);
  assert.equal(byRule(voice, 'FLOW-004').length, 0);
  const twice = run([request('MESSAGE', { body: 'a' }), request('MESSAGE', { body: 'b', cseq: 2 })]);
  assert.equal(byRule(twice, 'FLOW-004').length, 1, 'once per AOR');
});

test('SIP-PARSE-001: tolerated deviations are info for captures only, and keep info when the rule is configured', () => {
  assert.equal(byRule(run([register()]), 'SIP-PARSE-001').length, 0);
  // Octets after the body: the parser tolerates them (info).
  const bare = { text: `${register().replace(/\n/g, '\r\n')}extra` };
  const r = run([bare], { rules: { 'SIP-PARSE-001': 'error' } });
  assert.deepEqual(byRule(r, 'SIP-PARSE-001').map((f) => f.severity), ['info']);
  assert.deepEqual(byRule(run([bare]), 'RFC3261-REG-022').map((f) => f.severity), ['error']);
  // The same message from a log (line map present): the tolerance is not reported.
  const fromLog = traceOf([bare]);
  fromLog[0].lineMap = [{ textOffset: 0, line: 1, column: 1 }];
  assert.equal(checkMessages(fromLog).findings.filter((f) => f.ruleId === 'SIP-PARSE-001').length, 0);
});
