/**
 * Activation shared by every host: the language, the diagnostics of SIP logs, captures (summary
 * editor, decoded view, command), quick fixes, hovers, the registrations view, the status bar
 * item and the REGISTER templates. The host-specific entries (extension.ts, webExtension.ts) only
 * say where the analysis runs (a worker thread, a Web Worker) and hand over the templates module.
 * In the Node extension host this module is loaded on first use (activation.ts registers stand-ins
 * at startup and hands a `Registrar` that plugs these features into them).
 */
import * as vscode from 'vscode';
import type { Settings } from '../core/settings';
import type { TraceMessage } from '../core/types';
import type { Analysis } from './analysis';
import { CAPTURE_EDITOR_VIEW_TYPE, CaptureEditorProvider, type CaptureSummaryState } from './captureEditor';
import { CaptureService, DECODED_SCHEME, captureUriOf, decodedUriFor, type CaptureEntry } from './captures';
import { SipCodeActions, messageIndexAt, registerRuleCommands, ruleDocumentationUri } from './codeActions';
import { COMMANDS, type CheckCaptureResult, type CheckLogResult } from './commands';
import { readSettings } from './config';
import { SipHover } from './hover';
import { LOG_LANGUAGE_ID, LogDiagnostics, type LogState } from './logDiagnostics';
import { REGISTRATIONS_VIEW_ID, RegistrationsProvider, revealInTrace } from './registrationsView';
import { TraceStatusBar } from './statusBar';
import { TraceIndex } from './traces';
import { CAPTURE_EDITOR_OPTIONS } from './ids';
import { directRegistrar, type Registrar } from './registrar';
import { CancelledError, type Analyzer, type CaptureFileStreamer, type CaptureStreamer, type LogChecker, type LogFileChecker } from './workerProtocol';
import type { TemplatesApi, TemplatesDeps } from './templates/index';

export type { Analyzer, LogChecker };

/** Where the analyses run (a worker thread, a Web Worker, or in place). */
export interface Analyzers {
  analyzeCapture: Analyzer;
  /** Captures, analysed in parts (the decoded view and its diagnostics are built as they come). */
  streamCapture: CaptureStreamer;
  /** A worker that reads a capture file itself (Node hosts). */
  streamCaptureFile?: CaptureFileStreamer;
  checkLog: LogChecker;
  /** A worker that reads a saved log itself (Node hosts). */
  checkLogFile?: LogFileChecker;
}

/** The templates part of the extension (templates/index.ts), handed over by the entry point. */
export interface TemplatesModule {
  registerTemplates(context: vscode.ExtensionContext, deps: TemplatesDeps): TemplatesApi;
  /** The command that opens the templates panel (argument: a flow reference). */
  OPEN_TEMPLATES_COMMAND: string;
}

/** What `activate` returns: other extensions and the in-editor tests read results through it. */
export interface ExtensionApi {
  /** The registrations view's data (`snapshot()` gives the tree as plain data). */
  readonly registrations: RegistrationsProvider;
  /** The last check of an open SIP log. */
  logResult(uri: vscode.Uri): CheckLogResult | undefined;
  /** Why an open SIP log has no result (or 'checked'). */
  logState(uri: vscode.Uri): LogState | undefined;
  /** Cancels a running background check of a log (as the progress notification's Cancel does). */
  cancelLogCheck(uri: vscode.Uri): boolean;
  /** The status bar item as shown now. */
  statusBar(): { visible: boolean; text: string; tooltip: string | undefined; command: string | undefined };
  /** Where "Show documentation" opens a rule's page (the bundled copy, else the web page). */
  ruleDocumentationUri(ruleId: string): Promise<string>;
  /** The templates panel, when it is part of the build. */
  readonly templates: TemplatesApi | undefined;
  /** What the summary editor of a capture shows (undefined: none open). */
  captureSummaryState(uri: vscode.Uri): CaptureSummaryState | undefined;
  /** Captures being read now and the last reads cancelled (closed while read, or Cancel). */
  captureReads(): { inFlight: string[]; cancelled: string[] };
  /**
   * How long the activation took, in milliseconds (`performance.now()`), without loading its
   * bundle: `activateHost`, or in the Node extension host `activateLazily` (activation.ts; the
   * features are set up on first use). Read by the in-editor benchmark (src/test/bench).
   */
  readonly activationMs?: number;
  /**
   * When the activation's bundle was evaluated and `activate()` ran (`performance.now()` of the
   * extension host's thread; Node hosts): the benchmark tells the extension host's own part of an
   * activation (loading, the context's storage) from ours.
   */
  readonly activationTimeline?: { bundleEvaluatedAt: number; activateStartedAt: number; activateEndedAt: number };
}

