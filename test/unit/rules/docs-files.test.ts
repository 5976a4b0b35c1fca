/** docs/rules/*.md must equal what scripts/gen-rule-docs.mjs generates from the rule metadata. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderRuleDocs } from '../../../src/core/rules/docs';
import { ALL_RULES } from '../../../src/core/rules/index';

const root = resolve(__dirname, '../../../..');

test('docs/rules is up to date with the rule metadata (run node scripts/gen-rule-docs.mjs)', () => {
  const files = renderRuleDocs();
  assert.equal(files.length, ALL_RULES.length + 1);
  for (const f of files) {
    const p = join(root, f.path);
    assert.ok(existsSync(p), `${f.path} is missing`);
    assert.equal(readFileSync(p, 'utf8'), f.content, `${f.path} is stale`);
  }
  const wanted = new Set(files.map((f) => f.path));
  const extra = readdirSync(join(root, 'docs/rules')).filter((n) => n.endsWith('.md') && !wanted.has(`docs/rules/${n}`));
  assert.deepEqual(extra, [], 'pages of rules that no longer exist');
});

test('every page names the rule id, its clause and both examples', () => {
  for (const r of ALL_RULES) {
    const page = renderRuleDocs().find((f) => f.path === `docs/rules/${r.id}.md`)?.content ?? '';
    assert.match(page, new RegExp(`^# ${r.id} — `, 'm'));
    assert.ok(page.includes(r.clause.replace(/\|/g, '\\|')), `${r.id}: clause`);
    assert.ok(page.includes('## Passing example'), `${r.id}: passing example`);
    if (!r.noDiagnostic) assert.ok(page.includes('## Failing example'), `${r.id}: failing example`);
    if (r.decision) assert.ok(page.includes('## Decision'), `${r.id}: decision`);
  }
});
