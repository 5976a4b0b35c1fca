/**
 * Mocha entry point run inside a real extension host: by @vscode/test-electron (runTest.ts, on a
 * machine that can download VS Code) and by scripts/editor-tests.mjs (code-server, offline).
 * The extension host forwards console.log without printf substitution, so the reporter's output is
 * formatted here; the last line is "ext-host: N passed, N failed", which the runner reads.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  (Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void }).consoleLog = (...a: unknown[]) =>
    console.log(util.format(...a));
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 20000 });
  const grep = process.env.SIP_EDITOR_GREP;
  if (grep) mocha.grep(grep);
  // Alphabetical, except the large-file suites last: their documents stay open in the host.
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js'));
  const last = (f: string) => (f.startsWith('largeLog.') ? 1 : 0);
  for (const f of files.sort((a, b) => last(a) - last(b) || a.localeCompare(b))) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        const total = mocha.suite.total();
        console.log(`ext-host: ${total - failures} passed, ${failures} failed`);
        if (failures) reject(new Error(`${failures} tests failed.`));
        else resolve();
      });
    } catch (e) {
      console.log('ext-host: 0 passed, 1 failed');
      reject(e);
    }
  });
}
