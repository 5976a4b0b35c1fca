/**
 * One status bar item for the active trace (a SIP log, a capture's decoded view or its summary
 * editor): its errors and warnings, in the workbench's own colours; a click opens the Problems
 * panel. A large log that was not checked says so, and a click checks it.
 */
import * as vscode from 'vscode';
import { DECODED_SCHEME } from './captures';
import type { CaptureEditorProvider } from './captureEditor';
import { COMMANDS } from './commands';
import type { LogDiagnostics } from './logDiagnostics';
import { countBySeverity, type TraceIndex, type TraceSummary } from './traces';

export class TraceStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  /** Whether the item is shown (the API has no getter for it). */
  visible = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly traces: TraceIndex,
    private readonly logs: LogDiagnostics,
    private readonly editor: CaptureEditorProvider,
  ) {
    this.item = vscode.window.createStatusBarItem('sipTraceInspector.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = vscode.l10n.t('SIP Trace Inspector');
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      traces.onDidChange(() => this.update()),
      logs.onDidCheck(() => this.update()),
      editor.onDidChangeActive(() => this.update()),
    );
    this.update();
  }

  /** The trace the user is looking at. */
  private active(): { trace?: TraceSummary; log?: vscode.TextDocument; capture?: vscode.Uri } {
    if (this.editor.activeCapture) return { trace: this.traces.forCapture(this.editor.activeCapture), capture: this.editor.activeCapture };
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc) return {};
    if (doc.uri.scheme === DECODED_SCHEME) return { trace: this.traces.forDocument(doc.uri) };
    if (!this.logs.isLog(doc)) return {};
    return { trace: this.traces.forDocument(doc.uri), log: doc };
  }

  update(): void {
    const { trace, log } = this.active();
    const state = log ? this.logs.stateOf(log.uri) : undefined;
    if (log && (state === 'too-large' || state === 'cancelled')) {
      this.item.text = `$(circle-slash) SIP ${vscode.l10n.t('not checked')}`;
      this.item.tooltip = vscode.l10n.t('SIP Trace Inspector: this log is not checked ({0}). Click to check it now.', state === 'too-large' ? vscode.l10n.t('above sipTraceInspector.maxFileSizeMB') : vscode.l10n.t('cancelled'));
      this.item.command = { command: COMMANDS.checkLog, title: vscode.l10n.t('Check SIP Log Now'), arguments: [log.uri] };
      this.item.accessibilityInformation = { label: vscode.l10n.t('SIP log not checked') };
      this.show();
      return;
    }
    if (log && state === 'running' && !trace) {
      this.item.text = `$(sync~spin) SIP`;
      this.item.tooltip = vscode.l10n.t('SIP Trace Inspector: checking…');
      this.item.command = undefined;
      this.show();
      return;
    }
    if (!trace) {
      this.hide();
      return;
    }
    const n = countBySeverity(trace);
    this.item.text = `SIP $(error) ${n.error} $(warning) ${n.warning}`;
    this.item.tooltip = vscode.l10n.t(
      'SIP Trace Inspector: {0} errors, {1} warnings, {2} information in {3} ({4} REGISTER exchanges). Click to open the Problems panel.',
      n.error,
      n.warning,
      n.info,
      trace.label,
      trace.exchanges.length,
    );
    this.item.accessibilityInformation = { label: vscode.l10n.t('SIP: {0} errors, {1} warnings', n.error, n.warning) };
    this.item.command = { command: 'workbench.actions.view.problems', title: vscode.l10n.t('Open the Problems panel') };
    this.show();
  }

  private show(): void {
    this.visible = true;
    this.item.show();
  }

  private hide(): void {
    this.visible = false;
    this.item.hide();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
