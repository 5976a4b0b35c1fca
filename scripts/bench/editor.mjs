// The extension's side of the performance issue, measured in a real extension host: code-server
// (Code-OSS 1.139.1, real Node extension host) on loopback, the built .vsix installed, and
// src/test/bench/index.ts run inside the extension host through the smoke-test driver's `payload`
// ("route B" of docs real-editor-testing.md §5). It measures:
//   activation   activate() of the extension, cold (first activation in the window), and the
//                extension's own activateHost() time (ExtensionApi.activationMs)
//   summary      vscode.openWith(capture, 'sipTraceInspector.captureSummary') until the first
//                diagnostics of the capture are in the extension host, and until the analysis is in
//   command      sipTraceInspector.checkCapture(capture) (the Explorer context menu) until the first
//                diagnostics, the command's result and the decoded view being visible
//   event loop   the longest lag of a 10 ms timer on the extension host's thread during each, and
//                the stalls over 50 ms (with what the extension's worker was doing then)
//   .vsix        its size
// Prints a table and writes bench-data/editor-results.json (--out). code-server is stopped by its
// PID whatever happens.
//
//   node scripts/bench/editor.mjs [--file bench-data/capture-200m.pcapng] [--runs N]
//        [--scenarios summary,command] [--timeout SEC] [--settle MS] [--no-build] [--out FILE]
//        [--verbose] [--cpu-profile] [--activation-delay MS]
//   --cpu-profile: a CPU profile of the extension host's thread per scenario, in the run folder, and
//        the functions that ran during each stall
//   --scenarios none: only the activation, for quick iterations on its cost
//   --activation-delay: wait that long after the extension host starts before activating (still
//        cold), so that the extension host's round trips to a workbench still loading weigh less;
//        default 0 (activated at once)
// Also: node scripts/bench/run.mjs --editor [same options].
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  root, chromiumPath, vsixPath, missingTools, buildAll, makeRunDir, runEnv, installVsix, freePort, startCodeServer,
} from '../editor/lib.mjs';

const TARGETS = { firstDiagnosticsMs: 2000, maxLagMs: 50, activationMs: 50, vsixBytes: 1024 * 1024 };

