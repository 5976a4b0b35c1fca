/**
 * The in-editor benchmark (scripts/bench/editor.mjs): run inside a real extension host by the same
 * route as the in-editor suite (`extensionTestsPath` → `run()`), but it measures instead of
 * asserting. What the performance issue asks of the extension:
 *
 * - activation: `activate()` of our extension, cold (the first activation in the window), timed
 *   from here, and the extension's own `activateHost` time (ExtensionApi.activationMs);
 * - opening a large capture: time from the user's action until the first diagnostics of the capture
 *   are in the extension host (`languages.getDiagnostics` on its decoded URI) and until the
 *   analysis is complete, for the two ways a user opens one: the summary editor
 *   (`vscode.openWith`, "Reopen Editor With…") and "SIP: Check registrations in capture" (the
 *   Explorer context menu; it also opens the decoded view);
 * - the extension host's event loop meanwhile: a 10 ms timer's lag (longest, stalls over 50 ms with
 *   their time) and `perf_hooks.monitorEventLoopDelay`.
 *
 * To tell where the time goes, the worker threads the extension starts are observed (not changed):
 * `worker_threads.Worker` is replaced by a subclass for the run that timestamps spawning, the
 * host's posts and the worker's replies (the deserialisation of a reply happens on the host's
 * thread just before its 'message' event). Settings come from the environment of code-server,
 * which the extension host inherits: SIP_BENCH_FILE (the capture), SIP_BENCH_OUT (JSON written
 * here), SIP_BENCH_SCENARIOS (default "summary,command"), SIP_BENCH_TIMEOUT_MS (per scenario,
 * default 900000; "none": only the activation), SIP_BENCH_SETTLE_MS (sampling after completion, default 3000),
 * SIP_BENCH_ACTIVATION_DELAY_MS (wait before the cold activation, default 0).
 */
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import { constants as perfConstants, monitorEventLoopDelay, performance, PerformanceObserver } from 'perf_hooks';
import * as vscode from 'vscode';

const EXTENSION_ID = 'sip-trace-inspector.sip-trace-inspector';
const SUMMARY_VIEW_TYPE = 'sipTraceInspector.captureSummary';
const CHECK_CAPTURE = 'sipTraceInspector.checkCapture';
const TICK_MS = 10;
const STALL_MS = 50;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const workerThreads = require('worker_threads') as typeof import('worker_threads');

const t0 = performance.now();
const now = () => Math.round((performance.now() - t0) * 10) / 10;

interface Mark {
  t: number;
  what: string;
  /** How long the host's own handling of it took (synchronous part), ms. */
  ms?: number;
  /** Time since the lag sampler last ran: for a worker reply, about its deserialisation plus queued work. */
  sinceTickMs?: number;
}

interface Stall {
  /** When the timer finally ran (ms since the benchmark started) and how late it was. */
  at: number;
  lagMs: number;
  /** Garbage-collection pauses of this thread inside the stall, ms (filled in by `stop`). */
  gcMs?: number;
}

/** A garbage-collection pause of this thread (perf_hooks 'gc' entries: the whole process's V8 heap of this isolate). */
interface GcPause {
  /** Start, ms since the benchmark started. */
  at: number;
  ms: number;
  kind: string;
}

function gcKind(e: { detail?: unknown; kind?: number }): string {
  const k = (e.detail as { kind?: number } | undefined)?.kind ?? e.kind;
  switch (k) {
    case perfConstants.NODE_PERFORMANCE_GC_MAJOR: return 'major';
    case perfConstants.NODE_PERFORMANCE_GC_MINOR: return 'minor';
    case perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL: return 'incremental';
    case perfConstants.NODE_PERFORMANCE_GC_WEAKCB: return 'weakcb';
    default: return String(k);
  }
}

