/**
 * Diagnostics for SIP text logs open in the editor: on open, on change (debounced) and on save the
 * document's text goes through the core exactly as the CLI reads the file (UTF-8 bytes ->
 * TraceReader -> RegisterChecker); findings land on the exact header or parameter they are about.
 *
 * Small logs are checked in place (a few milliseconds) and keep their parsed messages for quick
 * fixes. Larger ones go to the analysis worker with a progress indicator (a cancellable
 * notification for the really large ones), so the extension host never blocks; logs above
 * `sipTraceInspector.maxFileSizeMB` are only checked when the user says so.
 */
import * as vscode from 'vscode';
import { ruleDocUrl } from '../core/rules/index';
import type { Problem } from '../core/types';
import { analyzeText, locateLog, type Analysis, type LineRange, type LocatedFinding, type LogCheckData } from './analysis';
import { COMMANDS } from './commands';
import { CONFIG_SECTION, EDITOR_SETTINGS, affectsSettings, maxLogChars, readSettings } from './config';
import { DIAGNOSTIC_SOURCE, problemToDiagnostic, toSeverity } from './diagnostics';
import { CancelledError, type LogChecker, type LogFileChecker } from './workerProtocol';
import { LOG_LANGUAGE_ID } from './ids';

export { LOG_LANGUAGE_ID };
const DEBOUNCE_MS = 300;
/** Larger edited logs are re-checked less eagerly (each check is a worker run). */
const WORKER_DEBOUNCE_MS = 1000;
/** Logs up to this many characters are checked in place (well under 100 ms). */
export const IN_PROCESS_MAX_CHARS = 256 * 1024;
/** From this size on the progress is a cancellable notification, below it a status bar spinner. */
const NOTIFY_PROGRESS_CHARS = 4 * 1024 * 1024;
/** Diagnostics made per slice when a worker result is turned into diagnostics. */
const DIAGNOSTIC_SLICE = 1000;

/** The last check of a log. */
export interface LogResult {
  uri: vscode.Uri;
  /** Document version the result was computed from. */
  version: number;
  data: LogCheckData;
  /** The parsed messages: only for logs checked in place (worker results carry none). */
  full?: Analysis;
  /** How it was checked: in place, by the worker reading the saved file, by the worker from the editor's text. */
  via: CheckedVia;
}

export type CheckedVia = 'in-place' | 'worker-file' | 'worker-text';

/** Why a log open in the editor has no result. */
export type LogState = 'checked' | 'running' | 'too-large' | 'cancelled';

export function toRange(r: LineRange): vscode.Range {
  return new vscode.Range(r[0], r[1], r[2], r[3]);
}

function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

function docLength(d: vscode.TextDocument): number {
  return d.lineCount === 0 ? 0 : d.offsetAt(d.lineAt(d.lineCount - 1).range.end);
}

const yieldToHost = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * The path the worker can read the log from, when the file on disk is what the editor shows: a
 * saved `file:` document in UTF-8 (the default encoding, not guessed). Else the text is sent.
 */
function readableAsFile(d: vscode.TextDocument): string | undefined {
  if (d.uri.scheme !== 'file' || d.isDirty) return undefined;
  const files = vscode.workspace.getConfiguration('files', d.uri);
  const encoding = files.get<string>('encoding', 'utf8');
  if ((encoding !== 'utf8' && encoding !== 'utf8bom') || files.get<boolean>('autoGuessEncoding', false)) return undefined;
  return d.uri.fsPath;
}

/** Lines read and encoded per task when a log goes to the worker. */
const ENCODE_LINES = 20000;

/**
 * The document's text as UTF-8 chunks, a few thousand lines per task with the event loop free
 * in between: one getText() of a 20 MB log is one 20 MB string (and a long garbage collection
 * later), and the chunks go to the worker without a copy. Undefined when the document changed or
 * the token fired meanwhile (a newer check follows).
 */
async function encodeDocument(d: vscode.TextDocument, token: vscode.CancellationToken): Promise<Uint8Array[] | undefined> {
  const version = d.version;
  const eol = d.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (let first = 0; first < d.lineCount; first += ENCODE_LINES) {
    const last = Math.min(d.lineCount, first + ENCODE_LINES) - 1;
    let text = d.getText(new vscode.Range(first, 0, last, d.lineAt(last).text.length));
    if (last < d.lineCount - 1) text += eol;
    chunks.push(encoder.encode(text));
    await yieldToHost();
    if (token.isCancellationRequested || d.isClosed || d.version !== version) return undefined;
  }
  return chunks;
}

