/**
 * Every checked trace in one shape, for the registrations view and the status bar: open SIP logs
 * (their last check) and captures (their analysis, shown in the decoded view). Each says where
 * its findings and messages are in the document that shows it.
 */
import * as vscode from 'vscode';
import type { ExchangeSummary } from '../core/register/index';
import type { Finding, Problem, Severity } from '../core/types';
import { decodedRange, type DecodedLayout } from './decoded';
import { DECODED_SCHEME, captureUriOf, type CaptureEntry, type CaptureService } from './captures';
import { toRange, type LogDiagnostics, type LogResult } from './logDiagnostics';

export interface TraceFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  messageIndex: number;
  /** In `TraceSummary.target`. */
  range: vscode.Range;
}

export interface TraceSummary {
  /** The log or the capture. */
  uri: vscode.Uri;
  kind: 'log' | 'capture';
  label: string;
  /** The document that shows the trace: the log itself, or the capture's decoded view. */
  target: vscode.Uri;
  exchanges: readonly ExchangeSummary[];
  findings: readonly TraceFinding[];
  problems: readonly Problem[];
  /** Where message `index` starts in `target` (a log: its start line; a capture: its frame heading). */
  messageRange(index: number): vscode.Range | undefined;
}

function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

export class TraceIndex implements vscode.Disposable {
  private readonly logSummaries = new WeakMap<LogResult, TraceSummary>();
  private readonly captureSummaries = new WeakMap<CaptureEntry, TraceSummary>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (at most every 100 ms) when a trace was checked, re-checked or dropped. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly logs: LogDiagnostics,
    private readonly captures: CaptureService,
  ) {
    const fire = () => {
      if (this.timer) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.changed.fire();
      }, 100);
    };
    this.disposables.push(logs.onDidCheck(fire), captures.onDidUpdate(fire));
  }

  all(): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const r of this.logs.allResults()) out.push(this.ofLog(r));
    for (const e of this.captures.allLoaded()) out.push(this.ofCapture(e));
    return out.sort((a, b) => a.label.localeCompare(b.label) || a.uri.toString().localeCompare(b.uri.toString()));
  }

  /** The trace a document shows: a log, or a capture's decoded view. */
  forDocument(uri: vscode.Uri): TraceSummary | undefined {
    if (uri.scheme === DECODED_SCHEME) return this.forCapture(captureUriOf(uri));
    const r = this.logs.resultFor(uri);
    return r && this.ofLog(r);
  }

  forCapture(capture: vscode.Uri): TraceSummary | undefined {
    const e = this.captures.loadedEntry(capture);
    return e && this.ofCapture(e);
  }

  private ofLog(r: LogResult): TraceSummary {
    let s = this.logSummaries.get(r);
    if (!s) {
      const data = r.data;
      s = {
        uri: r.uri,
        kind: 'log',
        label: basename(r.uri),
        target: r.uri,
        exchanges: data.exchanges,
        findings: data.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, messageIndex: f.messageIndex, range: toRange(f.range) })),
        problems: data.problems,
        messageRange: (i) => {
          const m = data.messages[i];
          return m && new vscode.Range(m.startLine, 0, m.startLine, 0);
        },
      };
      this.logSummaries.set(r, s);
    }
    return s;
  }

  private ofCapture(e: CaptureEntry): TraceSummary {
    let s = this.captureSummaries.get(e);
    if (!s) {
      const a = e.analysis;
      // Ranges are placed when a view asks for one: a large capture has ~100k findings, and
      // placing them all here held the extension host for ~100 ms when its analysis came in.
      const findings: TraceFinding[] = [];
      for (const f of a.findings) if (e.layout.blocks.has(f.messageIndex)) findings.push(new CaptureFinding(f, e.layout));
      s = {
        uri: e.capture,
        kind: 'capture',
        label: basename(e.capture),
        target: e.decoded,
        exchanges: a.exchanges,
        findings,
        problems: a.problems,
        messageRange: (i) => {
          const b = e.layout.blocks;
          return b.has(i) ? new vscode.Range(b.headingLine(i), 0, b.headingLine(i), 0) : undefined;
        },
      };
      this.captureSummaries.set(e, s);
    }
    return s;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** Errors, warnings and information of a trace (findings and reading problems). */
export function countBySeverity(t: TraceSummary): Record<Severity, number> {
  const n: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of t.findings) n[f.severity]++;
  for (const p of t.problems) n[p.severity]++;
  return n;
}

/** A capture's finding, placed in its decoded view on first use. */
class CaptureFinding implements TraceFinding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly messageIndex: number;
  private placed: vscode.Range | undefined;

  constructor(
    private readonly finding: Finding,
    private readonly layout: DecodedLayout,
  ) {
    this.ruleId = finding.ruleId;
    this.severity = finding.severity;
    this.message = finding.message;
    this.messageIndex = finding.messageIndex;
  }

  get range(): vscode.Range {
    const f = this.finding;
    // The block exists (checked when made), so the range does too.
    return (this.placed ??= decodedRange(this.layout, f.messageIndex, f.span.start, f.span.end) ?? new vscode.Range(0, 0, 0, 0));
  }
}
