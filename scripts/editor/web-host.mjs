// Route W: the WEB build of the extension (package.json "browser": dist/web/extension.js) in the
// browser's web worker extension host, as on vscode.dev, checked through the UI of a real
// workbench (code-server 4.139.1 = Code-OSS 1.139.1 + Debian Chromium, offline, headless).
//
// How the extension gets there: code-server installs it on its (Node) server side, where an
// extension with a `main` runs in the Node extension host. The user setting
// "remote.extensionKind": { "<publisher>.<name>": ["web"] } makes the workbench pick the
// "LocalWebWorker" running location for it instead (Code-OSS pickRunningLocation: kind "web" and
// installed remotely -> web worker), so it runs in the page's ExtensionHostWorker from its
// `browser` entry, reading files through workspace.fs (the remote file system).
//
// What proves it (each a check): the ExtensionHostWorker fetched dist/web/extension.js and has no
// `process`, and the Node extension host's log never activates the extension; a .sip log gets
// its diagnostics; a pcap opens in the summary editor with its findings; the decoded view shows
// squiggles and Problems rows; and the capture was parsed in a nested Web Worker
// ("ExtensionHostWorker -> sip-trace-inspector-analysis"), and so was a large log, whose
// findings come back in acknowledged parts.
//
//   node scripts/editor/web-host.mjs          prints the checks and "N passed, N failed"
//   import { routeW } from './editor/web-host.mjs'; const checks = await routeW({ log });
// Environment: SIP_EDITOR_VERBOSE=1 prints the whole window console when a step fails.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  root, chromiumPath, extensionFolderName, missingTools, buildAll, makeRunDir, runEnv, installVsix, freePort, startCodeServer,
} from './lib.mjs';

const EXTENSION_ID = extensionFolderName.replace(/-\d+\.\d+\.\d+.*$/, '');
/** The name webExtension.ts gives its analysis worker. */
const ANALYSIS_WORKER = 'sip-trace-inspector-analysis';
const verbose = process.env.SIP_EDITOR_VERBOSE === '1';
// Messages the offline workbench prints that say nothing about our extension.
const NOISE = /Resolving connection token|Resolved connection token|Creating a socket|reconnection-grace-time|same-origin iframe|additional builtin extensions cache|Service Worker|AgentHost|AccountPolicyGate|open-vsx\.org|authentication provider 'github'|Failed to load resource|allow-scripts and allow-same-origin|vsda|ENOTFOUND|chat|Copilot/i;

/** Bytes of the generated log: above the in-place limit (256 Ki chars), so the Web Worker checks it. */
const LARGE_LOG_BYTES = 1.5e6;

/**
 * REGISTER + 200 OK pairs, one AOR each; every fifth REGISTER lacks +g.oma.sip-im (OMA-IM-REG-001).
 * Over a thousand findings, so the worker sends them in several acknowledged parts.
 */
