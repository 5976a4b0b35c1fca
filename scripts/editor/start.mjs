// `npm run editor`: the extension in a real VS Code (code-server) on this machine, for trying it
// by hand. Builds what is stale and the .vsix, installs it into a fresh profile under
// .vscode-test/editor-*, serves http://127.0.0.1:<port>/ with samples/ open (no auth: loopback
// only), and stops the server on Ctrl-C. Port: SIP_EDITOR_PORT (default 8080).
// Reach it from another machine with an SSH tunnel: ssh -L 8080:127.0.0.1:8080 <host>.
import { join } from 'node:path';
import { buildAll, installVsix, makeRunDir, missingTools, root, startCodeServer } from './lib.mjs';

const log = (m) => console.log(`[editor] ${m}`);
const missing = missingTools();
if (missing.length) {
  console.error(`editor harness not installed: ${missing.join('; ')}`);
  process.exit(1);
}
const errors = buildAll({ log });
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
const runDir = makeRunDir('editor', 2);
const inst = installVsix(runDir);
if (!inst.ok) {
  console.error(inst.output);
  process.exit(1);
}
const port = Number(process.env.SIP_EDITOR_PORT || 8080);
const server = await startCodeServer(runDir, { port });
const folder = join(root, 'samples');
log(`code-server pid ${server.pid}, logs in ${server.logFile}`);
log(`open ${server.url}/?folder=${encodeURIComponent(folder)}`);
log('Ctrl-C stops it');
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  log('stopped');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const { code, signal } = await server.exited;
if (!stopping) {
  log(`code-server exited (${code ?? signal})`);
  process.exit(1);
}
