/**
 * End-to-end: a compliant OMA SIMPLE IM life cycle (REGISTER, 401, REGISTER with credentials,
 * 200, settings PUBLISH, 200, refresh, IM-only de-registration, full de-registration) has no
 * error or warning; each broken variant gives exactly the broken rule(s), at the exact place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EX, IM_CONTACT, PLAIN_CONTACT, type RegisterExample, publish, register, reply } from '../../../src/core/rules/examples';
import { type Run, type TextMessage, run, serious, spanText } from './helpers';

interface Steps {
  initial?: RegisterExample;
  cred?: RegisterExample;
  refresh?: RegisterExample;
  imDereg?: RegisterExample;
  fullDereg?: RegisterExample;
  /** false: the client never publishes its settings. */
  publish?: boolean;
}

const ETAG = { extra: ['SIP-ETag: e1', 'Expires: 3600'] };

function lifeCycle(s: Steps = {}): TextMessage[] {
  const initial = register({ cseq: 1, ...s.initial });
  const cred = register({ cseq: 2, authorization: true, ...s.cred });
  const refresh = register({ cseq: 3, authorization: true, ...s.refresh });
  const imDereg = register({ cseq: 4, authorization: true, contact: PLAIN_CONTACT, ...s.imDereg });
  const fullDereg = register({ cseq: 5, authorization: true, contact: PLAIN_CONTACT, expires: '0', ...s.fullDereg });
  const out: TextMessage[] = [{ text: initial }, { text: reply(initial, 401) }, { text: cred }, { text: reply(cred, 200) }];
  if (s.publish !== false) out.push({ text: publish() }, { text: reply(publish(), 200, ETAG) });
  out.push({ text: refresh, gap: 3000 }, { text: reply(refresh, 200) });
  out.push({ text: imDereg }, { text: reply(imDereg, 200) }, { text: fullDereg }, { text: reply(fullDereg, 200) });
  return out;
}

/** Error/warning findings as [ruleId, message index, span text]. */
function hits(r: Run): [string, number, string][] {
  return r.findings.filter((f) => f.severity !== 'info').map((f) => [f.ruleId, f.messageIndex, spanText(r, f)]);
}

function ruleSet(r: Run): string[] {
  return [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => f.ruleId))].sort();
}

test('compliant life cycle: zero errors and warnings, every REGISTER classified', () => {
  const r = run(lifeCycle());
  assert.deepEqual(serious(r), []);
  assert.deepEqual(
    r.exchanges.map((e) => [e.kind, e.requestIndex, e.responseIndexes, e.finalStatus, e.retransmissionIndexes]),
    [
      ['initial', 0, [1], 401, []],
      ['auth-resend', 2, [3], 200, []],
      ['refresh', 6, [7], 200, []],
      ['im-deregistration', 8, [9], 200, []],
      ['full-deregistration', 10, [11], 200, []],
    ],
  );
  assert.ok(r.exchanges.every((e) => e.uncertain === undefined && e.aor === EX.aor && e.callId === EX.callId));
});

test('compliant life cycle without timestamps (a log): still clean, same kinds', () => {
  const r = run(lifeCycle(), {}, { timestamps: false });
  assert.deepEqual(serious(r), []);
  assert.deepEqual(r.exchanges.map((e) => e.kind), ['initial', 'auth-resend', 'refresh', 'im-deregistration', 'full-deregistration']);
});

test('broken: +g.oma.sip-im.system-message missing while registering -> OMA-IM-REG-002 (+016) on each registering REGISTER', () => {
  const contact = `<${EX.contactUri}>;+g.oma.sip-im;+g.oma.sip-im.large-message`;
  const r = run(lifeCycle({ initial: { contact }, cred: { contact }, refresh: { contact } }));
  assert.deepEqual(ruleSet(r), ['OMA-IM-REG-002', 'OMA-IM-REG-016']);
  const f = r.findings.filter((x) => x.ruleId === 'OMA-IM-REG-002');
  assert.deepEqual(f.map((x) => [x.messageIndex, spanText(r, x), x.severity]), [
    [0, contact, 'error'],
    [2, contact, 'error'],
    [6, contact, 'error'],
  ]);
  const m = r.messages[0].sip.text;
  assert.equal(m.indexOf(contact), f[0].span.start, 'span starts at the Contact value');
});