/** Lag of a 10 ms interval timer on this thread (the extension host's), and what it saw meanwhile. */
class LagSampler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private expected = 0;
  lastTick = 0;
  maxLagMs = 0;
  ticks = 0;
  readonly stalls: Stall[] = [];
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  /** GC pauses while sampling: tells a stall caused by the heap from one caused by code. */
  private readonly gc: GcPause[] = [];
  private gcObserver: PerformanceObserver | undefined;
  /** Called on every tick (for polling cheap conditions). */
  onTick: (() => void) | undefined;

  start(): void {
    this.histogram.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.gc.push({ at: Math.round((e.startTime - t0) * 10) / 10, ms: Math.round(e.duration * 10) / 10, kind: gcKind(e as never) });
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.expected = performance.now() + TICK_MS;
    this.lastTick = performance.now();
    this.timer = setInterval(() => {
      const t = performance.now();
      const lag = t - this.expected;
      this.ticks++;
      if (lag > this.maxLagMs) this.maxLagMs = lag;
      if (lag > STALL_MS) this.stalls.push({ at: now(), lagMs: Math.round(lag) });
      this.expected = t + TICK_MS;
      this.lastTick = t;
      this.onTick?.();
    }, TICK_MS);
  }

  stop(): {
    maxLagMs: number;
    stallsOver50: number;
    stalls: Stall[];
    ticks: number;
    histogramMaxMs: number;
    histogramP99Ms: number;
    gc: { pauses: number; totalMs: number; maxMs: number; over20ms: number; byKind: Record<string, { count: number; ms: number }> };
  } {
    if (this.timer) clearInterval(this.timer);
    this.histogram.disable();
    this.gcObserver?.disconnect();
    const byKind: Record<string, { count: number; ms: number }> = {};
    for (const g of this.gc) {
      const k = (byKind[g.kind] ??= { count: 0, ms: 0 });
      k.count++;
      k.ms = Math.round((k.ms + g.ms) * 10) / 10;
    }
    // The GC time inside each stall: [at - lag - one tick, at].
    for (const st of this.stalls) {
      const from = st.at - st.lagMs - TICK_MS;
      let ms = 0;
      for (const g of this.gc) ms += Math.max(0, Math.min(st.at, g.at + g.ms) - Math.max(from, g.at));
      st.gcMs = Math.round(ms);
    }
    return {
      gc: {
        pauses: this.gc.length,
        totalMs: Math.round(this.gc.reduce((n, g) => n + g.ms, 0)),
        maxMs: Math.round(this.gc.reduce((n, g) => Math.max(n, g.ms), 0)),
        over20ms: this.gc.filter((g) => g.ms > 20).length,
        byKind,
      },
      maxLagMs: Math.round(this.maxLagMs),
      stallsOver50: this.stalls.length,
      stalls: this.stalls,
      ticks: this.ticks,
      histogramMaxMs: Math.round(this.histogram.max / 1e6),
      histogramP99Ms: Math.round(this.histogram.percentile(99) / 1e6),
    };
  }
}

/** What the benchmark reads of the extension's API (src/extension/host.ts ExtensionApi). */
interface BenchExtensionApi {
  activationMs?: number;
  activationTimeline?: { bundleEvaluatedAt: number; activateStartedAt: number; activateEndedAt: number };
  captureSummaryState?(uri: vscode.Uri): string | undefined;
}
let extensionApi: BenchExtensionApi | undefined;

let marks: Mark[] = [];
let sampler: LagSampler | undefined;
const noParts = () => ({ count: 0, messages: 0, findings: 0, problems: 0, exchanges: 0 });
let workerEvents = { spawned: 0, errors: [] as string[], exits: [] as number[], analysis: undefined as Record<string, unknown> | undefined, parts: noParts() };

function mark(what: string, extra: Partial<Mark> = {}): void {
  marks.push({ t: now(), what, ...extra });
}