function parseArgs(argv) {
  const o = {
    file: join(root, 'bench-data', 'capture-200m.pcapng'),
    runs: 1,
    scenarios: 'summary,command',
    timeoutSec: 900,
    settleMs: 3000,
    build: true,
    out: join(root, 'bench-data', 'editor-results.json'),
    verbose: false,
    cpuProfile: false,
    activationDelayMs: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--file') o.file = resolve(argv[++i]);
    else if (a === '--runs') o.runs = Math.max(1, Number(argv[++i]));
    else if (a === '--scenarios') o.scenarios = argv[++i];
    else if (a === '--timeout') o.timeoutSec = Number(argv[++i]);
    else if (a === '--settle') o.settleMs = Number(argv[++i]);
    else if (a === '--activation-delay') o.activationDelayMs = Number(argv[++i]);
    else if (a === '--no-build') o.build = false;
    else if (a === '--out') o.out = resolve(argv[++i]);
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--cpu-profile') o.cpuProfile = true;
    else if (a === '--editor') continue; // passed on by run.mjs
    else if (a === '-h' || a === '--help') {
      const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
      console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const t0 = Date.now();
const log = (msg) => console.log(`[bench-editor ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

/** One fresh code-server with the bench run in its extension host; returns the host's JSON. */
async function oneRun(opts, runIndex) {
  const runDir = makeRunDir('bench', 2);
  log(`run ${runIndex + 1}: folder ${runDir}`);
  const inst = installVsix(runDir);
  if (!inst.ok) throw new Error(`installing the .vsix failed:\n${inst.output}`);
  // The workspace holds only the capture (a link), so the Explorer shows what a user would open.
  const ws = join(runDir, 'ws');
  mkdirSync(ws, { recursive: true });
  const capture = join(ws, basename(opts.file));
  symlinkSync(opts.file, capture);
  // The capture is above the default sipTraceInspector.maxFileSizeMB (the summary editor would
  // wait for "Check Anyway"): the workspace raises the limit, as a user with big captures does.
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'sipTraceInspector.maxFileSizeMB': 4096 }, null, 2));
  const outFile = join(runDir, 'bench-result.json');
  const port = await freePort();
  const server = await startCodeServer(runDir, {
    port,
    smokeTestDriver: true,
    env: {
      SIP_BENCH_FILE: capture,
      SIP_BENCH_OUT: outFile,
      SIP_BENCH_SCENARIOS: opts.scenarios,
      SIP_BENCH_TIMEOUT_MS: String(opts.timeoutSec * 1000),
      SIP_BENCH_SETTLE_MS: String(opts.settleMs),
      SIP_BENCH_ACTIVATION_DELAY_MS: String(opts.activationDelayMs),
      ...(opts.cpuProfile ? { SIP_BENCH_CPU_PROFILE: join(runDir, 'profiles') } : {}),
    },
  });
  log(`code-server pid ${server.pid} on ${server.url}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  let code;
  const load = loadavg()[0];
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
    const remote = (p) => `vscode-remote://${new URL(server.url).host}${p}`;
    let done;
    const exited = new Promise((r) => (done = r));
    await page.exposeFunction('codeAutomationExit', (c) => done(c));
    page.on('console', async (m) => {
      let args;
      try { args = await Promise.all(m.args().map((a) => a.jsonValue())); } catch { args = [m.text()]; }
      const text = (format(...args).replace(/%c/g, '').replace(/color: #?[\w]+;?/g, '').trim() || m.text()).replace(/^(INFO|ERR|WARN)\s?/, '');
      if (opts.verbose || (/^bench:|sip-trace-inspector|SIP Trace Inspector|Error|heap/i.test(text) && !/authentication provider 'github'/.test(text))) console.log(`  ${text.slice(0, 2000)}`);
    });
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(inst.dir)],
      ['extensionTestsPath', remote(join(root, 'out', 'src', 'test', 'bench', 'index.js'))],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
    log('workbench opened; the benchmark runs in the extension host');
    const overallMs = opts.timeoutSec * 1000 * (opts.scenarios.split(',').length + 1) + 120000;
    code = await Promise.race([exited, sleep(overallMs).then(() => 'timeout')]);
    await sleep(300);
  } finally {
    await context?.close().catch(() => {});
    await server.stop();
    log(`code-server stopped (pid ${server.pid}); exit code from the host: ${code}`);
  }
  const result = existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')) : { error: `no result file (exit code ${code})` };
  result.exitCode = code;
  result.loadAverage1m = load;
  result.runDir = relative(root, runDir);
  result.extensionLog = extensionLog(runDir);
  return result;
}

/** The extension's own log channel ("SIP Trace Inspector"), from the run's logs folder. */
function extensionLog(runDir) {
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.includes('SIP Trace Inspector')) found.push(p);
    }
  };
  try { walk(join(runDir, 'data', 'logs')); } catch { /* no logs */ }
  return found.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean)).slice(0, 50);
}

const f0 = (x) => (x === undefined || x === null ? '–' : String(Math.round(x)));
const mark = (ok) => (ok ? 'met' : 'NOT met');

function table(results, vsixBytes) {
  const rows = [['run', 'what', 'first diagnostics', 'complete', 'decoded view visible', 'max event-loop lag', 'stalls > 50 ms', 'GC pauses: total / longest', 'peak RSS of the host', 'outcome']];
  results.forEach((r, i) => {
    const act = r.activation;
    if (act) rows.push([String(i + 1), `activation (cold: ${!act.wasActiveBefore})`, '', `activate() ${act.activateCallMs} ms; activateHost ${act.activateHostMs ?? '–'} ms${act.activateEnteredMs !== undefined ? ` (bundle evaluated at +${act.bundleEvaluatedMs}, activate() at +${act.activateEnteredMs}..${act.activateLeftMs} ms)` : ''}`, '', `${act.maxLagMs} ms`, '', '', '', 'ok']);
    for (const s of r.scenarios ?? []) {
      rows.push([
        String(i + 1),
        s.scenario,
        `${f0(s.firstDiagnosticsMs)} ms (${s.diagnostics})`,
        `${f0(s.completeMs)} ms`,
        s.visibleMs !== undefined ? `${f0(s.visibleMs)} ms` : '–',
        `${s.eventLoop.maxLagMs} ms`,
        String(s.eventLoop.stallsOver50),
        s.eventLoop.gc ? `${s.eventLoop.gc.totalMs} / ${s.eventLoop.gc.maxMs} ms` : '–',
        `${f0(s.memory?.after?.peakRssMB)} MB`,
        s.outcome,
      ]);
    }
    if (r.error) rows.push([String(i + 1), 'run', '', '', '', '', '', '', '', r.error]);
  });
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ');
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push(`.vsix: ${(vsixBytes / 1024).toFixed(0)} KiB (${vsixPath.replace(`${root}/`, '')})`);
  return out.join('\n');
}