test('broken: requireAllImTags=false downgrades 002 to warning and accepts the partial set', () => {
  const contact = `<${EX.contactUri}>;+g.oma.sip-im;+g.oma.sip-im.large-message`;
  const r = run(lifeCycle({ initial: { contact }, cred: { contact }, refresh: { contact } }), { requireAllImTags: false });
  assert.deepEqual(ruleSet(r), ['OMA-IM-REG-002']);
  assert.ok(r.findings.filter((x) => x.ruleId === 'OMA-IM-REG-002').every((x) => x.severity === 'warning'));
});

test('broken: no Require: pref -> OMA-IM-REG-008 at the start line (error), warning on the IM-only de-registration', () => {
  const r = run(lifeCycle({ initial: { require: null }, cred: { require: null }, refresh: { require: null }, imDereg: { require: null }, fullDereg: { require: null } }));
  assert.deepEqual(ruleSet(r), ['OMA-IM-REG-008']);
  const f = r.findings.filter((x) => x.ruleId === 'OMA-IM-REG-008');
  assert.deepEqual(f.map((x) => [x.messageIndex, x.severity, spanText(r, x)]), [
    [0, 'error', 'REGISTER sip:ims.example.net SIP/2.0'],
    [2, 'error', 'REGISTER sip:ims.example.net SIP/2.0'],
    [6, 'error', 'REGISTER sip:ims.example.net SIP/2.0'],
    [8, 'warning', 'REGISTER sip:ims.example.net SIP/2.0'],
  ]);
});

test('broken: pref in Supported instead of Require -> OMA-IM-REG-008 points at that token', () => {
  const r = run(lifeCycle({ initial: { require: null, supported: 'path, pref' } }));
  assert.deepEqual(hits(r), [['OMA-IM-REG-008', 0, 'pref']]);
  const f = r.findings.find((x) => x.ruleId === 'OMA-IM-REG-008')!;
  assert.match(r.messages[0].sip.text.slice(f.span.start - 17, f.span.end), /^Supported: path, pref$/);
});

test('broken: no User-Agent -> OMA-IM-REG-009 (error while registering, warning on full de-registration)', () => {
  const r = run(lifeCycle({ initial: { userAgent: null }, fullDereg: { userAgent: null } }));
  assert.deepEqual(
    r.findings.filter((x) => x.severity !== 'info').map((x) => [x.ruleId, x.messageIndex, x.severity]),
    [
      ['OMA-IM-REG-009', 0, 'error'],
      ['OMA-IM-REG-009', 10, 'warning'],
    ],
  );
});

test('broken: release token missing / unknown -> OMA-IM-REG-010 / 011 at the User-Agent value / product version', () => {
  const r1 = run(lifeCycle({ refresh: { userAgent: 'ExampleIM/2.3.1' } }));
  assert.deepEqual(hits(r1), [['OMA-IM-REG-010', 6, 'ExampleIM/2.3.1']]);
  const r2 = run(lifeCycle({ initial: { userAgent: 'IM-client/OMA9.9 ExampleIM/2.3.1' } }));
  assert.deepEqual(hits(r2), [['OMA-IM-REG-011', 0, 'OMA9.9']]);
  const r3 = run(lifeCycle({ initial: { userAgent: 'IM-client/OMA_1.0 ExampleIM/2.3.1' } }));
  assert.deepEqual(hits(r3), [['OMA-IM-REG-011', 0, 'OMA_1.0']]);
});