/** Observes the extension's worker threads (the bundle looks `Worker` up on the module at each use). */
function instrumentWorkers(): () => void {
  const Original = workerThreads.Worker;
  class ObservedWorker extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      const started = performance.now();
      super(...args);
      workerEvents.spawned++;
      mark('worker started', { ms: round(performance.now() - started) });
      this.on('error', (e) => {
        workerEvents.errors.push(String(e?.stack ?? e));
        mark(`worker error: ${String(e?.message ?? e).slice(0, 200)}`);
      });
      this.on('exit', (code) => {
        workerEvents.exits.push(code);
        mark(`worker exit ${code}`);
      });
    }

    override postMessage(value: unknown, transfer?: readonly (ArrayBuffer | import('worker_threads').MessagePort)[]): void {
      const started = performance.now();
      super.postMessage(value, transfer as never);
      const kind = (value as { kind?: string })?.kind ?? '?';
      if (kind !== 'ack') mark(`host posts '${kind}'${transfer?.length ? ` (${transfer.length} buffer(s) transferred)` : ''}`, { ms: round(performance.now() - started) });
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'message') return super.emit(event, ...args);
      const arrived = performance.now();
      const sinceTickMs = sampler ? round(arrived - sampler.lastTick) : undefined;
      const reply = args[0] as { type?: string; analysis?: Record<string, unknown[] | unknown>; done?: number; total?: number };
      const r = super.emit(event, ...args);
      const ms = round(performance.now() - arrived);
      if (reply?.type === 'progress') {
        // Only the slow ones: progress arrives every 100 ms.
        if (sinceTickMs !== undefined && sinceTickMs > STALL_MS) mark(`reply 'progress' ${reply.done}/${reply.total}`, { ms, sinceTickMs });
        return r;
      }
      if (reply?.type === 'capture-part') {
        // A streamed part: count what it carries; mark the first one and the slow ones.
        const part = reply as unknown as { messages?: unknown[]; findings?: unknown[]; problems?: unknown[]; exchanges?: unknown[] };
        const p = workerEvents.parts;
        p.count++;
        p.messages += part.messages?.length ?? 0;
        p.findings += part.findings?.length ?? 0;
        p.problems += part.problems?.length ?? 0;
        p.exchanges += part.exchanges?.length ?? 0;
        if (p.count === 1 || ms > STALL_MS || (sinceTickMs !== undefined && sinceTickMs > STALL_MS)) {
          mark(`reply 'capture-part' #${p.count} (${part.messages?.length ?? 0} messages, ${part.findings?.length ?? 0} findings)`, { ms, sinceTickMs });
        }
        return r;
      }
      if (reply?.type === 'analysis' && reply.analysis) {
        const a = reply.analysis;
        const len = (k: string) => (Array.isArray(a[k]) ? (a[k] as unknown[]).length : undefined);
        const p = workerEvents.parts;
        // Streamed captures: the parts carried messages, findings and problems; the end the rest.
        workerEvents.analysis = {
          format: a.format,
          bytes: a.bytes,
          coreElapsedMs: a.elapsedMs,
          parts: p.count,
          messages: len('messages') ?? p.messages,
          exchanges: (len('exchanges') ?? 0) + p.exchanges,
          findings: len('findings') ?? p.findings,
          problems: len('problems') ?? p.problems,
        };
        mark(`reply 'analysis' (core ${String(a.elapsedMs)} ms in the worker)`, { ms, sinceTickMs });
        // The host's continuation (render the decoded view, diagnostics, summary HTML) runs in the
        // microtasks after this event; the next macrotask starts when it is done.
        setTimeout(() => mark('first macrotask after the analysis reply'), 0);
        return r;
      }
      if (reply?.type === 'error') workerEvents.errors.push(`worker replied with an error: ${String((reply as { error?: unknown }).error).slice(0, 2000)}`);
      mark(`reply '${reply?.type ?? '?'}'`, { ms, sinceTickMs });
      return r;
    }
  }
  (workerThreads as { Worker: unknown }).Worker = ObservedWorker;
  return () => {
    (workerThreads as { Worker: unknown }).Worker = Original;
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function memory(): { rssMB: number; heapUsedMB: number; peakRssMB?: number } {
  const m = process.memoryUsage();
  let peak: number | undefined;
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) peak = Math.round(Number(hwm[1]) / 1024);
  } catch {
    // not Linux
  }
  return { rssMB: Math.round(m.rss / 2 ** 20), heapUsedMB: Math.round(m.heapUsed / 2 ** 20), peakRssMB: peak };
}

/** Resets the process's peak RSS (VmHWM) so each scenario reports its own (Linux; harmless elsewhere). */
function resetPeakRss(): void {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not permitted or not Linux
  }
}

