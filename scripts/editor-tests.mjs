// The in-editor suite: builds the .vsix, installs it into a fresh code-server (Code-OSS 1.139.1,
// real workbench + real Node extension host, offline, headless), and runs the mocha suite of
// src/test/suite inside that extension host ("route B" of docs real-editor-testing.md §5): the page
// is opened with a payload naming the extension and the tests, and the workbench reports the
// suite's exit code through window.codeAutomationExit.
//
// Then a few UI checks drive the same workbench with Chromium ("route A", §4): what only the UI
// shows (the summary webview, its command link, the Problems panel, squiggles). Screenshots of
// those land in the run folder (.vscode-test/run-*/ui-*.png); the one of the Problems panel on a
// capture is the README's docs/images/problems-panel.png (written when missing, or replaced with
// SIP_EDITOR_UPDATE_SCREENSHOTS=1; else kept in the run folder and only checked). Two checks run
// outside the editor: the .vsix size and that l10n/bundle.l10n.json lists every l10n.t string.
//
// Last line of stdout: "N passed, N failed" (scripts/run-tests.mjs adds it to the total). When the
// editor cannot be installed or started, the suite FAILS ("0 passed, 1 failed", exit code 1).
//
//   node scripts/editor-tests.mjs [--keep]     (--keep: leave the run folder's logs; always kept)
// Environment: SIP_EDITOR_TIMEOUT_MS (default 120000), SIP_EDITOR_VERBOSE=1 (all browser console),
// SIP_EDITOR_GREP=<text> (only the mocha tests whose title contains it),
// SIP_EDITOR_UPDATE_SCREENSHOTS=1 (rewrite docs/images/problems-panel.png, templates-panel.png and
// ladder.png; the last two come from the templates checks in scripts/editor/templates-ui.mjs).
import { dirname, join } from 'node:path';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { format } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  root, chromiumPath, vsixPath, missingTools, buildAll, makeRunDir, runEnv, installVsix, freePort, startCodeServer,
} from './editor/lib.mjs';
import { templatesSteps } from './editor/templates-ui.mjs';
import { routeW } from './editor/web-host.mjs';

const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (msg) => console.log(`[editor ${since()}] ${msg}`);
const timeoutMs = Number(process.env.SIP_EDITOR_TIMEOUT_MS || 120000);
const verbose = process.env.SIP_EDITOR_VERBOSE === '1';
const MAX_VSIX_BYTES = 1024 * 1024;
/** The README's picture of the Problems panel (taken by the UI checks, committed). */
const PROBLEMS_SHOT = join(root, 'docs', 'images', 'problems-panel.png');
const MAX_SHOT_BYTES = 300 * 1024;

/** Checks outside mocha (package size, UI) counted next to the mocha tests. */
const harness = { passed: 0, failed: 0 };