test('broken: IM tags written as URI parameters -> OMA-IM-REG-006 per tag, 001..003 on the Contact value', () => {
  const contact = `<${EX.contactUri};${EX.imTags}>`;
  const r = run(lifeCycle({ initial: { contact } }));
  assert.deepEqual(ruleSet(r), ['OMA-IM-REG-001', 'OMA-IM-REG-002', 'OMA-IM-REG-003', 'OMA-IM-REG-006']);
  assert.deepEqual(
    r.findings.filter((x) => x.ruleId === 'OMA-IM-REG-006').map((x) => spanText(r, x)),
    ['+g.oma.sip-im', '+g.oma.sip-im.system-message', '+g.oma.sip-im.large-message'],
  );
  assert.match(r.findings.find((x) => x.ruleId === 'OMA-IM-REG-001')!.message, /URI parameter/);
});

test('broken: resend after 401 without Authorization, 401 again, client stops -> OMA-IM-REG-014 + RFC3261-RSP-005', () => {
  const initial = register({ cseq: 1 });
  const resend = register({ cseq: 2 });
  const r = run([initial, reply(initial, 401), resend, reply(resend, 401)]);
  assert.deepEqual(ruleSet(r), ['OMA-IM-REG-014', 'RFC3261-RSP-005']);
  assert.deepEqual(hits(r), [
    ['OMA-IM-REG-014', 2, 'REGISTER sip:ims.example.net SIP/2.0'],
    ['OMA-IM-REG-014', 3, 'SIP/2.0 401 Unauthorized'],
    ['RFC3261-RSP-005', 3, 'SIP/2.0 401 Unauthorized'],
  ]);
  assert.equal(r.findings.find((x) => x.ruleId === 'OMA-IM-REG-014' && x.messageIndex === 2)!.severity, 'error');
  assert.equal(r.exchanges[1].kind, 'initial', 'a resend without credentials is a new first attempt');
});

test('broken: credentials answer a stale nonce -> OMA-IM-REG-014 at the nonce parameter, related to the challenge', () => {
  const r = run(lifeCycle({ cred: { authorization: `Digest username="alice", realm="${EX.realm}", nonce="0000", uri="sip:${EX.domain}", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="a1b2c3d4"` } }));
  assert.deepEqual(hits(r), [['OMA-IM-REG-014', 2, 'nonce="0000"']]);
  const f = r.findings.find((x) => x.ruleId === 'OMA-IM-REG-014')!;
  assert.equal(f.related?.[0].messageIndex, 1);
  assert.match(r.messages[1].sip.text.slice(f.related![0].span.start, f.related![0].span.end), /^WWW-Authenticate: Digest realm=/);
});

test('broken: no settings PUBLISH -> OMA-IM-REG-015 and OMA-IM-PUB-001 at the initial 2xx', () => {
  const r = run(lifeCycle({ publish: false }));
  assert.deepEqual(hits(r), [
    ['OMA-IM-PUB-001', 3, 'SIP/2.0 200 OK'],
    ['OMA-IM-REG-015', 3, 'SIP/2.0 200 OK'],
  ]);
  const f = r.findings.find((x) => x.ruleId === 'OMA-IM-REG-015')!;
  assert.deepEqual(f.related?.map((x) => x.messageIndex), [2]);
});

test('broken: IM-only de-registration keeps one tag -> OMA-IM-REG-016 (+001/002 on the partial set)', () => {
  const contact = `<${EX.contactUri}>;+g.oma.sip-im.large-message`;
  const r = run(lifeCycle({ imDereg: { contact } }));
  assert.deepEqual(ruleSet(r), ['OMA-IM-REG-001', 'OMA-IM-REG-002', 'OMA-IM-REG-016']);
  assert.ok(r.findings.filter((x) => x.severity !== 'info').every((x) => x.messageIndex === 8 && spanText(r, x) === contact));
  assert.equal(r.exchanges[3].kind, 'refresh', 'a partial set is not an IM-only de-registration');
});

test('broken: full de-registration via ;expires=0 only -> OMA-IM-REG-019 at the parameter', () => {
  const r = run(lifeCycle({ fullDereg: { contact: `${PLAIN_CONTACT};expires=0`, expires: null } }));
  assert.deepEqual(hits(r), [['OMA-IM-REG-019', 10, 'expires=0']]);
  assert.equal(r.exchanges[4].kind, 'full-deregistration');
});