function decodedUriFor(capture: vscode.Uri): vscode.Uri {
  // The extension's own scheme (src/extension/captures.ts decodedUriFor).
  return vscode.Uri.from({ scheme: 'sip-trace', path: `${capture.path}.sip`, query: capture.toString() });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

interface Scenario {
  name: string;
  description: string;
  /** Starts what the user does; resolves when that action's promise settles (not awaited for the timings). */
  act(capture: vscode.Uri): Thenable<unknown>;
  /** Completion: the summary is complete when the analysis reply has been handled; the command when it resolves. */
  completeOnCommand: boolean;
  /** After completion, wait until this holds (e.g. the decoded view is visible). */
  visible?(decoded: vscode.Uri): boolean;
}

const SCENARIOS: Record<string, Scenario> = {
  summary: {
    name: 'summary',
    description: `vscode.openWith(capture, '${SUMMARY_VIEW_TYPE}') (Reopen Editor With… → summary)`,
    act: (capture) => vscode.commands.executeCommand('vscode.openWith', capture, SUMMARY_VIEW_TYPE),
    completeOnCommand: false,
  },
  command: {
    name: 'command',
    description: `${CHECK_CAPTURE}(capture) (Explorer context menu: checks and opens the decoded view)`,
    act: (capture) => vscode.commands.executeCommand(CHECK_CAPTURE, capture),
    completeOnCommand: true,
    visible: (decoded) => vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === decoded.toString()),
  },
};

/** A CPU profile of this thread (the extension host's), through the inspector (SIP_BENCH_CPU_PROFILE). */
class HostProfiler {
  private readonly session = new inspector.Session();
  private post(method: string, params?: object): Promise<unknown> {
    return new Promise((resolve, reject) => this.session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));
  }
  async start(): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.post('Profiler.start');
    this.startedAt = performance.now();
  }
  /** performance.now() when the profile started (its clock is V8's: only differences match). */
  startedAt = 0;
  async stop(): Promise<CpuProfile> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: CpuProfile };
    this.session.disconnect();
    return profile;
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Where a stall's time went: self time per function (with its file) in the profile's samples
 * between `from` and `to` (performance.now() ms, which the profile's µs clock shares).
 */
function stallFunctions(p: CpuProfile, startedAt: number, from: number, to: number, top = 6): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const ms = startedAt + t / 1000; // µs since the profile started → performance.now() ms
    if (ms < from || ms > to) continue;
    const n = byId.get(p.samples[i]);
    if (!n) continue;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url) : ''}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + p.timeDeltas[i] / 1000);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, ms]) => `${k} ${ms.toFixed(1)} ms`)
    .join('; ');
}

