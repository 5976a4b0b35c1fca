/**
 * The webview protocol validator (everything the webview posts is input) and the template
 * session behind the panel: blank form, trace prefill + ladder, update -> checked template,
 * form round trip, flows and SIPp export.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFromWebview, parseFormState, type TemplateFormState } from '../../../src/core/protocol';
import { DEFAULT_OPTIONS, TemplateSession, blankFields, fieldsToForm, formToFields, seededRng, splitUris } from '../../../src/core/templates/index';
import { readTraceBytes } from '../../../src/core/trace';
import { RegisterChecker } from '../../../src/core/register/index';
import { resolveSettings } from '../../../src/core/settings';
import { fixturesRoot } from '../../helpers/paths';

const goodState = (): TemplateFormState => ({ kind: 'initial', options: { ...DEFAULT_OPTIONS }, form: { aor: 'sip:bob@example.com' } });

test('parseFromWebview accepts exactly the protocol and rejects everything else', () => {
  assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseFromWebview({ type: 'update', requestId: 3, state: goodState() }), { type: 'update', requestId: 3, state: goodState() });
  assert.deepEqual(parseFromWebview({ type: 'action', action: 'saveSipp', flow: ['initial', 'credentials'] }), { type: 'action', action: 'saveSipp', flow: ['initial', 'credentials'] });
  assert.deepEqual(parseFromWebview({ type: 'reveal', messageIndex: 7 }), { type: 'reveal', messageIndex: 7 });
  // A damaged saved state is dropped, the ready message kept.
  assert.deepEqual(parseFromWebview({ type: 'ready', restored: { kind: 'nope' } }), { type: 'ready' });
  for (const bad of [
    null,
    'ready',
    [],
    { type: 'eval', code: 'x' },
    { type: 'update', requestId: -1, state: goodState() },
    { type: 'update', requestId: 1.5, state: goodState() },
    { type: 'update', requestId: 1, state: { ...goodState(), kind: 'invite' } },
    { type: 'update', requestId: 1, state: { ...goodState(), options: { ...DEFAULT_OPTIONS, profile: 'evil' } } },
    { type: 'update', requestId: 1, state: { ...goodState(), options: { ...DEFAULT_OPTIONS, outbound: 'yes' } } },
    { type: 'update', requestId: 1, state: { ...goodState(), form: { __proto__x: 'a' } } },
    { type: 'update', requestId: 1, state: { ...goodState(), form: { aor: 42 } } },
    { type: 'update', requestId: 1, state: { ...goodState(), form: { aor: 'x'.repeat(3000) } } },
    { type: 'action', action: 'exec' },
    { type: 'action', action: 'saveSipp', flow: ['initial', 'bogus'] },
    { type: 'action', action: 'saveSipp', flow: [] },
    { type: 'reveal', messageIndex: '3' },
  ]) {
    assert.equal(parseFromWebview(bad), undefined, JSON.stringify(bad));
  }
  // Missing options are refused too (the webview always sends all of them).
  const { outbound: _drop, ...partial } = DEFAULT_OPTIONS;
  assert.equal(parseFormState({ ...goodState(), options: partial }), undefined);
});

test('form <-> fields round trip; the password never goes into the form', () => {
  const base = { ...blankFields('generic', { rng: seededRng(1) }), password: 'secret', challenge: { realm: 'r', nonce: 'n', qop: 'auth' } };
  const form = fieldsToForm(base);
  assert.equal(form.password, '');
  const back = formToFields({ ...form, password: 'secret' }, base);
  assert.deepEqual(back, { ...base, challenge: { realm: 'r', nonce: 'n', qop: 'auth', algorithm: undefined, opaque: undefined }, contactUser: undefined, username: undefined, nonceCount: undefined, cseq: undefined, securityServer: undefined, outboundProxy: undefined, eventPackage: undefined, contentType: undefined, settingsBody: undefined });
  // Clearing the nonce drops the challenge: the template then shows placeholders.
  assert.equal(formToFields({ ...form, nonce: '' }, base).challenge, undefined);
  assert.deepEqual(splitUris('<sip:a@x;lr>, sip:b , <sip:c?x=1,2>'), ['sip:a@x;lr', 'sip:b', 'sip:c?x=1,2']);
});

test('blank session: init, update produces a checked template, actions act on it', () => {
  const s = new TemplateSession({}, undefined, {}, seededRng(2));
  const init = s.init();
  assert.equal(init.source.kind, 'blank');
  assert.equal(init.state.kind, 'initial');
  assert.equal(init.kinds.length, 6);
  assert.equal(s.ladderMessage().model, undefined);
  const r = s.update({ ...init.state, kind: 'credentials', form: { ...init.state.form, password: 'pw', nonce: 'abc', realm: 'ims.example.net', qop: 'auth' } }, 5);
  assert.equal(r.requestId, 5);
  assert.equal(r.kind, 'credentials');
  assert.equal(r.digest, 'computed');
  assert.equal(r.counts.error, 0);
  assert.equal(r.classification, 'initial / auth-resend');
  assert.match(r.text, /^REGISTER sip:ims\.example\.net SIP\/2\.0\r\n/);
  assert.equal(s.current()?.text, r.text);
  const flow = s.flow();
  assert.deepEqual(flow.map((t) => t.kind), ['initial', 'credentials', 'publish', 'refresh', 'im-deregistration', 'full-deregistration']);
  const x = s.sipp(undefined, 'blank');
  assert.equal(x.problems.length, 1, 'the PUBLISH placeholders are still open');
  // With auth "none" the credentials kind falls back to the initial REGISTER.
  const none = s.update({ ...init.state, kind: 'credentials', options: { ...init.state.options, auth: 'none' } }, 6);
  assert.equal(none.kind, 'initial');
});

test('trace session: prefill, ladder of the flow with findings, settings honoured', () => {
  const { messages } = readTraceBytes(new Uint8Array(readFileSync(join(fixturesRoot, 'captures', 'flows', 'oma-im-reg-001-missing-sip-im.pcap'))));
  const c = new RegisterChecker(resolveSettings({}));
  for (const m of messages) c.add(m);
  const r = c.end();
  const s = new TemplateSession({ imRelease: 'OMA2.0' }, { label: 'x.pcap', messages, exchanges: r.exchanges, findings: r.findings }, { exchangeId: 1 }, seededRng(3));
  const init = s.init();
  assert.equal(init.source.kind, 'trace');
  assert.equal(init.state.form.callId, r.exchanges[0].callId);
  const ladder = s.ladderMessage();
  assert.match(ladder.title, /^x\.pcap: Call-ID /);
  assert.ok(ladder.model && ladder.model.rows.length >= 4);
  assert.ok(ladder.model.rows.some((row) => row.findings.some((f) => f.ruleId === 'OMA-IM-REG-001')));
  const t = s.update(init.state, 1);
  assert.equal(t.counts.error, 0, JSON.stringify(t.findings));
  // The trace's User-Agent said OMA1.0: the prefill wins over the setting's default.
  assert.match(t.text, /User-Agent: IM-client\/OMA1\.0 Fixture\/1\.0\r\n/);
});
