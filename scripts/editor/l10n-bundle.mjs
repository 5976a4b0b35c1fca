// Writes l10n/bundle.l10n.json: every string the extension passes to vscode.l10n.t(...) in
// src/extension/** (what @vscode/l10n-dev's "export" does, without the extra dependency). The
// English bundle maps each message to itself; a translation is a copy of it named
// bundle.l10n.<locale>.json with the values translated.
//
//   node scripts/editor/l10n-bundle.mjs            writes the bundle
//   node scripts/editor/l10n-bundle.mjs --check    exit 1 (and name the strings) when it is stale
// The editor suite runs the check (scripts/editor-tests.mjs).
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.mjs';

const SRC = join(root, 'src', 'extension');
const BUNDLE = join(root, 'l10n', 'bundle.l10n.json');
// vscode.l10n.t('...') / "..." / `...` (no ${}), the message being the first argument.
const CALL = /\bl10n\.t\(\s*(?:'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)"|`((?:\\.|[^`\\$])*)`)/g;

function files(dir) {
  const out = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (n.endsWith('.ts')) out.push(p);
  }
  return out;
}

function unescape(s) {
  return s.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e) => {
    if (e[0] === 'u') return String.fromCodePoint(parseInt(e.replace(/[u{}]/g, ''), 16));
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return { n: '\n', t: '\t', r: '\r' }[e] ?? e;
  });
}

export function extract() {
  const messages = new Set();
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(CALL)) messages.add(unescape(m[1] ?? m[2] ?? m[3]));
  }
  const sorted = [...messages].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(sorted.map((m) => [m, m]));
}

const wanted = `${JSON.stringify(extract(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(BUNDLE, 'utf8');
  } catch {
    /* missing: stale */
  }
  if (current !== wanted) {
    const have = new Set(Object.keys(current ? JSON.parse(current) : {}));
    const want = Object.keys(JSON.parse(wanted));
    const missing = want.filter((k) => !have.has(k));
    const extra = [...have].filter((k) => !want.includes(k));
    console.log(`l10n/bundle.l10n.json is stale: ${missing.length} missing, ${extra.length} unused (run node scripts/editor/l10n-bundle.mjs)`);
    for (const k of missing.slice(0, 5)) console.log(`  missing: ${k}`);
    process.exit(1);
  }
  console.log(`l10n/bundle.l10n.json is up to date (${Object.keys(JSON.parse(wanted)).length} messages)`);
} else {
  writeFileSync(BUNDLE, wanted);
  console.log(`wrote l10n/bundle.l10n.json (${Object.keys(JSON.parse(wanted)).length} messages)`);
}