function finish(passed, failed, code) {
  console.log(`editor: total ${since()}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code);
}

function fatal(reason) {
  console.log(`[editor ${since()}] FAIL ${reason}`);
  finish(harness.passed, harness.failed + 1, 1);
}

// Messages the offline workbench prints that say nothing about our extension (docs §7).
const NOISE = /Resolving connection token|Resolved connection token|Creating a socket|reconnection-grace-time|same-origin iframe|additional builtin extensions cache|Service Worker|AgentHost|AccountPolicyGate|open-vsx\.org|authentication provider 'github'|Failed to load resource|allow-scripts and allow-same-origin|vsda|ENOTFOUND|\[Extension Host\] (?:debugger|Debugger)|ms-vscode\.|chat|Copilot|IPC sockets|Failed snippets from folder/i;

async function routeB(server, devPath, testsPath, folder, profileDir, runDir) {
  const context = await launchBrowser(profileDir, runDir);
  try {
    const page = context.pages()[0] || (await context.newPage());
    const host = new URL(server.url).host;
    const remote = (p) => `vscode-remote://${host}${p}`;
    let done;
    const exited = new Promise((r) => (done = r));
    let summary = null;
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    page.on('console', async (m) => {
      let args;
      try { args = await Promise.all(m.args().map((a) => a.jsonValue())); } catch { args = [m.text()]; }
      const text = (format(...args).replace(/%c/g, '').replace(/color: #?[\w]+;?/g, '').trim() || m.text()).replace(/^(INFO|ERR|WARN)\s?/, '');
      const s = /^ext-host: (\d+) passed, (\d+) failed/.exec(text);
      if (s) summary = { passed: +s[1], failed: +s[2] };
      if (text && (verbose || !NOISE.test(text))) console.log(`  ${text}`);
    });
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(devPath)],
      ['extensionTestsPath', remote(testsPath)],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`);
    log('workbench opened; mocha suite running in the extension host');
    const code = await Promise.race([exited, sleep(timeoutMs).then(() => 'timeout')]);
    // Let the last console messages arrive before the page goes away.
    await sleep(300);
    return { code, summary };
  } finally {
    await context.close().catch(() => {});
  }
}

function launchBrowser(profileDir, runDir) {
  return import('playwright-core').then(({ chromium }) =>
    chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      env: runEnv(runDir),
      viewport: { width: 1600, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  );
}

/** Route A: UI checks, each counted; a failed step skips the steps that depend on it (as failed). */
async function routeA(server, folder, runDir) {
  const checks = [];
  const context = await launchBrowser(join(runDir, 'profile-ui'), runDir);
  try {
    const page = context.pages()[0] || (await context.newPage());
    const shot = (name) => page.screenshot({ path: join(runDir, `ui-${name}.png`) }).catch(() => {});
    // The window's console, printed when a step fails (CI keeps only stdout).
    const consoleLines = [];
    page.on('console', (m) => {
      const text = m.text();
      if (verbose || !NOISE.test(text)) consoleLines.push(`${m.type()}: ${text.slice(0, 400)}`);
    });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 30000 });
    log('UI: workbench loaded');
    const steps = [
      ['UI: opening a pcap shows the summary webview with its findings', async () => {
        const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
        // The workbench shows the Explorer before the extension host has registered the installed
        // extensions' contributions. A pcap clicked then opens as a binary text file (the custom
        // editor is not known yet) and stays so: 1 run in 3 here, and it failed CI once. Nothing
        // in the UI says when the contributions are in (our view shows only once active), so:
        // open, and if it is not the summary, close it and open it again.
        const deadline = Date.now() + 45000;
        for (let attempt = 1; ; attempt++) {
          await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'broken-register.pcap' }).click({ timeout: 15000 });
          try {
            await frame.locator('td', { hasText: 'OMA-IM-REG-001' }).waitFor({ timeout: 5000 });
            if (attempt > 1) log(`UI: the summary editor opened at attempt ${attempt}`);
            break;
          } catch (e) {
            if (Date.now() > deadline) throw e;
            await page.keyboard.press('Control+K');
            await page.keyboard.press('W'); // View: Close All Editors in Group
            await page.waitForTimeout(1000);
          }
        }
        await shot('summary');
        return (await frame.locator('h1').innerText()).trim();
      }],
      ['UI: the summary\'s link opens the decoded view with squiggles and Problems rows', async () => {
        const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
        await frame.locator('a', { hasText: 'Show decoded messages' }).click({ timeout: 10000 });
        await page.locator('.editor-instance .view-lines', { hasText: '### frame 1' }).waitFor({ timeout: 15000 });
        await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'attached', timeout: 15000 });
        await page.keyboard.press('Control+Shift+M');
        const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'OMA-IM-REG-001' }).first();
        await row.waitFor({ timeout: 10000 });
        const text = (await row.innerText()).replace(/\s+/g, ' ');
        if (!text.includes('[Ln 11, Col 10]')) throw new Error(`Problems row: ${text}`);
        await shot('decoded');
        return text;
      }],
      ['UI: screenshot of the Problems panel on a capture (docs/images/problems-panel.png)', async () => {
        // The decoded view beside the summary, the Problems panel below with the capture's rows,
        // the SIP Registrations view open in the Explorer with the capture's exchange.
        await page.locator('.markers-panel .monaco-list-row', { hasText: 'OMA-IM-REG-016' }).first().waitFor({ timeout: 10000 });
        const header = page.locator('.pane-header', { hasText: 'SIP Registrations' });
        if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click({ timeout: 10000 });
        await page.locator('.pane-body .monaco-list-row', { hasText: 'initial → 200' }).first().waitFor({ timeout: 10000 });
        await page.locator('.editor-instance .view-lines', { hasText: 'Contact: <sip:alice@192.0.2.10:5060>' }).first().click({ timeout: 10000 });
        await page.mouse.move(0, 0);
        await page.waitForTimeout(500);
        // The committed picture is only replaced on request (it differs a little on every run).
        const update = !existsSync(PROBLEMS_SHOT) || process.env.SIP_EDITOR_UPDATE_SCREENSHOTS === '1';
        const target = update ? PROBLEMS_SHOT : join(runDir, 'problems-panel.png');
        mkdirSync(dirname(target), { recursive: true });
        await page.screenshot({ path: target });
        const bytes = statSync(target).size;
        if (bytes >= MAX_SHOT_BYTES) throw new Error(`${target} is ${(bytes / 1024).toFixed(0)} KiB (limit ${MAX_SHOT_BYTES / 1024} KiB)`);
        return `${(bytes / 1024).toFixed(0)} KiB, ${update ? 'written to docs/images' : 'in the run folder (SIP_EDITOR_UPDATE_SCREENSHOTS=1 replaces docs/images/problems-panel.png)'}`;
      }],
      // The templates panel: quick fix -> panel -> "Open as SIP document", ladder reveal,
      // screenshots, hostile trace text (scripts/editor/templates-ui.mjs).
      ...templatesSteps(page, runDir, shot),
    ];
    let broken = false;
    for (const [name, fn] of steps) {
      if (broken) {
        checks.push({ name, ok: false, detail: 'not run: an earlier UI step failed' });
        continue;
      }
      try {
        checks.push({ name, ok: true, detail: await fn() });
        log(`UI: step ${checks.length} done`);
      } catch (e) {
        broken = true;
        await shot('failure');
        log(`UI: step failed; the window's console (${consoleLines.length} lines):`);
        for (const line of consoleLines.slice(-40)) console.log(`    ${line}`);
        checks.push({ name, ok: false, detail: String(e.message || e).split('\n')[0] });
      }
    }
  } finally {
    await context.close().catch(() => {});
  }
  return checks;
}