async function runScenario(s: Scenario, capture: vscode.Uri, timeoutMs: number, settleMs: number): Promise<Record<string, unknown>> {
  marks = [];
  workerEvents = { spawned: 0, errors: [], exits: [], analysis: undefined, parts: noParts() };
  const decoded = decodedUriFor(capture);
  resetPeakRss();
  const profileDir = process.env.SIP_BENCH_CPU_PROFILE;
  const profiler = profileDir ? new HostProfiler() : undefined;
  await profiler?.start();
  const memBefore = memory();
  const lag = new LagSampler();
  sampler = lag;
  /** When the user action started (ms since the benchmark started); set below. */
  let started = Number.POSITIVE_INFINITY;
  let firstDiagnosticsMs: number | undefined;
  let diagnosticsCount = 0;
  let diagnosticsEventMs: number | undefined;
  const sub = vscode.languages.onDidChangeDiagnostics((e) => {
    if (diagnosticsEventMs === undefined && e.uris.some((u) => u.toString() === decoded.toString())) diagnosticsEventMs = now() - started;
  });
  lag.onTick = () => {
    if (firstDiagnosticsMs !== undefined) return;
    const ds = vscode.languages.getDiagnostics(decoded);
    if (ds.length) {
      firstDiagnosticsMs = now() - started;
      diagnosticsCount = ds.length;
      mark(`first diagnostics seen (${ds.length})`);
    }
  };
  lag.start();
  await sleep(200); // a baseline of the idle host
  started = now();
  mark(`${s.name}: user action`);
  let commandMs: number | undefined;
  let commandResult: unknown;
  let commandError: string | undefined;
  const action = Promise.resolve(s.act(capture)).then(
    (r) => {
      commandMs = now() - started;
      commandResult = r;
      mark(`${s.name}: action's promise resolved`);
    },
    (e) => {
      commandMs = now() - started;
      commandError = String(e?.stack ?? e);
      mark(`${s.name}: action's promise rejected`);
    },
  );
  void action;
  const deadline = performance.now() + timeoutMs;
  let outcome = 'timeout';
  let completeMs: number | undefined;
  for (;;) {
    if (performance.now() > deadline) break;
    // A worker that failed (out of memory, say) or answered with an error: the check is over.
    if (workerEvents.errors.length > 0) {
      await Promise.race([action, sleep(5000)]);
      outcome = 'failed';
      break;
    }
    if (s.completeOnCommand) {
      if (commandMs !== undefined) {
        outcome = commandError ? 'failed' : commandResult === undefined ? 'failed (the command returned nothing: see the log)' : 'ok';
        completeMs = commandMs;
        break;
      }
    } else if (extensionApi?.captureSummaryState) {
      // The summary editor says when it shows the summary (the analysis, decoded view and
      // diagnostics are all done then).
      const state = extensionApi.captureSummaryState(capture);
      if (state === 'summary' || state === 'failed' || state === 'too-large') {
        outcome = state === 'summary' ? 'ok' : `failed (summary editor: ${state})`;
        completeMs = now() - started;
        mark(`${s.name}: summary editor state '${state}'`);
        break;
      }
    } else if (workerEvents.analysis && marks.some((m) => m.what === 'first macrotask after the analysis reply')) {
      outcome = 'ok';
      completeMs = marks.find((m) => m.what === 'first macrotask after the analysis reply')!.t - started;
      break;
    } else if (commandError) {
      outcome = 'failed';
      break;
    }
    await sleep(50);
  }
  let visibleMs: number | undefined;
  // The command does not open a decoded view above VS Code's 50 MB limit (it says so instead).
  const shown = (commandResult as { shown?: boolean } | undefined)?.shown !== false;
  if (outcome === 'ok' && s.visible && shown) {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until && !s.visible(decoded)) await sleep(20);
    if (s.visible(decoded)) {
      visibleMs = now() - started;
      mark(`${s.name}: decoded view visible`);
    }
  }
  // Keep sampling a moment: what the host does after completion (views, status bar, documents).
  await sleep(settleMs);
  const lagResult = lag.stop();
  const profile = await profiler?.stop();
  if (profile && profileDir) {
    fs.mkdirSync(profileDir, { recursive: true });
    fs.writeFileSync(path.join(profileDir, `${s.name}.cpuprofile`), JSON.stringify(profile));
    // Stalls are in ms since t0; the profile's clock is performance.now() in µs.
    for (const st of lagResult.stalls) (st as Stall & { functions?: string }).functions = stallFunctions(profile, profiler!.startedAt, t0 + st.at - st.lagMs - TICK_MS, t0 + st.at);
  }
  sampler = undefined;
  sub.dispose();
  const memAfter = memory();
  const decodedDoc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === decoded.toString());
  const result = {
    scenario: s.name,
    description: s.description,
    outcome,
    startedAtMs: started,
    firstDiagnosticsMs: firstDiagnosticsMs !== undefined ? round(firstDiagnosticsMs) : undefined,
    diagnosticsEventMs: diagnosticsEventMs !== undefined ? round(diagnosticsEventMs) : undefined,
    diagnostics: diagnosticsCount,
    completeMs: completeMs !== undefined ? round(completeMs) : undefined,
    commandMs: commandMs !== undefined ? round(commandMs) : undefined,
    visibleMs: visibleMs !== undefined ? round(visibleMs) : undefined,
    commandResult,
    commandError,
    decodedDocument: decodedDoc ? { lines: decodedDoc.lineCount, chars: decodedDoc.getText().length } : undefined,
    workers: { spawned: workerEvents.spawned, errors: workerEvents.errors, exits: workerEvents.exits },
    analysis: workerEvents.analysis,
    eventLoop: lagResult,
    memory: { before: memBefore, after: memAfter },
    marks: marks.map((m) => ({ ...m, t: round(m.t - started) })),
  };
  console.log(`bench: ${s.name}: ${outcome}; first diagnostics ${result.firstDiagnosticsMs ?? '–'} ms, complete ${result.completeMs ?? '–'} ms, max lag ${lagResult.maxLagMs} ms, ${lagResult.stallsOver50} stalls > ${STALL_MS} ms`);
  for (const m of result.marks) console.log(`bench:   ${String(m.t).padStart(9)} ms  ${m.what}${m.ms !== undefined ? ` [${m.ms} ms]` : ''}${m.sinceTickMs !== undefined ? ` [since last tick ${m.sinceTickMs} ms]` : ''}`);
  console.log(`bench:   GC pauses: ${JSON.stringify(lagResult.gc)}`);
  for (const st of lagResult.stalls) {
    const fns = (st as Stall & { functions?: string }).functions;
    console.log(`bench:   stall ending at ${round(st.at - started)} ms: ${st.lagMs} ms (GC ${st.gcMs} ms of it)${fns ? `: ${fns}` : ''}`);
  }
  return result;
}

