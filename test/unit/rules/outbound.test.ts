/**
 * SIP Outbound rules (catalog §7: OUTBOUND-001..005): failing and passing cases with the exact
 * text each finding points at, and the cases the rules must leave alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EX, IM_CONTACT, PLAIN_CONTACT, imRegistration, register, reply } from '../../../src/core/rules/examples';
import { EXAMPLE_INSTANCE, instanceProblem } from '../../../src/core/rules/outbound';
import { byRule, run, spanText, type Run } from './helpers';

const UUID = '"<urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a>"';
const UUID_B = '"<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"';

function hits(r: Run, id: string): [number, string, string][] {
  return byRule(r, id).map((f) => [f.messageIndex, f.severity, spanText(r, f)]);
}

test('OUTBOUND-001: instanceProblem accepts UUID and IMEI URNs, explains every other form', () => {
  assert.equal(instanceProblem(UUID), undefined);
  assert.equal(instanceProblem('"<URN:UUID:0ED88E5E-9FB0-4656-8D3C-41384ACA903A>"'), undefined, 'URNs compare case-insensitively');
  assert.equal(instanceProblem('"<urn:gsma:imei:35209900-176148-0>"'), undefined);
  assert.equal(instanceProblem('"<urn:gsma:imei:35209900-176148-0;svn=12>"'), undefined);
  assert.match(instanceProblem(undefined)?.message ?? '', /no value/);
  assert.match(instanceProblem('urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a')?.message ?? '', /not double-quoted/);
  assert.match(instanceProblem('"urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a"')?.message ?? '', /angle brackets/);
  assert.match(instanceProblem('"<0ed88e5e-9fb0>"')?.message ?? '', /not a URN/);
  assert.match(instanceProblem('"<urn:uuid:0ed88e5e-9fb0-4656>"')?.message ?? '', /RFC 4122/);
  assert.match(instanceProblem('"<urn:gsma:imei:3520990017614>"')?.message ?? '', /IMEI URN/);
  assert.deepEqual(
    [instanceProblem('"<urn:dev:mac:0024befffe804ff1>"')?.severity, instanceProblem(UUID.replace('uuid:0ed', 'uuid:xed'))?.severity],
    ['warning', 'error'],
  );
});

test('OUTBOUND-001: the finding points at the value, or at the bare parameter', () => {
  const unquoted = run([register({ contact: `${IM_CONTACT};+sip.instance=urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a` })]);
  assert.deepEqual(hits(unquoted, 'OUTBOUND-001'), [[0, 'error', 'urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a']]);
  const noBrackets = run([register({ contact: `${IM_CONTACT};+sip.instance="urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a"` })]);
  assert.deepEqual(hits(noBrackets, 'OUTBOUND-001'), [[0, 'error', '"urn:uuid:0ed88e5e-9fb0-4656-8d3c-41384aca903a"']]);
  const flag = run([register({ contact: `${IM_CONTACT};+sip.instance` })]);
  assert.deepEqual(hits(flag, 'OUTBOUND-001'), [[0, 'error', '+sip.instance']]);
  const otherUrn = run([register({ contact: `${IM_CONTACT};+sip.instance="<urn:dev:mac:0024befffe804ff1>"` })]);
  assert.deepEqual(hits(otherUrn, 'OUTBOUND-001'), [[0, 'warning', '"<urn:dev:mac:0024befffe804ff1>"']]);
  for (const good of [UUID, '"<urn:gsma:imei:35209900-176148-0>"']) {
    assert.deepEqual(hits(run([register({ contact: `${IM_CONTACT};+sip.instance=${good}` })]), 'OUTBOUND-001'), [], good);
  }
});

test('OUTBOUND-002: reg-id value and its +sip.instance (warning generic, error IMS)', () => {
  const zero = run([register({ contact: `${IM_CONTACT};+sip.instance=${UUID};reg-id=0`, supported: 'path, outbound' })]);
  assert.deepEqual(hits(zero, 'OUTBOUND-002'), [[0, 'warning', '0']]);
  const word = run([register({ contact: `${IM_CONTACT};+sip.instance=${UUID};reg-id=one`, supported: 'path, outbound' })]);
  assert.deepEqual(hits(word, 'OUTBOUND-002'), [[0, 'warning', 'one']]);
  const lone = register({ contact: `${IM_CONTACT};reg-id=1`, supported: 'path, outbound' });
  assert.deepEqual(hits(run([lone]), 'OUTBOUND-002'), [[0, 'warning', 'reg-id=1']]);
  assert.deepEqual(hits(run([lone], { profile: 'ims' }), 'OUTBOUND-002'), [[0, 'error', 'reg-id=1']]);
  assert.deepEqual(hits(run([register({ contact: `${IM_CONTACT};+sip.instance=${UUID};reg-id=2`, supported: 'path, outbound' })]), 'OUTBOUND-002'), []);
});

test('OUTBOUND-003: Supported without outbound points at Supported; no Supported at the start line; de-registrations exempt', () => {
  const contact = `${IM_CONTACT};+sip.instance=${UUID};reg-id=1`;
  const noTag = run([register({ contact })]);
  assert.deepEqual(hits(noTag, 'OUTBOUND-003'), [[0, 'error', 'path']]);
  assert.equal(spanText(noTag, { ...byRule(noTag, 'OUTBOUND-003')[0], span: byRule(noTag, 'OUTBOUND-003')[0].related![0].span }), 'reg-id=1');
  const noHeader = run([register({ contact, supported: null })]);
  assert.deepEqual(hits(noHeader, 'OUTBOUND-003'), [[0, 'error', `REGISTER sip:${EX.domain} SIP/2.0`]]);
  assert.deepEqual(hits(run([register({ contact, supported: 'path, outbound' })]), 'OUTBOUND-003'), []);
  assert.deepEqual(hits(run([register({ contact, supported: 'path, Outbound' })]), 'OUTBOUND-003'), [], 'option tags compare case-insensitively');
  assert.deepEqual(hits(run([register({ cseq: 5, contact, expires: '0' })]), 'OUTBOUND-003'), [], 'removing the flow sets none up');
});

test('OUTBOUND-004: instance-id changed or dropped within the Call-ID; a new Call-ID or a wildcard is not checked', () => {
  const first = imRegistration({ contact: `${IM_CONTACT};+sip.instance=${UUID_B}` });
  const changed = run([...first, register({ cseq: 2, contact: `${IM_CONTACT};+sip.instance=${UUID}` })]);
  assert.deepEqual(hits(changed, 'OUTBOUND-004'), [[4, 'warning', UUID]]);
  assert.equal(byRule(changed, 'OUTBOUND-004')[0].related?.[0].messageIndex, 0);
  const dropped = run([...first, register({ cseq: 2 })]);
  assert.deepEqual(hits(dropped, 'OUTBOUND-004'), [[4, 'warning', IM_CONTACT]]);
  const newCallId = run([...first, register({ cseq: 1, callId: 'reboot-77@192.0.2.10', contact: `${IM_CONTACT};+sip.instance=${UUID}` })]);
  assert.deepEqual(hits(newCallId, 'OUTBOUND-004'), []);
  const star = run([...first, register({ cseq: 2, contact: '*', expires: '0' })]);
  assert.deepEqual(hits(star, 'OUTBOUND-004'), []);
  const same = run([...first, register({ cseq: 2, contact: `${PLAIN_CONTACT};+sip.instance=${UUID_B}` })]);
  assert.deepEqual(hits(same, 'OUTBOUND-004'), [], 'an IM-only de-registration that keeps the instance');
});

test('OUTBOUND-005: a 439 is reported once (retransmissions are the same answer), other failures are not', () => {
  const req = register({ contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE};reg-id=1`, supported: 'path, outbound' });
  const r439 = reply(req, 439, { reason: 'First Hop Lacks Outbound Support' });
  const r = run([req, r439, r439]);
  assert.deepEqual(hits(r, 'OUTBOUND-005'), [[1, 'warning', 'SIP/2.0 439 First Hop Lacks Outbound Support']]);
  assert.equal(byRule(r, 'OUTBOUND-005')[0].related?.[0].messageIndex, 0);
  assert.deepEqual(hits(run([req, reply(req, 403)]), 'OUTBOUND-005'), []);
});
