/**
 * Captures (pcap, pcapng): read through `workspace.fs` (works in virtual workspaces), analysed off
 * the main thread, rendered as a decoded text view (`sip-trace:` scheme) on which the capture's
 * diagnostics are published. One analysis per capture, shared by the summary editor, the decoded
 * view and the command; dropped when the last view of the capture closes.
 */
import * as vscode from 'vscode';
import { formatProblemLocation } from '../core/present';
import type { Problem } from '../core/types';
import type { Analysis } from './analysis';
import { affectsSettings, readSettings } from './config';
import { decodedRange, renderDecoded, type DecodedLayout } from './decoded';
import { findingToDiagnostic, problemToDiagnostic } from './diagnostics';
import type { Analyzer } from './workerProtocol';

export const DECODED_SCHEME = 'sip-trace';

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
  /** Open views (summary editors + decoded documents) per capture. */
  private readonly views = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.updated];

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly analyze: Analyzer,
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
      p = this.load(capture);
      this.entries.set(key, p);
      p.catch(() => {
        if (this.entries.get(key) === p) this.entries.delete(key);
      });
      if (force) void p.then((e) => this.changed.fire(e.decoded), () => undefined);
    }
    return p;
  }

  private async load(capture: vscode.Uri): Promise<CaptureEntry> {
    const started = Date.now();
    const bytes = await vscode.workspace.fs.readFile(capture);
    const analysis = await this.analyze(bytes, readSettings(capture));
    const layout = renderDecoded(analysis, baseName(capture));
    const decoded = decodedUriFor(capture);
    this.collection.set(decoded, captureDiagnostics(analysis, layout, decoded));
    const entry: CaptureEntry = { capture, decoded, analysis, layout };
    if (this.entries.has(capture.toString())) {
      this.loaded.set(capture.toString(), entry);
      this.updated.fire(capture);
    }
    this.log.info(
      `${capture.toString(true)}: ${analysis.format}, ${analysis.messages.length} SIP messages, ` +
        `${analysis.exchanges.length} REGISTER exchanges, ${analysis.findings.length} findings, ` +
        `${analysis.problems.length} problems (core ${analysis.elapsedMs} ms, total ${Date.now() - started} ms)`,
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
    return (await this.get(captureUriOf(uri))).layout.text;
  }

  retain(capture: vscode.Uri): void {
    const key = capture.toString();
    this.views.set(key, (this.views.get(key) ?? 0) + 1);
  }

  /** When the last view of a capture closes, its analysis and diagnostics go. */
  release(capture: vscode.Uri): void {
    const key = capture.toString();
    const n = (this.views.get(key) ?? 0) - 1;
    if (n > 0) {
      this.views.set(key, n);
      return;
    }
    this.views.delete(key);
    this.entries.delete(key);
    this.collection.delete(decodedUriFor(capture));
    if (this.loaded.delete(key)) this.updated.fire(capture);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Diagnostics of a capture, placed in its decoded view. */
export function captureDiagnostics(a: Analysis, layout: DecodedLayout, decoded: vscode.Uri): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  const rangeOf = (loc: { messageIndex: number; span: { start: number; end: number } }) =>
    decodedRange(layout, loc.messageIndex, loc.span.start, loc.span.end);
  for (const f of a.findings) {
    const d = findingToDiagnostic(f, decoded, rangeOf);
    if (d) out.push(d);
  }
  for (const p of a.problems) {
    out.push(problemToDiagnostic(p, problemRange(p, layout), `${p.message} (${formatProblemLocation(p)})`));
  }
  return out;
}

/**
 * A reading problem of a capture: on the heading of the message its frame completes when there is
 * one, else on the first line (which names the file); the message says the frame and offset.
 */
function problemRange(p: Problem, layout: DecodedLayout): vscode.Range {
  const line = (p.frame !== undefined ? layout.headingLineOfFrame.get(p.frame) : undefined) ?? 0;
  return new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER);
}