export async function run(): Promise<void> {
  const file = process.env.SIP_BENCH_FILE;
  const out = process.env.SIP_BENCH_OUT;
  if (!file || !out) throw new Error('SIP_BENCH_FILE and SIP_BENCH_OUT must be set (scripts/bench/editor.mjs sets them)');
  const timeoutMs = Number(process.env.SIP_BENCH_TIMEOUT_MS || 900000);
  const settleMs = Number(process.env.SIP_BENCH_SETTLE_MS || 3000);
  // "none": only the activation (quick iterations on the activation's cost).
  const names = (process.env.SIP_BENCH_SCENARIOS || 'summary,command').split(',').filter((n) => n && n !== 'none');
  const capture = vscode.Uri.file(file);
  const results: Record<string, unknown> = {
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    remoteName: vscode.env.remoteName,
    extensionHostPid: process.pid,
    node: process.version,
    file,
    fileBytes: fs.statSync(file).size,
    scenarios: [] as unknown[],
  };
  const write = () => fs.writeFileSync(out, JSON.stringify(results, null, 2));
  const restore = instrumentWorkers();
  try {
    // Activation, cold: nothing of ours has run in this window yet (no capture or log is open).
    const activationDelayMs = Number(process.env.SIP_BENCH_ACTIVATION_DELAY_MS || 0);
    if (activationDelayMs > 0) await sleep(activationDelayMs);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
    const wasActive = ext.isActive;
    const lag = new LagSampler();
    lag.start();
    const a0 = performance.now();
    const api = (await ext.activate()) as BenchExtensionApi | undefined;
    extensionApi = api;
    const activateMs = performance.now() - a0;
    await sleep(500);
    const activationLag = lag.stop();
    results.activation = {
      wasActiveBefore: wasActive,
      delayMs: activationDelayMs,
      activateCallMs: round(activateMs),
      activateHostMs: api?.activationMs !== undefined ? round(api.activationMs) : undefined,
      // ms after the activate() call: our bundle evaluated, our activate() entered and left (the
      // rest of activateCallMs is the extension host's: its loading, the context's storage, IPC).
      ...(api?.activationTimeline
        ? {
            bundleEvaluatedMs: round(api.activationTimeline.bundleEvaluatedAt - a0),
            activateEnteredMs: round(api.activationTimeline.activateStartedAt - a0),
            activateLeftMs: round(api.activationTimeline.activateEndedAt - a0),
          }
        : {}),
      maxLagMs: activationLag.maxLagMs,
    };
    console.log(`bench: activation: ${JSON.stringify(results.activation)}`);
    write();
    await closeAll();
    for (const name of names) {
      const s = SCENARIOS[name];
      if (!s) throw new Error(`unknown scenario ${name} (known: ${Object.keys(SCENARIOS).join(', ')})`);
      (results.scenarios as unknown[]).push(await runScenario(s, capture, timeoutMs, settleMs));
      write();
      await closeAll();
      // Let the closed views release the capture and the garbage go.
      await sleep(2000);
    }
  } finally {
    restore();
    write();
  }
  console.log('bench: done');
}