export class LogDiagnostics implements vscode.Disposable {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly onDidCheckEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a log's result changed: checked (also with no findings), skipped or forgotten. */
  readonly onDidCheck = this.onDidCheckEmitter.event;
  private readonly results = new Map<string, LogResult>();
  private readonly states = new Map<string, LogState>();
  /** Large logs the user asked to check anyway (until closed). */
  private readonly allowed = new Set<string>();
  private readonly warned = new Set<string>();
  private readonly running = new Map<string, vscode.CancellationTokenSource>();

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly log: vscode.LogOutputChannel,
    private readonly analyzers: { checkLog: LogChecker; checkLogFile?: LogFileChecker },
    /** Schemes whose documents are views the extension made itself (never re-checked as logs). */
    private readonly ownSchemes: readonly string[],
  ) {
    const ws = vscode.workspace;
    this.disposables.push(
      ws.onDidOpenTextDocument((d) => void this.check(d)),
      ws.onDidSaveTextDocument((d) => void this.check(d)),
      ws.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document);
      }),
      ws.onDidCloseTextDocument((d) => this.forget(d)),
      ws.onDidChangeConfiguration((e) => {
        if (affectsSettings(e)) this.checkAll();
      }),
      this.onDidCheckEmitter,
    );
    this.checkAll();
  }

  isLog(d: vscode.TextDocument): boolean {
    return d.languageId === LOG_LANGUAGE_ID && !this.ownSchemes.includes(d.uri.scheme);
  }

  resultFor(uri: vscode.Uri): LogResult | undefined {
    return this.results.get(uri.toString());
  }

  stateOf(uri: vscode.Uri): LogState | undefined {
    return this.states.get(uri.toString());
  }

  /** Every log with a result, for the registrations view. */
  allResults(): LogResult[] {
    return [...this.results.values()];
  }

  /**
   * The result for the document's current text: a small log edited since its last check (the
   * debounce has not fired yet) is checked now, in place; a large one keeps its last result, which
   * is returned only while it still matches the text.
   */
  currentResult(d: vscode.TextDocument): LogResult | undefined {
    const r = this.results.get(d.uri.toString());
    if (r && r.version === d.version) return r;
    if (!this.isLog(d) || docLength(d) > Math.min(IN_PROCESS_MAX_CHARS, maxLogChars(d.uri))) return undefined;
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    return this.checkInPlace(d);
  }

  /** Cancels a running worker check of `uri` (what the progress notification's Cancel does). */
  cancel(uri: vscode.Uri): boolean {
    const cts = this.running.get(uri.toString());
    cts?.cancel();
    return !!cts;
  }

  checkAll(): void {
    for (const d of vscode.workspace.textDocuments) void this.check(d);
  }

  private schedule(d: vscode.TextDocument): void {
    if (!this.isLog(d)) return;
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    const delay = docLength(d) > IN_PROCESS_MAX_CHARS ? WORKER_DEBOUNCE_MS : DEBOUNCE_MS;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.check(d);
      }, delay),
    );
  }

  private forget(d: vscode.TextDocument): void {
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.running.get(key)?.cancel();
    this.allowed.delete(key);
    this.warned.delete(key);
    const had = this.results.delete(key) || this.states.delete(key);
    this.states.delete(key);
    if (!this.ownSchemes.includes(d.uri.scheme)) this.collection.delete(d.uri);
    if (had) this.onDidCheckEmitter.fire(d.uri);
  }

  private clear(uri: vscode.Uri, state?: LogState): void {
    const key = uri.toString();
    this.results.delete(key);
    if (state) this.states.set(key, state);
    else this.states.delete(key);
    this.collection.delete(uri);
    this.onDidCheckEmitter.fire(uri);
  }

  /**
   * Checks one document now (in place or in the worker, by size); resolves to its result, or
   * undefined when it is not a SIP log, is too large and not `force`d, or the check was cancelled.
   * `force` also lets a log above `maxFileSizeMB` through (the "Check Anyway" answer).
   */
  async check(d: vscode.TextDocument, opts: { force?: boolean } = {}): Promise<LogResult | undefined> {
    if (d.isClosed) return undefined;
    const key = d.uri.toString();
    if (!this.isLog(d)) {
      // A document whose language was switched away from sip-log keeps no stale diagnostics.
      if (!this.ownSchemes.includes(d.uri.scheme) && (this.collection.has(d.uri) || this.results.has(key))) this.clear(d.uri);
      return undefined;
    }
    if (opts.force) this.allowed.add(key);
    const chars = docLength(d);
    if (chars > maxLogChars(d.uri) && !this.allowed.has(key)) {
      this.running.get(key)?.cancel();
      this.clear(d.uri, 'too-large');
      this.warnTooLarge(d, chars);
      return undefined;
    }
    if (chars <= IN_PROCESS_MAX_CHARS) return this.checkInPlace(d);
    return this.checkInWorker(d, chars);
  }

  private checkInPlace(d: vscode.TextDocument): LogResult | undefined {
    const key = d.uri.toString();
    this.running.get(key)?.cancel();
    let full: Analysis;
    try {
      full = analyzeText(d.getText(), readSettings(d.uri));
    } catch (e) {
      this.log.error(`checking ${d.uri.toString(true)} failed`, e);
      this.clear(d.uri);
      return undefined;
    }
    const data = locateLog(full);
    this.log.trace(`${d.uri.toString(true)}: ${full.messages.length} messages, ${full.findings.length} findings, ${full.problems.length} problems in ${full.elapsedMs} ms`);
    const result: LogResult = { uri: d.uri, version: d.version, data, full, via: 'in-place' };
    this.publish(d, result, diagnosticsOf(data, d, 0, data.findings.length));
    return result;
  }

  private async checkInWorker(d: vscode.TextDocument, chars: number): Promise<LogResult | undefined> {
    const key = d.uri.toString();
    this.running.get(key)?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.running.set(key, cts);
    this.states.set(key, 'running');
    this.onDidCheckEmitter.fire(d.uri);
    const version = d.version;
    const name = basename(d.uri);
    const started = Date.now();
    let textMs = 0;
    let sentText = false;
    const work = async (progress: vscode.Progress<{ message?: string; increment?: number }>, token?: vscode.CancellationToken) => {
      const sub = token?.onCancellationRequested(() => cts.cancel());
      let reported = 0;
      const onProgress = (done: number, total: number) => {
        const pct = Math.floor((100 * done) / Math.max(1, total));
        if (pct <= reported) return;
        progress.report({ increment: pct - reported, message: `${pct}%` });
        reported = pct;
      };
      try {
        const settings = readSettings(d.uri);
        const file = this.analyzers.checkLogFile && readableAsFile(d);
        if (file) {
          try {
            return await this.analyzers.checkLogFile!(file, settings, { token: cts.token, onProgress });
          } catch (e) {
            if (e instanceof CancelledError) throw e;
            this.log.warn(`${d.uri.toString(true)}: the worker could not read the file (${e instanceof Error ? e.message : String(e)}); sending the text`);
          }
        }
        const t0 = Date.now();
        const chunks = await encodeDocument(d, cts.token);
        textMs = Date.now() - t0;
        sentText = true;
        if (!chunks) throw new CancelledError();
        return await this.analyzers.checkLog(chunks, settings, { token: cts.token, onProgress });
      } finally {
        sub?.dispose();
      }
    };
    const title = vscode.l10n.t('Checking {0} ({1} MB)', name, (chars / 1048576).toFixed(1));
    this.log.info(`${d.uri.toString(true)}: checking ${chars} characters in the analysis worker`);
    try {
      const data =
        chars > NOTIFY_PROGRESS_CHARS
          ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, work)
          : await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, (p) => work(p));
      if (this.running.get(key) !== cts || d.isClosed) return undefined; // superseded by a newer check
      const received = Date.now();
      const result: LogResult = { uri: d.uri, version, data, via: sentText ? 'worker-text' : 'worker-file' };
      const diags: vscode.Diagnostic[] = [];
      for (let i = 0; i < data.findings.length; i += DIAGNOSTIC_SLICE) {
        for (const x of diagnosticsOf(data, d, i, Math.min(data.findings.length, i + DIAGNOSTIC_SLICE), false)) diags.push(x);
        await yieldToHost();
        if (this.running.get(key) !== cts || d.isClosed) return undefined;
      }
      for (const x of problemDiagnostics(data.problems, d)) diags.push(x);
      const built = Date.now();
      this.publish(d, result, diags);
      this.log.info(
        `${d.uri.toString(true)}: ${data.messages.length} SIP messages, ${data.exchanges.length} REGISTER exchanges, ` +
          `${data.findings.length} findings, ${data.problems.length} problems (worker ${data.elapsedMs} ms, total ${Date.now() - started} ms; ` +
          `on the host: ${sentText ? `encoding ${textMs} ms in slices` : 'file read by the worker'}, diagnostics ${built - received} ms in slices, publishing ${Date.now() - built} ms)`,
      );
      return result;
    } catch (e) {
      if (this.running.get(key) !== cts) return undefined;
      // Edited while being read: the edit's own (debounced) check follows.
      if (e instanceof CancelledError && !cts.token.isCancellationRequested && d.version !== version) return undefined;
      if (e instanceof CancelledError) {
        this.log.info(`${d.uri.toString(true)}: check cancelled`);
        this.clear(d.uri, 'cancelled');
      } else {
        this.log.error(`checking ${d.uri.toString(true)} failed`, e);
        this.clear(d.uri);
        void vscode.window.showErrorMessage(vscode.l10n.t('Cannot check {0}: {1}', name, e instanceof Error ? e.message : String(e)));
      }
      return undefined;
    } finally {
      if (this.running.get(key) === cts) this.running.delete(key);
      cts.dispose();
    }
  }

  private publish(d: vscode.TextDocument, result: LogResult, diags: vscode.Diagnostic[]): void {
    const key = d.uri.toString();
    this.results.set(key, result);
    this.states.set(key, 'checked');
    this.collection.set(d.uri, diags);
    this.onDidCheckEmitter.fire(d.uri);
  }

  private warnTooLarge(d: vscode.TextDocument, chars: number): void {
    const key = d.uri.toString();
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const checkAnyway = vscode.l10n.t('Check Anyway');
    const changeLimit = vscode.l10n.t('Change Limit');
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t(
          '{0} is {1} MB, above the {2} MB set in "{3}": it is not checked automatically. Checking it runs in the background.',
          basename(d.uri),
          (chars / 1048576).toFixed(1),
          (maxLogChars(d.uri) / 1048576).toFixed(0),
          `${CONFIG_SECTION}.${EDITOR_SETTINGS.maxFileSizeMB}`,
        ),
        checkAnyway,
        changeLimit,
      )
      .then((answer) => {
        if (answer === checkAnyway) void vscode.commands.executeCommand(COMMANDS.checkLog, d.uri);
        else if (answer === changeLimit) void vscode.commands.executeCommand('workbench.action.openSettings', `${CONFIG_SECTION}.${EDITOR_SETTINGS.maxFileSizeMB}`);
      });
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const c of this.running.values()) c.cancel();
    for (const x of this.disposables) x.dispose();
  }
}