function verdict(results, vsixBytes) {
  const scen = results.flatMap((r) => r.scenarios ?? []);
  const worst = (f) => Math.max(...scen.map(f).filter((x) => x !== undefined));
  const acts = results.map((r) => r.activation?.activateCallMs).filter((x) => x !== undefined);
  // Ours: until the bundle was evaluated, plus activate() itself; the rest is the extension host's
  // (mostly its round trips to the workbench for the context's storage, before activate() is called).
  const own = results.map((r) => r.activation).filter((a) => a?.activateEnteredMs !== undefined)
    .map((a) => Math.round((a.bundleEvaluatedMs + a.activateLeftMs - a.activateEnteredMs) * 10) / 10);
  const firstDiag = scen.length && scen.every((s) => s.firstDiagnosticsMs !== undefined) ? worst((s) => s.firstDiagnosticsMs) : undefined;
  const lag = scen.length ? worst((s) => s.eventLoop.maxLagMs) : undefined;
  return [
    `first diagnostics within ${TARGETS.firstDiagnosticsMs} ms: ${firstDiag === undefined ? 'NOT met (none in some run)' : `${mark(firstDiag <= TARGETS.firstDiagnosticsMs)} (worst ${Math.round(firstDiag)} ms)`}`,
    `event loop never blocked > ${TARGETS.maxLagMs} ms: ${lag === undefined ? '–' : `${mark(lag <= TARGETS.maxLagMs)} (worst ${lag} ms)`}`,
    `activation under ${TARGETS.activationMs} ms: ${acts.length ? `${mark(Math.max(...acts) < TARGETS.activationMs)} (activate() ${acts.join(', ')} ms${own.length ? `; the extension's own part: ${own.join(', ')} ms` : ''})` : '–'}`,
    `.vsix under 1 MiB: ${mark(vsixBytes < TARGETS.vsixBytes)} (${vsixBytes} bytes)`,
  ];
}

export async function main(argv = process.argv.slice(2)) {
  const opts = parseArgs(argv);
  if (!existsSync(opts.file)) throw new Error(`${opts.file} is missing (npm run bench builds the inputs)`);
  const missing = missingTools();
  if (missing.length) throw new Error(`editor harness not installed: ${missing.join('; ')}`);
  if (opts.build) {
    const errors = buildAll({ log });
    if (errors.length) throw new Error(`build: ${errors.join('; ')}`);
  }
  const testsJs = join(root, 'out', 'src', 'test', 'bench', 'index.js');
  if (!existsSync(testsJs)) throw new Error(`${testsJs} is missing (npx tsc -p src/test)`);
  if (!existsSync(vsixPath)) throw new Error(`${vsixPath} is missing (npm run package)`);
  const vsixBytes = statSync(vsixPath).size;
  log(`capture ${relative(root, opts.file)} (${(statSync(opts.file).size / 1e6).toFixed(1)} MB); .vsix ${(vsixBytes / 1024).toFixed(0)} KiB`);
  const results = [];
  for (let i = 0; i < opts.runs; i++) {
    try {
      results.push(await oneRun(opts, i));
    } catch (e) {
      results.push({ error: String(e.stack || e) });
      log(`run ${i + 1} failed: ${e.stack || e}`);
    }
  }
  const distBytes = Object.fromEntries(['extension.js', 'worker.js'].map((f) => [f, existsSync(join(root, 'dist', f)) ? statSync(join(root, 'dist', f)).size : undefined]));
  const summary = {
    date: new Date().toISOString(),
    file: relative(root, opts.file),
    fileBytes: statSync(opts.file).size,
    targets: TARGETS,
    vsixBytes,
    distBytes,
    verdict: verdict(results, vsixBytes),
    runs: results,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(summary, null, 2));
  console.log(`\n${table(results, vsixBytes)}\n`);
  for (const v of summary.verdict) console.log(v);
  const errors = results.flatMap((r, i) => (r.extensionLog ?? []).filter((l) => /\[error\]/.test(l)).map((l) => `run ${i + 1}: ${l}`));
  if (errors.length) console.log(`the extension's log reported:\n${errors.map((l) => `  ${l.slice(0, 400)}`).join('\n')}`);
  console.log(`results: ${relative(root, opts.out)}`);
  // The run folders are kept for their logs; makeRunDir keeps the newest two.
  return results.every((r) => r.exitCode === 0) ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (e) => {
    console.error(e.stack || String(e));
    process.exit(2);
  });
}
