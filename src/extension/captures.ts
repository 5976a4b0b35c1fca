/**
 * Captures (pcap, pcapng): read through `workspace.fs` (works in virtual workspaces), analysed off
 * the main thread, rendered as a decoded text view (`sip-trace:` scheme) on which the capture's
 * diagnostics are published. One analysis per capture, shared by the summary editor, the decoded
 * view and the command; dropped when the last view of the capture closes.
 */
import * as vscode from 'vscode';
import { formatProblemLocation } from '../core/present';
import type { Finding, Problem } from '../core/types';
import { AnalysisBuilder, type Analysis, type CaptureEnd } from './analysis';
import { affectsSettings, readSettings } from './config';
import { DecodedRenderer, decodedRange, type DecodedLayout } from './decoded';
import { findingToDiagnostic, problemToDiagnostic } from './diagnostics';
import { CancelledError, type CaptureFileStreamer, type CaptureStreamer, type CaptureStreamOptions } from './workerProtocol';
import { DECODED_SCHEME } from './ids';

export { DECODED_SCHEME };

/**
 * Diagnostics published per decoded view at most: VS Code shows no more than 1000 per file
 * (`_maxDiagnosticsPerFile`), so converting more is wasted work. The first line of the decoded
 * view states how many findings there are in all.
 */
export const MAX_CAPTURE_DIAGNOSTICS = 1000;
/** Diagnostics of a capture being read are published at most this often. */
const PUBLISH_MS = 250;

/** How captures are analysed: in parts, from their bytes or (a worker that reads files) their path. */
export interface CaptureAnalyzers {
  streamCapture: CaptureStreamer;
  streamCaptureFile?: CaptureFileStreamer;
}

/** `sip-trace:/path/call.pcap.sip?<capture uri>`: the name ends in .sip so it opens as a SIP log. */
export function decodedUriFor(capture: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: DECODED_SCHEME, path: `${capture.path}.sip`, query: capture.toString() });
}

export function captureUriOf(decoded: vscode.Uri): vscode.Uri {
  return vscode.Uri.parse(decoded.query, true);
}