function makeLargeLog(bytes) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const user = `user${i}`;
    const tags = i % 5 === 0 ? ';+g.oma.sip-im.system-message;+g.oma.sip-im.large-message' : ';+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message';
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const block =
      `REGISTER sip:ims.example.net SIP/2.0\nVia: SIP/2.0/UDP ${ip}:5060;branch=z9hG4bK-big-${i};rport\n` +
      `Max-Forwards: 70\nFrom: <sip:${user}@ims.example.net>;tag=f${i}\nTo: <sip:${user}@ims.example.net>\n` +
      `Call-ID: big-${i}@fixture.invalid\nCSeq: 1 REGISTER\nContact: <sip:${user}@${ip}:5060>${tags}\n` +
      `Expires: 3600\nRequire: pref\nSupported: path\nUser-Agent: IM-client/OMA1.0 Fixture/1.0\nContent-Length: 0\n\n` +
      `SIP/2.0 200 OK\nVia: SIP/2.0/UDP ${ip}:5060;branch=z9hG4bK-big-${i};rport=5060;received=${ip}\n` +
      `From: <sip:${user}@ims.example.net>;tag=f${i}\nTo: <sip:${user}@ims.example.net>;tag=r${i}\n` +
      `Call-ID: big-${i}@fixture.invalid\nCSeq: 1 REGISTER\nContact: <sip:${user}@${ip}:5060>${tags};expires=3600\nContent-Length: 0\n\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join('');
}

/** Polls `fn` until it returns a truthy value (returned) or `ms` pass (throws `what`). */
async function until(page, ms, what, fn) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await page.waitForTimeout(250);
  }
}

/** Lines of the Node extension host's logs that activate our extension (there must be none). */
function nodeHostActivations(runDir) {
  const hits = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'remoteexthost.log') {
        for (const line of readFileSync(p, 'utf8').split('\n')) if (line.includes('_doActivateExtension') && line.includes(EXTENSION_ID)) hits.push(line);
      }
    }
  };
  const logs = join(runDir, 'data', 'logs');
  if (existsSync(logs)) walk(logs);
  return hits;
}

/**
 * Opens `name` from the Explorer until `ready()` resolves. The workbench shows the Explorer
 * before the extension host has registered the contributions, so a file opened too early opens
 * with the wrong editor (a pcap as binary text) and stays so: close it and open it again.
 */
async function openUntil(page, name, ready, { perTry = 6000, total = 60000, log } = {}) {
  const deadline = Date.now() + total;
  for (let attempt = 1; ; attempt++) {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click({ timeout: 15000 });
    try {
      const v = await ready(perTry);
      if (attempt > 1) log?.(`web: ${name} ready at attempt ${attempt}`);
      return v;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await page.keyboard.press('Control+K');
      await page.keyboard.press('W'); // View: Close All Editors in Group
      await page.waitForTimeout(500);
    }
  }
}

/**
 * Starts its own code-server with the extension forced into the web worker extension host, runs
 * the checks in Chromium, stops the server by its PID. Returns [{ name, ok, detail }].
 */
export async function routeW({ log = console.log, runDir } = {}) {
  const checks = [];
  const fail = (name, detail) => checks.push({ name, ok: false, detail });
  runDir ??= makeRunDir('web', 3, {
    'remote.extensionKind': { [EXTENSION_ID]: ['web'] },
    // The summary editor is an "option" editor; open it as the pcap default (as route A does).
    'workbench.editorAssociations': { '*.pcap': 'sipTraceInspector.captureSummary' },
  });
  log(`web: run folder ${runDir}`);
  const inst = installVsix(runDir);
  if (!inst.ok) {
    fail('web: install the .vsix into code-server', inst.output.trim().split('\n').pop());
    return checks;
  }
  if (!existsSync(join(inst.dir, 'dist', 'web', 'extension.js')) || !existsSync(join(inst.dir, 'dist', 'web', 'worker.js'))) {
    fail('web: the .vsix carries the web build', `dist/web/extension.js or dist/web/worker.js missing in ${inst.dir}`);
    return checks;
  }
  let server;
  try {
    server = await startCodeServer(runDir, { port: await freePort() });
  } catch (e) {
    fail('web: start code-server', e.message);
    return checks;
  }
  log(`web: code-server pid ${server.pid} on ${server.url}`);
  let context;
  try {
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(join(runDir, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      env: runEnv(runDir),
      viewport: { width: 1600, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] || (await context.newPage());
    const shot = (name) => page.screenshot({ path: join(runDir, `web-${name}.png`) }).catch(() => {});
    const consoleLines = [];
    page.on('console', (m) => {
      const text = m.text();
      if (verbose || !NOISE.test(text)) consoleLines.push(`${m.type()}: ${text.slice(0, 400)}`);
    });
    // The workers the page reports (not the ones a worker starts), with their names.
    const workers = [];
    page.on('worker', (w) => {
      const entry = { worker: w, name: undefined, closed: false };
      workers.push(entry);
      w.on('close', () => (entry.closed = true));
      w.evaluate(() => globalThis.name).then((n) => (entry.name = n), () => {});
      w.on('console', (m) => consoleLines.push(`worker ${entry.name ?? w.url().slice(0, 60)}: ${m.text().slice(0, 400)}`));
    });
    // The workspace: two fixtures and a generated large log, in the run folder (nothing is
    // written to the repo).
    const folder = join(runDir, 'ws');
    mkdirSync(folder, { recursive: true });
    for (const f of ['broken-register.sip', 'broken-register.pcap']) copyFileSync(join(root, 'src', 'test', 'fixtures', f), join(folder, f));
    writeFileSync(join(folder, 'large-register.sip'), makeLargeLog(LARGE_LOG_BYTES));
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 30000 });
    log('web: workbench loaded');
    // The web extension host runs in a dedicated worker named ExtensionHostWorker (in an iframe).
    // Playwright does not report the workers that one starts, so a spy on its Worker
    // constructor records each worker our extension starts and the types of the replies that
    // worker posts. The extension looks the constructor up when it starts a worker, so the spy
    // is in place whenever it activates.
    const host = await until(page, 30000, 'the ExtensionHostWorker', async () => workers.find((w) => w.name === 'ExtensionHostWorker' && !w.closed));
    await host.worker.evaluate(() => {
      if (globalThis.__sipWorkerSpy) return;
      const Original = globalThis.Worker;
      const started = (globalThis.__sipWorkerSpy = []);
      globalThis.Worker = function Worker(url, options) {
        const rec = { scheme: String(url).split(':')[0], name: options?.name, replies: [], errors: [] };
        const w = new Original(url, options);
        started.push(rec);
        w.addEventListener('message', (e) => rec.replies.push(String(e.data?.type)));
        w.addEventListener('error', (e) => rec.errors.push(String(e.message ?? 'error')));
        return w;
      };
    });
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    // Ctrl+Shift+M toggles the panel when it has focus: press it only when the panel is hidden.
    const showProblems = async () => {
      if (!(await page.locator('.markers-panel').first().isVisible().catch(() => false))) await page.keyboard.press('Control+Shift+M');
    };
    const problemsRow = (code) => page.locator('.markers-panel .monaco-list-row', { hasText: code }).first();

    const steps = [
      ['web: a .sip log in the web extension host gets OMA-IM-REG-001 in the Problems panel and a squiggle', async () => {
        const text = await openUntil(page, 'broken-register.sip', async (ms) => {
          await page.locator('.editor-instance .view-lines', { hasText: 'REGISTER sip:' }).first().waitFor({ timeout: ms });
          await showProblems();
          const row = problemsRow('OMA-IM-REG-001');
          await row.waitFor({ timeout: ms });
          return (await row.innerText()).replace(/\s+/g, ' ');
        }, { log });
        if (!text.includes('[Ln 8, Col 10]')) throw new Error(`Problems row: ${text}`);
        await page.locator('.editor-instance .squiggly-error, .editor-instance .squiggly-warning').first().waitFor({ state: 'attached', timeout: 15000 });
        await shot('log');
        return text;
      }],
      ['web: the extension runs dist/web/extension.js in the browser\'s web worker extension host, not in the Node host', async () => {
        const seen = await until(page, 15000, 'dist/web/extension.js among the ExtensionHostWorker\'s fetches', async () => {
          const r = await host.worker.evaluate((id) => ({
            script: globalThis.performance.getEntriesByType('resource').map((e) => decodeURIComponent(e.name)).find((n) => n.includes(id) && n.includes('/dist/web/extension.js')),
            process: typeof process,
            window: typeof window,
          }), EXTENSION_ID);
          return r.script ? r : undefined;
        });
        if (seen.process !== 'undefined' || seen.window !== 'undefined') throw new Error(`not a web worker: typeof process=${seen.process}, typeof window=${seen.window}`);
        const nodeHost = nodeHostActivations(runDir);
        if (nodeHost.length) throw new Error(`the Node extension host activated it too: ${nodeHost[0]}`);
        const path = seen.script.replace(/^.*?(\/[^/]*sip-trace-inspector[^/]*\/dist\/web\/extension\.js).*$/, '$1');
        return `ExtensionHostWorker fetched ${path}; typeof process/window there: undefined; remoteexthost.log: no activation`;
      }],
      ['web: opening the pcap shows the summary webview with its findings', async () => {
        await openUntil(page, 'broken-register.pcap', (ms) => frame.locator('td', { hasText: 'OMA-IM-REG-001' }).first().waitFor({ timeout: ms }), { log });
        await shot('summary');
        return (await frame.locator('h1').innerText()).trim();
      }],
      ['web: the capture was parsed in a Web Worker started by the web extension host', async () => {
        const spy = await until(page, 10000, `a worker "${ANALYSIS_WORKER}" that answered with an analysis`, async () => {
          const started = await host.worker.evaluate(() => globalThis.__sipWorkerSpy);
          return started.find((w) => w.name?.endsWith(ANALYSIS_WORKER) && w.replies.includes('analysis')) ? started : undefined;
        }).catch(async (e) => {
          throw new Error(`${e.message}; workers started: ${JSON.stringify(await host.worker.evaluate(() => globalThis.__sipWorkerSpy).catch(() => null))}`);
        });
        const w = spy.find((x) => x.name?.endsWith(ANALYSIS_WORKER) && x.replies.includes('analysis'));
        return `${spy.length} worker(s) started by the extension host; "${w.name}" from a ${w.scheme}: URL replied ${w.replies.join(', ')}`;
      }],
      ['web: the summary\'s link opens the decoded view (sip-trace:) with squiggles and Problems rows', async () => {
        await frame.locator('a', { hasText: 'Show decoded messages' }).click({ timeout: 10000 });
        await page.locator('.editor-instance .view-lines', { hasText: '### frame 1' }).waitFor({ timeout: 15000 });
        await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'attached', timeout: 15000 });
        await showProblems();
        const rows = page.locator('.markers-panel .monaco-list-row', { hasText: 'OMA-IM-REG-001' });
        const text = await until(page, 10000, 'a Problems row of the decoded view at [Ln 11, Col 10]', async () => {
          for (const t of await rows.allInnerTexts()) if (t.replace(/\s+/g, ' ').includes('[Ln 11, Col 10]')) return t.replace(/\s+/g, ' ');
          return undefined;
        });
        await shot('decoded');
        return text;
      }],
      ['web: a large log (1.5 MB) is checked in a Web Worker, its findings sent in acknowledged parts', async () => {
        const before = (await host.worker.evaluate(() => globalThis.__sipWorkerSpy)).length;
        await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'large-register.sip' }).first().click({ timeout: 15000 });
        const started = await until(page, 30000, 'a worker that answered the log check (log-done)', async () => {
          const all = await host.worker.evaluate(() => globalThis.__sipWorkerSpy);
          return all.slice(before).find((w) => w.name?.endsWith(ANALYSIS_WORKER) && w.replies.includes('log-done'));
        });
        const parts = started.replies.filter((r) => r === 'log-part').length;
        if (parts < 2) throw new Error(`expected several log-part replies, got ${started.replies.join(', ')}`);
        await showProblems();
        const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'large-register.sip' }).first();
        await row.waitFor({ timeout: 15000 });
        await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'attached', timeout: 15000 });
        await shot('large-log');
        return `worker replied ${parts} log-part(s) and log-done; Problems: ${(await row.innerText()).replace(/\s+/g, ' ')}`;
      }],
    ];
    let broken = false;
    for (const [name, fn] of steps) {
      if (broken) {
        fail(name, 'not run: an earlier web step failed');
        continue;
      }
      try {
        checks.push({ name, ok: true, detail: await fn() });
        log(`web: step ${checks.length} done`);
      } catch (e) {
        broken = true;
        await shot('failure');
        log(`web: step failed; the window's console (${consoleLines.length} lines):`);
        for (const line of consoleLines.slice(-40)) console.log(`    ${line}`);
        fail(name, String(e.message || e).split('\n')[0]);
      }
    }
  } catch (e) {
    fail('web: driver', String(e.stack || e).split('\n').slice(0, 3).join(' '));
  } finally {
    await context?.close().catch(() => {});
    await server.stop();
    log(`web: code-server stopped (pid ${server.pid}); logs in ${runDir}`);
  }
  return checks;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t0 = Date.now();
  const log = (m) => console.log(`[web ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
  const missing = missingTools();
  const errors = missing.length ? [`editor harness not installed: ${missing.join('; ')}`] : buildAll({ log });
  const checks = errors.length ? errors.map((e) => ({ name: 'web: build', ok: false, detail: e })) : await routeW({ log });
  for (const c of checks) log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.detail ? ` - ${c.detail}` : ''}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exit(failed || !checks.length ? 1 : 0);
}