/** How `activateHost` registers and what it starts with (a Node host loads it on first use). */
export interface HostOptions {
  /** Default: with VS Code directly. */
  registrar?: Registrar;
  /** The text editor last active before the features were set up (for the templates). */
  lastEditor?: vscode.TextEditor;
}

const CAPTURE_FILTERS = { Captures: ['pcap', 'pcapng', 'cap'] };

function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

export function activateHost(context: vscode.ExtensionContext, analyzers: Analyzers, templatesModule?: TemplatesModule, options: HostOptions = {}): ExtensionApi {
  const activationStarted = performance.now();
  const registrar = options.registrar ?? directRegistrar;
  const log = vscode.window.createOutputChannel('SIP Trace Inspector', { log: true });
  const collection = vscode.languages.createDiagnosticCollection('sip-trace-inspector');
  const captures = new CaptureService(collection, analyzers, log);
  const editor = new CaptureEditorProvider(captures);
  // git: documents are old versions shown in diffs; their findings would duplicate the file's.
  const logs = new LogDiagnostics(collection, log, analyzers, [DECODED_SCHEME, 'git']);
  const traces = new TraceIndex(logs, captures);
  const registrations = new RegistrationsProvider(traces);
  const statusBar = new TraceStatusBar(traces, logs, editor);

  const templates = templatesModule?.registerTemplates(context, {
    analyze: (uri) => analysisFor(uri, logs, captures, analyzers),
    settings: (scope?: vscode.Uri) => readSettings(scope),
    reveal: async (uri, messageIndex) => {
      const trace = uri.scheme === DECODED_SCHEME ? traces.forDocument(uri) : (traces.forDocument(uri) ?? traces.forCapture(uri));
      const range = trace?.messageRange(messageIndex);
      if (trace && range) await revealInTrace(trace.target, range);
    },
    log,
    registrar,
    lastEditor: options.lastEditor,
  });
  const messageAt = (doc: vscode.TextDocument, line: number): number | undefined => {
    if (doc.uri.scheme === DECODED_SCHEME) {
      const i = captures.loadedEntry(captureUriOf(doc.uri))?.layout.blocks.atLine(line) ?? -1;
      return i >= 0 ? i : undefined;
    }
    return messageIndexAt(logs, doc, line);
  };
  const actions = new SipCodeActions(logs, templates && templatesModule ? { command: templatesModule.OPEN_TEMPLATES_COMMAND } : undefined, messageAt);
  const selector: vscode.DocumentSelector = { language: LOG_LANGUAGE_ID };
  // Shows the registrations view (package.json `views`, "when") once the extension runs.
  void vscode.commands.executeCommand('setContext', 'sipTraceInspector.active', true);

  context.subscriptions.push(
    log,
    collection,
    captures,
    logs,
    traces,
    registrations,
    statusBar,
    registrar.registerTextDocumentContentProvider(DECODED_SCHEME, captures),
    registrar.registerCustomEditorProvider(CAPTURE_EDITOR_VIEW_TYPE, editor, CAPTURE_EDITOR_OPTIONS),
    vscode.languages.registerCodeActionsProvider(selector, actions, SipCodeActions.metadata),
    vscode.languages.registerHoverProvider(selector, new SipHover()),
    registrar.registerTreeView(REGISTRATIONS_VIEW_ID, registrations),
    ...registerRuleCommands(context.extensionUri, actions, registrar),
    registrar.registerCommand(COMMANDS.reveal, (uri: unknown, range: unknown) => revealInTrace(uri, range)),
    registrar.registerCommand(COMMANDS.checkLog, async (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' && arg ? vscode.Uri.parse(arg, true) : vscode.window.activeTextEditor?.document.uri;
      if (!uri) return undefined;
      const doc = await vscode.workspace.openTextDocument(uri);
      if (!logs.isLog(doc)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} is not a SIP log (language "{1}").', basename(uri), LOG_LANGUAGE_ID));
        return undefined;
      }
      await logs.check(doc, { force: true });
      return summarizeLog(logs, uri);
    }),
    registrar.registerCommand(COMMANDS.checkCapture, async (arg?: unknown, opts?: { force?: boolean; show?: boolean }) => {
      const capture = await targetCapture(arg, editor);
      if (!capture) return undefined;
      try {
        const entry = await checkWithProgress(captures, capture, opts?.force ?? false);
        const a = entry.analysis;
        const shown = opts?.show !== false && (await showDecoded(entry.decoded, entry.layout.length));
        vscode.window.setStatusBarMessage(
          vscode.l10n.t('{0}: {1} REGISTER exchanges, {2} findings', basename(capture), a.exchanges.length, a.findings.length),
          5000,
        );
        const result: CheckCaptureResult = {
          capture: capture.toString(),
          decoded: entry.decoded.toString(),
          format: a.format,
          messages: a.messages.length,
          exchanges: a.exchanges.length,
          findings: a.findings.length,
          problems: a.problems.length,
          shown,
        };
        return result;
      } catch (e) {
        if (e instanceof CancelledError) return undefined;
        log.error(`checking ${capture.toString(true)} failed`, e);
        void showError(vscode.l10n.t('Cannot check {0}: {1}', basename(capture), e instanceof Error ? e.message : String(e)), log);
        return undefined;
      }
    }),
    registrar.registerCommand(COMMANDS.showDecoded, async (arg?: unknown) => {
      const capture = await targetCapture(arg, editor);
      if (!capture) return undefined;
      const decoded = decodedUriFor(capture);
      const entry = await captures.get(capture);
      if (!(await showDecoded(decoded, entry.layout.length))) return undefined;
      return decoded.toString();
    }),
  );

  return {
    registrations,
    logResult: (uri) => summarizeLog(logs, uri),
    logState: (uri) => logs.stateOf(uri),
    cancelLogCheck: (uri) => logs.cancel(uri),
    statusBar: () => ({
      visible: statusBar.visible,
      text: statusBar.item.text,
      tooltip: typeof statusBar.item.tooltip === 'string' ? statusBar.item.tooltip : statusBar.item.tooltip?.value,
      command: typeof statusBar.item.command === 'string' ? statusBar.item.command : statusBar.item.command?.command,
    }),
    ruleDocumentationUri: async (id) => (await ruleDocumentationUri(context.extensionUri, id)).toString(),
    templates,
    captureSummaryState: (uri) => editor.summaryState(uri),
    captureReads: () => captures.reads(),
    activationMs: performance.now() - activationStarted,
  };
}

