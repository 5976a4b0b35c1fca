/**
 * Every rule's documentation examples run through the checker: the failing example must report
 * the rule, the passing one must not. So the generated docs/rules pages cannot lie.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_RULES } from '../../../src/core/rules/index';
import { checkExample } from '../../../src/core/rules/run-example';

for (const rule of ALL_RULES) {
  test(`${rule.id}: docs examples`, () => {
    if (rule.docs.failing) {
      const r = checkExample(rule.docs.failing, rule.docs.settings);
      const hits = r.findings.filter((f) => f.ruleId === rule.id);
      assert.ok(hits.length > 0, `failing example of ${rule.id} reports nothing; got ${r.findings.map((f) => f.ruleId).join(', ')}`);
      for (const f of hits) assert.ok(f.span.end >= f.span.start && f.span.end <= r.messages[f.messageIndex].sip.text.length, 'span inside the message');
    } else {
      assert.ok(rule.noDiagnostic, `${rule.id} has no failing example but reports findings`);
    }
    const p = checkExample(rule.docs.passing, rule.docs.settings);
    const bad = p.findings.filter((f) => f.ruleId === rule.id);
    assert.deepEqual(bad.map((f) => f.message), [], `passing example of ${rule.id} reports it`);
    // The passing example is compliant traffic as a whole: no rule has an error or warning on it.
    const serious = p.findings.filter((f) => f.severity !== 'info').map((f) => `${f.ruleId}: ${f.message}`);
    assert.deepEqual(serious, [], `passing example of ${rule.id} is not clean`);
  });
}
