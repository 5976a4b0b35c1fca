import * as fs from 'fs';
import * as path from 'path';

/** Repository root (works from test/… sources and from out/test/… compiled files). */
export const repoRoot = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
  return d;
})();

/** Third-party corpus beside the checkout; absent on some machines (tests then skip, and say so). */
export const corpusRoot = path.resolve(repoRoot, '../shared/corpus/public');
export const corpusPresent = fs.existsSync(corpusRoot);

export const fixturesRoot = path.join(repoRoot, 'test', 'fixtures');

export function listFiles(dir: string, filter: (name: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, filter));
    else if (filter(e.name)) out.push(p);
  }
  return out.sort();
}