function summarizeLog(logs: LogDiagnostics, uri: vscode.Uri): CheckLogResult | undefined {
  const r = logs.resultFor(uri);
  if (!r) return undefined;
  return {
    uri: uri.toString(),
    version: r.version,
    messages: r.data.messages.length,
    exchanges: r.data.exchanges.length,
    findings: r.data.findings.length,
    problems: r.data.problems.length,
    via: r.via,
    elapsedMs: r.data.elapsedMs,
  };
}

/**
 * A trace's full analysis, parsed messages included (what the templates prefill from): a capture
 * or its decoded view, a log open in the editor (its in-place check, or the worker's full
 * analysis of its text), or a file on disk.
 */
async function analysisFor(uri: vscode.Uri, logs: LogDiagnostics, captures: CaptureService, analyzers: Analyzers): Promise<{ messages: readonly TraceMessage[]; exchanges: Analysis['exchanges']; findings: Analysis['findings'] }> {
  if (uri.scheme === DECODED_SCHEME) return (await captures.get(captureUriOf(uri))).analysis;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc && logs.isLog(doc)) {
    const r = logs.resultFor(uri);
    if (r?.full && r.version === doc.version) return r.full;
    return analyzers.analyzeCapture(new TextEncoder().encode(doc.getText()), readSettings(uri));
  }
  if (/\.(pcap|pcapng|cap)$/i.test(uri.path)) return (await captures.get(uri)).analysis;
  const settings: Settings = readSettings(uri);
  return analyzers.analyzeCapture(await vscode.workspace.fs.readFile(uri), settings);
}

