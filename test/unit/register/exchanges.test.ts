/**
 * The REGISTER exchange model (rule catalog §2): transaction pairing and its RFC 2543 fallback,
 * retransmissions (P-12), flows and lineages, the two classification axes, history-dependent
 * decisions (IM-only de-registration vs forgotten tags, CLASS-001), capture point and profile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EX, IM_CONTACT, PLAIN_CONTACT, publish, register, reply } from '../../../src/core/rules/examples';
import { RegisterChecker } from '../../../src/core/register/checker';
import { resolveSettings } from '../../../src/core/settings';
import { byRule, ids, run, spanText, traceOf } from '../rules/helpers';
import { HANG_GUARD_MS } from '../../helpers/hangGuard';

const ETAG = { extra: ['SIP-ETag: e1'] };

test('pairing: a response attaches to its REGISTER by Call-ID, CSeq and top Via branch', () => {
  const a = register({ cseq: 1 });
  const r = run([a, reply(a, 100), reply(a, 200)]);
  assert.equal(r.exchanges.length, 1);
  assert.deepEqual(r.exchanges[0].responseIndexes, [1, 2]);
  assert.equal(r.exchanges[0].finalStatus, 200);
});

test('pairing: a response with another branch is an orphan (RFC3261-RSP-003 info), reported once', () => {
  const a = register({ cseq: 1 });
  const other = reply(register({ cseq: 1, branch: 'z9hG4bKother' }), 200);
  const r = run([a, other, other]);
  assert.deepEqual(r.exchanges[0].responseIndexes, []);
  const orphans = byRule(r, 'RFC3261-RSP-003');
  assert.equal(orphans.length, 1);
  assert.equal(orphans[0].severity, 'info');
  assert.equal(spanText(r, orphans[0]), 'SIP/2.0 200 OK');
});

test('pairing: RFC 2543 fallback (no magic cookie) by Call-ID, CSeq, From tag and sent-by', () => {
  const a = register({ cseq: 1, via: 'SIP/2.0/UDP 192.0.2.10:5060;branch=8a6b1c' });
  const ok = reply(a, 200);
  const r = run([a, ok]);
  assert.deepEqual(r.exchanges[0].responseIndexes, [1]);
  // The same request from another sent-by does not match.
  const b = register({ cseq: 1, via: 'SIP/2.0/UDP 192.0.2.99:5060;branch=8a6b1c' });
  const r2 = run([b, ok]);
  assert.deepEqual(r2.exchanges[0].responseIndexes, []);
});

test('retransmissions (P-12): same request again is listed, not a new exchange; rules do not repeat', () => {
  const a = register({ cseq: 1, contact: PLAIN_CONTACT });
  const ok = reply(a, 200, { toTag: null });
  const r = run([a, { text: a, gap: 0.5 }, { text: a, gap: 1 }, ok, ok]);
  assert.equal(r.exchanges.length, 1);
  assert.deepEqual(r.exchanges[0].retransmissionIndexes, [1, 2]);
  assert.deepEqual(r.exchanges[0].responseIndexes, [3, 4]);
  assert.equal(byRule(r, 'OMA-IM-REG-001').length, 1, 'missing tag reported once, on the original');
  assert.equal(byRule(r, 'RFC3261-RSP-002').length, 1, 'tag-less 200 reported once, not for its retransmission');
});

test('flows: two clients interleaved keep separate CSeq sequences and lineages', () => {
  const bob = (cseq: number) =>
    register({ cseq, from: `<sip:bob@${EX.domain}>;tag=b1`, to: `<sip:bob@${EX.domain}>`, callId: 'bob-1@192.0.2.20', contact: `<sip:bob@192.0.2.20:5060>;${EX.imTags}`, branch: `z9hG4bKbob${cseq}` });
  const alice = (cseq: number) => register({ cseq });
  const r = run([alice(1), bob(1), reply(alice(1), 200), reply(bob(1), 200), publish(), reply(publish(), 200, ETAG), alice(2), bob(2), reply(alice(2), 200), reply(bob(2), 200)]);
  assert.deepEqual(r.exchanges.map((e) => [e.aor, e.cseq, e.kind, e.finalStatus]), [
    ['sip:alice@ims.example.net', 1, 'initial', 200],
    ['sip:bob@ims.example.net', 1, 'initial', 200],
    ['sip:alice@ims.example.net', 2, 'refresh', 200],
    ['sip:bob@ims.example.net', 2, 'refresh', 200],
  ]);
  assert.ok(!ids(r).includes('RFC3261-REG-011'));
  // Bob never published: his next REGISTER closes his window.
  assert.deepEqual(byRule(r, 'OMA-IM-REG-015').map((f) => f.messageIndex), [3]);
});

test('classification: a tag-less first REGISTER (CSeq 1, no credentials) is a certain initial registration', () => {
  const r = run([register({ cseq: 1, contact: PLAIN_CONTACT })]);
  assert.equal(r.exchanges[0].kind, 'initial');
  assert.equal(r.exchanges[0].uncertain, undefined);
  assert.deepEqual(byRule(r, 'OMA-IM-REG-001').map((f) => f.severity), ['error']);
  assert.equal(byRule(r, 'CLASS-001').length, 0);
});

test('classification: a tag-less REGISTER met mid-way (credentials, CSeq 7) is uncertain: CLASS-001, tags as warnings', () => {
  const r = run([register({ cseq: 7, contact: PLAIN_CONTACT, authorization: true })]);
  assert.equal(r.exchanges[0].kind, 'initial');
  assert.equal(r.exchanges[0].uncertain, true);
  assert.deepEqual(byRule(r, 'CLASS-001').map((f) => [f.severity, spanText(r, f)]), [['info', 'REGISTER sip:ims.example.net SIP/2.0']]);
  assert.match(byRule(r, 'CLASS-001')[0].message, /IM-only de-registration/);
  assert.deepEqual(byRule(r, 'OMA-IM-REG-001').map((f) => f.severity), ['warning']);
  assert.match(byRule(r, 'OMA-IM-REG-001')[0].message, /CLASS-001/);
});

test('classification: the same tag-less REGISTER after an IM registration in the capture is an IM-only de-registration', () => {
  const a = register({ cseq: 6 });
  const r = run([a, reply(a, 200), publish(), reply(publish(), 200, ETAG), register({ cseq: 7, contact: PLAIN_CONTACT })]);
  assert.deepEqual(r.exchanges.map((e) => e.kind), ['initial', 'im-deregistration']);
  assert.equal(r.exchanges[1].uncertain, undefined);
  assert.equal(byRule(r, 'OMA-IM-REG-001').length, 0);
  const notice = byRule(r, 'OMA-IM-REG-018');
  assert.equal(notice.length, 1);
  assert.equal(notice[0].related?.[0].messageIndex, 0, 'points at the REGISTER that last carried the tags');
});

test('classification: after the granted expiry passed, a tag-less REGISTER is an initial registration again', () => {
  const a = register({ cseq: 1, expires: '600' });
  const r = run([a, reply(a, 200), publish(), reply(publish(), 200, ETAG), { text: register({ cseq: 2, contact: PLAIN_CONTACT, expires: '600' }), gap: 900 }]);
  assert.equal(r.exchanges[1].kind, 'initial');
  assert.ok(byRule(r, 'RFC3261-RSP-010').length === 1);
  assert.ok(byRule(r, 'OMA-IM-REG-001').length === 1);
});

test('classification: query (no Contact), wildcard and expires=0 removal, mixed expiries (CLASS-002)', () => {
  const r = run([
    register({ cseq: 1, contact: null, expires: null, require: null }),
    register({ cseq: 2, contact: '*', expires: '0' }),
    register({ cseq: 3, contact: `${PLAIN_CONTACT};expires=0`, expires: null }),
    register({ cseq: 4, contact: `${IM_CONTACT}, <sip:alice@192.0.2.10:5070>;expires=0` }),
  ]);
  assert.deepEqual(r.exchanges.map((e) => e.kind), ['query', 'full-deregistration', 'full-deregistration', 'initial']);
  assert.deepEqual(byRule(r, 'CLASS-002').map((f) => spanText(r, f)), ['<sip:alice@192.0.2.10:5070>;expires=0']);
});

test('classification: resend after 401 is auth-resend and inherits the phase; after 423 interval-retry', () => {
  const a = register({ cseq: 1, contact: PLAIN_CONTACT });
  const b = register({ cseq: 2, contact: PLAIN_CONTACT, authorization: true });
  const r = run([register({ cseq: 1 }), reply(register({ cseq: 1 }), 200), publish(), reply(publish(), 200, ETAG), { text: a.replace('CSeq: 1', 'CSeq: 2').replace('reg1a', 'reg2x'), gap: 10 }]);
  assert.equal(r.exchanges[1].kind, 'im-deregistration');
  const r2 = run([a, reply(a, 401), b]);
  assert.deepEqual(r2.exchanges.map((e) => [e.phase, e.attempt, e.kind]), [
    ['initial', 'first', 'initial'],
    ['initial', 'auth-resend', 'auth-resend'],
  ]);
});

test('IM-only de-registration that moves to a new contact URI (same Call-ID) -> OMA-IM-REG-017', () => {
  const a = register({ cseq: 1 });
  const moved = '<sip:alice@192.0.2.10:5062>';
  const r = run([a, reply(a, 200), publish(), reply(publish(), 200, ETAG), register({ cseq: 2, contact: moved })]);
  assert.equal(r.exchanges[1].kind, 'im-deregistration');
  const f = byRule(r, 'OMA-IM-REG-017');
  assert.deepEqual(f.map((x) => [x.severity, spanText(r, x)]), [['error', moved]]);
  assert.equal(f[0].related?.[0].messageIndex, 0);
  assert.equal(byRule(r, 'OMA-IM-REG-001').length, 0, 'not also reported as a registration missing its tags');
});

test('capture point: a REGISTER seen after a proxy (two Vias) skips the origin-only Max-Forwards rule', () => {
  const downstream = register({ via: 'SIP/2.0/UDP pcscf.ims.example.net;branch=z9hG4bKp1, SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg1a;rport', maxForwards: '69' });
  assert.equal(byRule(run([downstream]), 'RFC3261-REG-007').length, 0);
  assert.equal(byRule(run([register({ maxForwards: '69' })]), 'RFC3261-REG-007').length, 1);
});

test('profile: auto turns IMS on from Security-Client; forced generic stays generic', () => {
  const ims = register({ extra: ['Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;spi-s=2;port-c=5062;port-s=5064'] });
  assert.equal(run([register()]).profile, 'generic');
  assert.equal(run([ims]).profile, 'ims');
  assert.equal(run([ims], { profile: 'generic' }).profile, 'generic');
  assert.equal(run([register()], { profile: 'ims' }).profile, 'ims');
  assert.equal(run([register({ requestUri: 'sip:ims.mnc001.mcc001.3gppnetwork.org' })]).profile, 'ims');
});

test('unparseable REGISTER-related message: SIP-PARSE-001 with the parser span; others ignored', () => {
  const broken = 'REGISTER\r\nCSeq: 1 REGISTER\r\n\r\n';
  const r = run([broken, 'garbage that is not SIP\r\n\r\n']);
  const f = byRule(r, 'SIP-PARSE-001');
  assert.ok(f.length >= 1);
  assert.ok(f.every((x) => x.messageIndex === 0));
});

test('parse findings a specific rule explains are reported once, under that rule', () => {
  const r = run([register({ expires: '3600s' })]);
  assert.deepEqual(byRule(r, 'RFC3261-REG-016').map((f) => spanText(r, f)), ['3600s']);
  assert.equal(byRule(r, 'SIP-PARSE-001').length, 0);
  // With the specific rule off, the parse finding stays.
  const r2 = run([register({ expires: '3600s' })], { rules: { 'RFC3261-REG-016': 'off' } });
  assert.equal(byRule(r2, 'SIP-PARSE-001').length, 1);
});

test('incremental API: end() is idempotent; add() after end() is ignored', () => {
  const c = new RegisterChecker(resolveSettings({}));
  for (const m of traceOf([register({ contact: PLAIN_CONTACT })])) c.add(m);
  const first = c.end();
  c.add(traceOf([register({ cseq: 2 })])[0]);
  const second = c.end();
  assert.deepEqual(second, first);
  assert.deepEqual(first.exchanges[0].findingRuleIds, ['OMA-IM-REG-001', 'OMA-IM-REG-002', 'OMA-IM-REG-003', 'RFC3840-007']);
});

test('windows close on capture time: no PUBLISH within 30 s is reported when a later message passes the deadline', () => {
  const a = register();
  const late = run([a, reply(a, 200), { text: publish(), gap: 45 }]);
  assert.equal(byRule(late, 'OMA-IM-REG-015').length, 1);
  assert.match(byRule(late, 'OMA-IM-REG-015')[0].message, /within 30 s/);
  // The late PUBLISH is still recognised as the settings publication (its own checks run).
  const latePub = run([a, reply(a, 200), { text: publish({ event: null }), gap: 45 }]);
  assert.equal(byRule(latePub, 'OMA-IM-PUB-002').length, 1);
  // A capture that simply ends after the 2xx does not prove anything.
  assert.equal(byRule(run([a, reply(a, 200)]), 'OMA-IM-REG-015').length, 0);
  // publishWindowSeconds widens the window.
  assert.equal(byRule(run([a, reply(a, 200), { text: publish(), gap: 45 }], { publishWindowSeconds: 60 }), 'OMA-IM-REG-015').length, 0);
});

test('a PUBLISH from an implicitly registered identity (P-Associated-URI) is the settings publication', () => {
  const a = register();
  const ok = reply(a, 200, { extra: [`P-Associated-URI: <${EX.aor}>, <sip:+15551230001@${EX.domain};user=phone>`] });
  const pub = publish({ requestUri: `sip:+15551230001@${EX.domain};user=phone` });
  const r = run([a, ok, pub, reply(pub, 200, ETAG), { text: register({ cseq: 2 }), gap: 60 }]);
  assert.equal(byRule(r, 'OMA-IM-REG-015').length, 0);
  assert.equal(byRule(r, 'OMA-IM-PUB-002').length, 0);
});

test('scale: 20 000 clients x (REGISTER, 200, PUBLISH, 200): bounded time, no message text kept', () => {
  const c = new RegisterChecker(resolveSettings({ rules: { 'FLOW-001': 'off', 'OMA-IM-PUB-003': 'off' } }));
  const req0 = register();
  const ok0 = reply(req0, 200);
  const pub0 = publish();
  const pubOk0 = reply(pub0, 200, ETAG);
  let index = 0;
  const t0 = Date.now();
  for (let i = 0; i < 20000; i++) {
    // Same messages with another user, Call-ID and tag per client.
    const swap = (t: string) => t.replace(/alice/g, `u${i}`).replace(/b84c3e0f7d2a4c6e|2f7a9c0e5b1d4e8f/g, `c${i}`);
    for (const t of [swap(req0), swap(ok0), swap(pub0), swap(pubOk0)]) {
      const [m] = traceOf([t]);
      m.index = index;
      m.ts = { sec: 1700000000 + Math.floor(index / 100), nsec: 0 };
      index++;
      c.add(m);
    }
  }
  // Only compact state is kept: no transaction holds request facts (slices of message texts).
  const internal = c as unknown as { exchanges: { req?: unknown }[] };
  assert.equal(internal.exchanges.filter((e) => e.req !== undefined).length, 0);
  const res = c.end();
  const elapsed = Date.now() - t0;
  assert.equal(res.exchanges.length, 20000);
  assert.deepEqual(res.findings, []);
  // Speed is measured by npm run bench, not here; this only guards against a hang.
  assert.ok(elapsed < 5 * HANG_GUARD_MS, `took ${elapsed} ms`);
});

test('a request-only trace (registrar log): each REGISTER is classified as if the previous was accepted, no false errors', () => {
  const steps = [
    register({ cseq: 1 }),
    register({ cseq: 2, authorization: true }),
    publish(),
    { text: register({ cseq: 3, authorization: true }), gap: 3000 },
    register({ cseq: 4, authorization: true, contact: PLAIN_CONTACT }),
    register({ cseq: 5, authorization: true, contact: PLAIN_CONTACT, expires: '0' }),
  ];
  const r = run(steps);
  assert.deepEqual(r.findings.filter((f) => f.severity !== 'info').map((f) => f.ruleId), []);
  assert.deepEqual(r.exchanges.map((e) => [e.kind, e.uncertain ?? false]), [
    ['initial', false],
    ['refresh', true],
    ['refresh', true],
    ['im-deregistration', true],
    ['full-deregistration', false],
  ]);
  assert.match(byRule(r, 'CLASS-001')[0].message, /no REGISTER response/);
});

test('a random first CSeq (baresip, pjsip) is not taken as a capture that started mid-way', () => {
  const r = run([register({ cseq: 30567, contact: PLAIN_CONTACT })]);
  assert.equal(r.exchanges[0].uncertain, undefined);
  assert.deepEqual(byRule(r, 'OMA-IM-REG-001').map((f) => f.severity), ['error']);
});

test('no settings PUBLISH before the client de-registers again: not reported (the settings would be moot)', () => {
  const a = register({ cseq: 1 });
  const bye = register({ cseq: 2, contact: PLAIN_CONTACT, expires: '0' });
  const r = run([a, reply(a, 200), bye, reply(bye, 200)]);
  assert.equal(byRule(r, 'OMA-IM-REG-015').length, 0);
  const refresh = register({ cseq: 2 });
  assert.equal(byRule(run([a, reply(a, 200), refresh, reply(refresh, 200)]), 'OMA-IM-REG-015').length, 1);
});

test('no IM tags, no settings PUBLISH expected (OMA-IM-REG-015 applies to IM registrations only)', () => {
  const a = register({ cseq: 1, contact: PLAIN_CONTACT });
  const r = run([a, reply(a, 200), { text: register({ cseq: 2, contact: PLAIN_CONTACT }), gap: 60 }]);
  assert.equal(byRule(r, 'OMA-IM-REG-015').length, 0);
});
