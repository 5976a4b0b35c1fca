/**
 * GRUU, Path and Service-Route rules (catalog §7: GRUU-001, PATH-001, PATH-002, SR-001): failing
 * and passing cases with exact spans, capture-point handling and the profile split.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EX, IM_CONTACT, publish, register, reply, request } from '../../../src/core/rules/examples';
import { followsServiceRoute } from '../../../src/core/rules/gruu-path-sr';
import { byRule, run, serious, spanText, type Run } from './helpers';

const UUID = '"<urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a>"';
const SR = `<sip:orig@scscf.${EX.domain};lr>`;
const ROUTE = `<sip:pcscf.${EX.domain};lr>, ${SR}`;
const START = `REGISTER sip:${EX.domain} SIP/2.0`;

function hits(r: Run, id: string): [number, string, string][] {
  return byRule(r, id).map((f) => [f.messageIndex, f.severity, spanText(r, f)]);
}

function withRoute(msg: string, route: string): string {
  return msg.replace(/^(Max-Forwards: .*)$/m, `$1\nRoute: ${route}`);
}

/** REGISTER, 2xx with Service-Route, the settings PUBLISH along it and its 2xx. */
function registered(): string[] {
  const pub = publish({ route: ROUTE });
  return [register(), reply(register(), 200, { extra: [`Service-Route: ${SR}`] }), pub, reply(pub, 200, { extra: ['SIP-ETag: e1', 'Expires: 3600'] })];
}

test('GRUU-001: gruu without an instance-id on the registered contact; de-registrations and compliant REGISTERs pass', () => {
  const r = run([register({ supported: 'path, gruu' })]);
  assert.deepEqual(hits(r, 'GRUU-001'), [[0, 'error', 'gruu']]);
  assert.equal(r.findings.find((f) => f.ruleId === 'GRUU-001')?.related?.[0].span.start, r.messages[0].sip.text.indexOf(IM_CONTACT));
  assert.deepEqual(hits(run([register({ supported: 'path, gruu', contact: `${IM_CONTACT};+sip.instance=${UUID}` })]), 'GRUU-001'), []);
  assert.deepEqual(hits(run([register({ supported: 'path, gruu', contact: '*', expires: '0' })]), 'GRUU-001'), []);
  assert.deepEqual(hits(run([register({ supported: 'path, gruu', expires: '0' })]), 'GRUU-001'), []);
  assert.deepEqual(hits(run([register()]), 'GRUU-001'), []);
});

test('PATH-001: missing path at the Supported value or the start line; every registering REGISTER; generic profile only', () => {
  assert.deepEqual(hits(run([register({ supported: 'timer' })]), 'PATH-001'), [[0, 'warning', 'timer']]);
  assert.deepEqual(hits(run([register({ supported: null })]), 'PATH-001'), [[0, 'warning', START]]);
  assert.deepEqual(hits(run([register({ supported: 'timer, Path' })]), 'PATH-001'), [], 'option tags compare case-insensitively');
  const a = register({ cseq: 1, supported: 'timer' });
  const b = register({ cseq: 2, supported: 'timer', authorization: true });
  const resend = run([a, reply(a, 401), b]);
  assert.deepEqual(hits(resend, 'PATH-001').map((h) => h[0]), [0, 2], 'the resend is a registering REGISTER too');
  const dereg = run([register({ cseq: 5, supported: null, contact: '*', expires: '0' })]);
  assert.deepEqual(hits(dereg, 'PATH-001'), [], 'full de-registration');
  const ims = run([register({ supported: 'timer' })], { profile: 'ims' });
  assert.deepEqual(hits(ims, 'PATH-001'), [], 'IMS-REG-004 reports it in the IMS profile');
  assert.deepEqual(hits(ims, 'IMS-REG-004'), [[0, 'error', 'timer']]);
});

test('PATH-002: path in Require / Proxy-Require, a Path written by the UA; not after a proxy', () => {
  assert.deepEqual(hits(run([register({ require: 'pref, path' })]), 'PATH-002'), [[0, 'warning', 'path']]);
  assert.deepEqual(hits(run([register({ extra: ['Proxy-Require: path'] })]), 'PATH-002'), [[0, 'warning', 'path']]);
  const ownPath = run([register({ extra: ['Path: <sip:192.0.2.10;lr>'] })]);
  assert.deepEqual(hits(ownPath, 'PATH-002'), [[0, 'warning', 'Path: <sip:192.0.2.10;lr>']]);
  const proxied = register({
    via: `SIP/2.0/UDP pcscf.${EX.domain};branch=z9hG4bKp1, SIP/2.0/UDP ${EX.clientHost}:5060;branch=z9hG4bKreg1a;rport`,
    extra: [`Path: <sip:term@pcscf.${EX.domain};lr>`],
  });
  assert.deepEqual(hits(run([proxied]), 'PATH-002'), [], 'observed downstream: the proxy added Path');
  assert.deepEqual(hits(run([register()]), 'PATH-002'), []);
});

