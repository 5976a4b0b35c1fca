// Runs every test suite and prints, as its very last line, the sum over all suites:
// "N passed, N failed" (", N skipped" when some were skipped). Exit code 1 when anything failed.
// Suites: the unit tests of the core and CLI (node:test over out/test/unit), and the real-editor
// suites when they exist (scripts/editor-tests.mjs).
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);

function findTests(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const totals = { passed: 0, failed: 0, skipped: 0 };

async function unitSuite() {
  const outDir = join(root, 'out');
  // A compiled test whose source was deleted or renamed stays in out/ (tsc never removes files):
  // run only the tests that have a source, as a clean clone would, and say what was left out.
  let files = findTests(join(outDir, 'test', 'unit')).filter((f) => {
    const source = join(root, f.slice(outDir.length + 1).replace(/\.js$/, '.ts'));
    if (existsSync(source)) return true;
    console.log(`unit: not run (no source any more): ${f.slice(root.length + 1)}`);
    return false;
  });
  if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const stream = run({ files, concurrency: 2, timeout: 10 * 60 * 1000 });
  stream.on('test:pass', (e) => { if (e.details?.type !== 'suite') { if (e.skip || e.todo) counts.skipped++; else counts.passed++; } });
  stream.on('test:fail', (e) => { if (e.details?.type !== 'suite' || e.details?.error?.failureType === 'hookFailed') counts.failed++; });
  await new Promise((resolveDone) => {
    const s = stream.compose(spec);
    s.on('data', (d) => process.stdout.write(d));
    s.on('end', resolveDone);
  });
  console.log(`unit: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return counts;
}

function externalSuite(script) {
  // Each external suite prints its own "N passed, N failed" line last; we take that line.
  const r = spawnSync(process.execPath, [script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(r.stdout ?? '');
  const m = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/.exec((r.stdout ?? '').trim());
  if (!m) return { passed: 0, failed: 1, skipped: 0 };
  const c = { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
  if (r.status !== 0 && c.failed === 0) c.failed = 1;
  return c;
}

const suites = [await unitSuite()];
for (const s of ['scripts/editor-tests.mjs']) {
  if (!only.length && existsSync(join(root, s))) suites.push(externalSuite(join(root, s)));
}
for (const c of suites) { totals.passed += c.passed; totals.failed += c.failed; totals.skipped += c.skipped; }
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed ? 1 : 0);