test('broken: refresh reuses the CSeq -> RFC3261-REG-011 at the CSeq number', () => {
  const r = run(lifeCycle({ refresh: { cseq: 2, branch: 'z9hG4bKrefresh' }, imDereg: { cseq: 3 }, fullDereg: { cseq: 4 } }));
  assert.deepEqual(hits(r), [['RFC3261-REG-011', 6, '2']]);
  const f = r.findings.find((x) => x.ruleId === 'RFC3261-REG-011')!;
  assert.equal(r.messages[6].sip.text.slice(f.span.start - 6, f.span.end + 9), 'CSeq: 2 REGISTER');
});

test('broken: Contact: * without Expires, 400, then a correct wildcard -> RFC3261-REG-013 on the first only', () => {
  const bad = register({ cseq: 5, authorization: true, contact: '*', expires: null });
  const good = register({ cseq: 6, authorization: true, contact: '*', expires: '0' });
  const msgs = lifeCycle().slice(0, 10);
  msgs.push({ text: bad }, { text: reply(bad, 400) }, { text: good }, { text: reply(good, 200) });
  const r = run(msgs);
  assert.deepEqual(hits(r), [['RFC3261-REG-013', 10, '*']]);
});

test('broken: To tag, reused branch, Max-Forwards 10 -> RFC3261-REG-004 / 009 / 007 with exact spans', () => {
  const r = run(lifeCycle({ cred: { to: `<${EX.aor}>;tag=x1`, branch: 'z9hG4bKreg1a', maxForwards: '10' } }));
  assert.deepEqual(hits(r), [
    ['RFC3261-REG-009', 2, 'branch=z9hG4bKreg1a'],
    ['RFC3261-REG-007', 2, '10'],
    ['RFC3261-REG-004', 2, 'tag=x1'],
  ]);
});

test('broken: retry after 423 below Min-Expires -> RFC3261-RSP-007 at the Expires value', () => {
  const first = register({ cseq: 1, expires: '30' });
  const retry = register({ cseq: 2, expires: '45' });
  const r = run([first, reply(first, 423, { extra: ['Min-Expires: 60'] }), retry, reply(retry, 423, { extra: ['Min-Expires: 60'] })]);
  assert.deepEqual(hits(r), [['RFC3261-RSP-007', 2, '45']]);
  assert.equal(r.exchanges[1].kind, 'interval-retry');
  const f = r.findings.find((x) => x.ruleId === 'RFC3261-RSP-007')!;
  assert.equal(r.messages[1].sip.text.slice(f.related![0].span.start, f.related![0].span.end), '60');
});

test('compliant: 423 then a retry with Min-Expires, then the rest of the life cycle', () => {
  const first = register({ cseq: 1, expires: '30' });
  const retry = register({ cseq: 2, expires: '60' });
  const r = run([first, reply(first, 423, { extra: ['Min-Expires: 60'] }), retry, reply(retry, 200), publish(), reply(publish(), 200, ETAG)]);
  assert.deepEqual(serious(r), []);
  assert.deepEqual(r.exchanges.map((e) => [e.kind, e.phase]), [
    ['initial', 'initial'],
    ['interval-retry', 'initial'],
  ]);
});

test('IM re-registration after an IM-only de-registration counts as initial for the settings PUBLISH', () => {
  const msgs = lifeCycle().slice(0, 10);
  const back = register({ cseq: 5, authorization: true, contact: IM_CONTACT });
  msgs.push({ text: back }, { text: reply(back, 200) }, { text: register({ cseq: 6, authorization: true }), gap: 60 });
  const r = run(msgs);
  assert.equal(r.exchanges[4].kind, 'refresh');
  assert.deepEqual(hits(r), [
    ['OMA-IM-PUB-001', 11, 'SIP/2.0 200 OK'],
    ['OMA-IM-REG-015', 11, 'SIP/2.0 200 OK'],
  ]);
  assert.ok(r.findings.some((f) => f.ruleId === 'OMA-IM-REG-018' && f.messageIndex === 10 && /re-registration/.test(f.message)));
});
