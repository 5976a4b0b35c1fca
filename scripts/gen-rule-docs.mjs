// Writes docs/rules/<id>.md (and docs/rules/README.md) from the rule metadata in src/core/rules.
// Needs the compiled core: run `npx tsc -p .` first. `--check` writes nothing and exits 1 when a
// page is missing, stale, or left over from a removed rule.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const compiled = join(root, 'out', 'src', 'core', 'rules', 'docs.js');
if (!existsSync(compiled)) {
  console.error(`gen-rule-docs: ${compiled} not found; run "npx tsc -p ." first`);
  process.exit(2);
}
const { renderRuleDocs } = require(compiled);
const check = process.argv.includes('--check');
const files = renderRuleDocs();
const dir = join(root, 'docs', 'rules');
mkdirSync(dir, { recursive: true });

const wanted = new Set(files.map((f) => f.path));
let stale = 0;
for (const f of files) {
  const p = join(root, f.path);
  const current = existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  if (current === f.content) continue;
  stale++;
  if (check) console.error(`stale: ${f.path}`);
  else writeFileSync(p, f.content);
}
for (const name of readdirSync(dir)) {
  if (!name.endsWith('.md') || wanted.has(`docs/rules/${name}`)) continue;
  stale++;
  if (check) console.error(`left over: docs/rules/${name}`);
  else unlinkSync(join(dir, name));
}
if (check) {
  if (stale) {
    console.error(`${stale} rule doc file(s) out of date: run "node scripts/gen-rule-docs.mjs"`);
    process.exit(1);
  }
  console.log(`${files.length} rule doc files up to date`);
} else {
  console.log(`${files.length} rule doc files, ${stale} written or removed`);
}