/** A located finding as a diagnostic: rule id with its page in `code`, related messages. */
export function locatedToDiagnostic(f: LocatedFinding, d: vscode.TextDocument): vscode.Diagnostic {
  const diag = new vscode.Diagnostic(d.validateRange(toRange(f.range)), f.message, toSeverity(f.severity));
  diag.source = DIAGNOSTIC_SOURCE;
  diag.code = { value: f.ruleId, target: vscode.Uri.parse(ruleDocUrl(f.ruleId)) };
  if (f.related?.length) {
    diag.relatedInformation = f.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(d.uri, d.validateRange(toRange(r.range))), r.message));
  }
  return diag;
}

function diagnosticsOf(data: LogCheckData, d: vscode.TextDocument, from: number, to: number, withProblems = true): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  for (let i = from; i < to; i++) out.push(locatedToDiagnostic(data.findings[i], d));
  if (withProblems) for (const p of problemDiagnostics(data.problems, d)) out.push(p);
  return out;
}

function problemDiagnostics(problems: readonly Problem[], d: vscode.TextDocument): vscode.Diagnostic[] {
  return problems.map((p) => problemToDiagnostic(p, problemRange(p, d)));
}

/** A reading problem in a log: from its column to the end of its line (line 1 when unknown). */
function problemRange(p: Problem, d: vscode.TextDocument): vscode.Range {
  const line = Math.min(Math.max((p.line ?? 1) - 1, 0), Math.max(d.lineCount - 1, 0));
  const text = d.lineAt(line);
  const col = p.column !== undefined ? Math.min(p.column - 1, text.range.end.character) : text.firstNonWhitespaceCharacterIndex;
  return new vscode.Range(line, col, line, Math.max(col, text.range.end.character));
}