async function main() {
  const missing = missingTools();
  if (missing.length) fatal(`editor harness not installed: ${missing.join('; ')}`);

  const buildErrors = buildAll({ log });
  if (buildErrors.length) fatal(`build: ${buildErrors.join('; ')}`);
  const l10n = spawnSync(process.execPath, [join(root, 'scripts', 'editor', 'l10n-bundle.mjs'), '--check'], { encoding: 'utf8' });
  if (l10n.status === 0) {
    harness.passed++;
    log(`PASS ${l10n.stdout.trim()}`);
  } else {
    harness.failed++;
    log(`FAIL ${(l10n.stdout || l10n.stderr).trim()}`);
  }
  const size = statSync(vsixPath).size;
  if (size < MAX_VSIX_BYTES) {
    harness.passed++;
    log(`PASS .vsix is ${(size / 1024).toFixed(0)} KiB (< 1 MiB)`);
  } else {
    harness.failed++;
    log(`FAIL .vsix is ${(size / 1024).toFixed(0)} KiB (limit 1 MiB; see .vscodeignore)`);
  }

  // The summary editor is an "option" editor; the UI checks open it as the pcap default.
  const runDir = makeRunDir('run', 3, { 'workbench.editorAssociations': { '*.pcap': 'sipTraceInspector.captureSummary' } });
  log(`run folder ${runDir}`);
  const inst = installVsix(runDir);
  if (!inst.ok) fatal(`installing the .vsix into code-server failed:\n${inst.output}`);
  log(`installed ${inst.dir.split('/').pop()}`);

  const port = await freePort();
  let server;
  try {
    server = await startCodeServer(runDir, { port, smokeTestDriver: true });
  } catch (e) {
    fatal(e.message);
  }
  log(`code-server pid ${server.pid} on ${server.url}`);
  const folder = join(root, 'src', 'test', 'fixtures');
  let result;
  const ui = [];
  try {
    result = await routeB(
      server,
      inst.dir, // the installed package is what the tests exercise, not the source tree
      join(root, 'out', 'src', 'test', 'suite', 'index.js'),
      folder,
      join(runDir, 'profile'),
      runDir,
    );
    log(`extension host exit code ${result.code}`);
    if (result.code !== 'timeout') ui.push(...(await routeA(server, folder, runDir)));
  } catch (e) {
    result = { code: 'error', error: e };
  } finally {
    await server.stop();
    log(`code-server stopped (pid ${server.pid}); logs in ${runDir}`);
  }
  // Route W: the web build in the browser's web worker extension host (its own code-server).
  ui.push(...(await routeW({ log }).catch((e) => [{ name: 'web: route W', ok: false, detail: String(e.stack || e) }])));
  for (const c of ui) {
    log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.detail ? ` - ${c.detail}` : ''}`);
    if (c.ok) harness.passed++;
    else harness.failed++;
  }
  if (result.error) fatal(`driver: ${result.error.stack || result.error}`);
  if (result.code === 'timeout') fatal(`no result from the extension host within ${timeoutMs} ms (is the suite compiled? see ${server.logFile})`);
  let { passed, failed } = result.summary ?? { passed: 0, failed: 0 };
  if (!result.summary) failed++;
  if (result.code !== 0 && failed === 0) failed = 1;
  const ok = result.code === 0 && harness.failed === 0 && failed === 0;
  finish(passed + harness.passed, failed + harness.failed, ok ? 0 : 1);
}

main().catch((e) => fatal(e.stack || String(e)));