/** VS Code does not hand documents above 50 MB to extensions ("cannot be synchronized"). */
const MAX_DECODED_CHARS = 50 * 1024 * 1024;

/** Opens the decoded view beside; false (and a message) when it is too large to open. */
/** Captures above this size are checked under a notification with a percentage and Cancel. */
const CANCELLABLE_CAPTURE_BYTES = 16 * 1024 * 1024;

/**
 * A capture's analysis for a command: in the status bar for a small capture (a moment), in a
 * cancellable notification with the share read for a large one (a 1 GB capture takes a minute).
 */
async function checkWithProgress(captures: CaptureService, capture: vscode.Uri, force: boolean): Promise<CaptureEntry> {
  const title = vscode.l10n.t('Checking {0}', basename(capture));
  let size = 0;
  if (!captures.loadedEntry(capture) || force) {
    try {
      size = (await vscode.workspace.fs.stat(capture)).size;
    } catch {
      // the read below reports it
    }
  }
  if (size <= CANCELLABLE_CAPTURE_BYTES) return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => captures.get(capture, force));
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const key = capture.toString();
    let reported = 0;
    const sub = captures.onDidProgress((p) => {
      if (p.capture.toString() !== key || p.total <= 0) return;
      const pct = Math.floor((100 * p.done) / p.total);
      if (pct <= reported) return;
      progress.report({ increment: pct - reported, message: `${pct} %` });
      reported = pct;
    });
    const cancelled = token.onCancellationRequested(() => captures.cancel(capture));
    return captures.get(capture, force).finally(() => {
      sub.dispose();
      cancelled.dispose();
    });
  });
}

async function showDecoded(decoded: vscode.Uri, length: number): Promise<boolean> {
  if (length > MAX_DECODED_CHARS) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'The decoded view of this capture would be {0} MB, above the 50 MB VS Code lets an extension open. Its findings are in the Problems panel and the summary; `sip-inspect check` lists them all.',
        (length / 1048576).toFixed(0),
      ),
    );
    return false;
  }
  const doc = await vscode.workspace.openTextDocument(decoded);
  await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  return true;
}

/** The capture a command is about: its argument, the active summary or decoded view, or a pick. */
async function targetCapture(arg: unknown, editor: CaptureEditorProvider): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg.scheme === DECODED_SCHEME ? captureUriOf(arg) : arg;
  if (typeof arg === 'string' && arg) {
    const uri = vscode.Uri.parse(arg, true);
    return uri.scheme === DECODED_SCHEME ? captureUriOf(uri) : uri;
  }
  if (editor.activeCapture) return editor.activeCapture;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === DECODED_SCHEME) return captureUriOf(active);
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { [vscode.l10n.t('Captures')]: CAPTURE_FILTERS.Captures },
    openLabel: vscode.l10n.t('Check registrations'),
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

async function showError(message: string, log: vscode.LogOutputChannel): Promise<void> {
  const openLog = vscode.l10n.t('Open Log');
  if ((await vscode.window.showErrorMessage(message, openLog)) === openLog) log.show();
}
