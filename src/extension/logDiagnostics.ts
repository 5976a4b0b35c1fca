/**
 * Diagnostics for SIP text logs open in the editor: on open, on change (debounced) and on save the
 * document's text goes through the core exactly as the CLI reads the file (UTF-8 bytes ->
 * TraceReader -> RegisterChecker); findings land on the exact header or parameter they are about.
 */
import * as vscode from 'vscode';
import { logPosition } from '../core/locate';
import type { MessageLocation, Problem } from '../core/types';
import { analyzeText, type Analysis } from './analysis';
import { affectsSettings, readSettings } from './config';
import { findingToDiagnostic, problemToDiagnostic } from './diagnostics';

export const LOG_LANGUAGE_ID = 'sip-log';
const DEBOUNCE_MS = 300;

export class LogDiagnostics implements vscode.Disposable {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly onDidCheckEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a log's diagnostics were replaced (also when there are none). */
  readonly onDidCheck = this.onDidCheckEmitter.event;

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly log: vscode.LogOutputChannel,
    /** Schemes whose documents are views the extension made itself (never re-checked as logs). */
    private readonly ownSchemes: readonly string[],
  ) {
    const ws = vscode.workspace;
    this.disposables.push(
      ws.onDidOpenTextDocument((d) => this.check(d)),
      ws.onDidSaveTextDocument((d) => this.check(d)),
      ws.onDidChangeTextDocument((e) => this.schedule(e.document)),
      ws.onDidCloseTextDocument((d) => this.forget(d)),
      ws.onDidChangeConfiguration((e) => {
        if (affectsSettings(e)) this.checkAll();
      }),
      this.onDidCheckEmitter,
    );
    this.checkAll();
  }

  private isLog(d: vscode.TextDocument): boolean {
    return d.languageId === LOG_LANGUAGE_ID && !this.ownSchemes.includes(d.uri.scheme);
  }

  checkAll(): void {
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  private schedule(d: vscode.TextDocument): void {
    if (!this.isLog(d)) return;
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.check(d);
      }, DEBOUNCE_MS),
    );
  }

  private forget(d: vscode.TextDocument): void {
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (!this.ownSchemes.includes(d.uri.scheme)) this.collection.delete(d.uri);
  }

  /** Checks one document now; returns the analysis (undefined when it is not a SIP log). */
  check(d: vscode.TextDocument): Analysis | undefined {
    if (d.isClosed) return undefined;
    if (!this.isLog(d)) {
      // A document whose language was switched away from sip-log keeps no stale diagnostics.
      if (!this.ownSchemes.includes(d.uri.scheme) && this.collection.has(d.uri)) this.collection.delete(d.uri);
      return undefined;
    }
    let a: Analysis;
    try {
      a = analyzeText(d.getText(), readSettings(d.uri));
    } catch (e) {
      this.log.error(`checking ${d.uri.toString(true)} failed`, e);
      this.collection.delete(d.uri);
      return undefined;
    }
    this.log.trace(`${d.uri.toString(true)}: ${a.messages.length} messages, ${a.findings.length} findings, ${a.problems.length} problems in ${a.elapsedMs} ms`);
    this.collection.set(d.uri, logDiagnostics(a, d));
    this.onDidCheckEmitter.fire(d.uri);
    return a;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const x of this.disposables) x.dispose();
  }
}

/** Diagnostics of a log's analysis, placed with the log's line map (core/locate.ts). */
export function logDiagnostics(a: Analysis, d: vscode.TextDocument): vscode.Diagnostic[] {
  const rangeOf = (loc: MessageLocation): vscode.Range | undefined => {
    const m = a.messages[loc.messageIndex];
    if (!m) return undefined;
    const s = logPosition(m, loc.span.start);
    const e = logPosition(m, Math.max(loc.span.start, loc.span.end));
    if (!s) return undefined;
    const start = new vscode.Position(s.line - 1, s.column - 1);
    const end = e ? new vscode.Position(e.line - 1, e.column - 1) : start;
    return d.validateRange(new vscode.Range(start, end.isBefore(start) ? start : end));
  };
  const out: vscode.Diagnostic[] = [];
  for (const f of a.findings) {
    const diag = findingToDiagnostic(f, d.uri, rangeOf);
    if (diag) out.push(diag);
  }
  for (const p of a.problems) out.push(problemToDiagnostic(p, problemRange(p, d)));
  return out;
}

/** A reading problem in a log: from its column to the end of its line (line 1 when unknown). */
function problemRange(p: Problem, d: vscode.TextDocument): vscode.Range {
  const line = Math.min(Math.max((p.line ?? 1) - 1, 0), Math.max(d.lineCount - 1, 0));
  const text = d.lineAt(line);
  const col = p.column !== undefined ? Math.min(p.column - 1, text.range.end.character) : text.firstNonWhitespaceCharacterIndex;
  return new vscode.Range(line, col, line, Math.max(col, text.range.end.character));
}
