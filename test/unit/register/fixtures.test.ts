/**
 * The repository's generated fixtures (test/fixtures, see MANIFEST.json) through the trace reader
 * and the checker: compliant fixtures give no error or warning; broken ones report the rules they
 * break. Disagreements between a fixture's list and the rule catalog are listed in DISPUTED.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readTraceBytes } from '../../../src/core/trace';
import { checkMessages } from '../../../src/core/rules/run-example';

const root = resolve(__dirname, '../../../..');
const manifestPath = join(root, 'test/fixtures/MANIFEST.json');

/**
 * Rules a fixture lists that the checker does not report, and why (catalog reference).
 * baresip registers without IM tags: OMA-IM-REG-015 applies to a 2xx "whose request carried the
 * IM tags" (catalog §3 OMA-IM-REG-015, Applies to).
 */
const DISPUTED: Record<string, string[]> = {
  'test/fixtures/captures/ua/baresip-register.pcap': ['OMA-IM-REG-015'],
  'test/fixtures/logs/generated/baresip/baresip-register.log': ['OMA-IM-REG-015'],
};

interface Fixture {
  path: string;
  brokenRules?: string[];
}

const fixtures: Fixture[] = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')).fixtures as Fixture[]) : [];

test('fixture manifest present', (t) => {
  if (!fixtures.length) t.skip('test/fixtures/MANIFEST.json absent');
});

for (const f of fixtures) {
  test(`fixture ${f.path}`, (t) => {
    const p = join(root, f.path);
    if (!existsSync(p)) {
      t.skip(`fixture file absent: ${f.path}`);
      return;
    }
    const trace = readTraceBytes(new Uint8Array(readFileSync(p)));
    const r = checkMessages(trace.messages);
    const reported = new Set(r.findings.filter((x) => x.severity !== 'info').map((x) => x.ruleId));
    const broken = f.brokenRules ?? [];
    if (broken.length === 0) {
      assert.deepEqual(r.findings.filter((x) => x.severity !== 'info').map((x) => `${x.ruleId} @${x.messageIndex}: ${x.message}`), []);
      return;
    }
    const expected = broken.filter((id) => !(DISPUTED[f.path] ?? []).includes(id));
    assert.deepEqual(expected.filter((id) => !reported.has(id)), [], `not reported; reported: ${[...reported].join(', ')}`);
  });
}