export interface CaptureEntry {
  capture: vscode.Uri;
  decoded: vscode.Uri;
  analysis: Analysis;
  layout: DecodedLayout;
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

export class CaptureService implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly entries = new Map<string, Promise<CaptureEntry>>();
  /** Entries whose analysis is done, for the registrations view and the status bar. */
  private readonly loaded = new Map<string, CaptureEntry>();
  private readonly updated = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with the capture's URI when its analysis arrives or is dropped. */
  readonly onDidUpdate = this.updated.event;
  /** The cancellation of each capture's load in flight (its worker stops when cancelled). */
  private readonly inFlight = new Map<string, vscode.CancellationTokenSource>();
  private readonly progress = new vscode.EventEmitter<{ capture: vscode.Uri; done: number; total: number }>();
  /** Bytes read of a capture being loaded (for progress indicators). */
  readonly onDidProgress = this.progress.event;
  /** Open views (summary editors + decoded documents) per capture. */
  private readonly views = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.updated, this.progress];

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly analyzers: CaptureAnalyzers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (d.uri.scheme === DECODED_SCHEME) this.retain(captureUriOf(d.uri));
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === DECODED_SCHEME) this.release(captureUriOf(d.uri));
      }),
      // A rule switched off (or any other setting) applies to the captures already checked.
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!affectsSettings(e)) return;
        for (const entry of this.loaded.values()) void this.get(entry.capture, true).catch(() => undefined);
      }),
    );
    for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === DECODED_SCHEME) this.retain(captureUriOf(d.uri));
  }

  /** The analysis of a capture, computed once; `force` re-reads the file (it may have changed). */
  get(capture: vscode.Uri, force = false): Promise<CaptureEntry> {
    const key = capture.toString();
    let p = this.entries.get(key);
    if (!p || force) {
      const cancel = new vscode.CancellationTokenSource();
      this.inFlight.set(key, cancel);
      const loading: Promise<CaptureEntry> = this.load(capture, () => this.entries.get(key) === loading, cancel.token).finally(() => {
        if (this.inFlight.get(key) === cancel) this.inFlight.delete(key);
        cancel.dispose();
      });
      p = loading;
      this.entries.set(key, p);
      p.catch(() => {
        if (this.entries.get(key) === p) this.entries.delete(key);
      });
      if (force) void p.then((e) => this.changed.fire(e.decoded), () => undefined);
    }
    return p;
  }

  /**
   * Reads and analyses a capture, building the analysis and the decoded view as the worker's parts
   * arrive and publishing the diagnostics found so far while it reads (`live`: this load is still
   * the capture's current one).
   */
  private async load(capture: vscode.Uri, live: () => boolean, token: vscode.CancellationToken): Promise<CaptureEntry> {
    const started = Date.now();
    const settings = readSettings(capture);
    const decoded = decodedUriFor(capture);
    const builder = new AnalysisBuilder();
    const renderer = new DecodedRenderer(baseName(capture));
    const diagnostics = new CappedDiagnostics(decoded, renderer);
    let published = 0;
    let parts = 0;
    let firstDiagnosticsMs: number | undefined;
    const opts: CaptureStreamOptions = {
      token,
      onProgress: (done, total) => this.progress.fire({ capture, done, total }),
      onPart: (part) => {
        parts++;
        renderer.add(part.messages);
        builder.add(part);
        for (const f of part.findings) diagnostics.addFinding(f);
        if (diagnostics.changed && Date.now() - published >= PUBLISH_MS && live()) {
          this.collection.set(decoded, diagnostics.take());
          published = Date.now();
          firstDiagnosticsMs ??= published - started;
        }
      },
    };
    let end: CaptureEnd | undefined;
    const path = capture.scheme === 'file' && this.analyzers.streamCaptureFile ? capture.fsPath : undefined;
    if (path) {
      try {
        end = await this.analyzers.streamCaptureFile!(path, settings, opts);
      } catch (e) {
        // Nothing arrived: the worker could not read the file; read it here instead.
        if (e instanceof CancelledError || parts > 0) throw e;
        this.log.warn(`${capture.toString(true)}: the worker could not read the file (${e instanceof Error ? e.message : String(e)}); sending the bytes`);
      }
    }
    end ??= await this.analyzers.streamCapture(await vscode.workspace.fs.readFile(capture), settings, opts);
    // The end's work in separate tasks (sorting ~100k findings, the final diagnostics, the views
    // that read the entry), so none of them holds the event loop long.
    const analysis = builder.finish(end);
    await nextTask();
    const layout = renderer.finish({ messages: analysis.messages.length, exchanges: analysis.exchanges.length, findings: analysis.findings.length, problems: analysis.problems.length });
    await nextTask();
    const final = captureDiagnostics(analysis, layout, decoded);
    await nextTask();
    if (live()) this.collection.set(decoded, final);
    await nextTask();
    const entry: CaptureEntry = { capture, decoded, analysis, layout };
    if (live()) {
      this.loaded.set(capture.toString(), entry);
      this.updated.fire(capture);
    }
    this.log.info(
      `${capture.toString(true)}: ${analysis.format}, ${analysis.messages.length} SIP messages, ` +
        `${analysis.exchanges.length} REGISTER exchanges, ${analysis.findings.length} findings, ` +
        `${analysis.problems.length} problems (core ${analysis.elapsedMs} ms, total ${Date.now() - started} ms, ` +
        `${parts} parts${path ? ' read by the worker' : ''}, first diagnostics ${firstDiagnosticsMs ?? '-'} ms)`,
    );
    return entry;
  }

  /** The finished analysis of a capture, if there is one. */
  loadedEntry(capture: vscode.Uri): CaptureEntry | undefined {
    return this.loaded.get(capture.toString());
  }

  allLoaded(): CaptureEntry[] {
    return [...this.loaded.values()];
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    // In slices, a macrotask apart: I/O and other extensions get the thread in between.
    return (await this.get(captureUriOf(uri))).layout.textInSlices(() => new Promise((resolve) => setTimeout(resolve, 0)));
  }

  retain(capture: vscode.Uri): void {
    const key = capture.toString();
    this.views.set(key, (this.views.get(key) ?? 0) + 1);
  }

  /**
   * Stops reading a capture (its worker is terminated; whoever waits for it gets a
   * CancelledError). True when a read was in flight.
   */
  cancel(capture: vscode.Uri): boolean {
    const key = capture.toString();
    const inFlight = this.inFlight.get(key);
    if (!inFlight) return false;
    this.inFlight.delete(key);
    this.cancelledReads.push(key);
    if (this.cancelledReads.length > 32) this.cancelledReads.shift();
    this.entries.delete(key);
    this.collection.delete(decodedUriFor(capture));
    inFlight.cancel();
    this.log.info(`${capture.toString(true)}: reading cancelled`);
    return true;
  }

  /** The last cancelled reads (capture URIs) and the reads in flight (read by the in-editor tests). */
  private readonly cancelledReads: string[] = [];
  reads(): { inFlight: string[]; cancelled: string[] } {
    return { inFlight: [...this.inFlight.keys()], cancelled: this.cancelledReads.slice() };
  }

  /** When the last view of a capture closes, its analysis and diagnostics go (a read in flight stops). */
  release(capture: vscode.Uri): void {
    const key = capture.toString();
    const n = (this.views.get(key) ?? 0) - 1;
    if (n > 0) {
      this.views.set(key, n);
      return;
    }
    this.views.delete(key);
    this.cancel(capture);
    this.entries.delete(key);
    this.collection.delete(decodedUriFor(capture));
    if (this.loaded.delete(key)) this.updated.fire(capture);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Lets the extension host's other work run. `setImmediate` where there is one (Node): it runs
 * after the event loop's I/O phase, so the renderer's requests get in between two steps; a chain
 * of `setTimeout(0)` runs in one timers phase and holds I/O as one long task would.
 */
function nextTask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * The diagnostics of a capture being read: at most MAX_CAPTURE_DIAGNOSTICS, errors first (as VS
 * Code keeps them when there are too many), converted only when kept.
 */
class CappedDiagnostics {
  private readonly errors: vscode.Diagnostic[] = [];
  private readonly others: vscode.Diagnostic[] = [];
  /** Something was added since the last `take`. */
  changed = false;
  private readonly rangeOf: (loc: { messageIndex: number; span: { start: number; end: number } }) => vscode.Range | undefined;

  constructor(
    private readonly decoded: vscode.Uri,
    layout: Pick<DecodedLayout, 'blocks'>,
  ) {
    this.rangeOf = (loc) => decodedRange(layout, loc.messageIndex, loc.span.start, loc.span.end);
  }

  addFinding(f: Finding): void {
    const error = f.severity === 'error';
    if (error ? this.errors.length >= MAX_CAPTURE_DIAGNOSTICS : this.errors.length + this.others.length >= MAX_CAPTURE_DIAGNOSTICS) return;
    const d = findingToDiagnostic(f, this.decoded, this.rangeOf);
    if (!d) return;
    (error ? this.errors : this.others).push(d);
    if (this.errors.length + this.others.length > MAX_CAPTURE_DIAGNOSTICS) this.others.pop();
    this.changed = true;
  }

  take(): vscode.Diagnostic[] {
    this.changed = false;
    return this.errors.concat(this.others);
  }
}

/**
 * Diagnostics of a capture, placed in its decoded view: at most MAX_CAPTURE_DIAGNOSTICS, the
 * errors first, each group in the order of the findings, then of the reading problems.
 */
export function captureDiagnostics(a: Analysis, layout: DecodedLayout, decoded: vscode.Uri): vscode.Diagnostic[] {
  const errors: vscode.Diagnostic[] = [];
  const others: vscode.Diagnostic[] = [];
  const full = () => errors.length >= MAX_CAPTURE_DIAGNOSTICS;
  const rangeOf = (loc: { messageIndex: number; span: { start: number; end: number } }) =>
    decodedRange(layout, loc.messageIndex, loc.span.start, loc.span.end);
  const problem = (p: Problem) => problemToDiagnostic(p, problemRange(p, layout), `${p.message} (${formatProblemLocation(p)})`);
  for (const f of a.findings) {
    if (f.severity !== 'error' || full()) continue;
    const d = findingToDiagnostic(f, decoded, rangeOf);
    if (d) errors.push(d);
  }
  for (const p of a.problems) if (p.severity === 'error' && !full()) errors.push(problem(p));
  const room = () => errors.length + others.length < MAX_CAPTURE_DIAGNOSTICS;
  for (const f of a.findings) {
    if (f.severity === 'error' || !room()) continue;
    const d = findingToDiagnostic(f, decoded, rangeOf);
    if (d) others.push(d);
  }
  for (const p of a.problems) if (p.severity !== 'error' && room()) others.push(problem(p));
  return errors.concat(others);
}

/**
 * A reading problem of a capture: on the heading of the message its frame completes when there is
 * one, else on the first line (which names the file); the message says the frame and offset.
 */
function problemRange(p: Problem, layout: DecodedLayout): vscode.Range {
  const line = (p.frame !== undefined ? layout.headingLineOfFrame.get(p.frame) : undefined) ?? 0;
  return new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER);
}
