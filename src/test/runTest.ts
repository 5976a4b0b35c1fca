/**
 * The standard route on a machine that can download VS Code (not the CI machine, which has no
 * access to update.code.visualstudio.com; there scripts/editor-tests.mjs runs the same suite in
 * code-server). Headless Linux: `xvfb-run -a node out/src/test/runTest.js`.
 */
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  try {
    await runTests({
      version: '1.139.1', // the Code-OSS inside code-server 4.139.1, which the offline route uses
      extensionDevelopmentPath: root,
      extensionTestsPath: path.resolve(__dirname, './suite/index'),
      launchArgs: [path.join(root, 'src', 'test', 'fixtures'), '--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (e) {
    console.error('in-editor tests failed:', e);
    process.exit(1);
  }
}

void main();