test('followsServiceRoute: the Route list ends with the Service-Route, in order', () => {
  const sr = [`sip:orig@scscf.${EX.domain};lr`];
  assert.ok(followsServiceRoute([`sip:pcscf.${EX.domain};lr`, ...sr], sr));
  assert.ok(followsServiceRoute([`SIP:orig@SCSCF.${EX.domain};lr`], sr), 'case-insensitive');
  assert.ok(!followsServiceRoute([`sip:pcscf.${EX.domain};lr`], sr));
  assert.ok(!followsServiceRoute([], sr));
  assert.ok(!followsServiceRoute(['sip:a;lr', 'sip:b;lr'], ['sip:b;lr', 'sip:a;lr']), 'order matters');
});

test('SR-001: requests after a 2xx with Service-Route: info generic, warning IMS, at the Route value or the start line', () => {
  const noRoute = run([...registered(), request('MESSAGE', { body: 'hello' })]);
  assert.deepEqual(hits(noRoute, 'SR-001'), [[4, 'info', `MESSAGE sip:bob@${EX.domain} SIP/2.0`]]);
  assert.equal(byRule(noRoute, 'SR-001')[0].related?.[0].messageIndex, 1);
  const wrong = run([...registered(), withRoute(request('INVITE'), `<sip:pcscf.${EX.domain};lr>`)]);
  assert.deepEqual(hits(wrong, 'SR-001'), [[4, 'info', `<sip:pcscf.${EX.domain};lr>`]]);
  const ims = run([...registered(), withRoute(request('SUBSCRIBE'), `<sip:pcscf.${EX.domain};lr>`)], { profile: 'ims' });
  assert.deepEqual(hits(ims, 'SR-001'), [[4, 'warning', `<sip:pcscf.${EX.domain};lr>`]]);
  const ok = run([...registered(), withRoute(request('MESSAGE', { body: 'hello' }), ROUTE)]);
  assert.deepEqual(hits(ok, 'SR-001'), []);
  assert.deepEqual(serious(ok), []);
});

test('SR-001 leaves alone: the settings PUBLISH (OMA-IM-PUB-005), other senders, requests after a proxy, no Service-Route', () => {
  const reg = [register(), reply(register(), 200, { extra: [`Service-Route: ${SR}`] })];
  const settings = run([...reg, publish()]);
  assert.deepEqual(hits(settings, 'SR-001'), []);
  assert.equal(byRule(settings, 'OMA-IM-PUB-005').length, 1, 'the settings PUBLISH is OMA-IM-PUB-005');
  const presence = publish({ event: 'presence', cseq: 2, callId: 'pres-1@192.0.2.10' });
  const laterPublish = run([...registered(), presence]);
  assert.deepEqual(hits(laterPublish, 'SR-001'), [[4, 'info', `PUBLISH ${EX.aor} SIP/2.0`]], 'another PUBLISH is checked here');
  const fromBob = request('MESSAGE', { body: 'hi' }).replace(`From: <${EX.aor}>`, `From: <sip:bob@${EX.domain}>`);
  assert.deepEqual(hits(run([...registered(), fromBob]), 'SR-001'), []);
  const proxied = request('MESSAGE', { body: 'hi' }).replace(/^Via: (.*)$/m, `Via: SIP/2.0/UDP pcscf.${EX.domain};branch=z9hG4bKpx1\nVia: $1`);
  assert.deepEqual(hits(run([...registered(), proxied]), 'SR-001'), []);
  assert.deepEqual(hits(run([register(), reply(register(), 200), request('MESSAGE', { body: 'hi' })]), 'SR-001'), []);
});

test('SR-001: after a full de-registration the Service-Route no longer applies', () => {
  const dereg = register({ cseq: 2, contact: '*', expires: '0' });
  const r = run([...registered(), dereg, reply(dereg, 200), request('MESSAGE', { body: 'hello' })]);
  assert.deepEqual(hits(r, 'SR-001'), []);
});
