/** Settings: defaults, rule severity keys with wildcards (most specific wins), validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configuredSeverity, resolveSettings, severityFor, validateSettings } from '../../../src/core/settings';
import { ALL_RULES, DEFAULT_RULE_DOC_BASE, PLANNED_RULE_IDS, knownRuleIds, ruleDocUrl } from '../../../src/core/rules/index';
import { PLAIN_CONTACT, publish, register, reply } from '../../../src/core/rules/examples';
import { byRule, run } from './helpers';

test('defaults', () => {
  const s = resolveSettings();
  assert.equal(s.imRelease, 'OMA1.0');
  assert.equal(s.profile, 'auto');
  assert.equal(s.requireAllImTags, true);
  assert.equal(s.publishWindowSeconds, 30);
  assert.equal(s.timerFSeconds, 32);
  assert.equal(s.settingsEventPackage, undefined);
  assert.deepEqual(s.sipIpCoreAddresses, []);
});

test('severityFor: exact id beats patterns; longer pattern beats shorter; default otherwise', () => {
  const s = resolveSettings({ rules: { '*': 'info', 'RFC3261-*': 'warning', 'RFC3261-REG-*': 'off', 'RFC3261-REG-011': 'error' } });
  assert.equal(severityFor('RFC3261-REG-011', 'warning', s), 'error');
  assert.equal(severityFor('RFC3261-REG-004', 'error', s), 'off');
  assert.equal(severityFor('RFC3261-RSP-001', 'error', s), 'warning');
  assert.equal(severityFor('OMA-IM-REG-001', 'error', s), 'info');
  assert.equal(severityFor('OMA-IM-REG-001', 'error', resolveSettings()), 'error');
  assert.equal(configuredSeverity('oma-im-reg-001', resolveSettings({ rules: { 'OMA-IM-REG-001': 'warning' } })), 'warning', 'ids compare case-insensitively');
});

test('configured severity replaces every case of a rule; off removes the rule', () => {
  const flow = [register({ cseq: 1, contact: PLAIN_CONTACT })];
  assert.deepEqual(byRule(run(flow, { rules: { 'OMA-IM-REG-00*': 'warning' } }), 'OMA-IM-REG-001').map((f) => f.severity), ['warning']);
  assert.equal(byRule(run(flow, { rules: { 'OMA-IM-*': 'off' } }), 'OMA-IM-REG-001').length, 0);
  // IM-only de-registration case of 008 is a warning by default; configuring the rule sets both cases.
  const a = register({ cseq: 1, require: null });
  const steps = [a, reply(a, 200), publish(), reply(publish(), 200, { extra: ['SIP-ETag: e'] }), register({ cseq: 2, contact: PLAIN_CONTACT, require: null })];
  assert.deepEqual(byRule(run(steps), 'OMA-IM-REG-008').map((f) => f.severity), ['error', 'warning']);
  assert.deepEqual(byRule(run(steps, { rules: { 'OMA-IM-REG-008': 'info' } }), 'OMA-IM-REG-008').map((f) => f.severity), ['info', 'info']);
});

test('OMA-IM-PUB-001 and OMA-IM-REG-015 are configured once: either id sets both', () => {
  const a = register();
  const steps = [a, reply(a, 200), { text: register({ cseq: 2 }), gap: 40 }];
  const both = run(steps, { rules: { 'OMA-IM-PUB-001': 'off' } });
  assert.equal(byRule(both, 'OMA-IM-PUB-001').length + byRule(both, 'OMA-IM-REG-015').length, 0);
  const info = run(steps, { rules: { 'OMA-IM-REG-015': 'info' } });
  assert.deepEqual([...byRule(info, 'OMA-IM-PUB-001'), ...byRule(info, 'OMA-IM-REG-015')].map((f) => f.severity), ['info', 'info']);
});

test('validateSettings: a good object has no errors', () => {
  assert.deepEqual(
    validateSettings(
      {
        rules: { 'RFC3261-*': 'warning', 'OMA-IM-REG-013': 'off', 'IMS-REG-003': 'info' },
        imRelease: 'OMA2.0',
        profile: 'ims',
        requireAllImTags: false,
        publishWindowSeconds: 10,
        settingsEventPackage: 'im-settings',
        settingsContentType: 'application/im-settings+xml',
        settingsNamespace: 'urn:example',
        sipIpCoreAddresses: ['198.51.100.1:5060', 'pcscf.example.net'],
        timerFSeconds: 32,
      },
      knownRuleIds(),
    ),
    [],
  );
});

test('validateSettings: unknown keys, bad values and unknown rule ids are each explained', () => {
  const errors = validateSettings(
    { rulez: {}, rules: { 'OMA-IM-REG-001': 'fatal', 'NOPE-*': 'off', 'a b': 'off' }, profile: 'sip', requireAllImTags: 'yes', publishWindowSeconds: -1, sipIpCoreAddresses: 'x' },
    knownRuleIds(),
  );
  assert.deepEqual(errors, [
    'unknown setting "rulez" (known: rules, imRelease, profile, requireAllImTags, publishWindowSeconds, settingsEventPackage, settingsContentType, settingsNamespace, sipIpCoreAddresses, timerFSeconds)',
    '"rules.OMA-IM-REG-001": "fatal" is not one of off, info, warning, error',
    '"rules.NOPE-*" matches no known rule id',
    '"rules.a b": a rule key is a rule id or a pattern of letters, digits, "-" and "*"',
    '"profile": "sip" is not one of "auto" | "generic" | "ims"',
    '"requireAllImTags" must be a boolean',
    '"publishWindowSeconds" must be a positive number (seconds)',
    '"sipIpCoreAddresses" must be an array of strings (ip, ip:port or host)',
  ]);
  assert.deepEqual(validateSettings([]), ['settings must be a JSON object']);
  assert.deepEqual(validateSettings(null), ['settings must be a JSON object']);
});

test('resolveSettings ignores ill-typed values (validateSettings reports them)', () => {
  const s = resolveSettings({ profile: 'x' as never, publishWindowSeconds: -5, rules: { 'OMA-IM-REG-001': 'fatal' as never } });
  assert.equal(s.profile, 'auto');
  assert.equal(s.publishWindowSeconds, 30);
  assert.equal(configuredSeverity('OMA-IM-REG-001', s), undefined);
});

test('ruleDocUrl: default base and an override', () => {
  assert.equal(ruleDocUrl('OMA-IM-REG-001'), `${DEFAULT_RULE_DOC_BASE}/OMA-IM-REG-001.md`);
  assert.equal(ruleDocUrl('OMA-IM-REG-001'), 'https://github.com/sip-trace-inspector/sip-trace-inspector/blob/main/docs/rules/OMA-IM-REG-001.md');
  assert.equal(ruleDocUrl('FLOW-001', 'docs/rules/'), 'docs/rules/FLOW-001.md');
});

test('registry: unique ids, metadata complete, planned ids not implemented', () => {
  const ids = ALL_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const r of ALL_RULES) {
    assert.ok(r.title && r.clause && r.docs.what && r.docs.why && r.docs.passing, r.id);
    assert.ok(['SHALL', 'MUST', 'SHOULD', 'INTEROP', 'DECISION'].includes(r.basis), r.id);
    assert.ok(['error', 'warning', 'info'].includes(r.defaultSeverity), r.id);
  }
  for (const p of PLANNED_RULE_IDS) assert.ok(!ids.includes(p), p);
  assert.equal(ALL_RULES.length, 105);
});
