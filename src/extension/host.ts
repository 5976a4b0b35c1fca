/**
 * Activation shared by every host: the language, the diagnostics of SIP logs, captures (summary
 * editor, decoded view, command). The host-specific entry (extension.ts) only says how a capture
 * is analysed (a worker thread on desktop/remote hosts).
 */
import * as vscode from 'vscode';
import type { Settings } from '../core/settings';
import type { Analysis } from './analysis';
import { CAPTURE_EDITOR_VIEW_TYPE, CaptureEditorProvider } from './captureEditor';
import { CaptureService, DECODED_SCHEME, captureUriOf, decodedUriFor } from './captures';
import { COMMANDS, type CheckCaptureResult } from './commands';
import { LogDiagnostics } from './logDiagnostics';

export type Analyzer = (bytes: Uint8Array, settings: Settings) => Promise<Analysis>;

const CAPTURE_FILTERS = { [vscode.l10n.t('Captures')]: ['pcap', 'pcapng', 'cap'] };

export function activateHost(context: vscode.ExtensionContext, analyzeCapture: Analyzer): void {
  const log = vscode.window.createOutputChannel('SIP Trace Inspector', { log: true });
  const collection = vscode.languages.createDiagnosticCollection('sip-trace-inspector');
  const captures = new CaptureService(collection, analyzeCapture, log);
  const editor = new CaptureEditorProvider(captures);
  context.subscriptions.push(
    log,
    collection,
    captures,
    // git: documents are old versions shown in diffs; their findings would duplicate the file's.
    new LogDiagnostics(collection, log, [DECODED_SCHEME, 'git']),
    vscode.workspace.registerTextDocumentContentProvider(DECODED_SCHEME, captures),
    vscode.window.registerCustomEditorProvider(CAPTURE_EDITOR_VIEW_TYPE, editor, {
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand(COMMANDS.checkCapture, async (arg?: unknown, opts?: { force?: boolean; show?: boolean }) => {
      const capture = await targetCapture(arg, editor);
      if (!capture) return undefined;
      try {
        const entry = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Checking {0}', basename(capture)) },
          () => captures.get(capture, opts?.force ?? false),
        );
        const a = entry.analysis;
        if (opts?.show !== false) await showDecoded(entry.decoded);
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
        };
        return result;
      } catch (e) {
        log.error(`checking ${capture.toString(true)} failed`, e);
        void showError(vscode.l10n.t('Cannot check {0}: {1}', basename(capture), e instanceof Error ? e.message : String(e)), log);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(COMMANDS.showDecoded, async (arg?: unknown) => {
      const capture = await targetCapture(arg, editor);
      if (!capture) return undefined;
      const decoded = decodedUriFor(capture);
      await showDecoded(decoded);
      return decoded.toString();
    }),
  );
}

async function showDecoded(decoded: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(decoded);
  await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
}

function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
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
    filters: CAPTURE_FILTERS,
    openLabel: vscode.l10n.t('Check registrations'),
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

async function showError(message: string, log: vscode.LogOutputChannel): Promise<void> {
  const openLog = vscode.l10n.t('Open Log');
  if ((await vscode.window.showErrorMessage(message, openLog)) === openLog) log.show();
}
